"""Benchmark of Exportar Excel (issue 6).

Seeds a SQLite file (schema from the migrations) with one contractor of 10,000 capturistas and
one of 100,000. For each size it runs, each in a fresh process so peak memory is its own:
  * app  — the Huey task body the worker runs (`tareas.generar_exportacion.call_local`): batched
           read, write-only workbook with styles, dates, formula guard, progress commits;
  * bare — raw sqlite3 rows (dates turned into date objects) appended to a bare openpyxl write_only
           sheet: no title, no header styles, no widths, no formula guard, no progress, no time zone.
It prints wall time, peak RSS, the app/bare time ratio, and the app's peak growth from 10k to 100k.

    .venv/bin/python bench/exportar.py            # seeds /tmp/icsoe-bench-export.db once (~10 s)
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

TAMANOS = {2: 10_000, 1: 100_000}  # contratista id → capturistas


def sembrar(ruta: Path) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from bench.consulta import APELLIDOS, NOMBRES, _volcar
    from config import Config
    from domain.texto import clave_busqueda, clave_orden_nombre
    from extensions import db

    ruta.unlink(missing_ok=True)
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{ruta}", SECRET_KEY=secrets.token_urlsafe(48))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    con = sqlite3.connect(ruta)
    ahora = datetime.now(timezone.utc).replace(tzinfo=None)
    for cid in TAMANOS:
        con.execute("INSERT INTO contratista (id, rfc, correo, password_hash, creado_en, correo_verificado_en)"
                    " VALUES (?, ?, ?, 'x', ?, ?)", (cid, f"B{cid:08d}XX1", f"c{cid}@bench.example", ahora, ahora))
        con.execute("INSERT INTO datos_generales (contratista_id, razon_social, registro_patronal, registro_repse,"
                    " calle, numero, colonia, codigo_postal, municipio, entidad, telefono, correo_contacto,"
                    " actualizado_en) VALUES (?, ?, 'Y3926552104', 'AR12345/2024', 'Calle', '1', 'Centro', '06600',"
                    " 'Cuauhtémoc', '09', '5555555555', 'c@bench.example', ?)",
                    (cid, f"Contratista de prueba {cid}, S.A. de C.V.", ahora))
    rnd = random.Random(6)
    lote_c, lote_r, i = [], [], 0
    for cid, n in TAMANOS.items():
        for _ in range(n):
            i += 1
            nombre, ap1, ap2 = rnd.choice(NOMBRES), rnd.choice(APELLIDOS), rnd.choice(APELLIDOS)
            curp = f"BENC{i:06d}HDFXXX{i % 100:02d}"
            correo = f"capturista.{i}@correo.example"
            creado = ahora - timedelta(seconds=i * 7)
            estatus = ("pendiente", "activo", "baja")[i % 3]
            lote_c.append((i, curp, nombre, ap1, ap2, creado))
            lote_r.append((i, cid, i, curp, clave_orden_nombre(nombre, ap1, ap2),
                           clave_busqueda(curp, nombre, ap1, ap2, correo), "0512345678", correo, estatus, creado,
                           1, creado))
            if len(lote_r) == 20_000:
                _volcar(con, lote_c, lote_r)
    _volcar(con, lote_c, lote_r)
    con.execute("UPDATE relacion_capturista SET activado_en = creado_en WHERE estatus = 'activo'")
    con.execute("UPDATE relacion_capturista SET baja_en = creado_en WHERE estatus = 'baja'")
    con.commit()
    con.execute("ANALYZE")
    con.close()


def hijo_app(ruta: Path, contratista_id: int, carpeta: Path) -> None:
    from app import create_app
    from config import Config
    from extensions import db
    from models import Contratista
    from services import exportar
    from services.consulta import Filtro

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{ruta}", EXPORTACION_DIR=str(carpeta),
                     SECRET_KEY=secrets.token_urlsafe(48))
    import tareas

    tareas.usar_app(app)
    with app.app_context():
        contratista = db.session.get(Contratista, contratista_id)
        exportacion = exportar.crear_exportacion(contratista, Filtro(), exportar.contar(contratista_id, Filtro()),
                                                 "bench")
        exportacion_id = exportacion.id
        db.session.remove()
    inicio = time.perf_counter()
    tareas.generar_exportacion.call_local(exportacion_id)
    print(f"{time.perf_counter() - inicio:.3f}")


def hijo_bare(ruta: Path, contratista_id: int, carpeta: Path) -> None:
    from openpyxl import Workbook

    inicio = time.perf_counter()
    con = sqlite3.connect(ruta)
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet("Capturistas")
    cursor = con.execute(
        "SELECT r.curp, c.nombre, c.primer_apellido, c.segundo_apellido, r.telefono, r.correo, r.creado_en,"
        " r.estatus, r.activado_en, r.baja_en FROM relacion_capturista r JOIN capturista c ON c.id = r.capturista_id"
        " WHERE r.contratista_id = ? ORDER BY r.creado_en DESC, r.id DESC", (contratista_id,))
    while True:
        filas = cursor.fetchmany(1000)
        if not filas:
            break
        for fila in filas:
            # The same values the app writes: real dates for the three date columns.
            fila = list(fila)
            for i in (6, 8, 9):
                if fila[i] is not None:
                    fila[i] = datetime.fromisoformat(fila[i]).date()
            hoja.append(fila)
    libro.save(carpeta / "bare.xlsx")
    print(f"{time.perf_counter() - inicio:.3f}")


def _correr(modo: str, ruta: Path, contratista_id: int, carpeta: Path) -> tuple[float, float]:
    proceso = subprocess.Popen([sys.executable, __file__, "--hijo", modo, "--db", str(ruta),
                                "--contratista", str(contratista_id), "--carpeta", str(carpeta)],
                               stdout=subprocess.PIPE, text=True, cwd=RAIZ)
    salida = proceso.stdout.read()
    _, estado, uso = os.wait4(proceso.pid, 0)
    proceso.returncode = os.waitstatus_to_exitcode(estado)
    if proceso.returncode != 0:
        raise SystemExit(f"{modo} falló")
    return float(salida.strip().splitlines()[-1]), uso.ru_maxrss / 1024  # MiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/icsoe-bench-export.db")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--repeticiones", type=int, default=3)
    parser.add_argument("--hijo")
    parser.add_argument("--contratista", type=int)
    parser.add_argument("--carpeta", default="/tmp/icsoe-bench-export")
    args = parser.parse_args()
    ruta, carpeta = Path(args.db), Path(args.carpeta)
    if args.hijo:
        {"app": hijo_app, "bare": hijo_bare}[args.hijo](ruta, args.contratista, carpeta)
        return
    carpeta.mkdir(parents=True, exist_ok=True)
    if args.reseed or not ruta.exists():
        t = time.perf_counter()
        sembrar(ruta)
        print(f"sembrado {sum(TAMANOS.values()):,} capturistas en {time.perf_counter() - t:.0f} s")
    import openpyxl
    try:
        import lxml  # noqa: F401
        con_lxml = "con lxml"
    except ImportError:
        con_lxml = "sin lxml"
    print(f"\nExportar Excel — openpyxl {openpyxl.__version__} ({con_lxml}); mediana de {args.repeticiones} corridas; "
          "cada corrida en un proceso nuevo (RSS pico del proceso)")
    print(f"{'filas':>8} {'app s':>8} {'bare s':>8} {'app/bare':>9} {'app RSS':>9} {'bare RSS':>9}")
    picos = {}
    for contratista_id, n in sorted(TAMANOS.items(), key=lambda x: x[1]):
        app_t, app_m, bare_t, bare_m = [], [], [], []
        for _ in range(args.repeticiones):
            t, m = _correr("app", ruta, contratista_id, carpeta)
            app_t.append(t)
            app_m.append(m)
            t, m = _correr("bare", ruta, contratista_id, carpeta)
            bare_t.append(t)
            bare_m.append(m)
        a, b = sorted(app_t)[len(app_t) // 2], sorted(bare_t)[len(bare_t) // 2]
        picos[n] = max(app_m)
        print(f"{n:>8,} {a:>8.2f} {b:>8.2f} {a / b:>8.2f}x {max(app_m):>7.1f}MiB {max(bare_m):>7.1f}MiB")
    crecimiento = picos[100_000] - picos[10_000]
    print(f"crecimiento del pico de la app de 10,000 a 100,000 filas: {crecimiento:+.1f} MiB (meta: ≤ 50 MiB)")
    for archivo in carpeta.glob("*.xlsx"):
        archivo.unlink()


if __name__ == "__main__":
    main()
