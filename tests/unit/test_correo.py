"""The outbox's reading of SMTP errors (F13): what is final, and what may be stored or logged."""
import smtplib

import pytest

from services.correo import describir_error, es_rechazo_definitivo


@pytest.mark.parametrize("exc,definitivo", [
    (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"5.1.1 no existe")}), True),
    (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"no"), "b@x.example": (450, b"luego")}), False),
    (smtplib.SMTPRecipientsRefused({"a@x.example": (452, b"4.2.2 lleno")}), False),
    (smtplib.SMTPSenderRefused(553, b"5.7.1 remitente no permitido", "no-responder@icsoe.local"), True),
    (smtplib.SMTPSenderRefused(451, b"4.7.1 intenta luego", "no-responder@icsoe.local"), False),
    (smtplib.SMTPDataError(554, b"5.3.0 Transaccion fallida"), True),
    (smtplib.SMTPDataError(451, b"4.3.0 Error temporal"), False),
    (smtplib.SMTPResponseException(552, b"5.3.4 demasiado grande"), True),
    (smtplib.SMTPResponseException(421, b"4.4.2 cerrando"), False),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
    (ConnectionRefusedError(111, "Connection refused"), False),
])
def test_f13_solo_un_5xx_es_rechazo_definitivo(exc, definitivo):
    assert es_rechazo_definitivo(exc) is definitivo


@pytest.mark.parametrize("exc,texto", [
    (smtplib.SMTPRecipientsRefused({"ana.perez@correo.example": (550, b"5.1.1 <ana.perez@correo.example> no existe")}),
     "SMTPRecipientsRefused: 550 5.1.1 <destinatario> no existe"),
    (smtplib.SMTPSenderRefused(553, b"5.7.1 <no-responder@icsoe.local> no permitido", "no-responder@icsoe.local"),
     "SMTPSenderRefused: 553 5.7.1 <destinatario> no permitido"),
    (smtplib.SMTPDataError(550, "5.7.1 rechazado para ana+x@sub.correo.example, revisa"),
     "SMTPDataError: 550 5.7.1 rechazado para <destinatario>, revisa"),
    (ValueError("asunto inválido para 'jose@correo.example'"), "ValueError: asunto inválido para '<destinatario>'"),
    (ConnectionRefusedError(111, "Connection refused"), "ConnectionRefusedError: [Errno 111] Connection refused"),
])
def test_f13_el_error_guardado_no_lleva_direcciones(exc, texto):
    assert describir_error(exc) == texto and "@" not in describir_error(exc)


def test_f13_el_error_guardado_cabe_en_la_columna():
    assert len(describir_error(smtplib.SMTPDataError(550, "x" * 2000))) == 500
