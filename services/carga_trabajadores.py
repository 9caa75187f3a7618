"""Carga masiva de trabajadores: a CSV or .xlsx with the columns NSS, CURP and SBC into one contract.

1. ``leer``: the file into rows. Anything that is not a CSV or .xlsx of ours (not text, an encrypted or
   macro workbook, a zip bomb, extra columns, wrong headers, empty, too many rows, too big) is
   ``ArchivoInvalido``: one message for the whole file and nothing recorded.
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

import codecs
import csv
import io
import logging
import math
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePath
from zoneinfo import ZoneInfo

from flask import current_app
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import select, update

from domain import curp as curp_dominio
from domain import nss as nss_dominio
from domain.errores import ErrorDeDominio
from domain.texto import plano, tiene_control
from extensions import db
from models import CargaTrabajadores, Contrato, Informativa
from models.types import ahora_utc
from services import informativas as srv
from services.capturistas import reservar_validaciones
from services.exportar import celda_de_texto
from services.padron import Avance, Padron, PersonaEncontrada, padron_configurado

log = logging.getLogger(__name__)

COLUMNAS = ("nss", "curp", "sbc")
ETIQUETAS = {"nss": "NSS", "curp": "CURP", "sbc": "SBC"}
EXTENSIONES = (".csv", ".xlsx")
ENCABEZADOS_RECHAZOS = ("Fila", "NSS", "CURP", "SBC", "Motivo")
LARGO_EN_RECHAZOS = 200  # a cell of the rejected rows' file shows at most this much of what was uploaded

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx, old .xls (Compound File)
# What a renamed file usually is: PDF, zip (docx, xlsx), OLE2, PNG, JPEG, GIF, gzip, 7z, RAR.
_BINARIOS = (b"%PDF", _ZIP, b"PK\x05\x06", _OLE2, b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
             b"7z\xbc\xaf", b"Rar!")
_CONTROL_BINARIO = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COMA_DECIMAL = re.compile(r"^\d+,\d{1,2}$")

NO_ES_XLSX = ("El archivo no es un libro de Excel (.xlsx) válido. Guárdalo desde Excel como «Libro de Excel "
              "(.xlsx)» o como «CSV (delimitado por comas)».")
NO_ES_CSV = ("El archivo no es un CSV de texto. Guárdalo desde Excel como «CSV (delimitado por comas)» o súbelo "
             "como libro de Excel (.xlsx).")
PROTEGIDO = ("El archivo de Excel está protegido con contraseña o es del formato antiguo (.xls). Guárdalo sin "
             "contraseña como «Libro de Excel (.xlsx)» o como CSV.")
CON_MACROS = ("El libro de Excel contiene macros y no se acepta. Guárdalo como «Libro de Excel (.xlsx)», "
              "sin macros, o como CSV.")
BOMBA = ("El archivo de Excel se descomprime a un tamaño desproporcionado y no se procesará. Copia los datos a "
         "un libro nuevo o guárdalos como CSV.")
DANADO = "No se pudo leer el libro de Excel: el archivo está dañado. Ábrelo en Excel y guárdalo de nuevo."
VACIO = "El archivo está vacío: no tiene ninguna fila de trabajadores."
ERROR_INESPERADO = "Ocurrió un error inesperado al procesar el archivo. No se agregó ningún trabajador."


class ArchivoInvalido(srv.ErrorInformativa):
    """The file as a whole cannot be taken: nothing is recorded."""

    def __init__(self, mensaje: str):
        super().__init__(mensaje, "archivo")


class _Formula(str):
    """The text of a cell that holds a formula (never evaluated: the row is rejected)."""


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
    cfg = current_app.config
    extension = PurePath(nombre_archivo).suffix.lower()
    if extension not in EXTENSIONES:
        raise ArchivoInvalido(f"Sube un archivo CSV (.csv) o de Excel (.xlsx); «{nombre_archivo}» no es ninguno "
                              "de los dos.")
    if len(datos) > cfg["CARGA_MAX_BYTES"]:
        raise ArchivoInvalido(f"El archivo pesa {math.ceil(len(datos) / 2**20 * 10) / 10:g} MB; el máximo es "
                              f"{_megas(cfg['CARGA_MAX_BYTES'])} MB. Divídelo en varios archivos.")
    if not datos.strip():
        raise ArchivoInvalido(VACIO)
    if extension == ".xlsx":
        return _filas(_renglones_xlsx(datos), cfg["CARGA_MAX_FILAS"], es_csv=False, coma_decimal=False)
    texto = _texto_csv(datos)
    separador = _separador(texto)
    renglones = _renglones_csv(texto, separador)
    return _filas(renglones, cfg["CARGA_MAX_FILAS"], es_csv=True, coma_decimal=separador == ";")


def _megas(n: int) -> str:
    return f"{n / 2**20:g}"


def _texto_csv(datos: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252 (Excel's "CSV" in Spanish Windows)."""
    if datos.startswith(_BINARIOS) or b"\x00" in datos:
        raise ArchivoInvalido(NO_ES_CSV)
    if datos.startswith(codecs.BOM_UTF8):
        datos = datos[len(codecs.BOM_UTF8):]
    try:
        texto = datos.decode("utf-8")
    except UnicodeDecodeError:
        try:
            texto = datos.decode("cp1252")
        except UnicodeDecodeError:
            raise ArchivoInvalido(NO_ES_CSV) from None
    if _CONTROL_BINARIO.search(texto):
        raise ArchivoInvalido(NO_ES_CSV)
    return texto


def _separador(texto: str) -> str:
    """``,`` or ``;``: the one that splits the first line into the three columns (else into more)."""
    primera = next((linea for linea in texto.splitlines() if linea.strip()), "")
    campos = {s: len(next(csv.reader([primera], delimiter=s), [])) for s in (",", ";")}
    if campos[","] == 3:
        return ","
    if campos[";"] == 3:
        return ";"
    return ";" if campos[";"] > campos[","] else ","


def _renglones_csv(texto: str, separador: str):
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    try:
        yield from enumerate(lector, start=1)
    except csv.Error as exc:
        raise ArchivoInvalido(f"El CSV no se pudo leer en la fila {lector.line_num}: revisa sus comillas.") from exc


def _renglones_xlsx(datos: bytes):
    """The first sheet's rows as cell values (a formula as ``_Formula``). The zip is checked first."""
    if datos.startswith(_OLE2):
        raise ArchivoInvalido(PROTEGIDO)
    if not datos.startswith(_ZIP):
        raise ArchivoInvalido(NO_ES_XLSX)
    _revisar_zip(datos)
    try:
        libro = load_workbook(io.BytesIO(datos), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook: all mean the same to the user
        raise ArchivoInvalido(DANADO) from exc
    try:
        if not libro.worksheets:
            raise ArchivoInvalido(VACIO)
        hoja = libro.worksheets[0]
        hoja.reset_dimensions()  # a wrong <dimension> would pad every row up to it
        for numero, celdas in enumerate(hoja.iter_rows(), start=1):
            yield numero, [_valor_xlsx(c) for c in celdas]
    except ArchivoInvalido:
        raise
    except Exception as exc:
        raise ArchivoInvalido(DANADO) from exc
    finally:
        libro.close()


def _valor_xlsx(celda):
    valor = celda.value
    if isinstance(valor, (ArrayFormula, DataTableFormula)):
        return _Formula(getattr(valor, "text", None) or "=")
    if getattr(celda, "data_type", None) == "f":
        return _Formula(str(valor))
    return valor


def _revisar_zip(datos: bytes) -> None:
    """An .xlsx is a zip: refuse it before openpyxl inflates anything when it is not a workbook, is
    encrypted, has macros, or declares members that inflate too much (in total, or far beyond their
    compressed size). The declared sizes bound what is read: zipfile stops a member at its declared
    size and fails its CRC when the data goes on."""
    cfg = current_app.config
    try:
        with zipfile.ZipFile(io.BytesIO(datos)) as archivo:
            miembros = archivo.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ArchivoInvalido(NO_ES_XLSX) from None
    if sum(m.file_size for m in miembros) > cfg["CARGA_XLSX_MAX_DESCOMPRIMIDO"] or len(miembros) > 10_000:
        raise ArchivoInvalido(BOMBA)
    razon = cfg["CARGA_XLSX_RAZON_MAXIMA"]
    if any(m.file_size > 2**20 and m.file_size > razon * max(m.compress_size, 1) for m in miembros):
        raise ArchivoInvalido(BOMBA)
    nombres = {m.filename.lower() for m in miembros}
    if any(m.flag_bits & 0x1 for m in miembros):
        raise ArchivoInvalido(PROTEGIDO)
    if "[content_types].xml" not in nombres or "xl/workbook.xml" not in nombres:
        raise ArchivoInvalido(NO_ES_XLSX)
    if any(n.endswith("vbaproject.bin") for n in nombres):
        raise ArchivoInvalido(CON_MACROS)


def _vacio(valor) -> bool:
    return valor is None or (isinstance(valor, str) and not valor.strip())


def _filas(renglones, max_filas: int, *, es_csv: bool, coma_decimal: bool) -> list[Fila]:
    """Rows from (number, values): the header (if the first row has one), at most three columns, at most
    ``max_filas`` rows of data."""
    orden = None  # column positions of NSS, CURP, SBC
    filas: list[Fila] = []
    for numero, valores in renglones:
        valores = list(valores)
        while valores and _vacio(valores[-1]):
            valores.pop()
        if not valores:
            continue
        if len(valores) > 3:
            pista = " Si algún salario lleva comas de miles, escríbelo sin ellas." if es_csv else ""
            raise ArchivoInvalido(f"El archivo tiene más de tres columnas (la fila {numero} tiene {len(valores)}). "
                                  f"Deja solo las columnas NSS, CURP y SBC.{pista}")
        if orden is None:
            orden = _encabezado(valores)
            if orden is not None:
                continue
            orden = (0, 1, 2)
        if len(filas) == max_filas:
            raise ArchivoInvalido(f"El archivo tiene más de {max_filas:,} filas de trabajadores; el máximo es "
                                  f"{max_filas:,} por archivo. Divídelo en varios archivos.")
        valores += [None] * (3 - len(valores))
        fila = Fila(numero, "", "", "")
        for columna, posicion in zip(COLUMNAS, orden, strict=True):
            texto, error = _texto(valores[posicion], columna, coma_decimal)
            setattr(fila, columna, texto)
            if error:
                fila.errores[columna] = error
        filas.append(fila)
    if not filas:
        raise ArchivoInvalido(VACIO)
    return filas


def _encabezado(valores: list) -> tuple[int, ...] | None:
    """Column positions when the first row is a header (no digit in it): NSS, CURP and SBC in any order,
    case and accents; any other header is the file's error."""
    if any(not isinstance(v, str) or isinstance(v, _Formula) or any(c.isdigit() for c in v)
           for v in valores if not _vacio(v)):
        return None
    nombres = [re.sub(r"[^a-z]", "", plano(v or "")) for v in valores]
    if sorted(nombres) != sorted(COLUMNAS):
        leidos = ", ".join(f"«{(v or '').strip()}»" for v in valores)
        raise ArchivoInvalido(f"La primera fila parece de encabezados, pero no son NSS, CURP y SBC (dice {leidos}). "
                              "Corrige los encabezados o quita esa fila.")
    return tuple(nombres.index(c) for c in COLUMNAS)


def _texto(valor, columna: str, coma_decimal: bool) -> tuple[str, str | None]:
    """A cell as text, and the problem with it that the text alone would hide (a formula, an NSS that
    Excel stored as a number and so lost its leading zeros)."""
    if valor is None:
        return "", None
    if isinstance(valor, _Formula):
        return str(valor), f"La celda del {ETIQUETAS[columna]} tiene una fórmula: escribe el dato, no una fórmula."
    if isinstance(valor, bool):
        return str(valor), None
    if isinstance(valor, (int, float)):
        if isinstance(valor, float) and not valor.is_integer():
            return repr(valor), None
        if columna == "nss":
            digitos = str(int(valor))
            if len(digitos) < nss_dominio.LONGITUD:
                return digitos, (f"El NSS está guardado como número en Excel y perdió sus ceros iniciales: quedó "
                                 f"{digitos} ({len(digitos)} dígitos). Da formato de texto a la columna NSS y "
                                 "escríbelo con sus 11 dígitos.")
            return digitos, None
        return str(int(valor)) if isinstance(valor, float) else str(valor), None
    if isinstance(valor, (datetime, date, time)):
        return valor.isoformat(), None
    texto = str(valor).strip()
    if columna == "sbc" and coma_decimal and _COMA_DECIMAL.match(texto):
        texto = texto.replace(",", ".")  # "315,04" in a file separated by ";"
    return texto, None


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


def _confirmar(*archivos: Path | None) -> None:
    """Commit; if it fails, the files written for it go too."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for archivo in archivos:
            if archivo is not None:
                archivo.unlink(missing_ok=True)
        raise


# --- the rejected rows and the template ------------------------------------------------------------------


def _carpeta() -> Path:
    carpeta = Path(current_app.config["CARGA_DIR"])
    carpeta.mkdir(parents=True, exist_ok=True)
    return carpeta


def _celda(hoja, valor: str):
    """A text cell (``@``) that Excel never takes for a formula nor a number."""
    valor = ILLEGAL_CHARACTERS_RE.sub("", valor)[:LARGO_EN_RECHAZOS]
    celda = celda_de_texto(hoja, valor)
    celda.number_format = "@"
    return celda


def escribir_rechazos(destino, rechazadas: list[Fila]) -> None:
    """Fila, NSS, CURP, SBC (as uploaded) and Motivo, all as text."""
    libro = Workbook(write_only=True)
    libro.properties.title = "Filas rechazadas de la carga masiva"
    libro.properties.creator = libro.properties.lastModifiedBy = "Sistema Capturistas ICSOE"
    hoja = libro.create_sheet("Rechazados")
    for letra, ancho in zip("ABCDE", (8, 16, 22, 14, 90), strict=True):
        hoja.column_dimensions[letra].width = ancho
    hoja.freeze_panes = "A2"
    negritas, fondo = Font(bold=True), PatternFill("solid", fgColor="DCE9E4")
    encabezado = []
    for texto in ENCABEZADOS_RECHAZOS:
        celda = _celda(hoja, texto)
        celda.font, celda.fill = negritas, fondo
        encabezado.append(celda)
    hoja.append(encabezado)
    for fila in rechazadas:
        hoja.append([_celda(hoja, v) for v in (str(fila.numero), fila.nss, fila.curp, fila.sbc, fila.motivo)])
    libro.save(destino)


def _escribir_rechazos(rechazadas: list[Fila]) -> Path:
    ruta = _carpeta() / f"rechazos-{uuid.uuid4().hex}.xlsx"  # never derived from user input
    escribir_rechazos(ruta, rechazadas)
    return ruta


def plantilla() -> io.BytesIO:
    """The template: header NSS, CURP, SBC; the three columns formatted as text (an NSS keeps its leading
    zeros); an example in each header's note, not as a row of data."""
    libro = Workbook()
    hoja = libro.active
    hoja.title = "Trabajadores"
    libro.properties.title = "Plantilla de carga masiva de trabajadores"
    libro.properties.creator = libro.properties.lastModifiedBy = "Sistema Capturistas ICSOE"
    notas = {
        "NSS": "Ejemplo: 01234567897\nOnce dígitos, como texto: conserva los ceros iniciales.",
        "CURP": "Ejemplo: PEGL850304HJCRRS07\nDieciocho caracteres.",
        "SBC": "Ejemplo: 315.04\nSalario base de cotización, con punto decimal y a lo más dos decimales.",
    }
    for i, (titulo, nota) in enumerate(notas.items()):
        letra = "ABC"[i]
        columna = hoja.column_dimensions[letra]
        columna.number_format = "@"
        columna.width = (16, 24, 14)[i]
        celda = hoja[f"{letra}1"]
        celda.value, celda.number_format, celda.font = titulo, "@", Font(bold=True)
        celda.comment = Comment(nota, "Sistema Capturistas ICSOE", width=260, height=90)
    hoja.freeze_panes = "A2"
    salida = io.BytesIO()
    libro.save(salida)
    salida.seek(0)
    return salida


# --- 3. the upload, the background job, the cleanup -------------------------------------------------------


def nombre_visible(nombre: str | None) -> str:
    """The uploaded file's own name, for the page only (never a path): no folders, no control characters."""
    nombre = re.split(r"[\\/]", nombre or "")[-1]
    nombre = "".join(c for c in nombre if not tiene_control(c)).strip()
    return nombre[:255] or "archivo"


def _ruta_subida(carga_id: int) -> Path:
    return _carpeta() / f"subida-{carga_id}"


def recibir(informativa: Informativa, contrato: Contrato, archivo, actor: str) -> tuple[int, bool]:
    """The upload (a werkzeug FileStorage), with the informativa locked by the caller. A file that cannot
    be taken raises ArchivoInvalido and records nothing. Up to CARGA_UMBRAL rows are processed now;
    a larger file is kept for the worker. Returns (carga id, True when the worker must be asked to
    process it). Commits."""
    cfg = current_app.config
    srv.exigir_editable(informativa)
    nombre = nombre_visible(getattr(archivo, "filename", None))
    datos = archivo.stream.read(cfg["CARGA_MAX_BYTES"] + 1)
    filas = leer(datos, nombre)
    carga = CargaTrabajadores(contrato_id=contrato.id, informativa_id=informativa.id, solicitante=actor,
                              nombre_archivo=nombre, total=len(filas), procesadas=0)
    db.session.add(carga)
    db.session.flush()
    carga_id = carga.id
    if len(filas) > cfg["CARGA_UMBRAL"]:
        ruta = _ruta_subida(carga_id)
        ruta.write_bytes(datos)
        _confirmar(ruta)
        return carga_id, True
    ruta = None
    try:
        ruta = procesar(carga, filas, padron_configurado())
    except BaseException:
        db.session.rollback()  # the carga's row too: nothing recorded
        if ruta is not None:
            ruta.unlink(missing_ok=True)
        raise
    _confirmar(ruta)
    return carga_id, False


class _Avance:
    """The worker's progress: rows done so far, written (and committed) as the padrón answers."""

    def __init__(self, carga_id: int):
        self.carga_id = carga_id
        self.procesadas = 0

    def __call__(self, mas: int) -> None:
        self.procesadas += mas
        db.session.execute(update(CargaTrabajadores).where(CargaTrabajadores.id == self.carga_id)
                           .values(procesadas=self.procesadas))
        db.session.commit()


def ejecutar(carga_id: int) -> None:
    """The Huey task's body: read the stored file, process it, delete it. Ends as terminada or error."""
    ruta_subida = _ruta_subida(carga_id)
    rechazos = None
    try:
        carga = db.session.get(CargaTrabajadores, carga_id)
        if carga is None or carga.estado != CargaTrabajadores.EN_PROCESO:
            return  # its contract was deleted, or it already ran
        filas = leer(ruta_subida.read_bytes(), carga.nombre_archivo)
        rechazos = procesar(carga, filas, padron_configurado(), _Avance(carga_id))
        _confirmar(rechazos)
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
    """Ask the worker for the job (``tarea``: the Huey task). A queue that cannot be reached ends the job
    as error, so its page says so instead of waiting forever."""
    try:
        tarea(carga_id)
    except Exception:  # any queue failure means the same to the user
        log.exception("No se pudo encolar la carga masiva %s", carga_id)
        fallar(carga_id, NO_SE_ENCOLO)


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


def _retencion() -> timedelta:
    return timedelta(hours=current_app.config["EXPORTACION_RETENCION_HORAS"])


def disponible_hasta(carga: CargaTrabajadores) -> datetime | None:
    """Until when its rejected rows can be downloaded (None: there is no such file)."""
    if not carga.ruta_rechazos or carga.terminado_en is None:
        return None
    return carga.terminado_en + _retencion()


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
    limite = ahora_utc() - _retencion()
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
    for archivo in _carpeta().iterdir():
        if archivo.is_file() and archivo.stat().st_mtime < limite.timestamp():
            archivo.unlink(missing_ok=True)
    return len(vencidas) + len(colgadas)

