"""Carga masiva de capturistas in Chromium, JavaScript on and off: the contractor goes from Alta de usuarios to
Carga masiva, uploads a file through the file input (a wrong one first), reads the preview, downloads the
rejected rows, presses Guardar by keyboard, lands on the summary and downloads the rejected rows again (read
with openpyxl); the activation e-mails reach the mailbox. The page of a background carga keeps the focus while
htmx polls it and moves it to the preview, then to the summary, when each job ends (without JavaScript the
page reloads itself). axe finds 0 violations on the upload page and on every state of the carga's page."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from extensions import db
from models import CargaCapturistas, FilaCargaCapturistas
from models.types import ahora_utc
from tests.ayudantes import entregar_correos
from tests.browser.ayudantes import (
    abrir_trabajo,
    contexto_auditable,
    dejo_de_consultar,
    entrar_contratista,
    foco_en,
    sin_recargar,
    sin_violaciones,
    tab_hasta,
)
from tests.browser.buzon import destinatarios
from tests.factories import cargar_padron, crear_contratista

URL = "/administracion/alta-usuarios/carga-masiva"
ETIQUETA = "Archivo de capturistas (.csv o .xlsx)"


@pytest.fixture
def datos(app):
    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios Masivos Ñandú, S.A. de C.V.")
        return {"id": contratista.id, "rfc": contratista.rfc, "personas": cargar_padron(8)}


def _archivo(tmp_path, datos) -> str:
    p = datos["personas"]
    lineas = ["CURP;Teléfono;Correo electrónico",
              f"{p[0].curp};55 1234 5600;ana@correo.example",
              f"{p[1].curp};5512345601;beto@correo.example",
              f"{p[2].curp};5512345602;carla@correo.example",
              f"{p[3].curp};551234;dora@correo.example",    # teléfono of 6 digits
              f"{p[0].curp};5512345604;otra@correo.example"]  # repeated CURP
    ruta = tmp_path / "capturistas.csv"
    ruta.write_bytes("\r\n".join(lineas).encode("cp1252"))  # as Excel on Windows saves it
    return str(ruta)


def _rechazados(page) -> list[list[str]]:
    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar rechazados (.xlsx)").click()
    assert re.fullmatch(r"rechazados_capturistas_\d{8}_\d{4}\.xlsx", descarga.value.suggested_filename)
    with open(descarga.value.path(), "rb") as archivo:
        hoja = load_workbook(io.BytesIO(archivo.read()))["Rechazados"]
    return [[c.value for c in f] for f in hoja.iter_rows()]


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_subir_vista_previa_guardar_y_descargar_rechazados(js, browser, app, servidor, smtp, datos, tmp_path):
    contexto = contexto_auditable(browser, js, accept_downloads=True)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.locator("summary", has_text="Administración").click()
    page.get_by_role("link", name="Alta de usuarios", exact=True).click()
    page.get_by_role("link", name="carga masiva de capturistas").click()
    expect(page.get_by_role("heading", name="Carga masiva de capturistas", level=1)).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: subir archivo", js)

    # A file that is not one of ours: the error summary, focused (with JS), and the field marked.
    otro = tmp_path / "notas.pdf"
    otro.write_bytes(b"%PDF-1.4\n")
    page.get_by_label(ETIQUETA).set_input_files(str(otro))
    page.get_by_role("button", name="Cargar archivo").click()
    expect(page.get_by_role("alert").filter(has_text="no es ninguno de los dos")).to_be_visible()
    if js:
        foco_en(page, ".error-summary")
    sin_violaciones(page, "Carga masiva de capturistas: archivo rechazado", js)

    page.get_by_label(ETIQUETA).set_input_files(_archivo(tmp_path, datos))
    page.get_by_role("button", name="Cargar archivo").click()
    expect(page.locator("#carga-resumen")).to_contain_text("3 capturistas válidos y 2 filas rechazadas")
    if js:
        foco_en(page, "#carga-resumen")  # the page opens on the preview
    persona = datos["personas"][0]
    expect(page.get_by_role("cell", name=f"{persona.nombre} {persona.primer_apellido}", exact=False)).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: vista previa", js)
    filas = _rechazados(page)
    assert [f[:2] for f in filas] == [["Fila", "CURP"], ["5", datos["personas"][3].curp], ["6", persona.curp]]
    assert "10 dígitos" in filas[1][4] and "ya está en la fila 2" in filas[2][4]

    # Guardar, by keyboard.
    tab_hasta(page, "button.boton")
    assert page.evaluate("document.activeElement.textContent") == "Guardar 3 capturistas"
    page.keyboard.press("Enter")
    resumen = page.locator("#carga-resumen")
    expect(resumen).to_contain_text("Se guardaron 3 capturistas; cada uno recibirá un correo para activar su acceso.")
    if js:
        foco_en(page, "#carga-resumen")
    sin_violaciones(page, "Carga masiva de capturistas: guardada", js)
    assert [f[0] for f in _rechazados(page)] == ["Fila", "5", "6"]

    entregar_correos(app)
    assert sorted(destinatarios(smtp)) == ["ana@correo.example", "beto@correo.example", "carla@correo.example"]
    page.get_by_role("link", name="Consulta", exact=True).last.click()
    expect(page.get_by_text(persona.curp)).to_be_visible()
    contexto.close()


def _en_revision(app, datos, total: int = 400, procesadas: int = 100) -> int:
    """A carga the worker is checking: its rows stored, as the upload left them."""
    with app.app_context():
        carga = CargaCapturistas(contratista_id=datos["id"], solicitante=f"contratista:{datos['rfc']}",
                                 nombre_archivo="grande.xlsx", total=total, procesadas=procesadas)
        db.session.add(carga)
        db.session.flush()
        for i, p in enumerate(datos["personas"][:3]):
            db.session.add(FilaCargaCapturistas(carga_id=carga.id, numero=i + 2, curp=p.curp, telefono="5512345678",
                                                correo=f"p{i}@correo.example", curp_valida=p.curp,
                                                telefono_valido="5512345678", correo_valido=f"p{i}@correo.example"))
        db.session.commit()
        return carga.id


def _cambiar(app, carga_id: int, **valores) -> None:
    with app.app_context():
        carga = db.session.get(CargaCapturistas, carga_id)
        for campo, valor in valores.items():
            setattr(carga, campo, valor)
        db.session.commit()


def _revisada(app, carga_id: int) -> None:
    """What the worker leaves once it checked the rows: all three good, their names found."""
    with app.app_context():
        for f in db.session.query(FilaCargaCapturistas).filter_by(carga_id=carga_id):
            f.nombre, f.primer_apellido = "NOMBRE", "APELLIDO"
        db.session.commit()
    _cambiar(app, carga_id, estado="revisada", total=3, procesadas=3, validas=3, rechazadas=0, revisada_en=ahora_utc())


def test_progreso_con_js_conserva_el_foco_y_lo_lleva_a_la_vista_previa_y_al_resumen(browser, app, servidor, datos):
    carga_id = _en_revision(app, datos)
    url = f"{URL}/{carga_id}"
    contexto = contexto_auditable(browser, True)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    consultas = abrir_trabajo(page, servidor + url)
    expect(page.get_by_text("Avance: 100 de 400 filas revisadas (25%)")).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: revisando", True)

    _cambiar(app, carga_id, procesadas=300)
    expect(page.get_by_text("Avance: 300 de 400 filas revisadas (75%)")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "carga-estado"  # the poll kept the block, and the focus

    _revisada(app, carga_id)
    foco_en(page, "#carga-resumen")
    expect(page.locator("#anuncio")).to_have_text("Archivo revisado: 3 capturistas válidos y 0 filas rechazadas.")
    expect(page.get_by_role("button", name="Guardar 3 capturistas")).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: vista previa tras el proceso", True)
    dejo_de_consultar(page, consultas)

    # Saving in the background: the same, up to the summary.
    _cambiar(app, carga_id, estado="guardando", creadas=1)
    page.reload()
    foco_en(page, "#carga-estado")
    expect(page.get_by_text("Avance: 1 de 3 capturistas guardados (33%)")).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: guardando", True)
    page.evaluate("window.__sinRecarga = true")
    _cambiar(app, carga_id, estado="guardada", creadas=3, guardada_en=ahora_utc())
    foco_en(page, "#carga-resumen")
    expect(page.locator("#anuncio")).to_have_text("Carga guardada. Se guardaron 3 capturistas. No se rechazó ninguna "
                                                  "fila.")
    sin_recargar(page)
    contexto.close()


def test_progreso_sin_js_axe_y_la_pagina_se_actualiza_sola(browser, app, servidor, datos):
    carga_id = _en_revision(app, datos)
    contexto = contexto_auditable(browser, False)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + f"{URL}/{carga_id}")
    expect(page.get_by_text("Revisando el archivo")).to_be_visible()
    sin_violaciones(page, "Carga masiva de capturistas: revisando", False)
    _revisada(app, carga_id)
    page.reload()  # what the <noscript> refresh does in a browser without JavaScript
    expect(page.get_by_role("button", name="Guardar 3 capturistas")).to_be_visible()
    contexto.close()

    # A browser without JavaScript at all: the <noscript> refresh brings the result by itself.
    carga_id = _en_revision(app, datos)
    sin_js = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = sin_js.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + f"{URL}/{carga_id}")
    expect(page.get_by_text("Avance: 100 de 400 filas revisadas (25%)")).to_be_visible()
    _revisada(app, carga_id)
    expect(page.get_by_role("button", name="Guardar 3 capturistas")).to_be_visible(timeout=6000)
    sin_js.close()
