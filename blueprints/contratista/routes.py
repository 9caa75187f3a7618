from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.auth.services import contratista_requerido
from blueprints.contratista import bp
from blueprints.contratista.forms import DatosGeneralesForm
from services.contratistas import CAMPOS_DATOS_GENERALES, guardar_datos_generales


@bp.route("/datos-generales", methods=["GET", "POST"])
@contratista_requerido
def datos_generales():
    # Always the logged-in contractor's own record: there is no id in the URL to guess.
    datos = current_user.datos_generales
    form = DatosGeneralesForm(obj=datos)
    if form.validate_on_submit():
        guardar_datos_generales(current_user, {campo: form[campo].data for campo in CAMPOS_DATOS_GENERALES})
        flash("Los Datos Generales del Contratista se guardaron correctamente.", "success")
        return redirect(url_for("contratista.datos_generales"), 303)
    return render_template("contratista/datos_generales.html", form=form, datos=datos), (
        422 if form.errors else 200
    )
