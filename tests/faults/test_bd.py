"""The database fails in the middle of a request that writes.

A service function the view calls is replaced by one that first pushes the half-done change to
the database (flush: the INSERT/UPDATE is really sent inside the open transaction) and then
raises. The contractor gets the Spanish 500 page, and nothing of the half-done change is left:
no relation, no capturista, no outbox row, no bitácora row, no changed estatus. The next request
works normally (the connection went back to the pool clean).
"""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import services.capturistas as servicio_capturistas
import services.correo as servicio_correo
from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, RelacionCapturista
from tests.faults.conftest import HX_ALTA, GRID, contar, guardar, hx_fila, post_fila, relacion_sembrada

TODAS = (RelacionCapturista, Capturista, CorreoSaliente, Bitacora)


@pytest.fixture(autouse=True)
def pagina_de_error(app):
    """As in production: an unhandled exception becomes the 500 page instead of reaching the test."""
    app.config["PROPAGATE_EXCEPTIONS"] = False


def _falla_a_medias(real_de_la_base: bool = False):
    """A stand-in that flushes what the request has written so far, records what the open
    transaction sees, then fails like a lost connection (or with a real error from the database)."""
    visto: dict = {}

    def fallar(*args, **kwargs):
        db.session.flush()
        visto["relaciones"] = db.session.scalar(select(func.count(RelacionCapturista.id)))
        visto["capturistas"] = db.session.scalar(select(func.count(Capturista.id)))
        visto["bitacora"] = db.session.scalar(select(func.count(Bitacora.id)))
        visto["estatus"] = db.session.scalars(select(RelacionCapturista.estatus)).all()
        if real_de_la_base:
            db.session.execute(text("SELECT * FROM tabla_que_no_existe"))
        raise OperationalError("INSERT INTO bitacora (...) VALUES (...)", {},
                               ConnectionError("server closed the connection unexpectedly (falla inyectada)"))

    return fallar, visto


def _es_pagina_500(r) -> None:
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "Error del sistema" in html and "No se guardó ningún cambio parcial" in html


# --- Alta de usuarios: Guardar -----------------------------------------------------------------------

@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("modulo,funcion", [
    (servicio_capturistas, "registrar_bitacora"),  # after the relation (and the person) were added
    (servicio_correo, "encolar"),                   # after relation + bitácora, while queuing the e-mail
], ids=["bitacora", "correo"])
def test_guardar_con_la_base_caida_a_medias_no_deja_nada(app, client, escenario, monkeypatch, modulo, funcion,
                                                         con_htmx):
    fallar, visto = _falla_a_medias()
    monkeypatch.setattr(modulo, funcion, fallar)
    p = escenario["personas"][0]
    r = guardar(client, p.curp, headers=HX_ALTA if con_htmx else None)
    _es_pagina_500(r)
    assert visto["relaciones"] == 1 and visto["capturistas"] == 1  # it really was half-written...
    assert visto["bitacora"] == (1 if funcion == "encolar" else 0)
    assert contar(app, *TODAS) == (0, 0, 0, 0)                      # ...and none of it stayed

    monkeypatch.undo()  # the database is back: the same alta now goes through, once
    r = guardar(client, p.curp, headers=HX_ALTA if con_htmx else None)
    assert r.status_code == 303
    assert contar(app, *TODAS) == (1, 1, 1, 1)


def test_error_real_de_la_base_a_media_alta(app, client, escenario, monkeypatch):
    """The failing statement is executed by the database itself (on PostgreSQL it aborts the
    transaction): the 500 handler's rollback leaves the pooled connection usable."""
    fallar, visto = _falla_a_medias(real_de_la_base=True)
    monkeypatch.setattr(servicio_capturistas, "registrar_bitacora", fallar)
    p = escenario["personas"][1]
    _es_pagina_500(guardar(client, p.curp))
    assert visto["relaciones"] == 1
    assert contar(app, *TODAS) == (0, 0, 0, 0)
    monkeypatch.undo()
    for _ in range(3):  # more requests than one: any pooled connection must be clean
        assert client.get(GRID).status_code == 200
    assert guardar(client, p.curp).status_code == 303
    assert contar(app, *TODAS) == (1, 1, 1, 1)


# --- Consulta: row actions ------------------------------------------------------------------------------

@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
@pytest.mark.parametrize("accion,estatus,modulo,funcion", [
    ("eliminar", "pendiente", servicio_capturistas, "registrar_bitacora"),
    ("activar", "baja", servicio_capturistas, "registrar_bitacora"),
    ("enviar-email", "pendiente", servicio_correo, "encolar"),
])
def test_accion_de_fila_con_la_base_caida_a_medias_no_cambia_nada(app, client, escenario, monkeypatch, accion,
                                                                   estatus, modulo, funcion, con_htmx):
    rid = relacion_sembrada(app, escenario["id"], escenario["personas"][2], estatus=estatus)
    with app.app_context():
        antes = db.session.get(RelacionCapturista, rid)
        antes = (antes.estatus, antes.baja_en, antes.token_version, antes.liga_vence_en)
    fallar, visto = _falla_a_medias()
    monkeypatch.setattr(modulo, funcion, fallar)
    headers = hx_fila(rid) if con_htmx else None
    r = post_fila(client, f"{GRID}/{rid}/{accion}", headers=headers)
    _es_pagina_500(r)
    if accion != "enviar-email":
        assert visto["estatus"] != [estatus]  # the UPDATE had reached the database
    with app.app_context():
        despues = db.session.get(RelacionCapturista, rid)
        assert (despues.estatus, despues.baja_en, despues.token_version, despues.liga_vence_en) == antes
    assert contar(app, CorreoSaliente, Bitacora) == (0, 0)

    monkeypatch.undo()
    r = post_fila(client, f"{GRID}/{rid}/{accion}", headers=headers)
    assert r.status_code == (200 if con_htmx else 303)
    with app.app_context():
        assert db.session.scalars(select(Bitacora.accion)).all() == [
            {"eliminar": "baja", "activar": "activacion", "enviar-email": "reenvio"}[accion]]
