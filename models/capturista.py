"""Capturistas: the person (one usuario), the relation with each contractor, the padrón."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.texto import clave_busqueda, clave_orden_nombre, nombre_completo
from extensions import db
from models.contratista import Contratista
from models.mixins import ConAvance, ConContrasena, ConSesion
from models.types import UTCDateTime, ahora_utc


class PersonaPadron(db.Model):
    """Local stand-in for RENAPO's padrón: loaded with ``flask padron cargar``."""

    __tablename__ = "padron_persona"

    curp: Mapped[str] = mapped_column(String(18), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(100))
    primer_apellido: Mapped[str] = mapped_column(String(100))
    segundo_apellido: Mapped[str] = mapped_column(String(100), default="")
    fecha_nacimiento: Mapped[date]
    sexo: Mapped[str] = mapped_column(String(1))
    entidad: Mapped[str] = mapped_column(String(2))


class Capturista(UserMixin, ConContrasena, ConSesion, db.Model):
    """A person. One per CURP; the usuario exists once they activate through any contractor's link."""

    __tablename__ = "capturista"

    id: Mapped[int] = mapped_column(primary_key=True)
    curp: Mapped[str] = mapped_column(String(18), unique=True)
    nombre: Mapped[str] = mapped_column(String(100))
    primer_apellido: Mapped[str] = mapped_column(String(100))
    segundo_apellido: Mapped[str] = mapped_column(String(100), default="")
    usuario: Mapped[Optional[str]] = mapped_column(String(30), unique=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    # The person's own verified address: the one whose link created the usuario. Password recovery
    # and invitations only ever write here, never to an address a contractor typed.
    correo: Mapped[Optional[str]] = mapped_column(String(254))
    activado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)

    relaciones: Mapped[list["RelacionCapturista"]] = relationship(back_populates="capturista")

    def get_id(self) -> str:
        return f"capturista:{self.id}:{self.sesion_version or 0}"

    @property
    def activado(self) -> bool:
        return self.usuario is not None

    @property
    def nombre_completo(self) -> str:
        return nombre_completo(self.nombre, self.primer_apellido, self.segundo_apellido)

    @property
    def nombre_visible(self) -> str:
        return self.nombre_completo


INDICE_TRIGRAMAS = "ix_relacion_capturista_busqueda_trgm"


class RelacionCapturista(db.Model):
    """A person as capturista of one contractor. Its estatus drives what the contractor can do.

    ``curp``, ``nombre_orden`` and ``busqueda`` copy (normalised) what the Consulta grid sorts and
    searches on, so every grid query runs on one table over indexes that start with the contractor.
    """

    __tablename__ = "relacion_capturista"
    __table_args__ = (
        UniqueConstraint("contratista_id", "capturista_id", name="uq_relacion_capturista_contratista_capturista"),
        Index("ix_relacion_capturista_contratista_creado", "contratista_id", "creado_en", "id"),
        Index("ix_relacion_capturista_contratista_curp", "contratista_id", "curp", "id"),
        Index("ix_relacion_capturista_contratista_nombre", "contratista_id", "nombre_orden", "id"),
        Index("ix_relacion_capturista_contratista_correo", "contratista_id", "correo", "id"),
        Index("ix_relacion_capturista_contratista_estatus", "contratista_id", "estatus", "creado_en", "id"),
        # Substring search on PostgreSQL (pg_trgm); SQLite scans the contractor's rows instead.
        Index(INDICE_TRIGRAMAS, "busqueda", postgresql_using="gin",
              postgresql_ops={"busqueda": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    PENDIENTE = "pendiente"
    ACTIVO = "activo"
    BAJA = "baja"
    ETIQUETAS = {PENDIENTE: "Pendiente de activación", ACTIVO: "Activo", BAJA: "Baja"}

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    capturista_id: Mapped[int] = mapped_column(ForeignKey("capturista.id", ondelete="CASCADE"), index=True)
    curp: Mapped[str] = mapped_column(String(18))
    nombre_orden: Mapped[str] = mapped_column(String(310))
    busqueda: Mapped[str] = mapped_column(String(600))
    telefono: Mapped[str] = mapped_column(String(10))
    correo: Mapped[str] = mapped_column(String(254))
    estatus: Mapped[str] = mapped_column(String(12), default=PENDIENTE)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    activado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    baja_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Every link carries this number; issuing a new link or activating bumps it, so older links die.
    token_version: Mapped[int] = mapped_column(default=0)
    liga_vence_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The contractor typed the verified address of a person who already has a usuario: no link, an
    # invitation there that the person, logged in, accepts (services.capturistas.emitir_liga).
    por_invitacion: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # One per rendered Alta form: a double-clicked Guardar finds the first one instead of failing.
    clave_alta: Mapped[Optional[str]] = mapped_column(String(36), unique=True)

    contratista: Mapped[Contratista] = relationship()
    capturista: Mapped[Capturista] = relationship(back_populates="relaciones")

    @property
    def estatus_etiqueta(self) -> str:
        return self.ETIQUETAS[self.estatus]

    def copiar_datos_de(self, capturista: "Capturista") -> None:
        """Refresh the search/sort copies (after an alta or a change of correo)."""
        self.curp = capturista.curp
        self.nombre_orden = clave_orden_nombre(capturista.nombre, capturista.primer_apellido,
                                               capturista.segundo_apellido)
        self.busqueda = clave_busqueda(capturista.curp, capturista.nombre, capturista.primer_apellido,
                                       capturista.segundo_apellido, self.correo)


class CorreoSaliente(db.Model):
    """Outbox: every message is committed here first, then delivered; SMTP failures leave it pending."""

    __tablename__ = "correo_saliente"
    __table_args__ = (Index("ix_correo_saliente_estado_id", "estado", "id"),
                      Index("ix_correo_saliente_contratista_creado", "contratista_id", "creado_en"))

    PENDIENTE = "pendiente"
    ENVIANDO = "enviando"
    ENVIADO = "enviado"
    FALLIDO = "fallido"  # gave up after CORREO_MAX_INTENTOS
    # What brings a capturista in: an activation link, or (a person with usuario) an invitation.
    TIPOS_LIGA = ("activacion", "invitacion")

    id: Mapped[int] = mapped_column(primary_key=True)
    tipo: Mapped[str] = mapped_column(String(30))
    relacion_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("relacion_capturista.id", ondelete="SET NULL"), index=True)
    capturista_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("capturista.id", ondelete="SET NULL"), index=True)
    # Whose action caused the message: the daily cap of outgoing mail per contractor counts these.
    contratista_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    # Queued by a carga masiva's Guardar: bounded by that allowance, not by CORREOS_POR_DIA_CONTRATISTA.
    masivo: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    destinatario: Mapped[str] = mapped_column(String(254))
    asunto: Mapped[str] = mapped_column(String(200))
    cuerpo_texto: Mapped[str] = mapped_column(db.Text)
    cuerpo_html: Mapped[str] = mapped_column(db.Text)
    estado: Mapped[str] = mapped_column(String(10), default=PENDIENTE)
    intentos: Mapped[int] = mapped_column(default=0)
    ultimo_error: Mapped[Optional[str]] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    reclamado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    enviado_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    relacion: Mapped[Optional[RelacionCapturista]] = relationship()


class Bitacora(db.Model):
    """Who did what to a capturista, or to an informativa, and when."""

    __tablename__ = "bitacora"
    __table_args__ = (Index("ix_bitacora_relacion_creado", "relacion_id", "creado_en"),
                      Index("ix_bitacora_informativa_creado", "informativa_id", "creado_en"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"), index=True)
    relacion_id: Mapped[Optional[int]] = mapped_column(ForeignKey("relacion_capturista.id", ondelete="CASCADE"))
    informativa_id: Mapped[Optional[int]] = mapped_column(ForeignKey("informativa.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(120))
    accion: Mapped[str] = mapped_column(String(30))
    detalle: Mapped[dict] = mapped_column(db.JSON, default=dict)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)


class ValidacionCurp(db.Model):
    """Each CURP lookup a contractor makes in the padrón: the record that rate-limits enumeration.
    ``tipo`` says whose allowance it counts against (services.capturistas.Cupo): Alta de usuarios'
    capturistas or the workers of its informativas; neither spends the other's."""

    __tablename__ = "validacion_curp"
    __table_args__ = (Index("ix_validacion_curp_cupo", "contratista_id", "tipo", "creado_en"),
                      Index("ix_validacion_curp_curp", "contratista_id", "tipo", "curp", "creado_en"))

    CAPTURISTA = "capturista"
    TRABAJADOR = "trabajador"
    ALTA_MASIVA = "alta_masiva"  # a carga masiva de capturistas (its own daily allowance)

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    tipo: Mapped[str] = mapped_column(String(12), default=CAPTURISTA, server_default=CAPTURISTA)
    curp: Mapped[str] = mapped_column(String(18))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)


class CargaCapturistas(ConAvance, db.Model):
    """A carga masiva de capturistas: an uploaded file checked row by row (the preview), then saved.

    ``revisando`` (the worker checks a large file; ``procesadas`` of ``total`` rows) → ``revisada`` (the
    preview: ``validas`` and ``rechazadas``; nothing created yet) → ``guardando`` (Guardar claimed it:
    ``creadas`` of ``validas``) → ``guardada``. A file the worker could not check ends as ``error``. A
    Guardar that failed half way is ``revisada`` again with its ``error``: the rows already created are
    marked, and Guardar goes on with the rest."""

    __tablename__ = "carga_capturistas"
    __table_args__ = (Index("ix_carga_capturistas_contratista_creado", "contratista_id", "creado_en"),)

    REVISANDO = "revisando"
    REVISADA = "revisada"
    GUARDANDO = "guardando"
    GUARDADA = "guardada"
    ERROR = "error"
    EN_CURSO = (REVISANDO, GUARDANDO)

    id: Mapped[int] = mapped_column(primary_key=True)
    contratista_id: Mapped[int] = mapped_column(ForeignKey("contratista.id", ondelete="CASCADE"))
    solicitante: Mapped[str] = mapped_column(String(120))
    nombre_archivo: Mapped[str] = mapped_column(String(255))
    estado: Mapped[str] = mapped_column(String(12), default=REVISANDO)
    validas: Mapped[int] = mapped_column(default=0)
    rechazadas: Mapped[int] = mapped_column(default=0)
    creadas: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=ahora_utc)
    revisada_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    guardada_en: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def en_curso(self) -> bool:
        return self.estado in self.EN_CURSO

    @property
    def porcentaje_guardado(self) -> int:
        return 100 if self.validas == 0 else min(100, int(self.creadas * 100 / self.validas))


class FilaCargaCapturistas(db.Model):
    """One row of a carga masiva de capturistas: its cells as uploaded (for the page and the rejected rows'
    file), what Alta's rules made of them, the padrón's name, and the reason when it is rejected
    (``motivo``). ``relacion_id`` is the capturista Guardar created from it: a row is created once."""

    __tablename__ = "fila_carga_capturistas"
    __table_args__ = (Index("ix_fila_carga_capturistas_carga_numero", "carga_id", "numero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carga_id: Mapped[int] = mapped_column(ForeignKey("carga_capturistas.id", ondelete="CASCADE"))
    numero: Mapped[int]
    curp: Mapped[str] = mapped_column(String(200))
    telefono: Mapped[str] = mapped_column(String(200))
    correo: Mapped[str] = mapped_column(String(200))
    curp_valida: Mapped[Optional[str]] = mapped_column(String(18))
    telefono_valido: Mapped[Optional[str]] = mapped_column(String(10))
    correo_valido: Mapped[Optional[str]] = mapped_column(String(254))
    nombre: Mapped[Optional[str]] = mapped_column(String(100))
    primer_apellido: Mapped[Optional[str]] = mapped_column(String(100))
    segundo_apellido: Mapped[Optional[str]] = mapped_column(String(100))
    motivo: Mapped[Optional[str]] = mapped_column(db.Text)
    relacion_id: Mapped[Optional[int]] = mapped_column(ForeignKey("relacion_capturista.id", ondelete="SET NULL"))

    @property
    def nombre_completo(self) -> str:
        return nombre_completo(self.nombre or "", self.primer_apellido or "", self.segundo_apellido or "")
