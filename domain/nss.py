"""NSS (Número de Seguridad Social) of the IMSS: 11 digits with a Luhn check digit.

Layout: subdelegación (2), año de alta (2), año de nacimiento (2, ``97`` = unknown), consecutivo (4),
dígito verificador (1). The NSS is text, never a number: leading zeros are part of it (``01234567897``)
and the carga masiva keeps it as text for the same reason.

The check digit is Luhn over the first 10 digits with weights 1, 2, 1, 2, … counted from the LEFT
(products over 9 minus 9; digit = (10 − sum mod 10) mod 10). A version published online doubles the
other positions (weights 2, 1, 2, 1, …): it rejects every real NSS, so do not "fix" it to that one.
Unlike the RFC's, a wrong NSS digit is refused outright: the IMSS rejects the row.
"""
from __future__ import annotations

import re

from domain.errores import ErrorDeDominio

__all__ = ["LONGITUD", "NssInvalido", "completar", "digito_verificador", "es_valido", "normalizar", "validar"]

LONGITUD = 11

_DIGITOS = re.compile(r"^[0-9]*$")  # ASCII only: str.isdigit() would let "²" or "٣" through


class NssInvalido(ErrorDeDominio):
    """Invalid NSS. ``codigo`` ("caracteres" | "longitud" | "digito") lets the carga masiva tell a bad
    structure from a bad check digit; ``mensaje`` (Spanish) is for the user."""

    def __init__(self, codigo: str, mensaje: str):
        super().__init__(mensaje)
        self.codigo = codigo


def normalizar(texto: str) -> str:
    """Drop spaces and dashes (people copy it as ``9291-90-8443-1``); keep it as text with its zeros."""
    return re.sub(r"[\s-]+", "", texto or "")


def digito_verificador(diez: str) -> str:
    """Check digit for the first 10 digits (weights 1, 2, 1, 2, … from the left)."""
    if len(diez) != LONGITUD - 1 or not _DIGITOS.match(diez):
        raise ValueError("Se necesitan exactamente los primeros 10 dígitos del NSS.")
    suma = 0
    for i, c in enumerate(diez):
        producto = int(c) * (1 if i % 2 == 0 else 2)
        suma += producto - 9 if producto > 9 else producto
    return str((10 - suma % 10) % 10)


def completar(diez: str) -> str:
    """The valid NSS that starts with these 10 digits: for tests and fictitious data."""
    return diez + digito_verificador(diez)


def validar(texto: str) -> str:
    """Return the normalised NSS or raise ``NssInvalido`` (characters, then length, then check digit)."""
    nss = normalizar(texto)
    if not _DIGITOS.match(nss):
        raise NssInvalido("caracteres", "El NSS solo puede contener números, sin letras ni otros signos.")
    if len(nss) != LONGITUD:
        raise NssInvalido("longitud", f"El NSS debe tener 11 dígitos; capturaste {len(nss)}.")
    if digito_verificador(nss[:-1]) != nss[-1]:
        raise NssInvalido(
            "digito",
            "El NSS no es válido: su dígito verificador no corresponde. "
            "Revisa que lo hayas capturado correctamente.",
        )
    return nss


def es_valido(texto: str) -> bool:
    """True when ``validar`` accepts the text."""
    try:
        validar(texto)
    except NssInvalido:
        return False
    return True
