"""Spanish error pages; the 500 handler rolls the session back so nothing half-written stays, and
says so only when the request had not committed anything before it failed. Every page answered
with an error status (a form with errors is 422) has a title that starts with "Error:"."""
from flask import Flask, g, has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event

from extensions import db

_MENSAJES = {
    400: ("Solicitud no válida", "La solicitud no se pudo procesar. Revisa los datos e inténtalo de nuevo."),
    403: ("Acceso denegado", "No tienes permiso para realizar esta acción."),
    404: ("Página no encontrada", "La página que buscas no existe o no tienes acceso a ella."),
    405: ("Método no permitido", "Esta dirección no admite esa operación."),
    413: ("Solicitud demasiado grande", "Los datos enviados exceden el tamaño permitido."),
    429: ("Demasiadas solicitudes", "Realizaste demasiadas solicitudes. Espera un momento e inténtalo de nuevo."),
    500: ("Error del sistema", "Ocurrió un error inesperado. No se guardó ningún cambio parcial; inténtalo de nuevo."),
}
_DESPUES_DE_GUARDAR = ("Ocurrió un error inesperado después de guardar parte de la operación. "
                       "Revisa el resultado antes de repetirla.")


def pagina_error(codigo: int, detalle: str | None = None):
    titulo, mensaje = _MENSAJES.get(codigo, _MENSAJES[500])
    return render_template("errors/error.html", codigo=codigo, titulo=titulo,
                           mensaje=detalle or mensaje), codigo


def _marcar_commit(sesion) -> None:
    # after_commit also fires when a SAVEPOINT (begin_nested) is released: only the real COMMIT counts.
    if has_request_context() and not sesion.in_nested_transaction():
        g.hubo_commit = True


def register(app: Flask) -> None:
    # Flask-SQLAlchemy's scoped session: the listener lands on its Session class, once per process.
    if not event.contains(db.session, "after_commit", _marcar_commit):
        event.listen(db.session, "after_commit", _marcar_commit)

    @app.before_request
    def _sin_commit_aun():
        # g outlives a request when the caller holds an app context (tests, stream_with_context).
        g.hubo_commit = False

    for codigo in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(codigo, lambda e, c=codigo: pagina_error(c, getattr(e, "spanish", None)))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return pagina_error(
            400,
            "El formulario caducó o no es válido (protección CSRF). Vuelve a cargar la página e inténtalo de nuevo.",
        )

    @app.before_request
    def _sin_caracter_nulo():
        # No field of ours takes a NUL character, and PostgreSQL cannot even compare text holding one
        # (psycopg raises: a 500). Refused up front, for every form field and query parameter.
        for datos in (request.args, request.form):
            if any("\x00" in valor for _, valores in datos.lists() for valor in valores):
                return pagina_error(400, "Los datos enviados contienen caracteres no válidos. Revísalos e inténtalo de nuevo.")
        return None

    @app.after_request
    def _titulo_de_error(respuesta):
        # The status is what makes a page an error state, and it is known only here, once the view
        # has answered: one place for every form with errors (422), refusal and error page.
        # Fragments have no <title> of their own (app.js marks the document's title for those).
        if (respuesta.status_code >= 400 and respuesta.mimetype == "text/html"
                and not respuesta.is_streamed and not respuesta.direct_passthrough):
            html = respuesta.get_data(as_text=True)
            if "<title>" in html and "<title>Error: " not in html:
                respuesta.set_data(html.replace("<title>", "<title>Error: ", 1))
        return respuesta

    @app.errorhandler(500)
    def _error_interno(e):
        db.session.rollback()
        return pagina_error(500, _DESPUES_DE_GUARDAR if g.get("hubo_commit") else None)
