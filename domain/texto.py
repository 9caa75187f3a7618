"""Text normalisation for search and sorting: case- and accent-insensitive, the same everywhere."""
from __future__ import annotations

import re
import unicodedata


def plano(texto: str) -> str:
    """'José Núñez ' → 'jose nunez': lowercase, no accents (Ñ → n), single spaces."""
    descompuesto = unicodedata.normalize("NFKD", texto or "")
    sin_marcas = "".join(c for c in descompuesto if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", sin_marcas.casefold()).strip()


def nombre_completo(nombre: str, primer_apellido: str, segundo_apellido: str = "") -> str:
    """'JOSÉ LUIS PÉREZ GARCÍA': nombre(s) then apellidos, the way the padrón and the guide write it."""
    return " ".join(p for p in (nombre, primer_apellido, segundo_apellido) if p)


def clave_busqueda(*partes: str) -> str:
    return " ".join(plano(p) for p in partes if p)


def clave_orden_nombre(nombre: str, primer_apellido: str, segundo_apellido: str) -> str:
    """Sort people the Mexican way: by apellidos, then nombre."""
    return clave_busqueda(primer_apellido, segundo_apellido, nombre)


MENSAJE_CONTROL = ("Contiene caracteres no permitidos (saltos de línea, tabuladores u otros caracteres de "
                   "control). Escríbelo en una sola línea.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def tiene_control(texto: str) -> bool:
    """CR/LF, tab, NUL and the other C0/C1 control characters (and Unicode line separators): no
    one-line field of ours takes them, and in a header or a log line they inject."""
    return bool(_CONTROL.search(texto or ""))
