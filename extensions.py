"""Extensions created unbound; ``create_app`` binds them (``init_app``)."""
import sqlite3

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


@event.listens_for(Engine, "begin")
def _begin_sqlite(conexion) -> None:
    # pysqlite's implicit transactions break SAVEPOINT, and a deferred transaction that reads and
    # then writes fails at once ("database is locked") when another writer got in between.
    # IMMEDIATE takes the write lock up front, so concurrent requests wait (busy_timeout) instead.
    # A long read (an Excel export) asks for ``solo_lectura`` and gets a plain snapshot instead,
    # so it never holds the write lock.
    if conexion.dialect.name == "sqlite":
        modo = "BEGIN" if conexion.get_execution_options().get("solo_lectura") else "BEGIN IMMEDIATE"
        conexion.exec_driver_sql(modo)
