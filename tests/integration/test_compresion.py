"""HTML answers travel compressed for clients that accept it (issue 13): the Consulta grid of 50
rows is ~70 KB of markup. Static files keep their own caching (test_encabezados) and are sent as
they are; so are downloads."""
from __future__ import annotations

import gzip

import brotli
import pytest
from backports import zstd

from extensions import db
from tests.factories import crear_persona, crear_relacion

GRID = "/administracion/consulta"
DESCOMPRIMIR = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


@pytest.fixture
def cincuenta(app, escenario):
    """The logged-in contractor with 50 capturistas: a full first page."""
    from models import Contratista

    with app.app_context():
        contratista = db.session.get(Contratista, escenario["id"])
        for i in range(50):
            persona = crear_persona(f"COMP{i:014d}", f"NOMBRE{i}", "APELLIDO", "COMPRIMIDO")
            crear_relacion(contratista, persona, correo=f"c{i}@correo.example")
        db.session.commit()
    return escenario


@pytest.mark.parametrize("codificacion", ["zstd", "br", "gzip"])
def test_la_consulta_viaja_comprimida(client, cincuenta, codificacion):
    plano = client.get(GRID)
    assert plano.status_code == 200 and "Content-Encoding" not in plano.headers
    r = client.get(GRID, headers={"Accept-Encoding": codificacion})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == codificacion
    assert "Accept-Encoding" in r.headers["Vary"] and "HX-Request" in r.headers["Vary"]
    html = DESCOMPRIMIR[codificacion](r.data)
    assert html.count(b'class="capturista ') == 50
    assert len(r.data) * 5 < len(html)  # the rows repeat: at least 5 to 1


def test_el_navegador_elige_y_el_fragmento_htmx_tambien(client, cincuenta):
    """What Chromium sends: zstd, the cheapest to compress, wins; htmx fragments too."""
    r = client.get(GRID, headers={"Accept-Encoding": "gzip, deflate, br, zstd", "HX-Request": "true",
                                  "HX-Target": "grid-capturistas"})
    assert r.headers["Content-Encoding"] == "zstd"
    fragmento = zstd.decompress(r.data)
    assert fragmento.lstrip().startswith(b"<div") and b"<html" not in fragmento


def test_estaticos_y_descargas_sin_comprimir(client, cincuenta):
    """Static files go out through gunicorn's sendfile with a year-long cache; an .xlsx is already a
    zip. Neither is recompressed on every request."""
    r = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    r = client.post("/administracion/exportar-excel", headers={"Accept-Encoding": "gzip"},
                    data={"csrf_token": _csrf(client)}, follow_redirects=True)
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.mimetype
    assert "Content-Encoding" not in r.headers
    assert r.data[:2] == b"PK"


def _csrf(client) -> str:
    from tests.ayudantes import csrf_de

    return csrf_de(client.get("/administracion/exportar-excel"))
