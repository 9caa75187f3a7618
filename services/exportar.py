"""Exportar Excel: the contractor's capturistas as a real .xlsx, written as the rows come.

openpyxl's write-only workbook streams each row to disk; the rows are read in batches
(``yield_per``) on a read-only connection, so memory stays flat however many rows there are.
Text that Excel could take for a formula (= + - @ tab CR at the start) is written as a string
cell with the quote prefix: Excel shows it and never evaluates it.
"""
from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select, update

from extensions import db
from models import Bitacora, Capturista, Contratista, Exportacion
from models import RelacionCapturista as RC
from models.types import ahora_utc
from services.consulta import ESTATUS, Filtro, filtrar

log = logging.getLogger(__name__)

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCABEZADOS = ("CURP", "Nombre(s)", "Primer apellido", "Segundo apellido", "Teléfono", "Correo electrónico",
               "Fecha de alta", "Estatus", "Fecha de activación", "Fecha de baja")
_FECHAS = {6, 8, 9}  # column positions holding dates
_PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")
LOTE = 1000


def _columnas():
    return (select(RC.curp, Capturista.nombre, Capturista.primer_apellido, Capturista.segundo_apellido,
                   RC.telefono, RC.correo, RC.creado_en, RC.estatus, RC.activado_en, RC.baja_en)
            .join(Capturista, Capturista.id == RC.capturista_id))


def consulta(contratista_id: int, filtro: Filtro):
    return filtrar(_columnas(), contratista_id, filtro).order_by(*filtro.orden_sql())


def contar(contratista_id: int, filtro: Filtro) -> int:
    return db.session.scalar(filtrar(select(func.count(RC.id)), contratista_id, filtro))


def anchos(encabezados, longitudes) -> list[int]:
    """Widths of the first ``len(longitudes)`` columns that fit the data: each column's longest value (or
    its header), a margin, at most 60."""
    return [min(max(len(e), n or 0) + 2, 60) for e, n in zip(encabezados, longitudes, strict=False)]


def _anchos(conexion, contratista_id: int, filtro: Filtro) -> list[int]:
    """The longest value of each text column (one aggregate query); fixed widths for the rest."""
    textos = (RC.curp, Capturista.nombre, Capturista.primer_apellido, Capturista.segundo_apellido,
              RC.telefono, RC.correo)
    maximos = conexion.execute(
        filtrar(select(*(func.max(func.length(c)) for c in textos)).select_from(RC)
                .join(Capturista, Capturista.id == RC.capturista_id), contratista_id, filtro)).one()
    return anchos(ENCABEZADOS, maximos) + [12, max(len(e) for e in ESTATUS.values()) + 2, 20, 14]


def nombre_archivo(rfc: str, cuando: datetime) -> str:
    zona = ZoneInfo(current_app.config["TIMEZONE"])
    return f"capturistas_{rfc}_{cuando.astimezone(zona):%Y%m%d}.xlsx"


def libro_nuevo(titulo: str, asunto: str) -> Workbook:
    """A write-only workbook: each row goes to disk as it is appended, so memory stays flat."""
    libro = Workbook(write_only=True)
    libro.properties.title = titulo
    libro.properties.subject = asunto
    libro.properties.creator = "Sistema Capturistas ICSOE"
    libro.properties.lastModifiedBy = "Sistema Capturistas ICSOE"
    return libro


def generado(contratista: Contratista, cuando: datetime, que: str | None = None) -> str:
    """The title row: whose data, what, and when it was generated (Mexico City time)."""
    zona = ZoneInfo(current_app.config["TIMEZONE"])
    return " · ".join(p for p in (f"{contratista.nombre_visible}", f"RFC {contratista.rfc}", que,
                                  f"Generado el {cuando.astimezone(zona):%d/%m/%Y %H:%M} "
                                  "(hora de la Ciudad de México)") if p)


def encabezar(hoja, titulo: str, encabezados, anchos_columnas) -> None:
    """Column widths, the title (row 1) and the headers (row 2), both frozen. In a write-only sheet
    this must come before any row."""
    for i, ancho in enumerate(anchos_columnas, start=1):
        hoja.column_dimensions[get_column_letter(i)].width = ancho
    hoja.freeze_panes = "A3"
    celda_titulo = celda_de_texto(hoja, titulo)
    celda_titulo.font = Font(bold=True, size=13)
    hoja.append([celda_titulo])
    negritas, fondo = Font(bold=True), PatternFill("solid", fgColor="DCE9E4")
    encabezado = []
    for texto in encabezados:
        celda = WriteOnlyCell(hoja, value=texto)
        celda.font, celda.fill = negritas, fondo
        celda.alignment = Alignment(vertical="center")
        encabezado.append(celda)
    hoja.append(encabezado)


def filtro_automatico(hoja, columnas: int, filas: int) -> None:
    """Excel's filter buttons on the header row, over the ``filas`` rows written below it."""
    hoja.auto_filter.ref = f"A2:{get_column_letter(columnas)}{filas + 2}"


def celda_de_fecha(hoja, fecha: date | None):
    if fecha is None:
        return None
    celda = WriteOnlyCell(hoja, value=fecha)
    celda.number_format = "dd/mm/yyyy"
    return celda


def escribir_libro(destino, contratista: Contratista, filtro: Filtro, cuando: datetime,
                   al_avanzar: Callable[[int], None] | None = None) -> int:
    """Write the workbook to ``destino`` (a path or a binary file). Returns the rows written."""
    zona = ZoneInfo(current_app.config["TIMEZONE"])
    libro = libro_nuevo(f"Capturistas de {contratista.nombre_visible}", "Usuarios capturistas ICSOE")
    hoja = libro.create_sheet("Capturistas")

    with db.engine.connect().execution_options(solo_lectura=True, yield_per=LOTE) as conexion:
        encabezar(hoja, generado(contratista, cuando), ENCABEZADOS, _anchos(conexion, contratista.id, filtro))
        escritas = 0
        for fila in conexion.execute(consulta(contratista.id, filtro)):
            hoja.append(_celdas(hoja, fila, zona))
            escritas += 1
            if al_avanzar is not None and escritas % LOTE == 0:
                al_avanzar(escritas)
    filtro_automatico(hoja, len(ENCABEZADOS), escritas)
    libro.save(destino)
    return escritas


def _celdas(hoja, fila, zona) -> list:
    valores = []
    for i, valor in enumerate(fila):
        if i in _FECHAS:
            valores.append(celda_de_fecha(hoja, valor.astimezone(zona).date() if valor else None))
        elif i == 7:
            valores.append(ESTATUS[valor])
        elif isinstance(valor, str) and es_peligroso(valor):
            valores.append(celda_de_texto(hoja, valor))
        else:
            valores.append(valor)  # CURP and teléfono stay str: text cells, leading zeros kept
    return valores


def es_peligroso(valor: str) -> bool:
    """Text Excel could take for a formula."""
    return valor.startswith(_PELIGROSOS)


def celda_de_texto(hoja, valor: str) -> WriteOnlyCell:
    """A text cell Excel shows as typed and never runs: the formula guard for every text we write
    from user data (the data cells and the title with the razón social)."""
    celda = WriteOnlyCell(hoja, value=valor)
    if es_peligroso(valor):
        celda.data_type = "s"
        celda.quotePrefix = True
    return celda


def exportar_directo(destino, contratista: Contratista, filtro: Filtro, actor: str, cuando: datetime) -> int:
    """A small export written straight into ``destino`` and recorded in the bitácora. Commits."""
    filas = escribir_libro(destino, contratista, filtro, cuando)
    registrar(contratista, actor, filtro, filas, "directa")
    db.session.commit()
    return filas


def registrar(contratista: Contratista, actor: str, filtro: Filtro, filas: int, modo: str,
              exportacion_id: int | None = None) -> None:
    db.session.add(Bitacora(contratista_id=contratista.id, relacion_id=None, actor=actor, accion="exportacion",
                            detalle={"filas": filas, **filtro.como_dict(), "modo": modo,
                                     "exportacion": exportacion_id}))


# --- background jobs -----------------------------------------------------------------------------

def crear_exportacion(contratista: Contratista, filtro: Filtro, total: int, actor: str) -> Exportacion:
    exportacion = Exportacion(contratista_id=contratista.id, solicitante=actor, total=total,
                              filtro=filtro.como_dict(),
                              nombre_archivo=nombre_archivo(contratista.rfc, ahora_utc()))
    db.session.add(exportacion)
    db.session.flush()
    registrar(contratista, actor, filtro, total, "segundo plano", exportacion.id)
    db.session.commit()
    return exportacion


def solicitar_en_segundo_plano(contratista: Contratista, filtro: Filtro, total: int,
                               actor: str) -> tuple[Exportacion, bool]:
    """One background job per contractor at a time: (new job, True), or (the job still pending or in
    process, False) when there is one. Either way the transaction is ended."""
    # Lock the contractor's row so two requests cannot both see "none under way" and both insert
    # (SQLite ignores FOR UPDATE; there every write transaction is BEGIN IMMEDIATE already).
    db.session.execute(select(Contratista.id).where(Contratista.id == contratista.id).with_for_update())
    en_curso = db.session.scalar(
        select(Exportacion).where(Exportacion.contratista_id == contratista.id,
                                  Exportacion.estado.in_([Exportacion.PENDIENTE, Exportacion.EN_PROCESO]))
        .order_by(Exportacion.id).limit(1))
    if en_curso is not None:
        db.session.commit()  # releases the lock
        return en_curso, False
    return crear_exportacion(contratista, filtro, total, actor), True


def _avanzar(exportacion_id: int, escritas: int) -> None:
    db.session.execute(update(Exportacion).where(Exportacion.id == exportacion_id).values(escritas=escritas))
    db.session.commit()


def generar(exportacion_id: int) -> None:
    """The Huey task's body: write the file, reporting progress every LOTE rows."""
    exportacion = db.session.get(Exportacion, exportacion_id)
    if exportacion is None or exportacion.estado != Exportacion.PENDIENTE:
        return
    exportacion.estado = Exportacion.EN_PROCESO
    db.session.commit()
    contratista = db.session.get(Contratista, exportacion.contratista_id)
    filtro = Filtro.desde(exportacion.filtro)
    carpeta = Path(current_app.config["EXPORTACION_DIR"])
    carpeta.mkdir(parents=True, exist_ok=True)
    ruta = carpeta / f"{uuid.uuid4().hex}.xlsx"  # never derived from user input
    try:
        escritas = escribir_libro(ruta, contratista, filtro, exportacion.creado_en,
                                  al_avanzar=lambda n: _avanzar(exportacion_id, n))
    except Exception as exc:  # the job must end in a state the page can show
        log.exception("Exportación %s falló", exportacion_id)
        db.session.rollback()
        ruta.unlink(missing_ok=True)
        exportacion = db.session.get(Exportacion, exportacion_id)
        exportacion.estado, exportacion.error = Exportacion.ERROR, str(exc)[:500]
        exportacion.terminado_en = ahora_utc()
        db.session.commit()
        return
    exportacion = db.session.get(Exportacion, exportacion_id)
    ahora = ahora_utc()
    exportacion.estado, exportacion.ruta = Exportacion.LISTA, str(ruta)
    exportacion.escritas = exportacion.total = escritas
    exportacion.terminado_en = ahora
    exportacion.expira_en = ahora + timedelta(hours=current_app.config["EXPORTACION_RETENCION_HORAS"])
    db.session.commit()


def de_contratista(contratista_id: int, exportacion_id: int) -> Exportacion | None:
    """The job if it is this contractor's (None otherwise: the caller answers 404)."""
    return db.session.scalar(select(Exportacion).where(
        Exportacion.id == exportacion_id, Exportacion.contratista_id == contratista_id))


def recientes(contratista_id: int, cuantas: int = 5) -> list[Exportacion]:
    return list(db.session.scalars(
        select(Exportacion).where(Exportacion.contratista_id == contratista_id)
        .order_by(Exportacion.creado_en.desc(), Exportacion.id.desc()).limit(cuantas)))


def para_descargar(exportacion: Exportacion) -> Exportacion:
    """The job as a download sees it: a finished file past its retention is deleted and marked
    vencida first (the cleanup task may not have run yet). Commits when it changes anything."""
    if exportacion.estado == Exportacion.LISTA and exportacion.expira_en <= ahora_utc():
        vencer(exportacion)
        db.session.commit()
    return exportacion


def vencer(exportacion: Exportacion) -> None:
    """Delete an expired file and mark the job; the caller commits."""
    if exportacion.ruta:
        Path(exportacion.ruta).unlink(missing_ok=True)
    exportacion.ruta = None
    exportacion.estado = Exportacion.VENCIDA


def limpiar_vencidas() -> int:
    vencidas = db.session.scalars(select(Exportacion).where(
        Exportacion.estado == Exportacion.LISTA, Exportacion.expira_en <= ahora_utc())).all()
    for exportacion in vencidas:
        vencer(exportacion)
    db.session.commit()
    return len(vencidas)
