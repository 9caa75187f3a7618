"""Views whose URL holds a secret token (activation and password-reset links): no copy of the
answer in any cache, and the URL never sent on in a Referer header."""
from flask import current_app, request


def liga_secreta(vista):
    """Mark a view: every answer for its URL gets the headers of ``sin_copia_ni_referer``, error
    pages, CSRF refusals and 429s included (they pass the app's after_request too)."""
    vista.liga_secreta = True
    return vista


def sin_copia_ni_referer(respuesta):
    """after_request of the app (``register_security_headers``) for the views marked ``@liga_secreta``."""
    if getattr(current_app.view_functions.get(request.endpoint), "liga_secreta", False):
        respuesta.headers["Cache-Control"] = "no-store"
        respuesta.headers["Referrer-Policy"] = "no-referrer"
    return respuesta
