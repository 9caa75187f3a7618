"""Registro (with e-mail confirmation), iniciar sesión, cerrar sesión, throttling, CSRF, next=."""
from sqlalchemy import func, select

from extensions import db
from models import Contratista, CorreoSaliente
from tests.ayudantes import LIGA_CONFIRMACION_RE, csrf_de, enviar, iniciar_sesion, puerto_libre
from tests.factories import PASSWORD, crear_contratista, rfc_valido

REGISTRO = "/cuenta/registro"
COMUN = "La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."


def _registro(client, **cambios):
    datos = {"rfc": rfc_valido("XYZ"), "correo": "alta@empresa.example",
             "password": "Segura2026abc", "confirmar_password": "Segura2026abc", **cambios}
    return enviar(client, REGISTRO, datos)


def _liga_de_confirmacion(app, correo: str) -> str:
    with app.app_context():
        mensaje = db.session.scalar(select(CorreoSaliente).where(
            CorreoSaliente.tipo == "verificar_cuenta", CorreoSaliente.destinatario == correo))
        liga = LIGA_CONFIRMACION_RE.search(mensaje.cuerpo_texto).group(1)
        db.session.remove()
    return liga


def test_registro_pide_confirmar_el_correo_antes_de_actuar(client, app):
    """F07: the account can do nothing until the link mailed to its correo is opened."""
    r = _registro(client)
    assert r.status_code == 303 and r.headers["Location"].endswith("/cuenta/registro/revisa-tu-correo")
    assert "Revisa tu correo electrónico" in client.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        c = db.session.scalar(select(Contratista))
        assert c.rfc == rfc_valido("XYZ") and c.correo_verificado_en is None
        assert c.password_hash.startswith("pbkdf2:sha256:1000$")  # TestConfig; production uses scrypt
        assert "Segura2026abc" not in c.password_hash
    # Not logged in, and the password alone does not open the account.
    assert client.get("/contratista/datos-generales").status_code == 302
    r = iniciar_sesion(client, rfc_valido("XYZ"), "Segura2026abc")
    assert r.status_code == 422 and "aún no está confirmada" in r.get_data(as_text=True)
    r = client.get(_liga_de_confirmacion(app, "alta@empresa.example"))
    assert r.status_code == 303 and r.headers["Location"].endswith("/cuenta/iniciar-sesion")
    r = iniciar_sesion(client, rfc_valido("XYZ"), "Segura2026abc")
    assert r.status_code == 303
    assert "Registra los Datos Generales" in client.get("/contratista/datos-generales").get_data(as_text=True)
    # The link has done its job: opening it again changes nothing and says so.
    r = client.get(_liga_de_confirmacion(app, "alta@empresa.example"), follow_redirects=True)
    assert "ya estaba confirmada" in r.get_data(as_text=True)


def test_liga_de_confirmacion_alterada_o_vencida(client, app):
    from datetime import datetime, timedelta, timezone

    import time_machine

    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        _registro(client)
        liga = _liga_de_confirmacion(app, "alta@empresa.example")
    assert client.get(liga[:-3] + "xyz").status_code == 410
    with time_machine.travel(inicio + timedelta(hours=24, seconds=5), tick=False):
        r = client.get(liga)
        assert r.status_code == 410 and "La liga venció" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Contratista)).correo_verificado_en is None


def test_registro_sin_confirmar_no_retiene_el_rfc_mas_de_24_horas(client, app):
    """F07: a squatter that never confirms holds the RFC for 24 hours at most."""
    from datetime import datetime, timedelta, timezone

    import time_machine

    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        _registro(client, correo="intruso@otro.example")
    with time_machine.travel(inicio + timedelta(hours=25), tick=False):
        _registro(app.test_client(), correo="duenio@empresa.example")
        with app.app_context():
            cuentas = db.session.scalars(select(Contratista)).all()
            assert [(c.rfc, c.correo) for c in cuentas] == [(rfc_valido("XYZ"), "duenio@empresa.example")]
            db.session.remove()
        assert _liga_de_confirmacion(app, "duenio@empresa.example")


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


def test_rfc_y_correo_duplicados_dan_la_misma_respuesta_y_avisan_al_duenio(client, app):
    """F08: registro does not reveal accounts. An RFC or correo already taken gets the same answer
    as a new one; the existing account's own address gets a notice; nothing else is created."""
    with app.app_context():
        c = crear_contratista(correo="ya@existe.example")
        rfc = c.rfc
    nueva = _registro(client, rfc=rfc_valido("NUE"), correo="nuevo@empresa.example")
    repetida = _registro(app.test_client(), rfc=rfc, correo="otro@empresa.example")
    mismo_correo = _registro(app.test_client(), rfc=rfc_valido("OTR"), correo="YA@existe.example")
    for r in (nueva, repetida, mismo_correo):
        assert r.status_code == 303 and r.headers["Location"].endswith("/cuenta/registro/revisa-tu-correo")
    with app.app_context():
        assert db.session.scalar(select(func.count(Contratista.id))) == 2
        correos = db.session.execute(select(CorreoSaliente.tipo, CorreoSaliente.destinatario)
                                     .order_by(CorreoSaliente.id)).all()
        assert correos == [("verificar_cuenta", "nuevo@empresa.example"), ("aviso_registro", "ya@existe.example"),
                           ("aviso_registro", "ya@existe.example")]


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


def test_f04_fallos_frenan_a_ese_cliente_y_no_bloquean_al_duenio(client, app):
    """F04: five wrong passwords from one client make *that client* wait; the owner, from another
    address, still logs in. An unknown RFC gets exactly the same treatment (F08)."""
    with app.app_context():
        rfc = crear_contratista().rfc
    atacante = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(4):
        r = iniciar_sesion(client, rfc, "Mala2026clave", environ_base=atacante)
        assert "incorrectos" in r.get_data(as_text=True)
    html = iniciar_sesion(client, rfc, "Mala2026clave", environ_base=atacante).get_data(as_text=True)
    assert "demasiados intentos fallidos" in html.lower()
    # Even the right password is refused to that client while it waits...
    r = iniciar_sesion(client, rfc, PASSWORD, environ_base=atacante)
    assert r.status_code == 422 and "Espera 15 minutos" in r.get_data(as_text=True)
    # ...but the owner, from their own machine, is not locked out.
    assert iniciar_sesion(app.test_client(), rfc, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 303
    # An RFC without account: the same words at the same point.
    otro = app.test_client()
    respuestas = [iniciar_sesion(otro, rfc_valido("QQQ"), "Mala2026clave", environ_base=atacante)
                  for _ in range(6)]
    assert ["incorrectos" in r.get_data(as_text=True) for r in respuestas] == [True] * 4 + [False] * 2


def test_f04_un_cliente_no_prueba_muchas_cuentas_seguidas(client, app):
    """F04: 30 logins against 30 accounts from one client in a second are throttled per client."""
    app.config["ACCESO_LIMITE_CLIENTE"] = "10 per minute"
    with app.app_context():
        rfcs = [crear_contratista().rfc for _ in range(3)]
    estados = [iniciar_sesion(app.test_client(), rfcs[i % 3] if i % 2 else rfc_valido("ZZZ"), "Mala2026clave").status_code
               for i in range(30)]
    assert estados.count(429) == 20 and set(estados[:10]) == {422}
    r = iniciar_sesion(app.test_client(), rfcs[0])
    assert r.status_code == 429 and "Demasiadas solicitudes" in r.get_data(as_text=True)
    # Another client is not affected.
    assert iniciar_sesion(app.test_client(), rfcs[0], environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 303


def test_bloqueo_expira(client, app):
    from datetime import datetime, timedelta, timezone

    import time_machine

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


def test_registro_sin_cola_de_trabajos_no_falla(client, app, monkeypatch):
    """The queue that delivers the confirmation right away may be down (Redis): the registro is
    kept and its e-mail stays in the outbox for the periodic retry, never a 500."""
    import tareas

    def sin_cola():
        raise ConnectionError("cola no disponible")

    monkeypatch.setattr(tareas, "despachar_correos", sin_cola)
    r = _registro(client)
    assert r.status_code == 303 and r.headers["Location"].endswith("/cuenta/registro/revisa-tu-correo")
    assert _liga_de_confirmacion(app, "alta@empresa.example")


def test_registro_con_redis_caido_no_falla(client, app, monkeypatch, caplog):
    """The same with a real RedisHuey whose server is down (nothing listens at REDIS_URL)."""
    import tareas
    from config import Config

    monkeypatch.setattr(Config, "REDIS_URL", f"redis://127.0.0.1:{puerto_libre()}/0")
    monkeypatch.setattr(tareas.huey, "storage", tareas._crear_huey().storage)
    r = _registro(client)
    assert r.status_code == 303 and r.headers["Location"].endswith("/cuenta/registro/revisa-tu-correo")
    assert "No se pudo encolar el envío inmediato de correos" in caplog.text  # Redis really refused it
    assert _liga_de_confirmacion(app, "alta@empresa.example")


def test_f04_detras_de_un_proxy_cuenta_la_direccion_del_cliente(database_url, app, tmp_path):
    """Behind nginx (PROXY_SALTOS=1) every request comes from the proxy's address: the throttle must
    count the client's (X-Forwarded-For), or one attacker would lock everybody out of the login."""
    from app import create_app
    from config import TestConfig

    with app.app_context():
        rfc = crear_contratista().rfc
    detras = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PROXY_SALTOS=1,
                        EXPORTACION_DIR=str(tmp_path / "x"))
    atacante = {"HTTP_X_FORWARDED_FOR": "203.0.113.77"}
    for _ in range(5):
        iniciar_sesion(detras.test_client(), rfc, "Mala#clave2026", environ_base=atacante)
    r = iniciar_sesion(detras.test_client(), rfc, PASSWORD, environ_base=atacante)
    assert r.status_code == 422 and "demasiados intentos fallidos" in r.get_data(as_text=True).lower()
    # Another client behind the same proxy (same REMOTE_ADDR) is not affected.
    r = iniciar_sesion(detras.test_client(), rfc, PASSWORD, environ_base={"HTTP_X_FORWARDED_FOR": "198.51.100.8"})
    assert r.status_code == 303


def test_inicio_sin_datos_generales_no_saluda_con_el_rfc(client, app):
    """Issue 11 (6): before Datos Generales the greeting has no name (never the RFC); after, the
    razón social."""
    with app.app_context():
        sin = crear_contratista(con_datos=False).rfc
        con = crear_contratista(razon_social="Limpieza Industrial del Bajío, S.A. de C.V.").rfc
    iniciar_sesion(client, sin)
    assert "<h1>Bienvenido</h1>" in client.get("/").get_data(as_text=True)
    otro = app.test_client()
    iniciar_sesion(otro, con)
    assert "<h1>Bienvenido, Limpieza Industrial del Bajío, S.A. de C.V.</h1>" in otro.get("/").get_data(as_text=True)
