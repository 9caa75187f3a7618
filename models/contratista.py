"""The contractor (contratista): its account and its Datos Generales."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.mixins import ConContrasena, ConSesion
from models.types import UTCDateTime, ahora_utc


class Contratista(UserMixin, ConContrasena, ConSesion, db.Model):
    __tablename__ = "contratista"

    id: Mapped[int] = mapped_column(primary_key=True)
    rfc: Mapped[str] = mapped_column(String(13), unique=True)
    correo: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    # Set when the owner opens the link mailed at registro: until then the account cannot act.
    # (Proof of the RFC itself comes with the e.firma, when the contractor signs.)
    correo_verificado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    datos_generales: Mapped[Optional["DatosGenerales"]] = relationship(
        back_populates="contratista", uselist=False, cascade="all, delete-orphan"
    )

    # Flask-Login: one id space per kind of user.
    def get_id(self) -> str:
        return f"contratista:{self.id}:{self.sesion_version or 0}"

    @property
    def verificado(self) -> bool:
        return self.correo_verificado_en is not None

    @property
    def nombre_visible(self) -> str:
        return self.datos_generales.razon_social if self.datos_generales else self.rfc


class DatosGenerales(db.Model):
    __tablename__ = "datos_generales"

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(
        ForeignKey("contratista.id", ondelete="CASCADE"), unique=True
    )
    razon_social: Mapped[str] = mapped_column(String(250))
    registro_patronal: Mapped[str] = mapped_column(String(11))
    registro_repse: Mapped[str] = mapped_column(String(20))
    calle: Mapped[str] = mapped_column(String(150))
    numero: Mapped[str] = mapped_column(String(30))
    colonia: Mapped[str] = mapped_column(String(150))
    codigo_postal: Mapped[str] = mapped_column(String(5))
    municipio: Mapped[str] = mapped_column(String(150))
    entidad: Mapped[str] = mapped_column(String(2))
    telefono: Mapped[str] = mapped_column(String(10))
    correo_contacto: Mapped[str] = mapped_column(String(254))
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc, onupdate=ahora_utc)

    contratista: Mapped[Contratista] = relationship(back_populates="datos_generales")

    @property
    def entidad_nombre(self) -> str:
        from domain.catalogos import ENTIDADES_FEDERATIVAS
        return ENTIDADES_FEDERATIVAS.get(self.entidad, self.entidad)
