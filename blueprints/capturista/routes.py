from functools import wraps

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.auth.services import (
    autenticar_capturista, capturista_requerido, es_capturista, vista_de_ingreso,
)
from blueprints.capturista import bp
from blueprints.ids import id_de_fila
from blueprints.capturista.forms import ElegirContratistaForm, LoginCapturistaForm, RecuperarForm, RestablecerForm
from extensions import db
from services.acceso_capturista import relacion_activa, relaciones_activas, solicitar_restablecimiento
from services.correo import intentar_envio
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
def login():
    if es_capturista():
        return redirect(url_for(".elegir"))
    return vista_de_ingreso(LoginCapturistaForm(), lambda f: autenticar_capturista(f.usuario.data, f.password.data),
                            "capturista/login.html", url_for(".elegir"))


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
    return render_template("capturista/elegir.html", relaciones=relaciones, form=form), (422 if form.errors else 200)


@bp.get("/")
@contratista_elegido
def inicio(relacion):
    return render_template("capturista/inicio.html", relacion=relacion)


@bp.route("/recuperar-contrasena", methods=["GET", "POST"])
def recuperar():
    form = RecuperarForm()
    if form.validate_on_submit():
        intentar_envio(solicitar_restablecimiento(form.curp.data, form.correo.data))
        # The same answer whether or not the data matched: it reveals nothing.
        flash("Si la CURP y el correo electrónico corresponden a un usuario capturista, recibirás un correo "
              "con una liga para restablecer tu contraseña. La liga es válida durante 24 horas.", "info")
        return redirect(url_for(".login"), 303)
    return render_template("capturista/recuperar.html", form=form), (422 if form.errors else 200)


@bp.route("/restablecer/<token>", methods=["GET", "POST"])
def restablecer(token: str):
    estado, capturista = verificar_restablecer(token)
    if capturista is None:
        return render_template("capturista/restablecer_invalida.html", estado=estado), 410
    form = RestablecerForm()
    form.prohibidas = (capturista.curp, capturista.usuario)
    if form.validate_on_submit():
        capturista.set_password(form.password.data)
        capturista.intentos_fallidos = 0
        capturista.bloqueado_hasta = None
        db.session.commit()
        flash("Tu contraseña se actualizó. Inicia sesión con la nueva contraseña.", "success")
        return redirect(url_for(".login"), 303)
    return render_template("capturista/restablecer.html", form=form), (422 if form.errors else 200)


@bp.after_request
def _sin_cache(respuesta):
    if request.endpoint == "capturista.restablecer":
        respuesta.headers["Cache-Control"] = "no-store"
        respuesta.headers["Referrer-Policy"] = "no-referrer"
    return respuesta
