"""Datos Generales del Contratista: validation, editing, the Administración gate, isolation."""
import re

import pytest
from sqlalchemy import select

from extensions import db
from models import DatosGenerales
from tests.ayudantes import csrf_de, enviar, iniciar_sesion
from tests.factories import DATOS_GENERALES, crear_contratista

URL = "/contratista/datos-generales"


@pytest.fixture
def sin_datos(client, app):
    with app.app_context():
        c = crear_contratista(con_datos=False)
        rfc, cid = c.rfc, c.id
    iniciar_sesion(client, rfc)
    return cid


def test_guardar_datos_generales_normaliza(client, app, sin_datos):
    datos = {**DATOS_GENERALES, "registro_patronal": "y39-2655-2104", "registro_repse": "ar12345/2024",
             "telefono": "(477) 123-4567", "correo_contacto": "Contacto@Limpieza.Example"}
    r = enviar(client, URL, datos)
    assert r.status_code == 303
    with app.app_context():
        d = db.session.scalar(select(DatosGenerales).where(DatosGenerales.contratista_id == sin_datos))
        assert d.registro_patronal == "Y3926552104"
        assert d.registro_repse == "AR12345/2024"
        assert d.telefono == "4771234567"
        assert d.correo_contacto == "contacto@limpieza.example"
        assert d.entidad_nombre == "Guanajuato"
    html = client.get(URL).get_data(as_text=True)
    assert "se guardaron correctamente" in html
    assert 'value="Limpieza Industrial del Bajío, S.A. de C.V."' in html


@pytest.mark.parametrize("campo,valor,mensaje", [
    ("registro_patronal", "Y3926552105", "El dígito verificador del registro patronal no es válido"),
    ("registro_patronal", "Y39265521", "El registro patronal debe tener 11 caracteres"),
    ("registro_repse", "12345", "El número de registro REPSE debe tener el formato AR12345/2024"),
    ("codigo_postal", "3700", "El código postal debe tener 5 dígitos."),
    ("telefono", "477123", "El teléfono debe tener 10 dígitos"),
    ("correo_contacto", "contacto@", "El correo electrónico no tiene un formato válido."),
    ("entidad", "99", "Selecciona una entidad federativa de la lista."),
    ("entidad", "", "Captura la entidad federativa."),
    ("razon_social", "   ", "Captura la razón social o nombre."),
])
def test_validaciones_con_mensajes_en_espanol(client, app, sin_datos, campo, valor, mensaje):
    r = enviar(client, URL, {**DATOS_GENERALES, campo: valor})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Hay un problema" in html
    assert mensaje in html
    assert f'href="#{campo}"' in html
    # The other values are kept.
    assert 'value="Av. Juárez"' in html
    with app.app_context():
        assert db.session.scalar(select(DatosGenerales)) is None


def test_editar_datos_generales(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    r = enviar(client, URL, {**DATOS_GENERALES, "razon_social": "Nueva Razón, S.C."})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(DatosGenerales.razon_social)) == "Nueva Razón, S.C."
        assert db.session.query(DatosGenerales).count() == 1


def _urls_de_administracion(app):
    for regla in app.url_map.iter_rules():
        if regla.rule.startswith("/administracion"):
            valores = {arg: 1 for arg in regla.arguments}
            with app.test_request_context():
                from flask import url_for
                url = url_for(regla.endpoint, **valores)
            for metodo in sorted(regla.methods - {"HEAD", "OPTIONS"}):
                yield metodo, url


def test_toda_url_de_administracion_exige_datos_generales(client, app, sin_datos):
    urls = list(_urls_de_administracion(app))
    assert len(urls) >= 3
    token = csrf_de(client.get(URL))
    for metodo, url in urls:
        r = client.open(url, method=metodo, data={"csrf_token": token} if metodo == "POST" else None)
        assert r.status_code in (302, 303), (metodo, url)
        assert r.headers["Location"].endswith(URL), (metodo, url)
    html = client.get(URL).get_data(as_text=True)
    assert "Antes de continuar debes registrar los Datos Generales del Contratista." in html


def test_administracion_abre_con_datos_generales(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    for metodo, url in _urls_de_administracion(app):
        if metodo == "GET":
            assert client.get(url).status_code in (200, 404), url


def test_anonimo_va_a_iniciar_sesion(client, app):
    for metodo, url in list(_urls_de_administracion(app)) + [("GET", URL), ("POST", URL)]:
        r = client.open(url, method=metodo)
        if metodo == "POST" and r.status_code == 400:
            continue  # CSRF refuses an anonymous POST before anything else: also safe
        assert r.status_code == 302, (metodo, url)
        assert "/cuenta/iniciar-sesion" in r.headers["Location"]


def test_un_contratista_no_ve_los_datos_generales_de_otro(app):
    with app.app_context():
        a = crear_contratista(razon_social="Empresa Alfa, S.A.", telefono="5511111111")
        b = crear_contratista(razon_social="Empresa Beta, S.A.", telefono="5522222222")
        rfc_a, rfc_b = a.rfc, b.rfc
    cliente_a, cliente_b = app.test_client(), app.test_client()
    iniciar_sesion(cliente_a, rfc_a)
    iniciar_sesion(cliente_b, rfc_b)
    html_a = cliente_a.get(URL).get_data(as_text=True)
    html_b = cliente_b.get(URL).get_data(as_text=True)
    assert "Empresa Alfa" in html_a and "Empresa Beta" not in html_a and "5522222222" not in html_a
    assert "Empresa Beta" in html_b and "Empresa Alfa" not in html_b
    # B saving its form never touches A's record, whatever B sends.
    enviar(cliente_b, URL, {**DATOS_GENERALES, "razon_social": "Beta cambiada", "id": "1", "contratista_id": "1"})
    with app.app_context():
        filas = dict(db.session.execute(select(DatosGenerales.contratista_id, DatosGenerales.razon_social)).all())
    assert sorted(filas.values()) == ["Beta cambiada", "Empresa Alfa, S.A."]


def test_pagina_muestra_rfc_de_la_cuenta_no_editable(client, app, sin_datos):
    html = client.get(URL).get_data(as_text=True)
    assert not re.search(r'name="rfc"', html)
