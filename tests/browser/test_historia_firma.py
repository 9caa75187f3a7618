"""Firmar y presentar in real Chromium, through the screens only (issue 15), JavaScript on and off: the
capturista sends a complete informativa to signature; the contractor opens it, presses Firmar y
presentar, is refused for a wrong password (the error summary says why, and takes the focus), then
chooses its .cer and .key again with the right password and lands on the acuse with the folio; the
contractor and the capturista each download the acuse PDF, and both PDFs carry that folio."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from models import Acuse
from tests.browser.ayudantes import (
    elegir_efirma,
    entrar_capturista,
    entrar_contratista,
    enviar_a_firma,
    foco_en,
    nuevo_contexto,
)
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

PERIODO = "Segundo cuatrimestre de 2026 (mayo–agosto)"


@pytest.fixture
def datos(app):
    """Contractor A with maria.lopez as capturista and a complete draft informativa of 2026-2."""
    with app.app_context():
        a = crear_contratista(razon_social="Historias Firmadas, S.A. de C.V.")
        crear_capturista_activo(a)
        informativa = crear_informativa(a, contratos=2, trabajadores=3, actor="capturista:maria.lopez")
        return {"rfc": a.rfc, "informativa": informativa}


def _texto_del_pdf(page, enlace: str, carpeta, nombre: str) -> tuple[str, str]:
    """Download the PDF the link gives: (its suggested file name, its text read back with pypdf)."""
    with page.expect_download() as descarga:
        page.get_by_role("link", name=enlace).click()
    archivo = carpeta / nombre
    descarga.value.save_as(archivo)
    lector = PdfReader(io.BytesIO(archivo.read_bytes()))
    return descarga.value.suggested_filename, "\n".join(p.extract_text() for p in lector.pages)


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_capturista_envia_contratista_firma_y_ambos_descargan_el_acuse(js, app, servidor, browser, datos, efirma_de,
                                                                     tmp_path):
    cer, key, password = efirma_de(datos["rfc"])

    # The capturista sends the informativa to signature.
    capturista = nuevo_contexto(browser, js, accept_downloads=True)
    cap = capturista.new_page()
    entrar_capturista(cap, servidor)
    cap.get_by_role("link", name=PERIODO).click()
    enviar_a_firma(cap)

    # The contractor finds it in Informativas and opens Firmar y presentar.
    contratista = nuevo_contexto(browser, js, accept_downloads=True)
    con = contratista.new_page()
    entrar_contratista(con, servidor, datos["rfc"])
    con.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Informativas").click()
    con.get_by_role("link", name=PERIODO).click()
    con.get_by_role("link", name="Firmar y presentar", exact=True).click()
    expect(con.get_by_role("heading", name="Firmar y presentar", level=1)).to_be_visible()
    expect(con.get_by_role("region", name="Revisión de consistencia")
           .get_by_text("La informativa cumple todas las reglas de consistencia.")).to_be_visible()

    # A wrong password: the error summary says so (focused with JavaScript), the field is marked, and
    # the password is not sent back.
    elegir_efirma(con, tmp_path, cer, key, "no es la contraseña")
    con.get_by_role("button", name="Firmar y presentar").click()
    resumen = con.get_by_role("alert").filter(has_text="Hay un problema")
    expect(resumen).to_contain_text("La contraseña de la clave privada es incorrecta.")
    if js:
        foco_en(con, ".error-summary")
    campo = con.get_by_label("Contraseña de la clave privada")
    expect(campo).to_have_attribute("aria-invalid", "true")
    expect(campo).to_have_value("")
    assert con.title().startswith("Error: ")

    # The right password: presented, and the acuse says the folio.
    elegir_efirma(con, tmp_path, cer, key, password)
    con.get_by_role("button", name="Firmar y presentar").click()
    expect(con.get_by_role("heading", name="Acuse de presentación")).to_be_visible()
    with app.app_context():
        folio = db.session.scalar(select(Acuse.folio))
    expect(con.get_by_text(f"Presentaste la informativa del {PERIODO[0].lower()}{PERIODO[1:]}. Folio: {folio}."))\
        .to_be_visible()
    expect(con.get_by_text(f"Informativa presentada con el folio {folio}.")).to_be_visible()
    nombre, texto = _texto_del_pdf(con, "Descargar acuse (PDF)", tmp_path, "contratista.pdf")
    assert nombre == f"acuse-{folio}.pdf"
    assert folio in texto and "Acuse de presentaci" in texto

    # The list shows the folio, linked to the acuse.
    con.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Informativas").click()
    con.get_by_role("link", name=folio).click()
    expect(con.get_by_text(f"Informativa presentada con el folio {folio}.")).to_be_visible()

    # The capturista sees it presented and downloads the same acuse from her side.
    cap.reload()
    expect(cap.get_by_text(re.compile(rf"Presentada: folio {folio},"))).to_be_visible()
    cap.get_by_role("link", name="ver acuse de presentación").click()
    expect(cap).to_have_url(re.compile(rf"/capturista/informativas/{datos['informativa']}/acuse$"))
    expect(cap.get_by_text(f"Informativa presentada con el folio {folio}.")).to_be_visible()
    nombre, texto = _texto_del_pdf(cap, "Descargar acuse (PDF)", tmp_path, "capturista.pdf")
    assert nombre == f"acuse-{folio}.pdf"
    assert folio in texto
    capturista.close()
    contratista.close()
