"""E-mail through an outbox: messages are committed first, then delivered.

``encolar`` renders ``templates/email/<plantilla>.txt`` and ``.html`` into a CorreoSaliente row
(in the caller's transaction). ``enviar_pendientes`` claims each row with a conditional UPDATE so
two senders (a request and ``flask correos enviar``) never deliver the same row twice; an SMTP
failure puts the row back to pending with the error, to be retried later.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import select, update

from extensions import db
from models import CorreoSaliente
from models.types import ahora_utc

log = logging.getLogger(__name__)

# A claim older than this is from a sender that died mid-way: the row is pending again.
RECLAMO_VENCIDO = timedelta(minutes=10)


def encolar(*, tipo: str, destinatario: str, asunto: str, plantilla: str,
            relacion=None, capturista=None, contratista_id: int | None = None, **contexto) -> CorreoSaliente:
    """Queue a message; ``contratista_id`` (or the relation's) says whose daily allowance it uses."""
    correo = CorreoSaliente(
        tipo=tipo,
        relacion=relacion,
        contratista_id=contratista_id if contratista_id is not None else getattr(relacion, "contratista_id", None),
        capturista_id=capturista.id if capturista is not None else None,
        destinatario=destinatario,
        asunto=asunto,
        cuerpo_texto=render_template(f"email/{plantilla}.txt", capturista=capturista, **contexto),
        cuerpo_html=render_template(f"email/{plantilla}.html", capturista=capturista, **contexto),
    )
    db.session.add(correo)
    return correo


class _ConexionConLimite(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung SMTP server cannot hang a request."""

    def configure_host(self):
        clase = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = clase(self.mail.server, self.mail.port, timeout=current_app.config["MAIL_TIMEOUT"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _reclamar(correo_id: int) -> bool:
    ahora = ahora_utc()
    resultado = db.session.execute(
        update(CorreoSaliente)
        .where(CorreoSaliente.id == correo_id)
        .where(
            (CorreoSaliente.estado == CorreoSaliente.PENDIENTE)
            | ((CorreoSaliente.estado == CorreoSaliente.ENVIANDO)
               & (CorreoSaliente.reclamado_en < ahora - RECLAMO_VENCIDO))
        )
        .values(estado=CorreoSaliente.ENVIANDO, reclamado_en=ahora)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return resultado.rowcount == 1


def enviar_pendientes(ids: list[int] | None = None, limite: int = 200) -> tuple[int, int]:
    """Deliver pending messages (all, or only ``ids``). Returns (sent, failed)."""
    # Fewest attempts first, so messages that keep failing never starve the new ones.
    consulta = select(CorreoSaliente.id).where(
        CorreoSaliente.estado.in_([CorreoSaliente.PENDIENTE, CorreoSaliente.ENVIANDO])
    ).order_by(CorreoSaliente.intentos, CorreoSaliente.id).limit(limite)
    if ids is not None:
        consulta = consulta.where(CorreoSaliente.id.in_(ids))
    candidatos = list(db.session.scalars(consulta))
    enviados = fallidos = 0
    conexion = None
    try:
        for correo_id in candidatos:
            if not _reclamar(correo_id):
                continue  # another sender has it
            correo = db.session.get(CorreoSaliente, correo_id)
            mensaje = Message(
                subject=correo.asunto, recipients=[correo.destinatario],
                body=correo.cuerpo_texto, html=correo.cuerpo_html,
                sender=current_app.config["MAIL_DEFAULT_SENDER"],
            )
            db.session.commit()  # no transaction (nor SQLite write lock) held while talking SMTP
            try:
                if conexion is None:
                    conexion = _ConexionConLimite(current_app.extensions["mail"]).__enter__()
                conexion.send(mensaje)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("No se pudo enviar el correo %s: %s", correo_id, exc)
                correo = db.session.get(CorreoSaliente, correo_id)
                correo.intentos += 1
                # After CORREO_MAX_INTENTOS the message stops being retried (shown as not delivered).
                agotado = correo.intentos >= current_app.config["CORREO_MAX_INTENTOS"]
                correo.estado = CorreoSaliente.FALLIDO if agotado else CorreoSaliente.PENDIENTE
                correo.ultimo_error = f"{type(exc).__name__}: {exc}"[:500]
                db.session.commit()
                fallidos += 1
                conexion = None  # reconnect for the next one
                continue
            correo = db.session.get(CorreoSaliente, correo_id)
            correo.estado = CorreoSaliente.ENVIADO
            correo.intentos += 1
            correo.enviado_en = ahora_utc()
            correo.ultimo_error = None
            db.session.commit()
            enviados += 1
    finally:
        if conexion is not None and conexion.host is not None:
            try:
                conexion.host.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return enviados, fallidos


def intentar_envio(correo: CorreoSaliente | None) -> bool:
    """Try to deliver one message right away (after the caller committed). True when sent."""
    if correo is None:
        return False
    enviados, _ = enviar_pendientes([correo.id])
    return enviados == 1
