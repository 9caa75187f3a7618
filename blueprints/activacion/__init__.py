"""Public activation page: the link from the e-mail creates the capturista's usuario and contraseña."""
from flask import Blueprint

bp = Blueprint("activacion", __name__, url_prefix="/activacion")


@bp.after_request
def _sin_cache(respuesta):
    # The URL holds a secret token: keep it out of caches and of any Referer header.
    respuesta.headers["Cache-Control"] = "no-store"
    respuesta.headers["Referrer-Policy"] = "no-referrer"
    return respuesta


from blueprints.activacion import routes  # noqa: E402,F401
