"""Administración → Consulta: the grid of capturistas and its row actions
(Editar, Enviar email, Eliminar, Activar, Bitácora). Each action works as a plain form
(POST → 303 → the grid) and, with htmx, swaps only its own row."""
from flask import Blueprint

from blueprints.auth.services import exigir_datos_generales

bp = Blueprint("consulta", __name__, url_prefix="/administracion/consulta")
bp.before_request(exigir_datos_generales)

from blueprints.consulta import routes  # noqa: E402,F401
