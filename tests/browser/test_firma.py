"""Firmar y presentar, Sin información, the complementarias and the acuse in real Chromium (issue 15): axe-core
finds not one violation on any of their page states, JavaScript on and off; the pages read at phone width
(the acuse's sello is one word of 344 characters); the e.firma's fields are reached by keyboard in order,
and a refused e.firma puts the focus on the error summary."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Informativa
from models.types import ahora_utc
from tests.browser.ayudantes import (
    contexto_auditable,
    elegir_efirma,
    entrar_capturista,
    entrar_contratista,
    foco_en,
    nuevo_contexto,
    sin_violaciones,
    tab_hasta,
)
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

ACUSE = "Acuse de presentación"


@pytest.fixture
def datos(app):
    """Contractor A with maria.lopez as capturista and a complete informativa of 2026-2 sent to signature."""
    with app.app_context():
        a = crear_contratista(razon_social="Servicios Ñandú de Firma, S.A.")
        crear_capturista_activo(a)
        informativa = db.session.get(Informativa, crear_informativa(a, contratos=2, trabajadores=3,
                                                                    actor="capturista:maria.lopez"))
        informativa.estado, informativa.enviada_en = Informativa.ENVIADA, ahora_utc()
        db.session.commit()
        return {"rfc": a.rfc, "informativa": informativa.id}


def _firmar(page, carpeta, efirma) -> str:
    """Firmar y presentar on the signing page open now: the acuse, its folio."""
    elegir_efirma(page, carpeta, *efirma)
    page.get_by_role("button", name="Firmar y presentar").click()
    expect(page.get_by_role("heading", name=ACUSE)).to_be_visible()
    return page.locator("p.aviso--success", has_text="Informativa presentada con el folio").locator("strong").inner_text()


def _con_errores(page, boton: str) -> None:
    page.get_by_role("button", name=boton).click()
    expect(page.get_by_role("alert").filter(has_text="Hay un problema")).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_la_firma_el_acuse_y_las_complementarias(js, browser, app, servidor, datos, efirma_de, tmp_path):
    informativa = f"{servidor}/informativas/{datos['informativa']}"
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])

    page.goto(informativa + "/firmar")
    expect(page.get_by_role("group", name="Tu e.firma (FIEL) del SAT")).to_be_visible()
    sin_violaciones(page, "Firmar y presentar", js)
    _con_errores(page, "Firmar y presentar")
    expect(page.get_by_label("Certificado (.cer)")).to_have_attribute("aria-invalid", "true")
    sin_violaciones(page, "Firmar y presentar con errores", js)
    elegir_efirma(page, tmp_path, *efirma_de(datos["rfc"])[:2], "otra")
    _con_errores(page, "Firmar y presentar")
    expect(page.get_by_text("La contraseña de la clave privada es incorrecta.").first).to_be_visible()
    sin_violaciones(page, "Firmar y presentar: contraseña incorrecta", js)
    folio = _firmar(page, tmp_path, efirma_de(datos["rfc"]))
    sin_violaciones(page, "Acuse (contratista)", js)

    # The presented informativa, with its Complementarias section; Sin efectos, and with errors.
    page.goto(informativa)
    complementarias = page.get_by_role("region", name="Complementarias")
    expect(complementarias).to_be_visible()
    sin_violaciones(page, "Informativa presentada (complementarias)", js)
    complementarias.get_by_role("link", name="Presentar complementaria sin efectos").click()
    expect(page.get_by_role("heading", name="Complementaria sin efectos")).to_be_visible()
    sin_violaciones(page, "Complementaria sin efectos", js)
    _con_errores(page, "Firmar y presentar complementaria sin efectos")
    sin_violaciones(page, "Complementaria sin efectos con errores", js)

    # A complementaria de corrección in capture: its page, and the list with the folio and the chain.
    page.goto(informativa)
    page.get_by_role("button", name="Iniciar complementaria de corrección").click()
    expect(page.get_by_text(f"Complementaria de corrección de la informativa {folio}")).to_be_visible()
    sin_violaciones(page, "Complementaria de corrección en captura", js)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Informativas").click()
    expect(page.get_by_role("link", name=folio)).to_be_visible()
    expect(page.get_by_text("· complementaria 1")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Complementaria de corrección de {folio}")).to_be_visible()
    sin_violaciones(page, "Informativas: folio y complementaria", js)

    # Sin información: the periods to choose from; with errors.
    page.get_by_role("link", name="Presentar sin información").click()
    periodos = page.get_by_role("group", name="Periodo")
    expect(periodos.get_by_role("radio")).not_to_have_count(0)
    sin_violaciones(page, "Presentar sin información", js)
    _con_errores(page, "Firmar y presentar sin información")
    expect(page.get_by_text("Elige el periodo que presentas sin información.").first).to_be_visible()
    sin_violaciones(page, "Presentar sin información con errores", js)
    contexto.close()

    # The capturista's side: the presented informativa and its acuse.
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    entrar_capturista(page, servidor)
    page.goto(f"{servidor}/capturista/informativas/{datos['informativa']}")
    sin_violaciones(page, "Capturista: informativa presentada", js)
    page.get_by_role("link", name="ver acuse de presentación").click()
    expect(page.get_by_text(f"Informativa presentada con el folio {folio}.")).to_be_visible()
    sin_violaciones(page, "Acuse (capturista)", js)
    contexto.close()


def _sin_desborde(page, que: str) -> None:
    medidas = page.evaluate("({ancho: document.documentElement.scrollWidth, ventana: innerWidth})")
    assert medidas["ancho"] <= medidas["ventana"], f"{que} se desborda a lo ancho: {medidas}"


def test_se_lee_en_un_telefono(browser, servidor, datos, efirma_de, tmp_path):
    """At 390 px nothing scrolls sideways: the signing form, the acuse (its sello and digest are single
    words of 344 and 64 characters) for both sides, the presented informativa and Sin efectos (buttons
    with long names), the list and Sin información."""
    telefono = {"width": 390, "height": 844}
    contexto = nuevo_contexto(browser, True, viewport=telefono)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(f"{servidor}/informativas/{datos['informativa']}/firmar")
    _con_errores(page, "Firmar y presentar")
    _sin_desborde(page, "Firmar y presentar con errores")
    _firmar(page, tmp_path, efirma_de(datos["rfc"]))
    sello = page.get_by_role("definition").filter(has_text=re.compile(r"^[A-Za-z0-9+/]{300,}={0,2}$"))
    expect(sello).to_have_count(1)
    assert len(sello.inner_text()) == 344
    _sin_desborde(page, "El acuse del contratista")
    informativa = f"/informativas/{datos['informativa']}"
    for ruta, que in [(informativa, "La informativa presentada (Iniciar complementaria de corrección)"),
                      (informativa + "/sin-efectos", "Complementaria sin efectos (su botón)"),
                      ("/informativas", "Informativas"), ("/informativas/sin-informacion", "Presentar sin información")]:
        page.goto(servidor + ruta)
        _sin_desborde(page, que)
    contexto.close()

    contexto = nuevo_contexto(browser, True, viewport=telefono)
    page = contexto.new_page()
    entrar_capturista(page, servidor)
    page.goto(f"{servidor}/capturista/informativas/{datos['informativa']}/acuse")
    expect(page.get_by_role("heading", name=ACUSE)).to_be_visible()
    _sin_desborde(page, "El acuse de la capturista")
    contexto.close()


def test_firmar_por_teclado_y_el_foco_en_el_resumen(browser, servidor, datos, efirma_de, tmp_path):
    """Tab goes .cer → .key → contraseña → Firmar y presentar, nothing between; a refused e.firma comes
    back with the focus on the error summary (data-enfocar), whose links lead to the fields."""
    contexto = nuevo_contexto(browser, True)
    page = contexto.new_page()
    teclado = page.keyboard
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(f"{servidor}/informativas/{datos['informativa']}/firmar")
    boton = "form[enctype='multipart/form-data'] input[type=submit]"
    tab_hasta(page, "#cer")
    for siguiente in ("#key", "#password", boton):
        teclado.press("Tab")
        foco_en(page, siguiente)
    expect(page.locator(":focus")).to_have_value("Firmar y presentar")

    # The files are chosen in the system's dialog (not the page's keyboard); the rest by keyboard.
    cer, key, _ = efirma_de(datos["rfc"])
    elegir_efirma(page, tmp_path, cer, key, "")
    tab_hasta(page, "#password")
    teclado.type("no es la contraseña")
    teclado.press("Tab")
    foco_en(page, boton)
    teclado.press("Enter")
    foco_en(page, ".error-summary")
    resumen = page.locator(":focus")
    expect(resumen).to_have_role("alert")
    expect(resumen).to_contain_text("La contraseña de la clave privada es incorrecta.")
    teclado.press("Tab")
    foco_en(page, ".error-summary a[href='#password']")  # the next stop: the message, a link to its field
    contexto.close()
