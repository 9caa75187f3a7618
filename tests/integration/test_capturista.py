"""Ingreso del capturista, choosing the contractor, baja taking effect, Recuperar contraseña."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select, update

from extensions import db
from models import Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import (
    LIGA_RESTABLECER_CAPTURISTA_RE,
    LOGIN_CAPTURISTA,
    csrf_de,
    elegir_contratista,
    entregar_correos,
    enviar,
    iniciar_sesion,
    iniciar_sesion_capturista,
    liga_de,
)
from tests.factories import crear_capturista_activo, crear_contratista


@pytest.fixture
def dos_contratistas(app):
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Servicios, S.A.")
        b = crear_contratista(razon_social="Beta Obras, S.A.")
        capturista = crear_capturista_activo(a, b)
        return {"a": a.id, "b": b.id, "capturista": capturista.id}


def test_login_elige_contratista_y_trabaja(client, dos_contratistas):
    r = iniciar_sesion_capturista(client, usuario="  Maria.Lopez ")
    assert r.status_code == 303 and r.headers["Location"] == "/capturista/contratistas"
    html = client.get("/capturista/contratistas").get_data(as_text=True)
    assert "Alfa Servicios, S.A." in html and "Beta Obras, S.A." in html
    assert elegir_contratista(client, dos_contratistas["b"]).status_code == 303
    html = client.get("/capturista/").get_data(as_text=True)
    assert "Estás capturando para <strong>Beta Obras, S.A.</strong>" in html


def test_capturista_no_entra_a_paginas_de_contratista(client, dos_contratistas):
    iniciar_sesion_capturista(client)
    for url in ("/administracion/alta-usuarios/", "/administracion/consulta", "/contratista/datos-generales"):
        r = client.get(url)
        assert r.status_code == 302 and "/cuenta/iniciar-sesion" in r.headers["Location"], url


def test_contratista_no_es_capturista(client, app, dos_contratistas):
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    r = client.get("/capturista/")
    assert r.status_code == 302 and LOGIN_CAPTURISTA in r.headers["Location"]


def test_usuario_o_contrasena_incorrectos_y_espera(client, app, dos_contratistas):
    r = iniciar_sesion_capturista(client, password="Incorrecta2026")
    assert r.status_code == 422 and "El usuario o la contraseña son incorrectos." in r.get_data(as_text=True)
    r = iniciar_sesion_capturista(client, usuario="no.existe")
    assert "El usuario o la contraseña son incorrectos." in r.get_data(as_text=True)
    for _ in range(4):
        r = iniciar_sesion_capturista(client, password="Incorrecta2026")
    assert "demasiados intentos fallidos de inicio de sesión desde este equipo" in r.get_data(as_text=True)
    assert iniciar_sesion_capturista(client).status_code == 422
    # F04: the person, from another address, still gets in.
    r = iniciar_sesion_capturista(app.test_client(), environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 303


def test_no_puede_elegir_un_contratista_ajeno(client, app, dos_contratistas):
    with app.app_context():
        ajeno = crear_contratista().id
    iniciar_sesion_capturista(client)
    assert elegir_contratista(client, ajeno).status_code == 404
    assert elegir_contratista(client, "no-es-numero").status_code == 404
    r = client.get("/capturista/")
    assert r.status_code == 302 and r.headers["Location"] == "/capturista/contratistas"


def test_baja_quita_el_acceso_en_la_siguiente_peticion(client, app, dos_contratistas):
    iniciar_sesion_capturista(client)
    elegir_contratista(client, dos_contratistas["a"])
    assert client.get("/capturista/").status_code == 200
    with app.app_context():
        db.session.execute(update(RelacionCapturista)
                           .where(RelacionCapturista.contratista_id == dos_contratistas["a"])
                           .values(estatus="baja"))
        db.session.commit()
    r = client.get("/capturista/")
    assert r.status_code == 302 and r.headers["Location"] == "/capturista/contratistas"
    html = client.get("/capturista/contratistas").get_data(as_text=True)
    assert "fue dado de baja" in html
    assert "Alfa Servicios" not in html and "Beta Obras, S.A." in html  # the other contractor is unaffected
    assert elegir_contratista(client, dos_contratistas["a"]).status_code == 404
    assert elegir_contratista(client, dos_contratistas["b"]).status_code == 303
    assert client.get("/capturista/").status_code == 200


def test_capturista_sin_activar_no_puede_iniciar_sesion(client, app, dos_contratistas):
    with app.app_context():
        db.session.execute(update(Capturista).values(usuario=None))
        db.session.commit()
    assert iniciar_sesion_capturista(client).status_code == 422


def _recuperar(client, curp, correo):
    return enviar(client, "/capturista/recuperar-contrasena", {"curp": curp, "correo": correo})


def test_recuperar_misma_respuesta_y_correo_solo_si_coincide(client, app, dos_contratistas, smtp):
    respuestas = [
        _recuperar(client, "HEGG560427MVZRRL04", "otro@correo.example"),
        _recuperar(client, "BEML920313HMCLNS09", "maria@correo.example"),
        _recuperar(client, "hegg560427mvzrrl04", "MARIA@correo.example"),
    ]
    assert {r.status_code for r in respuestas} == {303}
    assert {r.headers["Location"] for r in respuestas} == {LOGIN_CAPTURISTA}
    assert smtp.mensajes == []  # never inline: the answer's time does not tell a match (F08)
    entregar_correos(app)
    assert len(smtp.mensajes) == 1 and smtp.mensajes[0]["To"] == "maria@correo.example"
    html = client.get(LOGIN_CAPTURISTA).get_data(as_text=True)
    assert "Si la CURP y el correo electrónico corresponden" in html
    liga = liga_de(smtp.mensajes[0], LIGA_RESTABLECER_CAPTURISTA_RE)

    anonimo = app.test_client()
    assert anonimo.get(liga).status_code == 200
    r = enviar(anonimo, liga, {"password": "Nueva2026clave", "confirmar_password": "Nueva2026clave"})
    assert r.status_code == 303
    assert iniciar_sesion_capturista(anonimo, password="Nueva2026clave").status_code == 303
    # Single use: the password changed, so the link is dead.
    r = anonimo.get(liga)
    assert r.status_code == 410 and "no es válida" in r.get_data(as_text=True)


def test_recuperar_validaciones_y_liga_vencida(client, app, dos_contratistas, smtp):
    r = _recuperar(client, "", "no-es-correo")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Captura tu CURP." in html and "no tiene un formato válido" in html
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        _recuperar(client, "HEGG560427MVZRRL04", "maria@correo.example")
        entregar_correos(app)
    liga = liga_de(smtp.mensajes[0], LIGA_RESTABLECER_CAPTURISTA_RE)
    with time_machine.travel(inicio + timedelta(hours=24, seconds=1), tick=False):
        r = app.test_client().get(liga)
        assert r.status_code == 410 and "La liga venció" in r.get_data(as_text=True)
    assert app.test_client().get("/capturista/restablecer/alterada").status_code == 410


def test_restablecer_aplica_politica(client, app, dos_contratistas, smtp):
    _recuperar(client, "HEGG560427MVZRRL04", "maria@correo.example")
    entregar_correos(app)
    liga = liga_de(smtp.mensajes[0], LIGA_RESTABLECER_CAPTURISTA_RE)
    r = enviar(app.test_client(), liga, {"password": "maria.lopez99", "confirmar_password": "maria.lopez99"})
    assert r.status_code == 422 and "no puede contener" in r.get_data(as_text=True)


def test_f14_restablecer_rechaza_contrasena_comun(client, app, dos_contratistas, smtp):
    """F14: a password from the leaked list ("Password123") is refused at password reset; the old
    one still works."""
    _recuperar(client, "HEGG560427MVZRRL04", "maria@correo.example")
    entregar_correos(app)
    liga = liga_de(smtp.mensajes[0], LIGA_RESTABLECER_CAPTURISTA_RE)
    r = enviar(app.test_client(), liga, {"password": "Password123", "confirmar_password": "Password123"})
    assert r.status_code == 422
    assert ("La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."
            in r.get_data(as_text=True))
    assert iniciar_sesion_capturista(app.test_client(), password="Password123").status_code == 422
    assert iniciar_sesion_capturista(app.test_client()).status_code == 303


def test_recuperar_limitado_a_uno_por_minuto(client, app, dos_contratistas, smtp):
    for _ in range(3):
        _recuperar(client, "HEGG560427MVZRRL04", "maria@correo.example")
    entregar_correos(app)
    assert len(smtp.mensajes) == 1
    with app.app_context():
        assert db.session.query(CorreoSaliente).count() == 1


def test_activar_devuelve_el_acceso(client, app, dos_contratistas):
    from services.capturistas import dar_de_baja, reactivar

    iniciar_sesion_capturista(client)
    elegir_contratista(client, dos_contratistas["a"])
    with app.app_context():
        relacion = db.session.scalar(select(RelacionCapturista).where(
            RelacionCapturista.contratista_id == dos_contratistas["a"]))
        dar_de_baja(relacion, actor="prueba")
    assert client.get("/capturista/").status_code == 302
    with app.app_context():
        relacion = db.session.scalar(select(RelacionCapturista).where(
            RelacionCapturista.contratista_id == dos_contratistas["a"]))
        reactivar(relacion, actor="prueba")
        assert relacion.estatus == "activo"
    assert elegir_contratista(client, dos_contratistas["a"]).status_code == 303
    assert "Alfa Servicios, S.A." in client.get("/capturista/").get_data(as_text=True)


def test_elegir_sin_contratista_explica(client, dos_contratistas):
    iniciar_sesion_capturista(client)
    pagina = client.get("/capturista/contratistas")
    r = client.post("/capturista/contratistas", data={"csrf_token": csrf_de(pagina)})
    assert r.status_code == 422 and "Elige uno de los contratistas de la lista." in r.get_data(as_text=True)
