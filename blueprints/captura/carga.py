"""Carga masiva de trabajadores into one contract: the upload form and its template workbook, the job's
progress and result, the rejected rows' workbook. A small file is processed in the POST; a larger one
by the Huey worker while its page shows the progress (htmx polls it; without JavaScript the page
reloads itself). Uploading needs an editable informativa (409 otherwise); a past carga's result stays
readable."""
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from blueprints.captura import bp
from blueprints.captura.acceso import del_contrato
from blueprints.captura.forms import CargaForm
from blueprints.descargas import descarga_xlsx
from blueprints.errors import pagina_error
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from domain.errores import ErrorDeDominio
from services import carga_trabajadores as carga_srv
from services import informativas as srv
from services.capturistas import actor_de
from tareas import procesar_carga_trabajadores

URL = "/<id:informativa_id>/contratos/<id:contrato_id>/carga-masiva"
ESTADO = "carga-estado"
# Room for the form's other fields and the multipart boundaries around a file of CARGA_MAX_BYTES.
MARGEN_MULTIPART = 64 * 1024


@bp.url_value_preprocessor
def _limite_de_subida(endpoint, valores):
    """Only the carga's POST may bring a file of CARGA_MAX_BYTES; every other request keeps
    MAX_CONTENT_LENGTH. (URL value preprocessors run before any before_request function, and Flask-WTF's
    CSRF check reads the body in one.)"""
    if endpoint == "captura.carga_masiva":
        request.max_content_length = current_app.config["CARGA_MAX_BYTES"] + MARGEN_MULTIPART


@bp.errorhandler(413)
def _demasiado_grande(error):
    if request.endpoint == "captura.carga_masiva":
        return pagina_error(413, f"El archivo excede el tamaño máximo de {_megas()} MB. Divídelo en varios "
                                 "archivos e inténtalo de nuevo.")
    return pagina_error(413, getattr(error, "spanish", None))


def _megas() -> str:
    return f"{current_app.config['CARGA_MAX_BYTES'] / 2**20:g}"


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
    """The page, or for htmx's polling: while the job runs only the inside of the block (the block, which
    may hold the focus, stays); once it is done the whole block (HX-Reswap), which has no polling and
    brings the summary the focus moves to."""
    contexto = dict(relacion=relacion, informativa=informativa, contrato=contrato, carga=carga,
                    periodo=srv.periodo_de(informativa), hasta=carga_srv.disponible_hasta(carga),
                    vencido=carga_srv.rechazos_vencidos(carga),
                    retencion=current_app.config["EXPORTACION_RETENCION_HORAS"])
    vary = {"Vary": "HX-Request, HX-Target"}
    if pide_fragmento(ESTADO) and not carga.terminada:
        return render_block("captura/carga_estado.html", "avance", **contexto), status, vary
    cuerpo, status, encabezados = pagina_o_bloque("captura/carga_estado.html", "estado", ESTADO, status, **contexto)
    if pide_fragmento(ESTADO):
        encabezados["HX-Reswap"] = "outerHTML"
    return cuerpo, status, encabezados


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
