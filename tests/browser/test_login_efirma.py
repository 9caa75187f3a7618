"""Iniciar sesión con e.firma in real Chromium, JavaScript on and off: the login page's link → the form →
its errors (empty, a wrong password, a file far too large) → the .cer and .key chosen as files and
the right password → the contractor's home. axe-core finds nothing on the form, with or without
errors."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from tests.browser.ayudantes import contexto_auditable, foco_en, nuevo_contexto, sin_violaciones
from tests.factories import crear_contratista


@pytest.fixture
def archivos(app, tmp_path, efirma_de):
    """A contractor's FIEL as the files a person picks: (.cer path, .key path, password)."""
    with app.app_context():
        rfc = crear_contratista(razon_social="Servicios Ñandú de Firma, S.A.").rfc
        db.session.remove()
    cer, key, password = efirma_de(rfc)
    (tmp_path / "fiel.cer").write_bytes(cer)
    (tmp_path / "fiel.key").write_bytes(key)
    return tmp_path / "fiel.cer", tmp_path / "fiel.key", password


def _abrir_formulario(page, servidor: str) -> None:
    page.goto(servidor + "/cuenta/iniciar-sesion")
    page.get_by_role("link", name="Iniciar sesión con e.firma").click()
    expect(page.get_by_role("heading", name="Iniciar sesión con e.firma")).to_be_visible()


def _enviar(page, cer=None, key=None, password: str = "") -> None:
    if cer:
        page.get_by_label("Certificado (.cer)").set_input_files(cer)
    if key:
        page.get_by_label("Clave privada (.key)").set_input_files(key)
    page.get_by_label("Contraseña de la clave privada").fill(password)
    page.get_by_role("button", name="Iniciar sesión con e.firma").click()


def _error_de(page, campo: str):
    return page.locator(f"#{campo}-error")


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_entrar_con_efirma(js, browser, servidor, archivos, tmp_path):
    cer, key, password = archivos
    page = nuevo_contexto(browser, js).new_page()
    _abrir_formulario(page, servidor)

    _enviar(page)
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    expect(_error_de(page, "cer")).to_contain_text("Elige el archivo del certificado (.cer)")
    expect(_error_de(page, "password")).to_contain_text("Captura la contraseña de la clave privada.")
    if js:
        foco_en(page, ".error-summary")

    _enviar(page, cer, key, "NoEsLaClave2026")
    expect(_error_de(page, "password")).to_contain_text("La contraseña de la clave privada es incorrecta.")
    expect(page.get_by_label("Contraseña de la clave privada")).to_have_value("")  # never filled back

    # A file far larger than the form takes (a PDF chosen by mistake): the form says so, no 413 page.
    grande = tmp_path / "constancia.pdf"
    grande.write_bytes(b"%PDF-1.7\n" + b"x" * 300_000)
    _enviar(page, grande, key, password)
    expect(page.get_by_text(re.compile("Los archivos que elegiste exceden el tamaño máximo de 16 KB"))).to_be_visible()
    expect(page.get_by_role("heading", name="Iniciar sesión con e.firma")).to_be_visible()

    _enviar(page, cer, key, password)
    expect(page.get_by_role("heading", name="Bienvenido, Servicios Ñandú de Firma, S.A.")).to_be_visible()
    assert page.url == servidor + "/"


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_el_formulario_de_efirma(js, browser, servidor, archivos):
    cer, key, _ = archivos
    page = contexto_auditable(browser, js).new_page()
    _abrir_formulario(page, servidor)
    sin_violaciones(page, "Iniciar sesión con e.firma", js)
    _enviar(page)
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Iniciar sesión con e.firma: campos vacíos", js)
    _enviar(page, cer, key, "NoEsLaClave2026")
    expect(_error_de(page, "password")).to_be_visible()
    sin_violaciones(page, "Iniciar sesión con e.firma: contraseña incorrecta", js)
