"""Benchmark of Firmar y presentar (issue 15) on the largest informativa: 50 contracts × 3,000 workers.

For SQLite (a temporary file) and PostgreSQL (the database ``icsoe_firma``, created for the role apptest
like bench/carga_masiva.py's) it migrates a fresh database, seeds the informativa with bench/informativa.py,
makes a test e.firma (tests/efirma.py: a CA of its own, a FIEL of the contractor) and times, the best and
median of the repetitions:

  presentar     ``services.presentacion.presentar``: the checklist, the cadena original streamed into
                SHA-256 (about 14 MB of text), the RSA signature, the acuse and the commit
  verificar     ``services.presentacion.verificar``: the cadena rebuilt from the database and the sello checked
  pdf           the acuse as PDF
  corrección    ``crear_correccion``: a complementaria with a copy of the 150,000 workers (INSERT … SELECT)

and the process's peak memory (ru_maxrss) at the end. Each repetition presents a fresh copy (the
corrección of the previous one, sent to signature), so every figure is of a 150,000-worker informativa.
Nothing is asserted.

    .venv/bin/python bench/firma.py                 # SQLite and PostgreSQL, 3 repetitions
    .venv/bin/python bench/firma.py --solo sqlite --repeticiones 2
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path[:] = [str(RAIZ), *(p for p in sys.path if Path(p or ".").resolve() != RAIZ / "bench")]

BASE_PG = "icsoe_firma"


def _url_pg() -> str:
    from bench.carga import base_nueva

    return base_nueva(BASE_PG)


def _app(url: str, carpeta: Path):
    from bench.carga import app_migrada

    return app_migrada(url, EFIRMA_CA_DIR=str(carpeta))


def _medir(motor: str, url: str, repeticiones: int) -> dict[str, list[float]]:
    from bench import informativa as semilla
    from domain import efirma
    from extensions import db
    from models import Informativa
    from models.types import ahora_utc
    from services import acuse as acuse_srv
    from services import presentacion
    from tests.efirma import autoridad, fiel
    from tests.factories import crear_contratista

    tiempos: dict[str, list[float]] = {"presentar": [], "verificar": [], "pdf": [], "corrección": []}
    with tempfile.TemporaryDirectory() as carpeta:
        app = _app(url, Path(carpeta))
        with app.app_context():
            contratista = crear_contratista(razon_social="Servicios de Firma, S.A. de C.V.")
            contratista_id, rfc = contratista.id, contratista.rfc
            db.session.remove()
        informativa_id = semilla.sembrar(motor, url, contratista_id)
        ca = autoridad()
        cer, key, password = fiel(ca, rfc=rfc)
        with app.app_context(), app.test_request_context():
            firma = efirma.abrir(cer, key, password, autoridades=[ca[0]], ahora=ahora_utc(), rfc_esperado=rfc)
            for _ in range(repeticiones):
                informativa = db.session.get(Informativa, informativa_id, with_for_update=True)
                informativa.estado = Informativa.ENVIADA
                db.session.commit()
                contratista = db.session.get(type(contratista), contratista_id)
                informativa = db.session.get(Informativa, informativa_id, with_for_update=True)
                t0 = time.perf_counter()
                acuse = presentacion.presentar(informativa, contratista, firma, informativa.version, "bench")
                tiempos["presentar"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                assert presentacion.verificar(acuse.folio).valida
                tiempos["verificar"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                acuse_srv.pdf(acuse)
                tiempos["pdf"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                informativa_id = presentacion.crear_correccion(
                    db.session.get(Informativa, informativa_id, with_for_update=True), "bench").id
                tiempos["corrección"].append(time.perf_counter() - t0)
                db.session.remove()
    return tiempos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--solo", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeticiones", type=int, default=3)
    args = parser.parse_args()
    motores = [args.solo] if args.solo else ["sqlite", "postgresql"]
    for motor in motores:
        with tempfile.TemporaryDirectory() as carpeta:
            url = f"sqlite:///{carpeta}/firma.db" if motor == "sqlite" else _url_pg()
            tiempos = _medir(motor, url, min(args.repeticiones, 4))  # a period takes 4 complementarias at most
        print(f"\n{motor}: informativa de 150,000 trabajadores, {len(tiempos['presentar'])} repeticiones")
        for fase, valores in tiempos.items():
            print(f"  {fase:<11} mejor {min(valores):6.2f} s   mediana {statistics.median(valores):6.2f} s")
    print(f"\nmemoria máxima del proceso: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
