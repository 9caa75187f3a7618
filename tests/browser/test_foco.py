"""Where the focus goes after every htmx swap, by keyboard alone, in real Chromium (issue 11):
Consulta (Editar, Cancelar, Eliminar, its confirmation, the row's message, sort, Siguiente,
Anterior, the live search) and Alta (Validar, Guardar, the dialog's Aceptar and Escape); what the
polite live region says; the export page that polls without a meta refresh and stops when done;
the Administración menu on Escape and when the focus leaves; icons in forced-colours mode; long
file names at 320 px."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Exportacion
from models.types import ahora_utc
from tests.browser.test_accesibilidad import _entrar
from tests.factories import cargar_padron, crear_contratista, crear_persona, crear_relacion

CONSULTA = "/administracion/consulta"
ALTA = "/administracion/alta-usuarios/"
EXPORTAR = "/administracion/exportar-excel"
ARCHIVO = "capturistas_ABC010101A12_20260315_083000.xlsx"


@pytest.fixture
def datos(app):
    """A contractor with seven capturistas (the newest, first in the grid, pending) and a padrón."""
    with app.app_context():
        personas = cargar_padron(4)
        contratista = crear_contratista(razon_social="Servicios del Foco, S.A. de C.V.")
        ahora = ahora_utc()
        ids = []
        for i in range(7):
            persona = crear_persona(f"FOCO{i:014d}", f"NOMBRE{i}", f"APELLIDO{i}", "GARCÍA")
            ids.append(crear_relacion(contratista, persona, correo=f"p{i}@correo.example", estatus="pendiente",
                                      creado_en=ahora - timedelta(hours=i), token_version=1,
                                      liga_vence_en=ahora + timedelta(hours=24)).id)
        db.session.commit()
        return {"rfc": contratista.rfc, "id": contratista.id, "primera": ids[0], "personas": personas}


def _foco(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? {tag: e.tagName.toLowerCase(), id: e.id, clase: e.className,
                    texto: (e.innerText || e.value || "").replace(/\\s+/g, " ").trim().slice(0, 80)} : {tag: null}; }""")


def _foco_en(page, selector: str) -> dict:
    """Wait until ``document.activeElement`` matches ``selector`` (after the swap settles), and make
    sure it stays there and is never <body>."""
    try:
        page.wait_for_function("s => document.activeElement && document.activeElement.matches(s)",
                               arg=selector, timeout=5000)
    except Exception:  # Playwright's TimeoutError: say where the focus is instead
        raise AssertionError(f"el foco no llegó a {selector}: está en {_foco(page)}") from None
    page.wait_for_timeout(150)  # nothing moves it afterwards (a late settle, a refresh)
    foco = _foco(page)
    assert foco["tag"] not in (None, "body"), foco
    assert page.evaluate("s => document.activeElement.matches(s)", selector), (selector, foco)
    return foco


def _anuncio(page, patron: str) -> None:
    expect(page.locator("#anuncio")).to_have_text(re.compile(patron))


# --- icons in forced colours, long file names ---------------------------------------------------

def _exportacion(app, contratista_id) -> int:
    with app.app_context():
        e = Exportacion(contratista_id=contratista_id, solicitante="x", estado="en_proceso", total=6000,
                        escritas=1500, nombre_archivo=ARCHIVO)
        db.session.add(e)
        db.session.commit()
        return e.id



def test_iconos_visibles_en_colores_forzados(browser, servidor, datos):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = contexto.new_page()
    _entrar(page, servidor, datos["rfc"])
    page.goto(servidor + CONSULTA)
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    colores = page.evaluate("""[...document.querySelectorAll('.accion .icono')].map(i => ({
        icono: getComputedStyle(i).backgroundColor, texto: getComputedStyle(i.closest('.accion')).color,
        fondo: getComputedStyle(i.closest('.accion')).backgroundColor}))""")
    assert colores
    for c in colores:  # the icon is painted in the text's (system) colour, not in the background's
        assert c["icono"] == c["texto"] and c["icono"] != c["fondo"], c
    contexto.close()


@pytest.mark.parametrize("ancho", [320, 390])
def test_nombres_de_archivo_no_desbordan(browser, app, servidor, datos, ancho):
    eid = _exportacion(app, datos["id"])
    contexto = browser.new_context(viewport={"width": ancho, "height": 800})
    page = contexto.new_page()
    _entrar(page, servidor, datos["rfc"])
    for ruta in (f"{EXPORTAR}/{eid}", EXPORTAR):
        page.goto(servidor + ruta)
        expect(page.get_by_text(ARCHIVO)).to_be_visible()
        desborde = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert desborde <= 1, f"{ruta} se desborda {desborde}px a {ancho} px"
    contexto.close()
