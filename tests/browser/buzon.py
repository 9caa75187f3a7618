"""The mailbox side of the browser stories: what reached the aiosmtpd server, and the links in it.

Registro and password recovery never send inline (their timing must not tell whether a message was
queued): ``entregar_correos`` (tests/ayudantes.py) delivers the outbox now, as the Huey worker would,
so the message reaches the SMTP server on loopback before the story reads it.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.ayudantes import entregar_correos, liga_de

# Links in the e-mails of the app served on 127.0.0.1 (its BASE_URL): group 1 is the whole URL.
LIGA_ACTIVACION_RE = re.compile(r"(http://127\.0\.0\.1:\d+/activacion/\S+)")
LIGA_CONFIRMACION_RE = re.compile(r"(http://127\.0\.0\.1:\d+/cuenta/confirmar/\S+)")
LIGA_RESTABLECER_RE = re.compile(r"(http://127\.0\.0\.1:\d+/cuenta/restablecer/\S+)")
ASUNTO_CONFIRMACION = "Confirma tu cuenta de contratista en Capturistas ICSOE"


def texto(mensaje) -> str:
    """Plain and HTML bodies and the subject: everything a reader of the message sees."""
    partes = [mensaje["Subject"] or ""]
    for tipo in ("plain", "html"):
        cuerpo = mensaje.get_body((tipo,))
        if cuerpo is not None:
            partes.append(cuerpo.get_content())
    return "\n".join(partes)


def destinatarios(smtp) -> list[str]:
    return [m["To"] for m in smtp.mensajes]


def para(smtp, destinatario: str) -> list:
    return [m for m in smtp.mensajes if m["To"] == destinatario]


def liga_de_confirmacion(app, smtp, correo: str) -> str:
    """Deliver the outbox and take the registro confirmation link sent to ``correo``."""
    entregar_correos(app)
    mensajes = [m for m in para(smtp, correo) if m["Subject"] == ASUNTO_CONFIRMACION]
    assert len(mensajes) == 1, f"correos recibidos: {[(m['To'], m['Subject']) for m in smtp.mensajes]}"
    return liga_de(mensajes[0], LIGA_CONFIRMACION_RE)


def confirmar_cuenta(page, liga_confirmacion: str) -> None:
    """Open the confirmation link as the contractor would (from the e-mail): it lands on the
    contractor's login page with the confirmation message."""
    page.goto(liga_confirmacion)
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    expect(page.get_by_text("Tu correo electrónico quedó confirmado.")).to_be_visible()
