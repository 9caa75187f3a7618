"""Benchmark of the Consulta grid at scale (issue 5).

Seeds 1,000,000 capturistas over 50,000 contractors (one of them with 100,000) in a SQLite file
whose schema comes from the migrations, then measures for the big contractor, through the real
app (Flask test client, logged in, CSRF on): the grid's first page, a deep page (keyset cursor
~90,000 rows in), a search, and a row action (Eliminar/Activar with htmx). Beside each, in the
same run, a bare reference: the same 50 rows read with raw sqlite3 and rendered with a plain
Jinja template. Prints median and p95 in ms and the ratio app/reference.

    .venv/bin/python bench/consulta.py                # seeds /tmp/icsoe-bench.db once (~2 min), reuses it after
    .venv/bin/python bench/consulta.py --reseed --repeticiones 50
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jinja2  # noqa: E402

TOTAL = 1_000_000
CONTRATISTAS = 50_000
GRANDE = 100_000
CLAVE = "Benchmark2026x"

NOMBRES = ["JOSÉ LUIS", "MARÍA", "GUADALUPE", "JUAN", "ANA", "FRANCISCO", "LAURA", "PEDRO", "SOFÍA", "MIGUEL",
           "VERÓNICA", "JESÚS", "CARMEN", "ALEJANDRO", "PATRICIA", "RICARDO", "DIANA", "ÁNGEL", "ROSA", "IVÁN"]
APELLIDOS = ["GARCÍA", "HERNÁNDEZ", "MARTÍNEZ", "LÓPEZ", "GONZÁLEZ", "PÉREZ", "RODRÍGUEZ", "SÁNCHEZ", "RAMÍREZ",
             "CRUZ", "FLORES", "GÓMEZ", "MUÑOZ", "NÚÑEZ", "DÍAZ", "REYES", "MORALES", "JIMÉNEZ", "ORTIZ", "CASTILLO"]
LETRAS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sembrar(ruta: Path) -> int:
    """Schema by `flask db upgrade`, rows by executemany. Returns the big contractor's id."""
    from flask_migrate import upgrade

    from app import create_app
    from config import Config
    from domain.texto import clave_busqueda, clave_orden_nombre
    from extensions import db

    if ruta.exists():
        ruta.unlink()
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{ruta}", SECRET_KEY=secrets.token_urlsafe(48))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    from werkzeug.security import generate_password_hash
    hash_clave = generate_password_hash(CLAVE)

    rnd = random.Random(2026)
    con = sqlite3.connect(ruta)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    ahora = datetime.now(timezone.utc).replace(tzinfo=None)
    t0 = time.perf_counter()
    con.executemany(
        "INSERT INTO contratista (id, rfc, correo, password_hash, creado_en, correo_verificado_en) VALUES (?,?,?,?,?,?)",
        ((i, f"B{i:08d}XX1", f"c{i}@bench.example", hash_clave, ahora, ahora) for i in range(1, CONTRATISTAS + 1)))
    con.executemany(
        "INSERT INTO datos_generales (contratista_id, razon_social, registro_patronal, registro_repse, calle, numero,"
        " colonia, codigo_postal, municipio, entidad, telefono, correo_contacto, actualizado_en)"
        " VALUES (?, ?, 'Y3926552104', 'AR12345/2024', 'Calle', '1', 'Centro', '06600', 'Cuauhtémoc', '09',"
        " '5555555555', 'c@bench.example', ?)",
        ((i, f"Contratista de prueba {i}, S.A. de C.V.", ahora) for i in range(1, CONTRATISTAS + 1)))
    # The big contractor is id 1 with GRANDE rows; the rest are spread over the other contractors.
    otros = TOTAL - GRANDE

    def filas():
        for i in range(1, TOTAL + 1):
            contratista = 1 if i <= GRANDE else 2 + (i - GRANDE) % (CONTRATISTAS - 1)
            nombre, ap1, ap2 = rnd.choice(NOMBRES), rnd.choice(APELLIDOS), rnd.choice(APELLIDOS)
            curp = "".join(rnd.choice(LETRAS) for _ in range(4)) + f"{rnd.randint(0, 999999):06d}" + "HDF" + \
                "".join(rnd.choice(LETRAS) for _ in range(3)) + f"{i % 100:02d}"
            correo = f"{plano_simple(nombre)}.{i}@correo.example"
            estatus = ("pendiente", "activo", "baja")[i % 3]
            creado = ahora - timedelta(seconds=i * 7)
            yield (i, contratista, curp, nombre, ap1, ap2, correo, estatus, creado,
                   clave_orden_nombre(nombre, ap1, ap2), clave_busqueda(curp, nombre, ap1, ap2, correo))

    lote_c, lote_r = [], []
    for (i, contratista, curp, nombre, ap1, ap2, correo, estatus, creado, orden, busqueda) in filas():
        lote_c.append((i, curp, nombre, ap1, ap2, creado))
        lote_r.append((i, contratista, i, curp, orden, busqueda, "5512345678", correo, estatus, creado, 1, creado))
        if len(lote_r) == 50_000:
            _volcar(con, lote_c, lote_r)
    _volcar(con, lote_c, lote_r)
    # One e-mail per capturista of the big contractor, so the grid's "estado del correo" finds rows.
    con.executemany(
        "INSERT INTO correo_saliente (tipo, relacion_id, destinatario, asunto, cuerpo_texto, cuerpo_html, estado,"
        " intentos, creado_en) VALUES ('activacion', ?, 'x@correo.example', '-', '-', '-', 'enviado', 1, ?)",
        ((i, ahora) for i in range(1, GRANDE + 1)))
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()
    print(f"sembrado: {TOTAL:,} capturistas, {CONTRATISTAS:,} contratistas ({otros:,} repartidos) "
          f"en {time.perf_counter() - t0:.0f} s; {ruta.stat().st_size / 2**20:.0f} MiB")
    return 1


def plano_simple(texto: str) -> str:
    from domain.texto import plano
    return plano(texto).replace(" ", ".")


def _volcar(con, lote_c, lote_r):
    con.executemany("INSERT INTO capturista (id, curp, nombre, primer_apellido, segundo_apellido, creado_en,"
                    " sesion_version) VALUES (?,?,?,?,?,?,0)", lote_c)
    con.executemany("INSERT INTO relacion_capturista (id, contratista_id, capturista_id, curp, nombre_orden, busqueda,"
                    " telefono, correo, estatus, creado_en, token_version, liga_vence_en)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", lote_r)
    lote_c.clear()
    lote_r.clear()


# --- bare reference: raw sqlite3 + a plain Jinja template ------------------------------------------

PLANTILLA = jinja2.Environment(autoescape=True).from_string(
    "<table>{% for f in filas %}<tr><td>{{ f[1] }}</td><th>{{ f[6] }} {{ f[7] }} {{ f[8] }}</th><td>{{ f[2] }}</td>"
    "<td>{{ f[3] }}</td><td>{{ f[5] }}</td><td>{{ f[4] }}</td><td>{{ f[9] }}</td></tr>{% endfor %}</table>")
SELECT = ("SELECT r.id, r.curp, r.telefono, r.correo, r.estatus, r.creado_en, c.nombre, c.primer_apellido,"
          " c.segundo_apellido, (SELECT estado FROM correo_saliente s WHERE s.relacion_id = r.id"
          " ORDER BY s.id DESC LIMIT 1) FROM relacion_capturista r JOIN capturista c ON c.id = r.capturista_id ")


class _FilaCruda:
    """A raw sqlite3 row with the attribute names services.consulta.FilaCapturista reads."""

    __slots__ = ("id", "curp", "nombre_orden", "telefono", "correo", "estatus", "creado_en", "nombre",
                 "primer_apellido", "segundo_apellido", "estado_correo")

    def __init__(self, valores):
        for nombre, valor in zip(self.__slots__, valores, strict=True):
            setattr(self, nombre, valor)
        self.creado_en = datetime.fromisoformat(self.creado_en).replace(tzinfo=timezone.utc)


# The grid's columns as services.consulta._columnas selects them (its estado_correo: "vencida" for
# a pending relation whose link expired, else the state of the last link e-mail).
SELECT_COMPLETO = (
    "SELECT r.id, r.curp, r.nombre_orden, r.telefono, r.correo, r.estatus, r.creado_en,"
    " c.nombre, c.primer_apellido, c.segundo_apellido,"
    " CASE WHEN r.estatus = 'pendiente' AND r.liga_vence_en <= ? THEN 'vencida' ELSE"
    " (SELECT estado FROM correo_saliente s WHERE s.relacion_id = r.id AND s.tipo IN ('activacion', 'invitacion')"
    " ORDER BY s.id DESC LIMIT 1) END FROM relacion_capturista r JOIN capturista c ON c.id = r.capturista_id ")


def _plantilla_misma():
    """The app's own row template rendered by plain Jinja (no Flask): the same markup as the app."""
    raiz = Path(__file__).resolve().parent.parent / "templates"
    entorno = jinja2.Environment(loader=jinja2.FileSystemLoader(raiz), autoescape=True)
    entorno.filters["fecha"] = lambda v: v.strftime("%d/%m/%Y") if v else ""
    entorno.globals["csrf_token"] = lambda: "token"
    return entorno.from_string(
        "{% from 'consulta/_capturista.html' import capturista with context %}"
        "{% for fila in filas %}{{ capturista(fila) }}{% endfor %}")


def _medir(funcion, repeticiones: int) -> list[float]:
    funcion()  # warm-up
    tiempos = []
    for _ in range(repeticiones):
        t = time.perf_counter()
        funcion()
        tiempos.append((time.perf_counter() - t) * 1000)
    return tiempos


def _p95(valores):
    return statistics.quantiles(valores, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/icsoe-bench.db")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--repeticiones", type=int, default=30)
    args = parser.parse_args()
    ruta = Path(args.db)
    if args.reseed or not ruta.exists():
        _sembrar(ruta)

    from app import create_app
    from config import Config

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{ruta}", SECRET_KEY=secrets.token_urlsafe(48),
                     MAIL_SUPPRESS_SEND=True)
    cliente = app.test_client()
    import re
    pagina = cliente.get("/cuenta/iniciar-sesion")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', pagina.get_data(as_text=True)).group(1)
    r = cliente.post("/cuenta/iniciar-sesion", data={"csrf_token": token, "rfc": "B00000001XX1", "password": CLAVE})
    assert r.status_code == 303, r.status_code

    con = sqlite3.connect(ruta)
    # Cursor ~90,000 rows deep in the default order (fecha de alta, newest first).
    fila_profunda = con.execute(
        "SELECT creado_en, id FROM relacion_capturista WHERE contratista_id = 1 ORDER BY creado_en DESC, id DESC"
        " LIMIT 1 OFFSET 90000").fetchone()
    from services.paginacion import codificar as codificar_cursor
    creado = datetime.fromisoformat(fila_profunda[0]).replace(tzinfo=timezone.utc)
    cursor = codificar_cursor(creado, fila_profunda[1])
    termino = "munoz"  # plain, accent-free: matches MUÑOZ

    hx_grid = {"HX-Request": "true", "HX-Target": "grid-capturistas"}
    objetivo = 7  # a row of the big contractor; Eliminar and Activar alternate on it
    estado = {"baja": con.execute("SELECT estatus FROM relacion_capturista WHERE id = ?", (objetivo,)).fetchone()[0] == "baja"}
    pagina = cliente.get("/administracion/consulta")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', pagina.get_data(as_text=True)).group(1)

    def accion_app():
        accion = "activar" if estado["baja"] else "eliminar"
        respuesta = cliente.post(f"/administracion/consulta/{objetivo}/{accion}", data={"csrf_token": token},
                                 headers={"HX-Request": "true", "HX-Target": f"capturista-{objetivo}"})
        assert respuesta.status_code == 200, respuesta.status_code
        estado["baja"] = not estado["baja"]

    def comprobar(url, headers=None):
        def _f():
            respuesta = cliente.get(url, headers=headers or {})
            assert respuesta.status_code == 200
            return respuesta
        return _f

    estado_ref = {"baja": False}

    def accion_ref():
        nuevo = "pendiente" if estado_ref["baja"] else "baja"
        con.execute("UPDATE relacion_capturista SET estatus = ? WHERE id = ? AND contratista_id = 1", (nuevo, 8))
        con.execute("INSERT INTO bitacora (contratista_id, relacion_id, actor, accion, detalle, creado_en)"
                    " VALUES (1, 8, 'bench', 'baja', '{}', ?)", (datetime.now(timezone.utc).replace(tzinfo=None),))
        con.commit()
        filas = con.execute(SELECT + "WHERE r.contratista_id = 1 AND r.id = 8").fetchall()
        PLANTILLA.render(filas=filas)
        estado_ref["baja"] = not estado_ref["baja"]

    def ref(sql, parametros):
        def _f():
            filas = con.execute(SELECT + sql, parametros).fetchall()
            assert filas
            PLANTILLA.render(filas=filas)
        return _f

    from services.consulta import FilaCapturista
    misma = _plantilla_misma()

    def ref_misma(sql, parametros):
        def _f():
            ahora = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")  # as SQLite stores it
            filas = [FilaCapturista(_FilaCruda(f)) for f in con.execute(SELECT_COMPLETO + sql, (ahora, *parametros))]
            assert filas
            misma.render(filas=filas, url_consulta="/administracion/consulta", volver="/administracion/consulta",
                         volver_qs="")
        return _f

    orden = " ORDER BY r.creado_en DESC, r.id DESC LIMIT 51"
    consultas = {
        "primera": ("WHERE r.contratista_id = 1" + orden, ()),
        "profunda": ("WHERE r.contratista_id = 1 AND (r.creado_en, r.id) < (?, ?)" + orden, fila_profunda),
        "busqueda": ("WHERE r.contratista_id = 1 AND r.busqueda LIKE ?" + orden, (f"%{termino}%",)),
    }
    escenarios = [
        ("primera página", comprobar("/administracion/consulta", hx_grid),
         ref(*consultas["primera"]), ref_misma(*consultas["primera"])),
        ("página profunda (~90,000)", comprobar(f"/administracion/consulta?despues={cursor}", hx_grid),
         ref(*consultas["profunda"]), ref_misma(*consultas["profunda"])),
        (f"búsqueda «{termino}»", comprobar(f"/administracion/consulta?q={termino}", hx_grid),
         ref(*consultas["busqueda"]), ref_misma(*consultas["busqueda"])),
        ("acción de fila (Eliminar/Activar)", accion_app, accion_ref, None),
    ]
    print(f"\nConsulta — contratista con {GRANDE:,} capturistas; {TOTAL:,} en la tabla; "
          f"{args.repeticiones} repeticiones; SQLite {sqlite3.sqlite_version}")
    print("ref = raw sqlite3 + a plain 8-column Jinja table; ref2 = raw sqlite3 + the app's own row template "
          "rendered by plain Jinja (same markup, no Flask/ORM/auth)")
    print(f"{'escenario':36} {'app med':>9} {'app p95':>9} {'ref med':>9} {'ref p95':>9} {'app/ref':>8}"
          f" {'ref2 med':>9} {'app/ref2':>9}")
    for nombre, app_f, ref_f, ref2_f in escenarios:
        a = _medir(app_f, args.repeticiones)
        b = _medir(ref_f, args.repeticiones)
        linea = (f"{nombre:36} {statistics.median(a):8.2f}ms {_p95(a):8.2f}ms {statistics.median(b):8.2f}ms "
                 f"{_p95(b):8.2f}ms {statistics.median(a) / statistics.median(b):7.2f}x")
        if ref2_f is not None:
            c2 = _medir(ref2_f, args.repeticiones)
            linea += f" {statistics.median(c2):8.2f}ms {statistics.median(a) / statistics.median(c2):8.2f}x"
        print(linea)
    offset = _medir(ref("WHERE r.contratista_id = 1 ORDER BY r.creado_en DESC, r.id DESC LIMIT 50 OFFSET 90000", ()),
                    max(5, args.repeticiones // 3))
    print(f"{'(referencia) OFFSET 90,000':36} {'':>9} {'':>9} {statistics.median(offset):8.2f}ms {_p95(offset):8.2f}ms")


if __name__ == "__main__":
    os.environ.setdefault("FLASK_DEBUG", "0")
    main()
