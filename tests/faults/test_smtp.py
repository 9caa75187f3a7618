"""SMTP faults: the server is down, or it accepts the connection and then refuses DATA.

In every case the change the contractor made is kept, its e-mail stays in the outbox as
pendiente (and the contractor is told so), and a later run of the sender — ``flask correos
enviar`` or the body of the Huey periodic task — delivers it to a real SMTP server on loopback
exactly once; running the sender again sends nothing more.
"""
import asyncio

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from extensions import db, mail
from models import Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import (
    GRID,
    HX_ALTA,
    LIGA_ACTIVACION_RE,
    Buzon,
    a_la_vez,
    acciones_de_bitacora,
    apuntar_smtp,
    contar_filas,
    csrf_de,
    guardar,
    hx_fila,
    liga_de,
    post_fila,
    puerto_libre,
    servidor_smtp,
)
from tests.factories import relacion_sembrada

PENDIENTE_REENVIO = "El nuevo correo para activar su acceso quedó pendiente de envío; el sistema lo reintentará."
NO_SE_PUDO = "el servidor de correo rechazó el mensaje"


def _correos(app) -> list[CorreoSaliente]:
    with app.app_context():
        correos = db.session.scalars(select(CorreoSaliente).order_by(CorreoSaliente.id)).all()
        db.session.expunge_all()
        return correos


def _liga_abre_la_activacion(app, mensaje) -> None:
    """The delivered link is the current one: an anonymous visitor gets the activation form."""
    pagina = app.test_client().get(liga_de(mensaje, LIGA_ACTIVACION_RE))
    assert pagina.status_code == 200 and 'name="usuario"' in pagina.get_data(as_text=True)


def _entregado_una_vez(app, entregar, via, buzon, destinatario) -> None:
    """The retry delivers the one pending message; further runs (both senders) send nothing."""
    salida = entregar(via)
    if via == "cli":
        assert "Correos enviados: 1; fallidos (siguen pendientes): 0" in salida
    assert len(buzon.mensajes) == 1
    for otra_via in (via, "cli", "huey"):
        salida = entregar(otra_via)
        if otra_via == "cli":
            assert "Correos enviados: 0; fallidos (siguen pendientes): 0" in salida
    assert len(buzon.mensajes) == 1
    assert buzon.mensajes[0]["To"] == destinatario
    [correo] = _correos(app)
    assert correo.estado == "enviado" and correo.enviado_en is not None and correo.ultimo_error is None
    _liga_abre_la_activacion(app, buzon.mensajes[0])


class BuzonCaprichoso(Buzon):
    """Accepts the connection, then answers DATA with ``rechazo`` (e.g. 451 / 554) while it is set.
    Every DATA attempt is counted; only accepted messages land in ``mensajes``."""

    def __init__(self, rechazo: str | None = None):
        super().__init__()
        self.rechazo = rechazo
        self.intentos = 0

    async def handle_DATA(self, server, session, envelope):
        self.intentos += 1
        if self.rechazo:
            return self.rechazo
        return await super().handle_DATA(server, session, envelope)


# --- SMTP down (connection refused) -----------------------------------------------------------------

@pytest.mark.parametrize("via", ["cli", "huey"])
@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_alta_con_smtp_caido_se_guarda_y_se_entrega_despues_una_vez(app, client, escenario, entregar, via,
                                                                     con_htmx):
    puerto = puerto_libre()
    apuntar_smtp(app, puerto)  # nothing listens there
    p = escenario["personas"][0]
    hx = HX_ALTA if con_htmx else None
    r = guardar(client, p.curp, correo="pendiente@correo.example", headers=hx)
    assert r.status_code == 303  # the alta is kept although the e-mail failed
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "El usuario se guardó exitosamente." in html and "pendiente de envío" in html
    assert "Pendiente de envío" in client.get(GRID).get_data(as_text=True)
    assert contar_filas(app, RelacionCapturista, Capturista, CorreoSaliente) == (1, 1, 1)
    [correo] = _correos(app)
    assert correo.estado == "pendiente" and correo.intentos == 1 and "Connection" in correo.ultimo_error

    # Still down at the first retry: nothing lost, one more attempt counted.
    salida = entregar(via)
    if via == "cli":
        assert "fallidos (siguen pendientes): 1" in salida
    [correo] = _correos(app)
    assert correo.estado == "pendiente" and correo.intentos == 2

    with servidor_smtp(Buzon(), puerto) as buzon:
        _entregado_una_vez(app, entregar, via, buzon, "pendiente@correo.example")
    assert "Enviado" in client.get(GRID).get_data(as_text=True)
    assert acciones_de_bitacora(app, correo.relacion_id) == ["alta"]


@pytest.mark.parametrize("via", ["cli", "huey"])
@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_enviar_email_con_smtp_caido_queda_pendiente_y_se_entrega_despues_una_vez(app, client, escenario, entregar,
                                                                                   via, con_htmx):
    rid = relacion_sembrada(app, escenario["id"], escenario["personas"][1], correo="jose@correo.example")
    puerto = puerto_libre()
    apuntar_smtp(app, puerto)
    r = post_fila(client, f"{GRID}/{rid}/enviar-email", headers=hx_fila(rid) if con_htmx else None)
    if con_htmx:
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert html.lstrip().startswith(f'<tbody id="capturista-{rid}"')
    else:  # the action's confirmation page, then the grid
        assert r.status_code == 303 and r.headers["Location"].startswith(f"{GRID}/{rid}/resultado")
        html = client.get(r.headers["Location"]).get_data(as_text=True) + client.get(GRID).get_data(as_text=True)
    assert PENDIENTE_REENVIO in html and "Pendiente de envío" in html
    with app.app_context():
        assert db.session.get(RelacionCapturista, rid).token_version == 2  # the new link is issued anyway
    assert acciones_de_bitacora(app, rid) == ["reenvio"]
    [correo] = _correos(app)
    assert correo.estado == "pendiente" and correo.intentos == 1 and correo.relacion_id == rid

    with servidor_smtp(Buzon(), puerto) as buzon:
        _entregado_una_vez(app, entregar, via, buzon, "jose@correo.example")
    assert acciones_de_bitacora(app, rid) == ["reenvio"]


# --- SMTP accepts the connection, then refuses the message ------------------------------------------

@pytest.mark.parametrize("flujo,rechazo,via", [
    ("alta", "451 4.3.0 Error temporal del servidor", "cli"),
    ("alta", "452 4.3.1 Sin espacio por ahora", "huey"),
    ("enviar-email", "451 4.3.0 Error temporal del servidor", "huey"),
    ("enviar-email", "452 4.3.1 Sin espacio por ahora", "cli"),
])
def test_smtp_que_falla_en_data_deja_pendiente_y_reintenta(app, client, escenario, entregar, flujo, rechazo, via):
    """A temporary (4xx) refusal of DATA: pending, retried until the server recovers."""
    buzon = BuzonCaprichoso(rechazo)
    puerto = puerto_libre()
    with servidor_smtp(buzon, puerto):
        apuntar_smtp(app, puerto)
        if flujo == "alta":
            r = guardar(client, escenario["personas"][2].curp, correo="data@correo.example")
            assert r.status_code == 303
            html = client.get(r.headers["Location"]).get_data(as_text=True)
            assert "El usuario se guardó exitosamente." in html and "pendiente de envío" in html
        else:
            rid = relacion_sembrada(app, escenario["id"], escenario["personas"][2], correo="data@correo.example")
            r = post_fila(client, f"{GRID}/{rid}/enviar-email", headers=hx_fila(rid))
            assert r.status_code == 200 and PENDIENTE_REENVIO in r.get_data(as_text=True)
        assert buzon.intentos == 1 and buzon.mensajes == []  # the server saw DATA and refused it
        [correo] = _correos(app)
        assert correo.estado == "pendiente" and correo.intentos == 1
        assert "SMTPDataError" in correo.ultimo_error and rechazo[:3] in correo.ultimo_error
        assert "Pendiente de envío" in client.get(GRID).get_data(as_text=True)

        # The first retry meets the same refusal: still pending.
        salida = entregar(via)
        if via == "cli":
            assert "Correos enviados: 0; fallidos (siguen pendientes): 1" in salida
        assert buzon.intentos == 2 and buzon.mensajes == []
        [correo] = _correos(app)
        assert correo.estado == "pendiente" and correo.intentos == 2

        buzon.rechazo = None  # the server recovers
        _entregado_una_vez(app, entregar, via, buzon, "data@correo.example")
        assert buzon.intentos == 3  # no DATA after the one that succeeded
        [correo] = _correos(app)
        assert correo.intentos == 3


@pytest.mark.parametrize("flujo,via", [("alta", "huey"), ("enviar-email", "cli"), ("editar", "cli")])
def test_f13_smtp_que_rechaza_data_con_5xx_deja_fallido_sin_reintentos(app, client, escenario, entregar, flujo, via):
    """F13: a permanent (5xx) refusal of DATA is final at once: the change is kept, the message is
    fallido after one attempt and no later run of the sender tries it again."""
    buzon = BuzonCaprichoso("554 5.3.0 Transaccion fallida")
    puerto = puerto_libre()
    with servidor_smtp(buzon, puerto):
        apuntar_smtp(app, puerto)
        if flujo == "alta":
            r = guardar(client, escenario["personas"][2].curp, correo="data@correo.example")
            assert r.status_code == 303
            html = client.get(r.headers["Location"]).get_data(as_text=True)
            assert "El usuario se guardó exitosamente." in html
        elif flujo == "enviar-email":
            rid = relacion_sembrada(app, escenario["id"], escenario["personas"][2], correo="data@correo.example")
            r = post_fila(client, f"{GRID}/{rid}/enviar-email", headers=hx_fila(rid))
            assert r.status_code == 200
            html = r.get_data(as_text=True)
        else:  # a new correo in Editar sends a new link
            rid = relacion_sembrada(app, escenario["id"], escenario["personas"][2], correo="antes@correo.example")
            r = client.post(f"{GRID}/{rid}/editar", data={
                "csrf_token": csrf_de(client.get(GRID)), "volver": GRID, "telefono": "5512345678",
                "correo": "data@correo.example", "confirmar_correo": "data@correo.example"})
            assert r.status_code == 303
            html = client.get(r.headers["Location"]).get_data(as_text=True)
            assert "se actualizaron correctamente" in html
        # The contractor is told the truth: not "pending, will be retried".
        assert NO_SE_PUDO in html and "reintentará" not in html and "pendiente de envío" not in html
        assert contar_filas(app, RelacionCapturista, CorreoSaliente) == (1, 1)
        for _ in range(2):
            salida = entregar(via)
            if via == "cli":
                assert "Correos enviados: 0; fallidos (siguen pendientes): 0" in salida
        assert buzon.intentos == 1 and buzon.mensajes == []
        [correo] = _correos(app)
        assert (correo.estado, correo.intentos) == ("fallido", 1)
        assert correo.ultimo_error == "SMTPDataError: 554 5.3.0 Transaccion fallida"
        assert "No se pudo enviar" in client.get(GRID).get_data(as_text=True)


# --- two senders at once --------------------------------------------------------------------------------

class BuzonLento(Buzon):
    """Takes a moment over each message, so concurrent senders overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


def test_remitentes_simultaneos_entregan_cada_correo_una_vez(app, client, escenario):
    """The Huey task and a `flask correos enviar` run by hand may overlap: the conditional UPDATE that
    claims each row means every pending message is delivered exactly once."""
    import tareas
    from services.correo import enviar_pendientes

    puerto = puerto_libre()
    apuntar_smtp(app, puerto)  # down while the altas are made
    personas = escenario["personas"][:6]
    correos = [f"persona{i}@correo.example" for i in range(len(personas))]
    for persona, correo in zip(personas, correos, strict=True):
        assert guardar(client, persona.curp, correo=correo).status_code == 303
    assert [c.estado for c in _correos(app)] == ["pendiente"] * len(correos)

    def como_cron():
        with app.app_context():
            return enviar_pendientes()[0]

    def como_huey():
        tareas.enviar_correos_pendientes.call_local()

    tareas.usar_app(app)
    try:
        with servidor_smtp(BuzonLento(), puerto) as buzon:
            a_la_vez([como_cron, como_huey, como_cron, como_huey])
    finally:
        tareas.usar_app(None)
    assert sorted(m["To"] for m in buzon.mensajes) == sorted(correos)
    assert [(c.estado, c.intentos) for c in _correos(app)] == [("enviado", 2)] * len(correos)


# --- one bad message must not stop the others (F06, F13) ---------------------------------------------

def _sembrar_correos(app, *asuntos_y_destinos) -> list[int]:
    """Pending outbox rows written straight to the database (as a bug or bad data could leave them)."""
    with app.app_context():
        correos = [CorreoSaliente(tipo="activacion", destinatario=destino, asunto=asunto,
                                  cuerpo_texto="Hola", cuerpo_html="<p>Hola</p>")
                   for asunto, destino in asuntos_y_destinos]
        db.session.add_all(correos)
        db.session.commit()
        return [c.id for c in correos]


def _estado(app, correo_id):
    with app.app_context():
        c = db.session.get(CorreoSaliente, correo_id)
        return c.estado, c.intentos, c.ultimo_error


def test_f06_un_asunto_con_salto_de_linea_no_detiene_el_envio_de_los_demas(app, smtp, caplog):
    """F06: a message the e-mail package refuses to build (CR/LF in the subject) is marked fallido
    for good; the messages before and after it are still delivered and nothing is raised."""
    from services.correo import enviar_pendientes

    bueno1, malo, bueno2 = _sembrar_correos(
        app, ("Primero", "uno@correo.example"), ("Hola\r\nBcc: x@evil.example", "malo@correo.example"),
        ("Tercero", "tres@correo.example"))
    with app.app_context():
        assert enviar_pendientes() == (2, 1)
    assert sorted(m["To"] for m in smtp.mensajes) == ["tres@correo.example", "uno@correo.example"]
    assert all("evil" not in m.as_string() for m in smtp.mensajes)
    assert _estado(app, bueno1)[0] == _estado(app, bueno2)[0] == "enviado"
    estado, intentos, error = _estado(app, malo)
    assert (estado, intentos) == ("fallido", 1) and "BadHeaderError" in error and "@" not in error
    assert f"correo {malo} " in caplog.text and "malo@correo.example" not in caplog.text
    with app.app_context():
        assert enviar_pendientes() == (0, 0)  # final: never retried
    assert len(smtp.mensajes) == 2


def test_f06_un_error_inesperado_en_un_correo_no_detiene_a_los_demas(app, smtp, monkeypatch):
    """F06: any exception for one row (not only SMTP's) marks that row fallido and the loop goes on."""
    import services.correo as servicio

    original = servicio.Mensaje

    def mensaje_que_truena(**kwargs):
        if kwargs["subject"] == "Truena":
            raise RuntimeError("fallo inesperado armando el correo para dos@correo.example")
        return original(**kwargs)

    monkeypatch.setattr(servicio, "Mensaje", mensaje_que_truena)
    ids = _sembrar_correos(app, ("Uno", "uno@correo.example"), ("Truena", "dos@correo.example"),
                           ("Tres", "tres@correo.example"))
    with app.app_context():
        assert servicio.enviar_pendientes() == (2, 1)
    assert len(smtp.mensajes) == 2
    estado, _, error = _estado(app, ids[1])
    assert estado == "fallido" and error == "RuntimeError: fallo inesperado armando el correo para <destinatario>"


def test_f06_intentar_envio_no_lanza_aunque_el_envio_truene(app, smtp, monkeypatch, caplog):
    """F06: intentar_envio runs inside a request after the commit: it must never turn a saved change
    into a 500."""
    import services.correo as servicio

    [correo_id] = _sembrar_correos(app, ("Uno", "uno@correo.example"))

    def truena(*args, **kwargs):
        raise RuntimeError("la base de datos se fue")

    monkeypatch.setattr(servicio, "_reclamar", truena)
    with app.app_context():
        assert servicio.intentar_envio(db.session.get(CorreoSaliente, correo_id)) is False
    assert smtp.mensajes == [] and f"correo {correo_id}:" in caplog.text


class BuzonQueRechaza(Buzon):
    """Answers RCPT or DATA for NADIE with ``respuesta`` (which names the address, as real servers
    do); any other recipient is accepted. Counts the refusals."""

    def __init__(self, etapa: str, respuesta: str):
        super().__init__()
        self.etapa, self.respuesta, self.rechazos = etapa, respuesta, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.etapa == "RCPT" and address == NADIE:
            self.rechazos += 1
            return self.respuesta
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.etapa == "DATA" and NADIE in envelope.rcpt_tos:
            self.rechazos += 1
            return self.respuesta
        return await super().handle_DATA(server, session, envelope)


NADIE = "nadie@correo.example"


@pytest.mark.parametrize("etapa,respuesta,tipo,final", [
    ("RCPT", f"550 5.1.1 <{NADIE}> no existe", "SMTPRecipientsRefused", True),
    ("DATA", f"550 5.1.1 <{NADIE}> no existe", "SMTPDataError", True),
    ("DATA", f"451 4.3.0 <{NADIE}> intenta mas tarde", "SMTPDataError", False),
    ("RCPT", f"450 4.2.1 <{NADIE}> buzon ocupado", "SMTPRecipientsRefused", False),
])
def test_f13_rechazo_del_destinatario_sin_direcciones_en_bitacora_y_5xx_definitivo(app, caplog, etapa, respuesta,
                                                                                  tipo, final):
    """F13: a 5xx answer is final at the first attempt, a 4xx one stays pending and is retried; the
    message after the refused one is still delivered; neither ``ultimo_error`` nor the log holds the
    recipient's address (the log names the message by its id)."""
    import logging

    from services.correo import enviar_pendientes

    caplog.set_level(logging.INFO, logger="services.correo")
    rechazado, aceptado = _sembrar_correos(app, ("Uno", NADIE), ("Dos", "ana@correo.example"))
    puerto = puerto_libre()
    with servidor_smtp(BuzonQueRechaza(etapa, respuesta), puerto) as buzon:
        apuntar_smtp(app, puerto)
        with app.app_context():
            assert enviar_pendientes() == (1, 1)
            assert enviar_pendientes() == (0, 0 if final else 1)
    assert [m["To"] for m in buzon.mensajes] == ["ana@correo.example"]
    assert _estado(app, aceptado)[0] == "enviado"
    estado, intentos, error = _estado(app, rechazado)
    assert (estado, intentos, buzon.rechazos) == (("fallido", 1, 1) if final else ("pendiente", 2, 2))
    codigo, texto = respuesta.split(" ", 1)
    assert error == f"{tipo}: {codigo} {texto.replace(f'<{NADIE}>', '<destinatario>')}"
    assert "@" not in error
    assert f"correo {rechazado}:" in caplog.text and NADIE not in caplog.text and "@" not in caplog.text


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS", "ignore::DeprecationWarning:aiosmtpd")
def test_f13_un_5xx_al_conectar_es_del_servidor_y_no_del_correo(app, caplog):
    """F13: a 5xx while opening the connection (here 535 at login: wrong credentials) says nothing
    about the message: it stays pending and is retried, so a configuration error cannot fail the
    whole outbox for good."""
    from aiosmtpd.smtp import AuthResult

    from services.correo import enviar_pendientes

    def autenticar(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"icsoe", b"correcta"), handled=False)

    [correo_id] = _sembrar_correos(app, ("Uno", "uno@correo.example"))
    puerto = puerto_libre()
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=puerto, authenticator=autenticar,
                             auth_required=True, auth_require_tls=False)
    controlador.start()
    try:
        apuntar_smtp(app, puerto)
        app.config.update(MAIL_USERNAME="icsoe", MAIL_PASSWORD="equivocada")
        mail.init_app(app)
        with app.app_context():
            assert enviar_pendientes() == (0, 1)
        estado, intentos, error = _estado(app, correo_id)
        assert (estado, intentos) == ("pendiente", 1) and error.startswith("SMTPAuthenticationError: 535")

        app.config.update(MAIL_PASSWORD="correcta")  # the operator fixes the setting
        mail.init_app(app)
        with app.app_context():
            assert enviar_pendientes() == (1, 0)
    finally:
        controlador.stop()
    assert [m["To"] for m in buzon.mensajes] == ["uno@correo.example"]
