"""The workers of a contract in real Chromium: by keyboard alone, where the focus lands after every htmx
swap (Validar → NSS; Guardar → the new row, or the error summary; Editar → its first field; Cancelar →
Editar; Eliminar → the confirmation; its Aceptar → the row's message; pages → the caption; the live
search keeps the focus in its box), and axe-core with 0 violations on every state of the page, with
JavaScript on and off."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Informativa
from models.types import ahora_utc
from services import informativas as srv
from services.padron import PersonaEncontrada
from tests.browser.ayudantes import anuncio, contexto_auditable, foco_en, sin_violaciones, tab_hasta
from tests.factories import CLAVE_CAPTURISTA, cargar_padron, crear_capturista_activo, crear_contratista, rfc_valido

NSS_VALIDO = "92919084431"
APELLIDOS = ["ÁLVAREZ", "BRAVO", "CRUZ", "DÍAZ", "ESTRADA"]


@pytest.fixture
def datos(app):
    """maria.lopez working for one contractor whose draft informativa has a contract with five workers
    (ÁLVAREZ … ESTRADA); a padrón of four people."""
    with app.app_context():
        personas = cargar_padron(4)
        contratista = crear_contratista(razon_social="Servicios del Foco, S.A. de C.V.")
        crear_capturista_activo(contratista)
        informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente, S.A.",
            correo_contratante="c@cliente.example", telefono_contratante="5512341234", objeto="Limpieza",
            servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None), "prueba")
        ids = []
        for i, apellido in enumerate(APELLIDOS):
            t = srv.agregar_trabajador(informativa, contrato, completar(f"12345{i:05d}"),
                                       PersonaEncontrada(f"PEGL85{i:04d}HJCRRS07", "LUIS", apellido, "GARCÍA"),
                                       Decimal("315.04"), "prueba")
            db.session.flush()
            ids.append(t.id)
        db.session.commit()
        return {"url": f"/capturista/informativas/{informativa.id}/contratos/{contrato.id}",
                "informativa": informativa.id, "trabajadores": ids, "personas": personas}


def _entrar(page, servidor: str) -> None:
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill("maria.lopez")
    page.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()
    expect(page.get_by_text("Estás capturando para")).to_be_visible()


def _nombre(persona) -> str:
    return " ".join(p for p in (persona.nombre, persona.primer_apellido, persona.segundo_apellido) if p)


def test_por_teclado_el_foco_tras_cada_cambio(browser, servidor, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_trabajadores.__kwdefaults__, "tamano", 3)  # 5 workers: two pages
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    teclado = page.keyboard
    _entrar(page, servidor)
    page.goto(servidor + datos["url"])

    # Validar → the NSS field, and the name found is said.
    persona = datos["personas"][0]
    tab_hasta(page, "#curp")
    teclado.type(persona.curp)
    teclado.press("Enter")
    foco_en(page, "#nss")
    anuncio(page, re.escape(f"CURP validada: {_nombre(persona)}.") + " Captura su NSS")
    # Guardar with a wrong check digit → the error summary; the corrected NSS → the new row's message.
    teclado.type("84966311215")
    teclado.press("Tab")
    foco_en(page, "#sbc")
    teclado.type("315.04")
    teclado.press("Enter")
    foco_en(page, "#agregar-trabajador .error-summary")
    expect(page.locator(":focus")).to_contain_text("su dígito verificador no corresponde")
    tab_hasta(page, "#nss")
    teclado.press("Control+a")
    teclado.type(NSS_VALIDO)
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores tbody:first-of-type .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text(f"Se agregó a {_nombre(persona)} (NSS {NSS_VALIDO})")
    expect(page.locator("#curp")).to_have_value("")
    # Its Aceptar → the plain row, the focus on its first control (Editar).
    tab_hasta(page, "#grid-trabajadores tbody:first-of-type .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores tbody:first-of-type a.accion--editar")

    # Editar → the first field of the form in the row; Cancelar → back on that row's Editar.
    primero = datos["trabajadores"][0]
    fila, editar, eliminar = f"#trabajador-{primero}", f"#editar-{primero}", f"#eliminar-{primero}"
    tab_hasta(page, editar)
    teclado.press("Enter")
    foco_en(page, f"#nss-{primero}")
    tab_hasta(page, f"{fila} .editar-trabajador a")  # Cancelar
    teclado.press("Enter")
    foco_en(page, editar)
    # Editar, Guardar cambios → the row's message; its Aceptar → Editar again.
    teclado.press("Enter")
    foco_en(page, f"#nss-{primero}")
    teclado.press("Tab")
    foco_en(page, f"#sbc-{primero}")
    teclado.press("Control+a")
    teclado.type("999.5")
    teclado.press("Enter")
    foco_en(page, f"{fila} .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text("Se actualizaron los datos de LUIS ÁLVAREZ GARCÍA.")
    expect(page.locator(fila)).to_contain_text("$999.50")
    tab_hasta(page, f"{fila} .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, editar)

    # Eliminar → the confirmation (a group named by its question); Escape → back on Eliminar.
    tab_hasta(page, eliminar)
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    expect(page.locator(":focus")).to_have_role("group")
    expect(page.locator(":focus")).to_have_accessible_name(re.compile(r"^¿Deseas eliminar a este trabajador del contrato\?"))
    teclado.press("Escape")
    foco_en(page, eliminar)
    # Aceptar → the row's message; its Aceptar → the grid again, the focus on its caption.
    teclado.press("Enter")
    foco_en(page, f"{fila} .confirmacion")
    tab_hasta(page, f"{fila} .confirmacion button")
    teclado.press("Enter")
    foco_en(page, f"{fila} .mensaje-fila")
    expect(page.locator(":focus")).to_contain_text("Se eliminó a LUIS ÁLVAREZ GARCÍA")
    tab_hasta(page, f"{fila} .mensaje-fila a")
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores caption")
    expect(page.locator(fila)).to_have_count(0)

    # Siguiente / Anterior → the caption, which the live region says; the address follows the grid.
    tab_hasta(page, "#grid-trabajadores a[rel=next]")
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores caption")
    anuncio(page, r"^Página 2: 2 trabajadores de 5, ordenados por nombre\.$")
    expect(page).to_have_url(re.compile(r"despues=.*p=2"))
    tab_hasta(page, "#grid-trabajadores a[rel=prev]")
    teclado.press("Enter")
    foco_en(page, "#grid-trabajadores caption")
    anuncio(page, r"^Página 1: 3 trabajadores de 5, ")

    # The live search keeps the focus in the box and announces the count.
    page.evaluate("window.scrollTo(0, 0)")
    tab_hasta(page, "#q")
    teclado.type("estrada")
    anuncio(page, r"^1 trabajador que coincide con la búsqueda, ordenado por nombre\.$")
    foco_en(page, "#q")
    expect(page.locator("#grid-trabajadores tbody.trabajador")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=estrada"))
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_cada_estado(js, browser, app, servidor, datos):
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    _entrar(page, servidor)
    page.goto(servidor + datos["url"])
    sin_violaciones(page, "Trabajadores del contrato", js)

    page.get_by_label("CURP").fill("XXX")
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Trabajadores: CURP con error", js)

    persona = datos["personas"][1]
    page.get_by_label("CURP").fill(persona.curp)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(persona.primer_apellido, exact=True)).to_be_visible()
    sin_violaciones(page, "Trabajadores: nombre validado", js)

    page.get_by_label("NSS (número de seguridad social)").fill("123")
    page.get_by_label("Salario base de cotización").fill("0")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    sin_violaciones(page, "Trabajadores: NSS y salario con error", js)

    page.get_by_label("NSS (número de seguridad social)").fill(NSS_VALIDO)
    page.get_by_label("Salario base de cotización").fill("1234.56")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text(f"Se agregó a {_nombre(persona)}")).to_be_visible()
    sin_violaciones(page, "Trabajadores: trabajador agregado", js)

    page.goto(servidor + datos["url"])
    fila = page.locator(f"#trabajador-{datos['trabajadores'][1]}")
    fila.get_by_role("link", name=re.compile("^Editar")).click()
    expect(page.get_by_role("button", name="Guardar cambios")).to_be_visible()
    sin_violaciones(page, "Trabajadores: editar", js)
    page.get_by_label("Salario base de cotización").fill("1.001")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_text("lleva a lo más dos decimales").first).to_be_visible()
    sin_violaciones(page, "Trabajadores: editar con error", js)
    page.get_by_label("Salario base de cotización").fill("400")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_text("Se actualizaron los datos de LUIS BRAVO GARCÍA.")).to_be_visible()
    sin_violaciones(page, "Trabajadores: editado", js)

    page.goto(servidor + datos["url"])
    fila.get_by_role("link", name=re.compile("^Eliminar")).click()
    expect(page.get_by_text("¿Deseas eliminar a este trabajador del contrato?")).to_be_visible()
    sin_violaciones(page, "Trabajadores: confirmar eliminar", js)
    page.get_by_role("button", name="Aceptar").click()
    expect(page.get_by_text("Se eliminó a LUIS BRAVO GARCÍA")).to_be_visible()
    sin_violaciones(page, "Trabajadores: eliminado", js)

    page.goto(servidor + datos["url"] + "?q=nadie")
    expect(page.get_by_text("Ningún trabajador coincide con la búsqueda.").first).to_be_visible()
    sin_violaciones(page, "Trabajadores: búsqueda sin resultados", js)

    with app.app_context():
        db.session.get(Informativa, datos["informativa"]).estado = "enviada"
        db.session.commit()
    page.goto(servidor + datos["url"])
    expect(page.get_by_text("pero no agregar, editar ni eliminar")).to_be_visible()
    sin_violaciones(page, "Trabajadores: solo lectura", js)
    contexto.close()
