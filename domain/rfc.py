"""RFC (Registro Federal de Contribuyentes) structure and SAT check digit.

Persona moral: 3 letters + AAMMDD + homoclave (12 characters).
Persona física: 4 letters + AAMMDD + homoclave (13 characters).
The last character of the homoclave is the SAT mod-11 check digit. About 1.5% of real
RFCs fail it, so a wrong digit is reported separately (``digito_correcto``) and the caller
decides to warn instead of refusing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.errores import ErrorDeDominio

_ALFABETO = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"  # SAT's table: value = index
_PATRON = re.compile(r"^([A-ZÑ&]{3,4})([0-9]{6})([1-9A-V][1-9A-Z][0-9A])$")


class RfcInvalido(ErrorDeDominio):
    pass


@dataclass(frozen=True)
class Rfc:
    rfc: str
    tipo: str  # "moral" | "fisica"
    digito_correcto: bool


def normalizar(texto: str) -> str:
    return re.sub(r"[\s-]+", "", texto or "").upper()


def digito_verificador(rfc_sin_digito: str) -> str:
    """Check digit for the first 11 (moral) or 12 (física) characters."""
    base = rfc_sin_digito.rjust(12)  # personas morales get a leading space
    suma = sum(_ALFABETO.index(c) * (13 - i) for i, c in enumerate(base))
    resto = suma % 11
    if resto == 0:
        return "0"
    digito = 11 - resto
    return "A" if digito == 10 else str(digito)


def _fecha_existe(aammdd: str) -> bool:
    aa, mm, dd = int(aammdd[:2]), int(aammdd[2:4]), int(aammdd[4:])
    for siglo in (1900, 2000):
        try:
            date(siglo + aa, mm, dd)
            return True
        except ValueError:
            continue
    return False


def validar(texto: str) -> Rfc:
    rfc = normalizar(texto)
    if len(rfc) not in (12, 13):
        raise RfcInvalido(
            f"El RFC debe tener 12 caracteres (persona moral) o 13 (persona física); capturaste {len(rfc)}."
        )
    m = _PATRON.match(rfc)
    if not m:
        letras = 3 if len(rfc) == 12 else 4
        if not re.match(rf"^[A-ZÑ&]{{{letras}}}", rfc):
            raise RfcInvalido(f"El RFC debe comenzar con {letras} letras.")
        if not re.match(rf"^.{{{letras}}}[0-9]{{6}}", rfc):
            raise RfcInvalido("Después de las letras, el RFC debe llevar la fecha en formato AAMMDD.")
        raise RfcInvalido("La homoclave del RFC (los últimos 3 caracteres) no tiene un formato válido.")
    if not _fecha_existe(m.group(2)):
        raise RfcInvalido("La fecha contenida en el RFC (AAMMDD) no existe.")
    return Rfc(
        rfc=rfc,
        tipo="moral" if len(rfc) == 12 else "fisica",
        digito_correcto=digito_verificador(rfc[:-1]) == rfc[-1],
    )
