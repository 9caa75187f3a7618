from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from blueprints import limites
from blueprints.auth import bp
from blueprints.auth.forms import EntrarConEfirmaForm, LoginForm, RecuperarForm, RegistroForm
from blueprints.auth.services import (
    vista_de_ingreso,
    vista_de_ingreso_con_efirma,
    vista_de_recuperacion,
    vista_de_restablecer,
)
from blueprints.efirma import limitar_subida
from blueprints.escritura import escribe
from blueprints.forms_comunes import FormularioVacio
from blueprints.liga_secreta import liga_secreta
from services import autenticacion
from services.tokens import verificar_restablecer_contratista, verificar_token_verificacion
from tareas import pedir_envio_de_correos


@bp.route("/registro", methods=["GET", "POST"])
@limites.formulario_publico
def registro():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistroForm()
    if form.validate_on_submit():
        autenticacion.registrar_contratista(form.rfc.data, form.correo.data, form.password.data)
        pedir_envio_de_correos()  # in the background whatever happened, so the time tells nothing either
        return redirect(url_for(".registro_enviado"), 303)
    return render_template("auth/registro.html", form=form), 422 if form.errors else 200


@bp.get("/registro/revisa-tu-correo")
def registro_enviado():
    # The same page whether the RFC was free or not: registro never tells who has an account.
    return render_template("auth/registro_enviado.html")


@bp.get("/confirmar/<token>")
@escribe
def confirmar(token: str):
    estado, contratista = verificar_token_verificacion(token)
    if contratista is None:
        return render_template("auth/confirmacion_invalida.html", estado=estado), 410
    if autenticacion.confirmar_correo(contratista):
        flash("Tu correo electrónico quedó confirmado. Inicia sesión para registrar los Datos Generales "
              "del Contratista.", "success")
    else:
        flash("Tu cuenta ya estaba confirmada. Inicia sesión.", "info")
    return redirect(url_for(".login"), 303)


@bp.route("/iniciar-sesion", methods=["GET", "POST"])
@limites.acceso
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return vista_de_ingreso(LoginForm(), lambda f, cliente: autenticacion.autenticar_contratista(
        f.rfc.data, f.password.data, cliente), "auth/login.html", url_for("main.index"))


@bp.route("/iniciar-sesion/efirma", methods=["GET", "POST"])
@limitar_subida
@limites.acceso
def login_efirma():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return vista_de_ingreso_con_efirma(EntrarConEfirmaForm(), url_for("main.index"))


@bp.route("/recuperar-contrasena", methods=["GET", "POST"])
@limites.formulario_publico
def recuperar():
    return vista_de_recuperacion(
        RecuperarForm(), lambda f: autenticacion.solicitar_restablecimiento_contratista(f.rfc.data, f.correo.data),
        "Si el RFC y el correo electrónico corresponden a una cuenta de contratista, recibirás un correo "
        "con una liga para restablecer tu contraseña. La liga es válida durante 24 horas.",
        "contratista", url_for(".login"))


@bp.route("/restablecer/<token>", methods=["GET", "POST"])
@liga_secreta
def restablecer(token: str):
    return vista_de_restablecer(verificar_restablecer_contratista, token, lambda c: (c.rfc,), "contratista",
                                url_for(".login"))


@bp.route("/cerrar-sesion", methods=["POST"])
def logout():
    form = FormularioVacio()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            autenticacion.terminar_sesiones(current_user)  # a copied cookie dies too
        logout_user()
        session.clear()
        flash("Cerraste tu sesión.", "info")
    return redirect(url_for("auth.login"), 303)
