"""SQLite writers of one process take their turn on a lock, in order, instead of sleeping in SQLite's
busy handler (1, 2, 5 … 100 ms between tries, nobody served in order: with four threads writing, a
row action waited up to 770 ms in bench/http_wrk.py). The turn is always given back: after COMMIT, after
ROLLBACK, after an error, when the connection goes back to the pool. On PostgreSQL nothing of this
applies (row locks)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from extensions import _escritores, db
from models import Contratista
from tests.factories import crear_contratista


@pytest.fixture
def sqlite(app, database_url):
    if not database_url.startswith("sqlite"):
        # The lock exists for SQLite alone: on PostgreSQL there must be none.
        with app.app_context():
            crear_contratista()
            assert all(not str(k).startswith("postgresql") for k in _escritores)
        return None
    return app


def _turno(app):
    with app.app_context():
        return _escritores[str(db.engine.url)]


def _libre(candado) -> bool:
    """Whether another thread could take the turn now."""
    resultado = []

    def probar():
        tomado = candado.acquire(timeout=0.5)
        resultado.append(tomado)
        if tomado:
            candado.release()

    hilo = threading.Thread(target=probar)
    hilo.start()
    hilo.join()
    return resultado[0]


def test_el_turno_se_devuelve_siempre(sqlite):
    if sqlite is None:
        return
    app = sqlite
    with app.app_context():
        contratista = crear_contratista()
        cid = contratista.id
    candado = _turno(app)
    assert _libre(candado)
    with app.app_context():
        db.session.get(Contratista, cid).correo = "otro@correo.example"
        db.session.flush()
        assert not _libre(candado)  # held during the write transaction
        db.session.commit()
        assert _libre(candado)
        db.session.get(Contratista, cid).correo = "tercero@correo.example"
        db.session.flush()
        db.session.rollback()
        assert _libre(candado)
        with pytest.raises(OperationalError):
            db.session.execute(text("INSERT INTO tabla_que_no_existe VALUES (1)"))
        db.session.rollback()
        assert _libre(candado)
        db.session.get(Contratista, cid).correo = "cuarto@correo.example"
        db.session.flush()
    # The app context ended without commit or rollback: the connection went back to the pool.
    assert _libre(candado)


def test_los_escritores_esperan_su_turno_fuera_de_sqlite(sqlite):
    """While one writer holds the database, four more threads that want to write wait for their turn
    on the lock: none of them has sent BEGIN IMMEDIATE (which would put it in SQLite's busy handler,
    napping up to 100 ms between tries); once the first commits, all four write."""
    if sqlite is None:
        return
    app = sqlite
    from sqlalchemy import event

    with app.app_context():
        cid = crear_contratista().id
        motor = db.engine
    principal = threading.get_ident()
    ajenos = []

    def contar(conexion, cursor, sentencia, *args):
        if sentencia == "BEGIN IMMEDIATE" and threading.get_ident() != principal:
            ajenos.append(sentencia)

    listo = threading.Event()
    llegaron = threading.Semaphore(0)
    errores = []

    def escribir(i):
        listo.wait()
        with app.app_context():
            llegaron.release()
            try:
                db.session.get(Contratista, cid).correo = f"hilo{i}@correo.example"
                db.session.commit()
            except Exception as exc:  # reported below
                errores.append(exc)

    event.listen(motor, "before_cursor_execute", contar)
    try:
        hilos = [threading.Thread(target=escribir, args=(i,)) for i in range(4)]
        for h in hilos:
            h.start()
        with app.app_context():
            db.session.get(Contratista, cid).correo = "primero@correo.example"
            db.session.flush()
            listo.set()
            for _ in hilos:
                assert llegaron.acquire(timeout=10)
            time.sleep(0.2)  # time for each to reach its wait
            assert ajenos == []  # all four wait on the lock, none in SQLite
            db.session.commit()
        for h in hilos:
            h.join(20)
    finally:
        event.remove(motor, "before_cursor_execute", contar)
    assert errores == [] and len(ajenos) == 4
