"""Between tests the database is emptied and its ids start over (tests/conftest.py's ``app`` fixture
calls tests/ayudantes.vaciar_tablas), on SQLite and on PostgreSQL alike."""
from sqlalchemy import func, select

from extensions import db
from models import Contratista, RelacionCapturista
from tests.ayudantes import vaciar_tablas
from tests.security.mundo import crear_mundo


def _filas(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_vaciar_tablas_deja_cada_tabla_vacia_y_los_ids_desde_el_principio(app):
    crear_mundo(app)
    antes = _filas(app)
    assert sum(1 for n in antes.values() if n) >= 12, antes

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            vaciar_tablas(conn)
    assert set(_filas(app).values()) == {0}

    crear_mundo(app)  # the same world again gets the same ids
    with app.app_context():
        assert db.session.scalars(select(Contratista.id).order_by(Contratista.id)).all()[0] == 1
        assert min(db.session.scalars(select(RelacionCapturista.id))) == 1
