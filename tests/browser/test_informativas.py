"""Enviar a firma and the contractor's Informativas in real Chromium (issue 14): the capturista sends the
informativa, the contractor opens the e-mailed link, reads the checklist and returns it with a comment,
the capturista sees the comment, fixes it and sends it again (JavaScript on and off); where the focus
goes after each htmx swap added here; axe on every new page state, JavaScript on and off."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Contrato
from services import informativas as srv
from tests.ayudantes import liga_de
from tests.browser.ayudantes import (
    anuncio,
    contexto_auditable,
    entrar_capturista,
    entrar_contratista,
    foco_en,
    intentar_entrar,
    nuevo_contexto,
    sin_violaciones,
    tab_hasta,
)
from tests.browser.buzon import para
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

LIGA_INFORMATIVA_RE = re.compile(r"(http://127\.0\.0\.1:\d+/informativas/\d+)")
COMENTARIO = "Falta el contrato de Monterrey; revisa el objeto del contrato 1."


@pytest.fixture
def datos(app):
    """Contractor A with maria.lopez as capturista: a complete informativa (2 contracts × 3 workers) and
    an incomplete one (a contract without workers)."""
    with app.app_context():
        a = crear_contratista(razon_social="Servicios Ñandú de Firma, S.A.")
        crear_capturista_activo(a)
        completa = crear_informativa(a, contratos=2, trabajadores=3, actor="capturista:maria.lopez")
        incompleta = crear_informativa(a, periodo=(2026, 1), trabajadores=0)
        return {"id": a.id, "rfc": a.rfc, "correo": a.correo, "completa": completa, "incompleta": incompleta}


def _corregir(app, datos) -> None:
    """The capturista's fix (the contracts grid is how she makes it in the app; here, its service)."""
    with app.app_context():
        informativa = srv.de_contratista(datos["id"], datos["completa"], bloquear=True)
        contrato = db.session.scalar(select(Contrato).where(Contrato.informativa_id == informativa.id,
                                                            Contrato.numero == 1))
        campos = {c: getattr(contrato, c) for c in srv.DatosContrato.__dataclass_fields__}
        srv.editar_contrato(informativa, contrato, srv.DatosContrato(**{**campos, "objeto": "Limpieza, Monterrey"}),
                            contrato.version, "capturista:maria.lopez")
        db.session.commit()


def _enviar(page, js: bool) -> None:
    """Enviar a firma from the informativa page: the confirmation (in place with JavaScript, its own page
    without), its summary, then the send."""
    if js:
        page.evaluate("window.__sinRecarga = true")
    page.get_by_role("link", name="Enviar a firma").click()
    confirmacion = page.get_by_role("group", name=re.compile(r"^¿Enviar a firma la informativa del segundo"))
    expect(confirmacion).to_be_visible()
    expect(confirmacion).to_contain_text("Trabajadores")
    expect(confirmacion.locator(".revision__falla")).to_have_count(0)
    if js:
        assert page.evaluate("window.__sinRecarga === true"), "la confirmación recargó la página"
    else:
        expect(page).to_have_url(re.compile(r"/capturista/informativas/\d+/enviar$"))
    confirmacion.get_by_role("button", name="Enviar a firma").click()
    expect(page.get_by_text("La informativa se envió a firma; el contratista recibió un correo.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Enviada a firma el .* por GUADALUPE HERNÁNDEZ GARCÍA"))).to_be_visible()
    expect(page.get_by_role("link", name="Enviar a firma")).to_have_count(0)
    expect(page.get_by_role("button", name="Cambiar tipo")).to_have_count(0)  # read-only now


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_enviar_devolver_corregir_y_reenviar(js, app, servidor, smtp, browser, datos):
    capturista = nuevo_contexto(browser, js)
    cap = capturista.new_page()
    entrar_capturista(cap, servidor)
    cap.get_by_role("link", name="Segundo cuatrimestre de 2026 (mayo–agosto)").click()
    _enviar(cap, js)

    # The e-mail reached the SMTP server; its link, opened by the contractor, asks for the login first.
    mensajes = para(smtp, datos["correo"])
    assert len(mensajes) == 1
    liga = liga_de(mensajes[0], LIGA_INFORMATIVA_RE)
    contratista = nuevo_contexto(browser, js)
    con = contratista.new_page()
    con.goto(liga)
    expect(con.get_by_text("Inicia sesión como contratista para continuar.")).to_be_visible()
    con.get_by_label("RFC").fill(datos["rfc"])
    con.get_by_label("Contraseña").fill("Limpieza#Bajio2026")
    con.get_by_role("button", name="Iniciar sesión").click()
    expect(con).to_have_url(liga)
    expect(con.get_by_role("heading", name="Informativa del segundo cuatrimestre de 2026 (mayo–agosto)")).to_be_visible()
    revision = con.get_by_role("region", name="Revisión de consistencia")
    expect(revision.get_by_text("La informativa cumple todas las reglas de consistencia.")).to_be_visible()
    expect(revision.locator(".revision__cumple")).to_have_count(7)
    expect(con.get_by_role("table").filter(has_text="Contratos:").get_by_role("rowheader")).to_have_count(2)

    # Devolver without a comment: the error summary, then with one.
    con.get_by_role("button", name="Devolver para corrección").click()
    expect(con.get_by_role("alert").filter(has_text="Hay un problema")).to_be_visible()
    expect(con.get_by_label("Qué debe corregirse")).to_have_attribute("aria-invalid", "true")
    con.get_by_label("Qué debe corregirse").fill(COMENTARIO)
    con.get_by_role("button", name="Devolver para corrección").click()
    expect(con.get_by_text("Devolviste la informativa para corrección.")).to_be_visible()
    expect(con.get_by_text("Devuelta para corrección", exact=True)).to_be_visible()

    # The capturista sees the comment; the informativa is editable again; she fixes it and re-sends.
    cap.reload()
    expect(cap.get_by_text("El contratista la devolvió para corrección:")).to_be_visible()
    expect(cap.get_by_text(COMENTARIO)).to_be_visible()
    _corregir(app, datos)
    cap.reload()
    _enviar(cap, js)
    assert len(para(smtp, datos["correo"])) == 2
    con.reload()
    expect(con.get_by_role("button", name="Devolver para corrección")).to_be_visible()
    con.get_by_role("link", name="Bitácora").click()
    expect(con.get_by_role("cell", name="Devolución para corrección")).to_be_visible()
    expect(con.get_by_role("cell", name="Envío a firma")).to_have_count(2)
    capturista.close()
    contratista.close()


def test_enviar_a_firma_por_teclado_el_foco(browser, servidor, datos):
    contexto = nuevo_contexto(browser, True)
    page = contexto.new_page()
    teclado = page.keyboard
    entrar_capturista(page, servidor)
    page.goto(servidor + f"/capturista/informativas/{datos['completa']}")
    # Enviar a firma → the confirmation, a group named by its question; Escape → back on the button.
    tab_hasta(page, "#enviar-a-firma")
    teclado.press("Enter")
    foco_en(page, "#envio-firma .confirmacion")
    expect(page.locator(":focus")).to_have_role("group")
    expect(page.locator(":focus")).to_have_accessible_name(re.compile(r"^¿Enviar a firma la informativa"))
    teclado.press("Tab")
    foco_en(page, "#envio-firma .confirmacion button")  # Enviar a firma is the first stop inside
    teclado.press("Escape")
    foco_en(page, "#enviar-a-firma")
    expect(page.locator("#envio-firma .confirmacion")).to_have_count(0)
    # Cancelar → back on the button too.
    teclado.press("Enter")
    foco_en(page, "#envio-firma .confirmacion")
    tab_hasta(page, "#envio-firma .confirmacion a")
    teclado.press("Enter")
    foco_en(page, "#enviar-a-firma")
    # Enviar a firma → the page again, read-only, with the message.
    teclado.press("Enter")
    foco_en(page, "#envio-firma .confirmacion")
    tab_hasta(page, "#envio-firma .confirmacion button")
    teclado.press("Enter")
    expect(page.get_by_text("La informativa se envió a firma; el contratista recibió un correo.")).to_be_visible()
    expect(page.locator("#enviar-a-firma")).to_have_count(0)
    contexto.close()


def test_grids_del_contratista_por_teclado_el_foco(browser, app, servidor, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_contratos.__kwdefaults__, "tamano", 1)
    monkeypatch.setitem(srv.pagina_trabajadores_de_informativa.__kwdefaults__, "tamano", 4)
    contexto = nuevo_contexto(browser, True)
    page = contexto.new_page()
    teclado = page.keyboard
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + f"/informativas/{datos['completa']}")
    page.evaluate("window.__sinRecarga = true")
    # Contracts: Siguiente / Anterior → the grid's caption, announcing the page.
    tab_hasta(page, "#grid-contratos a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-contratos caption")
    expect(page.locator(":focus")).to_have_text("Contratos: Página 2: 1 contrato de 2, ordenados por número.")
    anuncio(page, r"^Página 2: 1 contrato de 2, ordenados por número\.$")
    tab_hasta(page, "#grid-contratos a[rel=prev]")
    teclado.press("Enter")
    foco_en(page, "#grid-contratos caption")
    anuncio(page, r"^Página 1: 1 contrato de 2, ")
    assert page.evaluate("window.__sinRecarga === true")
    # All the workers: Siguiente → the caption; the live search keeps the focus in the box.
    page.goto(servidor + f"/informativas/{datos['completa']}/trabajadores")
    tab_hasta(page, "#grid-trabajadores a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores caption")
    anuncio(page, r"^Página 2: 2 trabajadores de 6, ordenados por nombre\.$")
    page.evaluate("window.scrollTo(0, 0)")
    tab_hasta(page, "#q")
    teclado.type("zapata")
    anuncio(page, r"^2 trabajadores que coinciden con la búsqueda, ordenados por nombre\.$")
    foco_en(page, "#q")
    expect(page).to_have_url(re.compile(r"q=zapata"))
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_enviar_a_firma_e_informativas(js, browser, app, servidor, datos):
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    entrar_capturista(page, servidor)
    base = servidor + "/capturista/informativas/"
    page.goto(base + str(datos["incompleta"]))
    expect(page.get_by_text("Para enviarla a firma, la informativa debe cumplir:")).to_be_visible()
    sin_violaciones(page, "Capturista: informativa incompleta", js)
    page.goto(base + str(datos["completa"]))
    sin_violaciones(page, "Capturista: informativa lista para enviar", js)
    page.get_by_role("link", name="Enviar a firma").click()
    expect(page.get_by_role("group", name=re.compile("^¿Enviar a firma"))).to_be_visible()
    sin_violaciones(page, "Capturista: confirmación de Enviar a firma", js)
    page.goto(base + f"{datos['incompleta']}/enviar")  # not sendable: the 409 page
    expect(page.get_by_role("heading", name="No se pudo realizar la acción")).to_be_visible()
    sin_violaciones(page, "Capturista: Enviar a firma rechazado", js)
    page.goto(base + str(datos["completa"]))
    page.get_by_role("link", name="Enviar a firma").click()
    page.get_by_role("group", name=re.compile("^¿Enviar a firma")).get_by_role("button", name="Enviar a firma").click()
    expect(page.get_by_text("La informativa se envió a firma")).to_be_visible()
    sin_violaciones(page, "Capturista: informativa enviada a firma", js)
    contexto.close()

    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    intentar_entrar(page, servidor, datos["rfc"])
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Informativas").click()
    expect(page.get_by_role("heading", name="Informativas", exact=True)).to_be_visible()
    sin_violaciones(page, "Contratista: informativas", js)
    page.get_by_role("link", name="Segundo cuatrimestre de 2026 (mayo–agosto)").click()
    sin_violaciones(page, "Contratista: informativa enviada a firma", js)
    page.get_by_role("button", name="Devolver para corrección").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Contratista: devolver sin comentario", js)
    page.get_by_label("Qué debe corregirse").fill(COMENTARIO)
    page.get_by_role("button", name="Devolver para corrección").click()
    expect(page.get_by_text("Devolviste la informativa para corrección.")).to_be_visible()
    sin_violaciones(page, "Contratista: informativa devuelta", js)
    page.get_by_role("link", name="Contrato 1", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Contrato 1 \("))).to_be_visible()
    sin_violaciones(page, "Contratista: trabajadores del contrato", js)
    page.get_by_role("searchbox", name="Buscar").fill("nadie")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("Ningún trabajador coincide con la búsqueda.").first).to_be_visible()
    sin_violaciones(page, "Contratista: búsqueda sin resultados", js)
    page.goto(servidor + f"/informativas/{datos['completa']}/trabajadores")
    sin_violaciones(page, "Contratista: trabajadores de la informativa", js)
    page.goto(servidor + f"/informativas/{datos['completa']}/bitacora")
    sin_violaciones(page, "Contratista: bitácora de la informativa", js)
    contexto.close()
