"""Background work with Huey: large Excel exports, e-mail retries, cleanup of expired files.

Storage: SQLite (``HUEY_SQLITE``, default ``instance/huey.sqlite``: nothing to install), or Redis
when ``REDIS_URL`` is set so several app servers share the workers. Run the consumer with

    .venv/bin/huey_consumer tareas.huey --workers 2 --worker-type thread

(`make run` starts it beside the web server).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

BASE_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def _crear_huey():
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("capturistas-icsoe", url=url)
    ruta = Path(os.environ.get("HUEY_SQLITE") or BASE_DIR / "instance" / "huey.sqlite")
    ruta.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("capturistas-icsoe", filename=str(ruta), immediate=os.environ.get("HUEY_IMMEDIATE") == "1")


huey = _crear_huey()
_app = None


def usar_app(app) -> None:
    """Run tasks inside this Flask app (tests; by default the worker builds its own)."""
    global _app
    _app = app


def _app_de_tareas():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def _en_contexto(funcion, *args):
    from extensions import db

    with _app_de_tareas().app_context():
        try:
            return funcion(*args)
        finally:
            db.session.remove()


@huey.task()
def generar_exportacion(exportacion_id: int) -> None:
    from services.exportar import generar

    _en_contexto(generar, exportacion_id)


@huey.task()
def despachar_correos() -> None:
    """Deliver the outbox now, off the request: flows that must not reveal by their timing whether
    a message was queued (registro, recuperar contraseña) always ask for this."""
    from services.correo import enviar_pendientes

    _en_contexto(enviar_pendientes)


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
    """Retry e-mails the outbox still holds (SMTP was down): the schedule `flask correos enviar` also serves."""
    from services.correo import enviar_pendientes

    _en_contexto(enviar_pendientes)


@huey.periodic_task(crontab(minute="*/15"))
def limpiar_exportaciones() -> None:
    from services.exportar import limpiar_vencidas

    _en_contexto(limpiar_vencidas)
