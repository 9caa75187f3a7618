"""Where one Consulta page's time goes, in-process (issue 13: "say precisely which part of the
remaining cost is left"). On the database bench/http_wrk.py seeded (100,000 capturistas of one contractor:
run ``bench/http_wrk.py`` once first), logged in as that contractor, it times the grid's htmx fragment
through Flask's test client and, inside the same requests, each part of it:

- the whole request (Flask + Werkzeug + session cookie + Flask-Login + the view + the response);
- a bare Flask view answering "hola" through the same test client (the floor of any request);
- the session's user (``cargar_usuario``: one query for the contractor with its Datos Generales);
- the grid's page (``services.consulta.pagina``: building the statement, running it, wrapping 50 rows);
- the caption's count (``contar_hasta``);
- rendering the fragment (``render_block`` of 50 rows);
- compressing it with zstd (what a browser asks for).

    .venv/bin/python bench/desglose.py            # SQLite /tmp/icsoe-http.db
    .venv/bin/python bench/desglose.py --bd postgres
"""
from __future__ import annotations

import os
import sys

_AQUI = os.path.dirname(os.path.abspath(__file__))
RAIZ = os.path.dirname(_AQUI)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _AQUI]
if RAIZ not in sys.path:
    sys.path.insert(0, RAIZ)

import argparse
import re
import statistics
import time
from contextlib import contextmanager

REPETICIONES = 400


def _medir(funcion, n: int = REPETICIONES) -> float:
    """Median ms of ``n`` calls after 30 warm-up calls."""
    for _ in range(30):
        funcion()
    tiempos = []
    for _ in range(n):
        inicio = time.perf_counter()
        funcion()
        tiempos.append((time.perf_counter() - inicio) * 1000)
    return statistics.median(tiempos)


@contextmanager
def _cronometrar(modulo, nombre: str, medidas: dict):
    """Wrap ``modulo.nombre`` so every call inside the requests records its time."""
    original = getattr(modulo, nombre)

    def envoltura(*args, **kwargs):
        inicio = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            medidas.setdefault(nombre, []).append((time.perf_counter() - inicio) * 1000)

    setattr(modulo, nombre, envoltura)
    try:
        yield
    finally:
        setattr(modulo, nombre, original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bd", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    from bench import carga
    from bench.http_wrk import BASE_PG, GRID, HX_GRID, LOGIN, RUTA_SQLITE, USER_AGENT, _rfc

    if args.bd == "sqlite":
        if not RUTA_SQLITE.exists():
            raise SystemExit(f"No existe {RUTA_SQLITE}: corre antes .venv/bin/python bench/http_wrk.py --bd sqlite")
        url = f"sqlite:///{RUTA_SQLITE}"
    else:
        url = carga._url(BASE_PG)  # seeded by bench/http_wrk.py --bd postgres
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "desglose-" + "x" * 40)
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("FLASK_DEBUG", "0")

    from backports import zstd
    from flask import Flask

    import blueprints.htmx as htmx
    import services.consulta as grid
    from app import create_app

    app = create_app()
    cliente = app.test_client()
    ua = {"User-Agent": USER_AGENT}
    pagina = cliente.get(LOGIN, headers=ua).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', pagina).group(1)
    r = cliente.post(LOGIN, data={"csrf_token": token, "rfc": _rfc(), "password": carga.CLAVE}, headers=ua)
    if r.status_code != 303:
        raise SystemExit(f"no se pudo iniciar sesión: HTTP {r.status_code}")
    cabeceras = {**ua, **HX_GRID}
    respuesta = cliente.get(GRID, headers=cabeceras)
    filas = respuesta.get_data(as_text=True).count('<tbody id="capturista-')
    if respuesta.status_code != 200 or filas != 50:
        raise SystemExit(f"la consulta no respondió 50 filas: HTTP {respuesta.status_code}, {filas}")

    desnuda = Flask("desnuda")
    desnuda.add_url_rule("/", "hola", lambda: "hola")
    cliente_desnudo = desnuda.test_client()

    total = _medir(lambda: cliente.get(GRID, headers=cabeceras))
    piso = _medir(lambda: cliente_desnudo.get("/"))
    medidas: dict[str, list[float]] = {}
    # Flask-Login keeps the loader it was given at create_app; the view calls grid.* and htmx.render_block.
    with _cronometrar(app.login_manager, "_user_callback", medidas), _cronometrar(grid, "pagina", medidas), \
            _cronometrar(grid, "contar_hasta", medidas), _cronometrar(htmx, "render_block", medidas):
        _medir(lambda: cliente.get(GRID, headers=cabeceras))
    cuerpo = respuesta.get_data()
    comprimir = _medir(lambda: zstd.compress(cuerpo, 3))

    partes = [("usuario de la sesión (cargar_usuario: 1 consulta)", "_user_callback"),
              ("página de la consulta (pagina: sentencia + ejecución + 50 filas)", "pagina"),
              ("conteo del encabezado (contar_hasta)", "contar_hasta"),
              ("render del fragmento (render_block, 50 filas)", "render_block")]
    print(f"{'SQLite' if args.bd == 'sqlite' else 'PostgreSQL'}: fragmento htmx de Consulta, primera página, "
          f"{len(cuerpo):,} bytes; mediana de {REPETICIONES} peticiones con el cliente de pruebas de Flask")
    print(f"{'parte':66} {'ms':>7} {'%':>6}")
    suma = 0.0
    for etiqueta, clave in partes:
        ms = statistics.median(medidas.get(clave, [0.0])[30:] or [0.0])
        suma += ms
        print(f"{etiqueta:66} {ms:7.3f} {ms / total * 100:5.1f}%")
    resto = total - suma
    print(f"{'resto: Flask, Werkzeug, cookie de sesión, CSRF, encabezados':66} {resto:7.3f} {resto / total * 100:5.1f}%")
    print(f"{'  de él, el piso de cualquier petición (Flask desnudo: «hola»)':66} {piso:7.3f}")
    print(f"{'petición completa':66} {total:7.3f} 100.0%")
    print(f"{'además, con un navegador: compresión zstd de la respuesta':66} {comprimir:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
