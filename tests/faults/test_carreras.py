"""Races between requests, on SQLite and PostgreSQL alike (the suite runs on both).

Every request comes from its own logged-in test client, with its own CSRF token, and the
threads are released together by a barrier.
"""
from collections import Counter

import pytest
from sqlalchemy import select

from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, RelacionCapturista
from services.capturistas import MENSAJE_DUPLICADA
from tests.ayudantes import (
    ALTA,
    GRID,
    a_la_vez,
    contar_filas,
    csrf_de,
    datos_alta,
    formulario_alta,
    hx_fila,
    iniciar_sesion,
)
from tests.factories import cargar_padron, crear_contratista, relacion_sembrada

N_GUARDAR = 20
N_ACCIONES = 20  # half Eliminar, half Activar, interleaved
RONDAS = 3


def _clientes(app, rfc: str, n: int):
    clientes = []
    for _ in range(n):
        cliente = app.test_client()
        assert iniciar_sesion(cliente, rfc).status_code == 303
        clientes.append(cliente)
    return clientes


@pytest.mark.parametrize("misma_clave", [True, False], ids=["doble-clic", "veinte-pestanas"])
def test_veinte_guardar_simultaneos_de_la_misma_curp(app, misma_clave):
    with app.app_context():
        rfc = crear_contratista().rfc
        persona = cargar_padron(2)[0]
    envios = []
    clave_comun = None
    for cliente in _clientes(app, rfc, N_GUARDAR):
        token, clave = formulario_alta(cliente, persona.curp)  # each client its own CSRF token and form
        clave_comun = clave_comun or clave
        datos = datos_alta(token, clave_comun if misma_clave else clave, persona.curp, "carrera@correo.example")
        envios.append(lambda c=cliente, d=datos: c.post(ALTA, data=d))

    respuestas = a_la_vez(envios)

    codigos = Counter(r.status_code for r in respuestas)
    assert set(codigos) <= {303, 422}, codigos  # never a 500
    if misma_clave:  # the same rendered form: every click lands on the one relation
        assert codigos == {303: N_GUARDAR}
        assert len({r.headers["Location"] for r in respuestas}) == 1
    else:  # different forms: one wins, the rest are told the CURP is already registered
        assert codigos == {303: 1, 422: N_GUARDAR - 1}
        for r in respuestas:
            if r.status_code == 422:
                assert MENSAJE_DUPLICADA in r.get_data(as_text=True)
    assert contar_filas(app, RelacionCapturista, Capturista, CorreoSaliente, Bitacora) == (1, 1, 1, 1)


@pytest.mark.parametrize("inicial", ["pendiente", "baja"])
def test_eliminar_y_activar_en_paralelo_sobre_la_misma_fila(app, inicial):
    with app.app_context():
        contratista = crear_contratista()
        rfc, cid = contratista.rfc, contratista.id
        persona = cargar_padron(2)[0]
    rid = relacion_sembrada(app, cid, persona, estatus=inicial)
    clientes = _clientes(app, rfc, N_ACCIONES)
    tokens = [csrf_de(c.get(GRID)) for c in clientes]
    acciones = ["eliminar" if i % 2 == 0 else "activar" for i in range(N_ACCIONES)]
    con_htmx = [i % 4 < 2 for i in range(N_ACCIONES)]  # both kinds of request, both actions

    def peticion(i):
        return lambda: clientes[i].post(f"{GRID}/{rid}/{acciones[i]}", data={"csrf_token": tokens[i], "volver": GRID},
                                        headers=hx_fila(rid) if con_htmx[i] else {})

    hechas = []
    for _ in range(RONDAS):
        respuestas = a_la_vez([peticion(i) for i in range(N_ACCIONES)])
        antes = len(hechas)
        for i, r in enumerate(respuestas):
            exito = 200 if con_htmx[i] else 303
            assert r.status_code in (exito, 409), (acciones[i], r.status_code)  # never a 500
            if r.status_code == 409:
                assert "dado de baja" in r.get_data(as_text=True)
            else:
                hechas.append(acciones[i])
        # Whatever the state at the start of a round, ten requests asked for the action it allows.
        assert len(hechas) > antes

    with app.app_context():
        relacion = db.session.get(RelacionCapturista, rid)
        entradas = db.session.scalars(select(Bitacora).where(Bitacora.relacion_id == rid).order_by(Bitacora.id)).all()
        final, baja_en = relacion.estatus, relacion.baja_en
        bitacora = [(e.accion, e.detalle) for e in entradas]

    # One bitácora entry per successful request, of the same kind.
    assert Counter(a for a, _ in bitacora) == Counter(
        {"baja": hechas.count("eliminar"), "activacion": hechas.count("activar")})
    # Replaying the bitácora from the starting state: each entry was allowed by the state before it.
    estado = inicial
    for accion, detalle in bitacora:
        if accion == "baja":
            assert estado != "baja" and detalle["estatus_anterior"] == estado
            estado = "baja"
        else:
            assert accion == "activacion" and estado == "baja" and detalle["estatus_nuevo"] == "pendiente"
            estado = "pendiente"
    assert final == estado  # the last entry matches the final estatus
    assert (baja_en is not None) == (final == "baja")


N_EXPORTAR = 8


def test_f12_exportaciones_simultaneas_crean_un_solo_trabajo(app, monkeypatch):
    """F12: several background-export requests of one contractor at once (double click, tabs) end
    in one job; every request is sent to it. The check and the insert are serialized by the lock on
    the contractor's row (BEGIN IMMEDIATE on SQLite); the creation is slowed down so that, without
    the lock, every request would pass the check before any insert."""
    import time

    import services.exportar as servicio
    from models import Exportacion

    app.config["EXPORTACION_UMBRAL"] = 1
    original = servicio.nombre_archivo

    def nombre_lento(*args):
        time.sleep(0.2)
        return original(*args)

    monkeypatch.setattr(servicio, "nombre_archivo", nombre_lento)
    with app.app_context():
        contratista = crear_contratista()
        rfc, cid = contratista.rfc, contratista.id
        for persona in cargar_padron(3):
            relacion_sembrada(app, cid, persona)
    clientes = _clientes(app, rfc, N_EXPORTAR)
    tokens = [csrf_de(c.get("/administracion/exportar-excel")) for c in clientes]

    respuestas = a_la_vez([lambda c=c, t=t: c.post("/administracion/exportar-excel", data={"csrf_token": t})
                           for c, t in zip(clientes, tokens, strict=True)])

    assert [r.status_code for r in respuestas] == [303] * N_EXPORTAR
    with app.app_context():
        [eid] = db.session.scalars(select(Exportacion.id).where(Exportacion.contratista_id == cid))
    assert {r.headers["Location"] for r in respuestas} == {f"/administracion/exportar-excel/{eid}"}
