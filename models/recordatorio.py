"""The filing reminders already sent: one row per contractor, period and days before the deadline."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import UTCDateTime, ahora_utc


class RecordatorioEnviado(db.Model):
    """Written in the same transaction as the reminder's e-mails (the outbox): its unique key is what
    makes each reminder go at most once, however many workers run the task and however often."""

    __tablename__ = "recordatorio_enviado"
    __table_args__ = (
        UniqueConstraint("contratista_id", "anio", "periodo", "dias", name="uq_recordatorio_enviado_periodo_dias"),
        CheckConstraint("periodo BETWEEN 1 AND 3", name="periodo_valido"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    anio: Mapped[int]
    periodo: Mapped[int]
    # Calendar days before the deadline (one of RECORDATORIO_DIAS).
    dias: Mapped[int]
    # How many e-mails it queued (the contractor and its active capturistas).
    correos: Mapped[int] = mapped_column(default=0)
    enviado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
