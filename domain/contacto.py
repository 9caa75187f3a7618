"""Small field rules shared by several forms (and the carga masiva de capturistas): teléfono, correo
electrónico, código postal, REPSE."""
from __future__ import annotations

import re
from datetime import date

import email_validator

from domain.errores import ErrorDeDominio


class DatoInvalido(ErrorDeDominio):
    pass


def telefono(texto: str) -> str:
    """10-digit Mexican number; spaces, dashes, dots and parentheses are tolerated."""
    limpio = re.sub(r"[\s\-.()]", "", texto or "")
    if limpio.startswith("+52"):
        limpio = limpio[3:]
    if not re.fullmatch(r"[0-9]+", limpio):  # ASCII digits only (str.isdigit takes ١ or ²)
        raise DatoInvalido("El teléfono solo puede contener dígitos.")
    if len(limpio) != 10:
        raise DatoInvalido(f"El teléfono debe tener 10 dígitos; capturaste {len(limpio)}.")
    return limpio


LARGO_CORREO = 254


def correo(texto: str) -> str:
    """A well-formed e-mail address of at most 254 characters, as written (trimmed). Whether the domain
    receives mail is not checked (no DNS lookup)."""
    limpio = (texto or "").strip()
    if len(limpio) > LARGO_CORREO:
        raise DatoInvalido("El correo electrónico es demasiado largo.")
    try:
        email_validator.validate_email(limpio, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise DatoInvalido("El correo electrónico no tiene un formato válido.") from None
    return limpio


def codigo_postal(texto: str) -> str:
    limpio = (texto or "").strip()
    if not re.fullmatch(r"[0-9]{5}", limpio):
        raise DatoInvalido("El código postal debe tener 5 dígitos.")
    if limpio == "00000":
        raise DatoInvalido("El código postal 00000 no existe.")
    return limpio


_REPSE = re.compile(r"^([A-Z]{1,4}[0-9]{1,10})/([0-9]{4})$")


def registro_repse(texto: str, hoy: date | None = None) -> str:
    """REPSE folio such as AR12345/2024: letters, digits, a slash and the year (2021 on)."""
    limpio = re.sub(r"\s+", "", texto or "").upper()
    m = _REPSE.match(limpio)
    if not m:
        raise DatoInvalido(
            "El número de registro REPSE debe tener el formato AR12345/2024: letras, dígitos, diagonal y año."
        )
    anio = int(m.group(2))
    if not 2021 <= anio <= (hoy or date.today()).year:
        raise DatoInvalido("El año del registro REPSE debe estar entre 2021 y el año en curso.")
    return limpio
