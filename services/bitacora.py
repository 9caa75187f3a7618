"""The bitácora as the contractor reads it: every action with labels and names, never raw values
("pendiente", "contratista:GODE561231GR8", "sin_informacion"). Two views of it: a capturista's relation
(Consulta → Bitácora) and an informativa (who captured, sent, returned or exported it)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from domain.errores import ErrorDeDominio
from domain.periodos import Periodo
from extensions import db
from models import Bitacora, Capturista, Contratista, Informativa, RelacionCapturista
from services.paginacion import Pagina, paginar

ACCIONES = {
    "alta": "Alta",
    "edicion": "Edición de datos de contacto",
    "reenvio": "Reenvío del correo de activación",
    "baja": "Baja",
    "activacion": "Activación (reversión de baja)",
    "activacion_cuenta": "Creación de usuario y contraseña",
    "aceptacion": "Aceptación por el capturista",
    "exportacion": "Exportación",
    # An informativa's (services.informativas and the carga masiva write them).
    "informativa_alta": "Creación de la informativa",
    "informativa_tipo": "Cambio de tipo de informativa",
    "contrato_alta": "Alta de contrato",
    "contrato_edicion": "Edición de contrato",
    "contrato_baja": "Baja de contrato",
    "trabajador_alta": "Alta de trabajador",
    "trabajador_edicion": "Edición de trabajador",
    "trabajador_baja": "Baja de trabajador",
    "carga_masiva": "Carga masiva de trabajadores",
    "envio_firma": "Envío a firma",
    "devolucion": "Devolución para corrección",
    "exportacion_informativa": "Exportación a Excel",
    "presentacion": "Firma y presentación con e.firma",
    "complementaria_alta": "Inicio de complementaria",
}
CAMPOS = {
    "telefono": "Teléfono", "correo": "Correo electrónico", "estatus": "Estatus",
    "estatus_anterior": "Estatus anterior", "estatus_nuevo": "Estatus nuevo", "origen": "Origen",
    "nueva_liga": "Nuevo correo de activación",
    # An informativa's details, and the fields a contract or worker edit lists in ``campos``.
    "periodo": "Periodo", "tipo": "Tipo", "tipo_anterior": "Tipo anterior", "tipo_nuevo": "Tipo nuevo",
    "contrato": "Contrato", "campos": "Datos modificados", "contratos": "Contratos", "trabajadores": "Trabajadores",
    "nss": "NSS", "curp": "CURP", "sbc": "Salario base de cotización", "comentario": "Comentario",
    "rfc_contratante": "RFC del contratante", "nombre_contratante": "Nombre o razón social del contratante",
    "correo_contratante": "Correo del contratante", "telefono_contratante": "Teléfono del contratante",
    "objeto": "Objeto del contrato", "servicio": "Servicio u obra especializada",
    "fecha_inicio": "Fecha de inicio", "fecha_fin": "Fecha de fin",
    "archivo": "Archivo", "nombre_archivo": "Archivo", "total": "Filas del archivo", "aceptadas": "Filas aceptadas",
    "rechazadas": "Filas rechazadas",
    "folio": "Folio", "en_tiempo": "Presentada en tiempo", "certificado": "Número de certificado",
    "clase": "Clase", "complementa": "Complementa a",
}
ORIGENES = {"liga vencida": "el capturista lo pidió desde su liga vencida",
            "carga_masiva": "carga masiva de capturistas"}
# Kept in rows but not for the contractor's eyes (the capturista's own usuario; an informativa's
# internal version number).
OCULTOS = {"usuario", "version"}
_TIPOS_INFORMATIVA = ("tipo", "tipo_anterior", "tipo_nuevo")


@dataclass(frozen=True)
class EntradaVisible:
    creado_en: datetime
    accion: str
    quien: str
    detalle: str


def _quien(actor: str, contratista: Contratista, capturista: Callable[[str], str | None]) -> str:
    """``capturista(clave)``: the name of the capturista the actor key names (usuario or CURP)."""
    tipo, _, clave = actor.partition(":")
    if tipo == "contratista":
        return (f"{contratista.nombre_visible} (contratista)" if clave == contratista.rfc
                else "Otro contratista")
    if tipo == "capturista":
        nombre = capturista(clave)
        return f"{nombre} (capturista)" if nombre else "Capturista"
    return "Sistema"


def _nombres_de_capturistas(contratista: Contratista, claves: set[str]) -> dict[str, str]:
    """Usuario or CURP → full name, only of people who are (or were) this contractor's capturistas."""
    if not claves:
        return {}
    personas = db.session.scalars(
        select(Capturista).join(RelacionCapturista, RelacionCapturista.capturista_id == Capturista.id)
        .where(RelacionCapturista.contratista_id == contratista.id,
               or_(Capturista.usuario.in_(claves), Capturista.curp.in_(claves))))
    return {clave: p.nombre_completo for p in personas for clave in (p.usuario, p.curp) if clave in claves}


def quienes(contratista: Contratista, actores: Iterable[str]) -> dict[str, str]:
    """Each actor key ("capturista:maria.lopez") → what the contractor reads ("GUADALUPE … (capturista)")."""
    actores = set(actores)
    claves = {a.partition(":")[2] for a in actores if a.startswith("capturista:")}
    nombres = _nombres_de_capturistas(contratista, claves)
    return {a: _quien(a, contratista, nombres.get) for a in actores}


def _valor(campo: str, valor) -> str:
    if campo in ("estatus", "estatus_anterior", "estatus_nuevo"):
        return RelacionCapturista.ETIQUETAS.get(valor, str(valor))
    if campo in _TIPOS_INFORMATIVA:
        return Informativa.TIPOS.get(valor, str(valor))
    if campo == "clase":
        return Informativa.CLASES.get(valor, str(valor))
    if campo == "periodo":
        try:
            return Periodo.de_clave(str(valor)).titulo
        except ErrorDeDominio:
            return str(valor)
    if campo == "campos" and isinstance(valor, list):
        return ", ".join(CAMPOS.get(c, c) for c in valor)
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, int):
        return f"{valor:,}"
    if campo == "origen":
        return ORIGENES.get(valor, str(valor))
    return str(valor)


def _detalle(detalle: dict) -> str:
    partes = []
    for campo, (antes, despues) in (detalle.get("cambios") or {}).items():
        partes.append(f"{CAMPOS.get(campo, campo)}: {_valor(campo, antes)} → {_valor(campo, despues)}")
    if "tipo_anterior" in detalle and "tipo_nuevo" in detalle:
        partes.append(f"Tipo: {_valor('tipo', detalle['tipo_anterior'])} → {_valor('tipo', detalle['tipo_nuevo'])}")
    for campo, valor in detalle.items():
        if campo in ("cambios", "tipo_anterior", "tipo_nuevo", *OCULTOS) or (campo == "nueva_liga" and not valor):
            continue
        partes.append(f"{CAMPOS.get(campo, campo)}: {_valor(campo, valor)}")
    return "; ".join(partes)


def _visible(entrada: Bitacora, quien: str) -> EntradaVisible:
    return EntradaVisible(entrada.creado_en, ACCIONES.get(entrada.accion, entrada.accion), quien,
                          _detalle(entrada.detalle or {}))


def entradas(contratista: Contratista, relacion: RelacionCapturista) -> list[EntradaVisible]:
    """The relation's bitácora, newest first, only what this contractor recorded about it."""
    filas = db.session.scalars(
        select(Bitacora).where(Bitacora.relacion_id == relacion.id, Bitacora.contratista_id == contratista.id)
        .order_by(Bitacora.creado_en.desc(), Bitacora.id.desc()))
    nombre = relacion.capturista.nombre_completo
    return [_visible(e, _quien(e.actor, contratista, lambda _clave: nombre)) for e in filas]


def entradas_de_informativa(contratista: Contratista, informativa: Informativa, *, despues: str | None = None,
                            antes: str | None = None, tamano: int = 50) -> Pagina:
    """An informativa's bitácora, newest first, in keyset pages (a capture of 150,000 workers by hand
    leaves as many rows): ``filas`` are EntradaVisible."""
    pagina = paginar(select(Bitacora).where(Bitacora.informativa_id == informativa.id,
                                            Bitacora.contratista_id == contratista.id),
                     Bitacora.id, Bitacora.id, despues=despues, antes=antes, tamano=tamano, tipo=int,
                     descendente=True)
    nombres = quienes(contratista, {e.actor for e in pagina.filas})
    pagina.filas = [_visible(e, nombres[e.actor]) for e in pagina.filas]
    return pagina
