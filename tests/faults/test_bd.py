"""The database fails in the middle of a request that writes.

A service function the view calls is replaced by one that first pushes the half-done change to
the database (flush: the INSERT/UPDATE is really sent inside the open transaction) and then
raises. The contractor gets the Spanish 500 page, and nothing of the half-done change is left:
no relation, no capturista, no outbox row, no bitácora row, no changed estatus. The next request
works normally (the connection went back to the pool clean).
"""
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import services.capturistas as servicio_capturistas
import services.correo as servicio_correo
from blueprints.escritura import escribe
from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, PersonaPadron, RelacionCapturista
from tests.ayudantes import GRID, HX_ALTA, contar_filas, guardar, hx_fila, post_fila
from tests.factories import relacion_sembrada

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


NADA_GUARDADO = "No se guardó ningún cambio parcial"
ALGO_GUARDADO = ("Ocurrió un error inesperado después de guardar parte de la operación. "
                 "Revisa el resultado antes de repetirla.")


def _es_pagina_500(r, guardado: bool = False) -> None:
    """The Spanish 500 page, telling the truth about what was already committed."""
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "Error del sistema" in html
    assert (ALGO_GUARDADO in html) is guardado and (NADA_GUARDADO in html) is not guardado


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
    assert contar_filas(app, *TODAS) == (0, 0, 0, 0)                      # ...and none of it stayed

    monkeypatch.undo()  # the database is back: the same alta now goes through, once
    r = guardar(client, p.curp, headers=HX_ALTA if con_htmx else None)
    assert r.status_code == 303
    assert contar_filas(app, *TODAS) == (1, 1, 1, 1)


def test_error_real_de_la_base_a_media_alta(app, client, escenario, monkeypatch):
    """The failing statement is executed by the database itself (on PostgreSQL it aborts the
    transaction): the 500 handler's rollback leaves the pooled connection usable."""
    fallar, visto = _falla_a_medias(real_de_la_base=True)
    monkeypatch.setattr(servicio_capturistas, "registrar_bitacora", fallar)
    p = escenario["personas"][1]
    _es_pagina_500(guardar(client, p.curp))
    assert visto["relaciones"] == 1
    assert contar_filas(app, *TODAS) == (0, 0, 0, 0)
    monkeypatch.undo()
    for _ in range(3):  # more requests than one: any pooled connection must be clean
        assert client.get(GRID).status_code == 200
    assert guardar(client, p.curp).status_code == 303
    assert contar_filas(app, *TODAS) == (1, 1, 1, 1)


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
    assert contar_filas(app, CorreoSaliente, Bitacora) == (0, 0)

    monkeypatch.undo()
    r = post_fila(client, f"{GRID}/{rid}/{accion}", headers=headers)
    assert r.status_code == (200 if con_htmx else 303)
    with app.app_context():
        assert db.session.scalars(select(Bitacora.accion)).all() == [
            {"eliminar": "baja", "activar": "activacion", "enviar-email": "reenvio"}[accion]]


# --- the 500 page after a commit --------------------------------------------------------------------------

@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_falla_despues_de_guardar_el_alta_lo_dice(app, client, escenario, monkeypatch, con_htmx):
    """The alta commits, then an unexpected error (here in sending the e-mail): the 500 page must not
    claim that nothing was saved, and the alta is indeed there."""
    import blueprints.alta_usuarios.routes as rutas_alta

    def fallar(*args, **kwargs):
        raise RuntimeError("falla inyectada después del commit")

    monkeypatch.setattr(rutas_alta, "intentar_envio", fallar)
    r = guardar(client, escenario["personas"][3].curp, headers=HX_ALTA if con_htmx else None)
    _es_pagina_500(r, guardado=True)
    assert contar_filas(app, RelacionCapturista, Capturista, CorreoSaliente) == (1, 1, 1)


@pytest.fixture
def rutas_de_prueba(app):
    """Views that only the tests have: commit then fail, fail before committing, just commit."""
    from models import PersonaPadron

    def escribir(curp: str) -> None:
        db.session.add(PersonaPadron(curp=curp, nombre="PRUEBA", primer_apellido="FALLA", segundo_apellido="",
                                     fecha_nacimiento=date(1990, 1, 1), sexo="H", entidad="09"))
        db.session.commit()

    def confirma_y_falla():
        escribir("PRUE900101HDFRRR01")
        raise RuntimeError("falla inyectada después del commit")

    def falla_antes():
        db.session.add(PersonaPadron(curp="PRUE900101HDFRRR02", nombre="PRUEBA", primer_apellido="FALLA",
                                     segundo_apellido="", fecha_nacimiento=date(1990, 1, 1), sexo="H", entidad="09"))
        db.session.flush()
        raise RuntimeError("falla inyectada antes del commit")

    def solo_confirma():
        escribir("PRUE900101HDFRRR03")
        return "ok"

    # GET views that write, marked as the app's own are (read requests skip SQLite's write lock).
    app.add_url_rule("/_prueba/confirma-y-falla", view_func=escribe(confirma_y_falla))
    app.add_url_rule("/_prueba/falla-antes", view_func=escribe(falla_antes))
    app.add_url_rule("/_prueba/confirma", view_func=escribe(solo_confirma))


def test_pagina_500_segun_haya_commit(app, client, rutas_de_prueba):
    _es_pagina_500(client.get("/_prueba/confirma-y-falla"), guardado=True)
    _es_pagina_500(client.get("/_prueba/falla-antes"), guardado=False)
    with app.app_context():
        assert db.session.scalars(select(PersonaPadron.curp)).all() == ["PRUE900101HDFRRR01"]


def test_el_commit_de_una_peticion_no_se_hereda(app, client, rutas_de_prueba):
    """Requests made while the test holds an app context share ``g``: the flag is per request."""
    with app.app_context():
        assert client.get("/_prueba/confirma").status_code == 200
        _es_pagina_500(client.get("/_prueba/falla-antes"), guardado=False)
