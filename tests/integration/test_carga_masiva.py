"""Carga masiva de trabajadores (issue 14): a CSV or .xlsx of NSS, CURP and SBC into one contract.

Every row validated (its cells, repeats in the file and in the contract, the padrón), the good ones added
in one go, the rejected ones returned as .xlsx with the reason; a file that is not one of ours refused as
a whole with nothing recorded; large files processed by a real Huey consumer with a progress page (htmx
polling or, without JavaScript, a refresh); nothing half-done when something fails; another
contractor's contract is a 404."""
from __future__ import annotations

import codecs
import io
import json
import re
import threading
import time
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Bitacora, CargaTrabajadores, Informativa, Trabajador
from models.types import ahora_utc
from services import carga_archivo
from services import carga_trabajadores as carga_srv
from services import informativas as srv
from services.padron import HttpPadron, LocalPadron, PadronNoDisponible
from tests import ayudantes
from tests.ayudantes import XLSX_MINIMO, csrf_de, elegir_contratista, iniciar_sesion_capturista, sondear, zip_de
from tests.factories import cargar_padron, crear_capturista_activo, crear_contratista, rfc_valido

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FUERA_DEL_PADRON = "PEGL850304HJCRRS07"  # a valid CURP nobody in the test padrón has


def _datos_contrato():
    return srv.DatosContrato(
        rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente de la carga, S.A.",
        correo_contratante="cliente@carga.example", telefono_contratante="5512341234", objeto="Limpieza",
        servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None)


@pytest.fixture
def datos(app, client):
    """maria.lopez working for A (chosen at login), a padrón of 40 people, A's informativa 2026-2 with two
    contracts, and B's with one."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Carga Masiva, S.A.")
        b = crear_contratista(razon_social="Beta Carga Masiva, S.A.")
        crear_capturista_activo(a, b)
        personas = cargar_padron(40)
        informativa = srv.crear(a.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        contrato = srv.agregar_contrato(informativa, _datos_contrato(), "prueba")
        otro = srv.agregar_contrato(informativa, _datos_contrato(), "prueba")
        informativa_b = srv.crear(b.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        contrato_b = srv.agregar_contrato(informativa_b, _datos_contrato(), "prueba")
        db.session.commit()
        d = SimpleNamespace(a=a.id, b=b.id, informativa=informativa.id, contrato=contrato.id, otro=otro.id,
                            informativa_b=informativa_b.id, contrato_b=contrato_b.id, personas=personas)
    d.url = f"/capturista/informativas/{d.informativa}/contratos/{d.contrato}/carga-masiva"
    d.url_otro = f"/capturista/informativas/{d.informativa}/contratos/{d.otro}/carga-masiva"
    d.url_b = f"/capturista/informativas/{d.informativa_b}/contratos/{d.contrato_b}/carga-masiva"
    iniciar_sesion_capturista(client)
    elegir_contratista(client, d.a)
    return d


def nss(i: int) -> str:
    """A valid NSS per person: 00000000011, 00000000029, ... (leading zeros, as text)."""
    return completar(f"{i + 1:010d}")


def fila(d, i: int, sbc: str = "315.04") -> tuple[str, str, str]:
    return nss(i), d.personas[i].curp, sbc


ENCABEZADOS = ("NSS", "CURP", "SBC")


def csv_de(filas, **opciones) -> bytes:
    return ayudantes.csv_de(ENCABEZADOS, filas, **opciones)


def xlsx_de(filas, **opciones) -> bytes:
    return ayudantes.xlsx_de(ENCABEZADOS, filas, **opciones)


def subir(client, url: str, contenido: bytes, nombre: str = "trabajadores.csv", **kwargs):
    pagina = client.get(url)
    return client.post(url, data={"csrf_token": csrf_de(pagina), "archivo": (io.BytesIO(contenido), nombre)},
                       content_type="multipart/form-data", **kwargs)


def rechazadas(client, resultado) -> list[list[str]]:
    """The rows of the rejected rows' workbook linked from the result page (header first)."""
    html = client.get(resultado).get_data(as_text=True)
    enlace = re.search(r'href="([^"]+/rechazados)"', html)
    assert enlace, "la página del resultado no enlaza los rechazados"
    r = client.get(enlace.group(1))
    assert r.status_code == 200 and r.mimetype == MIME_XLSX
    assert r.headers["Cache-Control"] == "no-store"
    hoja = load_workbook(io.BytesIO(r.data))["Rechazados"]
    for celda in (c for f in hoja.iter_rows() for c in f if c.value is not None):  # "" comes back as None
        assert celda.data_type == "s" and celda.number_format == "@", (celda.coordinate, celda.value)
    return [[c.value for c in f] for f in hoja.iter_rows()]


def trabajadores(app, contrato_id: int) -> dict[str, Trabajador]:
    with app.app_context():
        filas = db.session.scalars(select(Trabajador).where(Trabajador.contrato_id == contrato_id)).all()
        db.session.expunge_all()
        return {t.nss: t for t in filas}


def conteos(app) -> tuple[int, int, int, int]:
    """(trabajadores, cargas, bitácora entries of cargas, A's informativa version)."""
    with app.app_context():
        return (db.session.scalar(select(func.count(Trabajador.id))),
                db.session.scalar(select(func.count(CargaTrabajadores.id))),
                db.session.scalar(select(func.count(Bitacora.id)).where(Bitacora.accion == "trabajadores_carga_masiva")),
                db.session.scalar(select(func.max(Informativa.version)).where(Informativa.estado == "borrador")))


# --- good rows -----------------------------------------------------------------------------------------------


def test_filas_buenas_se_agregan_con_su_nombre_del_padron(client, app, datos):
    antes = conteos(app)
    r = subir(client, datos.url, csv_de([fila(datos, i) for i in range(5)]))
    assert r.status_code == 303
    resultado = r.headers["Location"]
    html = client.get(resultado).get_data(as_text=True)
    assert "<p>Se agregaron 5 trabajadores al contrato. No se rechazó ninguna fila.</p>" in html
    assert "Descargar rechazados" not in html and 'data-enfocar' in html and "every 1s" not in html
    assert 'data-anunciar="Carga terminada. Se agregaron 5 trabajadores al contrato. No se rechazó ninguna fila."' in html
    agregados = trabajadores(app, datos.contrato)
    assert sorted(agregados) == sorted(nss(i) for i in range(5))
    persona = datos.personas[0]
    t = agregados[nss(0)]
    assert (t.curp, t.nombre, t.primer_apellido, t.segundo_apellido, t.sbc) == (
        persona.curp, persona.nombre, persona.primer_apellido, persona.segundo_apellido, Decimal("315.04"))
    assert t.nss.startswith("0000") and t.informativa_id == datos.informativa and t.version == 1
    # The search and sort keys are the ones a worker added by hand gets.
    claves = Trabajador.claves(t.nss, t.curp, t.nombre, t.primer_apellido, t.segundo_apellido)
    assert (t.nombre_orden, t.busqueda) == (claves["nombre_orden"], claves["busqueda"])
    # One version bump, one bitácora entry with the counts, the job recorded.
    despues = conteos(app)
    assert despues[0] == antes[0] + 5 and despues[2] == antes[2] + 1 and despues[3] == antes[3] + 1
    with app.app_context():
        entrada = db.session.scalar(select(Bitacora).where(Bitacora.accion == "trabajadores_carga_masiva"))
        assert entrada.actor == "capturista:maria.lopez" and entrada.informativa_id == datos.informativa
        assert entrada.detalle["agregados"] == 5 and entrada.detalle["rechazadas"] == 0
        assert entrada.detalle["filas"] == 5 and entrada.detalle["archivo"] == "trabajadores.csv"
        carga = db.session.scalar(select(CargaTrabajadores))
        assert (carga.estado, carga.total, carga.procesadas, carga.aceptadas, carga.rechazadas, carga.ruta_rechazos) == (
            "terminada", 5, 5, 5, 0, None)
        assert carga.solicitante == "capturista:maria.lopez" and carga.terminado_en is not None
    # The contract page lists them and links the carga; the upload page lists the carga.
    contrato = client.get(datos.url.rsplit("/carga-masiva", 1)[0]).get_data(as_text=True)
    assert persona.primer_apellido in contrato and f'href="{datos.url}"' in contrato
    assert "trabajadores.csv</a>" in client.get(datos.url).get_data(as_text=True)


# --- every kind of bad row ------------------------------------------------------------------------------------


def test_cada_fila_mala_con_su_motivo(client, app, datos):
    malas = [
        (completar("1234567890")[:-1] + "0", datos.personas[10].curp, "315.04"),   # check digit (…03 is right)
        ("12A45678903", datos.personas[11].curp, "315.04"),
        ("1234567890", datos.personas[12].curp, "315.04"),                       # 10 digits, as text
        (nss(13), "PEGL850304HJCRRS0", "315.04"),                                # CURP too short
        (nss(14), "PEGL850304HJCRRS08", "315.04"),                               # CURP check digit
        (nss(15), FUERA_DEL_PADRON, "315.04"),
        (nss(16), datos.personas[16].curp, "0"),
        (nss(17), datos.personas[17].curp, "abc"),
        (nss(18), datos.personas[18].curp, "315.045"),
        (nss(19), datos.personas[19].curp, ""),
        ("", datos.personas[20].curp, "315.04"),
        ("=HYPERLINK(\"http://x\")", "@CURP", "-1"),
    ]
    buenas = [fila(datos, 0), fila(datos, 1, "1,234.50")]
    contenido = csv_de([buenas[0], *malas[:6], buenas[1], *malas[6:]], separador=";")
    r = subir(client, datos.url, contenido)
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<p>Se agregaron 2 trabajadores al contrato. Se rechazaron 12 filas: descarga" in html
    assert sorted(trabajadores(app, datos.contrato)) == [nss(0), nss(1)]
    assert trabajadores(app, datos.contrato)[nss(1)].sbc == Decimal("1234.50")
    filas = rechazadas(client, r.headers["Location"])
    assert filas[0] == ["Fila", "NSS", "CURP", "SBC", "Motivo"]
    por_fila = {int(f[0]): f for f in filas[1:]}
    # Row numbers as in the file: 1 is the header, 2 the first good row, 9 the second.
    assert sorted(por_fila) == [3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]
    esperado = {
        3: "dígito verificador no corresponde", 4: "solo puede contener números", 5: "debe tener 11 dígitos",
        6: "La CURP debe tener 18 caracteres", 7: "dígito verificador de la CURP no es válido",
        8: f"La CURP {FUERA_DEL_PADRON} no se encontró en el padrón", 10: "debe ser mayor que cero",
        11: "debe ser un número", 12: "a lo más dos decimales", 13: "Falta el SBC.", 14: "Falta el NSS.",
    }
    for numero, texto in esperado.items():
        assert texto in por_fila[numero][4], (numero, por_fila[numero])
    assert por_fila[3][1:4] == list(malas[0])  # the cells as uploaded, as text
    # A row with several problems says all of them, column by column.
    ultima = por_fila[15][4]
    assert "El NSS solo puede contener números" in ultima and "La CURP debe tener 18" in ultima
    assert ultima.index("NSS") < ultima.index("CURP") and "mayor que cero" in ultima


def test_las_celdas_rechazadas_no_son_formulas(client, app, datos):
    r = subir(client, datos.url, csv_de([("=HYPERLINK(\"http://malo\")", "+CURP", "@SUMA(A1)")]))
    assert r.status_code == 303
    hoja_url = re.search(r'href="([^"]+/rechazados)"', client.get(r.headers["Location"]).get_data(as_text=True))
    libro = load_workbook(io.BytesIO(client.get(hoja_url.group(1)).data))
    celdas = list(libro["Rechazados"].iter_rows(min_row=2))[0]
    assert [c.value for c in celdas[1:4]] == ['=HYPERLINK("http://malo")', "+CURP", "@SUMA(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in celdas[1:4])


# --- duplicates --------------------------------------------------------------------------------------------------


def test_repetidos_en_el_archivo_nombran_la_primera_fila(client, app, datos):
    contenido = csv_de([fila(datos, 0), fila(datos, 1), (nss(0), datos.personas[2].curp, "300"),
                        (nss(3), datos.personas[1].curp, "300"), fila(datos, 0)], encabezado=False)
    r = subir(client, datos.url, contenido)
    assert sorted(trabajadores(app, datos.contrato)) == [nss(0), nss(1)]  # the first occurrences stay
    por_fila = {f[0]: f[4] for f in rechazadas(client, r.headers["Location"])[1:]}
    assert por_fila == {
        "3": f"El NSS {nss(0)} se repite en el archivo: ya está en la fila 1.",
        "4": f"La CURP {datos.personas[1].curp} se repite en el archivo: ya está en la fila 2.",
        "5": f"El NSS {nss(0)} se repite en el archivo: ya está en la fila 1. "
             f"La CURP {datos.personas[0].curp} se repite en el archivo: ya está en la fila 1.",
    }


def test_repetidos_en_el_contrato(client, app, datos):
    assert subir(client, datos.url, csv_de([fila(datos, 0), fila(datos, 1)])).status_code == 303
    # The same people again (one with another NSS), plus a new one; the same file into the other contract.
    contenido = csv_de([fila(datos, 0), (nss(5), datos.personas[1].curp, "300"), fila(datos, 2)])
    r = subir(client, datos.url, contenido)
    assert sorted(trabajadores(app, datos.contrato)) == [nss(0), nss(1), nss(2)]
    por_fila = {f[0]: f[4] for f in rechazadas(client, r.headers["Location"])[1:]}
    assert por_fila == {
        "2": f"El NSS {nss(0)} ya está en este contrato. La CURP {datos.personas[0].curp} ya está en este contrato.",
        "3": f"La CURP {datos.personas[1].curp} ya está en este contrato.",
    }
    assert subir(client, datos.url_otro, contenido).status_code == 303  # a person may be in several contracts
    assert sorted(trabajadores(app, datos.otro)) == [nss(0), nss(2), nss(5)]


# --- CSV: encodings, separators, header ------------------------------------------------------------------------


@pytest.mark.parametrize("codificacion, bom, separador", [("utf-8", False, ","), ("utf-8", True, ";"),
                                                         ("cp1252", False, ";"), ("cp1252", False, ",")])
def test_csv_en_ambas_codificaciones_y_separadores(client, app, datos, codificacion, bom, separador):
    # An accented header (any case), a decimal comma where ";" separates, and a rejected cell with an Ñ that
    # comes back as written.
    sbc = "315,04" if separador == ";" else "315.04"
    lineas = [separador.join(("nss", "Cúrp", "sBc")), separador.join(fila(datos, 0, sbc)),
              separador.join(("ÑSS-1", datos.personas[1].curp, "300"))]
    contenido = (codecs.BOM_UTF8 if bom else b"") + "\n".join(lineas).encode(codificacion)
    r = subir(client, datos.url, contenido)
    assert r.status_code == 303
    assert trabajadores(app, datos.contrato)[nss(0)].sbc == Decimal("315.04")
    [_, mala] = rechazadas(client, r.headers["Location"])
    assert mala[:2] == ["3", "ÑSS-1"] and "solo puede contener números" in mala[4]


def test_encabezado_opcional_y_en_cualquier_orden(client, app, datos):
    assert subir(client, datos.url, csv_de([fila(datos, 0)], encabezado=False)).status_code == 303
    lineas = ["CURP,SBC,NSS", f"{datos.personas[1].curp},410.5,{nss(1)}"]
    r = subir(client, datos.url, "\n".join(lineas).encode())
    assert r.status_code == 303
    agregados = trabajadores(app, datos.contrato)
    assert sorted(agregados) == [nss(0), nss(1)] and agregados[nss(1)].sbc == Decimal("410.50")


def test_csv_con_comillas(client, app, datos):
    contenido = f'"NSS","CURP","SBC"\n"{nss(0)}","{datos.personas[0].curp}","1,500.25"\n'.encode()
    assert subir(client, datos.url, contenido).status_code == 303
    assert trabajadores(app, datos.contrato)[nss(0)].sbc == Decimal("1500.25")


# --- xlsx ---------------------------------------------------------------------------------------------------------


def test_xlsx_nss_numerico_y_ceros_iniciales(client, app, datos):
    once = completar("9291908443")  # 11 digits stored as a number: taken
    filas = [
        (int(once), datos.personas[0].curp, 315.04),
        (nss(1), datos.personas[1].curp, "420.10"),        # text keeps its leading zeros
        (int(nss(2)), datos.personas[2].curp, 500),        # 00000000038 as a number: 38, not padded
        (float(nss(3)[1:]), datos.personas[3].curp, 1000.5),
    ]
    r = subir(client, datos.url, xlsx_de(filas), "trabajadores.xlsx")
    assert r.status_code == 303
    agregados = trabajadores(app, datos.contrato)
    assert sorted(agregados) == sorted([once, nss(1)])
    assert agregados[once].sbc == Decimal("315.04") and agregados[nss(1)].sbc == Decimal("420.10")
    por_fila = {f[0]: f for f in rechazadas(client, r.headers["Location"])[1:]}
    assert por_fila["4"][1] == str(int(nss(2)))  # as Excel kept it: no zeros added
    assert "guardado como número en Excel y perdió sus ceros iniciales" in por_fila["4"][4]
    assert f"quedó {int(nss(2))} ({len(str(int(nss(2))))} dígitos)" in por_fila["4"][4]
    assert "perdió sus ceros iniciales" in por_fila["5"][4]
    assert not any(n.lstrip("0") == str(int(nss(2))) for n in agregados)


def test_xlsx_formula_es_error_de_la_fila(client, app, datos):
    libro = Workbook()
    hoja = libro.active
    hoja.append(["NSS", "CURP", "SBC"])
    hoja.append([nss(0), datos.personas[0].curp, "=300+15.04"])
    hoja.append([nss(1), datos.personas[1].curp, "300"])
    salida = io.BytesIO()
    libro.save(salida)
    r = subir(client, datos.url, salida.getvalue(), "con-formula.xlsx")
    assert r.status_code == 303
    assert sorted(trabajadores(app, datos.contrato)) == [nss(1)]
    [_, mala] = rechazadas(client, r.headers["Location"])
    assert mala[0] == "2" and mala[3] == "=300+15.04"
    assert mala[4] == "La celda del SBC tiene una fórmula: escribe el dato, no una fórmula."


def test_plantilla_descargable(client, datos):
    r = client.get(datos.url + "/plantilla")
    assert r.status_code == 200 and r.mimetype == MIME_XLSX and r.headers["Cache-Control"] == "no-store"
    assert "plantilla_carga_trabajadores.xlsx" in r.headers["Content-Disposition"]
    hoja = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in hoja[1]] == ["NSS", "CURP", "SBC"]
    assert hoja.max_row == 1  # the examples are notes, not data
    for letra in "ABC":
        assert hoja[f"{letra}1"].number_format == "@" and hoja.column_dimensions[letra].number_format == "@"
        assert "Ejemplo:" in hoja[f"{letra}1"].comment.text
    assert "01234567897" in hoja["A1"].comment.text
    # Filled in (the NSS typed as text in a text column) and uploaded as it is, it works.
    libro = load_workbook(io.BytesIO(r.data))
    libro.active.append([nss(0), datos.personas[0].curp, "315.04"])
    salida = io.BytesIO()
    libro.save(salida)
    assert subir(client, datos.url, salida.getvalue(), "plantilla.xlsx").status_code == 303


# --- files refused as a whole: a clear message, nothing recorded ------------------------------------------------


def _rechazo_completo(client, app, datos, contenido: bytes, nombre: str, mensaje: str, status: int = 422):
    antes = conteos(app)
    r = subir(client, datos.url, contenido, nombre)
    html = r.get_data(as_text=True)
    assert r.status_code == status, (r.status_code, html[-2000:])
    assert "Hay un problema" in html and mensaje in html, html[-3000:]
    assert 'aria-invalid="true"' in html and "<title>Error: " in html
    assert conteos(app) == antes  # nothing recorded
    assert not any(Path(app.config["CARGA_DIR"]).glob("*")) if Path(app.config["CARGA_DIR"]).exists() else True
    return html


@pytest.mark.parametrize("caso", ["vacio", "solo_encabezado", "espacios"])
def test_archivo_vacio(client, app, datos, caso):
    contenido = {"vacio": b"", "solo_encabezado": b"NSS,CURP,SBC\r\n", "espacios": b"\r\n  \r\n,,\r\n"}[caso]
    _rechazo_completo(client, app, datos, contenido, "vacio.csv", carga_srv.VACIO)


def test_xlsx_vacio(client, app, datos):
    _rechazo_completo(client, app, datos, xlsx_de([], encabezado=False), "vacio.xlsx", carga_srv.VACIO)


def test_encabezados_equivocados_o_columna_de_mas(client, app, datos):
    _rechazo_completo(client, app, datos, b"NSS,NOMBRE,SBC\n" + csv_de([fila(datos, 0)], encabezado=False), "a.csv",
                      "no son NSS, CURP y SBC (dice «NSS», «NOMBRE», «SBC»)")
    extra = csv_de([fila(datos, 0), (*fila(datos, 1), "extra")])
    _rechazo_completo(client, app, datos, extra, "a.csv", "más de tres columnas (la fila 3 tiene 4)")
    _rechazo_completo(client, app, datos, xlsx_de([(*fila(datos, 0), None, "x")]), "a.xlsx",
                      "más de tres columnas (la fila 2 tiene 5)")
    # Trailing empty cells are not columns (Excel leaves them in a CSV).
    assert subir(client, datos.url, b"NSS,CURP,SBC,,\n" + ",".join(fila(datos, 0)).encode() + b",,\n").status_code == 303


def test_no_es_csv_ni_xlsx(client, app, datos):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    _rechazo_completo(client, app, datos, pdf, "trabajadores.pdf", "no es ninguno de los dos")
    _rechazo_completo(client, app, datos, pdf, "trabajadores.csv", carga_archivo.NO_ES_CSV)  # a PDF renamed
    docx = zip_de({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    _rechazo_completo(client, app, datos, docx, "trabajadores.xlsx", carga_archivo.NO_ES_XLSX)  # a .docx renamed
    _rechazo_completo(client, app, datos, csv_de([fila(datos, 0)]), "trabajadores.xlsx", carga_archivo.NO_ES_XLSX)
    _rechazo_completo(client, app, datos, xlsx_de([fila(datos, 0)]), "trabajadores.csv", carga_archivo.NO_ES_CSV)
    _rechazo_completo(client, app, datos, b"\x00\x01\x02binario", "datos.csv", carga_archivo.NO_ES_CSV)
    _rechazo_completo(client, app, datos, bytes(range(128, 256)) * 4, "datos.csv", carga_archivo.NO_ES_CSV)


def test_xlsx_cifrado_con_macros_o_danado(client, app, datos):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512  # an encrypted .xlsx is an OLE2 file
    _rechazo_completo(client, app, datos, ole2, "protegido.xlsx", carga_archivo.PROTEGIDO)
    macros = zip_de({**XLSX_MINIMO, "xl/vbaProject.bin": b"\x00" * 64})
    _rechazo_completo(client, app, datos, macros, "macros.xlsx", carga_archivo.CON_MACROS)
    _rechazo_completo(client, app, datos, zip_de(XLSX_MINIMO), "roto.xlsx", carga_archivo.DANADO)
    _rechazo_completo(client, app, datos, xlsx_de([fila(datos, 0)])[:-200], "cortado.xlsx", carga_archivo.NO_ES_XLSX)


def test_bomba_zip_se_rechaza_antes_de_abrirla(client, app, datos, monkeypatch):
    def no_abrir(*args, **kwargs):
        raise AssertionError("openpyxl abrió una bomba zip")

    monkeypatch.setattr(carga_archivo, "load_workbook", no_abrir)
    app.config["CARGA_XLSX_MAX_DESCOMPRIMIDO"] = 4 * 2**20
    # In total: members that together inflate past the limit (a few KB compressed; each under 1 MB, so
    # only the total catches them).
    grande = zip_de({**XLSX_MINIMO, **{f"xl/worksheets/sheet{i}.xml": b" " * (900 * 1024) for i in range(1, 6)}})
    assert len(grande) < 20_000
    _rechazo_completo(client, app, datos, grande, "bomba.xlsx", carga_archivo.BOMBA)
    # Under the total but far beyond its compressed size.
    app.config["CARGA_XLSX_MAX_DESCOMPRIMIDO"] = 100 * 2**20
    denso = zip_de({**XLSX_MINIMO, "xl/sharedStrings.xml": b"0" * (3 * 2**20)})
    _rechazo_completo(client, app, datos, denso, "bomba.xlsx", carga_archivo.BOMBA)


def test_zip_que_miente_sobre_su_tamano(client, app, datos):
    """A member that declares a small size but inflates to more: zipfile stops at the declared size and
    the CRC fails, so nothing beyond what was checked is ever inflated."""
    original = xlsx_de([fila(datos, 0)])
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        miembros = {i.filename: z.read(i.filename) for i in z.infolist()}
    hoja = "xl/worksheets/sheet1.xml"
    declarado = len(miembros[hoja])
    miembros[hoja] += b" " * (2 * 2**20)
    contenido = bytearray(zip_de(miembros))
    with zipfile.ZipFile(io.BytesIO(bytes(contenido))) as z:
        info = z.getinfo(hoja)
    real = info.file_size.to_bytes(4, "little")
    # Local header (uncompressed size at offset 22) and central directory entry: both say the old size.
    for posicion in [m.start() for m in re.finditer(re.escape(real), bytes(contenido))]:
        contenido[posicion:posicion + 4] = declarado.to_bytes(4, "little")
    _rechazo_completo(client, app, datos, bytes(contenido), "miente.xlsx", carga_archivo.DANADO)


def test_mas_de_3000_filas(client, app, datos):
    assert app.config["CARGA_MAX_FILAS"] == 3000
    filas = [fila(datos, i % 40) for i in range(3001)]
    _rechazo_completo(client, app, datos, csv_de(filas), "muchos.csv",
                      "El archivo tiene más de 3,000 filas de trabajadores; el máximo es 3,000 por archivo.")


def test_tamano_maximo(client, app, datos):
    assert app.config["CARGA_MAX_BYTES"] == 15 * 2**20
    assert app.config["MAX_CONTENT_LENGTH"] == 2**20  # every other request keeps the 1 MB limit
    # 15 MB reach the service (here refused for its extension, not for its size).
    _rechazo_completo(client, app, datos, b"x" * (15 * 2**20), "grande.txt", "no es ninguno de los dos")
    app.config["CARGA_MAX_BYTES"] = 2000
    _rechazo_completo(client, app, datos, csv_de([fila(datos, 0)]) + b"\n" * 3000, "a.csv",
                      "El archivo pesa 0.1 MB; el máximo es 0.00190735 MB")
    # Beyond the request's limit: the Spanish 413 page, nothing read.
    r = subir(client, datos.url, b"x" * (2000 + 70 * 1024), "a.csv")
    assert r.status_code == 413
    assert "El archivo excede el tamaño máximo de 0.00190735 MB" in r.get_data(as_text=True)
    assert "<title>Error: Solicitud demasiado grande" in r.get_data(as_text=True)


def test_sin_archivo_o_sin_csrf(client, app, datos):
    pagina = client.get(datos.url)
    r = client.post(datos.url, data={"csrf_token": csrf_de(pagina)}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Elige el archivo con los trabajadores." in r.get_data(as_text=True)
    r = client.post(datos.url, data={"archivo": (io.BytesIO(csv_de([fila(datos, 0)])), "a.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    assert conteos(app)[:2] == (0, 0)


# --- the upload page ------------------------------------------------------------------------------------------------


def test_pagina_de_carga(client, datos):
    html = client.get(datos.url).get_data(as_text=True)
    assert "<h1>Carga masiva de trabajadores</h1>" in html
    assert 'enctype="multipart/form-data"' in html and 'accept=".csv,.xlsx"' in html and 'type="file"' in html
    assert '<label class="etiqueta" for="archivo">' in html
    assert "Hasta 3,000 trabajadores y 15 MB por archivo" in html and "NSS</strong>, <strong>CURP" in html
    assert f'href="{datos.url}/plantilla"' in html


def test_solo_mientras_la_informativa_es_editable(client, app, datos):
    with app.app_context():
        informativa = db.session.get(Informativa, datos.informativa)
        informativa.estado = Informativa.ENVIADA
        db.session.commit()
    r = client.get(datos.url)
    assert r.status_code == 409 and "ya no se puede modificar" in r.get_data(as_text=True)
    assert 'type="file"' not in r.get_data(as_text=True)
    pagina = client.get(datos.url_otro)
    r = client.post(datos.url, data={"csrf_token": csrf_de(pagina), "archivo": (io.BytesIO(csv_de([fila(datos, 0)])),
                                                                                "a.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 409 and conteos(app)[:2] == (0, 0)
    assert "Carga masiva de trabajadores</a>" not in client.get(datos.url.rsplit("/carga-masiva", 1)[0]).get_data(
        as_text=True)


def test_otro_contratista_o_contrato_es_404(client, app, datos):
    r = subir(client, datos.url, csv_de([fila(datos, 0), ("1", "2", "3")]))
    resultado = r.headers["Location"]
    carga_id = resultado.rsplit("/", 1)[1]
    # The same carga through the other contract of the informativa: 404.
    assert client.get(f"{datos.url_otro}/{carga_id}").status_code == 404
    assert client.get(f"{datos.url_otro}/{carga_id}/rechazados").status_code == 404
    # Working for B: A's contract and its carga are 404, and B's contract is not reachable through A's ids.
    elegir_contratista(client, datos.b)
    for url in (datos.url, datos.url + "/plantilla", resultado, resultado + "/rechazados"):
        assert client.get(url).status_code == 404, url
    pagina = client.get(datos.url_b)
    assert pagina.status_code == 200
    r = client.post(datos.url, data={"csrf_token": csrf_de(pagina),
                                     "archivo": (io.BytesIO(csv_de([fila(datos, 1)])), "a.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 404
    assert f"/contratos/{datos.contrato_b}/carga-masiva" in pagina.get_data(as_text=True)
    bad = f"/capturista/informativas/{datos.informativa_b}/contratos/{datos.contrato}/carga-masiva"
    assert client.get(bad).status_code == 404
    assert sorted(trabajadores(app, datos.contrato)) == [nss(0)]


# --- nothing half-done ----------------------------------------------------------------------------------------------


def test_una_falla_a_medias_no_deja_nada(client, app, datos, monkeypatch):
    def falla(rechazadas):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(carga_srv, "_escribir_rechazos", falla)  # after the rows were inserted
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 500 page, as in production
    antes = conteos(app)
    r = subir(client, datos.url, csv_de([fila(datos, 0), fila(datos, 1), ("1", "2", "3")]))
    assert r.status_code == 500
    assert "No se guardó ningún cambio parcial" in r.get_data(as_text=True)
    assert conteos(app) == antes
    assert not list(Path(app.config["CARGA_DIR"]).glob("*"))


def test_padron_caido_no_deja_nada(client, app, datos):
    app.config.update(PADRON_FUENTE="http", PADRON_URL="http://127.0.0.1:9/curp", PADRON_TIEMPO_LIMITE=0.3)
    antes = conteos(app)
    r = subir(client, datos.url, csv_de([fila(datos, 0)]))
    assert r.status_code == 422
    assert "El servicio de validación de CURP no está disponible" in r.get_data(as_text=True)
    assert conteos(app) == antes


# --- the padrón adapters, in batches -------------------------------------------------------------------------------


def test_padron_local_en_lotes(app, datos, monkeypatch):
    from sqlalchemy import event

    monkeypatch.setattr(LocalPadron, "LOTE", 7)
    curps = [p.curp for p in datos.personas[:20]] + [FUERA_DEL_PADRON]
    consultas, avances = [], []
    with app.app_context():
        contar = lambda *a: consultas.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", contar)
        try:
            encontradas = LocalPadron().buscar_varios(curps, avances.append)
        finally:
            event.remove(db.engine, "before_cursor_execute", contar)
    assert sorted(encontradas) == sorted(curps[:20])
    assert encontradas[curps[0]].nombre == datos.personas[0].nombre
    assert len([c for c in consultas if "padron_persona" in c]) == 3 and avances == [7, 7, 7]


class _Padron(BaseHTTPRequestHandler):
    conocidas: dict = {}
    pedidas: list = []
    caida: set = set()

    def do_GET(self):
        curp = self.path.rsplit("/", 1)[-1]
        type(self).pedidas.append(curp)
        if curp in self.caida:
            self.send_response(503)
            self.end_headers()
            return
        persona = self.conocidas.get(curp)
        if persona is None:
            self.send_response(404)
            self.end_headers()
            return
        cuerpo = json.dumps({"nombre": persona.nombre, "primer_apellido": persona.primer_apellido,
                             "segundo_apellido": persona.segundo_apellido}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(cuerpo)

    def log_message(self, *args):
        pass


@pytest.fixture
def padron_http(datos):
    _Padron.conocidas = {p.curp: p for p in datos.personas}
    _Padron.pedidas = []
    _Padron.caida = set()
    servidor = ThreadingHTTPServer(("127.0.0.1", 0), _Padron)
    hilo = threading.Thread(target=servidor.serve_forever, daemon=True)
    hilo.start()
    yield f"http://127.0.0.1:{servidor.server_port}/curp"
    servidor.shutdown()


def test_padron_http_una_consulta_por_curp_distinta(client, app, datos, padron_http):
    app.config.update(PADRON_FUENTE="http", PADRON_URL=padron_http, PADRON_TIEMPO_LIMITE=2)
    contenido = csv_de([fila(datos, i) for i in range(6)] + [fila(datos, 0), (nss(7), FUERA_DEL_PADRON, "300"),
                                                              ("1", "CURP-MALA", "1")])
    r = subir(client, datos.url, contenido)
    assert r.status_code == 303
    assert sorted(trabajadores(app, datos.contrato)) == sorted(nss(i) for i in range(6))
    # Only the good rows' CURPs are asked, once each (the repeated row and the malformed CURP are not).
    assert sorted(_Padron.pedidas) == sorted([p.curp for p in datos.personas[:6]] + [FUERA_DEL_PADRON])
    avances = []
    encontradas = HttpPadron(padron_http, 2).buscar_varios([p.curp for p in datos.personas[:30]], avances.append)
    assert len(encontradas) == 30 and sum(avances) == 30
    _Padron.caida = {datos.personas[3].curp}
    with pytest.raises(PadronNoDisponible):
        HttpPadron(padron_http, 2).buscar_varios([p.curp for p in datos.personas[:10]])


# --- the background job ----------------------------------------------------------------------------------------------


def test_carga_grande_en_segundo_plano(client, app, datos, consumidor, monkeypatch):
    app.config["CARGA_UMBRAL"] = 10
    monkeypatch.setattr(LocalPadron, "LOTE", 4)
    original = carga_archivo.Avance.__call__

    def avanzar_lento(self, mas):
        original(self, mas)
        time.sleep(0.2)  # slow enough to watch the progress move

    monkeypatch.setattr(carga_archivo.Avance, "__call__", avanzar_lento)
    filas = [fila(datos, i) for i in range(30)] + [("123", datos.personas[30].curp, "1")]
    r = subir(client, datos.url, csv_de(filas), "grande.csv")
    assert r.status_code == 303
    estado_url = r.headers["Location"]
    pagina = client.get(estado_url).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in pagina  # the no-JS page reloads itself
    assert "<progress" in pagina and 'hx-trigger="every 1s"' in pagina and 'hx-swap="innerHTML"' in pagina
    assert "data-enfocar" in pagina and "31 filas revisadas" in pagina

    def mientras_corre(fragmento, texto):
        # Only the inside of the block: the block keeps its place, and the focus.
        assert 'id="carga-estado"' not in texto and "HX-Reswap" not in fragmento.headers
        assert "HX-Request, HX-Target" in fragmento.headers["Vary"]

    fragmento, texto, vistos = sondear(client, estado_url, "carga-estado", "Carga terminada", mientras_corre)
    assert len({v for v in vistos if 0 < v < 31}) >= 2, vistos  # progress moved
    # Done: the whole block, swapped as a block, without polling; the summary takes the focus.
    assert fragmento.headers["HX-Reswap"] == "outerHTML" and 'id="carga-estado"' in texto
    assert "every 1s" not in texto and 'id="carga-resumen" tabindex="-1" data-enfocar' in texto
    assert ('data-anunciar="Carga terminada. Se agregaron 30 trabajadores al contrato. Se rechazó 1 fila: descarga el '
            'archivo para ver el motivo."') in texto
    assert "refresh" not in client.get(estado_url).get_data(as_text=True)

    assert len(trabajadores(app, datos.contrato)) == 30
    with app.app_context():
        carga = db.session.scalar(select(CargaTrabajadores))
        assert (carga.estado, carga.total, carga.procesadas, carga.aceptadas, carga.rechazadas) == (
            "terminada", 31, 31, 30, 1)
        ruta = Path(carga.ruta_rechazos)
        assert ruta.exists() and ruta.parent == Path(app.config["CARGA_DIR"])
        assert db.session.scalar(select(func.count(Bitacora.id)).where(
            Bitacora.accion == "trabajadores_carga_masiva")) == 1
    # The uploaded file is gone once processed; only the rejected rows' workbook stays.
    assert sorted(p.name for p in Path(app.config["CARGA_DIR"]).iterdir()) == [ruta.name]
    [_, mala] = rechazadas(client, estado_url)
    assert mala[0] == "32" and "debe tener 11 dígitos" in mala[4]

    # After the retention the file is gone: the page and the download say so (410).
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=25), tick=False):
        import tareas

        tareas.limpiar_exportaciones.call_local()
        assert not ruta.exists()
        iniciar_sesion_capturista(client)  # the session expired meanwhile
        elegir_contratista(client, datos.a)
        r = client.get(estado_url + "/rechazados")
        assert r.status_code == 410 and "ya no está disponible (se conserva 24 horas)" in r.get_data(as_text=True)


def test_segundo_plano_falla_sin_dejar_nada(client, app, datos, consumidor, monkeypatch):
    app.config["CARGA_UMBRAL"] = 2

    def falla(rechazadas):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(carga_srv, "_escribir_rechazos", falla)
    r = subir(client, datos.url, csv_de([fila(datos, i) for i in range(4)] + [("1", "2", "3")]))
    estado_url = r.headers["Location"]
    limite = time.monotonic() + 30
    while "No se pudo completar la carga" not in (texto := client.get(estado_url).get_data(as_text=True)):
        assert time.monotonic() < limite, "la carga no terminó"
        time.sleep(0.1)
    assert carga_srv.ERROR_INESPERADO in texto and "No se agregó ningún trabajador." in texto
    assert trabajadores(app, datos.contrato) == {}
    assert not list(Path(app.config["CARGA_DIR"]).glob("*"))
    with app.app_context():
        assert db.session.scalar(select(CargaTrabajadores.estado)) == "error"
        assert db.session.scalar(select(func.count(Bitacora.id)).where(
            Bitacora.accion == "trabajadores_carga_masiva")) == 0


def test_segundo_plano_informativa_enviada_entretanto(client, app, datos):
    """The job runs after the informativa was sent to signature: it ends in error, nothing added."""
    import tareas

    app.config["CARGA_UMBRAL"] = 1
    tareas.usar_app(app)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(carga_srv, "encolar", lambda carga_id, tarea: None)  # nobody runs it yet
            r = subir(client, datos.url, csv_de([fila(datos, 0), fila(datos, 1)]))
        carga_id = int(r.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            db.session.get(Informativa, datos.informativa).estado = Informativa.ENVIADA
            db.session.commit()
        tareas.procesar_carga_trabajadores.call_local(carga_id)
    finally:
        tareas.usar_app(None)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "La informativa está «Enviada a firma»: ya no se puede modificar." in html
    assert trabajadores(app, datos.contrato) == {}


def test_cola_inalcanzable_termina_en_error(client, app, datos):
    import tareas

    app.config["CARGA_UMBRAL"] = 1

    def sin_cola(carga_id):
        raise ConnectionError("redis caído")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tareas, "procesar_carga_trabajadores", sin_cola)
        mp.setattr("blueprints.captura.carga.procesar_carga_trabajadores", sin_cola)
        r = subir(client, datos.url, csv_de([fila(datos, 0), fila(datos, 1)]))
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert carga_srv.NO_SE_ENCOLO in html and "every 1s" not in html
    assert not list(Path(app.config["CARGA_DIR"]).glob("*"))


def test_limpieza_termina_cargas_colgadas_y_borra_archivos_huerfanos(app, datos):
    import os

    with app.app_context():
        carga = CargaTrabajadores(contrato_id=datos.contrato, informativa_id=datos.informativa, solicitante="x",
                                  nombre_archivo="a.csv", total=900, creado_en=ahora_utc() - timedelta(hours=30))
        db.session.add(carga)
        db.session.commit()
        carpeta = Path(app.config["CARGA_DIR"])
        carpeta.mkdir(parents=True, exist_ok=True)
        subida = carpeta / f"subida-{carga.id}"
        subida.write_bytes(b"x")
        # The rejected rows of a carga whose contract was deleted (its row went with it), and a fresh file.
        huerfano, reciente = carpeta / "rechazos-huerfano.xlsx", carpeta / "rechazos-reciente.xlsx"
        huerfano.write_bytes(b"PK")
        reciente.write_bytes(b"PK")
        viejo = time.time() - 30 * 3600
        os.utime(huerfano, (viejo, viejo))
        assert carga_srv.limpiar_vencidas() == 1
        assert db.session.get(CargaTrabajadores, carga.id).estado == "error"
        assert not subida.exists() and not huerfano.exists() and reciente.exists()


def test_el_archivo_cuenta_contra_las_validaciones_del_dia(client, app, datos):
    """The padrón's answers name people: a file's CURPs count against the workers' daily allowance of
    lookups, like Validar one by one, so a file cannot enumerate the padrón. CURPs already looked up in
    the window are free; a file that does not fit is refused whole, with nothing added."""
    from models import ValidacionCurp

    app.config["VALIDACIONES_TRABAJADORES_POR_DIA"] = 4
    assert subir(client, datos.url, csv_de([fila(datos, i) for i in range(3)])).status_code == 303
    # The same three again (into the other contract) plus one new: 4 distinct, it fits.
    assert subir(client, datos.url_otro, csv_de([fila(datos, i) for i in range(4)])).status_code == 303
    antes = conteos(app)
    r = subir(client, datos.url, csv_de([fila(datos, i) for i in range(4, 6)]))
    html = r.get_data(as_text=True)
    assert r.status_code == 429, r.status_code
    assert "necesita validar 2 CURP nuevas" in html and "le quedan 0 de sus 4 validaciones de 24 horas" in html
    assert conteos(app) == antes
    with app.app_context():
        curps = set(db.session.scalars(select(ValidacionCurp.curp).where(ValidacionCurp.tipo == "trabajador")))
    assert curps == {datos.personas[i].curp for i in range(4)}
