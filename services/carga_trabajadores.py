"""Carga masiva de trabajadores: a CSV or .xlsx with the columns NSS, CURP and SBC into one contract.

1. ``leer``: the file into rows (services/carga_archivo.py reads it and refuses, as ``ArchivoInvalido``,
   anything that is not a CSV or .xlsx of ours: one message for the whole file and nothing recorded);
   here each cell becomes text with what only these columns have (an NSS that Excel stored as a number
   and so lost its leading zeros, a decimal comma in a file separated by ";").
2. ``procesar``: every row validated — its cells (NSS and its check digit, CURP, SBC), repeats inside the
   file (the first occurrence stays, later ones name it), the padrón (a few batched lookups), and, with
   the informativa locked, the contract's own workers (one query) — then the good rows inserted in one
   executemany (``informativas.agregar_trabajadores``: the version raised once, one bitácora entry) and
   the rejected ones written as .xlsx with the reason in Spanish. All or nothing: an exception leaves
   no row behind.
3. ``recibir`` (the upload's POST) processes up to CARGA_UMBRAL rows at once; a larger file waits in
   CARGA_DIR for the Huey worker (``ejecutar``), which reports its progress in ``CargaTrabajadores``.
   The uploaded file is deleted once processed; the rejected rows' workbook after
   EXPORTACION_RETENCION_HORAS, like an export (``limpiar_vencidas``, run by the same periodic task).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from domain import curp as curp_dominio
from domain import nss as nss_dominio
from domain.errores import ErrorDeDominio
from extensions import db
from models import CargaTrabajadores, Contrato, Informativa
from models.types import ahora_utc
from services import carga_archivo as archivo_srv
from services import informativas as srv
from services.capturistas import reservar_validaciones
from services.carga_archivo import Formula
from services.padron import Avance, Padron, PersonaEncontrada, padron_configurado

log = logging.getLogger(__name__)

COLUMNAS = ("nss", "curp", "sbc")
ETIQUETAS = {"nss": "NSS", "curp": "CURP", "sbc": "SBC"}
FORMATO = archivo_srv.Formato(COLUMNAS, ETIQUETAS, "trabajadores", "CARGA_MAX_FILAS", "CARGA_MAX_BYTES",
                              pista_csv=" Si algún salario lleva comas de miles, escríbelo sin ellas.")
ENCABEZADOS_RECHAZOS = ("Fila", "NSS", "CURP", "SBC", "Motivo")
_COMA_DECIMAL = re.compile(r"^\d+,\d{1,2}$")

VACIO = FORMATO.vacio
ERROR_INESPERADO = "Ocurrió un error inesperado al procesar el archivo. No se agregó ningún trabajador."


@dataclass
class Fila:
    numero: int  # the row as Excel (or a text editor, for a CSV) numbers it
    nss: str     # the cells as uploaded (text), for the rejected rows' file
    curp: str
    sbc: str
    # One message per column ("nss", "curp", "sbc"): the first problem found in it.
    errores: dict[str, str] = field(default_factory=dict)
    nss_valido: str | None = None
    curp_valida: str | None = None
    sbc_valido: Decimal | None = None
    persona: PersonaEncontrada | None = None

    @property
    def valida(self) -> bool:
        return not self.errores

    @property
    def motivo(self) -> str:
        return " ".join(self.errores[c] for c in COLUMNAS if c in self.errores)


# --- 1. reading the file ------------------------------------------------------------------------------


def leer(datos: bytes, nombre_archivo: str) -> list[Fila]:
    """The rows of the file (blank rows skipped, the optional header recognised). Raises ArchivoInvalido."""
    return [Fila(r.numero, **r.textos, errores=r.errores)
            for r in archivo_srv.leer(datos, nombre_archivo, FORMATO, _texto)]


def _texto(valor, columna: str, separador: str | None) -> tuple[str, str | None]:
    """A cell as text, and the problem with it that the text alone would hide (a formula, an NSS that
    Excel stored as a number and so lost its leading zeros)."""
    if columna == "nss" and isinstance(valor, (int, float)) and not isinstance(valor, (bool, Formula)) \
            and float(valor).is_integer():
        digitos = str(int(valor))
        if len(digitos) < nss_dominio.LONGITUD:
            return digitos, (f"El NSS está guardado como número en Excel y perdió sus ceros iniciales: quedó "
                             f"{digitos} ({len(digitos)} dígitos). Da formato de texto a la columna NSS y "
                             "escríbelo con sus 11 dígitos.")
    texto, error = archivo_srv.texto_de_celda(valor, f"del {ETIQUETAS[columna]}")
    if columna == "sbc" and separador == ";" and isinstance(valor, str) and _COMA_DECIMAL.match(texto):
        texto = texto.replace(",", ".")  # "315,04" in a file separated by ";"
    return texto, error


# --- 2. validating and adding ----------------------------------------------------------------------------


def revisar(filas: list[Fila]) -> None:
    """Each row on its own (empty cells, NSS, CURP, SBC), then repeats inside the file: no database."""
    for fila in filas:
        _revisar_celdas(fila)
    primeras: dict[str, dict[str, int]] = {"nss": {}, "curp": {}}
    for fila in filas:
        for columna, valor in (("nss", fila.nss_valido), ("curp", fila.curp_valida)):
            if valor is None:
                continue
            primera = primeras[columna].setdefault(valor, fila.numero)
            if primera != fila.numero:
                quien = "El NSS" if columna == "nss" else "La CURP"
                fila.errores[columna] = f"{quien} {valor} se repite en el archivo: ya está en la fila {primera}."


def _revisar_celdas(fila: Fila) -> None:
    for columna in COLUMNAS:
        if columna not in fila.errores and not getattr(fila, columna):
            fila.errores[columna] = f"Falta el {ETIQUETAS[columna]}."
    if "nss" not in fila.errores:
        try:
            fila.nss_valido = nss_dominio.validar(fila.nss)
        except ErrorDeDominio as exc:
            fila.errores["nss"] = exc.mensaje
    if "curp" not in fila.errores:
        try:
            fila.curp_valida = curp_dominio.validar(fila.curp).curp
        except ErrorDeDominio as exc:
            fila.errores["curp"] = exc.mensaje
    if "sbc" not in fila.errores:
        try:
            fila.sbc_valido = srv.validar_sbc(fila.sbc)
        except ErrorDeDominio as exc:
            fila.errores["sbc"] = exc.mensaje


def buscar_personas(filas: list[Fila], padron: Padron, al_avanzar: Avance = None) -> None:
    """The owner of each good row's CURP, in a few batched lookups (the CURPs are distinct by now)."""
    candidatas = [f for f in filas if f.valida]
    personas = padron.buscar_varios([f.curp_valida for f in candidatas], al_avanzar)
    for fila in candidatas:
        fila.persona = personas.get(fila.curp_valida)
        if fila.persona is None:
            fila.errores["curp"] = (f"La CURP {fila.curp_valida} no se encontró en el padrón de población. "
                                    "Verifica que la hayas capturado correctamente.")


def _contra_el_contrato(filas: list[Fila], contrato: Contrato) -> None:
    nss, curps = srv.nss_y_curps(contrato)
    for fila in filas:
        if not fila.valida:
            continue
        if fila.nss_valido in nss:
            fila.errores["nss"] = srv.ya_en_el_contrato("nss", fila.nss_valido)
        if fila.curp_valida in curps:
            fila.errores["curp"] = srv.ya_en_el_contrato("curp", fila.curp_valida)


def procesar(carga: CargaTrabajadores, filas: list[Fila], padron: Padron, al_avanzar: Avance = None) -> Path | None:
    """Validate every row, add the good ones, write the rejected ones; record it all in ``carga``. The
    informativa is locked (here; the upload's POST already holds the lock) only from the contract's check
    on: the worker's padrón lookups may take minutes. Returns the rejected rows' file (None when there
    are none); the caller commits, and deletes that file if it cannot."""
    revisar(filas)
    if al_avanzar is not None:
        al_avanzar(sum(1 for f in filas if not f.valida))
    # The padrón's answers name people: a file's lookups count against the same allowance as the
    # workers' Validar (VALIDACIONES_TRABAJADORES_POR_DIA), so a file cannot enumerate it either.
    reservar_validaciones(db.session.get(Informativa, carga.informativa_id).contratista_id,
                          [f.curp_valida for f in filas if f.valida], srv.CUPO_TRABAJADORES)
    buscar_personas(filas, padron, al_avanzar)

    informativa = db.session.scalar(select(Informativa).where(Informativa.id == carga.informativa_id)
                                    .with_for_update().execution_options(populate_existing=True))
    contrato = db.session.get(Contrato, carga.contrato_id, populate_existing=True)
    if informativa is None or contrato is None:
        raise srv.ErrorInformativa("El contrato ya no existe.", status=404)
    srv.exigir_editable(informativa)
    _contra_el_contrato(filas, contrato)
    buenas = [f for f in filas if f.valida]
    rechazadas = [f for f in filas if not f.valida]
    srv.agregar_trabajadores(
        informativa, contrato, [srv.NuevoTrabajador(f.nss_valido, f.persona, f.sbc_valido) for f in buenas],
        carga.solicitante, carga=carga.id, archivo=carga.nombre_archivo, filas=len(filas), rechazadas=len(rechazadas))
    ruta = _escribir_rechazos(rechazadas) if rechazadas else None
    carga.total = carga.procesadas = len(filas)
    carga.aceptadas, carga.rechazadas = len(buenas), len(rechazadas)
    carga.ruta_rechazos = str(ruta) if ruta else None
    carga.estado = CargaTrabajadores.TERMINADA
    carga.terminado_en = ahora_utc()
    return ruta


# --- the rejected rows and the template ------------------------------------------------------------------


def escribir_rechazos(destino, rechazadas: list[Fila]) -> None:
    """Fila, NSS, CURP, SBC (as uploaded) and Motivo, all as text."""
    archivo_srv.escribir_rechazos(destino, ENCABEZADOS_RECHAZOS, (8, 16, 22, 14, 90),
                                  ((str(f.numero), f.nss, f.curp, f.sbc, f.motivo) for f in rechazadas))


def _escribir_rechazos(rechazadas: list[Fila]) -> Path:
    ruta = archivo_srv.ruta_nueva("rechazos")
    escribir_rechazos(ruta, rechazadas)
    return ruta


def plantilla():
    """The template: header NSS, CURP, SBC formatted as text (an NSS keeps its leading zeros)."""
    C = archivo_srv.ColumnaPlantilla
    return archivo_srv.plantilla("Trabajadores", "Plantilla de carga masiva de trabajadores", [
        C("NSS", "Ejemplo: 01234567897\nOnce dígitos, como texto: conserva los ceros iniciales.", 16),
        C("CURP", "Ejemplo: PEGL850304HJCRRS07\nDieciocho caracteres.", 24),
        C("SBC", "Ejemplo: 315.04\nSalario base de cotización, con punto decimal y a lo más dos decimales.", 14),
    ])


# --- 3. the upload, the background job, the cleanup -------------------------------------------------------


def _ruta_subida(carga_id: int) -> Path:
    return archivo_srv.carpeta() / f"subida-{carga_id}"


def recibir(informativa: Informativa, contrato: Contrato, archivo, actor: str) -> tuple[int, bool]:
    """The upload (a werkzeug FileStorage), with the informativa locked by the caller. A file that cannot
    be taken raises ArchivoInvalido and records nothing. Up to CARGA_UMBRAL rows are processed now;
    a larger file is kept for the worker. Returns (carga id, True when the worker must be asked to
    process it). Commits."""
    cfg = current_app.config
    srv.exigir_editable(informativa)
    datos, nombre = archivo_srv.leer_subida(archivo, FORMATO)
    filas = leer(datos, nombre)
    carga = CargaTrabajadores(contrato_id=contrato.id, informativa_id=informativa.id, solicitante=actor,
                              nombre_archivo=nombre, total=len(filas), procesadas=0)
    db.session.add(carga)
    db.session.flush()
    carga_id = carga.id
    if len(filas) > cfg["CARGA_UMBRAL"]:
        ruta = _ruta_subida(carga_id)
        ruta.write_bytes(datos)
        archivo_srv.confirmar(ruta)
        return carga_id, True
    ruta = None
    try:
        ruta = procesar(carga, filas, padron_configurado())
    except BaseException:
        db.session.rollback()  # the carga's row too: nothing recorded
        if ruta is not None:
            ruta.unlink(missing_ok=True)
        raise
    archivo_srv.confirmar(ruta)
    return carga_id, False


def ejecutar(carga_id: int) -> None:
    """The Huey task's body: read the stored file, process it, delete it. Ends as terminada or error."""
    ruta_subida = _ruta_subida(carga_id)
    rechazos = None
    try:
        carga = db.session.get(CargaTrabajadores, carga_id)
        if carga is None or carga.estado != CargaTrabajadores.EN_PROCESO:
            return  # its contract was deleted, or it already ran
        filas = leer(ruta_subida.read_bytes(), carga.nombre_archivo)
        rechazos = procesar(carga, filas, padron_configurado(), archivo_srv.Avance(CargaTrabajadores, carga_id))
        archivo_srv.confirmar(rechazos)
    except Exception as exc:  # the job must end in a state the page can show
        db.session.rollback()
        if rechazos is not None:
            rechazos.unlink(missing_ok=True)
        if isinstance(exc, ErrorDeDominio):
            mensaje = exc.mensaje
        else:
            log.exception("Carga masiva %s falló", carga_id)
            mensaje = ERROR_INESPERADO
        fallar(carga_id, mensaje)
    finally:
        ruta_subida.unlink(missing_ok=True)


NO_SE_ENCOLO = ("No se pudo iniciar el proceso en segundo plano. No se agregó ningún trabajador; vuelve a cargar "
               "el archivo en unos minutos.")


def encolar(carga_id: int, tarea) -> None:
    """Ask the worker for the job (``tarea``: the Huey task); an unreachable queue ends it as error."""
    archivo_srv.encolar(carga_id, tarea, fallar, NO_SE_ENCOLO)


def fallar(carga_id: int, mensaje: str) -> None:
    """The job ends in error (nothing of it was added). Commits."""
    carga = db.session.get(CargaTrabajadores, carga_id)
    if carga is not None:
        carga.estado, carga.error, carga.terminado_en = CargaTrabajadores.ERROR, mensaje[:500], ahora_utc()
        db.session.commit()
    _ruta_subida(carga_id).unlink(missing_ok=True)


def de_contrato(contrato: Contrato, carga_id: int) -> CargaTrabajadores | None:
    """The contract's carga (None otherwise: the caller answers 404)."""
    return db.session.scalar(select(CargaTrabajadores).where(CargaTrabajadores.id == carga_id,
                                                             CargaTrabajadores.contrato_id == contrato.id))


def nombre_rechazos(carga: CargaTrabajadores, contrato: Contrato) -> str:
    zona = ZoneInfo(current_app.config["TIMEZONE"])
    return f"rechazados_contrato{contrato.numero}_{carga.creado_en.astimezone(zona):%Y%m%d_%H%M}.xlsx"


def recientes(contrato: Contrato, cuantas: int = 5) -> list[CargaTrabajadores]:
    return list(db.session.scalars(
        select(CargaTrabajadores).where(CargaTrabajadores.contrato_id == contrato.id)
        .order_by(CargaTrabajadores.creado_en.desc(), CargaTrabajadores.id.desc()).limit(cuantas)))


def disponible_hasta(carga: CargaTrabajadores) -> datetime | None:
    """Until when its rejected rows can be downloaded (None: there is no such file)."""
    if not carga.ruta_rechazos or carga.terminado_en is None:
        return None
    return carga.terminado_en + archivo_srv.retencion()


def rechazos_vencidos(carga: CargaTrabajadores) -> bool:
    """It had rejected rows, and their file is past its retention (deleted, or about to be)."""
    if carga.estado != CargaTrabajadores.TERMINADA or not carga.rechazadas:
        return False
    hasta = disponible_hasta(carga)
    return hasta is None or hasta <= ahora_utc()


def limpiar_vencidas() -> int:
    """Delete rejected rows' files past their retention, and end jobs that never finished (the worker
    died): their uploaded file goes too. Any other file of CARGA_DIR older than the retention is left
    over (its contract was deleted, and the carga's row with it) and goes as well. Commits. Returns the
    cargas touched."""
    limite = ahora_utc() - archivo_srv.retencion()
    vencidas = list(db.session.scalars(select(CargaTrabajadores).where(
        CargaTrabajadores.ruta_rechazos.is_not(None), CargaTrabajadores.terminado_en <= limite)))
    for carga in vencidas:
        Path(carga.ruta_rechazos).unlink(missing_ok=True)
        carga.ruta_rechazos = None
    colgadas = list(db.session.scalars(select(CargaTrabajadores).where(
        CargaTrabajadores.estado == CargaTrabajadores.EN_PROCESO, CargaTrabajadores.creado_en <= limite)))
    for carga in colgadas:
        carga.estado, carga.terminado_en = CargaTrabajadores.ERROR, ahora_utc()
        carga.error = "El proceso no terminó. Vuelve a cargar el archivo."
        _ruta_subida(carga.id).unlink(missing_ok=True)
    db.session.commit()
    for archivo in archivo_srv.carpeta().iterdir():
        if archivo.is_file() and archivo.stat().st_mtime < limite.timestamp():
            archivo.unlink(missing_ok=True)
    return len(vencidas) + len(colgadas)
