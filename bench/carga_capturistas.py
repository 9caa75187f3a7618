"""Benchmark of the carga masiva de capturistas (issue 16): 1,000 rows, their preview and their Guardar.

For SQLite (a temporary file) and PostgreSQL (by default the database ``icsoe_carga_capturistas``, created and
owned by the role apptest through ``postgresql+psycopg://apptest:apptest@127.0.0.1:5432/apptest``; or any
database given with ``--url-pg``, whose schema is emptied first) it migrates a fresh database, loads a local
padrón of the file's 1,000 people and then, each time for a new contractor (so the same 1,000 CURPs are new
to it), times the service on a CSV and on an .xlsx of 1,000 valid rows:

  vista previa  ``recibir`` with CARGA_CAPTURISTAS_UMBRAL = 1,000 (inline, as the upload's POST runs it):
                lectura (the file into rows), celdas (Alta's rules on every cell and the repeats in the file),
                base y padrón (the contractor's capturistas in one query, the allowance of lookups, the local
                padrón in batched ``WHERE curp IN (...)``), and the rest (the carga's row, 1,000 rows in one
                executemany, commit)
  guardar       ``confirmar`` (the claim, then the batches of LOTE rows): people, relations and bitácora
                (lotes, without the e-mails) and the 1,000 activation e-mails rendered into the outbox (correos)

and the two POSTs through the app (the upload until its 303, Guardar until its 303; login excluded). It prints
seconds per phase (the best of the repetitions and their median) and each total against the goal: under 3 s.
Nothing is asserted.

    .venv/bin/python bench/carga_capturistas.py                 # SQLite and PostgreSQL, 3 repetitions
    .venv/bin/python bench/carga_capturistas.py --solo sqlite --repeticiones 5
    .venv/bin/python bench/carga_capturistas.py --url-pg postgresql+psycopg://apptest:apptest@127.0.0.1:5432/apptest6
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0]: the project root instead, so the app's packages import.
sys.path[:] = [str(RAIZ), *(p for p in sys.path if Path(p or ".").resolve() != RAIZ / "bench")]

BASE_PG = "icsoe_carga_capturistas"
FILAS = 1000
META = 3.0  # seconds, each of the preview and Guardar
FASES_VISTA = ("lectura", "celdas", "base y padrón", "resto")
FASES_GUARDAR = ("lotes", "correos", "resto")


def _url_pg(url: str | None) -> str:
    """``url`` with its schema emptied, or a new database of its own."""
    import psycopg

    from bench.carga import _libpq, base_nueva

    if not url:
        return base_nueva(BASE_PG)
    with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5) as con:
        con.execute("DROP SCHEMA IF EXISTS public CASCADE")
        con.execute("CREATE SCHEMA public")
    return url


def _app(url: str, carpeta: Path):
    from bench.carga import app_migrada

    return app_migrada(url, CARGA_DIR=str(carpeta), CARGA_CAPTURISTAS_UMBRAL=FILAS, RATELIMIT_STORAGE_URI="memory://",
                       BASE_URL="https://icsoe.example")


def _sembrar(app) -> list:
    """The local padrón of the file's 1,000 people."""
    from domain.padron_ficticio import generar_personas
    from extensions import db
    from models import PersonaPadron

    with app.app_context():
        personas = list(generar_personas(FILAS, 16))
        db.session.execute(PersonaPadron.__table__.insert(), [
            {"curp": p.curp, "nombre": p.nombre, "primer_apellido": p.primer_apellido,
             "segundo_apellido": p.segundo_apellido, "fecha_nacimiento": p.fecha_nacimiento, "sexo": p.sexo,
             "entidad": p.entidad} for p in personas])
        db.session.commit()
        return personas


def _contratista(app) -> tuple[int, str]:
    from tests.factories import crear_contratista

    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios de Alta Masiva, S.A. de C.V.")
        return contratista.id, contratista.rfc


def _archivos(personas) -> dict[str, bytes]:
    from tests.ayudantes import csv_de, xlsx_de

    filas = [(p.curp, f"55{i:08d}", f"capturista{i}@correo.example") for i, p in enumerate(personas)]
    encabezados = ("CURP", "Teléfono", "Correo electrónico")
    return {"csv": csv_de(encabezados, filas), "xlsx": xlsx_de(encabezados, filas)}


@contextmanager
def _cronometrar(tiempos: dict[str, float], funciones: dict[str, tuple[object, str]]):
    """Time the service's steps by wrapping the functions it calls (the service is not changed):
    ``funciones`` maps a phase to (module, function name)."""
    originales = {fase: (modulo, nombre, getattr(modulo, nombre)) for fase, (modulo, nombre) in funciones.items()}

    def medir(fase, funcion):
        def envoltura(*args, **kwargs):
            t = time.perf_counter()
            try:
                return funcion(*args, **kwargs)
            finally:
                tiempos[fase] = tiempos.get(fase, 0.0) + time.perf_counter() - t
        return envoltura

    for fase, (modulo, nombre, funcion) in originales.items():
        setattr(modulo, nombre, medir(fase, funcion))
    try:
        yield
    finally:
        for modulo, nombre, funcion in originales.values():
            setattr(modulo, nombre, funcion)


def _una_vez(app, formato: str, datos: bytes) -> tuple[dict[str, float], dict[str, float]]:
    from werkzeug.datastructures import FileStorage

    from extensions import db
    from models import CargaCapturistas, Contratista
    from services import capturistas as alta
    from services import carga_capturistas as srv

    contratista_id, rfc = _contratista(app)
    vista: dict[str, float] = {}
    with app.app_context():
        contratista = db.session.get(Contratista, contratista_id)
        archivo = FileStorage(io.BytesIO(datos), filename=f"capturistas.{formato}")
        with _cronometrar(vista, {"lectura": (srv, "leer"), "celdas": (srv, "revisar_celdas"),
                                  "base y padrón": (srv, "revisar_contra_la_base")}):
            t = time.perf_counter()
            carga_id, en_segundo_plano = srv.recibir(contratista, archivo, f"contratista:{rfc}")
            vista["total"] = time.perf_counter() - t
        vista["resto"] = vista["total"] - sum(vista[f] for f in FASES_VISTA[:-1])
        carga = db.session.get(CargaCapturistas, carga_id)
        assert not en_segundo_plano and carga.validas == FILAS, (carga.validas, carga.rechazadas)
        db.session.remove()

    guardar: dict[str, float] = {}
    with app.app_context():
        carga = db.session.get(CargaCapturistas, carga_id)
        with _cronometrar(guardar, {"lotes": (srv, "_guardar_lote"), "correos": (alta, "encolar_liga")}):
            t = time.perf_counter()
            assert srv.confirmar(carga) is False
            guardar["total"] = time.perf_counter() - t
        guardar["lotes"] -= guardar["correos"]  # the e-mails are rendered inside the batches
        guardar["resto"] = guardar["total"] - guardar["lotes"] - guardar["correos"]
        carga = db.session.get(CargaCapturistas, carga_id)
        assert carga.estado == "guardada" and carga.creadas == FILAS, (carga.estado, carga.creadas)
        db.session.remove()
    return vista, guardar


def _peticiones(app, formato: str, datos: bytes) -> tuple[float, float]:
    """The contractor's two POSTs through the app, inline: the upload until its 303, Guardar until its 303."""
    from tests.ayudantes import csrf_de, iniciar_sesion

    _, rfc = _contratista(app)
    cliente = app.test_client()
    iniciar_sesion(cliente, rfc)
    url = "/administracion/alta-usuarios/carga-masiva"
    token = csrf_de(cliente.get(url))
    t = time.perf_counter()
    r = cliente.post(url, data={"csrf_token": token, "archivo": (io.BytesIO(datos), f"capturistas.{formato}")},
                     content_type="multipart/form-data")
    subida = time.perf_counter() - t
    assert r.status_code == 303, r.status_code
    carga = r.headers["Location"]
    token = csrf_de(cliente.get(carga))
    t = time.perf_counter()
    r = cliente.post(carga, data={"csrf_token": token})
    guardado = time.perf_counter() - t
    assert r.status_code == 303, r.status_code
    return subida, guardado


def _imprimir(titulo: str, fases: tuple[str, ...], corridas: list[dict[str, float]]) -> None:
    print(f"    {titulo}:")
    for fase in (*fases, "total"):
        valores = [c.get(fase, 0.0) for c in corridas]
        print(f"      {fase:13} mejor {min(valores):7.3f} s   mediana {statistics.median(valores):7.3f} s")
    mediana = statistics.median(c["total"] for c in corridas)
    print(f"      meta: menos de {META:.0f} s → {'cumple' if mediana < META else 'NO cumple'} (mediana {mediana:.3f} s)")


def medir(nombre: str, url: str, repeticiones: int) -> None:
    import tareas

    tareas.pedir_envio_de_correos = lambda: None  # no queue to ask in a benchmark: the e-mails stay in the outbox
    with tempfile.TemporaryDirectory(prefix="carga-capturistas-") as carpeta:
        app = _app(url, Path(carpeta))
        archivos = _archivos(_sembrar(app))
        print(f"\n{nombre}: {FILAS:,} filas válidas, padrón local de {FILAS:,} personas, {repeticiones} repeticiones "
              "(cada una de un contratista nuevo)")
        print(f"  archivos: CSV {len(archivos['csv']) / 1024:,.0f} KB, xlsx {len(archivos['xlsx']) / 1024:,.0f} KB")
        for formato, datos in archivos.items():
            _una_vez(app, formato, datos)  # warm-up (imports, templates, plans)
            corridas = [_una_vez(app, formato, datos) for _ in range(repeticiones)]
            print(f"  {formato}:")
            _imprimir("vista previa", FASES_VISTA, [v for v, _ in corridas])
            _imprimir("guardar", FASES_GUARDAR, [g for _, g in corridas])
            peticiones = [_peticiones(app, formato, datos) for _ in range(max(1, repeticiones // 2))]
            print(f"    POST de la subida (hasta el 303 de la vista previa): mediana "
                  f"{statistics.median(p[0] for p in peticiones):.3f} s; POST de Guardar {FILAS:,} capturistas: "
                  f"mediana {statistics.median(p[1] for p in peticiones):.3f} s")
        with app.app_context():
            from extensions import db

            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solo", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeticiones", type=int, default=3)
    parser.add_argument("--url-pg", help="a PostgreSQL database to use (its schema is emptied first)")
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.solo in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="carga-capturistas-db-") as carpeta:
            medir("SQLite", f"sqlite:///{Path(carpeta) / 'bench.db'}", args.repeticiones)
    if args.solo in (None, "postgresql"):
        medir("PostgreSQL", _url_pg(args.url_pg), args.repeticiones)


if __name__ == "__main__":
    main()
