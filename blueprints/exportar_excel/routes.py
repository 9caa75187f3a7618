import tempfile
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.consulta.forms import AccionForm
from blueprints.descarga import descarga_xlsx
from blueprints.escritura import escribe
from blueprints.exportar_excel import bp
from blueprints.htmx import pagina_o_bloque
from models import Exportacion
from models.types import ahora_utc
from services import exportar
from services.capturistas import actor_de
from services.consulta import Filtro
from tareas import generar_exportacion

ESTADO = "exportacion-estado"
EN_CURSO = "Ya hay una exportación en proceso; espera a que termine para solicitar otra."


def _mia(exportacion_id: int) -> Exportacion:
    exportacion = exportar.de_contratista(current_user.id, exportacion_id)
    if exportacion is None:
        abort(404)  # another contractor's job, or none
    return exportacion


@bp.get("")
def inicio():
    filtro = Filtro.desde(request.args)
    return render_template("exportar_excel/inicio.html", filtro=filtro, form=AccionForm(formdata=None),
                           total=exportar.contar(current_user.id, filtro),
                           recientes=exportar.recientes(current_user.id),
                           umbral=current_app.config["EXPORTACION_UMBRAL"])


@bp.post("")
def exportar_ahora():
    filtro = Filtro.desde(request.form)
    total = exportar.contar(current_user.id, filtro)
    actor = actor_de(current_user)
    if total > current_app.config["EXPORTACION_UMBRAL"]:
        exportacion, nueva = exportar.solicitar_en_segundo_plano(current_user, filtro, total, actor)
        if nueva:
            generar_exportacion(exportacion.id)
        else:
            flash(EN_CURSO, "warning")
        return redirect(url_for(".estado", exportacion_id=exportacion.id), 303)
    cuando = ahora_utc()
    archivo = tempfile.TemporaryFile()  # on disk, not in memory; closed with the response
    exportar.exportar_directo(archivo, current_user, filtro, actor, cuando)
    archivo.seek(0)
    return descarga_xlsx(archivo, exportar.nombre_archivo(current_user.rfc, cuando))


@bp.get("/<id:exportacion_id>")
def estado(exportacion_id: int):
    exportacion = _mia(exportacion_id)
    return pagina_o_bloque("exportar_excel/estado.html", "estado", ESTADO, exportacion=exportacion)


@bp.get("/<id:exportacion_id>/descargar")
@escribe  # an expired file is deleted and its job marked vencida
def descargar(exportacion_id: int):
    exportacion = exportar.para_descargar(_mia(exportacion_id))
    if exportacion.estado == Exportacion.VENCIDA:
        return render_template("exportar_excel/vencida.html", exportacion=exportacion), 410
    if exportacion.estado != Exportacion.LISTA or not exportacion.ruta or not Path(exportacion.ruta).exists():
        abort(404)
    return descarga_xlsx(exportacion.ruta, exportacion.nombre_archivo)
