"""Rules for a capturista's usuario (login name)."""
from __future__ import annotations

import re

from domain.errores import ErrorDeDominio

_PATRON = re.compile(r"^[a-z][a-z0-9._-]{5,29}$")


class UsuarioInvalido(ErrorDeDominio):
    pass


def normalizar(texto: str) -> str:
    return (texto or "").strip().lower()


def validar(texto: str) -> str:
    usuario = normalizar(texto)
    if not 6 <= len(usuario) <= 30:
        raise UsuarioInvalido("El usuario debe tener entre 6 y 30 caracteres.")
    if not _PATRON.match(usuario):
        raise UsuarioInvalido(
            "El usuario debe comenzar con una letra y solo puede contener letras sin acentos, "
            "números, punto, guion y guion bajo."
        )
    return usuario
