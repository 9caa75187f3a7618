"""HTTP benchmark: the real app under gunicorn beside a bare WSGI reference, driven by wrk (issue 13).

1. Seeds (or, with ``--reusar``, reuses) one database per engine, schema by Flask-Migrate first:
   SQLite ``/tmp/icsoe-http.db`` and PostgreSQL ``icsoe_http`` (role apptest, as bench/carga.py).
   Each holds one contractor (e-mail verified, Datos Generales) with 100,000 capturistas — the same
   people bench/carga.py seeds (its ``_personas``), by COPY on PostgreSQL and executemany on SQLite,
   with relacion_capturista's curp / nombre_orden / busqueda filled like RelacionCapturista does and
   one sent activation e-mail each.
2. For every number of workers (``--trabajadores``), on the same database, starts two servers with
   the same settings, ``gunicorn -c gunicorn.conf.py -w N -k gthread --threads 4`` on free loopback ports:
   the real app (``app:create_app()``) and a bare reference (``bench.http_wrk:referencia``, this file):
   raw sqlite3 / psycopg and a plain Jinja table of that contractor's first 50 rows in the grid's
   order (creado_en desc, id desc) — no Flask, no ORM, no session, no write lock.
3. Logs in to the app with a Python client (User-Agent ``icsoe-bench``, the one wrk sends: Flask-Login's
   "strong" session protection binds the session to address and user agent), checks every scenario
   once, then runs ``wrk -t 2 -c 4 -d S --latency`` with that session cookie on: the grid's first
   page, a page ~90,000 rows deep (a ``despues=`` cursor built like services.paginacion.codificar
   from the row at that depth), a search (``q=munoz``) — all three as the htmx fragment the grid asks
   for — and a row action (Eliminar then Activar on one row per connection, htmx, CSRF header;
   ``-t 4 -c 4``: one connection per wrk thread keeps each row's POSTs in order; fresh rows every
   run, so requests still in flight when wrk stops never meet the next run). The reference's
   first page runs in the same rounds: round 1 is ref, app..., round 2 the reverse order; each figure
   is the median of the two rounds. A Lua script (written to a temp dir) checks every response
   (status 200 and the expected markup) and prints p95, which wrk's own table lacks.
4. Prints one table per database: req/s, p50/p95/p99, app/ref req/s and N workers / first N; exits 1
   if any request failed (non-2xx/3xx, socket error, unexpected body) or gunicorn logged an error.

The app is logged in again before each of its runs: the session's "last seen" mark is rewritten at most
once a minute, and a run that crossed that minute would rewrite the cookie on every response (wrk
never updates its Cookie header). So ``--duracion`` stays under a minute.

    .venv/bin/python bench/http_wrk.py                       # both engines, 1 and 2 workers, 5 s per run
    .venv/bin/python bench/http_wrk.py --reusar --bd sqlite --duracion 10 --trabajadores 1,2,4
    .venv/bin/python bench/http_wrk.py --reusar --comprimir  # the app's answers compressed, as a browser gets them
"""
from __future__ import annotations

import os
import sys

# ``python bench/http_wrk.py`` puts bench/ first on sys.path: the project root instead, so the app's
# packages import. (This file was bench/http.py, which hid the standard library's ``http`` there.)
_AQUI = os.path.dirname(os.path.abspath(__file__))
RAIZ = os.path.dirname(_AQUI)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _AQUI]
if RAIZ not in sys.path:
    sys.path.insert(0, RAIZ)

import argparse
import json
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import jinja2

HOST = "127.0.0.1"  # the only address this script ever talks to
RUTA_SQLITE = Path("/tmp/icsoe-http.db")
BASE_PG = "icsoe_http"
RAZON_SOCIAL = "Servicios de Prueba HTTP, S.A. de C.V."
USER_AGENT = "icsoe-bench"
LOGIN = "/cuenta/iniciar-sesion"
GRID = "/administracion/consulta"
HX_GRID = {"HX-Request": "true", "HX-Target": "grid-capturistas"}
TERMINO = "munoz"  # plain, accent-free: matches MUÑOZ (1 in 20 surnames)
PROFUNDIDAD = 90_000
RONDAS = 2  # each scenario runs once per round; the figures are the medians
HILOS, CONEXIONES = 2, 4  # wrk -t / -c (the row action: -t 4 -c 4, one connection per thread)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FILA_RE = re.compile(r'<tbody id="capturista-\d+"')
# --comprimir: the app's requests say what Chromium says; it answers with zstd (Flask-Compress).
ACEPTA_NAVEGADOR, CODIFICACION = "gzip, deflate, br, zstd", "zstd"

# --- the bare reference (gunicorn imports ``bench.http_wrk:referencia``; env ICSOE_REF_BD / ICSOE_REF_CONTRATISTA) ---

PLANTILLA_REF = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><title>ref</title><table>{% for f in filas %}<tr><td>{{ f[1] }}</td><th>{{ f[6] }} {{ f[7] }}"
    " {{ f[8] }}</th><td>{{ f[2] }}</td><td>{{ f[3] }}</td><td>{{ f[5] }}</td><td>{{ f[4] }}</td><td>{{ f[9] }}</td>"
    "</tr>{% endfor %}</table>")
# The grid's columns (the same as bench/consulta.py's reference), its order, 50 rows (+1, as the app asks).
SELECT_REF = (
    "SELECT r.id, r.curp, r.telefono, r.correo, r.estatus, r.creado_en, c.nombre, c.primer_apellido,"
    " c.segundo_apellido, (SELECT estado FROM correo_saliente s WHERE s.relacion_id = r.id"
    " ORDER BY s.id DESC LIMIT 1) FROM relacion_capturista r JOIN capturista c ON c.id = r.capturista_id"
    " WHERE r.contratista_id = {p} ORDER BY r.creado_en DESC, r.id DESC LIMIT 51")
_por_hilo = threading.local()


def _conexion_ref():
    """One raw connection per gunicorn thread, in autocommit: plain reads, no transaction, no lock."""
    con = getattr(_por_hilo, "con", None)
    if con is None:
        destino = os.environ["ICSOE_REF_BD"]
        if destino.startswith("sqlite:///"):
            con = sqlite3.connect(destino[len("sqlite:///"):], isolation_level=None, check_same_thread=False)
            sql = SELECT_REF.format(p="?")
        else:
            import psycopg

            con = psycopg.connect(_libpq(destino), autocommit=True)
            sql = SELECT_REF.format(p="%s")
        _por_hilo.con, _por_hilo.sql = con, sql
    return con, _por_hilo.sql


def referencia(environ, start_response):
    """WSGI: whatever the path, the contractor's first 50 rows as a plain HTML table."""
    con, sql = _conexion_ref()
    filas = con.execute(sql, (int(os.environ["ICSOE_REF_CONTRATISTA"]),)).fetchall()[:50]
    if not filas:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"sin filas"]
    cuerpo = PLANTILLA_REF.render(filas=filas).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(cuerpo)))])
    return [cuerpo]


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# --- 1. databases --------------------------------------------------------------------------------------

def _rfc() -> str:
    from domain.rfc import digito_verificador

    base = "SPH010101H7"
    return base + digito_verificador(base)


def _texto_sqlite(valor: datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy stores it on SQLite (naive, microseconds always written)."""
    if valor is None:
        return None
    return valor.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def preparar_sqlite(total: int, reusar: bool, rfc: str) -> str:
    from bench import carga

    url = f"sqlite:///{RUTA_SQLITE}"
    if reusar and RUTA_SQLITE.exists():
        try:
            with sqlite3.connect(RUTA_SQLITE) as con:
                n = con.execute("SELECT count(*) FROM relacion_capturista r JOIN contratista c"
                                " ON c.id = r.contratista_id WHERE c.rfc = ?", (rfc,)).fetchone()[0]
        except sqlite3.Error:
            n = 0
        if n >= total:
            print(f"SQLite {RUTA_SQLITE}: reutilizada (ya tiene {total:,} capturistas)")
            carga._migrar(url)
            return url
    for sufijo in ("", "-wal", "-shm"):
        Path(f"{RUTA_SQLITE}{sufijo}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    carga._migrar(url)
    _sembrar_sqlite(total, rfc)
    print(f"SQLite {RUTA_SQLITE}: creada, migrada y sembrada con {total:,} capturistas en "
          f"{time.perf_counter() - t0:.1f} s ({RUTA_SQLITE.stat().st_size / 2**20:.0f} MiB)")
    return url


def _sembrar_sqlite(total: int, rfc: str) -> None:
    """bench/carga.py's contractor and people, by executemany (explicit ids)."""
    from werkzeug.security import generate_password_hash

    from bench import carga
    from config import Config
    from domain.texto import clave_busqueda, clave_orden_nombre

    ahora = _texto_sqlite(datetime.now(timezone.utc))
    t = _texto_sqlite
    personas = list(carga._personas(total))
    con = sqlite3.connect(RUTA_SQLITE)
    con.execute("PRAGMA synchronous=OFF")
    contratista_id = con.execute(
        "INSERT INTO contratista (rfc, correo, password_hash, creado_en, correo_verificado_en) VALUES (?, ?, ?, ?, ?)",
        (rfc, "http@contratista.example", generate_password_hash(carga.CLAVE, method=Config.PASSWORD_HASH_METHOD),
         ahora, ahora)).lastrowid
    con.execute(
        "INSERT INTO datos_generales (contratista_id, razon_social, registro_patronal, registro_repse, calle,"
        " numero, colonia, codigo_postal, municipio, entidad, telefono, correo_contacto, actualizado_en)"
        " VALUES (?, ?, 'Y3926552104', 'AR12345/2024', 'Av. Reforma', '222', 'Juárez', '06600',"
        " 'Cuauhtémoc', '09', '5555555555', 'contacto@http.example', ?)", (contratista_id, RAZON_SOCIAL, ahora))
    con.executemany(
        "INSERT INTO capturista (id, curp, nombre, primer_apellido, segundo_apellido, usuario, correo, activado_en,"
        " creado_en, sesion_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        ((i, curp, nombre, ap1, ap2, f"http{i}" if activado else None, correo if activado else None, t(activado),
          t(creado)) for i, curp, nombre, ap1, ap2, correo, _, creado, activado in personas))
    con.executemany(
        "INSERT INTO relacion_capturista (id, contratista_id, capturista_id, curp, nombre_orden, busqueda, telefono,"
        " correo, estatus, creado_en, activado_en, baja_en, token_version, liga_vence_en)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        ((i, contratista_id, i, curp, clave_orden_nombre(nombre, ap1, ap2),
          clave_busqueda(curp, nombre, ap1, ap2, correo), f"55{i:08d}", correo, estatus, t(creado), t(activado),
          t(creado + timedelta(days=1)) if estatus == "baja" else None, t(creado + timedelta(hours=24)))
         for i, curp, nombre, ap1, ap2, correo, estatus, creado, activado in personas))
    con.executemany(
        "INSERT INTO correo_saliente (tipo, relacion_id, capturista_id, destinatario, asunto, cuerpo_texto,"
        " cuerpo_html, estado, intentos, creado_en, enviado_en)"
        " VALUES ('activacion', ?, ?, ?, 'Activa tu usuario capturista', '-', '-', 'enviado', 1, ?, ?)",
        ((i, i, correo, t(creado), t(creado)) for i, _, _, _, _, correo, _, creado, _ in personas))
    con.commit()
    con.execute("ANALYZE")  # the migration's statistics were taken on empty tables
    con.commit()
    con.close()


@dataclass
class Base:
    """One seeded database and what the scenarios need from it."""

    motor: str  # "sqlite" | "postgres"
    url: str  # SQLAlchemy URL (the app's DATABASE_URL)
    version: str
    contratista_id: int
    cursor_profundo: str
    filas_accion: list[int]
    # --informativa: bench/informativa.py's informativa (50 contracts × 3,000 workers), its first contract
    # and cursors ~2,900 rows deep in that contract and ~140,000 deep in the whole informativa (by name).
    informativa: int = 0
    contrato: int = 0
    cursor_contrato: str = ""
    cursor_informativa: str = ""

    def ejecutar(self, sql: str, parametros: tuple = ()) -> list[tuple]:
        if self.motor == "sqlite":
            with sqlite3.connect(RUTA_SQLITE) as con:
                filas = con.execute(sql.replace("%s", "?"), parametros).fetchall()
            con.close()
            return filas
        import psycopg

        with psycopg.connect(_libpq(self.url)) as con:
            return con.execute(sql, parametros).fetchall()

    def restablecer_filas_accion(self) -> None:
        """The row-action rows back to Activo (called while no request is in flight)."""
        marcas = ",".join(["%s"] * len(self.filas_accion))
        self.ejecutar(f"UPDATE relacion_capturista SET estatus = 'activo', baja_en = NULL WHERE id IN ({marcas})"
                      " RETURNING id", tuple(self.filas_accion))


def abrir_base(motor: str, url: str, rfc: str) -> Base:
    from services.paginacion import codificar as codificar_cursor

    base = Base(motor, url, "", 0, "", [])
    base.contratista_id = base.ejecutar("SELECT id FROM contratista WHERE rfc = %s", (rfc,))[0][0]
    creado, id_ = base.ejecutar(
        "SELECT creado_en, id FROM relacion_capturista WHERE contratista_id = %s"
        " ORDER BY creado_en DESC, id DESC LIMIT 1 OFFSET %s", (base.contratista_id, PROFUNDIDAD))[0]
    if isinstance(creado, str):  # SQLite: naive UTC text
        creado = datetime.fromisoformat(creado).replace(tzinfo=timezone.utc)
    base.cursor_profundo = codificar_cursor(creado.astimezone(timezone.utc), id_)
    # Rows the app's Activar brings back to Activo (never pending: no new link, no e-mail): the oldest,
    # on the grid's last page, so the pages measured never change. Each run has its own (one per
    # connection): requests still in flight when wrk stops never touch the next run's rows.
    base.filas_accion = [f[0] for f in base.ejecutar(
        "SELECT id FROM relacion_capturista WHERE contratista_id = %s AND estatus IN ('activo', 'baja')"
        " AND activado_en IS NOT NULL ORDER BY creado_en, id LIMIT %s", (base.contratista_id, RONDAS * CONEXIONES))]
    if len(base.filas_accion) < RONDAS * CONEXIONES:
        raise SystemExit(f"{motor}: faltan filas activas para la acción de fila")
    base.version = (f"SQLite {base.ejecutar('SELECT sqlite_version()')[0][0]}" if motor == "sqlite" else
                    f"PostgreSQL {base.ejecutar('SHOW server_version')[0][0]}")
    return base


# --- 2. servers --------------------------------------------------------------------------------------------

class Servidor:
    """A gunicorn we started (its own session), stopped by SIGTERM to its master."""

    def __init__(self, nombre: str, app: str, trabajadores: int, entorno: dict, trabajo: Path):
        from bench import carga

        self.nombre = nombre
        self.puerto = carga.puerto_libre()
        self.registro = trabajo / f"gunicorn-{nombre}-{trabajadores}.log"
        base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_DEBUG", "TEST_DATABASE_URL")}
        # Its environment: also the one for a worker or a `flask` command beside it (tests/integration/test_escala.py).
        self.entorno = base | entorno | {"BASE_URL": f"http://{HOST}:{self.puerto}"}
        with open(self.registro, "wb") as salida:
            self.proceso = subprocess.Popen(
                [str(Path(RAIZ) / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "-w", str(trabajadores),
                 "-k", "gthread", "--threads", "4", "-b", f"{HOST}:{self.puerto}", "--timeout", "60",
                 "--graceful-timeout", "5", "--no-control-socket", app],
                cwd=RAIZ, env=self.entorno, stdout=salida, stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, ruta: str = "/") -> str:
        return f"http://{HOST}:{self.puerto}{ruta}"

    def esperar(self, ruta: str, tope: float = 40) -> None:
        from bench import carga

        if carga.responde(self.proceso, self.puerto, ruta, tope):
            return
        raise SystemExit(f"gunicorn ({self.nombre}) no respondió en {tope:.0f} s.\n"
                         f"--- {self.registro} ---\n{self.registro.read_text(errors='replace')[-3000:]}")

    def detener(self) -> None:
        from bench import carga

        carga.detener_gunicorn(self.proceso)

    def errores(self) -> list[str]:
        return [linea for linea in self.registro.read_text(errors="replace").splitlines()
                if "Traceback" in linea or "[ERROR]" in linea or "[CRITICAL]" in linea]


def entorno_app(base: Base, trabajo: Path) -> dict:
    from bench import carga

    return {
        "DATABASE_URL": base.url,
        "SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        "RATELIMIT_STORAGE_URI": "memory://",
        "ACCESO_LIMITE_CLIENTE": "1000000 per minute",
        "MAIL_SERVER": HOST,
        "MAIL_PORT": str(carga.puerto_libre()),  # nothing listens there: no scenario sends e-mail anyway
        "MAIL_TIMEOUT": "2",
        "PADRON_FUENTE": "local",
        "HUEY_SQLITE": str(trabajo / "huey.sqlite"),
        "EXPORTACION_DIR": str(trabajo / "exportaciones"),
    }


# --- 3. the logged-in session ---------------------------------------------------------------------------------

@dataclass
class Sesion:
    cookie: str  # the value of the "session" cookie
    token: str  # CSRF token of that session


def iniciar_sesion(app: Servidor, rfc: str) -> tuple[Sesion, object]:
    """Login as a browser with wrk's User-Agent, then the grid once (puts the CSRF token in the session)."""
    from bench import carga

    cliente = carga.Cliente(app.puerto)
    ua = {"User-Agent": USER_AGENT}
    r = cliente.pedir("GET", LOGIN, headers=ua)
    m = CSRF_RE.search(r.texto)
    if r.status != 200 or not m:
        raise SystemExit(f"GET {LOGIN} → {r.status}: sin token CSRF")
    r = cliente.pedir("POST", LOGIN, {"csrf_token": m.group(1), "rfc": rfc, "password": carga.CLAVE}, ua)
    if r.status != 303:
        raise SystemExit(f"no se pudo iniciar sesión como {rfc}: HTTP {r.status}")
    r = cliente.pedir("GET", GRID, headers=ua)
    m = CSRF_RE.search(r.texto)
    if r.status != 200 or not m or len(FILA_RE.findall(r.texto)) != 50:
        raise SystemExit(f"GET {GRID} → {r.status}: no es la Consulta con 50 filas")
    cookie = next(c.value for c in cliente.jar if c.name == "session")
    return Sesion(cookie, m.group(1)), cliente


# --- 4. scenarios and wrk -------------------------------------------------------------------------------------

@dataclass
class Escenario:
    clave: str
    nombre: str
    de_app: bool
    ruta: str
    cabeceras: dict
    esperado: str  # markup every good response contains
    minimo: int = 0  # rows the Python check expects (0: not counted)
    maximo: int = 0
    accion: bool = False
    patron: re.Pattern = FILA_RE  # how the Python check counts the rows


TRABAJADOR_RE = re.compile(r'<td data-etiqueta="NSS"')
HX_TRABAJADORES = {"HX-Request": "true", "HX-Target": "grid-trabajadores"}


def escenarios(base: Base) -> list[Escenario]:
    informativa = [] if not base.informativa else [
        Escenario(f"contrato{clave}", f"app: contrato de 3,000, {nombre} (htmx)", True,
                  f"/informativas/{base.informativa}/contratos/{base.contrato}" + consulta, HX_TRABAJADORES,
                  'data-etiqueta="NSS"', 50, 50, patron=TRABAJADOR_RE)
        for clave, nombre, consulta in (("1", "primera página", ""),
                                        ("p", "página ~2,900", "?" + urlencode({"despues": base.cursor_contrato})))
    ] + [
        Escenario(f"informativa{clave}", f"app: informativa de 150,000, {nombre} (htmx)", True,
                  f"/informativas/{base.informativa}/trabajadores" + consulta, HX_TRABAJADORES,
                  'data-etiqueta="NSS"', 50, 50, patron=TRABAJADOR_RE)
        for clave, nombre, consulta in (("1", "primera página", ""),
                                        ("p", "página ~140,000", "?" + urlencode({"despues": base.cursor_informativa})))
    ]
    return [
        Escenario("ref", "referencia: primera página", False, "/", {}, "<tr>"),
        Escenario("primera", "app: primera página (htmx)", True, GRID, HX_GRID, 'id="capturista-', 50, 50),
        Escenario("profunda", f"app: página ~{PROFUNDIDAD:,} filas (htmx)", True,
                  f"{GRID}?{urlencode({'despues': base.cursor_profundo})}", HX_GRID, 'id="capturista-', 50, 50),
        Escenario("busqueda", f"app: búsqueda «{TERMINO}» (htmx)", True, f"{GRID}?{urlencode({'q': TERMINO})}",
                  HX_GRID, 'id="capturista-', 1, 50),
        *informativa,
        Escenario("accion", "app: Eliminar / Activar (htmx POST)", True, GRID, {}, "aviso--success", accion=True),
    ]


def preparar_informativa(base: Base) -> None:
    """--informativa: seed (once) bench/informativa.py's informativa and find the deep cursors."""
    from bench import informativa
    from services.paginacion import codificar

    base.informativa = informativa.sembrar(base.motor, base.url, base.contratista_id)
    base.contrato = base.ejecutar("SELECT id FROM contrato WHERE informativa_id = %s AND numero = 1",
                                  (base.informativa,))[0][0]
    orden = " ORDER BY nombre_orden, id LIMIT 1 OFFSET %s"
    base.cursor_contrato = codificar(*base.ejecutar(
        "SELECT nombre_orden, id FROM trabajador WHERE contrato_id = %s" + orden, (base.contrato, 2_900))[0])
    base.cursor_informativa = codificar(*base.ejecutar(
        "SELECT nombre_orden, id FROM trabajador WHERE informativa_id = %s" + orden, (base.informativa, 140_000))[0])


def comprobar(escenario: Escenario, servidor: Servidor, cliente) -> None:
    """One request by Python before wrk: the right status and as many rows as the scenario means."""
    if escenario.accion:
        return  # checked by the Lua script on every response (status 200 and the success message)
    from bench import carga

    if not escenario.de_app:
        cliente = carga.Cliente(servidor.puerto)
    r = cliente.pedir("GET", escenario.ruta, headers={"User-Agent": USER_AGENT, **escenario.cabeceras})
    filas = len(escenario.patron.findall(r.texto)) if escenario.de_app else r.texto.count("<tr>")
    minimo, maximo = (escenario.minimo, escenario.maximo) if escenario.de_app else (50, 50)
    if r.status != 200 or not minimo <= filas <= maximo:
        raise SystemExit(f"{escenario.nombre}: HTTP {r.status}, {filas} filas (se esperaban {minimo}-{maximo})")


LUA_COMUN = """
-- Written by bench/http_wrk.py. Every response is checked; done() prints what wrk's table lacks (p95).
local ESPERADO = %(esperado)s
local CODIFICACION = %(codificacion)s  -- with --comprimir: the Content-Encoding every answer must carry
local hilos = {}
function setup(hilo)
  hilo:set("numero", #hilos)
  table.insert(hilos, hilo)
end
malas = 0
cookies = 0
function response(status, headers, body)
  local buena
  if CODIFICACION then  -- a compressed body cannot be searched: its encoding is checked instead
    buena = headers["Content-Encoding"] == CODIFICACION or headers["content-encoding"] == CODIFICACION
  else
    buena = string.find(body, ESPERADO, 1, true) ~= nil
  end
  if status ~= 200 or not buena then
    malas = malas + 1
    if malas == 1 then  -- the first bad response of each thread, for the report
      io.write(string.format("ICSOE mala: HTTP %%d %%s\\n", status, string.sub(body, 1, 400):gsub("%%s+", " ")))
    end
  end
  if headers["Set-Cookie"] or headers["set-cookie"] then cookies = cookies + 1 end
  if tras_respuesta then tras_respuesta(status) end
end
function done(resumen, latencia, peticiones)
  local m, c = 0, 0
  for _, h in ipairs(hilos) do m = m + h:get("malas"); c = c + h:get("cookies") end
  io.write(string.format("ICSOE peticiones=%%d p50=%%.0f p90=%%.0f p95=%%.0f p99=%%.0f malas=%%d cookies=%%d\\n",
    resumen.requests, latencia:percentile(50), latencia:percentile(90), latencia:percentile(95),
    latencia:percentile(99), m, c))
end
"""
LUA_ACCION = """
-- One row per thread (one connection per thread, so its requests never overlap): Eliminar, then
-- Activar, then Eliminar... The next action follows the last response, not the calls to request():
-- wrk can call request() for a request it never sends (seen on a thread's very first request).
local FILAS = {%(filas)s}
local CUERPO = %(cuerpo)s
function init(args)
  fila = FILAS[numero + 1]
  baja = false
  cabeceras = {}
  for k, v in pairs(wrk.headers) do cabeceras[k] = v end
  cabeceras["HX-Request"] = "true"
  cabeceras["HX-Target"] = "capturista-" .. fila
  cabeceras["X-CSRFToken"] = %(token)s
  cabeceras["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  return wrk.format("POST", %(grid)s .. "/" .. fila .. (baja and "/activar" or "/eliminar"), cabeceras, CUERPO)
end
function tras_respuesta(status)
  if status == 200 then baja = not baja end
end
"""


@dataclass
class Corrida:
    peticiones: int
    rps: float
    p50: float  # ms
    p95: float
    p99: float
    fallas: int
    cookies: int
    salida: str


def _ms(valor: str, unidad: str) -> float:
    return float(valor) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unidad]


def correr_wrk(wrk: str, escenario: Escenario, servidor: Servidor, sesion: Sesion | None, filas: list[int],
               duracion: int, trabajo: Path, comprimir: bool = False) -> Corrida:
    comprimir = comprimir and escenario.de_app
    lua = LUA_COMUN % {"esperado": json.dumps(escenario.esperado),
                       "codificacion": json.dumps(CODIFICACION) if comprimir else "nil"}
    hilos = HILOS
    if escenario.accion:
        hilos = CONEXIONES
        lua += LUA_ACCION % {"filas": ", ".join(map(str, filas)), "token": json.dumps(sesion.token),
                             "cuerpo": json.dumps(urlencode({"csrf_token": sesion.token, "volver": GRID})),
                             "grid": json.dumps(GRID)}
    script = trabajo / f"{escenario.clave}.lua"
    script.write_text(lua)
    cabeceras = {"User-Agent": USER_AGENT, **escenario.cabeceras}
    if comprimir:
        cabeceras["Accept-Encoding"] = ACEPTA_NAVEGADOR
    if sesion is not None:
        cabeceras["Cookie"] = f"session={sesion.cookie}"
    # --timeout 10s: a slow response is a latency to measure (wrk's default, 2 s, would drop it as an error).
    orden = [wrk, "-t", str(hilos), "-c", str(CONEXIONES), "-d", f"{duracion}s", "--timeout", "10s", "--latency",
             "-s", str(script)]
    for nombre, valor in cabeceras.items():
        orden += ["-H", f"{nombre}: {valor}"]
    salida = subprocess.run(orden + [servidor.url(escenario.ruta)], capture_output=True, text=True,
                            timeout=duracion + 60, check=False)
    texto = salida.stdout + salida.stderr
    rps = re.search(r"Requests/sec:\s+([\d.]+)", texto)
    lua_m = re.search(r"ICSOE peticiones=(\d+) p50=(\d+) p90=(\d+) p95=(\d+) p99=(\d+) malas=(\d+) cookies=(\d+)",
                      texto)
    if salida.returncode != 0 or not rps or not lua_m:
        raise SystemExit(f"wrk falló ({escenario.nombre}, código {salida.returncode}):\n{texto}")
    # wrk's own Latency Distribution (50/75/90/99) must agree with the script's percentiles.
    distribucion = {int(p): _ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", texto, re.M)}
    peticiones, p50, _, p95, p99, malas, cookies = (int(x) for x in lua_m.groups())
    no_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", texto)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", texto)
    # Bad statuses and bodies counted by the script (wrk's "Non-2xx or 3xx" is a subset), plus requests that
    # got no response at all (socket errors, timeouts).
    fallas = max(malas, int(no_2xx.group(1)) if no_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return Corrida(peticiones, float(rps.group(1)), distribucion.get(50, p50 / 1000), p95 / 1000,
                   distribucion.get(99, p99 / 1000), fallas, cookies, texto)


# --- 5. one configuration: a database and a number of workers --------------------------------------------------

@dataclass
class Resultado:
    escenario: Escenario
    trabajadores: int
    corridas: list[Corrida]

    def mediana(self, campo: str) -> float:
        return statistics.median(getattr(c, campo) for c in self.corridas)


def medir(base: Base, rfc: str, trabajadores: int, duracion: int, wrk: str, trabajo: Path,
          problemas: list[str], comprimir: bool = False) -> list[Resultado]:
    referencia_srv = Servidor("ref", "bench.http_wrk:referencia", trabajadores,
                              {"ICSOE_REF_BD": base.url, "ICSOE_REF_CONTRATISTA": str(base.contratista_id)}, trabajo)
    app = Servidor("app", "app:create_app()", trabajadores, entorno_app(base, trabajo), trabajo)
    try:
        referencia_srv.esperar("/")
        app.esperar(LOGIN)
        lista = escenarios(base)
        sesion, cliente = iniciar_sesion(app, rfc)
        for e in lista:
            comprobar(e, referencia_srv if not e.de_app else app, cliente)
        base.restablecer_filas_accion()
        # Warm-up (not measured): each server's workers load their templates and open their connections.
        for e in lista[:2]:
            correr_wrk(wrk, e, app if e.de_app else referencia_srv, sesion, [], 1, trabajo)
        resultados = {e.clave: Resultado(e, trabajadores, []) for e in lista}
        filas = iter(base.filas_accion)
        for ronda in range(RONDAS):  # ref, app..., then the other way round (drift hits both alike)
            for e in lista if ronda % 2 == 0 else lista[::-1]:
                sesion = iniciar_sesion(app, rfc)[0] if e.de_app else None  # a fresh "last seen" mark
                propias = [next(filas) for _ in range(CONEXIONES)] if e.accion else []
                corrida = correr_wrk(wrk, e, app if e.de_app else referencia_srv, sesion, propias, duracion, trabajo,
                                     comprimir)
                resultados[e.clave].corridas.append(corrida)
                if corrida.fallas:
                    problemas.append(f"{base.motor}, {trabajadores} trab., {e.nombre}: {corrida.fallas} respuestas"
                                     f" con error\n{corrida.salida}")
                if corrida.cookies:
                    print(f"    aviso: {e.nombre}: {corrida.cookies} respuestas reescribieron la cookie de sesión")
        for servidor in (app, referencia_srv):
            if servidor.proceso.poll() is not None:
                problemas.append(f"gunicorn ({servidor.nombre}) terminó durante la prueba")
        return list(resultados.values())
    finally:
        for servidor in (app, referencia_srv):
            servidor.detener()
            problemas.extend(f"{servidor.registro.name}: {linea}" for linea in servidor.errores()[:10])
        base.restablecer_filas_accion()  # nothing in flight any more


def informe(base: Base, resultados: list[Resultado], trabajadores: list[int], duracion: int) -> None:
    print(f"\n{base.version} — un contratista con 100,000 capturistas; wrk -t {HILOS} -c {CONEXIONES} -d {duracion}s"
          f" (acción: -t {CONEXIONES} -c {CONEXIONES}); gunicorn -k gthread --threads 4; mediana de {RONDAS} corridas")
    primero = trabajadores[0]
    print(f"{'escenario':38} {'trab.':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'app/ref':>8}"
          f" {f'×/{primero} trab.':>11}")
    por = {(r.escenario.clave, r.trabajadores): r for r in resultados}
    for clave in dict.fromkeys(r.escenario.clave for r in resultados):
        for n in trabajadores:
            r = por[(clave, n)]
            rps = r.mediana("rps")
            ref = por[("ref", n)].mediana("rps")
            relacion = f"{rps / ref:7.2f}x" if r.escenario.de_app and not r.escenario.accion else f"{'—':>8}"
            escala = f"{rps / por[(clave, primero)].mediana('rps'):10.2f}x" if n != primero else f"{'':>11}"
            print(f"{r.escenario.nombre:38} {n:>5} {rps:>8.1f} {r.mediana('p50'):>8.1f} {r.mediana('p95'):>8.1f}"
                  f" {r.mediana('p99'):>8.1f} {relacion} {escala}")


# --- main --------------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bd", choices=("sqlite", "postgres", "ambas"), default="ambas")
    parser.add_argument("--reusar", action="store_true", help="keep an already-seeded database")
    parser.add_argument("--duracion", type=int, default=5, help="seconds of each wrk run (under a minute)")
    parser.add_argument("--trabajadores", default="1,2", help="gunicorn workers to try, comma-separated")
    parser.add_argument("--capturistas", type=int, default=100_000)
    parser.add_argument("--informativa", action="store_true",
                        help="also the workers grids of an informativa of 150,000 (bench/informativa.py seeds it)")
    parser.add_argument("--comprimir", action="store_true",
                        help="the app's requests accept compression, as a browser's do (the reference never compresses)")
    args = parser.parse_args()
    trabajadores = [int(n) for n in args.trabajadores.split(",") if n.strip()]
    if not 1 <= args.duracion <= 50:
        parser.error("--duracion: de 1 a 50 segundos (la sesión reescribe su cookie cada minuto)")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk no está instalado (apt-get install wrk)")

    def terminar(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop gunicorn

    signal.signal(signal.SIGTERM, terminar)
    os.environ.setdefault("FLASK_DEBUG", "0")
    from bench import carga

    rfc = _rfc()
    motores = ["sqlite", "postgres"] if args.bd == "ambas" else [args.bd]
    bases = []
    for motor in motores:  # all seeding first, outside the timed part
        url = (preparar_sqlite(args.capturistas, args.reusar, rfc) if motor == "sqlite" else
               carga.preparar_base(args.capturistas, args.reusar, rfc, BASE_PG))
        bases.append(abrir_base(motor, url, rfc))
        if args.informativa:
            preparar_informativa(bases[-1])

    trabajo = Path(tempfile.mkdtemp(prefix="icsoe-http-"))
    problemas: list[str] = []
    t0 = time.perf_counter()
    tablas = []
    for base in bases:
        resultados = []
        for n in trabajadores:
            print(f"{base.version}, {n} trabajador(es)...", flush=True)
            resultados += medir(base, rfc, n, args.duracion, wrk, trabajo, problemas, args.comprimir)
        tablas.append((base, resultados))
    for base, resultados in tablas:
        informe(base, resultados, trabajadores, args.duracion)
    print(f"\nmedición: {time.perf_counter() - t0:.0f} s (sin la siembra); scripts y registros en {trabajo}")
    print("app/ref: req/s de la app entre req/s de la referencia (mismos trabajadores); "
          f"×/{trabajadores[0]} trab.: req/s entre las de {trabajadores[0]} trabajador(es)")
    for problema in problemas:
        print(f"FALLA: {problema}")
    print("RESULTADO: " + ("sin errores" if not problemas else f"{len(problemas)} fallas"))
    return 1 if problemas else 0


if __name__ == "__main__":
    sys.exit(main())
