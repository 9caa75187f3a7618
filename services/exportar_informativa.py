"""Exportar an informativa to .xlsx: a sheet of Contratos and one of Trabajadores (150,000 and more).

The workbook pieces are Exportar Excel's (services/exportar.py): a write-only workbook that streams each
row to disk, rows read in batches on a read-only connection, text cells safe from formula injection,
widths that fit the data. Both sheets are read in one snapshot (PostgreSQL: REPEATABLE READ; SQLite: one
read transaction), so a capturista's change between them cannot make the sheets disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openpyxl.cell import WriteOnlyCell
from sqlalchemy import func, select

from extensions import db
from models import Contratista, Contrato, Informativa, Trabajador
from services.exportar import (
    LOTE,
    anchos,
    celda_de_fecha,
    celda_de_texto,
    encabezar,
    es_peligroso,
    filtro_automatico,
    generado,
    libro_nuevo,
)
from services.informativas import periodo_de, registrar

CONTRATOS = ("Contrato", "RFC del contratante", "Nombre o razón social del contratante", "Correo del contratante",
             "Teléfono del contratante", "Objeto del contrato", "Servicio u obra especializada", "Fecha de inicio",
             "Fecha de fin", "Trabajadores")
TRABAJADORES = ("Contrato", "RFC del contratante", "NSS", "CURP", "Nombre(s)", "Primer apellido",
                "Segundo apellido", "Salario base de cotización")
_TEXTOS_CONTRATO = (Contrato.rfc_contratante, Contrato.nombre_contratante, Contrato.correo_contratante,
                    Contrato.telefono_contratante, Contrato.objeto, Contrato.servicio)
_TEXTOS_TRABAJADOR = (Trabajador.nss, Trabajador.curp, Trabajador.nombre, Trabajador.primer_apellido,
                      Trabajador.segundo_apellido)


def nombre_archivo(contratista: Contratista, informativa: Informativa) -> str:
    return f"informativa_{contratista.rfc}_{periodo_de(informativa).clave}.xlsx"


def _texto(hoja, valor):
    """Text as it is (a plain value is cheap: 150,000 rows), a formula-looking one as a guarded cell."""
    return celda_de_texto(hoja, valor) if isinstance(valor, str) and es_peligroso(valor) else valor


def _contratos(conexion, hoja, informativa_id: int) -> list:
    """The Contratos sheet; returns (id, numero, rfc) of each contract, in order, for the other sheet."""
    cuenta = (select(Trabajador.contrato_id, func.count().label("n"))
              .where(Trabajador.informativa_id == informativa_id).group_by(Trabajador.contrato_id).subquery())
    filas = conexion.execute(
        select(Contrato.id, Contrato.numero, *_TEXTOS_CONTRATO, Contrato.fecha_inicio, Contrato.fecha_fin,
               func.coalesce(cuenta.c.n, 0))
        .outerjoin(cuenta, cuenta.c.contrato_id == Contrato.id)
        .where(Contrato.informativa_id == informativa_id).order_by(Contrato.numero)).all()
    for f in filas:
        textos = [_texto(hoja, v) for v in f[2:8]]
        hoja.append([f.numero, *textos, celda_de_fecha(hoja, f.fecha_inicio), celda_de_fecha(hoja, f.fecha_fin),
                     f[-1]])
    return [(f.id, f.numero, f.rfc_contratante) for f in filas]


def _trabajadores(conexion, hoja, contratos: list) -> int:
    """The Trabajadores sheet, contract by contract and by name in each (the index
    ``(contrato_id, nombre_orden, id)``: streamed, never sorted in memory)."""
    escritas = 0
    for contrato_id, numero, rfc in contratos:
        filas = conexion.execute(
            select(*_TEXTOS_TRABAJADOR, Trabajador.sbc).where(Trabajador.contrato_id == contrato_id)
            .order_by(Trabajador.nombre_orden, Trabajador.id))
        for fila in filas:
            sbc = fila[-1]
            hoja.append([numero, _texto(hoja, rfc), *(_texto(hoja, v) for v in fila[:-1]), _importe(hoja, sbc)])
            escritas += 1
    return escritas


def _importe(hoja, valor) -> WriteOnlyCell:
    celda = WriteOnlyCell(hoja, value=valor)
    celda.number_format = "#,##0.00"
    return celda


def _longitudes(conexion, columnas, condicion) -> list:
    return list(conexion.execute(select(*(func.max(func.length(c)) for c in columnas)).where(condicion)).one())


@dataclass(frozen=True)
class Libro:
    """What the workbook says about the informativa, read before writing: the rows come from a
    connection of their own, and the request's transaction may already be over."""

    informativa_id: int
    titulo: str
    nombre: str  # the workbook's title property

    @classmethod
    def de(cls, informativa: Informativa, contratista: Contratista, cuando: datetime) -> Libro:
        periodo = periodo_de(informativa)
        que = f"Informativa del {periodo.nombre} ({informativa.tipo_etiqueta}, {informativa.estado_etiqueta.lower()})"
        return cls(informativa.id, generado(contratista, cuando, que),
                   f"Informativa del {periodo.nombre} de {contratista.nombre_visible}")

    def escribir(self, destino) -> tuple[int, int]:
        """Write the workbook to ``destino`` (a path or a binary file): (contracts, workers) written."""
        libro = libro_nuevo(self.nombre, "Informativa cuatrimestral ICSOE")
        hoja_contratos = libro.create_sheet("Contratos")
        hoja_trabajadores = libro.create_sheet("Trabajadores")
        opciones = {"solo_lectura": True, "yield_per": LOTE}
        if db.engine.dialect.name == "postgresql":
            opciones["isolation_level"] = "REPEATABLE READ"
        with db.engine.connect().execution_options(**opciones) as conexion:
            de_la_informativa = Contrato.informativa_id == self.informativa_id
            # Numbers and dates: as wide as their header (or a date); text: its longest value.
            textos = _longitudes(conexion, _TEXTOS_CONTRATO, de_la_informativa)
            encabezar(hoja_contratos, self.titulo, CONTRATOS, anchos(CONTRATOS, [None, *textos, 10, 10, None]))
            de_sus_trabajadores = Trabajador.informativa_id == self.informativa_id
            encabezar(hoja_trabajadores, self.titulo, TRABAJADORES, anchos(TRABAJADORES, [
                None, textos[0], *_longitudes(conexion, _TEXTOS_TRABAJADOR, de_sus_trabajadores), 12]))
            contratos = _contratos(conexion, hoja_contratos, self.informativa_id)
            trabajadores = _trabajadores(conexion, hoja_trabajadores, contratos)
        filtro_automatico(hoja_contratos, len(CONTRATOS), len(contratos))
        filtro_automatico(hoja_trabajadores, len(TRABAJADORES), trabajadores)
        libro.save(destino)
        return len(contratos), trabajadores


def exportar(destino, informativa: Informativa, contratista: Contratista, actor: str,
             cuando: datetime) -> tuple[int, int]:
    """Write the workbook and record it in the informativa's bitácora. Commits twice: the request's
    transaction before writing (on SQLite no write lock is held while 150,000 rows are written), then
    the bitácora's row."""
    libro = Libro.de(informativa, contratista, cuando)
    db.session.commit()
    contratos, trabajadores = libro.escribir(destino)
    registrar(informativa, actor, "exportacion_informativa", contratos=contratos, trabajadores=trabajadores)
    db.session.commit()
    return contratos, trabajadores
