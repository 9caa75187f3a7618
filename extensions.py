"""Extensions created unbound; ``create_app`` binds them (``init_app``)."""
import sqlite3
import threading

from flask import current_app, g, has_request_context, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


def incluir_en_dialecto(dialecto: str):
    """Alembic ``include_object``: an index declared for one dialect only (``ddl_if``) is not a
    difference on the others."""

    def include_object(obj, name, type_, reflected, compare_to):
        condicion = getattr(obj, "_ddl_if", None)
        if type_ == "index" and not reflected and condicion is not None and condicion.dialect:
            return condicion.dialect == dialecto
        return True

    return include_object


db = SQLAlchemy(model_class=Base)
# HTML, CSS, JS and JSON answers compressed for clients that accept it (zstd, br or gzip; Vary:
# Accept-Encoding). Static files and downloads are sent as they are.
compress = Compress()
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
mail = Mail()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Inicia sesión para continuar."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
# Throttles per client address (behind a proxy, ``PROXY_SALTOS`` makes ProxyFix give the real one).
# Storage: RATELIMIT_STORAGE_URI (Redis when several app instances share the counters).
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _pragmas_sqlite(conexion_dbapi, _registro) -> None:
    """SQLite: enforce foreign keys, WAL, wait for locks; SQLAlchemy (not pysqlite) runs transactions."""
    if isinstance(conexion_dbapi, sqlite3.Connection):
        cursor = conexion_dbapi.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()
        conexion_dbapi.isolation_level = None


# Requests that only read (GET, HEAD, OPTIONS) never take SQLite's write lock: they run in a plain
# snapshot transaction, so any number of them run at once beside one writer (WAL). Writes (POST, the
# worker, the CLI) take it up front with BEGIN IMMEDIATE: a deferred transaction that reads and then
# writes fails at once ("database is locked") when another writer got in between, while IMMEDIATE
# just waits (busy_timeout). The few GET views that write say so with ``@escribe``
# (blueprints/escritura.py). PostgreSQL needs none of this (MVCC, row locks).
METODOS_DE_LECTURA = frozenset({"GET", "HEAD", "OPTIONS"})


def peticion_de_lectura() -> bool:
    """True inside a request that only reads (a safe method whose view is not marked ``@escribe``)."""
    return has_request_context() and request.method in METODOS_DE_LECTURA and not g.get("escribe", False)


# Writers of one process queue for a database file in order, on a lock, instead of in SQLite's busy
# handler: that one sleeps 1, 2, 5 … 100 ms between tries and serves nobody in order, so with four
# threads writing, one could wait most of a second (the benchmark's row actions: p50 8 ms, p99 770 ms).
# Writers of other processes still meet in the busy handler, one per process at most. Held from
# BEGIN IMMEDIATE to COMMIT/ROLLBACK; never longer than busy_timeout (then SQLite's own wait applies).
_ESPERA_ESCRITOR = 15  # seconds, busy_timeout's
_escritores: dict[str, threading.RLock] = {}
_escritores_candado = threading.Lock()


def _escritor(conexion) -> threading.RLock:
    clave = str(conexion.engine.url)
    with _escritores_candado:
        return _escritores.setdefault(clave, threading.RLock())


@event.listens_for(Engine, "begin")
def _begin_sqlite(conexion) -> None:
    # pysqlite's implicit transactions break SAVEPOINT: SQLAlchemy runs BEGIN itself.
    # A long read outside a request (an Excel export) asks for ``solo_lectura``.
    if conexion.dialect.name != "sqlite":
        return
    if conexion.get_execution_options().get("solo_lectura") or peticion_de_lectura():
        conexion.exec_driver_sql("BEGIN")
        return
    candado = _escritor(conexion)
    if candado.acquire(timeout=_ESPERA_ESCRITOR):
        conexion.info["escritor"] = candado
    try:
        conexion.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _soltar_escritor(conexion)
        raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _soltar_escritor(conexion) -> None:
    if conexion.dialect.name == "sqlite":
        _soltar(conexion.info)


@event.listens_for(Pool, "checkin")
def _soltar_al_devolver(_conexion_dbapi, registro) -> None:
    """A connection back in the pool holds no writer's turn, however its transaction ended."""
    if registro is not None:
        _soltar(registro.info)


def _soltar(info: dict) -> None:
    candado = info.pop("escritor", None)
    if candado is not None:
        try:
            candado.release()
        except RuntimeError:  # not this thread's (cannot happen in a request; never fail the caller)
            pass


_ESCRITURA = ("INSERT", "UPDATE", "DELETE")


@event.listens_for(Engine, "before_cursor_execute")
def _vigilar_lecturas(conexion, cursor, sentencia, parametros, contexto, varios) -> None:
    """Under VERIFICAR_LECTURAS (the tests) a write inside a read-only request is a bug: on SQLite
    it could fail under load. Every route the suite visits is checked this way, on both databases."""
    if sentencia.lstrip()[:6].upper() in _ESCRITURA and peticion_de_lectura() \
            and current_app.config.get("VERIFICAR_LECTURAS"):
        raise RuntimeError(f"Escritura en una petición {request.method} {request.path}: marca la vista con @escribe")
