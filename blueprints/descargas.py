"""A workbook sent as a download (Exportar Excel, the carga masiva's rejected rows and template)."""
from flask import send_file

from services.exportar import MIME_XLSX


def descarga_xlsx(archivo, nombre: str):
    """The workbook as an attachment that no cache keeps (send_file's max_age=0 is only no-cache)."""
    respuesta = send_file(archivo, mimetype=MIME_XLSX, as_attachment=True, download_name=nombre)
    respuesta.headers["Cache-Control"] = "no-store"
    return respuesta
