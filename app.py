"""Application factory: ``flask --app app run``."""
from __future__ import annotations

import os

from flask import Flask

from config import Config


def create_app(config: type[Config] = Config, **overrides) -> Flask:
    """Build the app from a config class plus keyword overrides (tests pass the database URL)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from extensions import csrf, db, limiter, login_manager, mail, migrate

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

    import models  # noqa: F401  (registers the tables on the metadata)
    from blueprints.auth.sesiones import register as register_sesiones
    from services.autenticacion import cargar_usuario

    login_manager.user_loader(cargar_usuario)
    register_sesiones(app)


def register_blueprints(app: Flask) -> None:
    from blueprints.activacion import bp as activacion_bp
    from blueprints.alta_usuarios import bp as alta_usuarios_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.capturista import bp as capturista_bp
    from blueprints.consulta import bp as consulta_bp
    from blueprints.exportar_excel import bp as exportar_excel_bp
    from blueprints.contratista import bp as contratista_bp
    from blueprints.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(contratista_bp)
    app.register_blueprint(alta_usuarios_bp)
    app.register_blueprint(activacion_bp)
    app.register_blueprint(capturista_bp)
    app.register_blueprint(consulta_bp)
    app.register_blueprint(exportar_excel_bp)


def register_errorhandlers(app: Flask) -> None:
    from blueprints.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from blueprints.main.filters import register

    register(app)


def register_security_headers(app: Flask) -> None:
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
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_commands(app: Flask) -> None:
    from commands import register

    register(app)
