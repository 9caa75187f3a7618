"""Registro patronal IMSS: 10 characters plus IMSS's check digit.

A leading letter counts as its A–Z index + 10 (A=10 … Z=35) written as two digits; the
resulting digit string gets a Luhn check digit (doubling from the rightmost digit).
Example: Y3926552104 → "34" + "392655210" → Luhn digit 4.
"""
from __future__ import annotations

import re

from domain.errores import ErrorDeDominio

_PATRON = re.compile(r"^[A-Z0-9][0-9]{10}$")


class RegistroPatronalInvalido(ErrorDeDominio):
    pass


def normalizar(texto: str) -> str:
    return re.sub(r"[\s-]+", "", texto or "").upper()


def _luhn(digitos: str) -> str:
    suma = 0
    for i, c in enumerate(reversed(digitos)):
        n = int(c)
        if i % 2 == 0:  # rightmost payload digit is doubled
            n *= 2
            if n > 9:
                n -= 9
        suma += n
    return str((10 - suma % 10) % 10)


def digito_verificador(diez: str) -> str:
    primero = diez[0]
    cadena = (str(ord(primero) - ord("A") + 10) if primero.isalpha() else primero) + diez[1:]
    return _luhn(cadena)


def validar(texto: str) -> str:
    """Return the normalised registro patronal or raise RegistroPatronalInvalido."""
    rp = normalizar(texto)
    if len(rp) != 11:
        raise RegistroPatronalInvalido(
            f"El registro patronal debe tener 11 caracteres; capturaste {len(rp)}."
        )
    if not _PATRON.match(rp):
        raise RegistroPatronalInvalido(
            "El registro patronal debe iniciar con una letra o un dígito seguido de 10 dígitos."
        )
    if digito_verificador(rp[:10]) != rp[10]:
        raise RegistroPatronalInvalido(
            "El dígito verificador del registro patronal no es válido; revisa que lo hayas capturado correctamente."
        )
    return rp
