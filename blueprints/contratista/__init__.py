from flask import Blueprint

bp = Blueprint("contratista", __name__, url_prefix="/contratista")

from blueprints.contratista import routes  # noqa: E402,F401
