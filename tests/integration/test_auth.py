"""Registro, iniciar sesión, cerrar sesión, bloqueo, CSRF, next=."""
from sqlalchemy import select

from extensions import db
from models import Contratista
from tests.conftest import csrf_de, enviar
from tests.factories import PASSWORD, crear_contratista, iniciar_sesion, rfc_valido

REGISTRO = "/cuenta/registro"
COMUN = "La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."


def _registro(client, **cambios):
    datos = {"rfc": rfc_valido("XYZ"), "correo": "alta@empresa.example",
             "password": "Segura2026abc", "confirmar_password": "Segura2026abc", **cambios}
    return enviar(client, REGISTRO, datos)


def test_registro_crea_cuenta_inicia_sesion_y_pide_datos_generales(client, app):
    r = _registro(client)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/contratista/datos-generales")
    with app.app_context():
        c = db.session.scalar(select(Contratista))
        assert c.rfc == rfc_valido("XYZ")
        assert c.password_hash.startswith("pbkdf2:sha256:1000$")  # TestConfig; production uses scrypt
        assert "Segura2026abc" not in c.password_hash
    pagina = client.get(r.headers["Location"])
    assert "Registra los Datos Generales" in pagina.get_data(as_text=True)


def test_registro_normaliza_rfc_y_correo(client, app):
    rfc = rfc_valido("XYZ")
    _registro(client, rfc=f" {rfc.lower()} ", correo="Alta@Empresa.Example")
    with app.app_context():
        c = db.session.scalar(select(Contratista))
        assert (c.rfc, c.correo) == (rfc, "alta@empresa.example")


def test_registro_con_errores_conserva_valores_y_muestra_resumen(client, app):
    r = _registro(client, rfc="XYZ01", correo="no-es-correo", confirmar_password="otra")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Hay un problema" in html
    assert 'href="#rfc"' in html and 'href="#correo"' in html
    assert "El RFC debe tener 12 caracteres" in html
    assert "El correo electrónico no tiene un formato válido." in html
    assert "Las contraseñas no coinciden." in html
    assert 'value="XYZ01"' in html and 'value="no-es-correo"' in html
    assert 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session.scalar(select(Contratista)) is None


def test_contrasena_debil_rechazada(client):
    html = _registro(client, password="corta", confirmar_password="corta").get_data(as_text=True)
    assert "al menos 10 caracteres" in html


def test_f14_registro_rechaza_contrasena_comun(client, app):
    """F14: a password from the leaked list ("Password123") is refused at registro."""
    r = _registro(client, password="Password123", confirmar_password="Password123")
    assert r.status_code == 422 and COMUN in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Contratista)) is None


def test_rfc_con_digito_incorrecto_pide_confirmacion(client, app):
    rfc = rfc_valido("XYZ")
    malo = rfc[:-1] + ("1" if rfc[-1] != "1" else "2")
    r = _registro(client, rfc=malo)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "dígito verificador del RFC no coincide" in html
    assert 'name="confirmar_rfc"' in html
    with app.app_context():
        assert db.session.scalar(select(Contratista)) is None
    r = _registro(client, rfc=malo, confirmar_rfc="y")
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Contratista.rfc)) == malo


def test_rfc_y_correo_duplicados(client, app):
    with app.app_context():
        c = crear_contratista(correo="ya@existe.example")
        rfc = c.rfc
    html = _registro(client, rfc=rfc, correo="YA@existe.example").get_data(as_text=True)
    assert "Ya existe una cuenta registrada con ese RFC" in html
    assert "Ya existe una cuenta registrada con ese correo" in html


def test_login_logout(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    r = iniciar_sesion(client, rfc.lower())
    assert r.status_code == 303
    assert "Bienvenido" in client.get("/").get_data(as_text=True)
    pagina = client.get("/")
    r = client.post("/cuenta/cerrar-sesion", data={"csrf_token": csrf_de(pagina)})
    assert r.status_code == 303
    assert client.get("/administracion/consulta").headers["Location"].startswith("/cuenta/iniciar-sesion")


def test_contrasena_incorrecta_y_rfc_inexistente_dan_el_mismo_mensaje(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    a = iniciar_sesion(client, rfc, "Incorrecta2026")
    b = iniciar_sesion(client, rfc_valido("QQQ"), "Incorrecta2026")
    assert a.status_code == b.status_code == 422
    for r in (a, b):
        assert "El RFC o la contraseña son incorrectos." in r.get_data(as_text=True)
    assert client.get("/administracion/consulta").status_code == 302


def test_bloqueo_tras_cinco_fallos(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    for _ in range(4):
        assert "incorrectos" in iniciar_sesion(client, rfc, "Mala2026clave").get_data(as_text=True)
    html = iniciar_sesion(client, rfc, "Mala2026clave").get_data(as_text=True)
    assert "se bloqueó temporalmente" in html
    # Even the right password is refused while locked.
    r = iniciar_sesion(client, rfc, PASSWORD)
    assert r.status_code == 422
    assert "Intenta de nuevo en 15 minutos" in r.get_data(as_text=True)


def test_bloqueo_expira(client, app):
    import time_machine
    from datetime import datetime, timedelta, timezone

    with app.app_context():
        rfc = crear_contratista().rfc
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        for _ in range(5):
            iniciar_sesion(client, rfc, "Mala2026clave")
    with time_machine.travel(inicio + timedelta(minutes=16), tick=False):
        assert iniciar_sesion(client, rfc, PASSWORD).status_code == 303


def test_post_sin_csrf_rechazado(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    r = client.post("/cuenta/iniciar-sesion", data={"rfc": rfc, "password": PASSWORD})
    assert r.status_code == 400
    assert "protección CSRF" in r.get_data(as_text=True)
    r = client.post(REGISTRO, data={"rfc": rfc_valido("XYZ"), "correo": "a@b.example",
                                    "password": "Segura2026abc", "confirmar_password": "Segura2026abc"})
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Contratista).where(Contratista.correo == "a@b.example")) is None


def test_cerrar_sesion_sin_csrf_no_cierra(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    assert client.post("/cuenta/cerrar-sesion").status_code == 400
    assert client.get("/administracion/consulta").status_code == 200


def test_next_local_se_respeta_y_externo_no(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    for siguiente, esperado in [
        ("/administracion/consulta", "/administracion/consulta"),
        ("https://malicioso.example/robo", "/"),
        ("//malicioso.example", "/"),
        ("/\\malicioso.example", "/"),
    ]:
        url = f"/cuenta/iniciar-sesion?next={siguiente}"
        r = enviar(client, url, {"rfc": rfc, "password": PASSWORD})
        assert r.headers["Location"] == esperado, siguiente
        client.post("/cuenta/cerrar-sesion", data={"csrf_token": csrf_de(client.get("/"))})


def test_cookie_de_sesion_httponly_samesite(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    r = iniciar_sesion(client, rfc)
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
