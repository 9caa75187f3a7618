"""E-mail through a real SMTP server on loopback (aiosmtpd) and the activation link."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import (
    Buzon,
    activar,
    apuntar_smtp,
    csrf_de,
    entregar_correos,
    guardar,
    iniciar_sesion,
    iniciar_sesion_capturista,
    liga_de,
    puerto_libre,
    servidor_smtp,
)
from tests.factories import CLAVE_CAPTURISTA, crear_contratista


def test_el_correo_llega_y_su_liga_crea_el_usuario(client, app, escenario, smtp):
    p = escenario["personas"][0]
    inicio = datetime.now(timezone.utc)
    assert guardar(client, p.curp, correo="ana@correo.example").status_code == 303
    assert len(smtp.mensajes) == 1
    mensaje = smtp.mensajes[0]
    assert mensaje["To"] == "ana@correo.example"
    assert "Limpieza Industrial del Bajío" in mensaje["Subject"]
    texto = mensaje.get_body(("plain",)).get_content()
    html = mensaje.get_body(("html",)).get_content()
    assert "Limpieza Industrial del Bajío, S.A. de C.V." in texto and "Limpieza Industrial del Bajío" in html
    assert p.nombre in texto
    # Expiry in Mexico City time (UTC-6, no DST since 2022).
    vence = (inicio + timedelta(hours=24) - timedelta(hours=6)).strftime("%d/%m/%Y")
    assert vence in texto and "hora de la Ciudad de México" in texto
    liga = liga_de(mensaje)
    assert liga in html

    # The confirmation says the e-mail went out.
    with app.app_context():
        assert db.session.scalar(select(CorreoSaliente.estado)) == "enviado"

    anonimo = app.test_client()
    # GET only shows the form, any number of times (mail scanners, previews).
    for _ in range(2):
        r = anonimo.get(liga)
        assert r.status_code == 200 and "Crear usuario y contraseña" in r.get_data(as_text=True)
        assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    r = activar(anonimo, liga, usuario="Ana.Perez")
    assert r.status_code == 303 and r.headers["Location"] == "/capturista/iniciar-sesion"
    with app.app_context():
        capturista = db.session.scalar(select(Capturista))
        assert capturista.usuario == "ana.perez" and capturista.activado_en is not None
        assert capturista.correo == "ana@correo.example"
        relacion = db.session.scalar(select(RelacionCapturista))
        assert relacion.estatus == "activo"
        assert db.session.scalar(select(Bitacora.accion).where(Bitacora.accion == "activacion_cuenta"))
    # A second use fails and says why.
    r = anonimo.get(liga)
    assert r.status_code == 410 and "La liga ya se utilizó" in r.get_data(as_text=True)
    r = anonimo.post(liga, data={"csrf_token": csrf_de(anonimo.get("/capturista/iniciar-sesion")),
                                 "usuario": "otro.usuario", "password": CLAVE_CAPTURISTA,
                                 "confirmar_password": CLAVE_CAPTURISTA})
    assert r.status_code == 410
    with app.app_context():
        assert db.session.scalar(select(Capturista.usuario)) == "ana.perez"


def test_liga_vencida_a_las_24_horas_y_nueva_liga(client, app, escenario, smtp):
    p = escenario["personas"][1]
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        guardar(client, p.curp, correo="luis@correo.example")
    liga = liga_de(smtp.mensajes[0])
    anonimo = app.test_client()
    with time_machine.travel(inicio + timedelta(hours=23, minutes=59), tick=False):
        assert anonimo.get(liga).status_code == 200
    with time_machine.travel(inicio + timedelta(hours=24, seconds=2), tick=False):
        r = anonimo.get(liga)
        html = r.get_data(as_text=True)
        assert r.status_code == 410 and "La liga de activación venció" in html
        assert "Solicitar nueva liga" in html
        assert activar(anonimo, liga).status_code == 410
        # The new link goes to the registered correo, whatever is typed in the request.
        r = anonimo.post(liga + "/nueva-liga", data={"csrf_token": csrf_de(anonimo.get(liga)),
                                                      "correo": "atacante@malo.example"})
        assert r.status_code == 303
        assert [m["To"] for m in smtp.mensajes] == ["luis@correo.example", "luis@correo.example"]
        nueva = liga_de(smtp.mensajes[1])
        assert nueva != liga
        # Rate limited: a second request within the minute is refused with a message.
        r = anonimo.post(liga + "/nueva-liga", data={"csrf_token": csrf_de(anonimo.get("/capturista/iniciar-sesion"))})
        assert r.status_code == 410  # the old link is now superseded, not merely expired
        assert len(smtp.mensajes) == 2
        assert anonimo.get(liga).status_code == 410
        assert "más reciente" in anonimo.get(liga).get_data(as_text=True)
        assert activar(anonimo, nueva).status_code == 303
    with app.app_context():
        acciones = list(db.session.scalars(select(Bitacora.accion).order_by(Bitacora.id)))
        assert acciones == ["alta", "reenvio", "activacion_cuenta"]


def _envios_previos(relacion_id, *momentos):
    db.session.add_all(CorreoSaliente(tipo="activacion", relacion_id=relacion_id, destinatario="x@y.example",
                                      asunto="-", cuerpo_texto="-", cuerpo_html="-", estado="enviado",
                                      creado_en=m) for m in momentos)
    db.session.commit()


def test_nueva_liga_limitada_por_dia(client, app, escenario, smtp):
    app.config.update(REENVIOS_POR_DIA=3)
    p = escenario["personas"][2]
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        guardar(client, p.curp)
    liga = liga_de(smtp.mensajes[0])
    with app.app_context():
        relacion_id = db.session.scalar(select(RelacionCapturista.id))
        # Three links inside the last 24 h (e.g. resent by the contractor), none in the last minute.
        _envios_previos(relacion_id, *(inicio + timedelta(hours=h) for h in (5, 10, 20)))
    anonimo = app.test_client()
    with time_machine.travel(inicio + timedelta(hours=24, seconds=5), tick=False):
        token = csrf_de(anonimo.get("/capturista/iniciar-sesion"))
        r = anonimo.post(liga + "/nueva-liga", data={"csrf_token": token})
        assert r.status_code == 429
        assert "límite de 3 envíos de la liga en 24 horas" in r.get_data(as_text=True)
    assert len(smtp.mensajes) == 1
    with time_machine.travel(inicio + timedelta(hours=30), tick=False):  # two of them left the window
        r = anonimo.post(liga + "/nueva-liga", data={"csrf_token": token})
        assert r.status_code == 303
    assert len(smtp.mensajes) == 2


def test_nueva_liga_por_minuto(client, app, escenario, smtp):
    p = escenario["personas"][3]
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        guardar(client, p.curp)
    liga = liga_de(smtp.mensajes[0])
    with app.app_context():
        # Another link went out seconds ago: the per-minute rule applies.
        relacion_id = db.session.scalar(select(RelacionCapturista.id))
        _envios_previos(relacion_id, inicio + timedelta(hours=24, seconds=1))
    anonimo = app.test_client()
    with time_machine.travel(inicio + timedelta(hours=24, seconds=20), tick=False):
        r = anonimo.post(liga + "/nueva-liga", data={"csrf_token": csrf_de(anonimo.get("/capturista/iniciar-sesion"))})
        assert r.status_code == 429
        assert "hace menos de un minuto" in r.get_data(as_text=True)
    assert len(smtp.mensajes) == 1


def test_liga_alterada_y_de_baja(client, app, escenario, smtp):
    p = escenario["personas"][4]
    guardar(client, p.curp)
    liga = liga_de(smtp.mensajes[0])
    anonimo = app.test_client()
    r = anonimo.get(liga[:-3] + ("AAA" if not liga.endswith("AAA") else "BBB"))
    assert r.status_code == 404 and "fue modificada" in r.get_data(as_text=True)
    assert anonimo.get("/activacion/no-es-un-token").status_code == 404
    with app.app_context():
        relacion = db.session.scalar(select(RelacionCapturista))
        relacion.estatus = "baja"
        db.session.commit()
    r = anonimo.get(liga)
    assert r.status_code == 410 and "dio de baja" in r.get_data(as_text=True)


def test_enlace_reemplazado_por_reenvio(client, app, escenario, smtp):
    from services.capturistas import emitir_liga
    from services.correo import enviar_pendientes

    p = escenario["personas"][5]
    guardar(client, p.curp)
    vieja = liga_de(smtp.mensajes[0])
    with app.test_request_context(method="POST"):  # writes: as a POST would
        relacion = db.session.scalar(select(RelacionCapturista))
        emitir_liga(relacion)
        db.session.commit()
        enviar_pendientes()
    nueva = liga_de(smtp.mensajes[1])
    anonimo = app.test_client()
    r = anonimo.get(vieja)
    assert r.status_code == 410 and "más reciente" in r.get_data(as_text=True)
    assert activar(anonimo, vieja).status_code == 410
    assert anonimo.get(nueva).status_code == 200


@pytest.mark.parametrize("usuario,password,confirmar,mensaje", [
    ("ana.perez", "corta1", None, "al menos 10 caracteres"),
    ("ana.perez", "sololetraslargas", None, "combinar letras y números"),
    ("ana.perez", "ana.perez2026x", None, "no puede contener"),
    ("ab", CLAVE_CAPTURISTA, None, "entre 6 y 30 caracteres"),
    ("1usuario", CLAVE_CAPTURISTA, None, "comenzar con una letra"),
    ("ana.perez", CLAVE_CAPTURISTA, "Otra2026segura", "Las contraseñas no coinciden."),
])
def test_politica_de_usuario_y_contrasena(client, app, escenario, smtp, usuario, password, confirmar, mensaje):
    p = escenario["personas"][6]
    guardar(client, p.curp)
    liga = liga_de(smtp.mensajes[0])
    anonimo = app.test_client()
    for headers in ({}, {"HX-Request": "true", "HX-Target": "activacion-formulario"}):
        r = activar(anonimo, liga, usuario, password, confirmar, headers=headers)
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        assert mensaje in html and "Hay un problema" in html
        assert ("<!doctype html>" in html) == (not headers)
    with app.app_context():
        assert db.session.scalar(select(Capturista.usuario)) is None


def test_f14_activacion_rechaza_contrasena_comun(client, app, escenario, smtp):
    """F14: a password from the leaked list ("Password123") is refused at activation."""
    p = escenario["personas"][7]
    guardar(client, p.curp)
    r = activar(app.test_client(), liga_de(smtp.mensajes[0]), password="Password123")
    assert r.status_code == 422
    assert ("La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."
            in r.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Capturista.usuario)) is None


def test_contrasena_con_la_curp_rechazada(client, app, escenario, smtp):
    p = escenario["personas"][7]
    guardar(client, p.curp)
    r = activar(app.test_client(), liga_de(smtp.mensajes[0]), password=p.curp.lower() + "1")
    assert r.status_code == 422 and "no puede contener" in r.get_data(as_text=True)


def test_activacion_con_htmx_redirige_con_hx_redirect(client, app, escenario, smtp):
    p = escenario["personas"][8]
    guardar(client, p.curp)
    r = activar(app.test_client(), liga_de(smtp.mensajes[0]),
                 headers={"HX-Request": "true", "HX-Target": "activacion-formulario"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/capturista/iniciar-sesion"


def test_usuario_ocupado(client, app, escenario, smtp):
    a, b = escenario["personas"][9], escenario["personas"][10]
    guardar(client, a.curp, correo="a@correo.example")
    guardar(client, b.curp, correo="b@correo.example")
    anonimo = app.test_client()
    assert activar(anonimo, liga_de(smtp.mensajes[0]), usuario="mismo.usuario").status_code == 303
    r = activar(anonimo, liga_de(smtp.mensajes[1]), usuario="Mismo.Usuario")
    assert r.status_code == 422 and "Ese usuario ya está en uso" in r.get_data(as_text=True)


def _entrar_persona(app, usuario="persona.activa"):
    cliente = app.test_client()
    iniciar_sesion_capturista(cliente, usuario)
    return cliente


def test_f01a_otro_contratista_no_puede_tomar_el_usuario_de_la_persona(client, app, escenario, smtp):
    """F01(a). A registers X, the person activates with her address. Contractor B registers X with
    an address B controls: B's relation stays pending (not Activo); what B's address gets is the
    same e-mail a new person gets, with no usuario in it; its link cannot create a usuario nor
    accept without the person's session; password recovery with B's address sends nothing."""
    p = escenario["personas"][11]
    guardar(client, p.curp, correo="persona@correo.example")
    assert activar(app.test_client(), liga_de(smtp.mensajes[0]), usuario="persona.activa").status_code == 303
    with app.app_context():
        otro = crear_contratista(razon_social="Seguridad Privada del Norte, S.A.").rfc
    atacante = app.test_client()
    iniciar_sesion(atacante, otro)
    r = guardar(atacante, p.curp, correo="buzon@atacante.example")
    html = atacante.get(r.headers["Location"]).get_data(as_text=True)
    # F09: the same confirmation as for anybody new; nothing says the person has a usuario.
    assert "El usuario se guardó exitosamente." in html and "ya tiene usuario" not in html
    mensaje = smtp.mensajes[-1]
    assert mensaje["To"] == "buzon@atacante.example"
    texto = mensaje.get_body(("plain",)).get_content()
    assert "persona.activa" not in texto and "Para activar tu acceso entra a la siguiente liga" in texto
    assert all("persona.activa" not in m.get_body(("plain",)).get_content() for m in smtp.mensajes)
    with app.app_context():
        relaciones = db.session.scalars(select(RelacionCapturista).order_by(RelacionCapturista.id)).all()
        assert [(r.estatus, r.por_invitacion) for r in relaciones] == [("activo", False), ("pendiente", False)]
        de_b = relaciones[1].id
        db.session.remove()
    # The link B received: no usuario can be created with it, nothing accepted without her session.
    liga_b = liga_de(mensaje)
    r = app.test_client().get(liga_b)
    assert r.status_code == 200 and "Iniciar sesión para aceptar" in r.get_data(as_text=True)
    intruso = app.test_client()
    pagina = intruso.get("/capturista/recuperar-contrasena")  # any form, for the session's CSRF token
    r = intruso.post(liga_b, data={"csrf_token": csrf_de(pagina), "usuario": "usuario.del.atacante",
                                   "password": CLAVE_CAPTURISTA, "confirmar_password": CLAVE_CAPTURISTA})
    assert r.status_code == 403
    # Recovery only ever writes to the person's own verified address.
    anonimo = app.test_client()
    pagina = anonimo.get("/capturista/recuperar-contrasena")
    anonimo.post("/capturista/recuperar-contrasena", data={
        "csrf_token": csrf_de(pagina), "curp": p.curp, "correo": "buzon@atacante.example"})
    antes = len(smtp.mensajes)
    entregar_correos(app)
    assert len(smtp.mensajes) == antes
    # Nor can anybody accept B's relation as an invitation: the person never got one.
    persona = _entrar_persona(app)
    pagina = persona.get("/capturista/contratistas")
    assert "Invitaciones pendientes" not in pagina.get_data(as_text=True)
    assert persona.post(f"/capturista/invitaciones/{de_b}/aceptar",
                        data={"csrf_token": csrf_de(pagina)}).status_code == 404
    with app.app_context():
        assert db.session.get(RelacionCapturista, de_b).estatus == "pendiente"


def test_invitacion_a_su_correo_verificado_se_acepta_con_su_sesion(client, app, escenario, smtp):
    """A second contractor that types the person's own verified address sends an invitation there
    (no link, no usuario shown); the person, logged in, accepts it; nobody else can."""
    p = escenario["personas"][11]
    guardar(client, p.curp, correo="persona@correo.example")
    assert activar(app.test_client(), liga_de(smtp.mensajes[0]), usuario="persona.activa").status_code == 303
    with app.app_context():
        otro = crear_contratista(razon_social="Seguridad Privada del Norte, S.A.").rfc
    segundo = app.test_client()
    iniciar_sesion(segundo, otro)
    r = guardar(segundo, p.curp, correo="Persona@Correo.example")
    assert "El usuario se guardó exitosamente." in segundo.get(r.headers["Location"]).get_data(as_text=True)
    invitacion = smtp.mensajes[-1]
    assert invitacion["To"] == "persona@correo.example"
    texto = invitacion.get_body(("plain",)).get_content()
    assert "Seguridad Privada del Norte" in texto and "persona.activa" not in texto and "/activacion/" not in texto
    with app.app_context():
        invitada = db.session.scalar(select(RelacionCapturista).where(RelacionCapturista.por_invitacion.is_(True)))
        assert invitada.estatus == "pendiente"
        invitada = invitada.id
        db.session.remove()
    persona = _entrar_persona(app)
    pagina = persona.get("/capturista/contratistas")
    assert "Invitaciones pendientes" in pagina.get_data(as_text=True)
    r = persona.post(f"/capturista/invitaciones/{invitada}/aceptar", data={"csrf_token": csrf_de(pagina)})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(RelacionCapturista, invitada).estatus == "activo"
        acciones = db.session.scalars(select(Bitacora.accion).where(Bitacora.relacion_id == invitada)).all()
        assert acciones == ["alta", "aceptacion"]
    # Accepting twice is a 404.
    assert persona.post(f"/capturista/invitaciones/{invitada}/aceptar",
                        data={"csrf_token": csrf_de(pagina)}).status_code == 404


def test_invitacion_vence_como_una_liga(client, app, escenario, smtp):
    """F09: an invitation lives 24 h like a link, so the grid shows the same 'Liga vencida'."""
    p = escenario["personas"][11]
    guardar(client, p.curp, correo="persona@correo.example")
    assert activar(app.test_client(), liga_de(smtp.mensajes[0]), usuario="persona.activa").status_code == 303
    with app.app_context():
        otro = crear_contratista().rfc
    segundo = app.test_client()
    iniciar_sesion(segundo, otro)
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        guardar(segundo, p.curp, correo="persona@correo.example")
    with time_machine.travel(inicio + timedelta(hours=25), tick=False):
        app.config["SESION_INACTIVA_MINUTOS"] = 24 * 60
        iniciar_sesion(segundo, otro)
        assert "Liga vencida" in segundo.get("/administracion/consulta").get_data(as_text=True)
        persona = _entrar_persona(app)
        assert "Invitaciones pendientes" not in persona.get("/capturista/contratistas").get_data(as_text=True)


def test_smtp_caido_el_alta_se_guarda_y_se_entrega_despues_una_vez(client, app, escenario, runner):
    puerto = puerto_libre()
    apuntar_smtp(app, puerto)  # nothing listens there yet
    p = escenario["personas"][0]
    r = guardar(client, p.curp, correo="pendiente@correo.example")
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "El usuario se guardó exitosamente." in html and "pendiente de envío" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 1
        correo = db.session.scalar(select(CorreoSaliente))
        assert correo.estado == "pendiente" and correo.intentos == 1 and correo.ultimo_error
    resultado = runner.invoke(args=["correos", "enviar"])
    assert resultado.exit_code == 1 and "fallidos (siguen pendientes): 1" in resultado.output

    with servidor_smtp(Buzon(), puerto) as buzon:
        resultado = runner.invoke(args=["correos", "enviar"])
        assert resultado.exit_code == 0 and "Correos enviados: 1" in resultado.output
        resultado = runner.invoke(args=["correos", "enviar"])
        assert "Correos enviados: 0" in resultado.output
    assert len(buzon.mensajes) == 1
    assert buzon.mensajes[0]["To"] == "pendiente@correo.example"
    with app.app_context():
        correo = db.session.scalar(select(CorreoSaliente))
        assert correo.estado == "enviado" and correo.enviado_en is not None


def test_correo_que_no_se_puede_entregar_deja_de_reintentarse(client, app, escenario, runner):
    from services.correo import enviar_pendientes

    app.config["CORREO_MAX_INTENTOS"] = 3
    apuntar_smtp(app, puerto_libre())  # nothing listens: every attempt fails
    p = escenario["personas"][0]
    guardar(client, p.curp, correo="nadie@correo.example")  # attempt 1
    with app.app_context():
        assert enviar_pendientes() == (0, 1)  # attempt 2
        assert enviar_pendientes() == (0, 1)  # attempt 3: gives up
        assert enviar_pendientes() == (0, 0)
        correo = db.session.scalar(select(CorreoSaliente))
        assert (correo.estado, correo.intentos) == ("fallido", 3)
    assert "No se pudo enviar" in client.get("/administracion/consulta").get_data(as_text=True)
