"""Throttles shared by several app instances through a real Redis server (F03/F04: "works with
several app instances"). Two apps built separately — two gunicorn workers, or two machines —
count one attacker's failures together, and a session ended on one is ended on the other."""
from __future__ import annotations

from app import create_app
from config import TestConfig
from tests.ayudantes import csrf_de, iniciar_sesion
from tests.factories import PASSWORD, crear_contratista


def _instancia(database_url, redis_url, tmp_path, nombre):
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI=redis_url,
                      EXPORTACION_DIR=str(tmp_path / nombre))


def test_dos_instancias_cuentan_juntas_los_fallos_y_las_sesiones(app, database_url, redis_url, tmp_path):
    with app.app_context():
        rfc = crear_contratista().rfc
    primera = _instancia(database_url, redis_url, tmp_path, "a")
    segunda = _instancia(database_url, redis_url, tmp_path, "b")
    # Separate limiter storages, as in separate processes, would each allow 5 failures.
    atacante = {"REMOTE_ADDR": "203.0.113.50"}
    for i in range(5):
        instancia = (primera, segunda)[i % 2]
        r = iniciar_sesion(instancia.test_client(), rfc, "Mala#clave2026", environ_base=atacante)
        assert r.status_code == 422
    for instancia in (primera, segunda):
        r = iniciar_sesion(instancia.test_client(), rfc, PASSWORD, environ_base=atacante)
        assert "demasiados intentos fallidos" in r.get_data(as_text=True), "el límite no se compartió"
    # The owner from elsewhere logs in on the first instance; the cookie also works on the second...
    duenio = primera.test_client()
    assert iniciar_sesion(duenio, rfc, PASSWORD).status_code == 303
    copia = segunda.test_client()
    cookie = duenio.get_cookie("session")
    copia.set_cookie(cookie.key, cookie.value)
    assert copia.get("/administracion/consulta").status_code == 200
    # ...until Cerrar sesión on the first one ends it everywhere.
    pagina = duenio.get("/")
    assert duenio.post("/cuenta/cerrar-sesion", data={"csrf_token": csrf_de(pagina)}).status_code == 303
    assert copia.get("/administracion/consulta").status_code == 302
