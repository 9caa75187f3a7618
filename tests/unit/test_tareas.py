"""Huey wiring: the queue comes from ``Config`` (a SQLite file, or Redis with REDIS_URL), and a
consumer builds its Flask app once, as it starts."""
import threading
import time

from huey import RedisHuey, SqliteHuey

import tareas
from config import Config


def test_sin_redis_la_cola_es_un_archivo_sqlite(monkeypatch, tmp_path):
    ruta = tmp_path / "nueva" / "huey.sqlite"
    monkeypatch.setattr(Config, "REDIS_URL", None)
    monkeypatch.setattr(Config, "HUEY_SQLITE", str(ruta))
    cola = tareas._crear_huey()
    assert isinstance(cola, SqliteHuey) and cola.storage.filename == str(ruta) and ruta.parent.is_dir()
    assert cola.immediate is Config.HUEY_IMMEDIATE


def test_con_redis_url_la_cola_es_ese_redis(monkeypatch, redis_url):
    monkeypatch.setattr(Config, "REDIS_URL", redis_url)
    cola = tareas._crear_huey()
    assert isinstance(cola, RedisHuey)
    assert cola.storage.conn.ping()
    cola.storage.enqueue(b"tarea")
    # The queue lives in that server: another process's RedisHuey of the same URL sees the task.
    assert RedisHuey("capturistas-icsoe", url=redis_url).pending_count() == 1


def test_cada_consumidor_construye_su_app_una_vez(monkeypatch, cola_huey):
    """Three thread workers start together: the startup hook builds one app, in a worker."""
    construidas = []
    app = object()

    def crear_app():
        construidas.append(threading.current_thread().name)
        time.sleep(0.05)  # the other workers start meanwhile
        return app

    monkeypatch.setattr(tareas, "create_app", crear_app)
    tareas.usar_app(None)
    consumidor = cola_huey.create_consumer(workers=3, worker_type="thread", periodic=False,
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
