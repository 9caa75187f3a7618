"""What the tests do through the test client, as a browser would, and what they read in the mailbox.

Forms are submitted with the CSRF token of the page that holds them; Alta de usuarios goes through
Validar before Guardar; a Consulta row action is posted from the grid. Data builders live in
tests/factories.py and fixtures in the conftest files; test modules import helpers from here.
"""
from __future__ import annotations

import codecs
import email
import email.policy
import io
import re
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from openpyxl import Workbook
from sqlalchemy import func, select, text

from bench.carga import puerto_libre  # also the tests' (tests/conftest.py, test modules)
from extensions import db, mail
from models import Bitacora
from tests.factories import CLAVE_CAPTURISTA, PASSWORD

ALTA = "/administracion/alta-usuarios/"
VALIDAR = "/administracion/alta-usuarios/validar"
GRID = "/administracion/consulta"
LOGIN_CAPTURISTA = "/capturista/iniciar-sesion"
HX_ALTA = {"HX-Request": "true", "HX-Target": "alta-formulario"}

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLAVE_RE = re.compile(r'name="clave" type="hidden" value="([^"]+)"')

# Links in the e-mails of the test app (its BASE_URL is http://localhost); group 1 is the path the
# test client opens. (The browser tests' app is served on 127.0.0.1: tests/browser/buzon.py.)
LIGA_ACTIVACION_RE = re.compile(r"http://localhost(/activacion/[A-Za-z0-9_.\-]+)")
LIGA_CONFIRMACION_RE = re.compile(r"http://localhost(/cuenta/confirmar/\S+)")
LIGA_RESTABLECER_RE = re.compile(r"http://localhost(/cuenta/restablecer/[A-Za-z0-9_.\-]+)")
LIGA_RESTABLECER_CAPTURISTA_RE = re.compile(r"http://localhost(/capturista/restablecer/\S+)")


# --- forms ----------------------------------------------------------------------------------------

def csrf_de(respuesta) -> str:
    m = CSRF_RE.search(respuesta.get_data(as_text=True))
    assert m, "la página no tiene token CSRF"
    return m.group(1)


def enviar(client, url: str, datos: dict, *, desde: str | None = None, **kwargs):
    """Submit a form like a browser: GET the page that holds it, take its CSRF token, POST."""
    pagina = client.get(desde or url)
    return client.post(url, data={"csrf_token": csrf_de(pagina), **datos}, **kwargs)


# --- sessions -------------------------------------------------------------------------------------

def iniciar_sesion(client, rfc: str, password: str = PASSWORD, **kwargs):
    """Log ``client`` in as the contractor ``rfc``."""
    return enviar(client, "/cuenta/iniciar-sesion", {"rfc": rfc, "password": password}, **kwargs)


LOGIN_EFIRMA = "/cuenta/iniciar-sesion/efirma"


def datos_efirma(cer: bytes, key: bytes, password: str) -> dict:
    """The e.firma form's fields as a browser uploads them (multipart)."""
    return {"cer": (io.BytesIO(cer), "fiel.cer"), "key": (io.BytesIO(key), "fiel.key"), "password": password}


def iniciar_sesion_con_efirma(client, cer: bytes, key: bytes, password: str, **kwargs):
    """Iniciar sesión con e.firma: upload the .cer and the .key with the key's password."""
    return enviar(client, LOGIN_EFIRMA, datos_efirma(cer, key, password), **kwargs)


def iniciar_sesion_capturista(client, usuario: str = "maria.lopez", password: str = CLAVE_CAPTURISTA, **kwargs):
    """Log ``client`` in as the capturista ``usuario`` (the default is crear_capturista_activo's)."""
    return enviar(client, LOGIN_CAPTURISTA, {"usuario": usuario, "password": password}, **kwargs)


def elegir_contratista(client, contratista_id):
    """The logged-in capturista chooses the contractor to work for."""
    return enviar(client, "/capturista/contratistas", {"contratista_id": contratista_id})


# --- Alta de usuarios -----------------------------------------------------------------------------

def validar(client, curp: str, headers=None):
    token = csrf_de(client.get(ALTA))
    return client.post(VALIDAR, data={"csrf_token": token, "curp": curp}, headers=headers or {})


def clave_de(respuesta) -> str:
    """The one-time key of the Alta form rendered after Validar."""
    m = CLAVE_RE.search(respuesta.get_data(as_text=True))
    assert m, "la página no trae el formulario de Guardar"
    return m.group(1)


def formulario_alta(client, curp: str) -> tuple[str, str]:
    """Validar the CURP like a browser: (CSRF token, one-time clave) of the rendered Alta form."""
    pagina = validar(client, curp)
    assert pagina.status_code == 200, pagina.status_code
    return csrf_de(pagina), clave_de(pagina)


def datos_alta(token: str, clave: str, curp: str, correo: str = "capturista@correo.example", *,
               telefono: str = "5512345678", confirmar: str | None = None) -> dict:
    return {"csrf_token": token, "curp": curp, "clave": clave, "telefono": telefono,
            "correo": correo, "confirmar_correo": confirmar if confirmar is not None else correo}


def guardar(client, curp: str, *, telefono: str = "5512345678", correo: str = "capturista@correo.example",
            confirmar: str | None = None, headers=None):
    """Validar, then Guardar the form it rendered."""
    token, clave = formulario_alta(client, curp)
    return client.post(ALTA, data=datos_alta(token, clave, curp, correo, telefono=telefono, confirmar=confirmar),
                       headers=headers or {})


# --- Consulta -------------------------------------------------------------------------------------

def hx_fila(relacion_id: int) -> dict:
    """The headers of an htmx request from a row of the grid."""
    return {"HX-Request": "true", "HX-Target": f"capturista-{relacion_id}"}


def post_fila(client, url: str, datos: dict | None = None, *, headers=None, volver: str = GRID,
              token: str | None = None):
    """A Consulta row action as the grid sends it (CSRF token taken from the grid page)."""
    token = token or csrf_de(client.get(GRID))
    return client.post(url, data={"csrf_token": token, "volver": volver, **(datos or {})}, headers=headers or {})


def acciones_de_bitacora(app, relacion_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Bitacora.accion).where(Bitacora.relacion_id == relacion_id)
                                       .order_by(Bitacora.id)))


def contar_filas(app, *modelos) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in modelos)


# --- the database between tests -------------------------------------------------------------------

# Every sequence of the models' tables (serial and identity ids alike) back to its start.
_REINICIAR_SECUENCIAS = text("""
    SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype IN ('a', 'i')
    WHERE d.refobjid = ANY(CAST(:tablas AS regclass[]))""")


def vaciar_tablas(conn) -> None:
    """Every table of the models empty and its ids back at the start, as in a new database (SQLite
    numbers from 1 again once a table is empty). DELETE rather than TRUNCATE on PostgreSQL too:
    TRUNCATE ... RESTART IDENTITY makes new files for every table, index and sequence (~0.3 s a
    test here), while deleting the few rows a test leaves takes a few ms."""
    tablas = [t.name for t in reversed(db.metadata.sorted_tables)]
    for tabla in tablas:
        conn.execute(text(f"DELETE FROM {tabla}"))
    if conn.dialect.name == "postgresql":
        conn.execute(_REINICIAR_SECUENCIAS, {"tablas": tablas})


# --- background jobs (Exportar Excel, carga masiva) -------------------------------------------------

def sondear(client, url: str, objetivo: str, hecho: str, mientras=None, segundos: float = 30):
    """Poll a job's progress block as htmx does (``HX-Target: objetivo``) until ``hecho`` is in the answer.
    Returns (that response, its text, the <progress> values seen on the way); ``mientras(respuesta, texto)``
    checks every answer before it."""
    vistos: set[int] = set()
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        respuesta = client.get(url, headers={"HX-Request": "true", "HX-Target": objetivo})
        texto = respuesta.get_data(as_text=True)
        assert "<header" not in texto  # a fragment, not the page
        if hecho in texto:
            return respuesta, texto, vistos
        if mientras is not None:
            mientras(respuesta, texto)
        if m := re.search(r'value="(\d+)"', texto):
            vistos.add(int(m.group(1)))
        time.sleep(0.05)
    raise AssertionError(f"el trabajo no terminó: {hecho!r} no apareció en {segundos} s")


# --- carga masiva files (trabajadores, capturistas) ---------------------------------------------------

def csv_de(encabezados, filas, *, separador=",", encabezado=True, codificacion="utf-8", bom=False) -> bytes:
    """A CSV as Excel writes it (CRLF), with or without the header row and a UTF-8 BOM."""
    lineas = ([separador.join(encabezados)] if encabezado else []) + [separador.join(f) for f in filas]
    return (codecs.BOM_UTF8 if bom else b"") + ("\r\n".join(lineas) + "\r\n").encode(codificacion)


def xlsx_de(encabezados, filas, *, encabezado=True) -> bytes:
    """A workbook whose first sheet holds the rows (cells as given: text, numbers, formulas)."""
    libro = Workbook()
    hoja = libro.active
    if encabezado:
        hoja.append(list(encabezados))
    for f in filas:
        hoja.append(list(f))
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def zip_de(miembros: dict[str, bytes]) -> bytes:
    """A zip of these members (a fake or broken .xlsx)."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED) as z:
        for nombre, contenido in miembros.items():
            z.writestr(nombre, contenido)
    return salida.getvalue()


# What makes a zip look like a workbook to a first check (and nothing else of one).
XLSX_MINIMO = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


# --- activation -----------------------------------------------------------------------------------

def activar(client, liga: str, usuario: str = "ana.perez", password: str = CLAVE_CAPTURISTA,
            confirmar: str | None = None, headers=None):
    """Create usuario and contraseña with an activation link (its path), as the page's form would."""
    pagina = client.get(liga)
    if not CSRF_RE.search(pagina.get_data(as_text=True)):  # a dead link shows no form: take the token elsewhere
        pagina = client.get(LOGIN_CAPTURISTA)
    return client.post(liga, data={"csrf_token": csrf_de(pagina), "usuario": usuario, "password": password,
                                   "confirmar_password": confirmar or password}, headers=headers or {})


# --- e-mail ---------------------------------------------------------------------------------------

def liga_de(mensaje, patron: re.Pattern = LIGA_ACTIVACION_RE) -> str:
    """Group 1 of ``patron`` in the plain-text body of ``mensaje``."""
    m = patron.search(mensaje.get_body(("plain",)).get_content())
    assert m, f"el correo «{mensaje['Subject']}» no trae la liga esperada"
    return m.group(1)


def entregar_correos(app) -> int:
    """Deliver the outbox now, as the Huey worker would (flows that must not reveal by their
    timing whether a message was queued never send inline)."""
    from services.correo import enviar_pendientes

    with app.app_context():
        enviados, _ = enviar_pendientes()
        db.session.remove()
    return enviados


class Buzon:
    """aiosmtpd handler: keeps every message it receives, parsed."""

    def __init__(self):
        self.mensajes: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.mensajes.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def servidor_smtp(manejador, puerto: int):
    """A real SMTP server on 127.0.0.1:puerto handled by ``manejador`` (a Buzon) while inside."""
    controlador = Controller(manejador, hostname="127.0.0.1", port=puerto, ready_timeout=15)
    controlador.start()
    try:
        yield manejador
    finally:
        controlador.stop()


def esperar_puerto(puerto: int, proceso: subprocess.Popen | None = None, tope: float = 10) -> None:
    """Wait until something accepts connections on 127.0.0.1:puerto (fails if ``proceso`` dies first)."""
    limite = time.monotonic() + tope
    while True:
        try:
            socket.create_connection(("127.0.0.1", puerto), timeout=0.2).close()
            return
        except OSError:
            assert proceso is None or proceso.poll() is None, f"el proceso terminó ({proceso.args[0]})"
            assert time.monotonic() < limite, f"nadie escucha en 127.0.0.1:{puerto} tras {tope:.0f} s"
            time.sleep(0.05)


# --- Redis ----------------------------------------------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def servidor_redis(carpeta: Path):
    """Debian's redis-server on a free loopback port, nothing saved to disk, while inside: its URL.
    A machine without it fails the test (``make test`` and .ci/run install it), never skips it."""
    assert REDIS_SERVER, "Falta redis-server (apt-get install redis-server; make test y .ci/run lo instalan)"
    puerto = puerto_libre()
    proceso = subprocess.Popen([REDIS_SERVER, "--port", str(puerto), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(carpeta)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        esperar_puerto(puerto, proceso)
        yield f"redis://127.0.0.1:{puerto}/0"
    finally:
        proceso.terminate()
        proceso.wait(timeout=5)


def apuntar_smtp(app, puerto: int) -> None:
    """Point Flask-Mail at 127.0.0.1:puerto and really send (tests suppress mail otherwise)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=puerto, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5)
    mail.init_app(app)


# --- threads --------------------------------------------------------------------------------------

def a_la_vez(funciones, espera: float = 90):
    """Run every function in its own thread, all released by one barrier; return their results
    (an exception raised in a thread is raised here, so the test sees it)."""
    barrera = threading.Barrier(len(funciones))
    resultados: list = [None] * len(funciones)

    def correr(i, f):
        try:
            barrera.wait()
            resultados[i] = f()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            resultados[i] = exc

    hilos = [threading.Thread(target=correr, args=(i, f), daemon=True) for i, f in enumerate(funciones)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(timeout=espera)
    assert not any(h.is_alive() for h in hilos), "un hilo no terminó (¿bloqueo?)"
    for r in resultados:
        if isinstance(r, BaseException):
            raise r
    return resultados
