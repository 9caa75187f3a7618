"""A file sent as a download: a workbook (Exportar Excel, an informativa, the carga masiva's rejected rows
and template) or an acuse de presentación (PDF)."""
import io
import tempfile

from flask import send_file

from models.types import ahora_utc
from services import acuse as acuse_srv
from services import exportar_informativa
from services.exportar import MIME_XLSX


def descarga_xlsx(archivo, nombre: str):
    """The workbook as an attachment that no cache keeps (send_file's max_age=0 is only no-cache)."""
    respuesta = send_file(archivo, mimetype=MIME_XLSX, as_attachment=True, download_name=nombre)
    respuesta.headers["Cache-Control"] = "no-store"
    return respuesta


def informativa_xlsx(informativa, contratista, actor: str):
    """The informativa's workbook, written now (recorded in its bitácora): for a GET marked ``@escribe``."""
    nombre = exportar_informativa.nombre_archivo(contratista, informativa)
    archivo = tempfile.TemporaryFile()  # on disk, not in memory; closed with the response
    exportar_informativa.exportar(archivo, informativa, contratista, actor, ahora_utc())
    archivo.seek(0)
    return descarga_xlsx(archivo, nombre)


def acuse_pdf(acuse):
    respuesta = send_file(io.BytesIO(acuse_srv.pdf(acuse)), mimetype="application/pdf", as_attachment=True,
                          download_name=f"acuse-{acuse.folio}.pdf")
    respuesta.headers["Cache-Control"] = "no-store"
    return respuesta
