"""Application factory: ``flask --app app run``."""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.security import safe_join

from config import Config

# The key the repository once shipped as its default: public, so it signs nothing (F02).
CLAVE_PUBLICADA = "dev-solo-local-cambia-esta-clave"
LONGITUD_MINIMA_CLAVE = 32


def create_app(config: type[Config] = Config, **overrides) -> Flask:
    """Build the app from a config class plus keyword overrides (tests pass the database URL)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    check_secret_key(app)
    check_padron_url(app)
    os.makedirs(app.instance_path, exist_ok=True)

    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_static_versions(app)
    register_favicon(app)
    register_commands(app)
    return app


def check_secret_key(app: Flask) -> None:
    """Refuse to start with a missing, short or published key, outside debug and testing
    (there a random key is made for this process when none is set)."""
    if app.debug or app.testing:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    como = ("Genera una con: python3 -c 'import secrets; print(secrets.token_urlsafe(48))' "
            "y defínela en el entorno (consérvala estable y secreta).")
    for nombre, clave in [("SECRET_KEY", app.config.get("SECRET_KEY")),
                          *(("SECRET_KEY_FALLBACKS", c) for c in app.config.get("SECRET_KEY_FALLBACKS") or ())]:
        if not clave:
            raise RuntimeError(f"{nombre} no está definida. {como}")
        if clave == CLAVE_PUBLICADA:
            raise RuntimeError(f"{nombre} es la clave de desarrollo publicada en el repositorio. {como}")
        if len(clave) < LONGITUD_MINIMA_CLAVE:
            raise RuntimeError(f"{nombre} debe tener al menos {LONGITUD_MINIMA_CLAVE} caracteres. {como}")


def check_padron_url(app: Flask) -> None:
    """CURPs and names go to the padrón service: only over https, outside debug and testing."""
    if app.debug or app.testing or app.config.get("PADRON_FUENTE") != "http":
        return
    url = urlsplit(app.config.get("PADRON_URL") or "")
    if url.scheme.lower() != "https" or not url.netloc:
        raise RuntimeError(f"PADRON_URL debe ser una dirección https:// con PADRON_FUENTE=http "
                           f"(es {app.config.get('PADRON_URL')!r}).")


def register_logging(app: Flask) -> None:
    """Tokens of activation and reset links out of the dev server's access log and the app's own log."""
    from registro_accesos import instalar_filtro

    instalar_filtro(logging.getLogger("werkzeug"))
    instalar_filtro(app.logger)


def register_extensions(app: Flask) -> None:
    from extensions import compress, csrf, db, limiter, login_manager, mail, migrate

    if app.config["PROXY_SALTOS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        saltos = app.config["PROXY_SALTOS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=saltos, x_proto=saltos, x_host=saltos)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)

    import models  # noqa: F401  (registers the tables on the metadata)
    from blueprints.auth.sesiones import register as register_sesiones
    from services.autenticacion import cargar_usuario

    login_manager.user_loader(cargar_usuario)
    register_sesiones(app)


def register_blueprints(app: Flask) -> None:
    from blueprints.activacion import bp as activacion_bp
    from blueprints.alta_usuarios import bp as alta_usuarios_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.captura import bp as captura_bp
    from blueprints.capturista import bp as capturista_bp
    from blueprints.consulta import bp as consulta_bp
    from blueprints.contratista import bp as contratista_bp
    from blueprints.efirma import register as register_efirma
    from blueprints.exportar_excel import bp as exportar_excel_bp
    from blueprints.ids import IdDeFila
    from blueprints.informativas import bp as informativas_bp
    from blueprints.main import bp as main_bp

    app.url_map.converters["id"] = IdDeFila  # <id:...> in a route: a row id, 1..2**31-1
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(contratista_bp)
    app.register_blueprint(alta_usuarios_bp)
    app.register_blueprint(activacion_bp)
    app.register_blueprint(capturista_bp)
    app.register_blueprint(captura_bp)
    app.register_blueprint(consulta_bp)
    app.register_blueprint(exportar_excel_bp)
    app.register_blueprint(informativas_bp)
    register_efirma(app)  # the views that receive an e.firma read their upload under its own limits


def register_errorhandlers(app: Flask) -> None:
    from blueprints.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from blueprints.main.filters import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from blueprints.liga_secreta import sin_copia_ni_referer

    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Pages, fragments and downloads hold personal data: no copy on disk for Back after logout
        # (no-cache still stores). Static files come with their own Cache-Control from send_file.
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        # Only over https: http://127.0.0.1 in development must not be pinned to https.
        if app.config.get("SESSION_COOKIE_SECURE") and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    app.after_request(sin_copia_ni_referer)  # activation and reset links: also no Referer


def register_static_versions(app: Flask) -> None:
    """``url_for('static', ...)`` adds ``?v=<hash of the file>``: that URL never changes content, so it
    is cached for a year; any other static URL keeps send_file's revalidation (no-cache + ETag)."""
    versiones: dict[str, tuple[tuple[int, int], str]] = {}

    def version(nombre: str) -> str | None:
        ruta = safe_join(app.static_folder, nombre)
        try:
            estado = os.stat(ruta) if ruta else None
        except OSError:
            return None
        if estado is None:
            return None
        firma = (estado.st_mtime_ns, estado.st_size)
        if nombre not in versiones or versiones[nombre][0] != firma:
            with open(ruta, "rb") as archivo:
                versiones[nombre] = (firma, hashlib.sha256(archivo.read()).hexdigest()[:12])
        return versiones[nombre][1]

    @app.url_defaults
    def _con_version(endpoint, valores):
        if endpoint == "static" and "v" not in valores and (v := version(valores.get("filename", ""))):
            valores["v"] = v

    @app.after_request
    def _estatico_inmutable(respuesta):
        if (request.endpoint == "static" and respuesta.status_code == 200 and request.args.get("v")
                and request.args["v"] == version(request.view_args["filename"])):
            respuesta.cache_control.no_cache = None
            respuesta.cache_control.public = True
            respuesta.cache_control.max_age = 365 * 24 * 3600
            respuesta.cache_control.immutable = True
        return respuesta


def register_favicon(app: Flask) -> None:
    """The icon's one address is ``/favicon.ico``, the one browsers and other clients ask for first:
    a second rule of the ``static`` endpoint (so it is a static file like any other, versioned and
    cached by ``register_static_versions``). ``url_for('static', filename='img/favicon.svg')``
    builds it, and ``/static/img/favicon.svg`` redirects to it."""
    app.add_url_rule("/favicon.ico", endpoint="static", view_func=app.view_functions["static"],
                     defaults={"filename": "img/favicon.svg"})


def register_commands(app: Flask) -> None:
    from commands import register

    register(app)
