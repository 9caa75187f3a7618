"""Text normalisation for search and sorting: case- and accent-insensitive, the same everywhere."""
from __future__ import annotations

import re
import unicodedata


def plano(texto: str) -> str:
    """'José Núñez ' → 'jose nunez': lowercase, no accents (Ñ → n), single spaces."""
    descompuesto = unicodedata.normalize("NFKD", texto or "")
    sin_marcas = "".join(c for c in descompuesto if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", sin_marcas.casefold()).strip()


def clave_busqueda(*partes: str) -> str:
    return " ".join(plano(p) for p in partes if p)


def clave_orden_nombre(nombre: str, primer_apellido: str, segundo_apellido: str) -> str:
    """Sort people the Mexican way: by apellidos, then nombre."""
    return clave_busqueda(primer_apellido, segundo_apellido, nombre)
