"""Carga masiva in Chromium: the capturista uploads a file through the file input (JavaScript on and off),
sees the summary with the focus on it, downloads the rejected rows; the progress page of a background
carga keeps the focus while htmx polls it and moves it to the summary when the job ends (without
JavaScript the page reloads itself); axe finds 0 violations on the upload page and on every state of
the result page."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import CargaTrabajadores
from models.types import ahora_utc
from services import carga_trabajadores as carga_srv
from services import informativas as srv
from tests.browser.ayudantes import (
    abrir_trabajo,
    contexto_auditable,
    dejo_de_consultar,
    foco_en,
    sin_recargar,
    sin_violaciones,
)
from tests.factories import CLAVE_CAPTURISTA, cargar_padron, crear_capturista_activo, crear_contratista, rfc_valido


@pytest.fixture
def datos(app):
    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios de Carga Ñandú, S.A. de C.V.")
        crear_capturista_activo(contratista)
        personas = cargar_padron(6)
        informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente, S.A.",
            correo_contratante="c@cliente.example", telefono_contratante="5512341234", objeto="Limpieza",
            servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None), "prueba")
        db.session.commit()
        return {"informativa": informativa.id, "contrato": contrato.id, "personas": personas,
                "contrato_url": f"/capturista/informativas/{informativa.id}/contratos/{contrato.id}"}


def _entrar(page, servidor) -> None:
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill("maria.lopez")
    page.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()


def _archivo(tmp_path, datos) -> str:
    personas = datos["personas"]
    lineas = ["NSS,CURP,SBC",
              f"{completar('0000000001')},{personas[0].curp},315.04",
              f"{completar('0000000002')},{personas[1].curp},420.50",
              f"84966311215,{personas[2].curp},300",          # wrong check digit
              f"{completar('0000000001')},{personas[3].curp},300"]  # repeated NSS
    ruta = tmp_path / "trabajadores.csv"
    ruta.write_text("\n".join(lineas), encoding="utf-8")
    return str(ruta)


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_subir_ver_resumen_y_descargar_rechazados(js, browser, app, servidor, datos, tmp_path):
    contexto = contexto_auditable(browser, js, accept_downloads=True)
    page = contexto.new_page()
    _entrar(page, servidor)
    page.goto(servidor + datos["contrato_url"])
    page.get_by_role("link", name="Carga masiva de trabajadores").click()
    expect(page.get_by_role("heading", name="Carga masiva de trabajadores", level=1)).to_be_visible()
    sin_violaciones(page, "Carga masiva: subir archivo", js)

    # A file that is not one of ours: the error summary, focused (with JS), and the field marked.
    otro = tmp_path / "notas.pdf"
    otro.write_bytes(b"%PDF-1.4\n")
    page.get_by_label("Archivo de trabajadores (.csv o .xlsx)").set_input_files(str(otro))
    page.get_by_role("button", name="Cargar archivo").click()
    expect(page.get_by_role("alert").filter(has_text="no es ninguno de los dos")).to_be_visible()
    if js:
        foco_en(page, ".error-summary")
    sin_violaciones(page, "Carga masiva: archivo rechazado", js)

    page.get_by_label("Archivo de trabajadores (.csv o .xlsx)").set_input_files(_archivo(tmp_path, datos))
    page.get_by_role("button", name="Cargar archivo").click()
    resumen = page.locator("#carga-resumen")
    expect(resumen).to_contain_text("Se agregaron 2 trabajadores al contrato. Se rechazaron 2 filas")
    if js:
        foco_en(page, "#carga-resumen")  # the page opens on the result
    sin_violaciones(page, "Carga masiva: resultado", js)

    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar rechazados (.xlsx)").click()
    assert re.fullmatch(r"rechazados_contrato1_\d{8}_\d{4}\.xlsx", descarga.value.suggested_filename)
    hoja = load_workbook(io.BytesIO(open(descarga.value.path(), "rb").read()))["Rechazados"]
    filas = [[c.value for c in f] for f in hoja.iter_rows()]
    assert [f[:2] for f in filas] == [["Fila", "NSS"], ["4", "84966311215"], ["5", completar("0000000001")]]
    assert "dígito verificador" in filas[1][4] and "ya está en la fila 2" in filas[2][4]

    page.get_by_role("link", name="Ver los trabajadores del contrato").click()
    expect(page.get_by_role("cell", name=completar("0000000002"))).to_be_visible()
    contexto.close()


def _carga_en_proceso(app, datos) -> int:
    with app.app_context():
        carga = CargaTrabajadores(contrato_id=datos["contrato"], informativa_id=datos["informativa"],
                                  solicitante="capturista:maria.lopez", nombre_archivo="grande.xlsx", total=2400,
                                  procesadas=600)
        db.session.add(carga)
        db.session.commit()
        return carga.id


def _avanzar(app, carga_id: int, procesadas: int) -> None:
    with app.app_context():
        db.session.get(CargaTrabajadores, carga_id).procesadas = procesadas
        db.session.commit()


def _terminar(app, carga_id: int) -> None:
    with app.app_context():
        carga = db.session.get(CargaTrabajadores, carga_id)
        ruta = carga_srv._escribir_rechazos([carga_srv.Fila(3, "1", "X", "1", {"nss": "El NSS debe tener 11 dígitos."})])
        carga.estado, carga.procesadas, carga.aceptadas, carga.rechazadas = "terminada", 2400, 2399, 1
        carga.ruta_rechazos, carga.terminado_en = str(ruta), ahora_utc()
        db.session.commit()


def test_progreso_con_js_conserva_el_foco_y_lo_lleva_al_resumen(browser, app, servidor, datos):
    carga_id = _carga_en_proceso(app, datos)
    url = f"{datos['contrato_url']}/carga-masiva/{carga_id}"
    contexto = contexto_auditable(browser, True)
    page = contexto.new_page()
    _entrar(page, servidor)
    consultas = abrir_trabajo(page, servidor + url)
    expect(page.get_by_text("Avance: 600 de 2,400 filas revisadas (25%)")).to_be_visible()
    sin_violaciones(page, "Carga masiva: en proceso", True)

    _avanzar(app, carga_id, 1800)
    expect(page.get_by_text("Avance: 1,800 de 2,400 filas revisadas (75%)")).to_be_visible()
    # The poll replaced what is inside the block, not the block: the focus never left it.
    assert page.evaluate("document.activeElement.id") == "carga-estado"
    sin_recargar(page)
    assert len(consultas) >= 2

    _terminar(app, carga_id)
    foco_en(page, "#carga-resumen")
    expect(page.locator("#anuncio")).to_have_text(
        "Carga terminada. Se agregaron 2,399 trabajadores al contrato. Se rechazó 1 fila: descarga el archivo "
        "para ver el motivo.")
    expect(page.get_by_role("link", name="Descargar rechazados (.xlsx)")).to_be_visible()
    sin_violaciones(page, "Carga masiva: terminada en segundo plano", True)
    dejo_de_consultar(page, consultas)
    contexto.close()


def test_axe_del_progreso_sin_js(browser, app, servidor, datos):
    carga_id = _carga_en_proceso(app, datos)
    contexto = contexto_auditable(browser, False)
    page = contexto.new_page()
    _entrar(page, servidor)
    page.goto(servidor + f"{datos['contrato_url']}/carga-masiva/{carga_id}")
    expect(page.get_by_text("Revisando el archivo")).to_be_visible()
    sin_violaciones(page, "Carga masiva: en proceso", False)
    _terminar(app, carga_id)
    page.reload()  # what the <noscript> refresh does in a browser without JavaScript
    expect(page.get_by_role("link", name="Descargar rechazados (.xlsx)")).to_be_visible()
    sin_violaciones(page, "Carga masiva: terminada en segundo plano", False)
    contexto.close()


def test_progreso_sin_js_la_pagina_se_actualiza_sola(browser, app, servidor, datos, sin_js):
    carga_id = _carga_en_proceso(app, datos)
    page = sin_js.new_page()
    _entrar(page, servidor)
    page.goto(servidor + f"{datos['contrato_url']}/carga-masiva/{carga_id}")
    expect(page.get_by_text("Avance: 600 de 2,400 filas revisadas (25%)")).to_be_visible()
    _terminar(app, carga_id)
    expect(page.get_by_role("link", name="Descargar rechazados (.xlsx)")).to_be_visible(timeout=6000)
