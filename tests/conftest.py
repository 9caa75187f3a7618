"""Fixtures shared by the whole suite (flaskr style: app, client, runner), the SMTP server and the
contractor most tests start from. Helpers are in tests/ayudantes.py, data builders in tests/factories.py.

The database is SQLite in a temporary file by default and PostgreSQL when
TEST_DATABASE_URL is set; `make test` runs the suite on each, both at once. The schema is only
ever created by the Alembic migrations, once per session; each test then starts from
empty tables.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

# Huey's queue for the tests lives in a throwaway file (set before `tareas` is imported).
os.environ.setdefault("HUEY_SQLITE", os.path.join(tempfile.mkdtemp(prefix="huey-pruebas-"), "huey.sqlite"))
from sqlalchemy import create_engine, text

from app import create_app
from config import Config, TestConfig
from extensions import db
from tests.ayudantes import (
    Buzon,
    apuntar_smtp,
    iniciar_sesion,
    puerto_libre,
    servidor_redis,
    servidor_smtp,
    vaciar_tablas,
)
from tests.efirma import autoridad, der, fiel
from tests.factories import cargar_padron, crear_contratista


def pytest_addoption(parser):
    parser.addoption("--navegador-al-final", action="store_true",
                     help="correr tests/browser al final (make test lo pide a la suite de PostgreSQL: así "
                          "no abre Chromium a la vez que la de SQLite, que empieza por ahí)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--navegador-al-final"):
        # A stable sort: each group keeps its own order.
        items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))


# SQLite's file goes to RAM where the machine has it: the suite commits thousands of times, and on
# disk each commit waits for fsync (~6 ms here). SQLite behaves the same; only what survives a power
# cut differs, which no test looks at.
MEMORIA = "/dev/shm"


@contextmanager
def _base_vacia(tmp_path_factory):
    """TEST_DATABASE_URL with its schema dropped and created anew, or a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql"):
            _vaciar_postgres(url)
        yield url
    elif os.path.isdir(MEMORIA) and os.access(MEMORIA, os.W_OK):
        carpeta = tempfile.mkdtemp(prefix="icsoe-pruebas-", dir=MEMORIA)
        try:
            yield f"sqlite:///{carpeta}/pruebas.db"
        finally:
            shutil.rmtree(carpeta, ignore_errors=True)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'pruebas.db'}"


def _vaciar_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        # As with SQLite in RAM: a commit need not wait for the disk (every later connection to this
        # test database; what other transactions see is the same). Only the database's owner may say so.
        conn.execute(text("""DO $$BEGIN
            IF (SELECT pg_has_role(datdba, 'USAGE') FROM pg_database WHERE datname = current_database()) THEN
              EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database());
            END IF; END$$"""))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """An empty database migrated to head with ``flask db upgrade`` (Flask-Migrate)."""
    from flask_migrate import upgrade

    with _base_vacia(tmp_path_factory) as url:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def app(database_url, tmp_path):
    (tmp_path / "efirma_ca").mkdir()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url,
                     EXPORTACION_DIR=str(tmp_path / "exportaciones"), CARGA_DIR=str(tmp_path / "cargas"),
                     EFIRMA_CA_DIR=str(tmp_path / "efirma_ca"))
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            vaciar_tablas(conn)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback; the app sends to it."""
    puerto = puerto_libre()
    with servidor_smtp(Buzon(), puerto) as buzon:
        apuntar_smtp(app, puerto)
        yield buzon


@pytest.fixture
def redis_url(tmp_path):
    """A real Redis server of this test's own (Debian's redis-server on a free loopback port)."""
    with servidor_redis(tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def cola_huey(request, monkeypatch, tmp_path):
    """``tareas.huey`` on each queue it is built with (``tareas._crear_huey`` from ``Config``): a
    SQLite file without REDIS_URL and, with REDIS_URL, a real Redis server. Every test that runs a
    Huey consumer takes it, so the tasks travel through both brokers."""
    import tareas

    monkeypatch.setattr(Config, "REDIS_URL", request.getfixturevalue("redis_url") if request.param == "redis" else None)
    monkeypatch.setattr(Config, "HUEY_SQLITE", str(tmp_path / "huey" / "huey.sqlite"))
    cola = tareas._crear_huey()
    # The tasks are registered on tareas.huey: it keeps them and takes the new broker (Huey itself
    # swaps ``storage`` this way when it goes immediate).
    monkeypatch.setattr(tareas.huey, "storage", cola.storage)
    yield tareas.huey


@pytest.fixture
def consumidor(app, cola_huey):
    """A real Huey consumer (worker thread) running the tasks inside this test app, on each broker."""
    import tareas

    tareas.usar_app(app)
    cola_huey.flush()
    consumidor = cola_huey.create_consumer(workers=1, worker_type="thread", periodic=False,
                                           initial_delay=0.05, max_delay=0.2, check_worker_health=False)
    consumidor.start()  # worker threads; run() would also install signal handlers (main thread only)
    yield consumidor
    consumidor.stop(graceful=True)
    tareas.usar_app(None)


@pytest.fixture
def escenario(app, client):
    """A contractor with Datos Generales, a padrón of 12 people, and ``client`` logged in as it."""
    with app.app_context():
        contratista = crear_contratista(razon_social="Limpieza Industrial del Bajío, S.A. de C.V.")
        personas = cargar_padron(12)
        datos = {"rfc": contratista.rfc, "id": contratista.id, "personas": personas}
    iniciar_sesion(client, datos["rfc"])
    return datos


@pytest.fixture
def efirma_ca(app):
    """A test certification authority installed in the app's EFIRMA_CA_DIR: (certificate, key)."""
    ca = autoridad()
    (Path(app.config["EFIRMA_CA_DIR"]) / "ac_pruebas.cer").write_bytes(der(ca[0]))
    return ca


@pytest.fixture
def efirma_de(efirma_ca):
    """``efirma_de(contratista_o_rfc, **fiel_kwargs) -> (cer, key, password)``: a valid FIEL of that
    contractor, issued by the installed test CA (tests/efirma.py's ``fiel`` takes the other options)."""
    def _de(contratista, **opciones):
        return fiel(efirma_ca, rfc=getattr(contratista, "rfc", contratista), **opciones)

    return _de
