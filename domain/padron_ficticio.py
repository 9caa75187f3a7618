"""Fictitious people with valid CURPs consistent with their names.

Used to fill a local "padrón" table in development and tests instead of querying RENAPO.
Everything is deterministic for a given seed. Names are stored in uppercase with their
accents, as RENAPO returns them; the CURP is built with RENAPO's rules
(``construir_curp``) and always passes ``domain.curp.validar``.
"""
from __future__ import annotations

import csv
import os
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Union

from domain.curp import ENTIDADES, PALABRAS_INCONVENIENTES, digito_verificador

__all__ = [
    "COLUMNAS_CSV",
    "Persona",
    "construir_curp",
    "escribir_csv",
    "generar_personas",
    "leer_csv",
]

COLUMNAS_CSV = (
    "curp",
    "nombre",
    "primer_apellido",
    "segundo_apellido",
    "fecha_nacimiento",
    "sexo",
    "entidad",
)

RutaOArchivo = Union[str, "os.PathLike[str]", IO[str]]

_VOCALES = "AEIOU"
_CONSONANTES = "BCDFGHJKLMNÑPQRSTVWXYZ"
# Prepositions, articles, conjunctions and contractions skipped at the start of a name.
_PARTICULAS = frozenset(
    "DA DAS DE DEL DER DI DIE DD EL LA LAS LE LES LOS MAC MC VAN VON Y".split()
)
# First names skipped when the name is compound (MARÍA JOSÉ -> JOSÉ, JOSÉ LUIS -> LUIS).
_NOMBRES_COMUNES = frozenset("MARIA MA. MA M. M JOSE J. J".split())


@dataclass(frozen=True)
class Persona:
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str
    fecha_nacimiento: date
    sexo: str
    entidad: str


# --- CURP construction -------------------------------------------------------------


def _sin_acentos(texto: str) -> str:
    """Uppercase, drop accents and diaeresis (Á->A, Ü->U) but keep Ñ."""
    salida = []
    for c in unicodedata.normalize("NFC", texto).upper():
        if c == "Ñ":
            salida.append(c)
        else:
            salida.append("".join(
                d for d in unicodedata.normalize("NFD", c) if not unicodedata.combining(d)
            ))
    return "".join(salida)


def _palabra_relevante(texto: str, es_nombre: bool = False) -> str:
    """The word of a name/apellido that RENAPO uses, only letters A-Z and Ñ ('' if none)."""
    palabras = re.split(r"[\s\-]+", _sin_acentos(texto).strip())
    palabras = [p for p in palabras if p]

    def saltar_particulas() -> None:
        while len(palabras) > 1 and palabras[0].replace(".", "") in _PARTICULAS:
            palabras.pop(0)

    saltar_particulas()
    if es_nombre and len(palabras) > 1 and palabras[0] in _NOMBRES_COMUNES:
        palabras.pop(0)
        saltar_particulas()
    if not palabras:
        return ""
    return re.sub(r"[^A-ZÑ]", "", palabras[0])  # drops dots, apostrophes, etc.


def _inicial(palabra: str) -> str:
    if not palabra:
        return "X"
    return "X" if palabra[0] == "Ñ" else palabra[0]


def _vocal_interna(palabra: str) -> str:
    return next((c for c in palabra[1:] if c in _VOCALES), "X")


def _consonante_interna(palabra: str) -> str:
    c = next((c for c in palabra[1:] if c in _CONSONANTES), "X")
    return "X" if c == "Ñ" else c


def construir_curp(
    nombre: str,
    primer_apellido: str,
    segundo_apellido: str,
    fecha_nacimiento: date,
    sexo: str,
    entidad: str,
    diferenciador: str | None = None,
) -> str:
    """CURP for a person following RENAPO's rules; the check digit is computed.

    ``diferenciador`` defaults to "0" for births before 2000 and "A" from 2000 on; when
    given it must respect that rule (digit before 2000, letter A-Z from 2000).
    """
    primero = _palabra_relevante(primer_apellido)
    segundo = _palabra_relevante(segundo_apellido or "")
    pila = _palabra_relevante(nombre, es_nombre=True)
    if not primero:
        raise ValueError("El primer apellido es obligatorio para construir la CURP.")
    if not pila:
        raise ValueError("El nombre es obligatorio para construir la CURP.")
    sexo = (sexo or "").strip().upper()
    if sexo not in ("H", "M", "X"):
        raise ValueError("El sexo debe ser H, M o X.")
    entidad = (entidad or "").strip().upper()
    if entidad not in ENTIDADES:
        raise ValueError(f"Clave de entidad desconocida: {entidad!r}.")
    if not 1900 <= fecha_nacimiento.year <= 2099:
        raise ValueError("La CURP solo admite fechas de nacimiento entre 1900 y 2099.")

    antes_2000 = fecha_nacimiento.year < 2000
    if diferenciador is None:
        diferenciador = "0" if antes_2000 else "A"
    diferenciador = diferenciador.upper()
    if antes_2000 and not (len(diferenciador) == 1 and "0" <= diferenciador <= "9"):
        raise ValueError("Para nacimientos antes de 2000 el diferenciador debe ser un dígito.")
    if not antes_2000 and not (len(diferenciador) == 1 and "A" <= diferenciador <= "Z"):
        raise ValueError("Para nacimientos desde 2000 el diferenciador debe ser una letra A-Z.")

    letras = _inicial(primero) + _vocal_interna(primero) + _inicial(segundo) + _inicial(pila)
    if letras in PALABRAS_INCONVENIENTES:
        letras = letras[0] + "X" + letras[2:]
    curp17 = (
        letras
        + fecha_nacimiento.strftime("%y%m%d")
        + sexo
        + entidad
        + _consonante_interna(primero)
        + _consonante_interna(segundo)
        + _consonante_interna(pila)
        + diferenciador
    )
    return curp17 + digito_verificador(curp17)


# --- Fictitious people -------------------------------------------------------------

_NOMBRES_H = (
    "JOSÉ LUIS", "JUAN", "JOSÉ", "MIGUEL ÁNGEL", "FRANCISCO", "JESÚS", "ALEJANDRO",
    "ÁNGEL", "LUIS", "CARLOS", "EDUARDO", "JORGE", "RICARDO", "ROBERTO", "FERNANDO",
    "DANIEL", "JOSÉ ANTONIO", "JUAN CARLOS", "SERGIO", "RAÚL", "ÓSCAR", "IÑAKI", "EFRAÍN",
    "RAMÓN", "HÉCTOR", "MARTÍN", "JOAQUÍN", "ANDRÉS", "SANTIAGO", "EMILIANO", "MATEO",
    "SEBASTIÁN", "DIEGO", "J. JESÚS", "JOSÉ MARÍA", "NOÉ", "ULISES", "ISMAEL", "ÍÑIGO",
)
_NOMBRES_M = (
    "MARÍA", "GUADALUPE", "MARÍA GUADALUPE", "MARÍA JOSÉ", "JUANA", "MARGARITA",
    "VERÓNICA", "ROSA MARÍA", "ANA", "ANA MARÍA", "LETICIA", "ELIZABETH", "PATRICIA",
    "ALEJANDRA", "GABRIELA", "FERNANDA", "XIMENA", "SOFÍA", "VALERIA", "REGINA", "CAMILA",
    "MONSERRAT", "ITZEL", "XÓCHITL", "MA. DE LOS ÁNGELES", "MARÍA DEL CARMEN", "BEATRIZ",
    "NOEMÍ", "INÉS", "BRENDA", "ÚRSULA", "ÁNGELES", "YOLANDA", "IRMA", "ESTHER",
)
_APELLIDOS = (
    "HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ", "GONZÁLEZ", "PÉREZ", "RODRÍGUEZ",
    "SÁNCHEZ", "RAMÍREZ", "CRUZ", "FLORES", "GÓMEZ", "MORALES", "VÁZQUEZ", "REYES",
    "JIMÉNEZ", "TORRES", "DÍAZ", "GUTIÉRREZ", "RUIZ", "MENDOZA", "AGUILAR", "ORTIZ",
    "MORENO", "CASTILLO", "ROMERO", "ÁLVAREZ", "MÉNDEZ", "CHÁVEZ", "RIVERA", "JUÁREZ",
    "RAMOS", "DOMÍNGUEZ", "HERRERA", "MEDINA", "CASTRO", "VARGAS", "GUZMÁN", "NÚÑEZ",
    "IBÁÑEZ", "MUÑOZ", "PEÑA", "OCAÑA", "CASTAÑEDA", "ZÚÑIGA", "YÁÑEZ", "DE LA CRUZ",
    "DE LA GARZA", "DEL ÁNGEL", "DE LOS SANTOS", "DE LEÓN", "UC", "OCHOA", "ÁVILA",
    "ORTEGA", "ESQUIVEL", "AGUIRRE", "PAZ", "LUNA", "RÍOS", "CAMPOS", "VEGA", "SOLÍS",
    "PUENTE", "COLÍN", "BÁEZ", "DEL RÍO", "VILLASEÑOR", "ARGÜELLES",
)
_ESTADOS = tuple(c for c in ENTIDADES if c != "NE")
_DIFERENCIADORES_SIGLO_XX = "0123456789"
_DIFERENCIADORES_SIGLO_XXI = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FECHA_MIN = date(1940, 1, 1).toordinal()
_FECHA_MAX = date(2012, 12, 31).toordinal()  # fixed, so results do not depend on today


def _persona_al_azar(rng: random.Random) -> tuple[str, str, str, date, str, str]:
    r = rng.random()
    sexo = "H" if r < 0.495 else ("M" if r < 0.99 else "X")
    if sexo == "X":
        nombres = rng.choice((_NOMBRES_H, _NOMBRES_M))
    else:
        nombres = _NOMBRES_H if sexo == "H" else _NOMBRES_M
    nombre = rng.choice(nombres)
    primer = rng.choice(_APELLIDOS)
    segundo = "" if rng.random() < 0.05 else rng.choice(_APELLIDOS)
    fecha = date.fromordinal(rng.randint(_FECHA_MIN, _FECHA_MAX))
    entidad = "NE" if rng.random() < 0.03 else rng.choice(_ESTADOS)
    return nombre, primer, segundo, fecha, sexo, entidad


def generar_personas(n: int, semilla: int = 0) -> Iterator[Persona]:
    """``n`` fictitious people with CURPs unique within this call, deterministic per seed."""
    if n < 0:
        raise ValueError("n no puede ser negativo.")
    rng = random.Random(semilla)
    usadas: set[str] = set()
    generadas = 0
    while generadas < n:
        nombre, primer, segundo, fecha, sexo, entidad = _persona_al_azar(rng)
        opciones = _DIFERENCIADORES_SIGLO_XX if fecha.year < 2000 else _DIFERENCIADORES_SIGLO_XXI
        for diferenciador in opciones:  # homonyms get the next diferenciador
            curp = construir_curp(nombre, primer, segundo, fecha, sexo, entidad, diferenciador)
            if curp not in usadas:
                break
        else:
            continue  # every diferenciador taken: draw another person
        usadas.add(curp)
        generadas += 1
        yield Persona(curp, nombre, primer, segundo, fecha, sexo, entidad)


# --- CSV -----------------------------------------------------------------------------


def escribir_csv(ruta_o_archivo: RutaOArchivo, personas: Iterable[Persona]) -> int:
    """Write people as UTF-8 CSV (header ``COLUMNAS_CSV``, ISO dates); returns the row count."""
    if isinstance(ruta_o_archivo, (str, os.PathLike)):
        with open(ruta_o_archivo, "w", encoding="utf-8", newline="") as archivo:
            return _escribir(archivo, personas)
    return _escribir(ruta_o_archivo, personas)


def _escribir(archivo: IO[str], personas: Iterable[Persona]) -> int:
    escritor = csv.writer(archivo, lineterminator="\n")
    escritor.writerow(COLUMNAS_CSV)
    filas = 0
    for p in personas:
        escritor.writerow([
            p.curp, p.nombre, p.primer_apellido, p.segundo_apellido,
            p.fecha_nacimiento.isoformat(), p.sexo, p.entidad,
        ])
        filas += 1
    return filas


def leer_csv(ruta_o_archivo: RutaOArchivo) -> Iterator[Persona]:
    """Read people written by ``escribir_csv`` (a UTF-8 BOM is tolerated)."""
    if isinstance(ruta_o_archivo, (str, os.PathLike)):
        with open(ruta_o_archivo, encoding="utf-8-sig", newline="") as archivo:
            yield from _leer(archivo)
    else:
        yield from _leer(ruta_o_archivo)


def _leer(archivo: IO[str]) -> Iterator[Persona]:
    lector = csv.DictReader(archivo)
    faltan = [c for c in COLUMNAS_CSV if c not in (lector.fieldnames or ())]
    if faltan:
        raise ValueError(f"Al CSV del padrón le faltan columnas: {', '.join(faltan)}.")
    for fila in lector:
        yield Persona(
            curp=fila["curp"],
            nombre=fila["nombre"],
            primer_apellido=fila["primer_apellido"],
            segundo_apellido=fila["segundo_apellido"] or "",
            fecha_nacimiento=date.fromisoformat(fila["fecha_nacimiento"]),
            sexo=fila["sexo"],
            entidad=fila["entidad"],
        )
