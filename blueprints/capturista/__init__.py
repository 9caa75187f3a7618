"""The capturista's side: Ingreso del Capturista, choosing the contractor, Recuperar contraseña."""
from flask import Blueprint

bp = Blueprint("capturista", __name__, url_prefix="/capturista")

from blueprints.capturista import routes  # noqa: E402,F401
