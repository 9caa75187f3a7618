"""The informativa's whole story in real Chromium, through the screens only (issue 14), JavaScript on and
off: the capturista creates the informativa of a period, adds two contracts by hand, puts one worker in
the first one by hand (CURP Validar) and fills the second one by carga masiva from a file with good and
bad rows, downloads the rejected rows, and sends it to signature; the contractor, from the e-mailed
link, returns it with a comment; the capturista reads the comment, fixes the contract in the grid and
sends it again; the contractor's bitácora shows both sends."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from domain.nss import completar
from tests.ayudantes import liga_de
from tests.browser.ayudantes import entrar_capturista, enviar_a_firma, nuevo_contexto
from tests.browser.buzon import para
from tests.factories import PASSWORD, cargar_padron, crear_capturista_activo, crear_contratista, rfc_valido

LIGA_INFORMATIVA_RE = re.compile(r"(http://127\.0\.0\.1:\d+/informativas/\d+)")
COMENTARIO = "El objeto del contrato 1 debe decir también «jardinería»."
PERIODO = "Segundo cuatrimestre de 2026 (mayo–agosto)"


@pytest.fixture
def datos(app):
    with app.app_context():
        a = crear_contratista(razon_social="Historias Completas, S.A. de C.V.")
        crear_capturista_activo(a)
        personas = cargar_padron(8)
        return {"rfc": a.rfc, "correo": a.correo, "personas": personas}


def _agregar_contrato(page, rfc: str, nombre: str, objeto: str, inicio: str) -> None:
    page.get_by_role("link", name="Agregar contrato").click()
    page.get_by_label("RFC del contratante", exact=True).fill(rfc)
    page.get_by_label("Nombre o razón social").fill(nombre)
    page.get_by_label("Correo electrónico").fill("compras@cliente.example")
    page.get_by_label("Teléfono").fill("5511112222")
    page.get_by_label("Objeto del contrato").fill(objeto)
    expect(page.get_by_label("Servicio u obra especializada")).to_have_value(re.compile(r"^AR12345/2024"))
    page.get_by_label("Fecha de inicio").fill(inicio)
    page.get_by_role("button", name="Guardar contrato").click()
    expect(page.get_by_text(re.compile(r"^Se agregó el Contrato \d"))).to_be_visible()


def _contrato(page, numero: int):
    return page.locator("tbody.contrato").filter(has=page.get_by_role("rowheader", name=f"Contrato {numero}", exact=True))


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_la_historia_de_una_informativa(js, app, servidor, smtp, browser, datos, tmp_path):
    personas = datos["personas"]
    capturista = nuevo_contexto(browser, js, accept_downloads=True)
    cap = capturista.new_page()
    entrar_capturista(cap, servidor)

    # Nueva informativa of 2026-2, Normal.
    cap.get_by_label("Periodo").select_option("2026-2")
    cap.get_by_role("button", name="Crear informativa").click()
    expect(cap.get_by_role("heading", name=f"Informativa del {PERIODO[0].lower()}{PERIODO[1:]}")).to_be_visible()

    # Two contracts by hand.
    _agregar_contrato(cap, rfc_valido("CLI", "030303", "D4"), "Cliente Uno, S.A.", "Limpieza de oficinas", "2026-06-01")
    _agregar_contrato(cap, rfc_valido("CLD", "040404", "E5"), "Cliente Dos, S.A.", "Vigilancia", "2026-07-15")
    expect(cap.locator("tbody.contrato")).to_have_count(2)

    # Contract 1: one worker by hand (Validar shows the padrón's name).
    _contrato(cap, 1).get_by_role("link", name=re.compile("^Trabajadores")).click()
    cap.get_by_label("CURP").fill(personas[0].curp)
    cap.get_by_role("button", name="Validar").click()
    expect(cap.get_by_text(personas[0].primer_apellido, exact=True)).to_be_visible()
    cap.get_by_label("NSS (número de seguridad social)").fill(completar("1234567890"))
    cap.get_by_label("Salario base de cotización").fill("315.04")
    cap.get_by_role("button", name="Guardar").click()
    expect(cap.locator("tbody.trabajador").filter(has_text=completar("1234567890"))).to_have_count(1)

    # Contract 2: carga masiva of a file with two good rows and two bad ones.
    cap.get_by_role("link", name=re.compile(r"^Informativa del segundo")).first.click()
    _contrato(cap, 2).get_by_role("link", name=re.compile("^Trabajadores")).click()
    cap.get_by_role("link", name="Carga masiva de trabajadores").click()
    archivo = tmp_path / "trabajadores.csv"
    archivo.write_text("\n".join([
        "NSS,CURP,SBC",
        f"{completar('0000000011')},{personas[1].curp},420.50",
        f"{completar('0000000012')},{personas[2].curp},380",
        f"84966311215,{personas[3].curp},300",           # wrong check digit
        f"{completar('0000000011')},{personas[4].curp},300"]), encoding="utf-8")  # repeated NSS
    cap.get_by_label("Archivo de trabajadores (.csv o .xlsx)").set_input_files(str(archivo))
    cap.get_by_role("button", name="Cargar archivo").click()
    expect(cap.get_by_text("Se agregaron 2 trabajadores al contrato.", exact=False).first).to_be_visible()
    with cap.expect_download() as descarga:
        cap.get_by_role("link", name=re.compile("^Descargar rechazados")).click()
    rechazados = tmp_path / "rechazados.xlsx"
    descarga.value.save_as(rechazados)
    hoja = load_workbook(rechazados).active
    filas = [[c.value for c in f] for f in hoja.iter_rows()]
    assert len(filas) == 3, filas  # header + the two bad rows, each with its reason
    assert "dígito verificador" in " ".join(map(str, filas[1])) and "84966311215" in filas[1]

    # Sent to signature.
    cap.get_by_role("link", name=re.compile(r"^Informativa del segundo")).first.click()
    expect(cap.get_by_text("La informativa cumple todas las reglas de consistencia.")).to_be_visible()
    enviar_a_firma(cap)

    # The contractor opens the e-mailed link and returns it with a comment.
    [mensaje] = para(smtp, datos["correo"])
    liga = liga_de(mensaje, LIGA_INFORMATIVA_RE)
    contratista = nuevo_contexto(browser, js)
    con = contratista.new_page()
    con.goto(liga)
    con.get_by_label("RFC").fill(datos["rfc"])
    con.get_by_label("Contraseña").fill(PASSWORD)
    con.get_by_role("button", name="Iniciar sesión").click()
    expect(con).to_have_url(liga)
    con.get_by_label("Qué debe corregirse").fill(COMENTARIO)
    con.get_by_role("button", name="Devolver para corrección").click()
    expect(con.get_by_text("Devolviste la informativa para corrección.")).to_be_visible()

    # The capturista reads the comment, fixes contract 1 in the grid and sends it again.
    cap.reload()
    expect(cap.get_by_text(COMENTARIO)).to_be_visible()
    _contrato(cap, 1).get_by_role("link", name=re.compile("^Editar")).click()
    cap.get_by_label("Objeto del contrato").fill("Limpieza de oficinas y jardinería")
    cap.get_by_role("button", name="Guardar cambios").click()
    expect(cap.get_by_text(re.compile(r"^Se guardaron los cambios del Contrato 1"))).to_be_visible()
    expect(_contrato(cap, 1)).to_contain_text("jardinería")
    enviar_a_firma(cap)
    assert len(para(smtp, datos["correo"])) == 2

    con.reload()
    con.get_by_role("link", name="Bitácora").click()
    expect(con.get_by_role("cell", name="Devolución para corrección")).to_be_visible()
    expect(con.get_by_role("cell", name="Envío a firma")).to_have_count(2)
    capturista.close()
    contratista.close()
