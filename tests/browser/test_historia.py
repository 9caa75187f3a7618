"""The whole story in real Chromium, twice: with JavaScript (htmx swaps rows in place) and without
it (a kiosk: every step is a plain form, POST → 303 → GET)."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.ayudantes import liga_de
from tests.browser.ayudantes import nuevo_contexto
from tests.browser.buzon import LIGA_ACTIVACION_RE, confirmar_cuenta, liga_de_confirmacion, para
from tests.factories import cargar_padron, rfc_valido

CLAVE_CONTRATISTA = "Contratista2026seguro"
CLAVE_CAPTURISTA = "Capturista2026segura"


def _marcar(page, js: bool) -> None:
    """Leave a mark in the window: it survives htmx swaps, and a full page load wipes it."""
    if js:
        page.evaluate("window.__sinRecarga = true")


def _sigue_sin_recarga(page, js: bool) -> None:
    if js:
        assert page.evaluate("window.__sinRecarga === true"), "hubo una recarga completa de la página"


def _ir_a_menu(page, opcion: str) -> None:
    page.locator("summary", has_text="Administración").click()
    page.get_by_role("link", name=opcion, exact=True).click()


def _fila(page, nombre: str):
    return page.locator("tbody.capturista").filter(has=page.get_by_role("rowheader", name=nombre))


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_historia_completa(js, app, servidor, smtp, browser, tmp_path):
    with app.app_context():
        persona = cargar_padron(5)[0]
    nombre = " ".join(p for p in (persona.nombre, persona.primer_apellido, persona.segundo_apellido) if p)
    contratista = nuevo_contexto(browser, js, accept_downloads=True)
    capturista = nuevo_contexto(browser, js)
    page = contratista.new_page()

    # Registro → "Revisa tu correo" → the confirmation link from the e-mail → login → Datos Generales.
    rfc = rfc_valido("EJE", "100101", "K3")
    page.goto(servidor + "/cuenta/registro")
    page.get_by_label("RFC").fill(rfc)
    page.get_by_label("Correo electrónico").fill("contratista@empresa.example")
    page.get_by_label("Contraseña", exact=True).fill(CLAVE_CONTRATISTA)
    page.get_by_label("Confirmar contraseña").fill(CLAVE_CONTRATISTA)
    page.get_by_role("button", name="Registrarme").click()
    expect(page.get_by_role("heading", name="Revisa tu correo electrónico")).to_be_visible()
    expect(page).to_have_url(servidor + "/cuenta/registro/revisa-tu-correo")
    # Not logged in yet: the account acts only once its e-mail is proven.
    expect(page.get_by_role("navigation", name="Menú principal")).to_have_count(0)
    page.get_by_role("link", name="Ir a iniciar sesión").click()
    page.get_by_label("RFC").fill(rfc)
    page.get_by_label("Contraseña").fill(CLAVE_CONTRATISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Tu cuenta aún no está confirmada.")).to_be_visible()
    confirmar_cuenta(page, liga_de_confirmacion(app, smtp, "contratista@empresa.example"))
    page.get_by_label("RFC").fill(rfc)
    page.get_by_label("Contraseña").fill(CLAVE_CONTRATISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name=re.compile("^Bienvenido"))).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Datos Generales del Contratista").click()
    expect(page.get_by_role("heading", name="Datos Generales del Contratista")).to_be_visible()
    # Administración is closed until the Datos Generales exist.
    _ir_a_menu(page, "Consulta")
    expect(page.get_by_text("Antes de continuar debes registrar los Datos Generales del Contratista.")).to_be_visible()
    page.get_by_label("Razón social o nombre").fill("Servicios Integrales Ñandú, S.A. de C.V.")
    page.get_by_label("Registro patronal IMSS").fill("Y3926552104")
    page.get_by_label("Número de registro REPSE").fill("AR12345/2024")
    page.get_by_label("Calle").fill("Av. Reforma")
    page.get_by_label("Número exterior e interior").fill("476")
    page.get_by_label("Colonia").fill("Juárez")
    page.get_by_label("Código postal").fill("06600")
    page.get_by_label("Municipio o alcaldía").fill("Cuauhtémoc")
    page.get_by_label("Entidad federativa").select_option(label="Ciudad de México")
    page.get_by_label("Teléfono").fill("5552382700")
    page.get_by_label("Correo electrónico de contacto").fill("contacto@empresa.example")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Los Datos Generales del Contratista se guardaron correctamente.")).to_be_visible()

    # Alta de usuarios: Validar → name → contact data → Guardar → Aceptar.
    _ir_a_menu(page, "Alta de usuarios")
    _marcar(page, js)
    page.get_by_label("CURP").fill(persona.curp.lower())
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(persona.primer_apellido, exact=True)).to_be_visible()
    _sigue_sin_recarga(page, js)
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Correo electrónico", exact=True).fill("capturista@correo.example")
    page.get_by_label("Confirmar correo electrónico").fill("capturista@correo.example")
    page.get_by_role("button", name="Guardar").click()
    dialogo = page.get_by_role("dialog")
    expect(dialogo.get_by_text("El usuario se guardó exitosamente.")).to_be_visible()
    _sigue_sin_recarga(page, js)
    dialogo.get_by_role("link", name="Aceptar").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The e-mail arrives at the SMTP server on loopback; its link creates usuario and contraseña.
    activacion = para(smtp, "capturista@correo.example")
    assert len(activacion) == 1 and len(smtp.mensajes) == 2  # the registro confirmation, then this one
    cap = capturista.new_page()
    cap.goto(liga_de(activacion[0], LIGA_ACTIVACION_RE))
    expect(cap.get_by_role("heading", name="Crear usuario y contraseña")).to_be_visible()
    cap.get_by_label("Usuario").fill("capturista.uno")
    cap.get_by_label("Contraseña", exact=True).fill(CLAVE_CAPTURISTA)
    cap.get_by_label("Confirmar contraseña").fill(CLAVE_CAPTURISTA)
    cap.get_by_role("button", name="Crear usuario").click()
    expect(cap.get_by_text("Tu usuario se creó correctamente.")).to_be_visible()
    cap.get_by_label("Usuario").fill("capturista.uno")
    cap.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    cap.get_by_role("button", name="Iniciar sesión").click()
    cap.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()
    expect(cap.get_by_text("Servicios Integrales Ñandú, S.A. de C.V.")).to_be_visible()

    # Consulta: after activation Editar is gone; Eliminar (confirm) → Baja.
    _ir_a_menu(page, "Consulta")
    fila = _fila(page, nombre)
    expect(fila.get_by_text("Activo", exact=True)).to_be_visible()
    expect(fila.get_by_role("link", name=re.compile("^Editar"))).to_have_count(0)
    expect(fila.get_by_role("button", name=re.compile("^Enviar email"))).to_have_count(0)
    _marcar(page, js)
    fila.get_by_role("link", name=re.compile("^Eliminar")).click()
    expect(page.get_by_text("¿Deseas dar de baja al usuario capturista?")).to_be_visible()
    page.get_by_role("button", name="Aceptar").click()
    baja = re.compile(r"La relación con el usuario capturista .+ es baja\.")
    expect(page.get_by_text(baja)).to_be_visible()
    if not js:  # guide step 12: the message naming the capturista on its own page, Aceptar → the grid
        expect(page.get_by_role("heading", name="Mensaje de confirmación")).to_be_visible()
        expect(page.get_by_text(baja)).to_contain_text(nombre)
        page.get_by_role("link", name="Aceptar").click()
    fila = _fila(page, nombre)
    expect(fila.get_by_text("Baja", exact=True)).to_be_visible()
    _sigue_sin_recarga(page, js)
    if js:
        expect(page.get_by_text(baja)).to_contain_text(nombre)
        fila.get_by_role("link", name="Aceptar").click()
        expect(page.get_by_text(baja)).to_have_count(0)

    # The capturista loses access on the next request.
    cap.reload()
    expect(cap.get_by_text("fue dado de baja")).to_be_visible()
    expect(cap.get_by_role("heading", name="Elige el contratista")).to_be_visible()
    expect(cap.get_by_text("No tienes contratistas activos.")).to_be_visible()

    # Activar (Continuar, Aceptar) → access back.
    _marcar(page, js)
    fila.get_by_role("link", name=re.compile("^Activar")).click()
    expect(page.get_by_text("¿Deseas activar nuevamente al usuario capturista?")).to_be_visible()
    page.get_by_role("button", name="Continuar").click()
    activado = re.compile(r"El usuario capturista .+ se activó correctamente\.")
    expect(page.get_by_text(activado)).to_be_visible()
    if not js:  # guide step 15
        expect(page.get_by_role("heading", name="Mensaje de confirmación")).to_be_visible()
        page.get_by_role("link", name="Aceptar").click()
    _sigue_sin_recarga(page, js)
    expect(_fila(page, nombre).get_by_text("Activo", exact=True)).to_be_visible()
    if js:
        _fila(page, nombre).get_by_role("link", name="Aceptar").click()
    cap.goto(servidor + "/capturista/contratistas")
    cap.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()
    expect(cap.get_by_text("Estás capturando para")).to_be_visible()

    # Exportar Excel from Consulta: a file openpyxl opens, with the capturista in it.
    with page.expect_download() as descarga:
        page.get_by_role("button", name=re.compile("^Exportar Excel")).click()
    archivo = tmp_path / descarga.value.suggested_filename
    descarga.value.save_as(archivo)
    assert re.fullmatch(rf"capturistas_{rfc}_\d{{8}}\.xlsx", archivo.name)
    hoja = load_workbook(io.BytesIO(archivo.read_bytes()))["Capturistas"]
    filas = list(hoja.iter_rows(min_row=3, values_only=True))
    assert [(f[0], f[7]) for f in filas] == [(persona.curp, "Activo")]

    contratista.close()
    capturista.close()
