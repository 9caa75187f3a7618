"""Benchmark of the carga masiva de trabajadores (issue 14): 3,000 rows into one contract.

For SQLite (a temporary file) and PostgreSQL (the database ``icsoe_carga_masiva``, created and owned by
the role apptest through ``postgresql+psycopg://apptest:apptest@127.0.0.1:5432/apptest``; the role has
CREATEDB) it migrates a fresh database, loads a padrón of the 3,000 people of the file, creates an
informativa, and then, each time into a new empty contract, times the service's phases on a CSV and on
an .xlsx of 3,000 valid rows:

  lectura     ``leer``: the file into rows (decoding, separator, header; for .xlsx the zip checks and openpyxl)
  preparación the informativa locked and the job's row written, as the POST does
  validación  ``revisar``: NSS, CURP, SBC of every row and repeats inside the file
  padrón      ``buscar_personas``: the local padrón in batched ``WHERE curp IN (...)`` queries
  contrato    the informativa locked again by ``procesar`` and the contract's NSS/CURP read (one query)
  inserción   ``agregar_trabajadores``: one executemany, version and bitácora
  commit

and the whole POST of a capturista (multipart upload through the app with CARGA_UMBRAL = 3,000, so it runs
inline; login excluded). It prints seconds per phase (the best of the repetitions and their median) and
the total against the goal: under 2 s for parse + validate + insert. Nothing is asserted.

    .venv/bin/python bench/carga_masiva.py                 # SQLite and PostgreSQL, 5 repetitions
    .venv/bin/python bench/carga_masiva.py --solo sqlite --repeticiones 3
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
# Run as a script, this folder is sys.path[0]: the project root instead, so the app's packages import.
sys.path[:] = [str(RAIZ), *(p for p in sys.path if Path(p or ".").resolve() != RAIZ / "bench")]

BASE_PG = "icsoe_carga_masiva"
FILAS = 3000
META = 2.0  # seconds: parse + validate + insert
FASES = ("lectura", "preparación", "validación", "padrón", "contrato", "inserción", "commit")


def _url_pg() -> str:
    from bench.carga import base_nueva

    return base_nueva(BASE_PG)


def _app(url: str, carpeta: Path):
    from bench.carga import app_migrada

    return app_migrada(url, CARGA_DIR=str(carpeta), CARGA_UMBRAL=FILAS)


def _sembrar(app):
    """A contractor with a capturista, the padrón of the file's 3,000 people, a draft informativa."""
    from domain.padron_ficticio import generar_personas
    from domain.periodos import Periodo
    from extensions import db
    from models import PersonaPadron
    from models.types import ahora_utc
    from services import informativas as srv
    from tests.factories import crear_capturista_activo, crear_contratista

    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios de Carga Masiva, S.A. de C.V.")
        crear_capturista_activo(contratista)
        personas = list(generar_personas(FILAS, 14))
        db.session.execute(PersonaPadron.__table__.insert(), [
            {"curp": p.curp, "nombre": p.nombre, "primer_apellido": p.primer_apellido,
             "segundo_apellido": p.segundo_apellido, "fecha_nacimiento": p.fecha_nacimiento, "sexo": p.sexo,
             "entidad": p.entidad} for p in personas])
        informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", "bench", ahora_utc())
        db.session.commit()
        return contratista.id, informativa.id, personas


def _contrato(app, informativa_id: int) -> int:
    from extensions import db
    from models import Informativa
    from services import informativas as srv
    from tests.factories import rfc_valido

    with app.app_context():
        informativa = db.session.get(Informativa, informativa_id)
        contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente, S.A.",
            correo_contratante="c@cliente.example", telefono_contratante="5512341234", objeto="Limpieza",
            servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None), "bench")
        db.session.commit()
        return contrato.id


def _archivos(personas) -> dict[str, bytes]:
    from domain.nss import completar
    from tests.ayudantes import csv_de, xlsx_de

    filas = [(completar(f"{i + 1:010d}"), p.curp, f"{300 + i % 500}.{i % 100:02d}") for i, p in enumerate(personas)]
    encabezados = ("NSS", "CURP", "SBC")
    return {"csv": csv_de(encabezados, filas), "xlsx": xlsx_de(encabezados, filas)}


@contextmanager
def _cronometrar(tiempos: dict[str, float]):
    """Time the phases of ``procesar`` by wrapping the functions it calls (the service is not changed)."""
    from services import carga_trabajadores as carga
    from services import informativas as srv

    originales = {"revisar": carga.revisar, "buscar_personas": carga.buscar_personas,
                  "_contra_el_contrato": carga._contra_el_contrato}
    agregar = srv.agregar_trabajadores

    def medir(nombre, funcion):
        def envoltura(*args, **kwargs):
            t = time.perf_counter()
            try:
                return funcion(*args, **kwargs)
            finally:
                tiempos[nombre] = tiempos.get(nombre, 0.0) + time.perf_counter() - t
        return envoltura

    carga.revisar = medir("validación", originales["revisar"])
    carga.buscar_personas = medir("padrón", originales["buscar_personas"])
    carga._contra_el_contrato = medir("contrato", originales["_contra_el_contrato"])
    srv.agregar_trabajadores = medir("inserción", agregar)
    try:
        yield
    finally:
        for nombre, funcion in originales.items():
            setattr(carga, nombre, funcion)
        srv.agregar_trabajadores = agregar


def _una_vez(app, informativa_id: int, formato: str, datos: bytes, actor: str) -> dict[str, float]:
    from extensions import db
    from models import CargaTrabajadores, Contrato, Informativa
    from services import carga_trabajadores as carga
    from services.padron import padron_configurado

    contrato_id = _contrato(app, informativa_id)
    tiempos: dict[str, float] = {}
    with app.app_context():
        inicio = time.perf_counter()
        filas = carga.leer(datos, f"trabajadores.{formato}")
        tiempos["lectura"] = time.perf_counter() - inicio
        # What the POST does around it: the informativa locked, the job's row.
        t = time.perf_counter()
        informativa = db.session.scalar(db.select(Informativa).where(Informativa.id == informativa_id)
                                        .with_for_update())
        contrato = db.session.get(Contrato, contrato_id)
        registro = CargaTrabajadores(contrato_id=contrato.id, informativa_id=informativa.id, solicitante=actor,
                                     nombre_archivo=f"trabajadores.{formato}", total=len(filas))
        db.session.add(registro)
        db.session.flush()
        tiempos["preparación"] = time.perf_counter() - t
        with _cronometrar(tiempos):
            t = time.perf_counter()
            rechazos = carga.procesar(registro, filas, padron_configurado())
            resto = time.perf_counter() - t
        t = time.perf_counter()
        db.session.commit()
        tiempos["commit"] = time.perf_counter() - t
        tiempos["contrato"] = tiempos.get("contrato", 0.0) + resto - sum(
            tiempos.get(f, 0.0) for f in ("validación", "padrón", "contrato", "inserción"))
        tiempos["total"] = time.perf_counter() - inicio
        assert rechazos is None and registro.aceptadas == FILAS, (registro.aceptadas, registro.rechazadas)
        db.session.remove()
    return tiempos


def _peticion(app, informativa_id: int, formato: str, datos: bytes) -> float:
    """The capturista's POST of the file, inline (CARGA_UMBRAL = 3,000), until the 303."""
    from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion_capturista

    contrato_id = _contrato(app, informativa_id)
    cliente = app.test_client()
    iniciar_sesion_capturista(cliente)
    with app.app_context():
        from extensions import db
        from models import Informativa

        contratista_id = db.session.get(Informativa, informativa_id).contratista_id
        db.session.remove()
    elegir_contratista(cliente, contratista_id)
    url = f"/capturista/informativas/{informativa_id}/contratos/{contrato_id}/carga-masiva"
    token = csrf_de(cliente.get(url))
    t = time.perf_counter()
    r = cliente.post(url, data={"csrf_token": token, "archivo": (io.BytesIO(datos), f"trabajadores.{formato}")},
                     content_type="multipart/form-data")
    segundos = time.perf_counter() - t
    assert r.status_code == 303, r.status_code
    return segundos


def medir(nombre: str, url: str, repeticiones: int) -> None:
    with tempfile.TemporaryDirectory(prefix="carga-masiva-") as carpeta:
        app = _app(url, Path(carpeta))
        _, informativa_id, personas = _sembrar(app)
        archivos = _archivos(personas)
        print(f"\n{nombre}: {FILAS:,} filas válidas, padrón de {FILAS:,} personas, {repeticiones} repeticiones "
              "(cada una en un contrato nuevo)")
        print(f"  archivos: CSV {len(archivos['csv']) / 1024:,.0f} KB, xlsx {len(archivos['xlsx']) / 1024:,.0f} KB")
        for formato, datos in archivos.items():
            _una_vez(app, informativa_id, formato, datos, "bench")  # warm-up (imports, caches, plans)
            corridas = [_una_vez(app, informativa_id, formato, datos, "bench") for _ in range(repeticiones)]
            print(f"  {formato}:")
            for fase in (*FASES, "total"):
                valores = [c.get(fase, 0.0) for c in corridas]
                print(f"    {fase:11} mejor {min(valores):7.3f} s   mediana {statistics.median(valores):7.3f} s")
            mediana = statistics.median(c["total"] for c in corridas)
            print(f"    meta: menos de {META:.0f} s → {'cumple' if mediana < META else 'NO cumple'} "
                  f"(mediana {mediana:.3f} s)")
            peticiones = [_peticion(app, informativa_id, formato, datos) for _ in range(max(1, repeticiones // 2))]
            print(f"    POST completo (subida, CSRF, sesión, lectura, validación, inserción, 303): "
                  f"mediana {statistics.median(peticiones):.3f} s")
        with app.app_context():
            from extensions import db

            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solo", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeticiones", type=int, default=5)
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.solo in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="carga-masiva-db-") as carpeta:
            medir("SQLite", f"sqlite:///{Path(carpeta) / 'bench.db'}", args.repeticiones)
    if args.solo in (None, "postgresql"):
        medir("PostgreSQL", _url_pg(), args.repeticiones)


if __name__ == "__main__":
    main()
