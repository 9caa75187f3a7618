"""The informativa cuatrimestral (art. 15 A LSS): one per contractor and period, its contracts, the
workers in each contract, the contractor's remembered contratantes and the carga masiva jobs.

An informativa holds its own copy of every contratante's data (a filed informativa never changes when
the contractor's directory does). Contracts and workers carry a ``version`` (SQLAlchemy's
version_id_col): a form posts the version it was read at, and a save over a newer one is a 409, never a
silent overwrite of another capturista's work.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain import consistencia
from domain.texto import clave_busqueda, clave_orden_nombre, nombre_completo
from extensions import db
from models.contratista import Contratista
from models.mixins import ConAvance
from models.types import UTCDateTime, ahora_utc


class Informativa(db.Model):
    __tablename__ = "informativa"
    __table_args__ = (
        # numero 0 is the informativa of the period; complementarias (issue 15) number from 1.
        UniqueConstraint("contratista_id", "anio", "periodo", "numero",
                         name="uq_informativa_contratista_periodo_numero"),
        CheckConstraint("periodo BETWEEN 1 AND 3", name="periodo_valido"),
        # The original and at most 4 complementarias per period (issue 15).
        CheckConstraint("numero BETWEEN 0 AND 4", name="numero_valido"),
    )

    BORRADOR = "borrador"
    ENVIADA = "enviada"
    DEVUELTA = "devuelta"
    PRESENTADA = "presentada"
    ETIQUETAS = {BORRADOR: "Borrador", ENVIADA: "Enviada a firma", DEVUELTA: "Devuelta para corrección",
                 PRESENTADA: "Presentada"}
    EDITABLES = (BORRADOR, DEVUELTA)

    NORMAL = consistencia.NORMAL
    SIN_INFORMACION = consistencia.SIN_INFORMACION
    TIPOS = {NORMAL: "Normal", SIN_INFORMACION: "Sin información"}

    # The period's first informativa, or a complementaria of a presented one: a Corrección (a new
    # draft copied from it, that replaces it once signed) or a Sin efectos (cancels it, signed at once).
    ORIGINAL = "original"
    CORRECCION = "correccion"
    SIN_EFECTOS = "sin_efectos"
    CLASES = {ORIGINAL: "Original", CORRECCION: "Complementaria de corrección",
              SIN_EFECTOS: "Complementaria sin efectos"}
    COMPLEMENTARIAS_POR_PERIODO = 4

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    anio: Mapped[int]
    periodo: Mapped[int]
    numero: Mapped[int] = mapped_column(default=0, server_default="0")
    tipo: Mapped[str] = mapped_column(String(20), default=NORMAL)
    estado: Mapped[str] = mapped_column(String(12), default=BORRADOR)
    # Bumped by every change to the informativa or anything in it: a checklist read at version N
    # cannot be sent once N+1 exists.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Contracts ever added: the next one is "Contrato N + 1" (a deleted number is never reused).
    contratos_creados: Mapped[int] = mapped_column(default=0, server_default="0")
    comentario_devolucion: Mapped[Optional[str]] = mapped_column(db.Text)
    creado_por: Mapped[str] = mapped_column(String(120))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc, onupdate=ahora_utc)
    enviada_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    devuelta_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    clase: Mapped[str] = mapped_column(String(12), default=ORIGINAL, server_default=ORIGINAL)
    # The presented informativa a complementaria corrects or cancels.
    complementa_id: Mapped[Optional[int]] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"))
    presentada_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    contratista: Mapped[Contratista] = relationship()
    complementa: Mapped[Optional["Informativa"]] = relationship(remote_side=[id])
    acuse: Mapped[Optional["Acuse"]] = relationship(back_populates="informativa", uselist=False, viewonly=True)

    @property
    def estado_etiqueta(self) -> str:
        return self.ETIQUETAS[self.estado]

    @property
    def tipo_etiqueta(self) -> str:
        return self.TIPOS[self.tipo]

    @property
    def editable(self) -> bool:
        return self.estado in self.EDITABLES

    @property
    def clase_etiqueta(self) -> str:
        return self.CLASES[self.clase]

    @property
    def es_complementaria(self) -> bool:
        return self.clase != self.ORIGINAL

    @property
    def presentada(self) -> bool:
        return self.estado == self.PRESENTADA


class Contratante(db.Model):
    """A beneficiary the contractor has worked for: remembered so the next contract with the same RFC
    starts filled in."""

    __tablename__ = "contratante"
    __table_args__ = (UniqueConstraint("contratista_id", "rfc", name="uq_contratante_contratista_rfc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    rfc: Mapped[str] = mapped_column(String(13))
    nombre: Mapped[str] = mapped_column(String(250))
    correo: Mapped[str] = mapped_column(String(254))
    telefono: Mapped[str] = mapped_column(String(10))
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc, onupdate=ahora_utc)


class Contrato(db.Model):
    __tablename__ = "contrato"
    __table_args__ = (
        UniqueConstraint("informativa_id", "numero", name="uq_contrato_informativa_numero"),
        Index("ix_contrato_informativa_id", "informativa_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    informativa_id: Mapped[int] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"))
    # "Contrato 3" inside its informativa: numbers are never reused, so a message about contract 3
    # always means the same one.
    numero: Mapped[int]
    rfc_contratante: Mapped[str] = mapped_column(String(13))
    nombre_contratante: Mapped[str] = mapped_column(String(250))
    correo_contratante: Mapped[str] = mapped_column(String(254))
    telefono_contratante: Mapped[str] = mapped_column(String(10))
    objeto: Mapped[str] = mapped_column(db.Text)
    servicio: Mapped[str] = mapped_column(db.Text)
    fecha_inicio: Mapped[date]
    fecha_fin: Mapped[Optional[date]]
    busqueda: Mapped[str] = mapped_column(String(600))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc, onupdate=ahora_utc)

    informativa: Mapped[Informativa] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def etiqueta(self) -> str:
        return f"Contrato {self.numero} ({self.rfc_contratante})"

    def copiar_busqueda(self) -> None:
        self.busqueda = clave_busqueda(self.rfc_contratante, self.nombre_contratante, self.objeto)[:600]


class Trabajador(db.Model):
    """A worker put at the beneficiary's disposal under one contract (once per contract, by NSS and
    by CURP; the same person may be in several contracts)."""

    __tablename__ = "trabajador"
    __table_args__ = (
        UniqueConstraint("contrato_id", "nss", name="uq_trabajador_contrato_nss"),
        UniqueConstraint("contrato_id", "curp", name="uq_trabajador_contrato_curp"),
        Index("ix_trabajador_contrato_nombre", "contrato_id", "nombre_orden", "id"),
        Index("ix_trabajador_informativa_nombre", "informativa_id", "nombre_orden", "id"),
        # Substring search on PostgreSQL (pg_trgm, as relacion_capturista); SQLite scans the rows.
        Index("ix_trabajador_busqueda_trgm", "busqueda", postgresql_using="gin",
              postgresql_ops={"busqueda": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contrato_id: Mapped[int] = mapped_column(ForeignKey("contrato.id", ondelete="CASCADE"))
    # Its informativa's id as well: the informativa-wide grid (150,000 workers) pages on its own index.
    informativa_id: Mapped[int] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"))
    nss: Mapped[str] = mapped_column(String(11))
    curp: Mapped[str] = mapped_column(String(18))
    nombre: Mapped[str] = mapped_column(String(100))
    primer_apellido: Mapped[str] = mapped_column(String(100))
    segundo_apellido: Mapped[str] = mapped_column(String(100), default="")
    sbc: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    nombre_orden: Mapped[str] = mapped_column(String(310))
    busqueda: Mapped[str] = mapped_column(String(600))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)

    contrato: Mapped[Contrato] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def nombre_completo(self) -> str:
        return nombre_completo(self.nombre, self.primer_apellido, self.segundo_apellido)

    @staticmethod
    def claves(nss: str, curp: str, nombre: str, primer_apellido: str, segundo_apellido: str) -> dict[str, str]:
        """``nombre_orden`` and ``busqueda`` of a worker: also for rows inserted in bulk (carga masiva)."""
        return {"nombre_orden": clave_orden_nombre(nombre, primer_apellido, segundo_apellido),
                "busqueda": clave_busqueda(nss, curp, nombre, primer_apellido, segundo_apellido)[:600]}

    def copiar_busqueda(self) -> None:
        for campo, valor in self.claves(self.nss, self.curp, self.nombre, self.primer_apellido,
                                        self.segundo_apellido).items():
            setattr(self, campo, valor)


class CargaTrabajadores(ConAvance, db.Model):
    """A carga masiva of workers into one contract: its progress and the file of rejected rows."""

    __tablename__ = "carga_trabajadores"
    __table_args__ = (Index("ix_carga_trabajadores_contrato_creado", "contrato_id", "creado_en"),)

    EN_PROCESO = "en_proceso"
    TERMINADA = "terminada"
    ERROR = "error"

    id: Mapped[int] = mapped_column(primary_key=True)
    contrato_id: Mapped[int] = mapped_column(ForeignKey("contrato.id", ondelete="CASCADE"))
    informativa_id: Mapped[int] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"))
    solicitante: Mapped[str] = mapped_column(String(120))
    nombre_archivo: Mapped[str] = mapped_column(String(255))
    estado: Mapped[str] = mapped_column(String(12), default=EN_PROCESO)
    aceptadas: Mapped[int] = mapped_column(default=0)
    rechazadas: Mapped[int] = mapped_column(default=0)
    ruta_rechazos: Mapped[Optional[str]] = mapped_column(String(500))
    error: Mapped[Optional[str]] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    terminado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def terminada(self) -> bool:
        return self.estado in (self.TERMINADA, self.ERROR)


class Acuse(db.Model):
    """The acuse de presentación: what was filed, when, and the contractor's e.firma over it.

    ``digest`` is the SHA-256 of the informativa's cadena original (domain/cadena_original.py) built
    from the stored rows and from this acuse's own folio, fecha and razón social; ``sello`` is the
    RSA-SHA256 signature of that digest with the e.firma whose certificate (public, DER) is kept here,
    so ``flask informativa verificar-acuse FOLIO`` can check it years later. Never updated (the
    database refuses it); the private key and its password were never stored anywhere.
    """

    __tablename__ = "acuse"

    id: Mapped[int] = mapped_column(primary_key=True)
    informativa_id: Mapped[int] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"), unique=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"), index=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    fecha: Mapped[datetime] = mapped_column(UTCDateTime)
    vencimiento: Mapped[date]
    en_tiempo: Mapped[bool]
    razon_social: Mapped[str] = mapped_column(String(250))
    contratos: Mapped[int]
    trabajadores: Mapped[int]
    cadena_version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    sello: Mapped[str] = mapped_column(db.Text)
    certificado: Mapped[bytes] = mapped_column(db.LargeBinary)
    numero_certificado: Mapped[str] = mapped_column(String(20))
    rfc: Mapped[str] = mapped_column(String(13))
    rfc_representante: Mapped[Optional[str]] = mapped_column(String(13))
    curp: Mapped[Optional[str]] = mapped_column(String(18))
    firmante: Mapped[str] = mapped_column(String(250))
    emisor: Mapped[str] = mapped_column(String(250))

    informativa: Mapped[Informativa] = relationship(back_populates="acuse")


class FolioAnual(db.Model):
    """The last folio number given in a year: folios are one gapless sequence per year for the whole
    system (a failed signature rolls its number back with everything else)."""

    __tablename__ = "folio_anual"

    anio: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ultimo: Mapped[int]
