"""The schema comes only from the migrations, and the models agree with them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from app import create_app
from config import TestConfig
from extensions import db, incluir_en_dialecto


def test_modelos_y_migraciones_coinciden(app):
    with app.app_context():
        with db.engine.connect() as conn:
            contexto = MigrationContext.configure(
                conn, opts={"include_object": incluir_en_dialecto(conn.dialect.name)})
            diferencias = compare_metadata(contexto, db.metadata)
    assert diferencias == []


def test_base_en_la_ultima_revision(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        with db.engine.connect() as conn:
            actual = MigrationContext.configure(conn).get_current_revision()
    assert actual == script.get_current_head()


def _url_aislada(database_url, tmp_path):
    """A brand-new empty database beside the test one (PostgreSQL) or a new SQLite file."""
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        nueva = f"{url.database}_migraciones"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{nueva}"'))
            conn.execute(text(f'CREATE DATABASE "{nueva}"'))
        engine.dispose()
        return url.set(database=nueva).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'migraciones.db'}"


def test_upgrade_downgrade_upgrade_en_base_vacia(database_url, tmp_path):
    url = _url_aislada(database_url, tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        tablas = set(inspect(db.engine).get_table_names())
        assert {"contratista", "datos_generales", "alembic_version"} <= tablas
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert {"contratista", "datos_generales"} <= set(inspect(db.engine).get_table_names())
        indices = {i["name"] for i in inspect(db.engine).get_indexes("relacion_capturista")}
        assert "ix_relacion_capturista_contratista_nombre" in indices
        assert ("ix_relacion_capturista_busqueda_trgm" in indices) == url.startswith("postgresql")
        db.engine.dispose()
