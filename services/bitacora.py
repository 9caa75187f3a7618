"""The bitácora of a capturista as the contractor reads it: every action with labels and names,
never raw values ("pendiente", "contratista:GODE561231GR8")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from extensions import db
from models import Bitacora, Contratista, RelacionCapturista

ACCIONES = {
    "alta": "Alta",
    "edicion": "Edición de datos de contacto",
    "reenvio": "Reenvío del correo de activación",
    "baja": "Baja",
    "activacion": "Activación (reversión de baja)",
    "activacion_cuenta": "Creación de usuario y contraseña",
    "aceptacion": "Aceptación por el capturista",
    "exportacion": "Exportación",
}
CAMPOS = {
    "telefono": "Teléfono", "correo": "Correo electrónico", "estatus": "Estatus",
    "estatus_anterior": "Estatus anterior", "estatus_nuevo": "Estatus nuevo", "origen": "Origen",
    "nueva_liga": "Nuevo correo de activación",
}
ORIGENES = {"liga vencida": "el capturista lo pidió desde su liga vencida"}
# Kept in old rows but not for the contractor's eyes (the capturista's own usuario).
OCULTOS = {"usuario"}


@dataclass(frozen=True)
class EntradaVisible:
    creado_en: datetime
    accion: str
    quien: str
    detalle: str


def _quien(actor: str, contratista: Contratista, relacion: RelacionCapturista) -> str:
    tipo, _, clave = actor.partition(":")
    if tipo == "contratista":
        return (f"{contratista.nombre_visible} (contratista)" if clave == contratista.rfc
                else "Otro contratista")
    if tipo == "capturista":
        return f"{relacion.capturista.nombre_completo} (capturista)"
    return "Sistema"


def _valor(campo: str, valor) -> str:
    if campo in ("estatus", "estatus_anterior", "estatus_nuevo"):
        return RelacionCapturista.ETIQUETAS.get(valor, str(valor))
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if campo == "origen":
        return ORIGENES.get(valor, str(valor))
    return str(valor)


def _detalle(detalle: dict) -> str:
    partes = []
    for campo, (antes, despues) in (detalle.get("cambios") or {}).items():
        partes.append(f"{CAMPOS.get(campo, campo)}: {_valor(campo, antes)} → {_valor(campo, despues)}")
    for campo, valor in detalle.items():
        if campo in ("cambios", *OCULTOS) or (campo == "nueva_liga" and not valor):
            continue
        partes.append(f"{CAMPOS.get(campo, campo)}: {_valor(campo, valor)}")
    return "; ".join(partes)


def entradas(contratista: Contratista, relacion: RelacionCapturista) -> list[EntradaVisible]:
    """The relation's bitácora, newest first, only what this contractor recorded about it."""
    filas = db.session.scalars(
        select(Bitacora).where(Bitacora.relacion_id == relacion.id, Bitacora.contratista_id == contratista.id)
        .order_by(Bitacora.creado_en.desc(), Bitacora.id.desc()))
    return [EntradaVisible(e.creado_en, ACCIONES.get(e.accion, e.accion), _quien(e.actor, contratista, relacion),
                           _detalle(e.detalle or {})) for e in filas]
