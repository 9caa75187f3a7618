"""The contracts of an informativa in real Chromium (issue 14): where the keyboard focus goes after every
htmx swap of the grid (Editar, Cancelar, Guardar, Eliminar, its confirmation, Aceptar, search, pages),
Buscar RFC filling the contratante as the RFC is left, Enter saving (not looking up), and axe-core with
0 violations on the informativa page with its grid, the edit row, the confirmation and Agregar contrato,
with JavaScript on and off."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Contrato, Informativa
from models.types import ahora_utc
from services import informativas as srv
from services.padron import PersonaEncontrada
from tests.browser.ayudantes import anuncio, contexto_auditable, foco_en, nuevo_contexto, sin_violaciones, tab_hasta
from tests.factories import CLAVE_CAPTURISTA, crear_capturista_activo, crear_contratista, rfc_valido

RFC_CLIENTE = rfc_valido("CLI", "030303", "D4")
CLIENTES = ["Cliente Núñez, S.A.", "Hospital del Bajío, S.C.", "Comercial Ávila, S.A.", "Industrias Peña, S.A."]


@pytest.fixture
def datos(app):
    """A contractor with maria.lopez as capturista; its informativa of 2026-2 with four contracts (the
    first with two workers, each with its own contratante)."""
    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios del Foco, S.A. de C.V.")
        crear_capturista_activo(contratista)
        informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        ids = []
        for i, nombre in enumerate(CLIENTES):
            contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
                rfc_contratante=rfc_valido("CL" + "ABCD"[i], "030303", "D4"), nombre_contratante=nombre,
                correo_contratante=f"c{i}@cliente.example", telefono_contratante="5511112222",
                objeto=f"Limpieza de la planta {i + 1}", servicio="AR12345/2024 Limpieza",
                fecha_inicio=date(2026, 6, i + 1), fecha_fin=None), "prueba")
            ids.append(contrato.id)
        for i in range(2):
            srv.agregar_trabajador(informativa, db.session.get(Contrato, ids[0]), completar(f"123456789{i}"),
                                   PersonaEncontrada(f"PEGL85030{i}HJCRRS07", "JUAN", f"APELLIDO{i}", ""),
                                   Decimal("315.04"), "prueba")
        db.session.commit()
        return {"informativa": informativa.id, "contratos": ids,
                "ver": f"/capturista/informativas/{informativa.id}"}


def entrar_capturista(page, servidor: str) -> None:
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill("maria.lopez")
    page.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()
    expect(page.get_by_role("heading", name=re.compile("^Hola"))).to_be_visible()


def abrir(browser, servidor: str, ruta: str, js: bool = True, auditable: bool = False):
    """A new browser context (JavaScript on or off; ``auditable``: for axe) with maria.lopez working
    for the contractor, on ``ruta``: (context, page)."""
    contexto = (contexto_auditable if auditable else nuevo_contexto)(browser, js)
    page = contexto.new_page()
    entrar_capturista(page, servidor)
    page.goto(servidor + ruta)
    return contexto, page


def test_el_foco_tras_cada_cambio_de_la_grid(browser, servidor, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_contratos.__kwdefaults__, "tamano", 2)  # four contracts: two pages
    contexto, page = abrir(browser, servidor, datos["ver"])
    teclado = page.keyboard
    primero = datos["contratos"][0]
    fila, editar, eliminar = f"#contrato-{primero}", f"#editar-contrato-{primero}", f"#eliminar-contrato-{primero}"

    # Editar → the first field of the form in the row; Cancelar → back on that row's Editar.
    tab_hasta(page, editar)
    teclado.press("Enter")
    foco_en(page, f"{fila} #contrato{primero}-rfc_contratante")
    tab_hasta(page, f"{fila} .formulario-contrato a")  # Cancelar
    teclado.press("Enter")
    foco_en(page, editar)
    expect(page.locator(f"{fila} .fila-detalle")).to_have_count(0)

    # Editar, change the objeto, Guardar → the row's message; its Aceptar → back on Editar.
    version = page.locator("#estado-informativa input[name=version]").get_attribute("value")
    teclado.press("Enter")
    foco_en(page, f"{fila} #contrato{primero}-rfc_contratante")
    tab_hasta(page, f"#contrato{primero}-objeto")
    teclado.press("Control+A")
    teclado.type("Limpieza y jardinería de la planta 1")
    tab_hasta(page, f"{fila} input[type=submit]")
    teclado.press("Enter")
    foco_en(page, f"{fila} .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text("Se guardaron los cambios del Contrato 1")
    expect(page.locator(f"{fila} td.texto-largo")).to_have_text("Limpieza y jardinería de la planta 1")
    # The Tipo form below took the informativa's new version (out of band).
    expect(page.locator("#estado-informativa input[name=version]")).not_to_have_attribute("value", version)
    tab_hasta(page, f"{fila} .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, editar)

    # Eliminar → the confirmation, named by its question; Escape (its Cancelar) → back on Eliminar.
    tab_hasta(page, eliminar)
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    confirmacion = page.locator(":focus")
    expect(confirmacion).to_have_role("group")
    expect(confirmacion).to_have_accessible_name(
        re.compile(r"^¿Deseas eliminar el contrato 1\? También se eliminarán sus 2 trabajadores\."))
    teclado.press("Escape")
    foco_en(page, eliminar)
    # Again, and Aceptar → the row's message; its Aceptar → the grid as it now is, on its caption.
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    teclado.press("Tab")
    foco_en(page, f"{fila} .confirmacion button")
    teclado.press("Enter")
    foco_en(page, f"{fila} .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text(re.compile(r"Se eliminó el Contrato 1 \(.+\) con sus 2 trabajadores\."))
    tab_hasta(page, f"{fila} .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, "#grid-contratos caption")
    anuncio(page, r"^Página 1: 2 contratos de 3, por número\.$")
    expect(page.locator(fila)).to_have_count(0)

    # Siguiente / Anterior → the caption, announcing the page.
    tab_hasta(page, "#grid-contratos a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-contratos caption")
    anuncio(page, r"^Página 2: 1 contrato de 3, por número\.$")
    expect(page).to_have_url(re.compile(r"despues="))
    tab_hasta(page, "#grid-contratos a[rel=prev]")
    teclado.press("Enter")
    foco_en(page, "#grid-contratos caption")
    anuncio(page, r"^Página 1: 2 contratos de 3, por número\.$")

    # The live search keeps the focus in the box, announces the count and puts the search in the URL.
    page.evaluate("window.scrollTo(0, 0)")
    tab_hasta(page, "#buscar-contratos")
    teclado.type("avila")
    anuncio(page, r"^1 contrato que coincide con la búsqueda\.$")
    foco_en(page, "#buscar-contratos")
    expect(page.locator("#grid-contratos tbody.contrato")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=avila"))
    contexto.close()


def test_buscar_rfc_llena_el_contratante_al_salir_del_campo(browser, app, servidor, datos):
    contexto, page = abrir(browser, servidor, datos["ver"] + "/contratos/nuevo")
    teclado = page.keyboard
    rfc = rfc_valido("CLC", "030303", "D4")  # Comercial Ávila's
    tab_hasta(page, "#rfc_contratante")
    teclado.type(rfc.lower())
    teclado.press("Tab")  # leaving the field looks it up; the focus stays where it went (Buscar RFC)
    anuncio(page, re.escape(f"Se llenaron los datos guardados del contratante Comercial Ávila, S.A. (RFC {rfc})."))
    expect(page.get_by_label("Nombre o razón social")).to_have_value("Comercial Ávila, S.A.")
    expect(page.get_by_label("Correo electrónico")).to_have_value("c2@cliente.example")
    expect(page.get_by_label("RFC del contratante")).to_have_value(rfc)
    foco_en(page, "#buscar_rfc")
    teclado.press("Tab")
    foco_en(page, "#nombre_contratante")  # the next Tab goes on through the form
    # An RFC nobody saved says so; the fields keep what they have.
    page.get_by_label("RFC del contratante").fill(rfc_valido("OTR", "060606", "G7"))
    page.get_by_role("button", name="Buscar RFC").click()
    anuncio(page, r"^No hay datos guardados del RFC OTR060606G7.: captura los del contratante\.$")
    expect(page.get_by_label("Nombre o razón social")).to_have_value("Comercial Ávila, S.A.")
    foco_en(page, "#buscar_rfc")  # pressed, it keeps the focus
    # A malformed RFC: Buscar RFC hands the focus to the field, with its error.
    page.get_by_label("RFC del contratante").fill("XYZ")
    page.get_by_role("button", name="Buscar RFC").click()
    foco_en(page, "#rfc_contratante[aria-invalid=true]")
    anuncio(page, r"^Error: El RFC debe tener 12 caracteres")
    with app.app_context():
        assert db.session.query(Contrato).count() == 4  # looking up saved nothing
    contexto.close()


def test_lo_escrito_mientras_se_busca_el_rfc_no_se_pierde(browser, servidor, datos):
    """The lookup runs as the RFC is left; what is typed in the contratante's fields while it runs stays
    (a lookup that finds nothing leaves them as they are)."""
    contexto, page = abrir(browser, servidor, datos["ver"] + "/contratos/nuevo")
    retenidas = []
    page.route("**/contratos/nuevo", lambda ruta: retenidas.append(ruta) if ruta.request.method == "POST"
               else ruta.continue_())
    page.get_by_label("RFC del contratante").fill(rfc_valido("NUE", "040404", "E5"))
    page.get_by_label("Nombre o razón social").click()  # leaves the RFC: the lookup starts (held here)
    for _ in range(50):
        if retenidas:
            break
        page.wait_for_timeout(50)
    assert retenidas, "la búsqueda del RFC no salió"
    page.keyboard.type("Escrito mientras tanto, S.A.")
    retenidas[0].continue_()
    anuncio(page, r"^No hay datos guardados del RFC NUE040404E5.: captura los del contratante\.$")
    expect(page.get_by_label("Nombre o razón social")).to_have_value("Escrito mientras tanto, S.A.")
    foco_en(page, "#nombre_contratante")
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_enter_guarda_el_contrato_no_busca_el_rfc(js, browser, app, servidor, datos):
    """The form's first submit button is the one Enter presses: an invisible Guardar, not Buscar RFC."""
    contexto, page = abrir(browser, servidor, datos["ver"] + "/contratos/nuevo", js)
    page.get_by_label("RFC del contratante").fill(rfc_valido("NUE", "040404", "E5"))
    page.get_by_label("Objeto del contrato").fill("Vigilancia")
    page.get_by_label("Fecha de inicio").fill("2026-07-15")
    page.get_by_label("Correo electrónico").fill("nuevo@cliente.example")
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Nombre o razón social").fill("Nuevo Cliente, S.A.")
    page.get_by_label("Nombre o razón social").press("Enter")
    expect(page.get_by_text(re.compile(r"Se agregó el Contrato 5 \(NUE040404E5.\)\."))).to_be_visible()
    expect(page).to_have_url(servidor + datos["ver"])
    with app.app_context():
        assert db.session.query(Contrato).filter_by(numero=5).one().objeto == "Vigilancia"
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_los_contratos_de_la_informativa(js, browser, app, servidor, datos):
    contexto, page = abrir(browser, servidor, datos["ver"], js, auditable=True)
    expect(page.locator("#grid-contratos tbody.contrato")).to_have_count(4)
    sin_violaciones(page, "Informativa: contratos", js)
    fila = page.locator(f"#contrato-{datos['contratos'][1]}")
    fila.get_by_role("link", name=re.compile("^Editar")).click()
    expect(page.get_by_role("button", name="Guardar cambios")).to_be_visible()
    sin_violaciones(page, "Informativa: editar contrato" + (" (en la fila)" if js else ""), js)
    page.get_by_label("Teléfono").fill("123")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Informativa: editar contrato con errores", js)
    page.goto(servidor + datos["ver"])
    fila.get_by_role("link", name=re.compile("^Eliminar")).click()
    expect(page.get_by_text("¿Deseas eliminar el contrato 2?")).to_be_visible()
    sin_violaciones(page, "Informativa: confirmar eliminar contrato", js)
    page.get_by_role("button", name="Aceptar").click()
    expect(page.get_by_text(re.compile(r"Se eliminó el Contrato 2"))).to_be_visible()
    sin_violaciones(page, "Informativa: contrato eliminado", js)

    page.goto(servidor + datos["ver"] + "/contratos/nuevo")
    sin_violaciones(page, "Agregar contrato", js)
    page.get_by_label("RFC del contratante").fill(RFC_CLIENTE[:-1] + ("0" if RFC_CLIENTE[-1] != "0" else "1"))
    page.get_by_role("button", name="Guardar contrato").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    expect(page.get_by_label(re.compile("^Confirmo que el RFC del contratante"))).to_be_visible()
    sin_violaciones(page, "Agregar contrato con errores", js)
    page.get_by_label("RFC del contratante", exact=True).fill(rfc_valido("CLD", "030303", "D4"))
    page.get_by_role("button", name="Buscar RFC").click()
    expect(page.get_by_label("Nombre o razón social")).to_have_value("Industrias Peña, S.A.")
    sin_violaciones(page, "Agregar contrato: RFC encontrado", js)

    # Sent to signature: the grid is read-only and says why.
    with app.app_context():
        db.session.get(Informativa, datos["informativa"]).estado = Informativa.ENVIADA
        db.session.commit()
    page.goto(servidor + datos["ver"])
    expect(page.get_by_text("ya no se puede modificar")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Editar"))).to_have_count(0)
    sin_violaciones(page, "Informativa enviada: contratos de solo lectura", js)
    contexto.close()
