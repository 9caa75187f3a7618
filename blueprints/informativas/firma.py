"""Firmar y presentar (the contractor's e.firma over an informativa sent to signature), Sin información
filed directly, complementarias (Corrección, Sin efectos) and the acuse de presentación (HTML and PDF).

The signing forms are plain multipart forms (they work with JS off). The .key and its password are read
in memory (``@limitar_subida`` keeps Werkzeug from spooling the upload to disk), used to sign and dropped;
a refused e.firma leaves nothing stored.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints import acuse as pagina_acuse
from blueprints.efirma import leer_efirma, limitar_subida, poner_error
from blueprints.informativas import bp
from blueprints.informativas.forms import CorreccionForm, FirmarForm, SinEfectosForm, SinInformacionForm
from blueprints.informativas.routes import _informativa
from blueprints.rechazo import rechazo
from domain.efirma import EfirmaInvalida
from domain.periodos import Periodo
from models.types import ahora_utc
from services import efirma as efirma_srv
from services import informativas as srv
from services import presentacion
from services.capturistas import actor_de


def _abrir_efirma(form):
    """The contractor's e.firma from a validated form, opened and checked; None with the reason on its field."""
    try:
        return efirma_srv.abrir_para_firmar(current_user, *leer_efirma(form))
    except EfirmaInvalida as exc:
        poner_error(form, exc)
        return None


def _firmado(form, firmar, volver: str, mensaje):
    """A signing form's POST: the e.firma opened, ``firmar(efirma)`` gives the acuse, and on to it with
    ``mensaje(acuse)``; a refusal of the service leads back to ``volver``. None while the form or the
    e.firma has errors (the caller shows the form again, 422)."""
    if not form.validate_on_submit() or (efirma := _abrir_efirma(form)) is None:
        return None
    try:
        acuse = firmar(efirma)
    except srv.ErrorInformativa as exc:
        return rechazo(exc.mensaje, volver, exc.status)
    flash(f"{mensaje(acuse)} Folio: {acuse.folio}.", "success")
    return redirect(url_for(".acuse", informativa_id=acuse.informativa_id), 303)


@bp.route("/<id:informativa_id>/firmar", methods=["GET", "POST"])
@limitar_subida
def firmar(informativa_id: int):
    escritura = request.method == "POST"
    informativa = _informativa(informativa_id, bloquear=escritura)
    volver = url_for(".ver", informativa_id=informativa.id)
    if informativa.presentada and not escritura:
        return redirect(url_for(".acuse", informativa_id=informativa.id), 303)
    form = FirmarForm(version=informativa.version)
    if escritura:
        try:
            presentacion.exigir_firmable(informativa)
        except srv.ErrorInformativa as exc:
            return rechazo(exc.mensaje, volver, exc.status)
        respuesta = _firmado(
            form, lambda efirma: presentacion.presentar(informativa, current_user, efirma, form.version.data,
                                                        actor_de(current_user)),
            volver, lambda acuse: f"Presentaste la informativa del {srv.periodo_de(informativa).nombre}.")
        if respuesta is not None:
            return respuesta
    conteos = srv.trabajadores_por_contrato(informativa)
    return render_template("informativas/firmar.html", informativa=informativa, form=form,
                           periodo=srv.periodo_de(informativa), resumen=srv.resumen(informativa, conteos),
                           revision=srv.revision(informativa, current_user, conteos),
                           complementada=presentacion.folio_complementado(informativa)), 422 if escritura else 200


@bp.route("/sin-informacion", methods=["GET", "POST"])
@limitar_subida
def sin_informacion():
    escritura = request.method == "POST"
    periodos = presentacion.periodos_para_sin_informacion(current_user.id, ahora_utc())
    form = SinInformacionForm()
    form.periodo.choices = [(p.clave, p.titulo) for p in periodos]
    respuesta = _firmado(
        form, lambda efirma: presentacion.presentar_sin_informacion(
            current_user, Periodo.de_clave(form.periodo.data), efirma, actor_de(current_user)),
        url_for(".sin_informacion"),
        lambda acuse: f"Presentaste el {srv.periodo_de(acuse.informativa).nombre} sin información.")
    if respuesta is not None:
        return respuesta
    return render_template("informativas/sin_informacion.html", form=form, periodos=periodos), \
        422 if escritura else 200


@bp.post("/<id:informativa_id>/correccion")
def correccion(informativa_id: int):
    informativa = _informativa(informativa_id, bloquear=True)
    form = CorreccionForm()
    form.validate_on_submit()  # only the version and the CSRF token: checked below and by Flask-WTF
    try:
        srv.exigir_version(informativa, form.version.data, "la informativa")
        nueva = presentacion.crear_correccion(informativa, actor_de(current_user))
    except srv.ErrorInformativa as exc:
        return rechazo(exc.mensaje, url_for(".ver", informativa_id=informativa.id), exc.status)
    flash("Iniciaste una complementaria de corrección con una copia de lo presentado. Tus capturistas ya pueden "
          "corregirla y enviártela a firma; al firmarla sustituirá a la informativa presentada.", "success")
    return redirect(url_for(".ver", informativa_id=nueva.id), 303)


@bp.route("/<id:informativa_id>/sin-efectos", methods=["GET", "POST"])
@limitar_subida
def sin_efectos(informativa_id: int):
    escritura = request.method == "POST"
    informativa = _informativa(informativa_id, bloquear=escritura)
    volver = url_for(".ver", informativa_id=informativa.id)
    form = SinEfectosForm(version=informativa.version)
    def sin_efectos_con(efirma):
        srv.exigir_version(informativa, form.version.data, "la informativa")
        return presentacion.presentar_sin_efectos(informativa, current_user, efirma, actor_de(current_user))

    respuesta = _firmado(form, sin_efectos_con, volver,
                         lambda acuse: f"Dejaste sin efectos la informativa {informativa.acuse.folio}.")
    if respuesta is not None:
        return respuesta
    return render_template("informativas/sin_efectos.html", informativa=informativa, form=form,
                           periodo=srv.periodo_de(informativa)), 422 if escritura else 200


@bp.get("/<id:informativa_id>/acuse")
def acuse(informativa_id: int):
    informativa = _informativa(informativa_id)
    return pagina_acuse.pagina("informativas/acuse.html", informativa,
                               url_for(".acuse_pdf", informativa_id=informativa.id))


@bp.get("/<id:informativa_id>/acuse.pdf")
def acuse_pdf(informativa_id: int):
    return pagina_acuse.pdf(_informativa(informativa_id))
