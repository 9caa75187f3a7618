from flask import redirect, render_template, url_for

from blueprints.auth.services import contratista_requerido, es_capturista, es_contratista
from blueprints.main import bp


@bp.route("/")
def index():
    if es_capturista():
        return redirect(url_for("capturista.inicio"))
    if not es_contratista():
        return redirect(url_for("auth.login"))
    return inicio()


@contratista_requerido
def inicio():
    return render_template("main/inicio.html")
