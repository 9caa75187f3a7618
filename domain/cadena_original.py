"""The cadena original of an informativa: the one text its e.firma signs.

Like the SAT's cadenas originales, it is a deterministic sequence of fields separated by ``|``, that
starts with ``||`` and ends with ``||``. Anyone holding the same data rebuilds the same text byte for
byte, so its SHA-256 (the ``digest`` on the acuse) and the sello over that digest can be checked years
later from what the database keeps. Version 1 (``VERSION``), in this order:

1. header: ``1|folio|fecha|rfc_contratista|razon_social|anio|periodo|numero|clase|tipo|folio_complementado|contratos|trabajadores``
   (``fecha`` is the signing moment in Mexico City, ISO 8601 with its offset, to the second;
   ``folio_complementado`` is empty for an original);
2. each contract in ``numero`` order: ``C|numero|rfc|nombre|correo|telefono|objeto|servicio|fecha_inicio|fecha_fin|trabajadores``
   (dates ``AAAA-MM-DD``, an open-ended contract has an empty ``fecha_fin``);
3. right after its contract, each of its workers in NSS order: ``T|nss|curp|nombre|primer_apellido|segundo_apellido|sbc``
   (``sbc`` with two decimals and a point).

Every text value is normalised first: surrounding blanks removed, any run of blanks (spaces, tabs,
line breaks) turned into one space; then ``\\`` is written ``\\\\`` and ``|`` is written ``\\|``, so a
value can never be mistaken for a separator. The text is encoded in UTF-8.

Pure: no database, no Flask. The service feeds it rows in the right order (streamed: an informativa of
150,000 workers is hashed without holding its text in memory).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from domain.calendario import ZONA

VERSION = 1


@dataclass(frozen=True)
class Encabezado:
    folio: str
    fecha: datetime  # aware
    rfc_contratista: str
    razon_social: str
    anio: int
    periodo: int
    numero: int
    clase: str
    tipo: str
    folio_complementado: str | None
    contratos: int
    trabajadores: int


@dataclass(frozen=True)
class ContratoCadena:
    numero: int
    rfc: str
    nombre: str
    correo: str
    telefono: str
    objeto: str
    servicio: str
    fecha_inicio: date
    fecha_fin: date | None
    trabajadores: int


class TrabajadorCadena(NamedTuple):
    """A tuple, in the cadena's field order: 150,000 of them are built per signature."""

    nss: str
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str
    sbc: Decimal


def campo(valor) -> str:
    """One value as the cadena writes it."""
    if type(valor) is str:
        return _texto(valor)
    if valor is None:
        return ""
    if isinstance(valor, datetime):
        if valor.tzinfo is None:
            raise ValueError("La fecha de la cadena original debe llevar zona horaria.")
        return valor.astimezone(ZONA).replace(microsecond=0).isoformat()
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return f"{valor:.2f}"
    return _texto(str(valor))


def _texto(valor: str) -> str:
    texto = " ".join(valor.split())  # str.split(): any run of Unicode whitespace, none at the ends
    if "\\" in texto or "|" in texto:
        texto = texto.replace("\\", "\\\\").replace("|", "\\|")
    return texto


def _segmento(*valores) -> str:
    return "|".join(campo(v) for v in valores) + "|"


def segmentos(encabezado: Encabezado,
              contratos: Iterable[tuple[ContratoCadena, Iterable[TrabajadorCadena]]]) -> Iterator[str]:
    """The cadena in pieces (their concatenation is the cadena); ``contratos`` in ``numero`` order,
    each with its workers in NSS order."""
    e = encabezado
    yield "||" + _segmento(VERSION, e.folio, e.fecha, e.rfc_contratista, e.razon_social, e.anio, e.periodo,
                           e.numero, e.clase, e.tipo, e.folio_complementado, e.contratos, e.trabajadores)
    for c, trabajadores in contratos:
        yield _segmento("C", c.numero, c.rfc, c.nombre, c.correo, c.telefono, c.objeto, c.servicio,
                        c.fecha_inicio, c.fecha_fin, c.trabajadores)
        for t in trabajadores:
            yield _segmento("T", *t)
    yield "|"


def texto(encabezado: Encabezado,
          contratos: Iterable[tuple[ContratoCadena, Iterable[TrabajadorCadena]]]) -> str:
    return "".join(segmentos(encabezado, contratos))


def digest(piezas: Iterable[str]) -> bytes:
    """SHA-256 of the cadena given in pieces (``segmentos``)."""
    h = hashlib.sha256()
    for pieza in piezas:
        h.update(pieza.encode("utf-8"))
    return h.digest()
