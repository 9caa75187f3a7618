"""Helpers of the fault-injection suite: a logged-in contractor with a padrón, SMTP servers that
fail on purpose, the two ways the outbox is drained later (CLI and the Huey task), and threads
released together on a barrier."""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from extensions import db
from models import Capturista, RelacionCapturista
from models.types import ahora_utc
from tests.conftest import Buzon, csrf_de
from tests.factories import cargar_padron, crear_contratista, iniciar_sesion

ALTA = "/administracion/alta-usuarios/"
VALIDAR = "/administracion/alta-usuarios/validar"
GRID = "/administracion/consulta"
HX_ALTA = {"HX-Request": "true", "HX-Target": "alta-formulario"}
LIGA_RE = re.compile(r"http://localhost(/activacion/[A-Za-z0-9_.\-]+)")
CLAVE_RE = re.compile(r'name="clave" type="hidden" value="([^"]+)"')


def hx_fila(relacion_id: int) -> dict:
    return {"HX-Request": "true", "HX-Target": f"capturista-{relacion_id}"}


@pytest.fixture
def escenario(app, client):
    """A contractor with Datos Generales, a small padrón, and ``client`` logged in as it."""
    with app.app_context():
        contratista = crear_contratista(razon_social="Limpieza Industrial del Bajío, S.A. de C.V.")
        personas = cargar_padron(6)
        datos = {"rfc": contratista.rfc, "id": contratista.id, "personas": personas}
    iniciar_sesion(client, datos["rfc"])
    return datos


def formulario_alta(cliente, curp: str) -> tuple[str, str]:
    """Validar the CURP like a browser: (CSRF token, one-time clave) of the rendered Alta form."""
    pagina = cliente.post(VALIDAR, data={"csrf_token": csrf_de(cliente.get(ALTA)), "curp": curp})
    assert pagina.status_code == 200, pagina.status_code
    return csrf_de(pagina), CLAVE_RE.search(pagina.get_data(as_text=True)).group(1)


def datos_alta(token: str, clave: str, curp: str, correo: str = "capturista@correo.example") -> dict:
    return {"csrf_token": token, "curp": curp, "clave": clave, "telefono": "5512345678",
            "correo": correo, "confirmar_correo": correo}


def guardar(cliente, curp: str, correo: str = "capturista@correo.example", headers=None):
    token, clave = formulario_alta(cliente, curp)
    return cliente.post(ALTA, data=datos_alta(token, clave, curp, correo), headers=headers or {})


def relacion_sembrada(app, contratista_id: int, persona, estatus: str = "pendiente",
                      correo: str = "jose@correo.example") -> int:
    """A relation written straight to the database (no e-mail yet); returns its id."""
    with app.app_context():
        capturista = Capturista(curp=persona.curp, nombre=persona.nombre, primer_apellido=persona.primer_apellido,
                                segundo_apellido=persona.segundo_apellido)
        db.session.add(capturista)
        db.session.flush()
        relacion = RelacionCapturista(
            contratista_id=contratista_id, capturista_id=capturista.id, telefono="5512345678", correo=correo,
            estatus=estatus, token_version=1, liga_vence_en=ahora_utc() + timedelta(hours=24),
            activado_en=ahora_utc() if estatus == "activo" else None)
        relacion.capturista = capturista
        relacion.copiar_datos_de(capturista)
        db.session.add(relacion)
        db.session.commit()
        return relacion.id


def post_fila(cliente, url: str, headers=None, token: str | None = None):
    """A Consulta row action as the grid sends it (CSRF token taken from the grid page)."""
    token = token or csrf_de(cliente.get(GRID))
    return cliente.post(url, data={"csrf_token": token, "volver": GRID}, headers=headers or {})


def contar(app, *modelos) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in modelos)


# --- SMTP -----------------------------------------------------------------------------------------

class BuzonCaprichoso(Buzon):
    """Accepts the connection, then answers DATA with ``rechazo`` (e.g. 451 / 554) while it is set.
    Every DATA attempt is counted; only accepted messages land in ``mensajes``."""

    def __init__(self, rechazo: str | None = None):
        super().__init__()
        self.rechazo = rechazo
        self.intentos = 0

    async def handle_DATA(self, server, session, envelope):
        self.intentos += 1
        if self.rechazo:
            return self.rechazo
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def servidor_smtp(manejador, puerto: int):
    controlador = Controller(manejador, hostname="127.0.0.1", port=puerto, ready_timeout=15)
    controlador.start()
    try:
        yield manejador
    finally:
        controlador.stop()


@pytest.fixture
def entregar(app, runner):
    """Drain the outbox the way production does later: ``flask correos enviar`` or the body of the
    Huey periodic task. Returns a function ``entregar(via)`` → the CLI's output (or "" for Huey)."""
    import tareas

    def _entregar(via: str) -> str:
        if via == "cli":
            return runner.invoke(args=["correos", "enviar"]).output
        tareas.usar_app(app)
        try:
            tareas.enviar_correos_pendientes.call_local()
        finally:
            tareas.usar_app(None)
        return ""

    return _entregar


# --- threads --------------------------------------------------------------------------------------

def a_la_vez(funciones, espera: float = 90):
    """Run every function in its own thread, all released by one barrier; return their results
    (an exception raised in a thread is returned in its place, so the test sees it)."""
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
