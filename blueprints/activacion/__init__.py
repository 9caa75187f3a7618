"""Public activation page: the link from the e-mail creates the capturista's usuario and contraseña."""
from flask import Blueprint

bp = Blueprint("activacion", __name__, url_prefix="/activacion")

from blueprints.activacion import routes  # noqa: E402,F401
