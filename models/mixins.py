"""Behaviour shared by the two kinds of user (contratista, capturista)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.types import UTCDateTime


class ConContrasena:
    password_hash: Mapped[Optional[str]]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class ConBloqueo:
    """Login lockout: ``maximo`` consecutive failures lock the account for ``minutos``."""

    intentos_fallidos: Mapped[int] = mapped_column(default=0)
    bloqueado_hasta: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ultimo_acceso: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    def bloqueado(self, ahora: datetime) -> bool:
        return self.bloqueado_hasta is not None and self.bloqueado_hasta > ahora

    def registrar_fallo(self, ahora: datetime, maximo: int, minutos: int) -> None:
        self.intentos_fallidos = (self.intentos_fallidos or 0) + 1
        if self.intentos_fallidos >= maximo:
            self.bloqueado_hasta = ahora + timedelta(minutes=minutos)
            self.intentos_fallidos = 0

    def registrar_acceso(self, ahora: datetime) -> None:
        self.intentos_fallidos = 0
        self.bloqueado_hasta = None
        self.ultimo_acceso = ahora
