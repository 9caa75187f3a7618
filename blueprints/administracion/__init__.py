"""Menú Administración: Alta de usuarios, Consulta, Exportar Excel.

Every view here needs a logged-in contractor whose Datos Generales are registered.
"""
from flask import Blueprint

from blueprints.auth.services import exigir_datos_generales

bp = Blueprint("administracion", __name__, url_prefix="/administracion")
bp.before_request(exigir_datos_generales)


from blueprints.administracion import routes  # noqa: E402,F401
