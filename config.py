"""Settings read from the environment (12-factor). ``Config`` is the default; ``TestConfig`` for pytest."""
import logging
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)

# Our own variables are named in Spanish; these had English or mixed names and still work, with a
# warning naming the new one (the new name wins when both are set).
NOMBRES_ANTERIORES = {
    "ACCESO_FALLOS_MAXIMOS": "LOGIN_MAX_FAILURES",
    "ACCESO_ESPERA_MINUTOS": "LOGIN_LOCK_MINUTES",
    "ACCESO_LIMITE_CLIENTE": "LOGIN_LIMITE_CLIENTE",
    "EXPORTACION_UMBRAL": "EXPORT_UMBRAL",
    "EXPORTACION_DIR": "EXPORT_DIR",
    "EXPORTACION_RETENCION_HORAS": "EXPORT_RETENCION_HORAS",
    "PADRON_FUENTE": "PADRON_BACKEND",
    "PADRON_TIEMPO_LIMITE": "PADRON_TIMEOUT",
}


def _entorno(name: str, default: str) -> str:
    """The variable ``name``, else its old name (``NOMBRES_ANTERIORES``) with a warning, else ``default``."""
    anterior = NOMBRES_ANTERIORES.get(name)
    if anterior and anterior in os.environ:
        if name in os.environ:
            log.warning("La variable de entorno %s está obsoleta y se ignora: vale %s.", anterior, name)
        else:
            log.warning("La variable de entorno %s está obsoleta: usa %s.", anterior, name)
            return os.environ[anterior]
    return os.environ.get(name, default)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def _lista(name: str) -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [parte.strip() for parte in os.environ.get(name, "").split(",") if parte.strip()]


def _dias(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma-separated list of whole days (0 or more) as a tuple; ``default`` when unset."""
    texto = _lista(name)
    if not all(d.isdigit() for d in texto):
        raise RuntimeError(f"{name} debe ser una lista de días separados por comas, como 7,2.")
    return tuple(int(d) for d in texto) or default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # Heroku-style URLs; SQLAlchemy wants the driver spelled out.
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url or f"sqlite:///{BASE_DIR / 'instance' / 'icsoe.db'}"


class Config:
    # No default: create_app refuses to start without a strong key (a random one in debug/testing).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # Key rotation: the previous keys, oldest first; they still verify sessions and links, never sign.
    SECRET_KEY_FALLBACKS = _lista("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Absolute base for links sent by e-mail (activation, password reset).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies by default (browsers accept them on http://localhost and 127.0.0.1 too);
    # SESSION_COOKIE_SECURE=0 only to try the app over plain HTTP on a LAN.
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", default=True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    # Request size: no form of ours comes near these (a carga masiva's upload alone may reach its own limit,
    # CARGA_MAX_BYTES or CARGA_CAPTURISTAS_MAX_BYTES: blueprints/carga.py); larger bodies get the 413 page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    MAX_FORM_MEMORY_SIZE = 64 * 1024  # one multipart field
    MAX_FORM_PARTS = 100              # fields of a multipart body

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # werkzeug's scrypt (n=2**15): ~0.1 s a hash here, on purpose.
    PASSWORD_HASH_METHOD = "scrypt"

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Capturistas ICSOE <no-responder@icsoe.local>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "5"))
    # Delivery attempts before an e-mail is given up (the worker retries every minute).
    CORREO_MAX_INTENTOS = int(os.environ.get("CORREO_MAX_INTENTOS", "60"))

    # Where a CURP's owner is looked up: "local" (padron_persona table) or "http" (RENAPO-like service).
    PADRON_FUENTE = _entorno("PADRON_FUENTE", "local")
    PADRON_URL = os.environ.get("PADRON_URL", "")
    PADRON_TIEMPO_LIMITE = float(_entorno("PADRON_TIEMPO_LIMITE", "5"))  # seconds
    PADRON_CSV = os.environ.get("PADRON_CSV", str(BASE_DIR / "data" / "padron_ficticio.csv"))

    # Distinct CURPs a contractor may look up (Validar) per hour, against enumeration of the padrón.
    VALIDACIONES_CURP_POR_HORA = int(os.environ.get("VALIDACIONES_CURP_POR_HORA", "120"))
    # Distinct workers' CURPs a contractor's capturistas may look up (Validar a trabajador) in 24 hours:
    # an allowance of its own (capturing thousands of workers must not use up Alta's), still bounded.
    VALIDACIONES_TRABAJADORES_POR_DIA = int(os.environ.get("VALIDACIONES_TRABAJADORES_POR_DIA", "20000"))

    # Activation-link resends per capturista (Enviar email, Solicitar nueva liga).
    REENVIOS_POR_MINUTO = int(os.environ.get("REENVIOS_POR_MINUTO", "1"))
    REENVIOS_POR_DIA = int(os.environ.get("REENVIOS_POR_DIA", "10"))

    # Login (both kinds of user): ACCESO_FALLOS_MAXIMOS wrong passwords for one account *from one client*
    # make that client wait ACCESO_ESPERA_MINUTOS (the owner, elsewhere, is never locked out); and each
    # client gets ACCESO_LIMITE_CLIENTE login attempts whatever the account.
    ACCESO_FALLOS_MAXIMOS = int(_entorno("ACCESO_FALLOS_MAXIMOS", "5"))
    ACCESO_ESPERA_MINUTOS = int(_entorno("ACCESO_ESPERA_MINUTOS", "15"))
    ACCESO_LIMITE_CLIENTE = _entorno("ACCESO_LIMITE_CLIENTE", "10 per minute;60 per hour")
    # Public forms that send e-mail (registro, recuperar contraseña, solicitar nueva liga), per client.
    FORMULARIO_PUBLICO_LIMITE = os.environ.get("FORMULARIO_PUBLICO_LIMITE", "5 per minute;30 per hour")
    # Validar (padrón lookups) per client and for the whole system, beside the per-contractor limit.
    VALIDAR_LIMITE_CLIENTE = os.environ.get("VALIDAR_LIMITE_CLIENTE", "200 per hour")
    VALIDAR_LIMITE_GLOBAL = os.environ.get("VALIDAR_LIMITE_GLOBAL", "5000 per hour")
    # Validar / Guardar of a contract's workers per client (both routes share it).
    VALIDAR_TRABAJADORES_LIMITE_CLIENTE = os.environ.get("VALIDAR_TRABAJADORES_LIMITE_CLIENTE", "1000 per hour")
    # Redis, when there is one: Huey's queue and Flask-Limiter's counters, shared by every app server.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Flask-Limiter's counters: in memory (one process) unless a shared store is given.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Reverse proxies in front of the app (nginx = 1): ProxyFix then trusts that many X-Forwarded-For hops.
    PROXY_SALTOS = int(os.environ.get("PROXY_SALTOS", "0"))
    # A session unused this long ends (kiosks are shared machines).
    SESION_INACTIVA_MINUTOS = int(os.environ.get("SESION_INACTIVA_MINUTOS", "30"))

    # Outgoing e-mail caused by one contractor in 24 hours (activation links, invitations).
    CORREOS_POR_DIA_CONTRATISTA = int(os.environ.get("CORREOS_POR_DIA_CONTRATISTA", "300"))
    # Reminders of the informativa's deadline: this many calendar days before it (Mexico City), while
    # the period is not presented (services/recordatorios.py; comma-separated in the environment).
    RECORDATORIO_DIAS = _dias("RECORDATORIO_DIAS", (7, 2))

    TIMEZONE = "America/Mexico_City"

    # Response compression (Flask-Compress): the grid's 70 KB of HTML travel as ~6 KB. zstd costs
    # 0.05 ms per page, br (quality 4) 0.2 ms, gzip (6) 0.3 ms; deflate is left out (every browser
    # that sends it also sends gzip). BREACH: the only secret in a page is the CSRF token, which is
    # signed with a timestamp (it changes every second), and the session cookie is SameSite=Lax.
    COMPRESS_ALGORITHM = ["zstd", "br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json"]

    # Exportar Excel: above this many rows the export is a background job (Huey) with a progress bar.
    EXPORTACION_UMBRAL = int(_entorno("EXPORTACION_UMBRAL", "5000"))
    EXPORTACION_DIR = _entorno("EXPORTACION_DIR", str(BASE_DIR / "instance" / "exportaciones"))
    EXPORTACION_RETENCION_HORAS = int(_entorno("EXPORTACION_RETENCION_HORAS", "24"))

    # Carga masiva de trabajadores: IMSS's limits per file (3,000 rows, 15 MB); above CARGA_UMBRAL rows the
    # file is processed by the Huey worker with a progress bar. CARGA_DIR holds the uploaded files until
    # processed and the rejected rows' workbooks (kept EXPORTACION_RETENCION_HORAS): like EXPORTACION_DIR,
    # app servers and worker must share it.
    CARGA_MAX_FILAS = int(os.environ.get("CARGA_MAX_FILAS", "3000"))
    CARGA_MAX_BYTES = int(os.environ.get("CARGA_MAX_BYTES", str(15 * 1024 * 1024)))
    CARGA_UMBRAL = int(os.environ.get("CARGA_UMBRAL", "500"))
    CARGA_DIR = os.environ.get("CARGA_DIR", str(BASE_DIR / "instance" / "cargas"))
    # An .xlsx is a zip: what its members may add up to once inflated, and how much more than their
    # compressed size a large member may inflate to (zip bombs are refused before openpyxl opens them).
    CARGA_XLSX_MAX_DESCOMPRIMIDO = int(os.environ.get("CARGA_XLSX_MAX_DESCOMPRIMIDO", str(100 * 1024 * 1024)))
    CARGA_XLSX_RAZON_MAXIMA = int(os.environ.get("CARGA_XLSX_RAZON_MAXIMA", "100"))

    # Carga masiva de capturistas (Alta de usuarios): at most CARGA_CAPTURISTAS_MAX_FILAS rows and
    # CARGA_CAPTURISTAS_MAX_BYTES a file. A file of more than CARGA_CAPTURISTAS_UMBRAL rows is checked by the
    # Huey worker (the preview), and a Guardar of more valid rows than that runs there too, with a progress
    # bar. The file's padrón lookups count against an allowance of their own, VALIDACIONES_ALTA_MASIVA_POR_DIA
    # distinct CURPs per contractor in 24 hours (Alta's hourly one would stop a legitimate file).
    CARGA_CAPTURISTAS_MAX_FILAS = int(os.environ.get("CARGA_CAPTURISTAS_MAX_FILAS", "1000"))
    CARGA_CAPTURISTAS_MAX_BYTES = int(os.environ.get("CARGA_CAPTURISTAS_MAX_BYTES", str(2 * 1024 * 1024)))
    CARGA_CAPTURISTAS_UMBRAL = int(os.environ.get("CARGA_CAPTURISTAS_UMBRAL", "200"))
    VALIDACIONES_ALTA_MASIVA_POR_DIA = int(os.environ.get("VALIDACIONES_ALTA_MASIVA_POR_DIA", "2000"))

    # e.firma (SAT's FIEL), for signing informativas and logging in. EFIRMA_CA_DIR holds the certificates
    # of the certification authorities to trust (SAT's published AC certificates, DER or PEM: .cer, .crt,
    # .pem); a relative path is taken from the instance folder. It is read at each use (no restart).
    EFIRMA_CA_DIR = os.environ.get("EFIRMA_CA_DIR", str(BASE_DIR / "instance" / "efirma_ca"))
    # Wrong passwords of the private key: EFIRMA_FALLOS_MAXIMOS per contractor when signing (per
    # certificate and client when logging in) make it wait EFIRMA_ESPERA_MINUTOS.
    EFIRMA_FALLOS_MAXIMOS = int(os.environ.get("EFIRMA_FALLOS_MAXIMOS", "5"))
    EFIRMA_ESPERA_MINUTOS = int(os.environ.get("EFIRMA_ESPERA_MINUTOS", "15"))
    # Each uploaded file (.cer, .key; SAT's are 1-2 KB): the upload is kept in memory, never on disk.
    EFIRMA_TAMANO_MAXIMO = int(os.environ.get("EFIRMA_TAMANO_MAXIMO", str(16 * 1024)))

    # Huey (tareas.py builds its queue from these, without the app): Redis when REDIS_URL is set, else
    # this SQLite file; HUEY_IMMEDIATE runs each task at once in the caller (no consumer, no queue).
    HUEY_SQLITE = os.environ.get("HUEY_SQLITE") or str(BASE_DIR / "instance" / "huey.sqlite")
    HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE")


class TestConfig(Config):
    TESTING = True
    # A write inside a GET request (a view not marked @escribe) fails the test that made it.
    VERIFICAR_LECTURAS = True
    SECRET_KEY = "clave-de-pruebas"
    SECRET_KEY_FALLBACKS: list[str] = []
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False  # the test client speaks http
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    BASE_URL = "http://localhost"
    SERVER_NAME = None
    MAIL_SUPPRESS_SEND = True
    # Tests hash hundreds of passwords: a cheap method keeps the suite fast (production keeps scrypt).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Suites log in hundreds of times from 127.0.0.1: the per-client throttles are tested with their
    # own values (tests/security/test_hallazgos.py sets them); everywhere else they stay out of the way.
    ACCESO_LIMITE_CLIENTE = "10000 per minute"
    FORMULARIO_PUBLICO_LIMITE = "10000 per minute"
    VALIDAR_LIMITE_CLIENTE = "10000 per minute"
    VALIDAR_LIMITE_GLOBAL = "10000 per minute"
    VALIDAR_TRABAJADORES_LIMITE_CLIENTE = "10000 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # No certification authority is trusted unless a test installs one (the ``app`` fixture gives each
    # test an empty directory of its own; ``efirma_ca`` puts a test CA in it).
    EFIRMA_CA_DIR = str(BASE_DIR / "tests" / "sin-autoridades-certificadoras")
