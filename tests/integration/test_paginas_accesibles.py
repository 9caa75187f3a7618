"""Server-side accessibility details (issue 11): favicon, error titles, titles that name the action,
autocomplete, labels, the export page without a refresh for JavaScript, the grid's caption and count."""
import re
from datetime import timedelta

import pytest

from extensions import db
from models.types import ahora_utc
from tests.ayudantes import GRID, csrf_de, enviar, hx_fila, iniciar_sesion
from tests.factories import DATOS_GENERALES, crear_contratista, crear_exportacion, crear_persona, crear_relacion

TITULO_RE = re.compile(r"<title>(.*?)</title>", re.S)
EXPORTAR = "/administracion/exportar-excel"


def _titulo(respuesta) -> str:
    m = TITULO_RE.search(respuesta.get_data(as_text=True))
    assert m, "la respuesta no tiene <title>"
    return m.group(1).strip()


@pytest.fixture
def contratista(app, client):
    with app.app_context():
        c = crear_contratista(razon_social="Alfa Servicios, S.A.")
        relaciones = {}
        for i, (curp, estatus) in enumerate([("PEGL850304HJCRRS07", "pendiente"), ("BEML920313HMCLNS09", "baja")]):
            relaciones[estatus] = crear_relacion(
                c, crear_persona(curp, "PERSONA", f"APELLIDO{i}"), correo=f"p{i}@correo.example", estatus=estatus,
                creado_en=ahora_utc() - timedelta(days=i), token_version=1,
                liga_vence_en=ahora_utc() + timedelta(hours=24),
                baja_en=ahora_utc() if estatus == "baja" else None).id
        db.session.commit()
        datos = {"rfc": c.rfc, "id": c.id, **relaciones}
    iniciar_sesion(client, datos["rfc"])
    return datos


# --- favicon -----------------------------------------------------------------------------------

def test_favicon_propio_enlazado_y_en_favicon_ico(client):
    html = client.get("/cuenta/iniciar-sesion").get_data(as_text=True)
    m = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert m, "base.html no enlaza el favicon"
    assert m.group(1).startswith("/favicon.ico?v=")  # its one address, versioned like every static file
    enlazado = client.get(m.group(1))
    assert enlazado.status_code == 200 and enlazado.mimetype == "image/svg+xml"
    # Clients that do not read the page ask for /favicon.ico: the same file, not a 404.
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.mimetype == "image/svg+xml"
    assert ico.data == enlazado.data and b"<svg" in ico.data


# --- "Error:" in the title of every error state ----------------------------------------------------

def test_titulo_de_error_en_formularios_con_errores(client, app, contratista):
    # 422 pages with form errors.
    r = enviar(client, "/contratista/datos-generales", {**DATOS_GENERALES, "codigo_postal": "12"})
    assert r.status_code == 422 and _titulo(r) == "Error: Datos Generales del Contratista · Capturistas ICSOE"
    token = csrf_de(client.get("/administracion/alta-usuarios/"))
    r = client.post("/administracion/alta-usuarios/validar", data={"csrf_token": token, "curp": "XXX"})
    assert r.status_code == 422 and _titulo(r).startswith("Error: Alta de usuarios")
    r = enviar(client, f"{GRID}/{contratista['pendiente']}/editar",
               {"telefono": "1", "correo": "x", "confirmar_correo": "y"})
    assert r.status_code == 422 and _titulo(r).startswith("Error: Editar usuario capturista")
    # The same pages without errors: no prefix.
    for url in ("/contratista/datos-generales", "/administracion/alta-usuarios/",
                f"{GRID}/{contratista['pendiente']}/editar", GRID):
        r = client.get(url)
        assert r.status_code == 200 and not _titulo(r).startswith("Error"), url


def test_titulo_de_error_en_paginas_de_error(client, app, contratista):
    assert _titulo(client.get("/no-existe")) == "Error: Página no encontrada · Capturistas ICSOE"
    assert _titulo(client.post("/", data={})).startswith("Error: Método no permitido")
    # A refused row action (a capturista in baja cannot be edited): the plain page says why.
    r = client.get(f"{GRID}/{contratista['baja']}/editar")
    assert r.status_code >= 400 and _titulo(r).startswith("Error: No se pudo realizar la acción")


def test_titulo_de_error_en_inicio_de_sesion_fallido(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    r = enviar(client, "/cuenta/iniciar-sesion", {"rfc": rfc, "password": "equivocada-2026"})
    assert r.status_code == 422 and _titulo(r).startswith("Error: ")
    r = enviar(client, "/cuenta/registro", {})
    assert r.status_code == 422 and _titulo(r).startswith("Error: Registro de contratista")


def test_fragmentos_htmx_sin_titulo(client, contratista):
    """A fragment has no <title> of its own (the prefix is only for whole pages)."""
    rid = contratista["pendiente"]
    r = client.get(f"{GRID}/{rid}/editar", headers=hx_fila(rid))
    assert "<title>" not in r.get_data(as_text=True)


# --- titles that name the action, labels, autocomplete ---------------------------------------------

def test_mensaje_de_confirmacion_nombra_la_accion(client, contratista):
    baja = _titulo(client.get(f"{GRID}/{contratista['pendiente']}/eliminar"))
    activar = _titulo(client.get(f"{GRID}/{contratista['baja']}/activar"))
    assert baja == "Mensaje de confirmación: dar de baja al usuario capturista · Capturistas ICSOE"
    assert activar == "Mensaje de confirmación: activar nuevamente al usuario capturista · Capturistas ICSOE"


def test_rfc_del_registro_es_el_nombre_de_usuario(client):
    html = client.get("/cuenta/registro").get_data(as_text=True)
    campo = re.search(r'<input[^>]*id="rfc"[^>]*>', html).group(0)
    assert 'autocomplete="username"' in campo


def test_ningun_parrafo_con_aria_labelledby(client, contratista):
    for url in ("/contratista/datos-generales", "/", "/administracion/alta-usuarios/", GRID, EXPORTAR):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<p\b[^>]*aria-labelledby", html), url
    html = client.get("/contratista/datos-generales").get_data(as_text=True)
    assert re.search(r"<dt[^>]*>RFC</dt>\s*<dd[^>]*>" + contratista["rfc"] + "</dd>", html)


# --- the export page: refresh only without JavaScript, polling stops, the result announced --------

ARCHIVO = "capturistas_ABC010101A12_20260315_083000.xlsx"


def test_exportacion_pendiente_refresca_solo_sin_javascript(client, app, contratista):
    eid = crear_exportacion(app, contratista["id"], "pendiente", nombre_archivo=ARCHIVO)
    html = client.get(f"{EXPORTAR}/{eid}").get_data(as_text=True)
    cabeza = html.split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in cabeza
    assert cabeza.count("http-equiv") == 1  # no refresh outside <noscript>
    fragmento = client.get(f"{EXPORTAR}/{eid}", headers={"HX-Request": "true", "HX-Target": "exportacion-estado"})
    assert 'hx-trigger="every 1s"' in fragmento.get_data(as_text=True)


@pytest.mark.parametrize("estado,anuncio", [
    ("lista", "El archivo está listo: 10 registros. Usa el botón Descargar Excel."),
    ("error", "No se pudo generar el archivo."),
])
def test_exportacion_terminada_no_sondea_y_anuncia(client, app, contratista, estado, anuncio):
    eid = crear_exportacion(app, contratista["id"], estado, nombre_archivo=ARCHIVO, escritas=10,
                            expira_en=ahora_utc() + timedelta(hours=24))
    html = client.get(f"{EXPORTAR}/{eid}").get_data(as_text=True)
    assert "refresh" not in html
    texto = client.get(f"{EXPORTAR}/{eid}", headers={"HX-Request": "true", "HX-Target": "exportacion-estado"}
                       ).get_data(as_text=True)
    assert "hx-trigger" not in texto and "hx-get" not in texto
    assert f'data-anunciar="{anuncio}"' in texto


# --- the grid: a caption that can take the focus, the count and the page ---------------------------

def test_leyenda_de_la_tabla_con_conteo_y_orden(client, app, contratista):
    html = client.get(GRID).get_data(as_text=True)
    leyenda = re.search(r"<caption([^>]*)>(.*?)</caption>", html, re.S)
    assert leyenda and 'tabindex="-1"' in leyenda.group(1)
    texto = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", leyenda.group(2))).strip()
    assert texto == "Usuarios capturistas: 2 capturistas, ordenados por fecha de alta, descendente."
    assert 'data-anunciar="2 capturistas, ordenados por fecha de alta, descendente."' in leyenda.group(1)
    html = client.get(GRID, query_string={"q": "apellido1", "orden": "curp", "dir": "asc"}).get_data(as_text=True)
    assert 'data-anunciar="1 capturista que coincide con la búsqueda, ordenado por CURP, ascendente."' in html


def test_paginas_numeradas_en_la_leyenda(client, app, contratista, monkeypatch):
    import services.consulta

    monkeypatch.setitem(services.consulta.pagina.__kwdefaults__, "tamano", 1)  # one row per page
    html = client.get(GRID).get_data(as_text=True)
    assert 'data-anunciar="Página 1: 1 capturista de 2, ordenados por fecha de alta, descendente."' in html
    siguiente = re.search(r'<a href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")
    assert "p=2" in siguiente
    html = client.get(siguiente).get_data(as_text=True)
    assert 'data-anunciar="Página 2: 1 capturista de 2, ordenados por fecha de alta, descendente."' in html
    # A page number that does not match a cursor is not believed.
    html = client.get(GRID, query_string={"p": "7"}).get_data(as_text=True)
    assert "Página 1:" in html and "Página 7" not in html
