"""Password policy shared by contractors and capturistas (registro, activation, reset)."""
from __future__ import annotations

import re
from functools import cache

MINIMO = 10
COMUN = "La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."
# Our own obvious words (Spanish and this system's), compared the same way as the leaked list.
_PROPIAS = frozenset({
    "contraseña", "contrasena", "password", "mexico", "méxico", "imss", "icsoe", "capturista", "capturistas",
    "contratista", "usuario", "bienvenido", "bienvenida", "qwerty", "administrador", "repse",
})
_INICIO = re.compile(r"^[\W\d_]+")  # a leading run of digits and symbols
_FIN = re.compile(r"[\W\d_]+$")


@cache
def _filtradas() -> frozenset[str]:
    """zxcvbn's 30,000 most common leaked passwords (lowercase) plus ours; loaded on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | _PROPIAS


def es_comun(contrasena: str) -> bool:
    """True when the password, casefolded, is on the list, or is once a leading and/or trailing run
    of digits and symbols is removed ("Password123", "2026!Qwerty") and at least 4 characters remain."""
    base = contrasena.casefold()
    sin_inicio, sin_fin = _INICIO.sub("", base), _FIN.sub("", base)
    variantes = {base} | {v for v in (sin_inicio, sin_fin, _FIN.sub("", sin_inicio)) if len(v) >= 4}
    return not variantes.isdisjoint(_filtradas())


def problemas(contrasena: str, prohibidas: tuple[str, ...] = ()) -> list[str]:
    """Spanish messages for each rule the password breaks (empty list: acceptable)."""
    errores: list[str] = []
    if len(contrasena) < MINIMO:
        errores.append(f"La contraseña debe tener al menos {MINIMO} caracteres.")
    if not any(c.isalpha() for c in contrasena) or not any(c.isdigit() for c in contrasena):
        errores.append("La contraseña debe combinar letras y números.")
    baja = contrasena.casefold()
    for texto in prohibidas:
        if texto and texto.casefold() in baja:
            errores.append("La contraseña no puede contener tu RFC, CURP ni tu usuario.")
            break
    if es_comun(contrasena):
        errores.append(COMUN)
    return errores
