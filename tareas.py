"""Background work with Huey: large Excel exports, large cargas masivas (of workers; of capturistas: their
preview and their Guardar), e-mail delivery and retries, cleanup of expired files.

Storage: SQLite (``HUEY_SQLITE``, default ``instance/huey.sqlite``: nothing to install), or Redis
when ``REDIS_URL`` is set so several app servers share the workers (both settings live in ``Config``).
Run the consumer with

    .venv/bin/huey_consumer tareas.huey --workers 2 --worker-type thread

(`make run` starts it beside the web server). Each consumer builds its Flask app once, when its
workers start (``on_startup``), and runs every task inside it.

The e-mail retries are this consumer's periodic task (every minute); ``flask correos enviar`` is the
same delivery run once, by hand. The reminders of the informativa's deadline run each morning at 06:00
Mexico City time (``flask recordatorios enviar`` runs them by hand).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

from app import create_app
from config import Config
from domain.calendario import ZONA
from extensions import db
from services import carga_capturistas, carga_trabajadores, recordatorios
from services.correo import enviar_pendientes, enviar_todos
from services.exportar import generar, limpiar_vencidas

log = logging.getLogger(__name__)


def _crear_huey():
    if Config.REDIS_URL:
        return RedisHuey("capturistas-icsoe", url=Config.REDIS_URL)
    ruta = Path(Config.HUEY_SQLITE)
    ruta.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("capturistas-icsoe", filename=str(ruta), immediate=Config.HUEY_IMMEDIATE)


huey = _crear_huey()
_app = None
_candado = threading.Lock()  # thread workers start together: one app for all of them


def usar_app(app) -> None:
    """Run the tasks inside this Flask app instead of one of their own (tests, benchmarks);
    ``None`` forgets it."""
    global _app
    with _candado:
        _app = app


def _app_de_tareas():
    """The app the tasks run in, built on first use: at consumer start (below), or by the first
    task that runs without a consumer (``HUEY_IMMEDIATE``, ``call_local``)."""
    global _app
    with _candado:
        if _app is None:
            _app = create_app()
        return _app


@huey.on_startup()
def crear_app() -> None:
    """Huey calls this in each worker as the consumer starts: the app exists before the first task."""
    _app_de_tareas()


def _en_contexto(funcion, *args):
    with _app_de_tareas().app_context():
        try:
            return funcion(*args)
        finally:
            db.session.remove()


@huey.task()
def generar_exportacion(exportacion_id: int) -> None:
    _en_contexto(generar, exportacion_id)


@huey.task()
def procesar_carga_trabajadores(carga_id: int) -> None:
    _en_contexto(carga_trabajadores.ejecutar, carga_id)


@huey.task()
def revisar_carga_capturistas(carga_id: int) -> None:
    _en_contexto(carga_capturistas.ejecutar_revision, carga_id)


def _guardar_carga_capturistas(carga_id: int) -> None:
    carga_capturistas.ejecutar_guardado(carga_id)  # its progress: the carga's creadas, batch after batch
    enviar_todos()  # the activation e-mails it queued


@huey.task()
def guardar_carga_capturistas(carga_id: int) -> None:
    _en_contexto(_guardar_carga_capturistas, carga_id)


@huey.task()
def despachar_correos() -> None:
    """Deliver the outbox now, off the request: flows that must not reveal by their timing whether
    a message was queued (registro, recuperar contraseña) always ask for this, and so does a carga
    masiva's Guardar (all of its e-mails, batch after batch)."""
    _en_contexto(enviar_todos)


def pedir_envio_de_correos() -> None:
    """Ask the worker to deliver the outbox now. A queue that cannot be reached only delays the
    messages (the every-minute retry delivers them): never an error for the request."""
    try:
        despachar_correos()
    except Exception:  # any queue failure means the same: the periodic retry will deliver them
        log.warning("No se pudo encolar el envío inmediato de correos; el reintento periódico los enviará.",
                    exc_info=True)


@huey.periodic_task(crontab(minute="*"))
def enviar_correos_pendientes() -> None:
    """Retry e-mails the outbox still holds (SMTP was down): the one schedule of the retries."""
    _en_contexto(enviar_pendientes)


@huey.periodic_task(crontab(minute="*/15"))
def limpiar_exportaciones() -> None:
    """Files past their retention: exports, and the carga masiva's rejected rows (the same retention)."""
    _en_contexto(limpiar_vencidas)
    _en_contexto(carga_trabajadores.limpiar_vencidas)
    _en_contexto(carga_capturistas.limpiar_vencidas)


def en_hora_de_mexico(prueba):
    """A crontab read on Mexico City's clock: Huey (utc=True) hands periodic tasks a naive UTC time."""
    def validar(momento: datetime) -> bool:
        return prueba(momento.replace(tzinfo=timezone.utc).astimezone(ZONA).replace(tzinfo=None))
    return validar


# Early enough that the day's reminders are in the inbox when the day starts. A failed run is retried:
# each reminder still goes at most once (services/recordatorios.py).
@huey.periodic_task(en_hora_de_mexico(crontab(minute="0", hour="6")), retries=3, retry_delay=600)
def enviar_recordatorios() -> None:
    """Reminders of the informativa's deadline, RECORDATORIO_DIAS days before it."""
    _en_contexto(recordatorios.enviar_recordatorios)
