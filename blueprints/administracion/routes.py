from flask import render_template

from blueprints.administracion import bp


@bp.route("/exportar-excel")
def exportar_excel():
    return render_template("administracion/proximamente.html", titulo="Exportar Excel")
