"""Background Excel exports: one row per job, with its progress and its file."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import UTCDateTime, ahora_utc


class Exportacion(db.Model):
    __tablename__ = "exportacion"
    __table_args__ = (Index("ix_exportacion_contratista_creado", "contratista_id", "creado_en"),
                      Index("ix_exportacion_estado_expira", "estado", "expira_en"))

    PENDIENTE = "pendiente"
    EN_PROCESO = "en_proceso"
    LISTA = "lista"
    ERROR = "error"
    VENCIDA = "vencida"

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    solicitante: Mapped[str] = mapped_column(String(120))
    filtro: Mapped[dict] = mapped_column(db.JSON, default=dict)
    estado: Mapped[str] = mapped_column(String(12), default=PENDIENTE)
    total: Mapped[int] = mapped_column(default=0)
    escritas: Mapped[int] = mapped_column(default=0)
    nombre_archivo: Mapped[str] = mapped_column(String(80))
    ruta: Mapped[Optional[str]] = mapped_column(String(500))
    error: Mapped[Optional[str]] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    terminado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    expira_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def terminada(self) -> bool:
        return self.estado in (self.LISTA, self.ERROR, self.VENCIDA)

    @property
    def porcentaje(self) -> int:
        return 100 if self.total == 0 else min(100, int(self.escritas * 100 / self.total))
