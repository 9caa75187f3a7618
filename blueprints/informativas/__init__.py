"""Informativas, the contractor's side: the informativas its capturistas prepare, by period; a read-only
view of each (its checklist, contracts and workers, its bitácora, Exportar) and Devolver para corrección
of one sent to signature. Like Administración, for a contractor with Datos Generales."""
from flask import Blueprint

from blueprints.auth.services import exigir_datos_generales

bp = Blueprint("informativas", __name__, url_prefix="/informativas")
bp.before_request(exigir_datos_generales)

from blueprints.informativas import firma, routes  # noqa: E402,F401
