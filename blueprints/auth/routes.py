from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from blueprints.auth import bp
from blueprints.auth.forms import LoginForm, RegistroForm
from blueprints.auth.services import autenticar_contratista, vista_de_ingreso
from blueprints.forms_comunes import FormularioVacio
from extensions import db
from models import Contratista


@bp.route("/registro", methods=["GET", "POST"])
def registro():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistroForm()
    if form.validate_on_submit():
        contratista = Contratista(rfc=form.rfc.data, correo=form.correo.data)
        contratista.set_password(form.password.data)
        db.session.add(contratista)
        db.session.commit()
        session.clear()
        login_user(contratista)
        flash("Tu cuenta se creó correctamente. Registra ahora los Datos Generales del Contratista.", "success")
        return redirect(url_for("contratista.datos_generales"), 303)
    return render_template("auth/registro.html", form=form), 422 if form.errors else 200


@bp.route("/iniciar-sesion", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return vista_de_ingreso(LoginForm(), lambda f: autenticar_contratista(f.rfc.data, f.password.data),
                            "auth/login.html", url_for("main.index"))


@bp.route("/cerrar-sesion", methods=["POST"])
def logout():
    form = FormularioVacio()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Cerraste tu sesión.", "info")
    return redirect(url_for("auth.login"), 303)
