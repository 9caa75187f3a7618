"""Mexico City's calendar for the product: business days, días inhábiles and dates written in Spanish.

Días inhábiles are data, not code: ``data/dias_inhabiles.csv`` (columns ``fecha,motivo``, one row a
day, ISO dates) holds the descanso obligatorio days of the LFT, art. 74: 1 de enero, primer lunes de
febrero, tercer lunes de marzo, 1 de mayo, 16 de septiembre, 1 de octubre every six years (transmisión
del Poder Ejecutivo Federal: 2024, 2030), tercer lunes de noviembre and 25 de diciembre. Election days
(fracción IX) fall on a Sunday and are left out. The IMSS or the SAT may declare more días inhábiles
(the SAT often declares Jueves and Viernes Santo, which the LFT does not): the operator adds a row per
day to the CSV and restarts the app (the file is read once and cached).

Weekday and month names are written here, not taken from the system locale, so a server in English
(or in a container with no locales) writes the same Spanish.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.errores import ErrorDeDominio

__all__ = [
    "DIAS_SEMANA",
    "MESES",
    "RUTA_DIAS_INHABILES",
    "ZONA",
    "CalendarioInvalido",
    "dia_mes_anio",
    "dias_inhabiles",
    "es_dia_habil",
    "fecha_larga",
    "siguiente_dia_habil",
]

ZONA = ZoneInfo("America/Mexico_City")  # deadlines are Mexico City's, wherever the server runs

MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre")
DIAS_SEMANA = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")  # date.weekday() order

RUTA_DIAS_INHABILES = Path(__file__).resolve().parent.parent / "data" / "dias_inhabiles.csv"

_COLUMNAS = ["fecha", "motivo"]
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # date.fromisoformat alone would also take "20260101"


class CalendarioInvalido(ErrorDeDominio):
    """The CSV of días inhábiles cannot be read; ``mensaje`` names the file and the line."""


def dia_mes_anio(fecha: date) -> str:
    """'18 de enero de 2027'."""
    return f"{fecha.day} de {MESES[fecha.month - 1]} de {fecha.year}"


def fecha_larga(fecha: date) -> str:
    """'lunes 18 de enero de 2027'."""
    return f"{DIAS_SEMANA[fecha.weekday()]} {dia_mes_anio(fecha)}"


def dias_inhabiles(ruta: str | Path | None = None) -> frozenset[date]:
    """The días inhábiles of the CSV (``data/dias_inhabiles.csv`` unless ``ruta`` says otherwise).

    Read once per path and cached. Raises ``CalendarioInvalido`` naming the line of the first bad row.
    """
    return _leer(Path(ruta) if ruta is not None else RUTA_DIAS_INHABILES)


@lru_cache(maxsize=8)
def _leer(ruta: Path) -> frozenset[date]:
    try:
        archivo = ruta.open(encoding="utf-8-sig", newline="")  # -sig: a spreadsheet may add a BOM
    except OSError as exc:
        raise CalendarioInvalido(f"No se pudo leer el archivo de días inhábiles {ruta}: {exc.strerror}.") from None
    vistas: dict[date, int] = {}
    with archivo:
        lector = csv.reader(archivo)
        encabezado = next(lector, None)
        if [c.strip() for c in encabezado or []] != _COLUMNAS:
            raise CalendarioInvalido(f"{ruta}, línea 1: el encabezado debe ser «fecha,motivo».")
        for fila in lector:
            linea = lector.line_num
            if not any(c.strip() for c in fila):
                continue  # blank lines are harmless
            if len(fila) != 2:
                raise CalendarioInvalido(
                    f"{ruta}, línea {linea}: se esperaban 2 columnas (fecha,motivo) y hay {len(fila)}."
                )
            texto, motivo = fila[0].strip(), fila[1].strip()
            fecha = _fecha_iso(texto)
            if fecha is None:
                raise CalendarioInvalido(
                    f"{ruta}, línea {linea}: la fecha «{texto}» no es válida; usa el formato AAAA-MM-DD."
                )
            if not motivo:
                raise CalendarioInvalido(f"{ruta}, línea {linea}: falta el motivo del día {texto}.")
            if fecha in vistas:
                raise CalendarioInvalido(
                    f"{ruta}, línea {linea}: la fecha {texto} ya está en la línea {vistas[fecha]}."
                )
            vistas[fecha] = linea
    return frozenset(vistas)


def _fecha_iso(texto: str) -> date | None:
    if not _ISO.match(texto):
        return None
    try:
        return date.fromisoformat(texto)
    except ValueError:  # 2026-02-30
        return None


def es_dia_habil(fecha: date, inhabiles: Collection[date]) -> bool:
    return fecha.weekday() < 5 and fecha not in inhabiles


def siguiente_dia_habil(fecha: date, inhabiles: Collection[date]) -> date:
    """``fecha`` itself when it is a business day, otherwise the first business day after it."""
    while not es_dia_habil(fecha, inhabiles):
        fecha += timedelta(days=1)
    return fecha
