"""A contractor recovers the password in real Chromium, with JavaScript on and off: the login page's
link → RFC + correo → the same message as always → the delivered e-mail's link → a new password →
logging in with it (a session opened before the reset has ended; the used link is dead and offers a
new one). axe-core on every page of the flow, both modes."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import db
from tests.ayudantes import entregar_correos, liga_de
from tests.browser.ayudantes import (
    contexto_auditable,
    entrar_contratista,
    intentar_entrar,
    nuevo_contexto,
    sin_violaciones,
)
from tests.browser.buzon import LIGA_RESTABLECER_RE, para
from tests.factories import PASSWORD, crear_contratista

CORREO = "direccion@servicios-norte.example"
NUEVA = "Renovada2026segura"
MENSAJE = ("Si el RFC y el correo electrónico corresponden a una cuenta de contratista, recibirás un correo con "
           "una liga para restablecer tu contraseña. La liga es válida durante 24 horas.")


@pytest.fixture
def rfc(app) -> str:
    """A confirmed contractor with Datos Generales; its RFC."""
    with app.app_context():
        contratista = crear_contratista(correo=CORREO, razon_social="Servicios del Norte, S.A. de C.V.")
        valor = contratista.rfc
        db.session.remove()
    return valor


def _pedir_liga(page, servidor: str, rfc: str) -> None:
    page.goto(servidor + "/cuenta/iniciar-sesion")
    page.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    expect(page.get_by_role("heading", name="Recuperar contraseña")).to_be_visible()
    page.get_by_label("RFC").fill(rfc.lower())
    page.get_by_label("Correo electrónico de la cuenta").fill(CORREO)
    page.get_by_role("button", name="Enviar liga").click()
    expect(page).to_have_url(servidor + "/cuenta/iniciar-sesion")
    expect(page.get_by_text(MENSAJE)).to_be_visible()


def _liga_recibida(app, smtp) -> str:
    assert smtp.mensajes == []  # never sent inside the request
    entregar_correos(app)
    mensajes = para(smtp, CORREO)
    assert len(mensajes) == 1, [(m["To"], m["Subject"]) for m in smtp.mensajes]
    return liga_de(mensajes[0], LIGA_RESTABLECER_RE)


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_recuperar_la_contrasena_de_punta_a_punta(js, browser, app, smtp, servidor, rfc):
    # A session opened before the reset, in another browser.
    otra = nuevo_contexto(browser, js)
    previa = otra.new_page()
    entrar_contratista(previa, servidor, rfc)

    contexto = nuevo_contexto(browser, js)
    page = contexto.new_page()
    _pedir_liga(page, servidor, rfc)
    url = _liga_recibida(app, smtp)

    page.goto(url)
    expect(page.get_by_role("heading", name="Restablecer contraseña")).to_be_visible()
    page.get_by_label("Contraseña", exact=True).fill(NUEVA)
    page.get_by_label("Confirmar contraseña").fill(NUEVA)
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page).to_have_url(servidor + "/cuenta/iniciar-sesion")
    expect(page.get_by_text("Tu contraseña se actualizó y se cerraron tus sesiones abiertas.")).to_be_visible()

    # The old password no longer opens the account; the new one does.
    intentar_entrar(page, servidor, rfc, PASSWORD)
    expect(page.get_by_text("El RFC o la contraseña son incorrectos.")).to_be_visible()
    entrar_contratista(page, servidor, rfc, NUEVA)

    # The session opened before the reset has ended.
    previa.goto(servidor + "/")
    expect(previa.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    otra.close()

    # The link worked once: now it offers a new one.
    page.goto(url)
    expect(page.get_by_role("heading", name="La liga no es válida")).to_be_visible()
    page.get_by_role("link", name="Solicitar una nueva liga").click()
    expect(page.get_by_role("heading", name="Recuperar contraseña")).to_be_visible()
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_la_recuperacion(js, browser, app, smtp, servidor, rfc):
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    page.goto(servidor + "/cuenta/recuperar-contrasena")
    sin_violaciones(page, "Contratista: recuperar contraseña", js)
    page.get_by_role("button", name="Enviar liga").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Contratista: recuperar con errores", js)
    _pedir_liga(page, servidor, rfc)
    sin_violaciones(page, "Contratista: liga enviada", js)

    page.goto(_liga_recibida(app, smtp))
    expect(page.get_by_role("heading", name="Restablecer contraseña")).to_be_visible()
    sin_violaciones(page, "Contratista: restablecer contraseña", js)
    page.get_by_label("Contraseña", exact=True).fill("Password123")
    page.get_by_label("Confirmar contraseña").fill("Password124")
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Contratista: restablecer con errores", js)

    page.goto(servidor + "/cuenta/restablecer/alterada")
    expect(page.get_by_role("heading", name="La liga no es válida")).to_be_visible()
    sin_violaciones(page, "Contratista: liga para restablecer no válida", js)
    contexto.close()
