"""Deterministic versions of what the property tests found (each was a 500, some only on PostgreSQL)."""
from __future__ import annotations

import base64
import json

import pytest

from tests.security.estadisticas import contar
from tests.security.mundo import ANONIMO, CAPTURISTA, DUENO, cliente_de, token_csrf

GRANDE = str(2**31)          # PostgreSQL integer overflows here
ENORME = "9" * 30            # SQLite cannot even bind it


def _cursor(valor, id_):
    return base64.urlsafe_b64encode(json.dumps([valor, id_]).encode()).decode().rstrip("=")


@pytest.mark.parametrize("numero", [GRANDE, ENORME])
def test_ids_fuera_de_rango_son_404(app, mundo, numero):
    duenio = cliente_de(app, mundo, DUENO)
    for url in (f"/administracion/consulta/{numero}", f"/administracion/consulta/{numero}/editar",
                f"/administracion/consulta/{numero}/bitacora", f"/administracion/exportar-excel/{numero}",
                f"/administracion/alta-usuarios/?guardado={numero}"):
        r = duenio.get(url)
        assert r.status_code == 404 and "Página no encontrada" in r.get_data(as_text=True), url
    r = duenio.post(f"/administracion/consulta/{numero}/eliminar", data={"csrf_token": token_csrf(duenio)})
    assert r.status_code == 404
    # Before signing in nobody learns anything: a number that cannot be an id is no URL of the app (404,
    # like a word in its place), and any id that could be one still leads to the login.
    anonimo = app.test_client()
    assert anonimo.get(f"/administracion/consulta/{numero}/editar").status_code == 404
    assert anonimo.get("/administracion/consulta/abc/editar").status_code == 404
    r = anonimo.get(f"/administracion/consulta/{2**31 - 1}/editar")
    assert r.status_code == 302 and "/cuenta/iniciar-sesion" in r.headers["Location"]
    capturista = cliente_de(app, mundo, CAPTURISTA)
    r = capturista.post("/capturista/contratistas", data={"csrf_token": token_csrf(capturista), "contratista_id": numero})
    assert r.status_code == 404
    r = capturista.post(f"/capturista/invitaciones/{numero}/aceptar", data={"csrf_token": token_csrf(capturista)})
    assert r.status_code == 404
    contar("regresiones_casos", 9)


def test_todo_id_de_la_ruta_tiene_cota(app):
    """Every number in a route is ``<id:...>``: a plain ``<int:...>`` would take ids beyond the columns again."""
    from werkzeug.routing.converters import NumberConverter

    from blueprints.ids import IdDeFila

    numeros = {f"{regla.rule} <{nombre}>": convertidor for regla in app.url_map.iter_rules()
               for nombre, convertidor in regla._converters.items() if isinstance(convertidor, NumberConverter)}
    assert numeros  # consulta, exportar-excel, capturista
    assert [donde for donde, convertidor in numeros.items() if not isinstance(convertidor, IdDeFila)] == []
    contar("regresiones_casos")


@pytest.mark.parametrize("cursor", [_cursor("2026-01-01T00:00:00+00:00", 2**63), _cursor("a", 2**31),
                                    _cursor("a\x00b", 1), _cursor("2026-01-01T00:00:00+00:00", True)])
def test_cursores_de_paginacion_raros_son_la_primera_pagina(app, mundo, cursor):
    duenio = cliente_de(app, mundo, DUENO)
    for orden in ("fecha", "curp"):
        r = duenio.get("/administracion/consulta", query_string={"despues": cursor, "orden": orden})
        assert r.status_code == 200
        r = duenio.get("/administracion/consulta", query_string={"antes": cursor, "orden": orden})
        assert r.status_code == 200
    contar("regresiones_casos", 4)


@pytest.mark.parametrize("url,datos", [
    ("/cuenta/iniciar-sesion", {"rfc": "\x00", "password": "x"}),
    ("/cuenta/registro", {"rfc": "ABC", "correo": "\x00@x.example", "password": "x", "confirmar_password": "x"}),
    ("/capturista/iniciar-sesion", {"usuario": "a\x00b", "password": "x"}),
    ("/capturista/recuperar-contrasena", {"curp": "\x00", "correo": "a@b.example"}),
])
def test_caracter_nulo_es_400_en_espanol(app, mundo, url, datos):
    client = cliente_de(app, mundo, ANONIMO)
    r = client.post(url, data={"csrf_token": token_csrf(client), **datos})
    texto = r.get_data(as_text=True)
    assert r.status_code == 400 and "caracteres no válidos" in texto and '<html lang="es-MX">' in texto
    contar("regresiones_casos")


def test_caracter_nulo_en_busqueda_y_datos_generales(app, mundo):
    duenio = cliente_de(app, mundo, DUENO)
    assert duenio.get("/administracion/consulta", query_string={"q": "ana\x00"}).status_code == 400
    r = duenio.post("/contratista/datos-generales", data={"csrf_token": token_csrf(duenio), "calle": "Juárez\x00"})
    assert r.status_code == 400
    contar("regresiones_casos", 2)


@pytest.mark.parametrize("siguiente", ["//[", "http://[::1", "//[malo.example"])
def test_next_con_host_ipv6_invalido(app, mundo, siguiente):
    from tests.factories import PASSWORD

    client = app.test_client()
    r = client.post("/cuenta/iniciar-sesion", query_string={"next": siguiente},
                    data={"csrf_token": token_csrf(client), "rfc": mundo.a.rfc, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == "/"
    rel = mundo.a.relaciones["pendiente"]
    r = client.get(f"/administracion/consulta/{rel}", query_string={"volver": siguiente})
    assert r.status_code == 302 and r.headers["Location"] == "/administracion/consulta"
    contar("regresiones_casos", 2)


def test_clave_de_formulario_hecha_a_mano(app, mundo):
    """A hand-made Guardar with a long (or odd) one-time key: the alta is saved, the key ignored
    (PostgreSQL: the column holds 36 characters)."""
    duenio = cliente_de(app, mundo, DUENO)
    for persona, clave in ((mundo.personas[6], "x" * 100), (mundo.personas[7], "<script>")):
        r = duenio.post("/administracion/alta-usuarios/", data={
            "csrf_token": token_csrf(duenio), "curp": persona.curp, "clave": clave, "telefono": "5512345678",
            "correo": "hecho.a.mano@correo.example", "confirmar_correo": "hecho.a.mano@correo.example"})
        assert r.status_code == 303
    contar("regresiones_casos", 2)
