"""Scale-out proof (issue 13): two app instances — two gunicorn processes (2 workers each) on two
loopback ports — on one database, one real Redis (Huey's broker and the throttles' counters) and one
Huey consumer, driven over real HTTP with one cookie jar, as a browser behind a load balancer is:

- a session opened on instance A works on B, and Cerrar sesión on B (with a CSRF token from A) ends
  it on A too;
- an export started on A runs in the consumer, its progress is followed on B and the file is
  downloaded from B;
- an e-mail queued on A reaches the SMTP server exactly once while three senders race for it (the
  consumer and ``flask correos enviar`` from each instance's environment), and again when every
  sender runs once more after it went out.

Every process gets the same environment, as production would: DATABASE_URL, SECRET_KEY, REDIS_URL,
MAIL_* (an aiosmtpd server on loopback) and EXPORTACION_DIR (one folder, as a volume shared by the
app servers and the worker would be). The stack starts once for the module; each test starts from
empty tables (the ``app`` fixture), which the processes read from the same database. It runs on both
databases of ``make test``: a SQLite file shared by the processes, and PostgreSQL.
"""
from __future__ import annotations

import asyncio
import copy
import io
import re
import secrets
import subprocess
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bench.carga import Cliente, detener_gunicorn
from bench.http_wrk import Servidor
from domain.padron_ficticio import generar_personas
from extensions import db
from models import CorreoSaliente, Exportacion
from tests.ayudantes import Buzon, puerto_libre, servidor_redis, servidor_smtp
from tests.factories import PASSWORD, crear_contratista, crear_persona, crear_relacion

RAIZ = Path(__file__).resolve().parents[2]
GRID = "/administracion/consulta"
EXPORTAR = "/administracion/exportar-excel"
RECUPERAR = "/cuenta/recuperar-contrasena"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UMBRAL = 40  # EXPORTACION_UMBRAL of the stack: an export of more rows goes to the consumer
LIGA_RESTABLECER_RE = re.compile(r"http://127\.0\.0\.1:\d+(/cuenta/restablecer/\S+)")


class BuzonConCompuerta(Buzon):
    """An SMTP mailbox that can hold the next message before answering its DATA (``retener``): the
    sender that claimed it is then mid-delivery until ``soltar``. Other messages go straight in."""

    def __init__(self):
        super().__init__()
        self._por_retener = threading.Event()
        self.retenido = threading.Event()
        self._suelto = threading.Event()

    def retener(self) -> None:
        self.retenido.clear()
        self._suelto.clear()
        self._por_retener.set()

    def soltar(self) -> None:
        self._suelto.set()

    async def handle_DATA(self, server, session, envelope):
        if self._por_retener.is_set():
            self._por_retener.clear()  # the handler runs in one event loop: no other message gets here first
            self.retenido.set()
            while not self._suelto.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Pila:
    """The running stack: instances ``a`` and ``b``, the consumer, the mailbox, the shared settings."""
    a: Servidor
    b: Servidor
    consumidor: subprocess.Popen
    registro_consumidor: Path
    buzon: BuzonConCompuerta
    exportaciones: Path

    def clientes(self) -> tuple[Cliente, Cliente]:
        """One browser (one cookie jar, no User-Agent: "strong" session protection sees the same
        client) talking to A through one and to B through the other."""
        a, b = Cliente(self.a.puerto), Cliente(self.b.puerto)
        b.jar = a.jar
        return a, b

    def flask(self, *argumentos: str) -> list[subprocess.CompletedProcess]:
        """``flask --app app <argumentos>`` at once in the environment of each instance."""
        procesos = [subprocess.Popen([str(RAIZ / ".venv" / "bin" / "flask"), "--app", "app", *argumentos],
                                     cwd=RAIZ, env=s.entorno, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
                    for s in (self.a, self.b)]
        try:
            salidas = [p.communicate(timeout=60)[0] for p in procesos]
            return [subprocess.CompletedProcess(p.args, p.returncode, salida)
                    for p, salida in zip(procesos, salidas, strict=True)]
        finally:
            for p in procesos:
                detener_gunicorn(p)  # only if still running: SIGTERM, then SIGKILL to its own group

    def ejecuciones(self, tarea: str) -> int:
        """How many times the consumer finished ``tarea`` (Huey logs "<task>: <id> executed in ...")."""
        return len(re.findall(rf"{re.escape(tarea)}: \S+ executed in", self.registro_consumidor.read_text()))

    def errores(self) -> list[str]:
        consumidor = [linea for linea in self.registro_consumidor.read_text(errors="replace").splitlines()
                      if "Traceback" in linea or "ERROR" in linea]
        return self.a.errores() + self.b.errores() + consumidor


def _esperar(condicion, tope: float, mensaje) -> None:
    """Poll ``condicion`` for up to ``tope`` seconds; ``mensaje`` (a text, or a function giving it
    at that moment) explains a failure."""
    limite = time.monotonic() + tope
    while not condicion():
        assert time.monotonic() < limite, mensaje() if callable(mensaje) else mensaje
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pila(database_url, tmp_path_factory):
    trabajo = tmp_path_factory.mktemp("escala")
    puerto_smtp = puerto_libre()
    with ExitStack() as cierre:  # whatever started is stopped, in reverse order, however the setup ends
        redis_url = cierre.enter_context(servidor_redis(trabajo))
        buzon = cierre.enter_context(servidor_smtp(BuzonConCompuerta(), puerto_smtp))
        entorno = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "REDIS_URL": redis_url,  # Huey's queue and Flask-Limiter's counters
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(puerto_smtp),
            "MAIL_TIMEOUT": "30",  # the test holds a delivery open for a few seconds
            "EXPORTACION_DIR": str(trabajo / "exportaciones"),
            "EXPORTACION_UMBRAL": str(UMBRAL),
            "PADRON_FUENTE": "local",
        }
        a = Servidor("a", "app:create_app()", 2, entorno, trabajo)
        cierre.callback(a.detener)
        b = Servidor("b", "app:create_app()", 2, entorno, trabajo)
        cierre.callback(b.detener)
        registro = trabajo / "huey.log"
        with open(registro, "wb") as salida:
            consumidor = subprocess.Popen(
                [str(RAIZ / ".venv" / "bin" / "huey_consumer"), "tareas.huey", "--workers", "2",
                 "--worker-type", "thread"],
                cwd=RAIZ, env=a.entorno, stdout=salida, stderr=subprocess.STDOUT, start_new_session=True)
        cierre.callback(detener_gunicorn, consumidor)  # SIGTERM, then SIGKILL to its own group
        a.esperar("/cuenta/iniciar-sesion")
        b.esperar("/cuenta/iniciar-sesion")
        _esperar(lambda: consumidor.poll() is None and "Huey consumer started" in registro.read_text(), 30,
                 lambda: f"el consumidor no arrancó\n{registro.read_text()[-3000:]}")
        yield Pila(a, b, consumidor, registro, buzon, trabajo / "exportaciones")


def test_una_sesion_abierta_en_a_sirve_en_b_y_cerrarla_en_b_la_termina_en_a(app, pila):
    with app.app_context():
        rfc = crear_contratista(razon_social="Servicios Escalables del Norte, S.A. de C.V.").rfc
    a, b = pila.clientes()
    a.iniciar_sesion(rfc, PASSWORD)  # the login form and its POST, both on A

    r = b.pedir("GET", GRID)
    assert r.status == 200 and "Servicios Escalables del Norte, S.A. de C.V." in r.texto

    antes = Cliente(pila.a.puerto)  # a copy of the cookie as it was (a second browser tab, a stolen cookie)
    for cookie in a.jar:
        antes.jar.set_cookie(copy.copy(cookie))
    r = b.pedir("POST", "/cuenta/cerrar-sesion", {"csrf_token": a.token(GRID)})  # token from a page of A
    assert r.status == 303

    for cliente in (a, antes):
        r = cliente.pedir("GET", GRID)
        assert r.status == 302 and urlsplit(r.headers["Location"]).path == "/cuenta/iniciar-sesion"
    assert pila.errores() == []


def test_una_exportacion_pedida_en_a_se_sigue_y_se_descarga_en_b(app, pila):
    personas = list(generar_personas(UMBRAL + 25, semilla=13))
    with app.app_context():
        contratista = crear_contratista()
        for i, p in enumerate(personas):
            crear_relacion(contratista, crear_persona(p.curp, p.nombre, p.primer_apellido, p.segundo_apellido),
                           correo=f"persona{i}@correo.example")
        db.session.commit()
        rfc = contratista.rfc
    a, b = pila.clientes()
    a.iniciar_sesion(rfc, PASSWORD)

    r = a.pedir("POST", EXPORTAR, {"csrf_token": a.token(EXPORTAR)})
    assert r.status == 303  # more rows than EXPORTACION_UMBRAL: a background job, not the file
    estado = urlsplit(r.headers["Location"]).path
    limite = time.monotonic() + 20
    while True:
        r = b.pedir("GET", estado, headers={"HX-Request": "true", "HX-Target": "exportacion-estado"})
        assert r.status == 200 and ("<progress" in r.texto or "Descargar Excel" in r.texto), r.texto
        if "Descargar Excel" in r.texto:
            break
        assert time.monotonic() < limite, f"la exportación no terminó\n{pila.registro_consumidor.read_text()[-3000:]}"
        time.sleep(0.1)

    r = b.pedir("GET", f"{estado}/descargar")
    assert r.status == 200 and r.headers["Content-Type"].startswith(MIME_XLSX)
    filas = list(load_workbook(io.BytesIO(r.cuerpo), read_only=True)["Capturistas"].iter_rows(
        min_row=3, values_only=True))
    assert sorted(f[0] for f in filas) == sorted(p.curp for p in personas)
    assert {f[1] for f in filas} == {p.nombre for p in personas}
    with app.app_context():
        exportacion = db.session.scalar(select(Exportacion))
        assert exportacion.estado == "lista" and Path(exportacion.ruta).parent == pila.exportaciones
    assert pila.errores() == []


def _correos(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(c.estado, c.intentos) for c in db.session.scalars(select(CorreoSaliente).order_by(CorreoSaliente.id))]


def test_un_correo_encolado_en_a_se_entrega_una_sola_vez_aunque_compitan_tres_remitentes(app, pila):
    with app.app_context():
        contratista = crear_contratista()
        rfc, correo = contratista.rfc, contratista.correo
    a, b = pila.clientes()
    pila.buzon.mensajes.clear()
    despachos = pila.ejecuciones("tareas.despachar_correos")

    # Contractor password recovery on A: the request only writes the outbox row and asks the worker
    # (a task in Redis) to deliver it. The mailbox holds that delivery open.
    pila.buzon.retener()
    try:
        r = a.pedir("POST", RECUPERAR, {"csrf_token": a.token(RECUPERAR), "rfc": rfc, "correo": correo})
        assert r.status == 303
        assert pila.buzon.retenido.wait(20), f"nadie entregó el correo\n{pila.registro_consumidor.read_text()[-3000:]}"
        assert _correos(app) == [("enviando", 0)]  # claimed by the consumer, which is mid-delivery
        # Meanwhile `flask correos enviar` runs in the environment of each instance: both find it claimed.
        for corrida in pila.flask("correos", "enviar"):
            assert corrida.returncode == 0 and "Correos enviados: 0; fallidos (siguen pendientes): 0" in corrida.stdout
    finally:
        pila.buzon.soltar()
    _esperar(lambda: _correos(app) == [("enviado", 1)], 20, lambda: f"el correo no quedó enviado: {_correos(app)}")
    _esperar(lambda: pila.ejecuciones("tareas.despachar_correos") == despachos + 1, 10, "el consumidor no terminó")

    # Every sender runs once more after delivery: recovery asked again on B (too soon: nothing is
    # queued, but the worker is asked to deliver all the same) and the CLI from both environments.
    r = b.pedir("POST", RECUPERAR, {"csrf_token": b.token(RECUPERAR), "rfc": rfc, "correo": correo})
    assert r.status == 303
    for corrida in pila.flask("correos", "enviar"):
        assert corrida.returncode == 0 and "Correos enviados: 0;" in corrida.stdout
    _esperar(lambda: pila.ejecuciones("tareas.despachar_correos") == despachos + 2, 20,
             "el consumidor no atendió la segunda petición de envío")

    assert [m["To"] for m in pila.buzon.mensajes] == [correo]
    assert _correos(app) == [("enviado", 1)]
    # The link in it (BASE_URL of A, where it was queued) opens on B as well.
    liga = LIGA_RESTABLECER_RE.search(pila.buzon.mensajes[0].get_body(("plain",)).get_content())
    assert liga, pila.buzon.mensajes[0].get_body(("plain",)).get_content()
    r = Cliente(pila.b.puerto).pedir("GET", liga.group(1))
    assert r.status == 200 and 'name="password"' in r.texto
    assert pila.errores() == []
