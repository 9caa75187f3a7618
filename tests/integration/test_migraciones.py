"""The schema comes only from the migrations, and the models agree with them."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from config import TestConfig
from extensions import db


def test_modelos_y_migraciones_coinciden(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diferencias = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diferencias == []


def test_base_en_la_ultima_revision(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        with db.engine.connect() as conn:
            actual = MigrationContext.configure(conn).get_current_revision()
    assert actual == script.get_current_head()


def _url_aislada(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS prueba_migraciones CASCADE"))
            conn.execute(text("CREATE SCHEMA prueba_migraciones"))
        engine.dispose()
        sep = "&" if "?" in database_url else "?"
        return database_url + sep + "options=-csearch_path%3Dprueba_migraciones"
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
        db.engine.dispose()
