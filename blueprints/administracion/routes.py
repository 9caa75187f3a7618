from flask import render_template

from blueprints.administracion import bp


@bp.route("/alta-usuarios")
def alta_usuarios():
    return render_template("administracion/proximamente.html", titulo="Alta de usuarios")


@bp.route("/consulta")
def consulta():
    return render_template("administracion/proximamente.html", titulo="Consulta")


@bp.route("/exportar-excel")
def exportar_excel():
    return render_template("administracion/proximamente.html", titulo="Exportar Excel")
