"""CSRF on every POST: without a token, or with a wrong one → 400 with the Spanish page and nothing
changed; with the token only in ``X-CSRFToken`` (as htmx sends it) → accepted."""
from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.security.estadisticas import contar
from tests.security.mundo import ANONIMO, CAPTURISTA, DUENO, cliente_de, crear_mundo, diferencias, foto, token_csrf
from tests.security.rutas import construir_url, reglas_de_la_app

MENSAJE_CSRF = "El formulario caducó o no es válido (protección CSRF)"


def _rutas_post():
    from app import create_app
    from config import TestConfig

    return sorted(r.endpoint for r in reglas_de_la_app(create_app(TestConfig)) if "POST" in r.methods)


def _rol_para(endpoint: str) -> str:
    """The kind of user the form is for."""
    if endpoint.startswith(("consulta.", "alta_usuarios.", "exportar_excel.", "contratista.", "informativas.")) \
            or endpoint == "auth.logout":
        return DUENO
    if endpoint == "capturista.elegir" or endpoint.startswith("captura."):
        return CAPTURISTA
    return ANONIMO


def _token_ajeno(app) -> str:
    """A well-formed token of another session."""
    otro = app.test_client()
    return token_csrf(otro)


def test_todas_las_rutas_post_estan_cubiertas(app):
    assert {r.endpoint for r in reglas_de_la_app(app) if "POST" in r.methods} == set(_rutas_post())


@pytest.mark.parametrize("endpoint", _rutas_post())
def test_csrf_en_cada_post(app, endpoint):
    mundo = crear_mundo(app)
    client = cliente_de(app, mundo, _rol_para(endpoint))
    url = construir_url(app, endpoint, mundo)
    token = token_csrf(client)
    # Plausible data, so only the token is missing (a valid CURP and contact, a password...).
    persona = mundo.personas[8]
    datos = {"curp": persona.curp, "telefono": "5512345678", "correo": "nuevo@correo.example",
             "confirmar_correo": "nuevo@correo.example", "usuario": "usuario.nuevo",
             "password": "Segura2026clave", "confirmar_password": "Segura2026clave",
             "contratista_id": str(mundo.a.id), "rfc": mundo.a.rfc}
    otra_clave = URLSafeTimedSerializer("otra-clave", salt="wtf-csrf-token").dumps("x" * 40)
    antes = foto(app)
    rechazos = {
        "sin token": ({}, {}),
        "token vacío": ({"csrf_token": ""}, {}),
        "token basura": ({"csrf_token": "no-es-un-token"}, {}),
        "token truncado": ({"csrf_token": token[:-4]}, {}),
        "token de otra sesión": ({"csrf_token": _token_ajeno(app)}, {}),
        "token firmado con otra clave": ({"csrf_token": otra_clave}, {}),
        "token equivocado en el encabezado": ({}, {"X-CSRFToken": "no-es-un-token", "HX-Request": "true"}),
        "token de otra sesión en el encabezado": ({}, {"X-CSRFToken": _token_ajeno(app), "HX-Request": "true"}),
    }
    for caso, (extra, encabezados) in rechazos.items():
        r = client.post(url, data={**datos, **extra}, headers=encabezados)
        texto = r.get_data(as_text=True)
        assert r.status_code == 400, f"{caso}: {r.status_code}"
        assert MENSAJE_CSRF in texto and "Solicitud no válida" in texto, caso
        assert '<html lang="es-MX">' in texto
        assert "CSRF token" not in texto and "Bad Request" not in texto, caso
        assert not diferencias(antes, foto(app)), f"{caso}: la base de datos cambió"
        contar("csrf_casos")

    # htmx: the token travels only in the header.
    r = client.post(url, data=datos, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert r.status_code != 400 and r.status_code < 500, r.status_code
    assert MENSAJE_CSRF.encode() not in r.data
    # "X-CSRF-Token" is the other spelling Flask-WTF accepts.
    if endpoint != "auth.logout":
        r = client.post(url, data=datos, headers={"X-CSRF-Token": token_csrf(client), "HX-Request": "true"})
        assert r.status_code != 400 and r.status_code < 500, r.status_code
    contar("csrf_casos", 2)


def test_post_a_rutas_que_no_lo_admiten_es_405_en_espanol(app, mundo):
    from werkzeug.exceptions import MethodNotAllowed

    client = cliente_de(app, mundo, DUENO)
    token = token_csrf(client)
    rutas = app.url_map.bind("localhost")
    for regla in reglas_de_la_app(app):
        url = construir_url(app, regla.endpoint, mundo)
        try:
            rutas.match(url.split("?")[0], method="POST")
            continue  # another rule takes the POST of this URL
        except MethodNotAllowed:
            pass
        r = client.post(url, data={"csrf_token": token})
        assert r.status_code == 405, url
        assert "Método no permitido" in r.get_data(as_text=True), url
        contar("csrf_casos")
