"""Carga masiva de trabajadores into one contract: the upload form and its template workbook, the job's
progress and result, the rejected rows' workbook. A small file is processed in the POST; a larger one
by the Huey worker while its page shows the progress (htmx polls it; without JavaScript the page
reloads itself). Uploading needs an editable informativa (409 otherwise); a past carga's result stays
readable."""
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.captura import bp
from blueprints.captura.acceso import del_contrato
from blueprints.captura.forms import CargaForm
from blueprints.carga import admitir_archivo, pagina_de_trabajo
from blueprints.descargas import descarga_xlsx
from domain.errores import ErrorDeDominio
from services import carga_trabajadores as carga_srv
from services import informativas as srv
from services.capturistas import actor_de
from services.carga_archivo import megas
from tareas import procesar_carga_trabajadores

URL = "/<id:informativa_id>/contratos/<id:contrato_id>/carga-masiva"
ESTADO = "carga-estado"

# Only the carga's POST may bring a file of CARGA_MAX_BYTES; every other request keeps MAX_CONTENT_LENGTH.
admitir_archivo(bp, "captura.carga_masiva", "CARGA_MAX_BYTES")


def _megas() -> str:
    return megas(current_app.config["CARGA_MAX_BYTES"])


def _pagina(relacion, informativa, contrato, form, status: int = 200):
    return render_template("captura/carga.html", relacion=relacion, informativa=informativa, contrato=contrato,
                           periodo=srv.periodo_de(informativa), form=form, recientes=carga_srv.recientes(contrato),
                           max_filas=current_app.config["CARGA_MAX_FILAS"], max_megas=_megas()), status


@bp.route(URL, methods=["GET", "POST"])
@del_contrato
def carga_masiva(relacion, informativa, contrato):
    form = CargaForm()
    if not informativa.editable:
        return _pagina(relacion, informativa, contrato, form, 409)
    if form.validate_on_submit():
        ids = {"informativa_id": informativa.id, "contrato_id": contrato.id}
        try:
            carga_id, en_segundo_plano = carga_srv.recibir(informativa, contrato, form.archivo.data,
                                                           actor_de(current_user))
        except ErrorDeDominio as exc:  # the file as a whole, the padrón down, the informativa no longer editable
            form.archivo.errors = [*form.archivo.errors, exc.mensaje]
            return _pagina(relacion, informativa, contrato, form, getattr(exc, "status", 422))
        if en_segundo_plano:
            carga_srv.encolar(carga_id, procesar_carga_trabajadores)
        return redirect(url_for(".carga_estado", carga_id=carga_id, **ids), 303)
    return _pagina(relacion, informativa, contrato, form, 422 if request.method == "POST" else 200)


@bp.get(URL + "/plantilla")
@del_contrato
def carga_plantilla(relacion, informativa, contrato):
    return descarga_xlsx(carga_srv.plantilla(), "plantilla_carga_trabajadores.xlsx")


def _carga(contrato, carga_id: int):
    carga = carga_srv.de_contrato(contrato, carga_id)
    if carga is None:
        abort(404)
    return carga


def _estado(relacion, informativa, contrato, carga, status: int = 200):
    """The page, or the block htmx polls while the job runs (blueprints/carga.pagina_de_trabajo)."""
    return pagina_de_trabajo("captura/carga_estado.html", ESTADO, not carga.terminada, status,
                             relacion=relacion, informativa=informativa, contrato=contrato, carga=carga,
                             periodo=srv.periodo_de(informativa), hasta=carga_srv.disponible_hasta(carga),
                             vencido=carga_srv.rechazos_vencidos(carga),
                             retencion=current_app.config["EXPORTACION_RETENCION_HORAS"])


@bp.get(URL + "/<id:carga_id>")
@del_contrato
def carga_estado(relacion, informativa, contrato, carga_id: int):
    return _estado(relacion, informativa, contrato, _carga(contrato, carga_id))


@bp.get(URL + "/<id:carga_id>/rechazados")
@del_contrato
def carga_rechazados(relacion, informativa, contrato, carga_id: int):
    carga = _carga(contrato, carga_id)
    if carga_srv.rechazos_vencidos(carga):
        return _estado(relacion, informativa, contrato, carga, 410)  # the page says the file is gone
    if not carga.ruta_rechazos or not Path(carga.ruta_rechazos).exists():
        abort(404)
    return descarga_xlsx(carga.ruta_rechazos, carga_srv.nombre_rechazos(carga, contrato))
