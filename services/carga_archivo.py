"""What every carga masiva shares (trabajadores into a contract, capturistas of a contractor).

1. ``leer``: an uploaded CSV or .xlsx into rows of cell values, in the order of a ``Formato``'s columns.
   Anything that is not a CSV or .xlsx of ours (not text, an encrypted or macro workbook, a zip bomb,
   extra columns, wrong headers, empty, too many rows, too big) is ``ArchivoInvalido``: one message for
   the whole file. What a cell means (and the problems only its column has) is each carga's own.
2. The rejected rows and the template as .xlsx (every cell text, never a formula); the folder both
   cargas keep their files in (CARGA_DIR), and how long a result stays (EXPORTACION_RETENCION_HORAS).
3. The background job's pattern: progress committed as it goes (``Avance``), a queue that cannot be
   reached ending the job in error (``encolar``).
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePath

from flask import current_app
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import update

from domain.errores import ErrorDeDominio
from domain.texto import plano, tiene_control
from extensions import db
from services.exportar import celda_de_texto

log = logging.getLogger(__name__)

EXTENSIONES = (".csv", ".xlsx")
LARGO_EN_RECHAZOS = 200  # a cell of the rejected rows' file shows at most this much of what was uploaded
AUTOR = "Sistema Capturistas ICSOE"

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx, old .xls (Compound File)
# What a renamed file usually is: PDF, zip (docx, xlsx), OLE2, PNG, JPEG, GIF, gzip, 7z, RAR.
_BINARIOS = (b"%PDF", _ZIP, b"PK\x05\x06", _OLE2, b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
             b"7z\xbc\xaf", b"Rar!")
_CONTROL_BINARIO = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PALABRAS = {2: "dos", 3: "tres", 4: "cuatro", 5: "cinco"}

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


class ArchivoInvalido(ErrorDeDominio):
    """The file as a whole cannot be taken: nothing is recorded."""

    status = 422

    def __init__(self, mensaje: str):
        super().__init__(mensaje)
        self.campo = "archivo"


class Formula(str):
    """The text of a cell that holds a formula (never evaluated: the row is rejected)."""


def enumeracion(partes: Sequence[str]) -> str:
    """«NSS, CURP y SBC»."""
    return ", ".join(partes[:-1]) + " y " + partes[-1] if len(partes) > 1 else "".join(partes)


@dataclass(frozen=True)
class Formato:
    """What one carga's file holds: its columns (keys, in their usual order), how a person writes their
    headers, what a row is ("trabajadores", "capturistas") for the messages, and the settings that limit
    its rows and bytes."""

    columnas: tuple[str, ...]
    etiquetas: dict[str, str]
    que: str
    ajuste_filas: str
    ajuste_bytes: str
    # Other headers taken for a column, as ``plano`` leaves them without what is not a letter.
    alias: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Said after "too many columns" in a CSV (a salary with thousands separators makes one more).
    pista_csv: str = ""

    @property
    def vacio(self) -> str:
        return f"El archivo está vacío: no tiene ninguna fila de {self.que}."

    @property
    def nombres_columnas(self) -> str:
        return enumeracion([self.etiquetas[c] for c in self.columnas])

    def columna_de(self, encabezado: str) -> str | None:
        nombre = re.sub(r"[^a-z]", "", plano(encabezado or ""))
        for columna in self.columnas:
            if nombre == re.sub(r"[^a-z]", "", plano(self.etiquetas[columna])) or nombre == columna \
                    or nombre in self.alias.get(columna, ()):
                return columna
        return None


@dataclass
class Renglon:
    """A row of the file: its number as Excel (or a text editor, for a CSV) numbers it, each cell as text,
    and the problem a cell's text alone would hide (a formula), by column."""

    numero: int
    textos: dict[str, str]
    errores: dict[str, str]


# ``texto(valor, columna, separador)``: a cell as text and its problem (None); the separator is the CSV's
# (None for a workbook).
Texto = Callable[[object, str, str | None], tuple[str, str | None]]


# --- 1. reading the file ------------------------------------------------------------------------------


def leer(datos: bytes, nombre_archivo: str, formato: Formato, texto: Texto) -> list[Renglon]:
    """The rows of the file (blank rows skipped, the optional header recognised), each cell made text by
    ``texto``. Raises ArchivoInvalido."""
    cfg = current_app.config
    renglones, separador = _leer(datos, nombre_archivo, formato, max_filas=cfg[formato.ajuste_filas],
                                 max_bytes=cfg[formato.ajuste_bytes])
    filas = []
    for numero, valores in renglones:
        textos, errores = {}, {}
        for columna, valor in zip(formato.columnas, valores, strict=True):
            textos[columna], error = texto(valor, columna, separador)
            if error:
                errores[columna] = error
        filas.append(Renglon(numero, textos, errores))
    return filas


def _leer(datos: bytes, nombre_archivo: str, formato: Formato, *, max_filas: int,
          max_bytes: int) -> tuple[list[tuple[int, list]], str | None]:
    """(row number, cell values in the Formato's order) of each row, and the CSV's separator."""
    extension = PurePath(nombre_archivo).suffix.lower()
    if extension not in EXTENSIONES:
        raise ArchivoInvalido(f"Sube un archivo CSV (.csv) o de Excel (.xlsx); «{nombre_archivo}» no es ninguno "
                              "de los dos.")
    if len(datos) > max_bytes:
        raise ArchivoInvalido(f"El archivo pesa {math.ceil(len(datos) / 2**20 * 10) / 10:g} MB; el máximo es "
                              f"{megas(max_bytes)} MB. Divídelo en varios archivos.")
    if not datos.strip():
        raise ArchivoInvalido(formato.vacio)
    if extension == ".xlsx":
        return _ordenar(_renglones_xlsx(datos, formato), formato, max_filas, es_csv=False), None
    texto = _texto_csv(datos)
    separador = _separador(texto, len(formato.columnas))
    return _ordenar(_renglones_csv(texto, separador), formato, max_filas, es_csv=True), separador


def megas(n: int) -> str:
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


def _separador(texto: str, columnas: int) -> str:
    """``,`` or ``;``: the one that splits the first line into the file's columns (else into more)."""
    primera = next((linea for linea in texto.splitlines() if linea.strip()), "")
    campos = {s: len(next(csv.reader([primera], delimiter=s), [])) for s in (",", ";")}
    if campos[","] == columnas:
        return ","
    if campos[";"] == columnas:
        return ";"
    return ";" if campos[";"] > campos[","] else ","


def _renglones_csv(texto: str, separador: str):
    lector = csv.reader(io.StringIO(texto, newline=""), delimiter=separador)
    try:
        yield from enumerate(lector, start=1)
    except csv.Error as exc:
        raise ArchivoInvalido(f"El CSV no se pudo leer en la fila {lector.line_num}: revisa sus comillas.") from exc


def _renglones_xlsx(datos: bytes, formato: Formato):
    """The first sheet's rows as cell values (a formula as ``Formula``). The zip is checked first."""
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
            raise ArchivoInvalido(formato.vacio)
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
        return Formula(getattr(valor, "text", None) or "=")
    if getattr(celda, "data_type", None) == "f":
        return Formula(str(valor))
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


def vacio(valor) -> bool:
    return valor is None or (isinstance(valor, str) and not valor.strip())


def _ordenar(renglones, formato: Formato, max_filas: int, *, es_csv: bool) -> list[tuple[int, list]]:
    """Rows from (number, values): the header (if the first row has one), at most the Formato's columns,
    at most ``max_filas`` rows of data, each row's values in the Formato's order."""
    n = len(formato.columnas)
    orden = None  # where each of the Formato's columns is in the file
    filas: list[tuple[int, list]] = []
    for numero, valores in renglones:
        valores = list(valores)
        while valores and vacio(valores[-1]):
            valores.pop()
        if not valores:
            continue
        if len(valores) > n:
            pista = formato.pista_csv if es_csv else ""
            raise ArchivoInvalido(f"El archivo tiene más de {_PALABRAS.get(n, n)} columnas (la fila {numero} tiene "
                                  f"{len(valores)}). Deja solo las columnas {formato.nombres_columnas}.{pista}")
        if orden is None:
            orden = _encabezado(valores, formato)
            if orden is not None:
                continue
            orden = tuple(range(n))
        if len(filas) == max_filas:
            raise ArchivoInvalido(f"El archivo tiene más de {max_filas:,} filas de {formato.que}; el máximo es "
                                  f"{max_filas:,} por archivo. Divídelo en varios archivos.")
        valores += [None] * (n - len(valores))
        filas.append((numero, [valores[posicion] for posicion in orden]))
    if not filas:
        raise ArchivoInvalido(formato.vacio)
    return filas


def _encabezado(valores: list, formato: Formato) -> tuple[int, ...] | None:
    """Column positions when the first row is a header (no digit in it): the Formato's columns in any
    order, case and accents; any other header is the file's error."""
    if any(not isinstance(v, str) or isinstance(v, Formula) or any(c.isdigit() for c in v)
           for v in valores if not vacio(v)):
        return None
    columnas = [formato.columna_de(v) for v in valores]
    if sorted(filter(None, columnas)) != sorted(formato.columnas) or None in columnas:
        leidos = ", ".join(f"«{(v or '').strip()}»" for v in valores)
        raise ArchivoInvalido(f"La primera fila parece de encabezados, pero no son {formato.nombres_columnas} "
                              f"(dice {leidos}). Corrige los encabezados o quita esa fila.")
    return tuple(columnas.index(c) for c in formato.columnas)


def texto_de_celda(valor, de_la_columna: str) -> tuple[str, str | None]:
    """A cell as text, and the problem the text alone would hide: a formula (``de_la_columna`` names its
    column in the message: "del SBC", "de la CURP"). A whole number Excel stored as a float is written
    without ".0"."""
    if valor is None:
        return "", None
    if isinstance(valor, Formula):
        return str(valor), f"La celda {de_la_columna} tiene una fórmula: escribe el dato, no una fórmula."
    if isinstance(valor, bool):
        return str(valor), None
    if isinstance(valor, float):
        return (str(int(valor)) if valor.is_integer() else repr(valor)), None
    if isinstance(valor, int):
        return str(valor), None
    if isinstance(valor, (datetime, date, time)):
        return valor.isoformat(), None
    return str(valor).strip(), None


# --- 2. the files: rejected rows, template, folder, retention ----------------------------------------------


def carpeta() -> Path:
    carpeta = Path(current_app.config["CARGA_DIR"])
    carpeta.mkdir(parents=True, exist_ok=True)
    return carpeta


def ruta_nueva(prefijo: str) -> Path:
    """A new file of CARGA_DIR: its name never derived from user input."""
    return carpeta() / f"{prefijo}-{uuid.uuid4().hex}.xlsx"


def _celda(hoja, valor: str):
    """A text cell (``@``) that Excel never takes for a formula nor a number."""
    valor = ILLEGAL_CHARACTERS_RE.sub("", valor)[:LARGO_EN_RECHAZOS]
    celda = celda_de_texto(hoja, valor)
    celda.number_format = "@"
    return celda


def escribir_rechazos(destino, encabezados: Sequence[str], anchos: Sequence[int],
                      filas: Iterable[Sequence[str]]) -> None:
    """The rejected rows (the row number, the cells as uploaded and the reason), all as text, in a
    sheet "Rechazados" with a bold frozen header."""
    libro = Workbook(write_only=True)
    libro.properties.title = "Filas rechazadas de la carga masiva"
    libro.properties.creator = libro.properties.lastModifiedBy = AUTOR
    hoja = libro.create_sheet("Rechazados")
    for i, ancho in enumerate(anchos):
        hoja.column_dimensions[chr(ord("A") + i)].width = ancho
    hoja.freeze_panes = "A2"
    negritas, fondo = Font(bold=True), PatternFill("solid", fgColor="DCE9E4")
    encabezado = []
    for texto in encabezados:
        celda = _celda(hoja, texto)
        celda.font, celda.fill = negritas, fondo
        encabezado.append(celda)
    hoja.append(encabezado)
    for fila in filas:
        hoja.append([_celda(hoja, v) for v in fila])
    libro.save(destino)


@dataclass(frozen=True)
class ColumnaPlantilla:
    titulo: str
    nota: str   # an example and the rule, in the header's note (never a row of data)
    ancho: int


def plantilla(hoja_titulo: str, titulo: str, columnas: Sequence[ColumnaPlantilla]) -> io.BytesIO:
    """A template: the header, every column formatted as text (leading zeros kept), an example in each
    header's note, not as a row of data."""
    libro = Workbook()
    hoja = libro.active
    hoja.title = hoja_titulo
    libro.properties.title = titulo
    libro.properties.creator = libro.properties.lastModifiedBy = AUTOR
    for i, columna in enumerate(columnas):
        letra = chr(ord("A") + i)
        dimension = hoja.column_dimensions[letra]
        dimension.number_format = "@"
        dimension.width = columna.ancho
        celda = hoja[f"{letra}1"]
        celda.value, celda.number_format, celda.font = columna.titulo, "@", Font(bold=True)
        celda.comment = Comment(columna.nota, AUTOR, width=260, height=90)
    hoja.freeze_panes = "A2"
    salida = io.BytesIO()
    libro.save(salida)
    salida.seek(0)
    return salida


def nombre_visible(nombre: str | None) -> str:
    """The uploaded file's own name, for the page only (never a path): no folders, no control characters."""
    nombre = re.split(r"[\\/]", nombre or "")[-1]
    nombre = "".join(c for c in nombre if not tiene_control(c)).strip()
    return nombre[:255] or "archivo"


def leer_subida(archivo, formato: Formato) -> tuple[bytes, str]:
    """The upload (a werkzeug FileStorage): at most one byte more than allowed (so too big is told), and
    its name for the page."""
    maximo = current_app.config[formato.ajuste_bytes]
    return archivo.stream.read(maximo + 1), nombre_visible(getattr(archivo, "filename", None))


def confirmar(*archivos: Path | None) -> None:
    """Commit; if it fails, the files written for it go too."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for archivo in archivos:
            if archivo is not None:
                archivo.unlink(missing_ok=True)
        raise


def retencion() -> timedelta:
    """How long a carga's result (its rejected rows) is kept: as long as an export."""
    return timedelta(hours=current_app.config["EXPORTACION_RETENCION_HORAS"])


# --- 3. the background job ---------------------------------------------------------------------------------


class Avance:
    """A job's progress: rows done so far, written to ``modelo.columna`` (and committed) as it goes."""

    def __init__(self, modelo, trabajo_id: int, columna: str = "procesadas", inicio: int = 0):
        self.modelo, self.trabajo_id, self.columna = modelo, trabajo_id, columna
        self.procesadas = inicio

    def __call__(self, mas: int) -> None:
        self.procesadas += mas
        db.session.execute(update(self.modelo).where(self.modelo.id == self.trabajo_id)
                           .values({self.columna: self.procesadas}))
        db.session.commit()


def encolar(trabajo_id: int, tarea, fallar: Callable[[int, str], None], mensaje: str) -> None:
    """Ask the worker for the job (``tarea``: the Huey task). A queue that cannot be reached ends the job
    with ``fallar(trabajo_id, mensaje)``, so its page says so instead of waiting forever."""
    try:
        tarea(trabajo_id)
    except Exception:  # any queue failure means the same to the user
        log.exception("No se pudo encolar la carga masiva %s", trabajo_id)
        fallar(trabajo_id, mensaje)
