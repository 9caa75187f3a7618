"""Carga masiva de capturistas: the upload form and its template workbook; the carga's page, which is by
turns its progress, its preview (each row as Alta de usuarios would take it) with **Guardar N
capturistas**, and its summary; and the rejected rows' workbook. A small file is checked (and saved) in
the POST; a larger one by the Huey worker while the page shows the progress (htmx polls it; without
JavaScript the page reloads itself)."""
import tempfile

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.alta_usuarios import bp
from blueprints.alta_usuarios.forms import CargaForm
from blueprints.carga import admitir_archivo, pagina_de_trabajo
from blueprints.descargas import descarga_xlsx
from blueprints.forms_comunes import FormularioVacio
from domain.errores import ErrorDeDominio
from models import CargaCapturistas
from services import carga_capturistas as srv
from services.capturistas import actor_de
from services.carga_archivo import megas
from tareas import guardar_carga_capturistas, pedir_envio_de_correos, revisar_carga_capturistas

URL = "/carga-masiva"
CARGA = URL + "/<id:carga_capturistas_id>"
ESTADO = "carga-estado"

admitir_archivo(bp, "alta_usuarios.carga_masiva", "CARGA_CAPTURISTAS_MAX_BYTES")


def _pagina(form: CargaForm, status: int = 200):
    cfg = current_app.config
    return render_template("alta_usuarios/carga.html", form=form, recientes=srv.recientes(current_user.id),
                           max_filas=cfg["CARGA_CAPTURISTAS_MAX_FILAS"],
                           max_megas=megas(cfg["CARGA_CAPTURISTAS_MAX_BYTES"])), status


@bp.route(URL, methods=["GET", "POST"])
def carga_masiva():
    form = CargaForm()
    if form.validate_on_submit():
        try:
            carga_id, en_segundo_plano = srv.recibir(current_user, form.archivo.data, actor_de(current_user))
        except ErrorDeDominio as exc:  # the file as a whole, the padrón down, the allowance of lookups
            form.archivo.errors = [*form.archivo.errors, exc.mensaje]
            return _pagina(form, getattr(exc, "status", 422))
        if en_segundo_plano:
            srv.encolar_revision(carga_id, revisar_carga_capturistas)
        return redirect(url_for(".carga", carga_capturistas_id=carga_id), 303)
    return _pagina(form, 422 if request.method == "POST" else 200)


@bp.get(URL + "/plantilla")
def carga_plantilla():
    return descarga_xlsx(srv.plantilla(), "plantilla_carga_capturistas.xlsx")


def _mia(carga_id: int) -> CargaCapturistas:
    carga = srv.de_contratista(current_user.id, carga_id)
    if carga is None:
        abort(404)  # another contractor's carga, or none
    return carga


def _estado(carga: CargaCapturistas, form: FormularioVacio | None = None, status: int = 200):
    vista_previa = carga.estado == CargaCapturistas.REVISADA
    return pagina_de_trabajo(
        "alta_usuarios/carga_estado.html", ESTADO, carga.en_curso, status, carga=carga,
        form=form or FormularioVacio(formdata=None), vencida=srv.vencida(carga),
        hasta=srv.disponible_hasta(carga), retencion=current_app.config["EXPORTACION_RETENCION_HORAS"],
        validas=srv.filas(carga, rechazadas=False) if vista_previa else [],
        rechazadas=srv.filas(carga, rechazadas=True) if vista_previa else [],
        por_guardar=srv.por_guardar(carga) if vista_previa else 0)


@bp.get(CARGA)
def carga(carga_capturistas_id: int):
    return _estado(_mia(carga_capturistas_id))


@bp.post(CARGA)
def carga_guardar(carga_capturistas_id: int):
    """Guardar N capturistas. Pressed twice (or confirmed from two tabs), the second finds the carga
    claimed or saved and goes to its page: nothing is created twice."""
    carga = _mia(carga_capturistas_id)
    form = FormularioVacio()
    try:
        en_segundo_plano = srv.confirmar(carga)
    except ErrorDeDominio as exc:  # not a preview to save (still checking, failed, expired)
        form.form_errors.append(exc.mensaje)
        return _estado(carga, form, getattr(exc, "status", 409))
    if en_segundo_plano:
        srv.encolar_guardado(carga_capturistas_id, guardar_carga_capturistas)
    else:
        pedir_envio_de_correos()  # the activation e-mails it queued, delivered by the worker
    return redirect(url_for(".carga", carga_capturistas_id=carga_capturistas_id), 303)


@bp.get(CARGA + "/rechazados")
def carga_rechazados(carga_capturistas_id: int):
    carga = _mia(carga_capturistas_id)
    if srv.vencida(carga):
        return _estado(carga, status=410)  # the page says the rows are gone
    if carga.estado not in (CargaCapturistas.REVISADA, CargaCapturistas.GUARDADA) or not carga.rechazadas:
        abort(404)
    archivo = tempfile.TemporaryFile()  # on disk, not in memory; closed with the response
    srv.escribir_rechazos(archivo, carga)
    archivo.seek(0)
    return descarga_xlsx(archivo, srv.nombre_rechazos(carga))
