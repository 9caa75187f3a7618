"""The RENAPO-like HTTP adapter against a small local stub server."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Capturista
from services.padron import HttpPadron, PadronNoDisponible
from tests.ayudantes import ALTA, csrf_de, iniciar_sesion, validar
from tests.factories import crear_contratista

CONOCIDA = "PEGL850304HJCRRS07"  # JOSÉ LUIS PÉREZ GARCÍA (valid check digit)
DESCONOCIDA = "HEGG560427MVZRRL04"
LENTA = "BEML920313HMCLNS09"
ROTA = "PEGL890909MJCRMS08"


class _Stub(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            self._responder()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _responder(self):
        curp = self.path.rsplit("/", 1)[-1]
        if curp == LENTA:
            time.sleep(1.5)
        if curp == ROTA:
            self.send_response(503)
            self.end_headers()
            return
        if curp in (CONOCIDA, LENTA):
            cuerpo = json.dumps({"curp": curp, "nombre": "JOSÉ LUIS", "primer_apellido": "PÉREZ",
                                 "segundo_apellido": "GARCÍA"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(cuerpo)
            return
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def servicio():
    servidor = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    hilo = threading.Thread(target=servidor.serve_forever, daemon=True)
    hilo.start()
    yield f"http://127.0.0.1:{servidor.server_port}/curp"
    servidor.shutdown()


def test_encontrada(servicio):
    persona = HttpPadron(servicio, timeout=1).buscar(CONOCIDA)
    assert (persona.nombre, persona.primer_apellido, persona.segundo_apellido) == ("JOSÉ LUIS", "PÉREZ", "GARCÍA")


def test_no_encontrada(servicio):
    assert HttpPadron(servicio, timeout=1).buscar(DESCONOCIDA) is None


@pytest.mark.parametrize("curp", [LENTA, ROTA])
def test_tiempo_agotado_o_error_5xx(servicio, curp):
    with pytest.raises(PadronNoDisponible):
        HttpPadron(servicio, timeout=0.3).buscar(curp)


def test_servicio_apagado():
    with pytest.raises(PadronNoDisponible):
        HttpPadron("http://127.0.0.1:9/curp", timeout=0.5).buscar(CONOCIDA)


def test_alta_con_padron_http(app, client, servicio):
    app.config.update(PADRON_FUENTE="http", PADRON_URL=servicio, PADRON_TIEMPO_LIMITE=0.3)
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    assert "JOSÉ LUIS" in validar(client, CONOCIDA).get_data(as_text=True)
    assert "no se encontró en el padrón" in validar(client, DESCONOCIDA).get_data(as_text=True)
    for curp in (LENTA, ROTA):
        r = validar(client, curp)
        assert r.status_code == 422
        assert "El servicio de validación de CURP no está disponible, intenta más tarde." in r.get_data(as_text=True)
    # Guardar while the service is down: nothing saved.
    pagina = client.get(ALTA)
    r = client.post(ALTA, data={
        "csrf_token": csrf_de(pagina), "curp": ROTA, "clave": "x", "telefono": "5512345678",
        "correo": "a@b.example", "confirmar_correo": "a@b.example"})
    assert r.status_code == 422 and "no está disponible" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Capturista.id))) == 0
