"""Activation and password-reset links are secrets (whoever holds one sets the password): their
tokens never reach an access log, neither the development server's (``werkzeug`` logger) nor
gunicorn's. The paths are ``/activacion/<token>``, ``/activacion/<token>/nueva-liga``,
``/capturista/restablecer/<token>``, ``/cuenta/restablecer/<token>`` and ``/cuenta/confirmar/<token>``,
also percent-encoded inside ``next=``."""
from __future__ import annotations

import datetime
import http.client
import logging
import os
import runpy
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from registro_accesos import FiltroTokens, ocultar_tokens
from tests.ayudantes import esperar_puerto, puerto_libre

RAIZ = Path(__file__).resolve().parents[2]
TOKEN = "eyJyIjoxLCJ2IjoxfQ.aT0v8w.Kx3-9_SECRETO-TOKEN-XYZ"  # an itsdangerous-shaped token


@pytest.mark.parametrize("original,esperado", [
    (f"/activacion/{TOKEN}", "/activacion/[oculto]"),
    (f"/activacion/{TOKEN}/nueva-liga", "/activacion/[oculto]/nueva-liga"),
    (f"/capturista/restablecer/{TOKEN}", "/capturista/restablecer/[oculto]"),
    (f"/cuenta/confirmar/{TOKEN}", "/cuenta/confirmar/[oculto]"),  # registro's e-mail proof
    (f"/cuenta/restablecer/{TOKEN}", "/cuenta/restablecer/[oculto]"),  # a contractor's password reset
    (f"/cuenta/iniciar-sesion?next=%2Fcuenta%2Frestablecer%2F{TOKEN}",
     "/cuenta/iniciar-sesion?next=%2Fcuenta%2Frestablecer%2F[oculto]"),
    (f"GET /activacion/{TOKEN}?x=1 HTTP/1.1", "GET /activacion/[oculto]?x=1 HTTP/1.1"),
    (f"/cuenta/iniciar-sesion?next=%2Factivacion%2F{TOKEN}%2Fnueva-liga&a=b",
     "/cuenta/iniciar-sesion?next=%2Factivacion%2F[oculto]%2Fnueva-liga&a=b"),
    (f"/capturista/iniciar-sesion?next=%2fcapturista%2frestablecer%2f{TOKEN}",
     "/capturista/iniciar-sesion?next=%2fcapturista%2frestablecer%2f[oculto]"),
    (f"/x?next=%252Factivacion%252F{TOKEN}", "/x?next=%252Factivacion%252F[oculto]"),
    (f"/x?next=/activacion/{TOKEN}", "/x?next=/activacion/[oculto]"),
], ids=["activacion", "nueva-liga", "restablecer", "confirmar", "restablecer-contratista",
        "next-restablecer-contratista", "linea", "next-codificado", "next-minusculas",
        "doble-codificado", "next-sin-codificar"])
def test_ocultar_tokens(original, esperado):
    assert ocultar_tokens(original) == esperado
    assert "SECRETO" not in ocultar_tokens(original)


@pytest.mark.parametrize("texto", [
    "GET /capturista/restablecer HTTP/1.1", "/capturista/recuperar-contrasena", "/cuenta/recuperar-contrasena", "/administracion/consulta?q=activacion",
    "/static/css/app.css?v=0123456789ab", "/activacion/", ""])
def test_lo_demas_no_cambia(texto):
    assert ocultar_tokens(texto) == texto


def test_filtro_sobre_un_registro_como_lo_arma_werkzeug():
    """werkzeug's dev server logs ``'%s - - [%s] "%s" %s %s'`` with the request line in ``args``."""
    registro = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '127.0.0.1 - - [01/Jan/2026 10:00:00] "%s" %s %s',
        (f"\x1b[33mGET /activacion/{TOKEN} HTTP/1.1\x1b[0m", "\x1b[33m404\x1b[0m", "-"), None)
    assert FiltroTokens().filter(registro) is True
    mensaje = registro.getMessage()
    assert "SECRETO" not in mensaje and "/activacion/[oculto] HTTP/1.1" in mensaje


def test_create_app_instala_el_filtro_una_vez(app):
    from app import create_app
    from config import TestConfig

    create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    for logger in (logging.getLogger("werkzeug"), app.logger):
        assert sum(isinstance(f, FiltroTokens) for f in logger.filters) == 1, logger.name


def test_servidor_de_desarrollo_real(app, caplog):
    """The real werkzeug server in a thread: its access log lines for both link shapes."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    servidor = make_server("127.0.0.1", 0, app, threaded=True)
    hilo = threading.Thread(target=servidor.serve_forever, daemon=True)
    hilo.start()
    try:
        for ruta in (f"/activacion/{TOKEN}", f"/cuenta/iniciar-sesion?next=%2Fcapturista%2Frestablecer%2F{TOKEN}"):
            con = http.client.HTTPConnection("127.0.0.1", servidor.server_port, timeout=10)
            con.request("GET", ruta)
            con.getresponse().read()
            con.close()
    finally:
        servidor.shutdown()
        hilo.join(5)
    lineas = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("[oculto]" in linea for linea in lineas) == 2, lineas
    assert not any("SECRETO" in linea for linea in lineas), lineas


# --- gunicorn -------------------------------------------------------------------------------------

def _logger_de_gunicorn():
    from gunicorn.config import Config as ConfigGunicorn

    clase = runpy.run_path(str(RAIZ / "gunicorn.conf.py"))["logger_class"]
    return clase(ConfigGunicorn())


class _Respuesta:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html; charset=utf-8")]


class _Peticion:
    headers = [("HOST", "127.0.0.1:8000"), ("REFERER", f"https://x.example/activacion/{TOKEN}")]


def test_atomos_del_registro_de_gunicorn():
    """%(r)s, %(U)s, %(q)s, %(f)s and the environ/header atoms come out without the token."""
    entorno = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/cuenta/iniciar-sesion?next=%2Factivacion%2F{TOKEN}",
        "PATH_INFO": f"/capturista/restablecer/{TOKEN}", "QUERY_STRING": f"next=%2Factivacion%2F{TOKEN}%2Fnueva-liga",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://x.example/activacion/{TOKEN}",
    }
    atomos = _logger_de_gunicorn().atoms(_Respuesta(), _Peticion(), entorno, datetime.timedelta(seconds=0.01))
    for clave in ("r", "U", "q", "f", "{raw_uri}e", "{path_info}e", "{query_string}e", "{referer}i"):
        assert "SECRETO" not in str(atomos[clave]) and "[oculto]" in str(atomos[clave]), (clave, atomos[clave])
    assert atomos["r"] == "GET /cuenta/iniciar-sesion?next=%2Factivacion%2F[oculto] HTTP/1.1"
    assert atomos["s"] == "200" and atomos["b"] == "1234"


def test_gunicorn_real_no_escribe_el_token(tmp_path):
    """gunicorn -c gunicorn.conf.py serving the real app (production Config) on a loopback port."""
    registro = tmp_path / "acceso.log"
    puerto = puerto_libre()
    entorno = {k: v for k, v in os.environ.items()
               if k not in ("FLASK_DEBUG", "REDIS_URL", "TEST_DATABASE_URL", "PADRON_FUENTE", "PADRON_BACKEND",
                             "PADRON_URL")}
    entorno.update(SECRET_KEY="s" * 48, DATABASE_URL=f"sqlite:///{tmp_path / 'vacia.db'}",
                   HUEY_SQLITE=str(tmp_path / "huey.sqlite"), EXPORTACION_DIR=str(tmp_path / "exportaciones"))
    proceso = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", str(registro),
         "-w", "1", "-b", f"127.0.0.1:{puerto}", "--no-control-socket", "app:create_app()"],
        cwd=RAIZ, env=entorno, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # Each request is made once, after gunicorn listens: a retried one (a slow answer on a busy
        # machine) would be logged twice.
        esperar_puerto(puerto, proceso, tope=30)
        rutas = (f"/activacion/{TOKEN}", f"/cuenta/iniciar-sesion?next=%2Factivacion%2F{TOKEN}%2Fnueva-liga")
        estados = []
        limite = time.monotonic() + 60
        for ruta in rutas:
            con = http.client.HTTPConnection("127.0.0.1", puerto, timeout=60)
            con.request("GET", ruta)
            estados.append(con.getresponse().status)
            con.close()
        assert estados == [404, 200]  # the tampered-link page, the login page
        while registro.read_text().count("\n") < 2 and time.monotonic() < limite:
            time.sleep(0.05)
    finally:
        proceso.terminate()
        proceso.wait(15)
    texto = registro.read_text()
    assert texto.count("[oculto]") == 2, texto
    assert "SECRETO" not in texto, texto
