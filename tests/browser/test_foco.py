"""Where the focus goes after every htmx swap, by keyboard alone, in real Chromium (issue 11):
Consulta (Editar, Cancelar, Eliminar, its confirmation, the row's message, sort, Siguiente,
Anterior, the live search) and Alta (Validar, Guardar, the dialog's Aceptar and Escape); what the
polite live region says; the export page that polls without a meta refresh and stops when done;
the Administración menu on Escape and when the focus leaves; icons in forced-colours mode; long
file names at 320 px."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Exportacion
from models.types import ahora_utc
from tests.browser.ayudantes import anuncio, entrar_contratista, foco_en, tab_hasta
from tests.factories import cargar_padron, crear_contratista, crear_exportacion, crear_persona, crear_relacion

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


def test_consulta_por_teclado_el_foco_tras_cada_cambio(browser, servidor, datos, monkeypatch):
    import services.consulta

    monkeypatch.setitem(services.consulta.pagina.__kwdefaults__, "tamano", 3)  # 7 rows: three pages
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    teclado = page.keyboard
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + CONSULTA)
    fila = f"#capturista-{datos['primera']}"
    editar, eliminar = f"#editar-{datos['primera']}", f"#eliminar-{datos['primera']}"

    # Editar → the first field of the form in the row; Cancelar → back on that row's Editar.
    tab_hasta(page, editar)
    teclado.press("Enter")
    foco_en(page, f"{fila} #telefono")
    tab_hasta(page, f"{fila} .editar-capturista a")  # Cancelar
    teclado.press("Enter")
    foco_en(page, editar)
    teclado.press("Tab")  # and the next Tab continues from there, in the same row
    foco_en(page, f"#enviar-{datos['primera']}")

    # Eliminar → the confirmation (a group named by its question); Cancelar → back on Eliminar.
    tab_hasta(page, eliminar)
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    confirmacion = page.locator(":focus")
    expect(confirmacion).to_have_role("group")
    expect(confirmacion).to_have_accessible_name(re.compile(r"^¿Deseas dar de baja al usuario capturista\?"))
    teclado.press("Tab")
    foco_en(page, f"{fila} .confirmacion button")  # Aceptar is the next stop, not the first
    tab_hasta(page, f"{fila} .confirmacion a")  # Cancelar
    teclado.press("Enter")
    foco_en(page, eliminar)
    # Escape in the confirmation is Cancelar too.
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    teclado.press("Escape")
    foco_en(page, eliminar)
    expect(page.locator(f"{fila} .confirmacion")).to_have_count(0)

    # Aceptar → the row's message; its Aceptar → the row's next sensible control (Eliminar is gone
    # once the capturista is in baja: Activar).
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    tab_hasta(page, f"{fila} .confirmacion button")
    teclado.press("Enter")
    foco_en(page, f"{fila} .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text(re.compile(r"La relación con el usuario capturista .*es baja\."))
    tab_hasta(page, f"{fila} .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, f"#activar-{datos['primera']}")

    # Sort by CURP → the grid's caption, and the live region says the new order.
    tab_hasta(page, "#grid-capturistas thead a[href*='orden=curp']")
    teclado.press("Enter")
    foco_en(page, "#grid-capturistas caption")
    expect(page.locator(":focus")).to_have_text(
        "Usuarios capturistas: Página 1: 3 capturistas de 7, ordenados por CURP, ascendente.")
    anuncio(page, r"^Página 1: 3 capturistas de 7, ordenados por CURP, ascendente\.$")

    # Siguiente / Anterior → the caption again, announcing the page.
    tab_hasta(page, "#grid-capturistas a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-capturistas caption")
    anuncio(page, r"^Página 2: 3 capturistas de 7, ordenados por CURP, ascendente\.$")
    tab_hasta(page, "#grid-capturistas a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-capturistas caption")
    anuncio(page, r"^Página 3: 1 capturista de 7, ")
    tab_hasta(page, "#grid-capturistas a[rel=prev]")
    teclado.press("Enter")
    foco_en(page, "#grid-capturistas caption")
    anuncio(page, r"^Página 2: 3 capturistas de 7, ")

    # The live search keeps the focus in the box and announces the count.
    page.evaluate("window.scrollTo(0, 0)")
    tab_hasta(page, "#q")
    teclado.type("apellido3")
    anuncio(page, r"^1 capturista que coincide con la búsqueda, ordenado por ")
    foco_en(page, "#q")
    expect(page.locator("#grid-capturistas tbody.capturista")).to_have_count(1)
    contexto.close()


def test_alta_por_teclado_el_foco_y_los_anuncios(browser, servidor, datos):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    teclado = page.keyboard
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + ALTA)

    for i, cerrar in enumerate(["Enter", "Escape"]):
        persona = datos["personas"][i]
        nombre = " ".join(p for p in (persona.nombre, persona.primer_apellido, persona.segundo_apellido) if p)
        tab_hasta(page, "#curp")
        teclado.type(persona.curp)
        teclado.press("Enter")  # Validar
        # The focus goes to the first contact field; the name found is said in the live region.
        foco_en(page, "#telefono")
        anuncio(page, re.escape(f"CURP validada: {nombre}.") + " Captura sus datos de contacto")
        teclado.type("5512345678")
        teclado.press("Tab")
        foco_en(page, "#correo")
        teclado.type(f"foco{i}@correo.example")
        teclado.press("Tab")
        foco_en(page, "#confirmar_correo")
        teclado.type(f"foco{i}@correo.example")
        teclado.press("Enter")  # Guardar
        # The confirmation is a modal dialog with the focus inside.
        dialogo = page.get_by_role("dialog")
        expect(dialogo).to_have_accessible_name("Mensaje de confirmación: alta de usuario capturista")
        foco_en(page, "dialog[open] a")
        assert page.evaluate("document.querySelector('dialog').matches(':modal')")
        # Aceptar (Enter) or Escape closes it, and the focus is back on the CURP, empty, for the next one.
        teclado.press(cerrar)
        expect(page.get_by_role("dialog")).to_have_count(0)
        foco_en(page, "#curp")
        expect(page.locator("#curp")).to_have_value("")
    contexto.close()


def test_alta_con_error_el_foco_en_el_resumen(browser, servidor, datos):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + ALTA)
    tab_hasta(page, "#curp")
    page.keyboard.type("XXX")
    page.keyboard.press("Enter")
    foco_en(page, ".error-summary")
    assert page.title().startswith("Error: Alta de usuarios")  # the title follows the swap's status
    tab_hasta(page, "#curp")
    page.keyboard.press("Control+A")
    page.keyboard.type(datos["personas"][0].curp)
    page.keyboard.press("Enter")
    foco_en(page, "#telefono")
    assert page.title() == "Alta de usuarios · Capturistas ICSOE"
    contexto.close()


# --- Exportación: no meta refresh with JavaScript, polling that stops, the result announced ---------

def _terminar(app, eid) -> None:
    with app.app_context():
        e = db.session.get(Exportacion, eid)
        e.estado, e.escritas, e.terminado_en = "lista", e.total, ahora_utc()
        e.expira_en = ahora_utc() + timedelta(hours=24)
        db.session.commit()


def test_exportacion_con_js_sondea_sin_recargar_y_se_detiene(browser, app, servidor, datos):
    eid = crear_exportacion(app, datos["id"], "en_proceso", total=6000, escritas=1500, nombre_archivo=ARCHIVO)
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    consultas = []
    page.on("request", lambda r: consultas.append(time.monotonic()) if r.url.endswith(f"{EXPORTAR}/{eid}") else None)
    page.goto(servidor + f"{EXPORTAR}/{eid}")
    # The refresh is there for a browser without JavaScript only: inside <noscript>, inert here.
    assert page.evaluate("document.querySelector('meta[http-equiv=refresh]')") is None
    assert page.evaluate("""[...document.querySelectorAll('head noscript')]
        .some(n => /<meta http-equiv="refresh" content="2">/.test(n.textContent))""")
    page.evaluate("window.__sinRecarga = true")
    page.wait_for_timeout(3000)  # longer than the refresh's 2 s
    assert page.evaluate("window.__sinRecarga === true"), "la página se recargó (meta refresh con JavaScript)"
    assert len(consultas) >= 3, consultas  # the page load and htmx's polling every second

    _terminar(app, eid)
    expect(page.get_by_role("link", name="Descargar Excel")).to_be_visible()
    anuncio(page, r"^El archivo está listo: 6,000 registros\. Usa el botón Descargar Excel\.$")
    assert page.evaluate("window.__sinRecarga === true")
    hecho = time.monotonic()
    page.wait_for_timeout(3500)
    tardias = [t for t in consultas if t > hecho + 0.5]  # one request may have been under way
    assert not tardias, f"siguió consultando el estado después de terminar: {len(tardias)} peticiones"
    contexto.close()


def test_exportacion_sin_js_se_recarga_sola(browser, app, servidor, datos, sin_js):
    eid = crear_exportacion(app, datos["id"], "en_proceso", total=6000, escritas=1500, nombre_archivo=ARCHIVO)
    page = sin_js.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + f"{EXPORTAR}/{eid}")
    expect(page.get_by_text("Generando el archivo")).to_be_visible()
    _terminar(app, eid)
    expect(page.get_by_role("link", name="Descargar Excel")).to_be_visible(timeout=6000)  # the meta refresh


# --- the Administración menu, icons in forced colours, long file names ------------------------------

def test_menu_administracion_se_cierra_con_escape_y_al_salir(browser, servidor, datos):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    menu = page.locator("details.menu__grupo")
    tab_hasta(page, "details.menu__grupo summary")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    foco_en(page, "details.menu__grupo a")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    foco_en(page, "details.menu__grupo summary")
    # Open again and Tab past its last link: the focus leaves the menu, the menu closes.
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("Tab")
    foco_en(page, "nav.menu a[href$='/informativas']")  # the next item of the menu
    expect(menu).not_to_have_attribute("open", "")
    # A click elsewhere closes it as well.
    page.locator("details.menu__grupo summary").click()
    expect(menu).to_have_attribute("open", "")
    page.get_by_role("heading", level=1).click()
    expect(menu).not_to_have_attribute("open", "")
    contexto.close()


def test_iconos_visibles_en_colores_forzados(browser, servidor, datos):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800}, forced_colors="active")
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + CONSULTA)
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    colores = page.evaluate("""[...document.querySelectorAll('.accion')].map(a => {
        const i = getComputedStyle(a, '::before');
        return {icono: i.backgroundColor, mascara: i.maskImage || i.webkitMaskImage, ancho: i.width,
                texto: getComputedStyle(a).color, fondo: getComputedStyle(a).backgroundColor}; })""")
    assert colores
    for c in colores:  # the icon (a masked ::before) is painted in the text's (system) colour
        assert ".svg" in c["mascara"] and c["ancho"] == "18px", c
        assert c["icono"] == c["texto"] and c["icono"] != c["fondo"], c
    contexto.close()


@pytest.mark.parametrize("ancho", [320, 390])
def test_nombres_de_archivo_no_desbordan(browser, app, servidor, datos, ancho):
    eid = crear_exportacion(app, datos["id"], "en_proceso", total=6000, escritas=1500, nombre_archivo=ARCHIVO)
    contexto = browser.new_context(viewport={"width": ancho, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    for ruta in (f"{EXPORTAR}/{eid}", EXPORTAR):
        page.goto(servidor + ruta)
        expect(page.get_by_text(ARCHIVO)).to_be_visible()
        desborde = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert desborde <= 1, f"{ruta} se desborda {desborde}px a {ancho} px"
    contexto.close()


def test_buscar_despues_de_ordenar_conserva_el_orden(browser, servidor, datos):
    """Sorting by a column swaps only the grid; a search typed afterwards must keep that order
    (the search form's orden/dir used to stay at the page's first values)."""
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + "/administracion/consulta")
    page.get_by_role("link", name=re.compile("^CURP")).click()
    expect(page).to_have_url(re.compile(r"orden=curp"))
    with page.expect_response(lambda r: "q=GARC" in r.url):
        page.get_by_role("searchbox", name="Buscar").fill("GARC")
    expect(page).to_have_url(re.compile(r"q=GARC.*orden=curp|orden=curp.*q=GARC"))
    expect(page.locator("caption")).to_contain_text("ordenados por CURP")
    contexto.close()



def test_el_contenido_nuevo_llega_vivo_y_con_el_foco(browser, servidor, datos):
    """When the new content appears, it is already live and the focus is already in it: with htmx's
    default 20 ms settle, a user typing in Teléfono right away had the next field's text land in
    Teléfono (CI saw "5512345678persona@…" in it), and Enter on a button not yet processed by htmx
    submitted the form without it. A MutationObserver (it runs right after the task that changed the
    page) records where the focus was when #telefono, or the row's confirmation, first appeared."""
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    vigilar = """s => { window.__visto = null; new MutationObserver(() => {
        const e = document.querySelector(s);
        if (e && window.__visto === null) {
            const a = document.activeElement;
            window.__visto = {foco: a && (a.id || a.className), vivo: !!e.querySelector('[hx-post]') ? !!e.querySelector('[hx-post]')['htmx-internal-data'] : null};
        } }).observe(document.body, {childList: true, subtree: true}); }"""

    page.goto(servidor + ALTA)
    page.evaluate(vigilar, "#telefono")
    persona = datos["personas"][0]
    page.get_by_label("CURP").fill(persona.curp)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(persona.primer_apellido, exact=True)).to_be_visible()
    assert page.evaluate("window.__visto.foco") == "telefono"
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Correo electrónico", exact=True).fill("rapida@correo.example")
    expect(page.get_by_label("Teléfono")).to_have_value("5512345678")
    expect(page.get_by_label("Correo electrónico", exact=True)).to_have_value("rapida@correo.example")

    page.goto(servidor + CONSULTA)
    page.evaluate(vigilar, ".confirmacion")
    fila = page.locator(f"#capturista-{datos['primera']}")
    page.locator(f"#eliminar-{datos['primera']}").click()
    expect(fila.locator(".confirmacion")).to_be_visible()
    visto = page.evaluate("window.__visto")
    assert "confirmacion" in visto["foco"], visto
    assert visto["vivo"] is True, visto  # its buttons already answer through htmx
    contexto.close()
