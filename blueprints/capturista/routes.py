from functools import wraps

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints import limites
from blueprints.auth.services import (
    capturista_requerido,
    es_capturista,
    vista_de_ingreso,
    vista_de_recuperacion,
    vista_de_restablecer,
)
from blueprints.capturista import bp
from blueprints.capturista.forms import ElegirContratistaForm, LoginCapturistaForm, RecuperarForm
from blueprints.forms_comunes import FormularioVacio
from blueprints.ids import id_de_fila
from blueprints.liga_secreta import liga_secreta
from services import autenticacion
from services.acceso_capturista import relacion_activa, relaciones_activas, solicitar_restablecimiento
from services.capturistas import aceptar_invitacion, invitaciones_pendientes
from services.tokens import verificar_restablecer

CLAVE_SESION = "contratista_activo"


def contratista_elegido(vista):
    """The capturista works for the contractor chosen at login, while that relation stays active:
    a baja takes effect on the very next request."""
    @wraps(vista)
    @capturista_requerido
    def envoltura(*args, **kwargs):
        relacion = relacion_activa(current_user, session.get(CLAVE_SESION))
        if relacion is None:
            if session.pop(CLAVE_SESION, None) is not None:
                flash("Tu acceso como capturista de ese contratista fue dado de baja o ya no está activo.", "warning")
            return redirect(url_for("capturista.elegir"))
        return vista(relacion, *args, **kwargs)
    return envoltura


@bp.route("/iniciar-sesion", methods=["GET", "POST"])
@limites.acceso
def login():
    if es_capturista():
        return redirect(url_for(".elegir"))
    return vista_de_ingreso(LoginCapturistaForm(), lambda f, cliente: autenticacion.autenticar_capturista(
        f.usuario.data, f.password.data, cliente), "capturista/login.html", url_for(".elegir"))


@bp.route("/contratistas", methods=["GET", "POST"])
@capturista_requerido
def elegir():
    relaciones = relaciones_activas(current_user)
    form = ElegirContratistaForm()
    if form.validate_on_submit():
        elegido = request.form.get("contratista_id", type=id_de_fila)
        if relacion_activa(current_user, elegido) is None:
            abort(404)
        session[CLAVE_SESION] = elegido
        return redirect(url_for(".inicio"), 303)
    return render_template("capturista/elegir.html", relaciones=relaciones, form=form,
                           invitaciones=invitaciones_pendientes(current_user),
                           form_aceptar=FormularioVacio(formdata=None)), (422 if form.errors else 200)


@bp.post("/invitaciones/<id:relacion_id>/aceptar")
@capturista_requerido
def aceptar(relacion_id: int):
    relacion = aceptar_invitacion(current_user, relacion_id)
    if relacion is None:
        abort(404)  # not an invitation for this person, no longer pending, or expired
    flash(f"Aceptaste la invitación de {relacion.contratista.nombre_visible}. Ya puedes elegirlo para capturar.",
          "success")
    return redirect(url_for(".elegir"), 303)


@bp.get("/")
@contratista_elegido
def inicio(relacion):
    """The capturista's home is the informativa workspace of the chosen contractor."""
    from blueprints.captura.routes import espacio_de_trabajo

    return espacio_de_trabajo(relacion)


@bp.route("/recuperar-contrasena", methods=["GET", "POST"])
@limites.formulario_publico
def recuperar():
    return vista_de_recuperacion(
        RecuperarForm(), lambda f: solicitar_restablecimiento(f.curp.data, f.correo.data),
        "Si la CURP y el correo electrónico corresponden a un usuario capturista (el correo con el que "
        "creaste tu usuario), recibirás un correo con una liga para restablecer tu contraseña. La liga es "
        "válida durante 24 horas.", "capturista", url_for(".login"))


@bp.route("/restablecer/<token>", methods=["GET", "POST"])
@liga_secreta
def restablecer(token: str):
    return vista_de_restablecer(verificar_restablecer, token, lambda c: (c.curp, c.usuario), "capturista",
                                url_for(".login"))
