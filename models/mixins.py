"""Behaviour shared by several models: the two kinds of user (contratista, capturista), the cargas masivas."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.types import UTCDateTime


class ConContrasena:
    password_hash: Mapped[Optional[str]]

    def set_password(self, password: str) -> None:
        """A new password ends every open session of the user (see ConSesion)."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.terminar_sesiones()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class ConSesion:
    """Sessions that can be ended: every session carries ``sesion_version`` in its id, so raising
    it (logout, password change, baja) ends every session of that user on its next request, on
    every app instance (the number lives in the database)."""

    sesion_version: Mapped[int] = mapped_column(default=0, server_default="0")
    ultimo_acceso: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    def terminar_sesiones(self) -> None:
        self.sesion_version = (self.sesion_version or 0) + 1

    def registrar_acceso(self, ahora: datetime) -> None:
        self.ultimo_acceso = ahora


class ConAvance:
    """A carga masiva's progress while the worker runs it: ``procesadas`` of ``total`` rows."""

    total: Mapped[int] = mapped_column(default=0)
    procesadas: Mapped[int] = mapped_column(default=0)

    @property
    def porcentaje(self) -> int:
        return 100 if self.total == 0 else min(100, int(self.procesadas * 100 / self.total))
