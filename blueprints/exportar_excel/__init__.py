"""Administración → Exportar Excel: the capturistas as .xlsx; large exports as a background job."""
from flask import Blueprint

from blueprints.auth.services import exigir_datos_generales

bp = Blueprint("exportar_excel", __name__, url_prefix="/administracion/exportar-excel")
bp.before_request(exigir_datos_generales)

from blueprints.exportar_excel import routes  # noqa: E402,F401
