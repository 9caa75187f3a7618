"""Iniciar sesión con e.firma (contractors): a good FIEL logs its RFC's account in exactly as the
password does; every refusal is the form again (422) with its message on its field and no session;
uploads are small and never a 413 page; wrong passwords and attempts per client are throttled."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import g, request
from sqlalchemy import select

from blueprints.efirma import _preparar_subida
from extensions import db
from models import Contratista
from tests.ayudantes import LOGIN_EFIRMA, csrf_de, datos_efirma, iniciar_sesion_con_efirma
from tests.efirma import autoridad, fiel
from tests.factories import crear_contratista

AHORA = datetime.now(timezone.utc)
MALA = "NoEsLaClave2026"


@pytest.fixture
def contratista(app):
    with app.app_context():
        c = crear_contratista(razon_social="Limpieza Industrial del Bajío, S.A. de C.V.")
        return {"id": c.id, "rfc": c.rfc}


def _sin_sesion(client) -> None:
    r = client.get("/administracion/consulta")
    assert r.status_code == 302 and r.headers["Location"].startswith("/cuenta/iniciar-sesion")


def _mensajes(r) -> list[tuple[str, str]]:
    """(field id, message) of each entry of the error summary ('' for one of no field)."""
    resumen = r.get_data(as_text=True).split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    return [(m.group(1) or "", re.sub(r"<[^>]+>", "", m.group(2)).strip())
            for m in re.finditer(r'<li>(?:<a href="#([a-z_]+)">)?(.*?)(?:</a>)?</li>', resumen, re.S)]


def test_la_pagina_de_ingreso_lleva_a_la_de_efirma(client):
    html = client.get("/cuenta/iniciar-sesion").get_data(as_text=True)
    assert f'href="{LOGIN_EFIRMA}">Iniciar sesión con e.firma</a>' in html
    pagina = client.get(LOGIN_EFIRMA)
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200 and 'enctype="multipart/form-data"' in html
    for ident, etiqueta in [("cer", "Certificado (.cer)"), ("key", "Clave privada (.key)"),
                            ("password", "Contraseña de la clave privada")]:
        assert f'<label class="etiqueta" for="{ident}">{etiqueta}</label>' in html
    assert 'type="file"' in html and 'accept=".cer"' in html and 'accept=".key"' in html
    assert 'type="password"' in html


def test_entrar_con_efirma_como_con_contrasena(app, client, contratista, efirma_de):
    r = iniciar_sesion_con_efirma(client, *efirma_de(contratista["rfc"]))
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert "Bienvenido, Limpieza Industrial del Bajío" in client.get("/").get_data(as_text=True)
    assert client.get("/administracion/consulta").status_code == 200
    with app.app_context():
        assert db.session.get(Contratista, contratista["id"]).ultimo_acceso is not None
    # Cerrar sesión ends it like any other.
    r = client.post("/cuenta/cerrar-sesion", data={"csrf_token": csrf_de(client.get("/"))})
    assert r.status_code == 303
    _sin_sesion(client)


def test_persona_moral_entra_con_el_rfc_de_la_empresa(client, contratista, efirma_ca):
    cer, key, password = fiel(efirma_ca, rfc=contratista["rfc"], rfc_representante="PEGL850304AB1")
    assert iniciar_sesion_con_efirma(client, cer, key, password).status_code == 303


def test_next_local_se_respeta_y_externo_no(client, contratista, efirma_de):
    efirma = efirma_de(contratista["rfc"])
    r = client.get("/cuenta/iniciar-sesion", query_string={"next": "/administracion/consulta"})
    assert 'href="/cuenta/iniciar-sesion/efirma?next=/administracion/consulta"' in r.get_data(as_text=True)
    r = iniciar_sesion_con_efirma(client, *efirma, query_string={"next": "/administracion/consulta"})
    assert r.headers["Location"] == "/administracion/consulta"
    otro = client.application.test_client()
    r = iniciar_sesion_con_efirma(otro, *efirma, query_string={"next": "//malo.example/robo"})
    assert r.headers["Location"] == "/"


def test_una_sesion_abierta_va_al_inicio(client, contratista, efirma_de):
    iniciar_sesion_con_efirma(client, *efirma_de(contratista["rfc"]))
    assert client.get(LOGIN_EFIRMA).headers["Location"] == "/"


def _caso(app, efirma_ca, rfc: str, caso: str):
    """(cer, key, password) for each refusal."""
    cer, key, password = fiel(efirma_ca, rfc=rfc)
    if caso == "contraseña incorrecta":
        return cer, key, MALA
    if caso == "clave de otro certificado":
        return cer, fiel(efirma_ca, rfc=rfc)[1], password
    if caso == "CSD":
        return fiel(efirma_ca, rfc=rfc, csd=True)
    if caso == "vencida":
        return fiel(efirma_ca, rfc=rfc, desde=AHORA - timedelta(days=400), hasta=AHORA - timedelta(days=2))
    if caso == "aún no válida":
        return fiel(efirma_ca, rfc=rfc, desde=AHORA + timedelta(days=2))
    if caso == "emisor desconocido":
        return fiel(autoridad("AC que nadie instaló"), rfc=rfc)
    if caso == "cer dañado":
        return cer[:300], key, password
    if caso == "key dañado":
        return cer, key[:-40], password
    if caso == "archivos intercambiados":
        return key, cer, password
    raise AssertionError(caso)


RECHAZOS = {
    "contraseña incorrecta": ("password", "La contraseña de la clave privada es incorrecta."),
    "clave de otro certificado": ("key", "La clave privada no corresponde al certificado."),
    "CSD": ("cer", "Este es un certificado de sello digital (CSD); usa tu e.firma."),
    "vencida": ("cer", "Tu e.firma venció el "),
    "aún no válida": ("cer", "Tu e.firma es válida a partir del "),
    "emisor desconocido": ("cer", "El certificado no fue emitido por una autoridad certificadora del SAT"),
    "cer dañado": ("cer", "El archivo del certificado no es un certificado válido."),
    "key dañado": ("key", "El archivo de la clave privada no es una clave privada válida"),
    "archivos intercambiados": ("cer", "El archivo del certificado no es un certificado válido."),
}


@pytest.mark.parametrize("caso", RECHAZOS)
def test_cada_rechazo_con_su_mensaje_en_su_campo_y_sin_sesion(app, client, contratista, efirma_ca, caso):
    campo, mensaje = RECHAZOS[caso]
    r = iniciar_sesion_con_efirma(client, *_caso(app, efirma_ca, contratista["rfc"], caso))
    assert r.status_code == 422, caso
    html = r.get_data(as_text=True)
    assert [(c, m[:len(mensaje)]) for c, m in _mensajes(r)] == [(campo, mensaje)], _mensajes(r)
    assert f'id="{campo}-error"' in html and 'aria-invalid="true"' in html
    _sin_sesion(client)
    with app.app_context():
        assert db.session.get(Contratista, contratista["id"]).ultimo_acceso is None


def test_sin_cuenta_con_ese_rfc_invita_a_registrarse(client, efirma_de):
    r = iniciar_sesion_con_efirma(client, *efirma_de("NOE010101AB1"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert ('<li>No hay una cuenta de contratista con el RFC NOE010101AB1. '
            '<a href="/cuenta/registro">Regístrate primero</a>.</li>') in html
    _sin_sesion(client)


def test_cuenta_sin_confirmar_da_el_mismo_mensaje_que_con_contrasena(app, client, efirma_de):
    with app.app_context():
        rfc = crear_contratista(sin_verificar=True).rfc
    r = iniciar_sesion_con_efirma(client, *efirma_de(rfc))
    assert r.status_code == 422 and _mensajes(r) == [("", "Tu cuenta aún no está confirmada. Abre la liga que te "
                                                          "enviamos a tu correo electrónico al registrarte; si "
                                                          "venció, regístrate de nuevo.")]
    _sin_sesion(client)
    # The password login says exactly the same.
    from tests.ayudantes import iniciar_sesion

    assert _mensajes(iniciar_sesion(client, rfc)) == _mensajes(r)


def test_sin_autoridades_configuradas(client, contratista):
    r = iniciar_sesion_con_efirma(client, *fiel(autoridad(), rfc=contratista["rfc"]))
    assert r.status_code == 422
    assert [c for c, _ in _mensajes(r)] == [""]
    assert "no tiene configuradas las autoridades certificadoras" in _mensajes(r)[0][1]


def test_formulario_vacio(client):
    r = iniciar_sesion_con_efirma(client, b"", b"", "")
    assert r.status_code == 422
    assert [c for c, _ in _mensajes(r)] == ["cer", "key", "password"]
    r = client.post(LOGIN_EFIRMA, data={"csrf_token": csrf_de(client.get(LOGIN_EFIRMA))})
    assert r.status_code == 422 and [c for c, _ in _mensajes(r)] == ["cer", "key", "password"]


def test_sin_token_csrf_es_400(client, contratista, efirma_de):
    r = client.post(LOGIN_EFIRMA, data=datos_efirma(*efirma_de(contratista["rfc"])))
    assert r.status_code == 400 and "protección CSRF" in r.get_data(as_text=True)
    _sin_sesion(client)


# --- Upload limits: each file, the whole body ------------------------------------------------------

def test_un_archivo_mayor_al_limite_tiene_su_mensaje(app, client, contratista, efirma_de):
    cer, key, password = efirma_de(contratista["rfc"])
    grande = cer + b"\0" * (app.config["EFIRMA_TAMANO_MAXIMO"] - len(cer) + 1)
    r = iniciar_sesion_con_efirma(client, grande, key, password)
    assert r.status_code == 422
    assert _mensajes(r) == [("cer", "El archivo .cer excede el tamaño máximo de 16 KB (los de la e.firma miden 1 "
                                    "o 2 KB). Revisa que elegiste el archivo correcto.")]
    r = iniciar_sesion_con_efirma(client, cer, key + b"\0" * app.config["EFIRMA_TAMANO_MAXIMO"], password)
    assert [c for c, _ in _mensajes(r)] == ["key"]
    # Exactly at the limit is not "too large" (it is only not a certificate).
    justo = cer + b"\0" * (app.config["EFIRMA_TAMANO_MAXIMO"] - len(cer))
    assert _mensajes(iniciar_sesion_con_efirma(client, justo, key, password))[0][1].startswith(
        "El archivo del certificado no es un certificado válido.")
    _sin_sesion(client)


@pytest.mark.parametrize("tamano", [200 * 1024, 900 * 1024, 3 * 1024 * 1024], ids=["200KB", "900KB", "3MB"])
def test_un_envio_demasiado_grande_no_es_una_pagina_413(app, client, contratista, efirma_de, tamano):
    """More than the two files allow, even more than MAX_CONTENT_LENGTH: the form again with its message."""
    cer, key, password = efirma_de(contratista["rfc"])
    r = iniciar_sesion_con_efirma(client, b"%PDF" + b"x" * tamano, key, password)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Solicitud demasiado grande" not in html and "<h1>Iniciar sesión con e.firma</h1>" in html
    assert _mensajes(r) == [("", "Los archivos que elegiste exceden el tamaño máximo de 16 KB cada uno (los de la "
                                 "e.firma miden 1 o 2 KB). Revisa que elegiste el certificado (.cer) y la clave "
                                 "privada (.key) de tu e.firma.")]
    _sin_sesion(client)
    # The page works on: the right files log in.
    assert iniciar_sesion_con_efirma(client, cer, key, password).status_code == 303


def test_el_limite_es_solo_de_esta_ruta(app, client):
    """Other forms keep MAX_CONTENT_LENGTH (a body of 100 KB is no 413 for the password login)."""
    r = client.post("/cuenta/iniciar-sesion", data={"csrf_token": csrf_de(client.get("/cuenta/iniciar-sesion")),
                                                    "rfc": "x", "password": "p", "relleno": "x" * 60_000,
                                                    "archivo": (io.BytesIO(b"x" * 100_000), "a.bin")})
    assert r.status_code == 422


# --- Throttles ------------------------------------------------------------------------------------

def test_cinco_contrasenas_incorrectas_hacen_esperar(client, contratista, efirma_de):
    cer, key, password = efirma_de(contratista["rfc"])
    mensajes = [_mensajes(iniciar_sesion_con_efirma(client, cer, key, MALA))[0] for _ in range(5)]
    assert mensajes[:4] == [("password", "La contraseña de la clave privada es incorrecta.")] * 4
    assert mensajes[4][0] == "password" and "espera 15 minutos" in mensajes[4][1]
    r = iniciar_sesion_con_efirma(client, cer, key, password)
    assert r.status_code == 422 and "espera 15 minutos" in _mensajes(r)[0][1]
    _sin_sesion(client)
    # From another machine, the owner enters.
    otro = client.application.test_client()
    assert iniciar_sesion_con_efirma(otro, cer, key, password,
                                     environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 303


def test_intentos_por_cliente_limitados(app, client, contratista, efirma_de):
    """Flask-Limiter's per-client throttle of logins (ACCESO_LIMITE_CLIENTE) covers this form too."""
    app.config["ACCESO_LIMITE_CLIENTE"] = "3 per minute"
    efirmas = [efirma_de(crear_rfc) for crear_rfc in ("AAA010101AB1", "BBB010101AB1", "CCC010101AB1")]
    estados = [iniciar_sesion_con_efirma(app.test_client(), *e).status_code for e in efirmas]
    assert estados == [422, 422, 422]
    r = iniciar_sesion_con_efirma(app.test_client(), *efirma_de(contratista["rfc"]))
    assert r.status_code == 429 and "Demasiadas solicitudes" in r.get_data(as_text=True)
    assert iniciar_sesion_con_efirma(app.test_client(), *efirma_de(contratista["rfc"]),
                                     environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Contratista.ultimo_acceso).where(Contratista.id == contratista["id"]))


def test_un_envio_demasiado_grande_se_lee_y_se_descarta(app):
    """The refused body is read off the connection (in chunks, nothing kept), so the browser that is
    still sending it gets the answer instead of a reset connection; beyond MAX_CONTENT_LENGTH it is
    left alone."""
    for tamano, leido in [(300_000, True), (app.config["MAX_CONTENT_LENGTH"] + 1, False)]:
        with app.test_request_context(LOGIN_EFIRMA, method="POST", data={"cer": (io.BytesIO(b"x" * tamano), "a.cer")}):
            entrada = request.environ["wsgi.input"]
            _preparar_subida("auth.login_efirma", {})
            assert g.efirma_subida_excedida and not request.files and not request.form
            assert (entrada.tell() == request.content_length) is leido, tamano
