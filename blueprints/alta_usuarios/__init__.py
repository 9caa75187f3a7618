"""Administración → Alta de usuarios: CURP + Validar, datos de contacto + Guardar, confirmación; and the
carga masiva of many capturistas from one file (carga.py)."""
from flask import Blueprint

from blueprints.auth.services import exigir_datos_generales

bp = Blueprint("alta_usuarios", __name__, url_prefix="/administracion/alta-usuarios")
bp.before_request(exigir_datos_generales)

from blueprints.alta_usuarios import carga, routes  # noqa: E402,F401
