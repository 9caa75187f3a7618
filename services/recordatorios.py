"""Reminders of the informativa's deadline, by e-mail: ``RECORDATORIO_DIAS`` (7 and 2) calendar days
before it, on Mexico City's calendar (``domain.recordatorios``), while the period is not presented.

Who: every contractor whose correo is verified and that has its Datos Generales (what it needs to work
at all), at its correo; and each of its capturistas whose relation is active and who has activated
their usuario, at the person's own verified correo (never an address the contractor typed). A
capturista of two contractors gets one e-mail for each, naming it. "Presented" is any informativa of
that contractor and period in estado presentada (any tipo, any numero).

At most once: each contractor's reminder is one transaction that inserts its ``RecordatorioEnviado``
row (unique per contractor, period and days) and queues its e-mails in the outbox, so a crash loses
none and repeats none. Contractors already reminded, or that have presented, are left out when the run
starts, and checked again inside each transaction: a second worker running at the same moment meets the
unique key (PostgreSQL makes it wait for the first one's commit) and skips that contractor, and a period
presented meanwhile gets nothing. The outbox delivers the e-mails (services.correo).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.calendario import ZONA
from domain.periodos import hoy_en_mexico, plazo_en_palabras
from domain.recordatorios import Recordatorio, faltan, recordatorios_del_dia
from extensions import db
from models import Capturista, Contratista, DatosGenerales, Informativa, RecordatorioEnviado, RelacionCapturista
from models.types import ahora_utc
from services import correo as correo_srv
from services.enlaces import url_externa

TIPO = "recordatorio"

# What the informativa's state asks of each reader (None: not started yet; a state not listed here
# shows its label alone).
_SITUACION_CONTRATISTA = {
    None: "Todavía no se ha iniciado la informativa de este periodo. Tus usuarios capturistas pueden iniciarla "
          "desde su espacio de trabajo.",
    Informativa.BORRADOR: "Tus usuarios capturistas la están preparando; cuando la envíen a firma podrás "
                          "firmarla y presentarla con tu e.firma.",
    Informativa.DEVUELTA: "La devolviste para corrección: tus usuarios capturistas deben corregirla y enviarla "
                          "de nuevo a firma.",
    Informativa.ENVIADA: "Ya está lista para tu firma: revísala y preséntala firmándola con tu e.firma.",
}
_SITUACION_CAPTURISTA = {
    None: "Todavía no se ha iniciado la informativa de este periodo: puedes iniciarla desde tu espacio de trabajo.",
    Informativa.BORRADOR: "Complétala y envíala a firma con tiempo para que {contratista} pueda presentarla.",
    Informativa.DEVUELTA: "{contratista} la devolvió para corrección: corrígela y envíala de nuevo a firma.",
    Informativa.ENVIADA: "Ya está enviada a firma: solo falta que {contratista} la firme y la presente.",
}


@dataclass(frozen=True)
class _Ligas:
    """Where each reader acts: the contractor's Informativas page, the capturista's workspace."""

    contratista: str
    capturista: str


def enviar_recordatorios(hoy: date | None = None) -> int:
    """Queue the reminders due on ``hoy`` (a date in Mexico City; today by default) that have not been
    sent; returns how many e-mails were queued. Commits once per contractor."""
    hoy = hoy or hoy_en_mexico(ahora_utc())
    debidos = recordatorios_del_dia(hoy, current_app.config["RECORDATORIO_DIAS"])
    if not debidos:
        return 0
    ligas = _Ligas(url_externa("informativas.lista"), url_externa("capturista.inicio"))
    encolados = 0
    for recordatorio in debidos:
        pendientes = contratistas_por_recordar(recordatorio)
        db.session.commit()  # the read ends here: each contractor is a transaction of its own
        for contratista_id in pendientes:
            encolados += _recordar(contratista_id, recordatorio, hoy, ligas)
    return encolados


def contratistas_por_recordar(recordatorio: Recordatorio) -> list[int]:
    """Ids of the verified contractors with Datos Generales that have not presented the period and
    have not had this reminder yet."""
    periodo = recordatorio.periodo
    presentada = select(Informativa.id).where(
        Informativa.contratista_id == Contratista.id, Informativa.anio == periodo.anio,
        Informativa.periodo == periodo.numero, Informativa.estado == Informativa.PRESENTADA).exists()
    enviado = select(RecordatorioEnviado.id).where(
        RecordatorioEnviado.contratista_id == Contratista.id, RecordatorioEnviado.anio == periodo.anio,
        RecordatorioEnviado.periodo == periodo.numero, RecordatorioEnviado.dias == recordatorio.dias).exists()
    return list(db.session.scalars(
        select(Contratista.id).join(DatosGenerales, DatosGenerales.contratista_id == Contratista.id)
        .where(Contratista.correo_verificado_en.is_not(None), ~presentada, ~enviado)
        .order_by(Contratista.id)))


def _capturistas(contratista_id: int) -> list[Capturista]:
    return list(db.session.scalars(
        select(Capturista).join(RelacionCapturista, RelacionCapturista.capturista_id == Capturista.id)
        .where(RelacionCapturista.contratista_id == contratista_id,
               RelacionCapturista.estatus == RelacionCapturista.ACTIVO,
               Capturista.usuario.is_not(None), Capturista.correo.is_not(None))
        .order_by(Capturista.id)))


def _informativas(contratista_id: int, recordatorio: Recordatorio) -> list[Informativa]:
    """The period's informativas, the latest numero first (complementarias follow a presented one)."""
    return list(db.session.scalars(
        select(Informativa).where(Informativa.contratista_id == contratista_id,
                                  Informativa.anio == recordatorio.periodo.anio,
                                  Informativa.periodo == recordatorio.periodo.numero)
        .order_by(Informativa.numero.desc())))


def _recordar(contratista_id: int, recordatorio: Recordatorio, hoy: date, ligas: _Ligas) -> int:
    """One contractor's reminder: its row and its e-mails in one transaction. Commits; returns the
    e-mails queued (0 when another run got there first)."""
    marca = RecordatorioEnviado(contratista_id=contratista_id, anio=recordatorio.periodo.anio,
                                periodo=recordatorio.periodo.numero, dias=recordatorio.dias)
    db.session.add(marca)
    try:
        db.session.flush()  # the unique key: PostgreSQL waits here while another worker holds the same row
    except IntegrityError:  # that worker committed it: this reminder is sent
        db.session.rollback()
        return 0

    informativas = _informativas(contratista_id, recordatorio)
    if any(i.estado == Informativa.PRESENTADA for i in informativas):  # presented since the run began
        db.session.rollback()
        return 0
    informativa = informativas[0] if informativas else None
    estado = informativa.estado if informativa is not None else None
    contratista = db.session.get(Contratista, contratista_id)
    periodo = recordatorio.periodo
    # Midday of that day in Mexico City: plazo_en_palabras counts the days left from it.
    plazo = plazo_en_palabras(periodo, datetime.combine(hoy, time(12), tzinfo=ZONA))
    asunto = f"{faltan(recordatorio.dias)} para presentar la informativa del {periodo.nombre}"
    comun = dict(tipo=TIPO, plantilla="recordatorio", contratista_id=contratista_id, contratista=contratista,
                 periodo=periodo, plazo=plazo, informativa=informativa)

    correo_srv.encolar(destinatario=contratista.correo, asunto=asunto, liga=ligas.contratista,
                       situacion=_SITUACION_CONTRATISTA.get(estado, ""), **comun)
    capturistas = _capturistas(contratista_id)
    situacion = _SITUACION_CAPTURISTA.get(estado, "").format(contratista=contratista.nombre_visible)
    for capturista in capturistas:
        correo_srv.encolar(destinatario=capturista.correo, capturista=capturista, liga=ligas.capturista,
                           asunto=f"{asunto} de {contratista.nombre_visible}", situacion=situacion,
                           **comun)
    marca.correos = 1 + len(capturistas)
    db.session.commit()
    return marca.correos
