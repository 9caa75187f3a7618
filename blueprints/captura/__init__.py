"""The capturista's informativa workspace: its informativas by period, their contracts (a grid with
in-place Editar / Eliminar), the workers of each contract (one by one and by carga masiva), the
consistency checklist and Enviar a firma. Everything for the contractor chosen at login, while that
relation stays active (a baja takes effect on the next request)."""
from flask import Blueprint

bp = Blueprint("captura", __name__, url_prefix="/capturista/informativas")

from blueprints.captura import carga, contratos, envio, routes, trabajadores  # noqa: E402,F401
