"""Sessions that end: after SESION_INACTIVA_MINUTOS without a request (shared kiosk machines)."""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, request, session
from flask_login import current_user, logout_user

CLAVE = "_visto"


def _vigilar_inactividad():
    # Static files need no user: asking current_user would load it from the database for each one.
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    ahora = int(time.time())
    visto = session.get(CLAVE)
    limite = current_app.config["SESION_INACTIVA_MINUTOS"] * 60
    if isinstance(visto, int) and ahora - visto > limite:
        logout_user()
        session.clear()
        flash("Tu sesión se cerró por inactividad. Inicia sesión de nuevo.", "info")
        return None  # the view's own login check sends the user to the right login page
    if not isinstance(visto, int) or ahora - visto >= 60:  # rewrite the cookie at most once a minute
        session[CLAVE] = ahora
    return None


def register(app: Flask) -> None:
    app.before_request(_vigilar_inactividad)
