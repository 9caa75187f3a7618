"""Menú Administración: Alta de usuarios, Consulta, Exportar Excel.

Every view here needs a logged-in contractor whose Datos Generales are registered.
"""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from blueprints.auth.services import es_contratista

bp = Blueprint("administracion", __name__, url_prefix="/administracion")


@bp.before_request
def _requiere_datos_generales():
    if not es_contratista():
        flash("Inicia sesión como contratista para continuar.", "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.datos_generales is None:
        flash("Antes de continuar debes registrar los Datos Generales del Contratista.", "warning")
        return redirect(url_for("contratista.datos_generales"), 303)
    return None


from blueprints.administracion import routes  # noqa: E402,F401
