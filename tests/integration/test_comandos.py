"""``flask demo cargar``: a known RFC and password on a real server would be an open door, so the
command only runs in debug or when told so with ``--forzar`` (``make run DEMO=1`` passes it)."""
from sqlalchemy import func, select

from commands import DEMO_PASSWORD, DEMO_RFC
from extensions import db
from models import Contratista
from tests.ayudantes import iniciar_sesion


def _contratistas_demo(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contratista).where(Contratista.rfc == DEMO_RFC))


def test_demo_se_niega_fuera_de_depuracion(app, runner, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    resultado = runner.invoke(args=["demo", "cargar"])
    assert resultado.exit_code != 0
    assert "--forzar" in resultado.output and "depuración" in resultado.output
    assert _contratistas_demo(app) == 0


def test_demo_con_forzar(app, runner, client, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    resultado = runner.invoke(args=["demo", "cargar", "--forzar"])
    assert resultado.exit_code == 0, resultado.output
    assert runner.invoke(args=["demo", "cargar", "--forzar"]).exit_code == 0  # idempotent
    assert _contratistas_demo(app) == 1
    assert iniciar_sesion(client, DEMO_RFC, DEMO_PASSWORD).status_code == 303


def test_demo_en_depuracion(app, runner, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask --debug` sets; the CLI applies it to the app
    resultado = runner.invoke(args=["demo", "cargar"])
    assert resultado.exit_code == 0, resultado.output
    assert _contratistas_demo(app) == 1
