"""E-mail through an outbox: messages are committed first, then delivered.

``encolar`` renders ``templates/email/<plantilla>.txt`` and ``.html`` into a CorreoSaliente row
(in the caller's transaction). ``enviar_pendientes`` claims each row with a conditional UPDATE so
two senders (a request and ``flask correos enviar``) never deliver the same row twice; an SMTP
failure puts the row back to pending with the error, to be retried later, unless the server refused
the message for good (a 5xx answer): then, like a message that cannot be built or sent at all (any
other exception), it is marked fallido at once. One bad row never stops the others. Neither the log
nor ``ultimo_error`` holds an e-mail address: the log names the message by its id.
"""
from __future__ import annotations

import base64
import logging
import re
import smtplib
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import func, select, update

from extensions import db
from models import CorreoSaliente
from models.types import ahora_utc

log = logging.getLogger(__name__)

# A claim older than this is from a sender that died mid-way: the row is pending again.
RECLAMO_VENCIDO = timedelta(minutes=10)
# Anything that looks like an e-mail address (optionally in <>): kept out of logs and ultimo_error.
_DIRECCION = re.compile(r"<?[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+>?")


def encolar(*, tipo: str, destinatario: str, asunto: str, plantilla: str, relacion=None, capturista=None,
            contratista_id: int | None = None, masivo: bool = False, **contexto) -> CorreoSaliente:
    """Queue a message; ``contratista_id`` (or the relation's) says whose daily allowance it uses (``masivo``:
    a carga masiva's, apart). A subject longer than its column (one that names a 250-character razón
    social) is cut with "…"."""
    tope = CorreoSaliente.asunto.type.length
    if len(asunto) > tope:
        asunto = asunto[:tope - 1] + "…"
    correo = CorreoSaliente(
        tipo=tipo,
        relacion=relacion,
        contratista_id=contratista_id if contratista_id is not None else getattr(relacion, "contratista_id", None),
        capturista_id=capturista.id if capturista is not None else None,
        masivo=masivo,
        destinatario=destinatario,
        asunto=asunto,
        cuerpo_texto=render_template(f"email/{plantilla}.txt", capturista=capturista, **contexto),
        cuerpo_html=render_template(f"email/{plantilla}.html", capturista=capturista, **contexto),
    )
    db.session.add(correo)
    return correo


def _de(desde: datetime, tipos, cuenta: dict) -> list:
    return [CorreoSaliente.tipo.in_(tipos), CorreoSaliente.creado_en > desde,
            *(getattr(CorreoSaliente, columna) == valor for columna, valor in cuenta.items())]


def encolado_desde(desde: datetime, *, tipo: str, **cuenta) -> bool:
    """A message of this ``tipo`` was queued for the account (``capturista_id=`` or ``contratista_id=``)
    after ``desde``: the recovery flows send one per minute per account."""
    return db.session.scalar(select(CorreoSaliente.id).where(*_de(desde, (tipo,), cuenta)).limit(1)) is not None


def encolados_desde(desde: datetime, *, tipos, **cuenta) -> int:
    """How many messages of these ``tipos`` were queued after ``desde`` for what ``cuenta`` names
    (``relacion_id=``, ``contratista_id=``, ``capturista_id=``): the sending limits count with this."""
    return db.session.scalar(select(func.count(CorreoSaliente.id)).where(*_de(desde, tipos, cuenta)))


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


def _texto_smtp(codigo: int, respuesta) -> str:
    if isinstance(respuesta, bytes):
        respuesta = respuesta.decode("utf-8", "replace")
    return f"{codigo} {respuesta}"


def palabras_codificadas(texto: str, maximo: int = 45) -> str:
    """RFC 2047 encoded words (base64, UTF-8) for a header, one per folded line, cut between
    characters and never between a word and its space: decoders drop the blanks *between* encoded
    words, so every space travels inside one. 45 bytes → 60 characters of base64 → lines < 78."""
    trozos, actual = [], b""
    for caracter in texto:
        byte = caracter.encode()
        if len(actual) + len(byte) > maximo:
            trozos.append(actual)
            actual = b""
        actual += byte
    trozos.append(actual)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(t).decode()}?=" for t in trozos)


class Mensaje(Message):
    """Flask-Mail's message with a Subject every client reads whole. Flask-Mail's Header encoding,
    and Python's own folding, can cut a subject with accents between two encoded words and lose the
    space there ("Subcontratación Rápida" read as "SubcontrataciónRápida", "Baj ío")."""

    def _message(self):
        mensaje = super()._message()
        if self.subject and not self.subject.isascii():
            mensaje.policy = mensaje.policy.clone(refold_source="none")  # keep our folding as it is
            del mensaje["Subject"]
            mensaje.set_raw("Subject", palabras_codificadas(self.subject))
        return mensaje


def describir_error(exc: BaseException) -> str:
    """``ultimo_error`` and log text: the exception type, the SMTP code and text when the server
    answered, and never an e-mail address (the recipient's or the sender's)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detalle = "; ".join(_texto_smtp(codigo, texto) for codigo, texto in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detalle = _texto_smtp(exc.smtp_code, exc.smtp_error)
    else:
        detalle = str(exc)
    return _DIRECCION.sub("<destinatario>", f"{type(exc).__name__}: {detalle}")[:500]


def es_rechazo_definitivo(exc: BaseException) -> bool:
    """The server refused this message for good (5xx): retrying it would get the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(codigo >= 500 for codigo, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _registrar_fallo(correo_id: int, exc: BaseException, *, final: bool) -> None:
    """Put the row back to pending (or fallido when ``final`` or out of attempts), with the error."""
    db.session.rollback()  # whatever the failed step left half done
    correo = db.session.get(CorreoSaliente, correo_id)
    correo.intentos += 1
    # After CORREO_MAX_INTENTOS the message stops being retried (shown as not delivered).
    agotado = final or correo.intentos >= current_app.config["CORREO_MAX_INTENTOS"]
    correo.estado = CorreoSaliente.FALLIDO if agotado else CorreoSaliente.PENDIENTE
    correo.ultimo_error = describir_error(exc)
    db.session.commit()


def _cerrar(conexion) -> None:
    if conexion is not None and conexion.host is not None:
        try:
            conexion.host.quit()
        except (OSError, smtplib.SMTPException):
            conexion.host.close()


def enviar_pendientes(ids: list[int] | None = None, limite: int = 200) -> tuple[int, int]:
    """Deliver pending messages (all, or only ``ids``). Returns (sent, failed).

    Each message is isolated: whatever goes wrong with one of them is recorded on its row and the
    loop goes on, so one bad row never starves the rest of the outbox.
    """
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
            conectando = False
            try:
                correo = db.session.get(CorreoSaliente, correo_id)
                mensaje = Mensaje(
                    subject=correo.asunto, recipients=[correo.destinatario],
                    body=correo.cuerpo_texto, html=correo.cuerpo_html,
                    sender=current_app.config["MAIL_DEFAULT_SENDER"],
                )
                db.session.commit()  # no transaction (nor SQLite write lock) held while talking SMTP
                if conexion is None:
                    conectando = True
                    conexion = _ConexionConLimite(current_app.extensions["mail"]).__enter__()
                    conectando = False
                conexion.send(mensaje)
            except (OSError, smtplib.SMTPException) as exc:
                # A refusal while connecting (greeting, TLS, login) is the server's, not this message's.
                final = not conectando and es_rechazo_definitivo(exc)
                log.warning("No se pudo enviar el correo %s: %s%s", correo_id, describir_error(exc),
                            " (rechazo definitivo: no se reintentará)" if final else "")
                _registrar_fallo(correo_id, exc, final=final)
            except Exception as exc:  # noqa: BLE001 - a message that can never be built or sent
                log.error("El correo %s no se puede enviar; queda como fallido: %s", correo_id, describir_error(exc))
                _registrar_fallo(correo_id, exc, final=True)
            else:
                correo = db.session.get(CorreoSaliente, correo_id)
                correo.estado = CorreoSaliente.ENVIADO
                correo.intentos += 1
                correo.enviado_en = ahora_utc()
                correo.ultimo_error = None
                db.session.commit()
                enviados += 1
                continue
            fallidos += 1
            _cerrar(conexion)  # the connection may be mid-transaction or broken: reconnect for the next one
            conexion = None
    finally:
        _cerrar(conexion)
    return enviados, fallidos


def enviar_todos(limite: int = 200) -> tuple[int, int]:
    """Deliver the whole outbox, ``limite`` messages at a time (a carga masiva queues hundreds), until a
    batch comes back short or with a failure: then SMTP is down or refusing, and the periodic retry goes
    on later. Returns (sent, failed)."""
    enviados = fallidos = 0
    while True:
        lote_enviados, lote_fallidos = enviar_pendientes(limite=limite)
        enviados, fallidos = enviados + lote_enviados, fallidos + lote_fallidos
        if lote_fallidos or lote_enviados < limite:
            return enviados, fallidos


def intentar_envio(correo: CorreoSaliente | None) -> bool:
    """Try to deliver one message right away (after the caller committed). True when sent.

    Called inside requests whose change is already saved: it never raises (the message stays in
    the outbox for the periodic sender).
    """
    if correo is None:
        return False
    correo_id = correo.id
    try:
        enviados, _ = enviar_pendientes([correo_id])
    except Exception as exc:  # noqa: BLE001 - the caller's change is committed; never a 500
        db.session.rollback()
        log.error("Falló el envío inmediato del correo %s: %s", correo_id, describir_error(exc))
        return False
    return enviados == 1
