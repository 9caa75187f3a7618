"""Issue 13 (1): requests that only read never wait for a writer. SQLite allows one writer at a
time: a GET used to open BEGIN IMMEDIATE and queue behind it (up to busy_timeout, then a 500)."""
from __future__ import annotations

import sqlite3
import time

from sqlalchemy import create_engine, make_url, text

from extensions import db
from tests.ayudantes import iniciar_sesion
from tests.factories import crear_contratista, crear_persona, crear_relacion


def test_una_lectura_no_espera_a_un_escritor(app, client, database_url):
    with app.app_context():
        contratista = crear_contratista(razon_social="Lecturas Concurrentes, S.A.")
        persona = crear_persona("PEGL850304HJCRRS07", "JOSÉ LUIS", "PÉREZ", "GARCÍA")
        relacion = crear_relacion(contratista, persona, correo="jose@correo.example")
        db.session.commit()
        rfc, rid = contratista.rfc, relacion.id
    assert iniciar_sesion(client, rfc).status_code == 303
    # Another process is in the middle of a write and keeps its transaction open.
    if database_url.startswith("sqlite"):
        escritor = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=1)
        escritor.execute("BEGIN IMMEDIATE")
        escritor.execute("UPDATE relacion_capturista SET telefono = '5500000000' WHERE id = ?", (rid,))
        soltar = escritor.rollback
        cerrar = escritor.close
    else:
        motor = create_engine(database_url)
        conexion = motor.connect()
        transaccion = conexion.begin()
        conexion.execute(text("UPDATE relacion_capturista SET telefono = '5500000000' WHERE id = :id"), {"id": rid})
        soltar = transaccion.rollback

        def cerrar():
            conexion.close()
            motor.dispose()
    try:
        for url in ("/administracion/consulta", f"/administracion/consulta/{rid}/bitacora", "/"):
            inicio = time.perf_counter()
            r = client.get(url)
            segundos = time.perf_counter() - inicio
            assert r.status_code == 200, (url, r.status_code)
            assert segundos < 2, f"{url} esperó {segundos:.1f} s al escritor"
        # It reads the last committed state, not the writer's unfinished change.
        assert "5500000000" not in client.get("/administracion/consulta").get_data(as_text=True)
    finally:
        soltar()
        cerrar()
