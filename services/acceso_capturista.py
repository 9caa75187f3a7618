"""Which contractors a capturista may work for, and password recovery."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain import curp as curp_dominio
from extensions import db
from models import Capturista, CorreoSaliente, RelacionCapturista
from models.types import ahora_utc
from services import correo as correo_srv
from services.enlaces import url_externa
from services.tokens import VIGENCIA, token_restablecer


def relaciones_activas(capturista: Capturista) -> list[RelacionCapturista]:
    return list(db.session.scalars(
        select(RelacionCapturista)
        .where(RelacionCapturista.capturista_id == capturista.id,
               RelacionCapturista.estatus == RelacionCapturista.ACTIVO)
        .order_by(RelacionCapturista.creado_en)))


def relacion_activa(capturista: Capturista, contratista_id: int | None) -> RelacionCapturista | None:
    if contratista_id is None:
        return None
    return db.session.scalar(select(RelacionCapturista).where(
        RelacionCapturista.capturista_id == capturista.id,
        RelacionCapturista.contratista_id == contratista_id,
        RelacionCapturista.estatus == RelacionCapturista.ACTIVO))


def solicitar_restablecimiento(curp_texto: str, correo: str) -> CorreoSaliente | None:
    """Queue a reset link when the CURP belongs to an activated capturista and the correo is that
    person's own verified address (never an address some contractor typed). Commits.
    Returns None otherwise; the caller answers the same either way, and nothing is sent inline, so
    neither the words nor the time reveal a match."""
    curp = curp_dominio.normalizar(curp_texto)
    correo = correo.strip().lower()
    capturista = db.session.scalar(select(Capturista).where(Capturista.curp == curp))
    if capturista is None or not capturista.activado or (capturista.correo or "").lower() != correo:
        return None
    if correo_srv.encolado_desde(ahora_utc() - timedelta(minutes=1), tipo="restablecer", capturista_id=capturista.id):
        return None  # one per minute is plenty; silently, like a non-match
    saliente = correo_srv.encolar(
        tipo="restablecer", destinatario=capturista.correo, asunto="Restablece tu contraseña de usuario capturista",
        plantilla="restablecer", capturista=capturista,
        liga=url_externa("capturista.restablecer", token=token_restablecer(capturista)),
        vence_en=ahora_utc() + VIGENCIA)
    db.session.commit()
    return saliente
