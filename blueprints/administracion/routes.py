from flask import render_template

from blueprints.administracion import bp


@bp.route("/consulta")
def consulta():
    return render_template("administracion/proximamente.html", titulo="Consulta")


@bp.route("/exportar-excel")
def exportar_excel():
    return render_template("administracion/proximamente.html", titulo="Exportar Excel")
