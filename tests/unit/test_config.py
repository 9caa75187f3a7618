"""Settings read from the environment, and the checks ``create_app`` makes before it starts."""
import importlib
import logging
import re
from pathlib import Path

import pytest

import config as modulo_config
from app import create_app
from config import Config, TestConfig

CLAVE_PUBLICADA = "dev-solo-local-cambia-esta-clave"  # was the default in the repository (F02)
CLAVE_BUENA = "k" * 48
BASE = "sqlite://"


@pytest.fixture
def sin_depuracion(monkeypatch):
    """``app.debug`` comes from FLASK_DEBUG when the Flask object is built."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)


@pytest.fixture
def config_con_entorno(monkeypatch):
    """``config`` re-read from the given environment (only those variables set); restored afterwards."""
    def _leer(**entorno):
        for nombre in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_COOKIE_SECURE", "MAX_CONTENT_LENGTH"):
            monkeypatch.delenv(nombre, raising=False)
        for nombre, valor in entorno.items():
            monkeypatch.setenv(nombre, valor)
        return importlib.reload(modulo_config)

    yield _leer
    monkeypatch.undo()
    importlib.reload(modulo_config)


def test_produccion_usa_scrypt():
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert TestConfig.PASSWORD_HASH_METHOD != Config.PASSWORD_HASH_METHOD


# --- F02: SECRET_KEY ----------------------------------------------------------------------------------

def test_sin_secret_key_no_hay_clave_por_omision(config_con_entorno):
    """F02: with SECRET_KEY unset the configuration holds no key (no published default)."""
    cfg = config_con_entorno()
    assert cfg.Config.SECRET_KEY is None
    assert cfg.Config.SECRET_KEY_FALLBACKS == []


def test_claves_anteriores_desde_el_entorno(config_con_entorno):
    """F02: SECRET_KEY_FALLBACKS is a comma-separated list (blanks dropped), oldest first."""
    cfg = config_con_entorno(SECRET_KEY=CLAVE_BUENA, SECRET_KEY_FALLBACKS=" vieja-1 , ,vieja-2,")
    assert cfg.Config.SECRET_KEY == CLAVE_BUENA
    assert cfg.Config.SECRET_KEY_FALLBACKS == ["vieja-1", "vieja-2"]


@pytest.mark.parametrize("clave", [None, "", "corta-de-31-caracteres-xxxxxxxx", CLAVE_PUBLICADA],
                         ids=["sin-clave", "vacia", "corta", "publicada"])
def test_fuera_de_depuracion_no_arranca_sin_una_clave_fuerte(sin_depuracion, clave):
    """F02: missing, short (< 32) or the old published key: create_app refuses, and says how to make one."""
    assert clave is None or len(clave) < 32 or clave == CLAVE_PUBLICADA
    with pytest.raises(RuntimeError, match=r"secrets\.token_urlsafe\(48\)") as error:
        create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=clave)
    assert "SECRET_KEY" in str(error.value)


@pytest.mark.parametrize("anterior", ["corta", CLAVE_PUBLICADA])
def test_una_clave_anterior_debil_tampoco(sin_depuracion, anterior):
    """F02: a weak key in SECRET_KEY_FALLBACKS would still verify forged cookies and links."""
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=CLAVE_BUENA, SECRET_KEY_FALLBACKS=[anterior])


def test_con_una_clave_fuerte_arranca(sin_depuracion):
    """F02: a 32+ character key (and strong fallbacks) is accepted outside debug/testing."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=CLAVE_BUENA,
                     SECRET_KEY_FALLBACKS=["v" * 40])
    assert not app.debug and not app.testing
    assert app.secret_key == CLAVE_BUENA


def test_pruebas_arrancan_con_su_clave(sin_depuracion):
    """F02: TestConfig (testing) keeps its short fixed key."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=BASE)
    assert app.testing and app.secret_key == TestConfig.SECRET_KEY


def test_en_depuracion_o_pruebas_sin_clave_se_genera_una_por_proceso(monkeypatch):
    """F02: debug (FLASK_DEBUG) or testing with no key: a random key, never the published one."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    a = create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=None)
    monkeypatch.delenv("FLASK_DEBUG")
    b = create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=None, TESTING=True)
    assert a.debug and b.testing
    for app in (a, b):
        assert isinstance(app.secret_key, str) and len(app.secret_key) >= 32
        assert app.secret_key != CLAVE_PUBLICADA
    assert a.secret_key != b.secret_key


# --- cookies -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("valor,esperado", [(None, True), ("1", True), ("0", False)], ids=["omision", "1", "0"])
def test_cookies_secure_por_omision(config_con_entorno, valor, esperado):
    """Session and remember-me cookies are Secure unless SESSION_COOKIE_SECURE=0 (plain HTTP on a LAN)."""
    cfg = config_con_entorno(**({} if valor is None else {"SESSION_COOKIE_SECURE": valor}))
    assert cfg.Config.SESSION_COOKIE_SECURE is esperado
    assert cfg.Config.REMEMBER_COOKIE_SECURE is esperado
    assert cfg.TestConfig.SESSION_COOKIE_SECURE is False  # the test client speaks http


# --- request size --------------------------------------------------------------------------------------

def test_limites_de_solicitud(config_con_entorno):
    """1 MiB per request by default (MAX_CONTENT_LENGTH from the environment); multipart bodies also
    get a per-field memory limit and a number of parts (Werkzeug 3.1)."""
    cfg = config_con_entorno()
    assert cfg.Config.MAX_CONTENT_LENGTH == 1024 * 1024
    assert 0 < cfg.Config.MAX_FORM_MEMORY_SIZE < cfg.Config.MAX_CONTENT_LENGTH
    assert 0 < cfg.Config.MAX_FORM_PARTS <= 1000
    assert config_con_entorno(MAX_CONTENT_LENGTH="2048").Config.MAX_CONTENT_LENGTH == 2048


# --- padrón over HTTP ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://renapo.interna/curp", "", "HTTPS:/renapo.interna", "ftp://renapo.interna"])
def test_padron_http_exige_https_fuera_de_pruebas(sin_depuracion, url):
    """CURPs and names travel to the padrón service: outside debug/testing only over https."""
    with pytest.raises(RuntimeError, match="PADRON_URL"):
        create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=CLAVE_BUENA, PADRON_FUENTE="http",
                   PADRON_URL=url)


def test_padron_https_o_local_arrancan(sin_depuracion):
    create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=CLAVE_BUENA, PADRON_FUENTE="http",
               PADRON_URL="https://renapo.interna/curp")
    create_app(Config, SQLALCHEMY_DATABASE_URI=BASE, SECRET_KEY=CLAVE_BUENA, PADRON_FUENTE="local",
               PADRON_URL="http://no-se-usa")


def test_padron_http_en_pruebas_acepta_http(sin_depuracion):
    """The stub server of tests/integration/test_padron_http.py listens on http://127.0.0.1."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=BASE, PADRON_FUENTE="http",
                     PADRON_URL="http://127.0.0.1:9/curp")
    assert app.testing


# --- the old (English or mixed) names of our variables ----------------------------------------------------

NOMBRES = sorted(modulo_config.NOMBRES_ANTERIORES.items())


@pytest.fixture
def sin_nombres(monkeypatch):
    for nuevo, anterior in NOMBRES:
        monkeypatch.delenv(nuevo, raising=False)
        monkeypatch.delenv(anterior, raising=False)


@pytest.mark.parametrize("nuevo,anterior", NOMBRES)
def test_el_nombre_nuevo_se_lee_sin_aviso(sin_nombres, config_con_entorno, caplog, nuevo, anterior):
    with caplog.at_level(logging.WARNING, logger="config"):
        cfg = config_con_entorno(**{nuevo: "7"})
    assert getattr(cfg.Config, nuevo) in ("7", 7) and not hasattr(cfg.Config, anterior)
    assert "obsoleta" not in caplog.text


@pytest.mark.parametrize("nuevo,anterior", NOMBRES)
def test_el_nombre_anterior_sigue_valiendo_con_un_aviso(sin_nombres, config_con_entorno, caplog, nuevo, anterior):
    with caplog.at_level(logging.WARNING, logger="config"):
        cfg = config_con_entorno(**{anterior: "7"})
    assert getattr(cfg.Config, nuevo) in ("7", 7)
    assert f"La variable de entorno {anterior} está obsoleta: usa {nuevo}." in caplog.text


def test_con_los_dos_nombres_vale_el_nuevo(sin_nombres, config_con_entorno, caplog):
    with caplog.at_level(logging.WARNING, logger="config"):
        cfg = config_con_entorno(ACCESO_FALLOS_MAXIMOS="3", LOGIN_MAX_FAILURES="9")
    assert cfg.Config.ACCESO_FALLOS_MAXIMOS == 3
    assert "LOGIN_MAX_FAILURES está obsoleta y se ignora: vale ACCESO_FALLOS_MAXIMOS" in caplog.text


def test_los_valores_por_omision_no_cambian(sin_nombres, config_con_entorno):
    cfg = config_con_entorno()
    assert (cfg.Config.ACCESO_FALLOS_MAXIMOS, cfg.Config.ACCESO_ESPERA_MINUTOS) == (5, 15)
    assert cfg.Config.ACCESO_LIMITE_CLIENTE == "10 per minute;60 per hour"
    assert (cfg.Config.EXPORTACION_UMBRAL, cfg.Config.EXPORTACION_RETENCION_HORAS) == (5000, 24)
    assert cfg.Config.EXPORTACION_DIR.endswith("instance/exportaciones")
    assert (cfg.Config.PADRON_FUENTE, cfg.Config.PADRON_TIEMPO_LIMITE) == ("local", 5)


def test_el_readme_nombra_cada_variable():
    """The README's configuration section lists every variable config.py reads, and the deprecated names."""
    fuente = Path(modulo_config.__file__).read_text(encoding="utf-8")
    leidas = set(re.findall(r'(?:environ\.get|_bool|_lista|_entorno)\("([A-Z0-9_]+)"', fuente))
    assert {"SECRET_KEY", "ACCESO_FALLOS_MAXIMOS", "HUEY_SQLITE", "REDIS_URL"} <= leidas
    readme = (Path(modulo_config.__file__).parent / "README.md").read_text(encoding="utf-8")
    seccion = readme[readme.index("## Configuration"):readme.index("\nPostgreSQL:\n")]
    assert sorted(v for v in leidas | set(modulo_config.NOMBRES_ANTERIORES.values()) if f"`{v}`" not in seccion) == []


# --- reminders of the informativa's deadline ------------------------------------------------------------

def test_dias_de_recordatorio(config_con_entorno, monkeypatch):
    monkeypatch.delenv("RECORDATORIO_DIAS", raising=False)
    assert config_con_entorno().Config.RECORDATORIO_DIAS == (7, 2)
    assert config_con_entorno(RECORDATORIO_DIAS=" 10, 3 ,").Config.RECORDATORIO_DIAS == (10, 3)
    with pytest.raises(RuntimeError, match="RECORDATORIO_DIAS debe ser una lista de días"):
        config_con_entorno(RECORDATORIO_DIAS="7,-2")
