"""Carga masiva de capturistas (issue 16): Alta de usuarios → Carga masiva, a CSV or .xlsx of CURP, Teléfono and
Correo electrónico.

The preview checks every row as Alta de usuarios would (the same messages Alta's forms give for the same input),
with repeats in the file and the contractor's own capturistas, against its own daily allowance of padrón
lookups, and creates nothing; **Guardar N capturistas** creates the valid ones once (twice pressed, or from two
tabs at once, it creates nothing twice; interrupted, it goes on where it stopped) with one activation e-mail
each in the outbox and the bitácora; the rejected rows come back as .xlsx with the reason; a malformed file is
refused whole with nothing recorded; large files run in a real Huey consumer with a progress page."""
from __future__ import annotations

import codecs
import html as html_lib
import io
import re
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import time_machine
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from extensions import db
from models import (
    Bitacora,
    Capturista,
    CargaCapturistas,
    Contratista,
    CorreoSaliente,
    FilaCargaCapturistas,
    RelacionCapturista,
    ValidacionCurp,
)
from services import capturistas as alta
from services import carga_archivo
from services import carga_capturistas as carga_srv
from tests import ayudantes
from tests.ayudantes import (
    ALTA,
    GRID,
    XLSX_MINIMO,
    a_la_vez,
    csrf_de,
    datos_alta,
    formulario_alta,
    iniciar_sesion,
    sondear,
    validar,
    zip_de,
)
from tests.factories import cargar_padron, crear_contratista, crear_persona, crear_relacion, relacion_sembrada

URL = "/administracion/alta-usuarios/carga-masiva"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FUERA_DEL_PADRON = "PEGL850304HJCRRS07"  # a valid CURP nobody in the test padrón has


@pytest.fixture
def datos(app, client):
    """Contractor A (logged in) and B, both with Datos Generales, and a padrón of 40 people."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Altas Masivas, S.A.")
        b = crear_contratista(razon_social="Beta Altas Masivas, S.A.")
        d = SimpleNamespace(a=a.id, b=b.id, rfc_a=a.rfc, rfc_b=b.rfc, personas=cargar_padron(40))
    iniciar_sesion(client, d.rfc_a)
    return d


def fila(d, i: int, *, telefono: str | None = None, correo: str | None = None) -> tuple[str, str, str]:
    return (d.personas[i].curp, telefono or f"55123456{i:02d}", correo or f"persona{i}@correo.example")


ENCABEZADOS = ("CURP", "Teléfono", "Correo electrónico")


def csv_de(filas, **opciones) -> bytes:
    return ayudantes.csv_de(ENCABEZADOS, filas, **opciones)


def xlsx_de(filas, **opciones) -> bytes:
    return ayudantes.xlsx_de(ENCABEZADOS, filas, **opciones)


def subir(client, contenido: bytes, nombre: str = "capturistas.csv"):
    pagina = client.get(URL)
    return client.post(URL, data={"csrf_token": csrf_de(pagina), "archivo": (io.BytesIO(contenido), nombre)},
                       content_type="multipart/form-data")


def vista_previa(client, contenido: bytes, nombre: str = "capturistas.csv") -> str:
    """Upload the file; the carga's URL (its preview)."""
    r = subir(client, contenido, nombre)
    assert r.status_code == 303, r.get_data(as_text=True)[-2000:]
    return r.headers["Location"]


def guardar(client, url: str, **kwargs):
    """Guardar N capturistas, as the preview's form posts it."""
    return client.post(url, data={"csrf_token": csrf_de(client.get(url))}, **kwargs)


def texto(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def rechazadas(client, url: str) -> list[list[str]]:
    """The rows of the rejected rows' workbook linked from the carga's page (header first)."""
    enlace = re.search(r'href="([^"]+/rechazados)"', texto(client, url))
    assert enlace, "la página no enlaza los rechazados"
    r = client.get(enlace.group(1))
    assert r.status_code == 200 and r.mimetype == MIME_XLSX and r.headers["Cache-Control"] == "no-store"
    assert re.search(r'filename=rechazados_capturistas_\d{8}_\d{4}\.xlsx', r.headers["Content-Disposition"])
    hoja = load_workbook(io.BytesIO(r.data))["Rechazados"]
    for celda in (c for f in hoja.iter_rows() for c in f if c.value is not None):
        assert celda.data_type == "s" and celda.number_format == "@", (celda.coordinate, celda.value)
    return [[c.value for c in f] for f in hoja.iter_rows()]


def motivos(client, url: str) -> dict[int, str]:
    return {int(f[0]): f[4] for f in rechazadas(client, url)[1:]}


def conteos(app) -> dict[str, int]:
    with app.app_context():
        contar = lambda modelo: db.session.scalar(select(func.count()).select_from(modelo))  # noqa: E731
        return {"relaciones": contar(RelacionCapturista), "personas": contar(Capturista),
                "correos": contar(CorreoSaliente), "cargas": contar(CargaCapturistas),
                "filas": contar(FilaCargaCapturistas), "validaciones": contar(ValidacionCurp),
                "bitacora": contar(Bitacora)}


def relaciones(app, contratista_id: int) -> dict[str, RelacionCapturista]:
    with app.app_context():
        filas = db.session.scalars(select(RelacionCapturista).where(
            RelacionCapturista.contratista_id == contratista_id)).all()
        db.session.expunge_all()
        return {r.curp: r for r in filas}


def error_de_campo(respuesta, campo: str) -> str:
    """The message Alta's form shows under ``campo``."""
    m = re.search(rf'id="{campo}-error"><span class="visualmente-oculto">Error:</span> ([^<]+)</p>',
                  respuesta.get_data(as_text=True))
    assert m, f"sin error en {campo}"
    return html_lib.unescape(m.group(1).strip())


def id_de(url: str) -> int:
    return int(url.rsplit("/", 1)[1])


# --- the preview, then Guardar ------------------------------------------------------------------------------


def test_vista_previa_no_crea_nada_y_guardar_crea_los_validos(client, app, datos):
    filas = [fila(datos, 0, telefono="(55) 1234-5600", correo=" Persona0@Correo.Example "),
             *[fila(datos, i) for i in range(1, 5)]]
    antes = conteos(app)
    url = vista_previa(client, csv_de(filas))
    html = texto(client, url)
    # The preview: the names the padrón gave, the counts, the one button; nothing created.
    persona = datos.personas[0]
    nombre = " ".join(x for x in (persona.nombre, persona.primer_apellido, persona.segundo_apellido) if x)
    assert f"<td data-etiqueta=\"Nombre\">{nombre}</td>" in html
    assert "5 capturistas válidos y 0 filas rechazadas" in html and "Guardar 5 capturistas</button>" in html
    assert "persona0@correo.example" in html and "5512345600" in html  # what Alta would keep
    assert 'id="carga-resumen"' in html and "data-enfocar" in html and "every 1s" not in html
    despues = conteos(app)
    assert {k: despues[k] - antes[k] for k in despues} == {
        "relaciones": 0, "personas": 0, "correos": 0, "cargas": 1, "filas": 5, "validaciones": 5, "bitacora": 0}
    with app.app_context():
        assert set(db.session.scalars(select(ValidacionCurp.tipo))) == {"alta_masiva"}

    r = guardar(client, url)
    assert r.status_code == 303 and r.headers["Location"].endswith(url)
    html = texto(client, url)
    assert "<h2>Carga guardada</h2>" in html and "Se guardaron 5 capturistas; cada uno recibirá un correo" in html
    assert "No se rechazó ninguna fila." in html and "Descargar rechazados" not in html
    creadas = relaciones(app, datos.a)
    assert sorted(creadas) == sorted(p.curp for p in datos.personas[:5])
    r0 = creadas[persona.curp]
    assert (r0.estatus, r0.telefono, r0.correo, r0.token_version) == ("pendiente", "5512345600",
                                                                      "persona0@correo.example", 1)
    assert r0.liga_vence_en is not None and r0.clave_alta is None
    with app.app_context():
        capturista = db.session.scalar(select(Capturista).where(Capturista.curp == persona.curp))
        assert (capturista.nombre, capturista.primer_apellido) == (persona.nombre, persona.primer_apellido)
        correos = db.session.scalars(select(CorreoSaliente).order_by(CorreoSaliente.id)).all()
        assert [(c.tipo, c.masivo, c.estado, c.contratista_id) for c in correos] == [
            ("activacion", True, "pendiente", datos.a)] * 5
        assert sorted(c.destinatario for c in correos) == sorted(f"persona{i}@correo.example" for i in range(5))
        assert "/activacion/" in correos[0].cuerpo_texto and "Alfa Altas Masivas" in correos[0].asunto
        entradas = db.session.scalars(select(Bitacora).where(Bitacora.accion == "alta")).all()
        assert len(entradas) == 5 and {e.actor for e in entradas} == {f"contratista:{datos.rfc_a}"}
        assert entradas[0].detalle | {"telefono": "x", "correo": "x"} == {
            "telefono": "x", "correo": "x", "estatus": "pendiente", "origen": "carga_masiva",
            "archivo": "capturistas.csv"}
        carga = db.session.scalar(select(CargaCapturistas))
        assert (carga.estado, carga.total, carga.validas, carga.rechazadas, carga.creadas) == ("guardada", 5, 5, 0, 5)
        assert all(f.relacion_id for f in db.session.scalars(select(FilaCargaCapturistas)))
    # Consulta lists them as pending, with their e-mail pending; the bitácora says where they came from.
    grid = texto(client, GRID)
    assert persona.curp in grid and "Pendiente de activación" in grid
    bitacora = texto(client, f"/administracion/consulta/{r0.id}/bitacora")
    assert "carga masiva de capturistas" in bitacora and "capturistas.csv" in bitacora
    # The upload page lists the carga.
    assert "capturistas.csv</a>" in texto(client, URL) and "5 guardados, 0 rechazados" in texto(client, URL)


def test_pagina_de_carga_y_enlace_desde_alta(client, datos):
    assert f'href="{URL}"' in texto(client, ALTA)
    html = texto(client, URL)
    assert "<h1>Carga masiva de capturistas</h1>" in html and 'enctype="multipart/form-data"' in html
    assert 'accept=".csv,.xlsx"' in html and '<label class="etiqueta" for="archivo">' in html
    assert "Hasta 1,000 capturistas y 2 MB por archivo" in html and f'href="{URL}/plantilla"' in html


def test_plantilla_descargable_y_cargable(client, datos):
    r = client.get(URL + "/plantilla")
    assert r.status_code == 200 and r.mimetype == MIME_XLSX and r.headers["Cache-Control"] == "no-store"
    assert "plantilla_carga_capturistas.xlsx" in r.headers["Content-Disposition"]
    hoja = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in hoja[1]] == ["CURP", "Teléfono", "Correo electrónico"]
    assert hoja.max_row == 1  # the example is a note, not data
    for letra in "ABC":
        assert hoja[f"{letra}1"].number_format == "@" and hoja.column_dimensions[letra].number_format == "@"
        assert "Ejemplo:" in hoja[f"{letra}1"].comment.text
    libro = load_workbook(io.BytesIO(r.data))
    libro.active.append(list(fila(datos, 0)))
    salida = io.BytesIO()
    libro.save(salida)
    url = vista_previa(client, salida.getvalue(), "plantilla.xlsx")
    assert "Guardar 1 capturista</button>" in texto(client, url)


# --- each kind of bad row, with Alta's own message -------------------------------------------------------------


def test_cada_fila_mala_con_el_motivo_que_daria_alta(client, app, datos):
    p = datos.personas
    digito_malo = p[11].curp[:-1] + ("0" if p[11].curp[-1] != "0" else "1")
    malas = {
        3: ("", "5512345603", "c3@correo.example"),
        4: (p[11].curp[:-1], "5512345604", "c4@correo.example"),
        5: (digito_malo, "5512345605", "c5@correo.example"),
        6: (FUERA_DEL_PADRON, "5512345606", "c6@correo.example"),
        7: (p[12].curp, "551234560", "c7@correo.example"),
        8: (p[13].curp, "55-ABC-5608", "c8@correo.example"),
        9: (p[14].curp, "", "c9@correo.example"),
        10: (p[15].curp, "5512345610", "c10.correo.example"),
        11: (p[16].curp, "5512345611", ""),
        12: (p[17].curp, "5512345612", "a" * 64 + "@" + "b" * 190 + ".mx"),
        13: ("XXXX", "12", "@"),
    }
    filas = [fila(datos, 0), *malas.values(), fila(datos, 1)]
    url = vista_previa(client, csv_de(filas))
    html = texto(client, url)
    assert "2 capturistas válidos y 11 filas rechazadas" in html and "Guardar 2 capturistas" in html
    por_fila = motivos(client, url)
    assert sorted(por_fila) == list(malas)

    # The same values through Alta de usuarios give the same words.
    def de_validar(curp):
        return error_de_campo(validar(client, curp), "curp")

    def de_guardar(campo, telefono="5512345678", correo="c@correo.example"):
        token, clave = formulario_alta(client, p[30].curp)
        return error_de_campo(client.post(ALTA, data=datos_alta(token, clave, p[30].curp, correo, telefono=telefono)),
                              campo)

    assert por_fila[3] == "Falta la CURP."
    for numero in (4, 5, 6):
        assert por_fila[numero] == de_validar(malas[numero][0]), numero
    assert por_fila[6] == alta.MENSAJE_NO_ENCONTRADA
    for numero in (7, 8):
        assert por_fila[numero] == de_guardar("telefono", telefono=malas[numero][1]), numero
    assert por_fila[9] == "Falta el teléfono." and por_fila[11] == "Falta el correo electrónico."
    for numero in (10, 12):
        assert por_fila[numero] == de_guardar("correo", correo=malas[numero][2]), numero
    # A row with several problems says all of them, column by column.
    assert por_fila[13].index("CURP") < por_fila[13].index("teléfono") < por_fila[13].index("correo")
    # The rejected cells come back as uploaded.
    assert rechazadas(client, url)[0] == ["Fila", "CURP", "Teléfono", "Correo electrónico", "Motivo"]
    assert [r for r in rechazadas(client, url) if r[0] == "8"][0][1:4] == list(malas[8])
    # Only the good ones are created; the CURPs looked up are the well-formed ones, once each.
    assert guardar(client, url).status_code == 303
    assert sorted(relaciones(app, datos.a)) == sorted([p[0].curp, p[1].curp])
    assert motivos(client, url) == por_fila
    with app.app_context():
        vistas = set(db.session.scalars(select(ValidacionCurp.curp).where(ValidacionCurp.tipo == "alta_masiva")))
    assert vistas == {p[0].curp, p[1].curp, FUERA_DEL_PADRON}  # a row refused for its other cells is not looked up


def test_caracteres_de_control_y_formulas(client, app, datos):
    contenido = (f'CURP,Teléfono,Correo electrónico\n{",".join(fila(datos, 0))}\n'
                 f'{datos.personas[1].curp},"55123\n45601",c1@correo.example\n').encode()
    url = vista_previa(client, contenido)
    assert motivos(client, url) == {3: "Contiene caracteres no permitidos (saltos de línea, tabuladores u otros "
                                       "caracteres de control). Escríbelo en una sola línea."}
    libro = Workbook()
    hoja = libro.active
    hoja.append(["CURP", "Teléfono", "Correo electrónico"])
    hoja.append([datos.personas[2].curp, "=5512345602", "c2@correo.example"])
    hoja.append([datos.personas[3].curp, 5512345603, "c3@correo.example"])  # a number: taken
    salida = io.BytesIO()
    libro.save(salida)
    url = vista_previa(client, salida.getvalue(), "con-formula.xlsx")
    assert motivos(client, url) == {2: "La celda del teléfono tiene una fórmula: escribe el dato, no una fórmula."}
    assert [r[:4] for r in rechazadas(client, url)[1:]] == [["2", datos.personas[2].curp, "=5512345602",
                                                             "c2@correo.example"]]
    assert guardar(client, url).status_code == 303
    assert relaciones(app, datos.a)[datos.personas[3].curp].telefono == "5512345603"


# --- duplicates -----------------------------------------------------------------------------------------------------


def test_repetidos_en_el_archivo_nombran_la_primera_fila(client, app, datos):
    curp = datos.personas[0].curp
    filas = [fila(datos, 0), fila(datos, 1), (curp.lower(), "5599999999", "otra@correo.example"), fila(datos, 0)]
    url = vista_previa(client, csv_de(filas, encabezado=False))
    assert motivos(client, url) == {3: f"La CURP {curp} se repite en el archivo: ya está en la fila 1.",
                                    4: f"La CURP {curp} se repite en el archivo: ya está en la fila 1."}
    guardar(client, url)
    assert relaciones(app, datos.a)[curp].correo == "persona0@correo.example"  # the first occurrence stays


def test_ya_registrados_del_contratista_y_no_de_otro(client, app, datos):
    p = datos.personas
    relacion_sembrada(app, datos.a, p[0], estatus="baja")  # A's, whatever its estatus
    relacion_sembrada(app, datos.b, p[1])                  # B's: free for A
    url = vista_previa(client, csv_de([fila(datos, i) for i in range(3)]))
    assert motivos(client, url) == {2: alta.MENSAJE_DUPLICADA}
    assert error_de_campo(validar(client, p[0].curp), "curp") == alta.MENSAJE_DUPLICADA  # Alta says the same
    # Between the preview and Guardar someone adds p[2] through Alta (another tab): Guardar rejects it then.
    assert "Guardar 2 capturistas</button>" in texto(client, url)
    token, clave = formulario_alta(client, p[2].curp)
    assert client.post(ALTA, data=datos_alta(token, clave, p[2].curp)).status_code == 303
    guardar(client, url)
    html = texto(client, url)
    assert "Se guardó 1 capturista" in html and "Se rechazaron 2 filas" in html
    assert motivos(client, url) == {2: alta.MENSAJE_DUPLICADA, 4: alta.MENSAJE_DUPLICADA}
    assert sorted(relaciones(app, datos.a)) == sorted([p[0].curp, p[1].curp, p[2].curp])
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id)).where(
            RelacionCapturista.capturista_id == db.session.scalar(
                select(Capturista.id).where(Capturista.curp == p[1].curp)))) == 2  # one person, two contractors


def test_persona_con_usuario_recibe_invitacion_como_en_alta(client, app, datos):
    """A person who has a usuario, at the very address they verified: an invitation, not a link (as Alta)."""
    p = datos.personas[5]
    with app.app_context():
        persona = crear_persona(p.curp, p.nombre, p.primer_apellido, p.segundo_apellido, usuario="jose.masivo")
        persona.correo = "jose@correo.example"
        crear_relacion(db.session.get(Contratista, datos.b), persona, correo="jose@correo.example", estatus="activo")
        db.session.commit()
    url = vista_previa(client, csv_de([fila(datos, 5, correo="JOSE@correo.example"), fila(datos, 6)]))
    guardar(client, url)
    with app.app_context():
        tipos = dict(db.session.execute(select(CorreoSaliente.destinatario, CorreoSaliente.tipo)).all())
    assert tipos == {"jose@correo.example": "invitacion", "persona6@correo.example": "activacion"}
    assert relaciones(app, datos.a)[p.curp].por_invitacion


# --- CSV and xlsx ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codificacion, bom, separador", [("utf-8", False, ","), ("utf-8", True, ";"),
                                                         ("cp1252", False, ";"), ("cp1252", False, ",")])
def test_csv_en_ambas_codificaciones_y_separadores(client, app, datos, codificacion, bom, separador):
    lineas = [separador.join(("curp", "TELÉFONO", "Correo Electrónico")), separador.join(fila(datos, 0)),
              separador.join((datos.personas[1].curp, "5512345601", "peña@correo"))]
    contenido = (codecs.BOM_UTF8 if bom else b"") + "\n".join(lineas).encode(codificacion)
    url = vista_previa(client, contenido)
    [_, mala] = rechazadas(client, url)
    assert mala[:4] == ["3", datos.personas[1].curp, "5512345601", "peña@correo"]
    assert mala[4] == "El correo electrónico no tiene un formato válido."
    guardar(client, url)
    assert list(relaciones(app, datos.a)) == [datos.personas[0].curp]


def test_encabezado_opcional_y_en_cualquier_orden(client, app, datos):
    url = vista_previa(client, csv_de([fila(datos, 0)], encabezado=False))
    assert "Guardar 1 capturista</button>" in texto(client, url)
    curp, telefono, correo = fila(datos, 1)
    url = vista_previa(client, f"Correo,Celular,CURP\n{correo},{telefono},{curp}\n".encode())
    guardar(client, url)
    assert relaciones(app, datos.a)[curp].correo == correo


# --- files refused as a whole: a clear message, nothing recorded --------------------------------------------------


def _rechazo_completo(client, app, contenido: bytes, nombre: str, mensaje: str, status: int = 422) -> str:
    antes = conteos(app)
    r = subir(client, contenido, nombre)
    html = r.get_data(as_text=True)
    assert r.status_code == status, (r.status_code, html[-2000:])
    assert "Hay un problema" in html and mensaje in html, html[-3000:]
    assert 'aria-invalid="true"' in html and "<title>Error: " in html
    assert conteos(app) == antes  # nothing recorded, not even the lookups
    return html


@pytest.mark.parametrize("caso", ["vacio", "solo_encabezado", "espacios", "xlsx_vacio"])
def test_archivo_vacio(client, app, datos, caso):
    contenido = {"vacio": b"", "solo_encabezado": "CURP,Teléfono,Correo electrónico\r\n".encode(),
                 "espacios": b"\r\n  \r\n,,\r\n", "xlsx_vacio": xlsx_de([], encabezado=False)}[caso]
    _rechazo_completo(client, app, contenido, "vacio.xlsx" if caso == "xlsx_vacio" else "vacio.csv",
                      "El archivo está vacío: no tiene ninguna fila de capturistas.")


def test_columnas_equivocadas(client, app, datos):
    _rechazo_completo(client, app, b"CURP,Nombre,Correo\n" + csv_de([fila(datos, 0)], encabezado=False), "a.csv",
                      "pero no son CURP, Teléfono y Correo electrónico (dice «CURP», «Nombre», «Correo»)")
    _rechazo_completo(client, app, csv_de([fila(datos, 0), (*fila(datos, 1), "extra")]), "a.csv",
                      "más de tres columnas (la fila 3 tiene 4). Deja solo las columnas CURP, Teléfono y Correo "
                      "electrónico.")
    _rechazo_completo(client, app, xlsx_de([(*fila(datos, 0), None, "x")]), "a.xlsx",
                      "más de tres columnas (la fila 2 tiene 5)")


def test_no_es_csv_ni_xlsx_cifrado_macros_o_danado(client, app, datos):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    _rechazo_completo(client, app, pdf, "capturistas.pdf", "«capturistas.pdf» no es ninguno de los dos")
    _rechazo_completo(client, app, pdf, "capturistas.csv", carga_archivo.NO_ES_CSV)
    docx = zip_de({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    _rechazo_completo(client, app, docx, "capturistas.xlsx", carga_archivo.NO_ES_XLSX)
    _rechazo_completo(client, app, csv_de([fila(datos, 0)]), "capturistas.xlsx", carga_archivo.NO_ES_XLSX)
    _rechazo_completo(client, app, b"\x00\x01\x02binario", "capturistas.csv", carga_archivo.NO_ES_CSV)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512  # an encrypted .xlsx is an OLE2 file
    _rechazo_completo(client, app, ole2, "protegido.xlsx", carga_archivo.PROTEGIDO)
    _rechazo_completo(client, app, zip_de({**XLSX_MINIMO, "xl/vbaProject.bin": b"\x00" * 64}), "macros.xlsx",
                      carga_archivo.CON_MACROS)
    _rechazo_completo(client, app, zip_de(XLSX_MINIMO), "roto.xlsx", carga_archivo.DANADO)


def test_bomba_zip_se_rechaza_antes_de_abrirla(client, app, datos, monkeypatch):
    def no_abrir(*args, **kwargs):
        raise AssertionError("openpyxl abrió una bomba zip")

    monkeypatch.setattr(carga_archivo, "load_workbook", no_abrir)
    denso = zip_de({**XLSX_MINIMO, "xl/sharedStrings.xml": b"0" * (3 * 2**20)})
    assert len(denso) < 20_000
    _rechazo_completo(client, app, denso, "bomba.xlsx", carga_archivo.BOMBA)


def test_mas_filas_de_las_permitidas(client, app, datos):
    assert app.config["CARGA_CAPTURISTAS_MAX_FILAS"] == 1000
    _rechazo_completo(client, app, csv_de([fila(datos, i % 40) for i in range(1001)]), "muchos.csv",
                      "El archivo tiene más de 1,000 filas de capturistas; el máximo es 1,000 por archivo. "
                      "Divídelo en varios archivos.")


def test_tamano_maximo(client, app, datos):
    assert app.config["CARGA_CAPTURISTAS_MAX_BYTES"] == 2 * 2**20
    app.config["CARGA_CAPTURISTAS_MAX_BYTES"] = 2000
    _rechazo_completo(client, app, csv_de([fila(datos, 0)]) + b"\n" * 3000, "a.csv",
                      "El archivo pesa 0.1 MB; el máximo es 0.00190735 MB")
    # Beyond the request's limit: the Spanish 413 page, nothing read; every other page keeps 1 MB.
    r = subir(client, b"x" * (2000 + 70 * 1024), "a.csv")
    assert r.status_code == 413 and "El archivo excede el tamaño máximo de 0.00190735 MB" in r.get_data(as_text=True)
    assert conteos(app)["cargas"] == 0


def test_sin_archivo(client, app, datos):
    r = client.post(URL, data={"csrf_token": csrf_de(client.get(URL))}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Elige el archivo con los capturistas." in r.get_data(as_text=True)
    assert conteos(app)["cargas"] == 0


def test_padron_caido_no_deja_nada(client, app, datos):
    app.config.update(PADRON_FUENTE="http", PADRON_URL="http://127.0.0.1:9/curp", PADRON_TIEMPO_LIMITE=0.3)
    _rechazo_completo(client, app, csv_de([fila(datos, 0)]), "a.csv",
                      "El servicio de validación de CURP no está disponible")


# --- the bulk allowance of lookups, apart from Alta's --------------------------------------------------------------


def test_cupo_diario_propio_de_las_cargas(client, app, datos):
    """The file's CURPs count against VALIDACIONES_ALTA_MASIVA_POR_DIA, not against Alta's hourly limit
    (which would stop a legitimate file) and without using it up; CURPs already looked up in the window are
    free; a file that does not fit is refused whole."""
    app.config.update(VALIDACIONES_ALTA_MASIVA_POR_DIA=4, VALIDACIONES_CURP_POR_HORA=1)
    vista_previa(client, csv_de([fila(datos, i) for i in range(3)]))
    vista_previa(client, csv_de([fila(datos, i) for i in range(4)]))  # 4 distinct: it fits
    html = _rechazo_completo(client, app, csv_de([fila(datos, i) for i in range(4, 6)]), "a.csv",
                             "El archivo necesita validar 2 CURP nuevas en el padrón y al contratista le quedan 0 "
                             "de sus 4 validaciones de 24 horas. No se revisó ninguna fila; divide el archivo o "
                             "inténtalo más tarde.", status=429)
    assert "<title>Error: " in html
    # Alta's own allowance is untouched: one Validar still works.
    assert validar(client, datos.personas[10].curp).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ValidacionCurp).where(
            ValidacionCurp.tipo == "alta_masiva")) == 4


def test_correos_de_la_carga_no_agotan_el_limite_diario_de_alta(client, app, datos):
    app.config["CORREOS_POR_DIA_CONTRATISTA"] = 2
    guardar(client, vista_previa(client, csv_de([fila(datos, i) for i in range(5)])))
    assert len(relaciones(app, datos.a)) == 5
    token, clave = formulario_alta(client, datos.personas[20].curp)
    assert client.post(ALTA, data=datos_alta(token, clave, datos.personas[20].curp)).status_code == 303


# --- Guardar once ---------------------------------------------------------------------------------------------------


def test_guardar_dos_veces_no_crea_nada_dos_veces(client, app, datos):
    url = vista_previa(client, csv_de([fila(datos, i) for i in range(4)]))
    token = csrf_de(client.get(url))
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    despues = conteos(app)
    r = client.post(url, data={"csrf_token": token})  # the same form again (back button, resubmit)
    assert r.status_code == 303 and conteos(app) == despues
    assert "Se guardaron 4 capturistas; cada uno" in texto(client, url) and "No se rechazó ninguna fila." in texto(
        client, url)
    assert despues["relaciones"] == 4 and despues["correos"] == 4


def test_doble_clic_a_la_vez_crea_una_sola_vez(app, datos):
    """Two Guardar of the same preview at the same moment (a double click, two tabs): one creates, the other
    finds the carga claimed; no capturista, e-mail or bitácora entry twice."""
    clientes = [app.test_client() for _ in range(3)]
    for c in clientes:
        iniciar_sesion(c, datos.rfc_a)
    url = vista_previa(clientes[0], csv_de([fila(datos, i) for i in range(30)]))
    tokens = [csrf_de(c.get(url)) for c in clientes]
    estados = a_la_vez([lambda c=c, t=t: c.post(url, data={"csrf_token": t}).status_code
                        for c, t in zip(clientes, tokens, strict=True)])
    assert estados == [303, 303, 303]
    n = conteos(app)
    assert (n["relaciones"], n["correos"], n["personas"]) == (30, 30, 30)
    with app.app_context():
        assert db.session.scalar(select(func.count(Bitacora.id)).where(Bitacora.accion == "alta")) == 30


def test_guardado_interrumpido_sigue_donde_se_quedo(client, app, datos, monkeypatch):
    monkeypatch.setattr(carga_srv, "LOTE", 3)
    original = carga_srv._guardar_lote
    llamadas = []

    def falla_en_el_segundo(carga, filas):
        llamadas.append(len(filas))
        if len(llamadas) == 2:
            raise RuntimeError("la base se cayó")
        return original(carga, filas)

    monkeypatch.setattr(carga_srv, "_guardar_lote", falla_en_el_segundo)
    url = vista_previa(client, csv_de([fila(datos, i) for i in range(8)]))
    assert guardar(client, url).status_code == 303
    html = texto(client, url)
    assert carga_srv.GUARDADO_INTERRUMPIDO in html and "Guardar 5 capturistas</button>" in html
    assert html.count(">Guardado</td>") == 3 and html.count(">Por guardar</td>") == 5
    assert len(relaciones(app, datos.a)) == 3 and conteos(app)["correos"] == 3
    assert guardar(client, url).status_code == 303
    html = texto(client, url)
    assert "Se guardaron 8 capturistas" in html and "No se rechazó ninguna fila." in html  # none taken twice
    assert len(relaciones(app, datos.a)) == 8 and conteos(app)["correos"] == 8


def test_no_guardable(client, app, datos):
    url = vista_previa(client, csv_de([fila(datos, 0)]))
    with app.app_context():
        db.session.get(CargaCapturistas, id_de(url)).estado = CargaCapturistas.REVISANDO
        db.session.commit()
    r = guardar(client, url)
    assert r.status_code == 409 and "todavía no está revisado" in r.get_data(as_text=True)
    assert conteos(app)["relaciones"] == 0


def test_la_vista_previa_vence(client, app, datos):
    import tareas

    url = vista_previa(client, csv_de([fila(datos, 0), ("X", "1", "y")]))
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=25), tick=False):
        iniciar_sesion(client, datos.rfc_a)  # the session expired meanwhile
        r = guardar(client, url)
        assert r.status_code == 409 and "ya venció (se conserva 24 horas)" in r.get_data(as_text=True)
        r = client.get(url + "/rechazados")
        assert r.status_code == 410 and "La vista previa venció" in r.get_data(as_text=True)
        tareas.usar_app(app)
        try:
            tareas.limpiar_exportaciones.call_local()
        finally:
            tareas.usar_app(None)
    n = conteos(app)
    assert (n["relaciones"], n["filas"], n["cargas"]) == (0, 0, 1)  # its people's data is gone


def test_otro_contratista_es_404(client, app, datos):
    url = vista_previa(client, csv_de([fila(datos, 0), ("X", "1", "y")]))
    otro = app.test_client()
    iniciar_sesion(otro, datos.rfc_b)
    for ruta in (url, url + "/rechazados"):
        assert otro.get(ruta).status_code == 404, ruta
    r = otro.post(url, data={"csrf_token": csrf_de(otro.get(URL))})
    assert r.status_code == 404 and conteos(app)["relaciones"] == 0
    assert datos.personas[0].curp not in texto(otro, URL)


# --- large files: the Huey worker -----------------------------------------------------------------------------------


def test_archivo_grande_en_segundo_plano(client, app, datos, consumidor, smtp, monkeypatch):
    app.config["CARGA_CAPTURISTAS_UMBRAL"] = 5
    filas = [fila(datos, i) for i in range(12)] + [(FUERA_DEL_PADRON, "5512345699", "x@correo.example")]
    url = vista_previa(client, csv_de(filas), "grande.csv")
    _, html, _ = sondear(client, url, "carga-estado", "Vista previa")
    assert "12 capturistas válidos y 1 fila rechazada" in html and "every 1s" not in html
    assert motivos(client, url) == {14: alta.MENSAJE_NO_ENCONTRADA}
    assert guardar(client, url).status_code == 303
    fragmento, html, _ = sondear(client, url, "carga-estado", "Carga guardada")
    assert fragmento.headers["HX-Reswap"] == "outerHTML" and "Se guardaron 12 capturistas" in html
    assert len(relaciones(app, datos.a)) == 12
    # The worker also delivered the 12 activation e-mails, once each.
    limite = time.monotonic() + 20
    while len(smtp.mensajes) < 12 and time.monotonic() < limite:
        time.sleep(0.1)
    assert sorted(m["To"] for m in smtp.mensajes) == sorted(f"persona{i}@correo.example" for i in range(12))


def test_pagina_de_progreso_sin_consumidor(client, app, datos, monkeypatch):
    """While the worker checks (or saves) the file, the page shows the progress bar: htmx polls the inside of
    the block; without JavaScript the page reloads itself. Then the task runs and the block comes whole."""
    import tareas

    app.config["CARGA_CAPTURISTAS_UMBRAL"] = 2
    monkeypatch.setattr(carga_srv, "encolar_revision", lambda carga_id, tarea: None)  # nobody runs it yet
    monkeypatch.setattr(carga_srv, "encolar_guardado", lambda carga_id, tarea: None)
    url = vista_previa(client, csv_de([fila(datos, i) for i in range(4)] + [("X", "1", "y")]))
    html = texto(client, url)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "Avance: 1 de 5 filas revisadas (20%)" in html and '<progress id="avance-' in html
    assert 'hx-trigger="every 1s"' in html and 'hx-swap="innerHTML"' in html and "data-enfocar" in html
    fragmento = client.get(url, headers={"HX-Request": "true", "HX-Target": "carga-estado"})
    assert 'id="carga-estado"' not in fragmento.get_data(as_text=True) and "HX-Reswap" not in fragmento.headers
    r = guardar(client, url)
    assert r.status_code == 409 and conteos(app)["relaciones"] == 0  # not reviewed yet
    tareas.usar_app(app)
    try:
        tareas.revisar_carga_capturistas.call_local(id_de(url))
        assert "4 capturistas válidos y 1 fila rechazada" in texto(client, url)
        assert guardar(client, url).status_code == 303
        html = texto(client, url)
        assert "Avance: 0 de 4 capturistas guardados (0%)" in html and "refresh" in html
        tareas.guardar_carga_capturistas.call_local(id_de(url))
    finally:
        tareas.usar_app(None)
    assert "Se guardaron 4 capturistas" in texto(client, url) and len(relaciones(app, datos.a)) == 4


def test_cola_inalcanzable(client, app, datos, monkeypatch):
    import tareas

    app.config["CARGA_CAPTURISTAS_UMBRAL"] = 1

    def sin_cola(carga_id):
        raise ConnectionError("redis caído")

    monkeypatch.setattr("blueprints.alta_usuarios.carga.revisar_carga_capturistas", sin_cola)
    url = vista_previa(client, csv_de([fila(datos, 0), fila(datos, 1)]))
    html = texto(client, url)
    assert carga_srv.NO_SE_ENCOLO in html and "every 1s" not in html and "No se creó ningún capturista." in html
    assert conteos(app)["filas"] == 0
    # A Guardar the worker cannot be asked for is a preview again, with its message.
    monkeypatch.undo()
    monkeypatch.setattr(carga_srv, "encolar_revision", lambda carga_id, tarea: None)
    app.config["CARGA_CAPTURISTAS_UMBRAL"] = 1
    url = vista_previa(client, csv_de([fila(datos, 0), fila(datos, 1)]))
    tareas.usar_app(app)
    try:
        tareas.revisar_carga_capturistas.call_local(id_de(url))
    finally:
        tareas.usar_app(None)
    monkeypatch.setattr("blueprints.alta_usuarios.carga.guardar_carga_capturistas", sin_cola)
    assert guardar(client, url).status_code == 303
    html = texto(client, url)
    assert carga_srv.GUARDADO_NO_ENCOLADO in html and "Guardar 2 capturistas</button>" in html
    assert conteos(app)["relaciones"] == 0
