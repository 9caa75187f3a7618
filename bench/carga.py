"""Bounded load test of the real app under gunicorn on PostgreSQL, loopback only.

1. Creates (or, with ``--reusar``, reuses) the database ``icsoe_carga`` owned by the role apptest
   (through ``postgresql+psycopg://apptest:apptest@127.0.0.1:5432/apptest``; the role has CREATEDB),
   migrates it with Flask-Migrate and seeds one contractor (Datos Generales, known password) with
   100,000 capturistas by COPY — relacion_capturista's curp / nombre_orden / busqueda filled like
   RelacionCapturista.copiar_datos_de — plus one sent activation e-mail each (the grid's
   "estado del correo" reads them).
2. Starts ``gunicorn -w 2 -k gthread --threads 4`` on 127.0.0.1:<free port>. SMTP points at a
   closed loopback port: any e-mail would fail fast and stay pending (none of the scenarios sends one).
3. Logs in with a standard-library client (http.client keep-alive + http.cookiejar) and drives a
   fixed number of requests per scenario from a fixed pool of threads, each scenario under a hard
   time cap: Consulta first page (htmx), search, a row action (Eliminar then Activar on each of
   many rows, htmx) and Exportar Excel of a search that stays under the 5,000-row direct threshold.
4. Prints requests, errors, throughput and p50/p95/p99 latency per scenario; exits 1 if any
   request failed (or a scenario hit its time cap). gunicorn is always stopped.

    .venv/bin/python bench/carga.py               # fresh database (~15 s of seeding), then the load
    .venv/bin/python bench/carga.py --reusar      # keep an already-seeded icsoe_carga
"""
from __future__ import annotations

import argparse
import fcntl
import http.client
import http.cookiejar
import io
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

HOST = "127.0.0.1"  # the only address this script ever talks to
URL_ADMIN = f"postgresql+psycopg://apptest:apptest@{HOST}:5432/apptest"
BASE_DATOS = "icsoe_carga"
CLAVE = "CargaIcsoe2026"
RAZON_SOCIAL = "Servicios de Carga Masiva, S.A. de C.V."
GRID = "/administracion/consulta"
EXPORTAR = "/administracion/exportar-excel"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FILA_RE = re.compile(r'<tbody id="capturista-\d+"')

NOMBRES = ["JOSÉ LUIS", "MARÍA", "GUADALUPE", "JUAN", "ANA", "FRANCISCO", "LAURA", "PEDRO", "SOFÍA", "MIGUEL",
           "VERÓNICA", "JESÚS", "CARMEN", "ALEJANDRO", "PATRICIA", "RICARDO", "DIANA", "ÁNGEL", "ROSA", "IVÁN"]
APELLIDOS = ["GARCÍA", "HERNÁNDEZ", "MARTÍNEZ", "LÓPEZ", "GONZÁLEZ", "PÉREZ", "RODRÍGUEZ", "SÁNCHEZ", "RAMÍREZ",
             "CRUZ", "FLORES", "GÓMEZ", "MUÑOZ", "NÚÑEZ", "DÍAZ", "REYES", "MORALES", "JIMÉNEZ", "ORTIZ", "CASTILLO"]
LETRAS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DOMINIOS = 40  # correo ...@empresaN.example, N = i % 40: a domain matches 1/40 of the rows (2,500 of 100,000)
BUSQUEDAS = ["munoz", "maria garcia", "empresa7.example", "lopez hernandez", "jose luis", "ortiz cruz"]
FILTRO_EXPORTAR = "empresa13.example"


def _url(base_de_datos: str) -> str:
    return URL_ADMIN.rsplit("/", 1)[0] + "/" + base_de_datos


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def base_nueva(nombre: str) -> str:
    """A fresh PostgreSQL database ``nombre`` (dropped first if it exists), owned by apptest: its URL.
    The benchmarks that measure one feature on both databases take theirs with this."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq(URL_ADMIN), autocommit=True, connect_timeout=5) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nombre)))
        con.execute(sql.SQL("CREATE DATABASE {} OWNER apptest").format(sql.Identifier(nombre)))
    return _url(nombre)


def app_migrada(url: str, **ajustes):
    """The app on ``url`` with the production Config and a benchmark's ``ajustes`` (a random key, cookies over
    http, a cheap password hash), the schema migrated to head."""
    import secrets

    from flask_migrate import upgrade

    from app import create_app
    from config import Config

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secrets.token_urlsafe(48),
                     SESSION_COOKIE_SECURE=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", **ajustes)
    with app.app_context():
        upgrade()
    return app


def _rfc() -> str:
    from domain.rfc import digito_verificador

    base = "SCM010101C3"
    return base + digito_verificador(base)


# --- 1. database -----------------------------------------------------------------------------------

def _existe(cur, nombre: str) -> bool:
    return cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (nombre,)).fetchone() is not None


def _sembrada(url: str, rfc: str, total: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=5) as con:
            fila = con.execute("SELECT count(*) FROM relacion_capturista r JOIN contratista c"
                               " ON c.id = r.contratista_id WHERE c.rfc = %s", (rfc,)).fetchone()
            return fila[0] >= total
    except psycopg.Error:
        return False


def preparar_base(total: int, reusar: bool, rfc: str, base: str = BASE_DATOS) -> str:
    """Creates (or reuses) the database ``base``, migrated and seeded; returns its SQLAlchemy URL.
    bench/http_wrk.py seeds its own database (icsoe_http) with this too."""
    import psycopg
    from psycopg import sql

    url = _url(base)
    with psycopg.connect(_libpq(URL_ADMIN), autocommit=True, connect_timeout=5) as con:
        existe = _existe(con, base)
        if existe and reusar and _sembrada(url, rfc, total):
            print(f"base {base}: reutilizada (ya tiene {total:,} capturistas)")
            _migrar(url)
            return url
        if existe:
            con.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(base)))
        con.execute(sql.SQL("CREATE DATABASE {} OWNER apptest").format(sql.Identifier(base)))
    _migrar(url)
    _sembrar(url, total, rfc, base)
    return url


def _migrar(url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from config import Config
    from extensions import db

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secrets.token_urlsafe(48))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _curp(i: int, rnd: random.Random) -> str:
    """18 characters, unique by construction (the first four letters spell i in base 26)."""
    cabeza = "".join(LETRAS[(i // 26 ** k) % 26] for k in (3, 2, 1, 0))
    return (f"{cabeza}{rnd.randint(50, 99):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            f"{rnd.choice('HM')}DF{''.join(rnd.choice(LETRAS) for _ in range(3))}0{i % 10}")


def _personas(total: int):
    """Deterministic fictitious people: (i, curp, nombre, ap1, ap2, correo, estatus, creado, activado)."""
    from domain.texto import plano

    rnd = random.Random(2026)
    ahora = datetime.now(timezone.utc)
    for i in range(1, total + 1):
        nombre, ap1, ap2 = rnd.choice(NOMBRES), rnd.choice(APELLIDOS), rnd.choice(APELLIDOS)
        correo = f"{plano(nombre).replace(' ', '.')}.{i}@empresa{i % DOMINIOS}.example"
        estatus = ("pendiente", "activo", "baja")[i % 3]
        creado = ahora - timedelta(seconds=i * 7)
        activado = creado + timedelta(hours=2) if estatus == "activo" else None
        yield i, _curp(i, rnd), nombre, ap1, ap2, correo, estatus, creado, activado


def _sembrar(url: str, total: int, rfc: str, base: str = BASE_DATOS) -> None:
    """One contractor + ``total`` capturistas, relations and sent e-mails, by COPY (explicit ids)."""
    import psycopg
    from werkzeug.security import generate_password_hash

    from domain.texto import clave_busqueda, clave_orden_nombre

    t0 = time.perf_counter()
    ahora = datetime.now(timezone.utc)
    personas = list(_personas(total))
    with psycopg.connect(_libpq(url)) as con, con.cursor() as cur:
        contratista_id = cur.execute(
            "INSERT INTO contratista (rfc, correo, password_hash, creado_en, correo_verificado_en)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (rfc, "carga@contratista.example", generate_password_hash(CLAVE), ahora, ahora)).fetchone()[0]
        cur.execute(
            "INSERT INTO datos_generales (contratista_id, razon_social, registro_patronal, registro_repse, calle,"
            " numero, colonia, codigo_postal, municipio, entidad, telefono, correo_contacto, actualizado_en)"
            " VALUES (%s, %s, 'Y3926552104', 'AR12345/2024', 'Av. Reforma', '222', 'Juárez', '06600',"
            " 'Cuauhtémoc', '09', '5555555555', 'contacto@carga.example', %s)", (contratista_id, RAZON_SOCIAL, ahora))
        with cur.copy("COPY capturista (id, curp, nombre, primer_apellido, segundo_apellido, usuario, correo,"
                      " activado_en, creado_en, sesion_version) FROM STDIN") as copia:
            for i, curp, nombre, ap1, ap2, correo, _, creado, activado in personas:
                copia.write_row((i, curp, nombre, ap1, ap2, f"carga{i}" if activado else None,
                                 correo if activado else None, activado, creado, 0))
        with cur.copy("COPY relacion_capturista (id, contratista_id, capturista_id, curp, nombre_orden, busqueda,"
                      " telefono, correo, estatus, creado_en, activado_en, baja_en, token_version, liga_vence_en)"
                      " FROM STDIN") as copia:
            for i, curp, nombre, ap1, ap2, correo, estatus, creado, activado in personas:
                # The same copies RelacionCapturista.copiar_datos_de keeps for the grid's sort and search.
                copia.write_row((i, contratista_id, i, curp, clave_orden_nombre(nombre, ap1, ap2),
                                 clave_busqueda(curp, nombre, ap1, ap2, correo), f"55{i:08d}", correo, estatus,
                                 creado, activado, creado + timedelta(days=1) if estatus == "baja" else None, 1,
                                 creado + timedelta(hours=24)))
        with cur.copy("COPY correo_saliente (tipo, relacion_id, capturista_id, destinatario, asunto, cuerpo_texto,"
                      " cuerpo_html, estado, intentos, creado_en, enviado_en) FROM STDIN") as copia:
            for i, _, _, _, _, correo, _, creado, _ in personas:
                copia.write_row(("activacion", i, i, correo, "Activa tu usuario capturista", "-", "-", "enviado", 1,
                                 creado, creado))
        for tabla in ("capturista", "relacion_capturista"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{tabla}', 'id'), (SELECT max(id) FROM {tabla}))")
        con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE")  # fresh statistics: the migration's ANALYZE ran on empty tables
    print(f"base {base}: creada, migrada y sembrada con {total:,} capturistas en "
          f"{time.perf_counter() - t0:.1f} s")


# --- 2. gunicorn ---------------------------------------------------------------------------------------

# Ports this process was handed, each held by a lock file in CERROJOS until it exits (see puerto_libre).
CERROJOS = Path(tempfile.gettempdir()) / "icsoe-puertos"
_PUERTOS_TOMADOS: list = []


def puerto_libre() -> int:
    """A loopback port free now, for a server started next (gunicorn, redis-server, an SMTP server).
    The kernel picks it; between this pick and the server's bind another process on the machine could be
    handed the same one (``make test`` runs two suites at once, and several checkouts may test together),
    so each port is also claimed with a lock file that this process keeps until it ends: a port locked by
    another process is skipped. It also stays claimed where a test wants nothing to listen."""
    CERROJOS.mkdir(exist_ok=True)
    while True:
        with socket.socket() as s:
            s.bind((HOST, 0))
            puerto = s.getsockname()[1]
        cerrojo = open(CERROJOS / str(puerto), "w")  # kept open: the lock lives as long as the file
        try:
            fcntl.flock(cerrojo, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            cerrojo.close()
            continue
        _PUERTOS_TOMADOS.append(cerrojo)
        return puerto


def arrancar_gunicorn(url: str, puerto: int, trabajo: Path) -> subprocess.Popen:
    entorno = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_DEBUG", "TEST_DATABASE_URL")}
    entorno.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        BASE_URL=f"http://{HOST}:{puerto}",
        MAIL_SERVER=HOST,
        MAIL_PORT=str(puerto_libre()),  # nothing listens there: a send fails at once and stays pending
        MAIL_TIMEOUT="2",
        PADRON_FUENTE="local",
        SESSION_COOKIE_SECURE="0",  # plain http on loopback: http.cookiejar never sends a Secure cookie there
        HUEY_SQLITE=str(trabajo / "huey.sqlite"),
        EXPORTACION_DIR=str(trabajo / "exportaciones"),
    )
    registro = open(trabajo / "gunicorn.log", "wb")
    return subprocess.Popen(
        [str(RAIZ / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py",
         "-w", "2", "-k", "gthread", "--threads", "4", "-b", f"{HOST}:{puerto}", "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket",
         "app:create_app()"],
        cwd=RAIZ, env=entorno, stdout=registro, stderr=subprocess.STDOUT, start_new_session=True)


def detener_gunicorn(proceso: subprocess.Popen) -> None:
    """SIGTERM to the master we started (it stops its workers); SIGKILL to its own group if it hangs."""
    if proceso.poll() is not None:
        return
    proceso.send_signal(signal.SIGTERM)
    try:
        proceso.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proceso.pid, signal.SIGKILL)  # the session start_new_session gave this gunicorn only
        proceso.wait(timeout=5)


def responde(proceso: subprocess.Popen, puerto: int, ruta: str, tope: float = 40) -> bool:
    """Poll ``ruta`` until it answers 200 (True), the process dies or ``tope`` seconds pass (False)."""
    limite = time.monotonic() + tope
    while time.monotonic() < limite and proceso.poll() is None:
        try:
            con = http.client.HTTPConnection(HOST, puerto, timeout=2)
            con.request("GET", ruta)
            listo = con.getresponse().status == 200
            con.close()
            if listo:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def esperar_respuesta(proceso: subprocess.Popen, puerto: int, trabajo: Path, tope: float = 40) -> None:
    if responde(proceso, puerto, "/cuenta/iniciar-sesion", tope):
        return
    registro = (trabajo / "gunicorn.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"gunicorn no respondió en {tope:.0f} s.\n--- gunicorn.log ---\n{registro}")


# --- 3. a standard-library HTTP client ---------------------------------------------------------------

@dataclass
class Respuesta:
    status: int
    headers: http.client.HTTPMessage
    cuerpo: bytes

    @property
    def texto(self) -> str:
        return self.cuerpo.decode("utf-8", errors="replace")


class Cliente:
    """One keep-alive http.client connection per thread to 127.0.0.1, cookies in one shared jar
    (every thread is the same logged-in browser session). No redirects are followed."""

    def __init__(self, puerto: int):
        self.puerto = puerto
        self.jar = http.cookiejar.CookieJar()
        self._local = threading.local()

    def _conexion(self) -> http.client.HTTPConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = http.client.HTTPConnection(HOST, self.puerto, timeout=30)
        return con

    def _cerrar(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
        self._local.con = None

    def pedir(self, metodo: str, ruta: str, datos: dict | None = None, headers: dict | None = None) -> Respuesta:
        solicitud = urllib.request.Request(f"http://{HOST}:{self.puerto}{ruta}", method=metodo)
        self.jar.add_cookie_header(solicitud)
        cabeceras = dict(headers or {})
        if solicitud.has_header("Cookie"):
            cabeceras["Cookie"] = solicitud.get_header("Cookie")
        cuerpo = None
        if datos is not None:
            cuerpo = urlencode(datos).encode()
            cabeceras["Content-Type"] = "application/x-www-form-urlencoded"
        for intento in (1, 2):
            con = self._conexion()
            try:
                con.request(metodo, ruta, body=cuerpo, headers=cabeceras)
                respuesta = con.getresponse()
                contenido = respuesta.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection before this request: reconnect once.
                self._cerrar()
                if intento == 2:
                    raise
        self.jar.extract_cookies(respuesta, solicitud)
        if respuesta.will_close:
            self._cerrar()
        return Respuesta(respuesta.status, respuesta.headers, contenido)

    def token(self, ruta: str = GRID) -> str:
        r = self.pedir("GET", ruta)
        m = CSRF_RE.search(r.texto)
        if r.status != 200 or not m:
            raise SystemExit(f"GET {ruta} → {r.status}: sin token CSRF")
        return m.group(1)

    def iniciar_sesion(self, rfc: str, clave: str) -> None:
        r = self.pedir("POST", "/cuenta/iniciar-sesion",
                       {"csrf_token": self.token("/cuenta/iniciar-sesion"), "rfc": rfc, "password": clave})
        if r.status != 303:
            raise SystemExit(f"no se pudo iniciar sesión como {rfc}: HTTP {r.status}")


# --- 4. scenarios ----------------------------------------------------------------------------------------

@dataclass
class Medicion:
    ms: float
    error: str | None = None


def medir(funcion, comprobar) -> Medicion:
    """One request: its latency and, if anything is wrong with it, why (status or content)."""
    t = time.perf_counter()
    try:
        respuesta = funcion()
    except Exception as exc:  # noqa: BLE001 - a failed request is a result, not a crash
        return Medicion((time.perf_counter() - t) * 1000, f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - t) * 1000
    return Medicion(ms, comprobar(respuesta))


def _fragmento_grid(r: Respuesta, minimo: int, maximo: int) -> str | None:
    if r.status != 200:
        return f"HTTP {r.status}"
    texto = r.texto
    if "<!doctype html>" in texto.lower() or 'id="grid-capturistas"' not in texto:
        return "no es el fragmento del grid"
    filas = len(FILA_RE.findall(texto))
    if not minimo <= filas <= maximo:
        return f"{filas} filas (se esperaban {minimo}-{maximo})"
    return None


@dataclass
class Escenario:
    nombre: str
    tareas: list  # each: () -> list[Medicion]
    medidas: list[Medicion] = field(default_factory=list)
    segundos: float = 0.0
    no_iniciadas: int = 0


def correr(escenario: Escenario, hilos: int, tope: float) -> None:
    """A fixed pool of threads takes the scenario's tasks in order until none is left or the cap is hit."""
    siguiente = iter(range(len(escenario.tareas)))
    candado = threading.Lock()
    limite = time.monotonic() + tope

    def trabajador():
        while time.monotonic() < limite:
            with candado:
                i = next(siguiente, None)
            if i is None:
                return
            resultado = escenario.tareas[i]()
            with candado:
                escenario.medidas.extend(resultado)

    trabajadores = [threading.Thread(target=trabajador, daemon=True) for _ in range(hilos)]
    t0 = time.perf_counter()
    for t in trabajadores:
        t.start()
    for t in trabajadores:
        t.join(timeout=max(0.0, limite - time.monotonic()) + 35)  # + the socket timeout of a last request
    escenario.segundos = time.perf_counter() - t0
    with candado:
        escenario.no_iniciadas = sum(1 for _ in siguiente)


def escenarios(cliente: Cliente, token: str, peticiones: int, peticiones_exportar: int, filas_accion: list[int],
               esperadas_exportar: int) -> list[Escenario]:
    hx_grid = {"HX-Request": "true", "HX-Target": "grid-capturistas", "HX-Current-URL": f"http://{HOST}{GRID}"}

    def primera():
        return [medir(lambda: cliente.pedir("GET", GRID, headers=hx_grid), lambda r: _fragmento_grid(r, 50, 50))]

    def busqueda(i):
        q = BUSQUEDAS[i % len(BUSQUEDAS)]
        return lambda: [medir(lambda: cliente.pedir("GET", f"{GRID}?{urlencode({'q': q})}", headers=hx_grid),
                              lambda r: _fragmento_grid(r, 1, 50))]

    def accion(rid):
        hx = {"HX-Request": "true", "HX-Target": f"capturista-{rid}", "X-CSRFToken": token}
        datos = {"csrf_token": token, "volver": GRID}

        def comprobar(mensaje):
            def _c(r: Respuesta):
                if r.status != 200:
                    return f"HTTP {r.status}"
                texto = r.texto
                if not texto.lstrip().startswith(f'<tbody id="capturista-{rid}"') or mensaje not in texto:
                    return "la fila devuelta no es la esperada"
                return None
            return _c

        return lambda: [
            medir(lambda: cliente.pedir("POST", f"{GRID}/{rid}/eliminar", datos, hx),
                  comprobar("La relación con el usuario capturista es baja.")),
            medir(lambda: cliente.pedir("POST", f"{GRID}/{rid}/activar", datos, hx),
                  comprobar("El usuario capturista se activó correctamente.")),
        ]

    verificado = threading.Event()
    candado = threading.Lock()

    def comprobar_xlsx(r: Respuesta) -> str | None:
        if r.status != 200:
            return f"HTTP {r.status}"
        if not r.headers.get("Content-Type", "").startswith(MIME_XLSX):
            return f"Content-Type {r.headers.get('Content-Type')!r}"
        disposicion = r.headers.get("Content-Disposition", "")
        if "attachment" not in disposicion or ".xlsx" not in disposicion:
            return f"Content-Disposition {disposicion!r}"
        if not r.cuerpo.startswith(b"PK\x03\x04"):
            return "el cuerpo no es un archivo xlsx (zip)"
        with candado:
            if not verificado.is_set():  # the first workbook is opened and its rows counted
                from openpyxl import load_workbook

                hoja = load_workbook(io.BytesIO(r.cuerpo), read_only=True)["Capturistas"]
                filas = sum(1 for _ in hoja.iter_rows(min_row=3, values_only=True))
                if filas != esperadas_exportar:
                    return f"el libro tiene {filas} filas de datos (se esperaban {esperadas_exportar})"
                verificado.set()
        return None

    def exportar():
        return [medir(lambda: cliente.pedir("POST", EXPORTAR, {"csrf_token": token, "q": FILTRO_EXPORTAR}),
                      comprobar_xlsx)]

    return [
        Escenario("Consulta: primera página (htmx)", [primera] * peticiones),
        Escenario("Consulta: búsqueda ?q= (htmx)", [busqueda(i) for i in range(peticiones)]),
        Escenario("Fila: Eliminar / Activar (htmx)", [accion(rid) for rid in filas_accion]),
        Escenario(f"Exportar Excel ({esperadas_exportar:,} filas)", [exportar] * peticiones_exportar),
    ]


def _percentil(valores: list[float], p: int) -> float:
    if len(valores) < 2:
        return valores[0] if valores else float("nan")
    return statistics.quantiles(valores, n=100, method="inclusive")[p - 1]


def informe(lista: list[Escenario], tope: float) -> int:
    print(f"\n{'escenario':36} {'peticiones':>10} {'errores':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
          f" {'p99 ms':>8} {'dur. s':>7}")
    fallas = 0
    for e in lista:
        ms = [m.ms for m in e.medidas]
        errores = [m.error for m in e.medidas if m.error]
        fallas += len(errores) + e.no_iniciadas
        print(f"{e.nombre:36} {len(e.medidas):>10} {len(errores):>8} {len(e.medidas) / e.segundos:>8.1f}"
              f" {_percentil(ms, 50):>8.1f} {_percentil(ms, 95):>8.1f} {_percentil(ms, 99):>8.1f} {e.segundos:>7.1f}")
        for motivo in sorted(set(errores))[:5]:
            print(f"    error ({errores.count(motivo)}×): {motivo}")
        if e.no_iniciadas:
            print(f"    TOPE DE TIEMPO ({tope:.0f} s): {e.no_iniciadas} tareas no se iniciaron")
    return fallas


# --- main ------------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reusar", action="store_true", help=f"keep {BASE_DATOS} if it is already seeded")
    parser.add_argument("--capturistas", type=int, default=100_000)
    parser.add_argument("--peticiones", type=int, default=400, help="requests per scenario")
    parser.add_argument("--peticiones-exportar", type=int, default=200,
                        help="requests of the export scenario (each writes a ~2,500-row workbook: ~0.5 s of CPU)")
    parser.add_argument("--hilos", type=int, default=8, help="client threads")
    parser.add_argument("--tope", type=float, default=150, help="hard time cap per scenario, in seconds")
    args = parser.parse_args()

    def terminar(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

    signal.signal(signal.SIGTERM, terminar)

    rfc = _rfc()
    url = preparar_base(args.capturistas, args.reusar, rfc)
    import psycopg

    with psycopg.connect(_libpq(url)) as con:
        contratista_id = con.execute("SELECT id FROM contratista WHERE rfc = %s", (rfc,)).fetchone()[0]
        candidatas = [f[0] for f in con.execute(
            "SELECT id FROM relacion_capturista WHERE contratista_id = %s AND estatus <> 'baja' ORDER BY id",
            (contratista_id,))]
        esperadas = con.execute(
            "SELECT count(*) FROM relacion_capturista WHERE contratista_id = %s AND busqueda LIKE %s",
            (contratista_id, f"%{FILTRO_EXPORTAR}%")).fetchone()[0]
        version_pg = con.execute("SHOW server_version").fetchone()[0]
    filas_accion = random.Random(7).sample(candidatas, args.peticiones // 2)

    trabajo = Path(tempfile.mkdtemp(prefix="icsoe-carga-"))
    puerto = puerto_libre()
    proceso = arrancar_gunicorn(url, puerto, trabajo)
    try:
        esperar_respuesta(proceso, puerto, trabajo)
        cliente = Cliente(puerto)
        cliente.iniciar_sesion(rfc, CLAVE)
        token = cliente.token()
        print(f"gunicorn -w 2 -k gthread --threads 4 en {HOST}:{puerto} (pid {proceso.pid}); PostgreSQL "
              f"{version_pg}, base {BASE_DATOS}; un contratista con {args.capturistas:,} capturistas; "
              f"{args.hilos} hilos cliente; tope {args.tope:.0f} s por escenario")
        calentar = Escenario("calentamiento", [lambda: [medir(lambda: cliente.pedir("GET", GRID), lambda r: None)]]
                             * (2 * args.hilos))
        correr(calentar, args.hilos, args.tope)
        lista = escenarios(cliente, token, args.peticiones, args.peticiones_exportar, filas_accion, esperadas)
        for e in lista:
            correr(e, args.hilos, args.tope)
        fallas = informe(lista, args.tope)
        if proceso.poll() is not None:
            print(f"gunicorn terminó durante la prueba (código {proceso.returncode})")
            fallas += 1
    finally:
        detener_gunicorn(proceso)
    errores_servidor = [linea for linea in (trabajo / "gunicorn.log").read_text(errors="replace").splitlines()
                        if "Traceback" in linea or "[ERROR]" in linea or "[CRITICAL]" in linea]
    print(f"gunicorn detenido (código {proceso.returncode}); registro: {trabajo / 'gunicorn.log'}"
          f" ({len(errores_servidor)} líneas de error)")
    for linea in errores_servidor[:10]:
        print(f"    {linea}")
    fallas += len(errores_servidor)
    print("RESULTADO: " + ("sin errores" if fallas == 0 else
                           f"{fallas} fallas (peticiones con error, tareas sin iniciar o errores del servidor)"))
    return 1 if fallas else 0


if __name__ == "__main__":
    sys.exit(main())
