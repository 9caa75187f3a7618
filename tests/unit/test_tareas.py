"""Huey wiring: the queue comes from ``Config``, and a consumer builds its Flask app once, as it starts."""
import threading
import time

import pytest

import tareas
from config import Config


@pytest.mark.skipif(bool(Config.REDIS_URL), reason="REDIS_URL is set: the queue is Redis")
def test_la_cola_sale_de_config():
    assert tareas.huey.storage.filename == Config.HUEY_SQLITE
    assert tareas.huey.immediate is Config.HUEY_IMMEDIATE


def test_cada_consumidor_construye_su_app_una_vez(monkeypatch):
    """Three thread workers start together: the startup hook builds one app, in a worker."""
    construidas = []
    app = object()

    def crear_app():
        construidas.append(threading.current_thread().name)
        time.sleep(0.05)  # the other workers start meanwhile
        return app

    monkeypatch.setattr(tareas, "create_app", crear_app)
    tareas.usar_app(None)
    consumidor = tareas.huey.create_consumer(workers=3, worker_type="thread", periodic=False,
                                             initial_delay=0.05, max_delay=0.2, check_worker_health=False)
    consumidor.start()
    try:
        limite = time.monotonic() + 10
        while not construidas and time.monotonic() < limite:
            time.sleep(0.02)
        time.sleep(0.3)
    finally:
        consumidor.stop(graceful=True)
        construida = tareas._app
        tareas.usar_app(None)
    assert len(construidas) == 1 and construidas[0].startswith("Worker")
    assert construida is app
