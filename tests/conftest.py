"""Fixtures shared by the whole suite (flaskr style: app, client, runner).

The database is SQLite in a temporary file by default and PostgreSQL when
TEST_DATABASE_URL is set; `make test` runs the suite once on each. The schema is only
ever created by the Alembic migrations, once per session; each test then starts from
empty tables.
"""
from __future__ import annotations

import email
import email.policy
import os
import re
import socket

import tempfile

import pytest
from aiosmtpd.controller import Controller

# Huey's queue for the tests lives in a throwaway file (set before `tareas` is imported).
os.environ.setdefault("HUEY_SQLITE", os.path.join(tempfile.mkdtemp(prefix="huey-pruebas-"), "huey.sqlite"))
from sqlalchemy import create_engine, text

from app import create_app
from config import TestConfig
from extensions import db, mail

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _url_base(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'pruebas.db'}"


def _vaciar_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """An empty database migrated to head with ``flask db upgrade`` (Flask-Migrate)."""
    from flask_migrate import upgrade

    url = _url_base(tmp_path_factory)
    if url.startswith("postgresql"):
        _vaciar_postgres(url)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url,
                     EXPORTACION_DIR=str(tmp_path / "exportaciones"))
    yield app
    with app.app_context():
        db.session.remove()
        tablas = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tablas)} RESTART IDENTITY CASCADE"))
            else:
                for tabla in tablas:
                    conn.execute(text(f"DELETE FROM {tabla}"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_de(respuesta) -> str:
    m = CSRF_RE.search(respuesta.get_data(as_text=True))
    assert m, "la página no tiene token CSRF"
    return m.group(1)


def enviar(client, url: str, datos: dict, *, desde: str | None = None, **kwargs):
    """Submit a form like a browser: GET the page that holds it, take its CSRF token, POST."""
    pagina = client.get(desde or url)
    return client.post(url, data={"csrf_token": csrf_de(pagina), **datos}, **kwargs)


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Buzon:
    """aiosmtpd handler: keeps every message it receives, parsed."""

    def __init__(self):
        self.mensajes: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.mensajes.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def apuntar_smtp(app, puerto: int) -> None:
    """Point Flask-Mail at 127.0.0.1:puerto and really send (tests suppress mail otherwise)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=puerto, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5)
    mail.init_app(app)


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback; the app sends to it."""
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=puerto_libre())
    controlador.start()
    apuntar_smtp(app, controlador.port)
    yield buzon
    controlador.stop()


def entregar_correos(app) -> int:
    """Deliver the outbox now, as the Huey worker would (flows that must not reveal by their
    timing whether a message was queued never send inline)."""
    from services.correo import enviar_pendientes

    with app.app_context():
        enviados, _ = enviar_pendientes()
        db.session.remove()
    return enviados
