"""Recuperar contraseña for contractors: the same answer whatever matched, mail only to a confirmed
account's own address and never inside the request, a 24-hour single-use link, the password policy,
every session ended, one message per minute per account and a per-client throttle."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db
from models import Contratista, CorreoSaliente
from tests.ayudantes import LIGA_RESTABLECER_RE, entregar_correos, enviar, iniciar_sesion, liga_de
from tests.factories import PASSWORD, crear_contratista, rfc_valido

RECUPERAR = "/cuenta/recuperar-contrasena"
LOGIN = "/cuenta/iniciar-sesion"
CORREO_A = "alfa@empresa.example"
CORREO_SIN_CONFIRMAR = "pendiente@empresa.example"
RAZON_A = "Alfa Servicios Especializados, S.A. de C.V."
NUEVA = "Renovada2026segura"
MENSAJE = ("Si el RFC y el correo electrónico corresponden a una cuenta de contratista, recibirás un correo con "
           "una liga para restablecer tu contraseña. La liga es válida durante 24 horas.")


@pytest.fixture
def cuentas(app):
    """A (confirmed, with Datos Generales) and an account nobody confirmed yet."""
    with app.app_context():
        a = crear_contratista(correo=CORREO_A, razon_social=RAZON_A)
        sin = crear_contratista(correo=CORREO_SIN_CONFIRMAR, sin_verificar=True, con_datos=False)
        datos = {"a": a.id, "rfc_a": a.rfc, "sin": sin.id, "rfc_sin": sin.rfc}
        db.session.remove()
    return datos


@pytest.fixture
def pedidos(monkeypatch):
    """Counts the view's requests to the worker to deliver the outbox (they must happen every time)."""
    llamadas = []
    monkeypatch.setattr("blueprints.auth.services.pedir_envio_de_correos", lambda: llamadas.append(1))
    return llamadas


def _recuperar(client, rfc, correo, **kwargs):
    return enviar(client, RECUPERAR, {"rfc": rfc, "correo": correo}, **kwargs)


def _pedir_liga(app, client, smtp, rfc) -> str:
    assert _recuperar(client, rfc, CORREO_A).status_code == 303
    entregar_correos(app)
    return liga_de(smtp.mensajes[-1], LIGA_RESTABLECER_RE)


def _restablecer(client, liga, password=NUEVA, confirmar=None, desde=None):
    """POST the reset form; ``desde`` takes the CSRF token from another page (a dead link has no form)."""
    return enviar(client, liga, {"password": password, "confirmar_password": confirmar or password}, desde=desde)


def _hash_de(app, contratista_id) -> str:
    with app.app_context():
        valor = db.session.get(Contratista, contratista_id).password_hash
        db.session.remove()
    return valor


def test_la_pagina_de_inicio_de_sesion_enlaza_la_recuperacion(client):
    html = client.get(LOGIN).get_data(as_text=True)
    assert f'<a href="{RECUPERAR}">¿Olvidaste tu contraseña?</a>' in html
    pagina = client.get(RECUPERAR)
    texto = pagina.get_data(as_text=True)
    assert pagina.status_code == 200
    assert "Correo electrónico de la cuenta" in texto and 'name="rfc"' in texto


def test_misma_respuesta_y_correo_solo_a_la_cuenta_confirmada(client, app, cuentas, smtp, pedidos):
    casos = {
        "correo equivocado": (cuentas["rfc_a"], "otro@empresa.example"),
        "RFC sin cuenta": (rfc_valido("NOE"), CORREO_A),
        "cuenta sin confirmar": (cuentas["rfc_sin"], CORREO_SIN_CONFIRMAR),
        # RFC typed in lower case with a space and a hyphen, the address in capitals: still a match.
        "coincide": (" " + cuentas["rfc_a"][:4].lower() + "-" + cuentas["rfc_a"][4:].lower(), CORREO_A.upper()),
    }
    respuestas = {}
    for caso, (rfc, correo) in casos.items():
        cliente = app.test_client()
        r = _recuperar(cliente, rfc, correo)
        siguiente = cliente.get(r.headers["Location"]).get_data(as_text=True)
        respuestas[caso] = (r.status_code, r.headers["Location"], MENSAJE in siguiente)
    assert set(respuestas.values()) == {(303, LOGIN, True)}, respuestas
    assert len(pedidos) == 4  # the worker is asked every time, so the time tells nothing either
    assert smtp.mensajes == []  # nothing sent inside the request
    assert entregar_correos(app) == 1
    assert len(smtp.mensajes) == 1
    mensaje = smtp.mensajes[0]
    assert mensaje["To"] == CORREO_A
    with app.app_context():
        correo = db.session.scalar(select(CorreoSaliente))
        assert (correo.tipo, correo.contratista_id, correo.destinatario) == ("restablecer_contratista", cuentas["a"],
                                                                           CORREO_A)
        db.session.remove()


def test_el_correo_trae_la_liga_el_vencimiento_y_solo_el_rfc(client, app, cuentas, smtp):
    inicio = datetime(2026, 3, 10, 18, 30, tzinfo=timezone.utc)
    with time_machine.travel(inicio, tick=False):
        _recuperar(client, cuentas["rfc_a"], CORREO_A)
        entregar_correos(app)
    mensaje = smtp.mensajes[0]
    vence = (inicio + timedelta(hours=24)).astimezone(ZoneInfo("America/Mexico_City")).strftime("%d/%m/%Y %H:%M")
    for tipo in ("plain", "html"):
        cuerpo = mensaje.get_body((tipo,)).get_content()
        assert LIGA_RESTABLECER_RE.search(cuerpo), tipo
        assert cuentas["rfc_a"] in cuerpo and vence in cuerpo and "24 horas" in cuerpo, tipo
        assert RAZON_A not in cuerpo and "Limpieza" not in cuerpo, tipo  # nothing of the account but its RFC
    assert "Restablece" in mensaje["Subject"]


def test_la_liga_funciona_una_vez_y_cierra_las_sesiones(client, app, cuentas, smtp):
    abierta = app.test_client()
    assert iniciar_sesion(abierta, cuentas["rfc_a"]).status_code == 303
    copia = app.test_client()  # another browser holding a copy of that session cookie
    copia.set_cookie("session", abierta.get_cookie("session").value)
    assert copia.get("/").status_code == 200

    liga = _pedir_liga(app, client, smtp, cuentas["rfc_a"])
    anonimo = app.test_client()
    formulario = anonimo.get(liga)
    assert formulario.status_code == 200 and 'name="confirmar_password"' in formulario.get_data(as_text=True)
    assert formulario.headers["Cache-Control"] == "no-store"
    assert formulario.headers["Referrer-Policy"] == "no-referrer"
    r = _restablecer(anonimo, liga)
    assert r.status_code == 303 and r.headers["Location"] == LOGIN
    assert ("Tu contraseña se actualizó y se cerraron tus sesiones abiertas. Inicia sesión con la nueva contraseña."
            in anonimo.get(LOGIN).get_data(as_text=True))

    # Every session of the account ended, the copied cookie too.
    for cliente in (abierta, copia):
        r = cliente.get("/")
        assert r.status_code == 302 and r.headers["Location"].startswith(LOGIN)
    assert iniciar_sesion(app.test_client(), cuentas["rfc_a"], PASSWORD).status_code == 422
    assert iniciar_sesion(app.test_client(), cuentas["rfc_a"], NUEVA).status_code == 303

    # Single use: the password changed, so the link is dead (GET and POST).
    usada = app.test_client().get(liga)
    texto = usada.get_data(as_text=True)
    assert usada.status_code == 410 and "La liga no es válida" in texto
    assert f'href="{RECUPERAR}"' in texto and "Solicitar una nueva liga" in texto
    assert usada.headers["Cache-Control"] == "no-store" and usada.headers["Referrer-Policy"] == "no-referrer"
    assert _restablecer(app.test_client(), liga, "Otra2026distinta", desde=RECUPERAR).status_code == 410
    assert iniciar_sesion(app.test_client(), cuentas["rfc_a"], NUEVA).status_code == 303


def test_la_liga_vence_a_las_24_horas(client, app, cuentas, smtp):
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        liga = _pedir_liga(app, client, smtp, cuentas["rfc_a"])
    with time_machine.travel(inicio + timedelta(hours=23, minutes=59), tick=False):
        assert app.test_client().get(liga).status_code == 200
    antes = _hash_de(app, cuentas["a"])
    with time_machine.travel(inicio + timedelta(hours=24, seconds=1), tick=False):
        r = app.test_client().get(liga)
        texto = r.get_data(as_text=True)
        assert r.status_code == 410 and "La liga venció" in texto and "Solicitar una nueva liga" in texto
        assert 'name="password"' not in texto
        assert _restablecer(app.test_client(), liga, desde=RECUPERAR).status_code == 410
    assert _hash_de(app, cuentas["a"]) == antes


def test_ligas_alteradas_o_ajenas(client, app, cuentas, smtp):
    from itsdangerous import URLSafeTimedSerializer

    from services.tokens import _huella, token_restablecer, token_restablecer_contratista

    liga = _pedir_liga(app, client, smtp, cuentas["rfc_a"])
    token = liga.rsplit("/", 1)[1]
    clave = app.config["SECRET_KEY"]
    with app.app_context():
        a = db.session.get(Contratista, cuentas["a"])
        sin = db.session.get(Contratista, cuentas["sin"])
        variantes = {
            "alterada": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            "basura": "alterada",
            # The capturista's salt with this contractor's id and fingerprint: another kind of link.
            "sal de capturista": URLSafeTimedSerializer(clave, salt="restablecer-contrasena").dumps(
                {"c": a.id, "h": _huella(a)}),
            "capturista": token_restablecer(a),
            "otra clave": URLSafeTimedSerializer("otra-clave" * 4, salt="restablecer-contrasena-contratista").dumps(
                {"c": a.id, "h": _huella(a)}),
            "cuenta sin confirmar": token_restablecer_contratista(sin),
        }
        db.session.remove()
    antes = (_hash_de(app, cuentas["a"]), _hash_de(app, cuentas["sin"]))
    for caso, otro in variantes.items():
        for r in (app.test_client().get(f"/cuenta/restablecer/{otro}"),
                  _restablecer(app.test_client(), f"/cuenta/restablecer/{otro}", desde=RECUPERAR)):
            texto = r.get_data(as_text=True)
            assert r.status_code == 410 and "La liga no es válida" in texto, caso
            assert 'name="password"' not in texto, caso
    assert (_hash_de(app, cuentas["a"]), _hash_de(app, cuentas["sin"])) == antes
    assert app.test_client().get(liga).status_code == 200  # the genuine one still works


def test_la_nueva_contrasena_sigue_la_politica(client, app, cuentas, smtp):
    liga = _pedir_liga(app, client, smtp, cuentas["rfc_a"])
    con_rfc = cuentas["rfc_a"].lower() + "x9"
    casos = {
        con_rfc: "no puede contener",
        "Password123": "La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra.",
        "corta1": "al menos 10 caracteres",
    }
    for password, mensaje in casos.items():
        r = _restablecer(app.test_client(), liga, password)
        assert r.status_code == 422 and mensaje in r.get_data(as_text=True), password
    r = _restablecer(app.test_client(), liga, NUEVA, "Distinta2026segura")
    assert r.status_code == 422 and "Las contraseñas no coinciden." in r.get_data(as_text=True)
    # Nothing changed: the old password works and the link is still good.
    assert iniciar_sesion(app.test_client(), cuentas["rfc_a"], PASSWORD).status_code == 303
    assert app.test_client().get(liga).status_code == 200


def test_validaciones_del_formulario(client, cuentas):
    r = _recuperar(client, "", "no-es-correo")
    texto = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Captura tu RFC." in texto and "no tiene un formato válido" in texto


def test_uno_por_minuto_por_cuenta(client, app, cuentas, smtp):
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        estados = [_recuperar(app.test_client(), cuentas["rfc_a"], CORREO_A).status_code for _ in range(3)]
    assert estados == [303] * 3  # silently, like a non-match
    with time_machine.travel(inicio + timedelta(seconds=61), tick=False):
        _recuperar(app.test_client(), cuentas["rfc_a"], CORREO_A)
    with app.app_context():
        assert db.session.scalar(select(func.count(CorreoSaliente.id))) == 2
        db.session.remove()
    assert entregar_correos(app) == 2


def test_limite_por_cliente(client, app, cuentas):
    app.config["FORMULARIO_PUBLICO_LIMITE"] = "3 per minute"
    estados = [_recuperar(client, rfc_valido("LIM"), f"p{i}@empresa.example").status_code for i in range(4)]
    assert estados == [303, 303, 303, 429]
    # Another client is not affected; the page itself (GET) is never throttled.
    assert client.get(RECUPERAR).status_code == 200
    otro = _recuperar(app.test_client(), rfc_valido("LIM"), "x@empresa.example",
                      environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert otro.status_code == 303
