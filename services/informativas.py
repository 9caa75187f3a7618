"""The informativa cuatrimestral: who may see it, creating one, its contracts and workers, the
consistency checklist, Enviar a firma and Devolver para corrección.

Every change to an informativa or anything in it happens with the informativa's row locked and raises
its ``version``: two capturistas never interleave changes to one informativa, and the checklist a
capturista read (at version N) cannot be sent once something changed it (N + 1). A contract or a
worker edited from a form carries the version it was read at; a save over a newer one is
``Conflicto`` (409), never a silent overwrite. Commits are the callers' (the views), except where a
function says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from domain import curp as curp_dominio
from domain import nss as nss_dominio
from domain import rfc as rfc_dominio
from domain.consistencia import ContratoParaRevisar, Revision, revisar
from domain.errores import ErrorDeDominio
from domain.periodos import Periodo, periodo_en_curso
from extensions import db
from models import Bitacora, Contratante, Contratista, Contrato, CorreoSaliente, Informativa, Trabajador, ValidacionCurp
from models.types import ahora_utc
from services import bitacora as bitacora_srv
from services import correo as correo_srv
from services.capturistas import Cupo, buscar_persona
from services.padron import PersonaEncontrada
from services.paginacion import TOPE_CONTEO, Pagina, buscar, contar_hasta, paginar

# Art. 15 A's informativa exists since the reform of 2021: its first period is September–December 2021.
PRIMER_PERIODO = Periodo(2021, 3)


class ErrorInformativa(ErrorDeDominio):
    def __init__(self, mensaje: str, campo: str | None = None, status: int = 422):
        super().__init__(mensaje)
        self.campo = campo
        self.status = status


class Conflicto(ErrorInformativa):
    """Someone else changed it first (409): the user reloads and sees their work."""

    def __init__(self, mensaje: str):
        super().__init__(mensaje, status=409)


class NoEditable(ErrorInformativa):
    def __init__(self, informativa: Informativa):
        super().__init__(f"La informativa está «{informativa.estado_etiqueta}»: ya no se puede modificar.",
                         status=409)


# --- who sees what --------------------------------------------------------------------------------------


def de_contratista(contratista_id: int, informativa_id: int, *, bloquear: bool = False) -> Informativa | None:
    """The contractor's informativa, or None (another contractor's, or none): the caller answers 404."""
    consulta = select(Informativa).where(Informativa.id == informativa_id,
                                         Informativa.contratista_id == contratista_id)
    if bloquear:
        consulta = consulta.with_for_update()
    return db.session.scalar(consulta)


def bloquear_de_nuevo(informativa: Informativa) -> None:
    """Lock (and re-read) an informativa whose lock a commit let go."""
    db.session.refresh(informativa, with_for_update=True)


def contrato_de(informativa: Informativa, contrato_id: int) -> Contrato | None:
    return db.session.scalar(select(Contrato).where(Contrato.id == contrato_id,
                                                    Contrato.informativa_id == informativa.id))


def trabajador_de(contrato: Contrato, trabajador_id: int) -> Trabajador | None:
    return db.session.scalar(select(Trabajador).where(Trabajador.id == trabajador_id,
                                                      Trabajador.contrato_id == contrato.id))


@dataclass(frozen=True)
class Resumen:
    informativa: Informativa
    contratos: int
    trabajadores: int

    @property
    def periodo(self) -> Periodo:
        return periodo_de(self.informativa)


def periodo_de(informativa: Informativa) -> Periodo:
    return Periodo(informativa.anio, informativa.periodo)


def _resumir(informativas: list[Informativa]) -> list[Resumen]:
    """Their counts in two grouped queries, nothing per informativa."""
    ids = [i.id for i in informativas]
    contratos = dict(db.session.execute(
        select(Contrato.informativa_id, func.count()).where(Contrato.informativa_id.in_(ids))
        .group_by(Contrato.informativa_id)).all()) if ids else {}
    trabajadores = dict(db.session.execute(
        select(Trabajador.informativa_id, func.count()).where(Trabajador.informativa_id.in_(ids))
        .group_by(Trabajador.informativa_id)).all()) if ids else {}
    return [Resumen(i, contratos.get(i.id, 0), trabajadores.get(i.id, 0)) for i in informativas]


def resumenes(contratista_id: int) -> list[Resumen]:
    """The contractor's informativas, the most recent period first (inside a period, the original and then
    its complementarias: the chain as it happened), with their counts and acuses."""
    return _resumir(list(db.session.scalars(
        select(Informativa).where(Informativa.contratista_id == contratista_id)
        .options(selectinload(Informativa.acuse))
        .order_by(Informativa.anio.desc(), Informativa.periodo.desc(), Informativa.numero))))


def resumen(informativa: Informativa, conteos: dict[int, int] | None = None) -> Resumen:
    """Its counts; from trabajadores_por_contrato's ``conteos`` when the caller has them."""
    if conteos is None:
        return _resumir([informativa])[0]
    return Resumen(informativa, len(conteos), sum(conteos.values()))


@dataclass(frozen=True)
class Envio:
    """Who sent an informativa to signature (a name, never an actor key) and when."""

    quien: str
    cuando: datetime


def envios(contratista: Contratista, informativas: list[Informativa]) -> dict[int, Envio]:
    """The last Enviar a firma of each informativa that has one, from the bitácora (one query, and one
    more for the names)."""
    ids = [i.id for i in informativas]
    filas = db.session.execute(
        select(Bitacora.informativa_id, Bitacora.actor, Bitacora.creado_en)
        .where(Bitacora.informativa_id.in_(ids), Bitacora.accion == "envio_firma")
        .order_by(Bitacora.id)).all() if ids else []
    ultimos = {f.informativa_id: f for f in filas}  # the last one of each wins
    nombres = bitacora_srv.quienes(contratista, {f.actor for f in ultimos.values()})
    return {i: Envio(nombres[f.actor], f.creado_en) for i, f in ultimos.items()}


def envio_de(informativa: Informativa) -> Envio | None:
    return envios(informativa.contratista, [informativa]).get(informativa.id)


def periodos_sin_informativa(contratista_id: int, ahora: datetime) -> list[Periodo]:
    """Periods a Nueva informativa may be for: from the first one (2021) to the one in course (a
    capturista may start it early), newest first, without those that already have one."""
    tienen = set(db.session.execute(
        select(Informativa.anio, Informativa.periodo).where(Informativa.contratista_id == contratista_id)).all())
    periodos, periodo = [], periodo_en_curso(ahora)
    while periodo >= PRIMER_PERIODO:
        if (periodo.anio, periodo.numero) not in tienen:
            periodos.append(periodo)
        periodo = periodo.anterior
    return periodos


# --- bitácora and version ----------------------------------------------------------------------------------


def registrar(informativa: Informativa, actor: str, accion: str, **detalle) -> None:
    db.session.add(Bitacora(contratista_id=informativa.contratista_id, informativa_id=informativa.id,
                            actor=actor, accion=accion, detalle=detalle))


def exigir_editable(informativa: Informativa) -> None:
    """Borrador or Devuelta; once sent (or filed) nothing in it changes."""
    if not informativa.editable:
        raise NoEditable(informativa)


def exigir_admite_contratos(informativa: Informativa) -> None:
    """A new contract: the informativa is editable and Normal (a Sin información has none)."""
    exigir_editable(informativa)
    if informativa.tipo == Informativa.SIN_INFORMACION:
        raise ErrorInformativa("Una informativa «Sin información» no lleva contratos: cambia su tipo a Normal "
                               "para agregar uno.", status=409)


def _cambio(informativa: Informativa, actor: str, accion: str, **detalle) -> None:
    """Every change: only while editable, raises the version, leaves its trace."""
    exigir_editable(informativa)
    informativa.version += 1
    registrar(informativa, actor, accion, **detalle)


def exigir_version(objeto, version: int | None, que: str) -> None:
    if version is None or objeto.version != version:
        raise Conflicto(f"Otra persona modificó {que} mientras lo editabas. Vuelve a cargar la página para ver "
                        "los datos actuales; tus cambios no se guardaron.")


# --- creating an informativa ------------------------------------------------------------------------------


def crear(contratista_id: int, periodo: Periodo, tipo: str, actor: str, ahora: datetime) -> Informativa:
    """A new informativa of the period (Normal or Sin información). Commits."""
    if tipo not in Informativa.TIPOS:
        raise ErrorInformativa("Elige el tipo de informativa.", "tipo")
    if not PRIMER_PERIODO <= periodo <= periodo_en_curso(ahora):
        raise ErrorInformativa("Ese periodo no se puede capturar: elige uno de la lista.", "periodo")
    informativa = Informativa(contratista_id=contratista_id, anio=periodo.anio, periodo=periodo.numero,
                              tipo=tipo, creado_por=actor)
    db.session.add(informativa)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ErrorInformativa(f"Ya existe una informativa del {periodo.nombre}.", "periodo", status=409) from None
    registrar(informativa, actor, "informativa_alta", periodo=periodo.clave, tipo=tipo)
    db.session.commit()
    return informativa


def cambiar_tipo(informativa: Informativa, tipo: str, version: int | None, actor: str) -> None:
    """Normal ↔ Sin información (a Sin información must have no contracts: the checklist says so)."""
    exigir_version(informativa, version, "la informativa")
    if tipo not in Informativa.TIPOS:
        raise ErrorInformativa("Elige el tipo de informativa.", "tipo")
    if tipo == informativa.tipo:
        return
    _cambio(informativa, actor, "informativa_tipo", tipo_anterior=informativa.tipo, tipo_nuevo=tipo)
    informativa.tipo = tipo


# --- contracts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatosContrato:
    rfc_contratante: str
    nombre_contratante: str
    correo_contratante: str
    telefono_contratante: str
    objeto: str
    servicio: str
    fecha_inicio: date
    fecha_fin: date | None


def validar_contrato(datos: DatosContrato, informativa: Informativa, contratista: Contratista) -> list[tuple]:
    """The rules a single contract can break on its own, as (campo, mensaje): checked on save, so
    the checklist rarely has anything left to say."""
    errores = []
    periodo = periodo_de(informativa)
    if datos.rfc_contratante == contratista.rfc:
        errores.append(("rfc_contratante", "El RFC del contratante no puede ser el del contratista."))
    if not periodo.contiene(datos.fecha_inicio):
        errores.append(("fecha_inicio", f"La fecha de inicio debe estar dentro del {periodo.nombre} "
                                        f"({periodo.inicio:%d/%m/%Y} a {periodo.fin:%d/%m/%Y})."))
    if datos.fecha_fin is not None and datos.fecha_fin < datos.fecha_inicio:
        errores.append(("fecha_fin", "La fecha de fin no puede ser anterior a la fecha de inicio."))
    return errores


def contratante_recordado(contratista_id: int, rfc_texto: str) -> Contratante | None:
    try:
        rfc = rfc_dominio.validar(rfc_texto).rfc
    except ErrorDeDominio:
        return None
    return db.session.scalar(select(Contratante).where(Contratante.contratista_id == contratista_id,
                                                       Contratante.rfc == rfc))


def servicio_sugerido(contratista: Contratista) -> str:
    """The contractor's REPSE number and the service text of its last contract (the same service, usually)."""
    ultimo = db.session.scalar(
        select(Contrato.servicio).join(Informativa, Informativa.id == Contrato.informativa_id)
        .where(Informativa.contratista_id == contratista.id).order_by(Contrato.id.desc()).limit(1))
    if ultimo:
        return ultimo
    repse = contratista.datos_generales.registro_repse if contratista.datos_generales else ""
    return f"{repse} " if repse else ""


def _recordar_contratante(contratista_id: int, datos: DatosContrato) -> None:
    contratante = db.session.scalar(select(Contratante).where(Contratante.contratista_id == contratista_id,
                                                              Contratante.rfc == datos.rfc_contratante))
    if contratante is None:
        contratante = Contratante(contratista_id=contratista_id, rfc=datos.rfc_contratante)
        db.session.add(contratante)
    contratante.nombre = datos.nombre_contratante
    contratante.correo = datos.correo_contratante
    contratante.telefono = datos.telefono_contratante


def _aplicar(contrato: Contrato, datos: DatosContrato) -> dict:
    cambios = {}
    for campo, valor in vars(datos).items():
        if getattr(contrato, campo, None) != valor:
            cambios[campo] = valor
            setattr(contrato, campo, valor)
    contrato.copiar_busqueda()
    return cambios


def agregar_contrato(informativa: Informativa, datos: DatosContrato, actor: str) -> Contrato:
    """Informativa locked by the caller (``de_contratista(..., bloquear=True)``)."""
    exigir_admite_contratos(informativa)
    informativa.contratos_creados += 1
    contrato = Contrato(informativa_id=informativa.id, numero=informativa.contratos_creados)
    _aplicar(contrato, datos)
    db.session.add(contrato)
    db.session.flush()
    _cambio(informativa, actor, "contrato_alta", contrato=contrato.etiqueta)
    _recordar_contratante(informativa.contratista_id, datos)
    return contrato


def editar_contrato(informativa: Informativa, contrato: Contrato, datos: DatosContrato, version: int | None,
                    actor: str) -> dict:
    exigir_version(contrato, version, "este contrato")
    cambios = _aplicar(contrato, datos)
    if cambios:
        _cambio(informativa, actor, "contrato_edicion", contrato=contrato.etiqueta,
                campos=sorted(cambios))
        _recordar_contratante(informativa.contratista_id, datos)
    return cambios


def eliminar_contrato(informativa: Informativa, contrato: Contrato, version: int | None, actor: str) -> int:
    """Deletes the contract and its workers; returns how many workers went with it."""
    exigir_version(contrato, version, "este contrato")
    trabajadores = contar_trabajadores(contrato)
    _cambio(informativa, actor, "contrato_baja", contrato=contrato.etiqueta, trabajadores=trabajadores)
    db.session.delete(contrato)
    return trabajadores


# --- workers ----------------------------------------------------------------------------------------------------


def validar_sbc(texto: str) -> Decimal:
    limpio = (texto or "").strip().replace("$", "").replace(",", "")
    try:
        valor = Decimal(limpio)
    except ArithmeticError:
        raise ErrorInformativa("El salario base de cotización debe ser un número, como 315.04.", "sbc") from None
    if not valor.is_finite() or valor <= 0:
        raise ErrorInformativa("El salario base de cotización debe ser mayor que cero.", "sbc")
    if valor.as_tuple().exponent < -2:
        raise ErrorInformativa("El salario base de cotización lleva a lo más dos decimales.", "sbc")
    if valor >= Decimal("10000000000"):
        raise ErrorInformativa("El salario base de cotización es demasiado grande.", "sbc")
    return valor.quantize(Decimal("0.01"))


def _exigir_no_repetido(contrato: Contrato, nss: str | None, curp: str, salvo: int | None = None) -> None:
    """409 on the field of the NSS or CURP the contract already has (``salvo``: but this worker). ``nss``
    None: only the CURP (Validar, before there is an NSS)."""
    mismo = Trabajador.curp == curp if nss is None else (Trabajador.nss == nss) | (Trabajador.curp == curp)
    consulta = select(Trabajador.nss, Trabajador.curp).where(Trabajador.contrato_id == contrato.id, mismo)
    if salvo is not None:
        consulta = consulta.where(Trabajador.id != salvo)
    fila = db.session.execute(consulta.limit(1)).first()
    if fila is not None:
        campo, valor = ("nss", nss) if fila.nss == nss else ("curp", curp)
        raise ErrorInformativa(ya_en_el_contrato(campo, valor), campo, status=409)


def ya_en_el_contrato(campo: str, valor: str) -> str:
    """The message for a worker the contract already has (by NSS or by CURP)."""
    return f"El NSS {valor} ya está en este contrato." if campo == "nss" else f"La CURP {valor} ya está en este contrato."


def nss_y_curps(contrato: Contrato) -> tuple[set[str], set[str]]:
    """Every NSS and CURP the contract has (one query): the carga masiva checks its rows against them."""
    filas = db.session.execute(select(Trabajador.nss, Trabajador.curp).where(Trabajador.contrato_id == contrato.id)).all()
    return {f.nss for f in filas}, {f.curp for f in filas}


# Padrón lookups for workers: an allowance of their own per contractor (capturing thousands of workers
# must not use up Alta de usuarios' 120 an hour), still bounded against enumeration of the padrón.
CUPO_TRABAJADORES = Cupo(ValidacionCurp.TRABAJADOR, "VALIDACIONES_TRABAJADORES_POR_DIA", timedelta(hours=24),
                         "Se alcanzó el límite de {limite} validaciones de CURP de trabajadores en 24 horas para "
                         "este contratista. Inténtalo de nuevo más tarde.")


def buscar_trabajador(informativa: Informativa, contrato: Contrato, texto: str) -> PersonaEncontrada:
    """Validar (and Guardar, again) of a worker: the informativa still editable, the CURP well formed and
    not yet in the contract, then its owner in the padrón, counted against the contractor's allowance
    for workers (that count is committed). Raises ErrorDeDominio subclasses: NoEditable, CurpInvalida,
    ErrorInformativa (409, already in the contract), LimiteDeValidaciones (429), PadronNoDisponible,
    ErrorCapturista (not in the padrón)."""
    exigir_editable(informativa)
    curp = curp_dominio.validar(texto).curp
    _exigir_no_repetido(contrato, None, curp)
    return buscar_persona(curp, informativa.contratista_id, CUPO_TRABAJADORES)


def agregar_trabajador(informativa: Informativa, contrato: Contrato, nss_texto: str, persona: PersonaEncontrada,
                       sbc: Decimal, actor: str) -> Trabajador:
    """``persona``: the CURP already validated and found in the padrón (its name)."""
    nss = nss_dominio.validar(nss_texto)
    curp = curp_dominio.normalizar(persona.curp)
    _exigir_no_repetido(contrato, nss, curp)
    trabajador = Trabajador(contrato_id=contrato.id, informativa_id=informativa.id, nss=nss, curp=curp,
                            nombre=persona.nombre, primer_apellido=persona.primer_apellido,
                            segundo_apellido=persona.segundo_apellido, sbc=sbc)
    trabajador.copiar_busqueda()
    db.session.add(trabajador)
    _cambio(informativa, actor, "trabajador_alta", contrato=contrato.etiqueta, nss=nss)
    return trabajador


@dataclass(frozen=True)
class NuevoTrabajador:
    nss: str                    # validated
    persona: PersonaEncontrada  # CURP validated and found in the padrón
    sbc: Decimal                # validated (validar_sbc)


def agregar_trabajadores(informativa: Informativa, contrato: Contrato, nuevos: list[NuevoTrabajador], actor: str,
                         **detalle) -> None:
    """Many workers at once (the carga masiva), already validated and checked against the contract with the
    informativa locked: one executemany, the version raised once (when something is added) and one
    bitácora entry with ``detalle`` (the counts)."""
    exigir_editable(informativa)
    if not nuevos:
        registrar(informativa, actor, "trabajadores_carga_masiva", contrato=contrato.etiqueta, agregados=0, **detalle)
        return
    ahora = ahora_utc()
    db.session.execute(insert(Trabajador.__table__), [
        {"contrato_id": contrato.id, "informativa_id": informativa.id, "nss": n.nss, "curp": n.persona.curp,
         "nombre": n.persona.nombre, "primer_apellido": n.persona.primer_apellido,
         "segundo_apellido": n.persona.segundo_apellido, "sbc": n.sbc, "version": 1, "creado_en": ahora,
         **Trabajador.claves(n.nss, n.persona.curp, n.persona.nombre, n.persona.primer_apellido,
                             n.persona.segundo_apellido)}
        for n in nuevos])
    _cambio(informativa, actor, "trabajadores_carga_masiva", contrato=contrato.etiqueta, agregados=len(nuevos),
            **detalle)


def editar_trabajador(informativa: Informativa, contrato: Contrato, trabajador: Trabajador, nss_texto: str,
                      sbc: Decimal, version: int | None, actor: str) -> dict:
    """NSS and SBC; a different CURP is a different person (Eliminar, then add)."""
    exigir_version(trabajador, version, "este trabajador")
    nss = nss_dominio.validar(nss_texto)
    _exigir_no_repetido(contrato, nss, trabajador.curp, salvo=trabajador.id)
    cambios = {}
    if trabajador.nss != nss:
        cambios["nss"] = nss
        trabajador.nss = nss
        trabajador.copiar_busqueda()
    if trabajador.sbc != sbc:
        cambios["sbc"] = str(sbc)
        trabajador.sbc = sbc
    if cambios:
        _cambio(informativa, actor, "trabajador_edicion", contrato=contrato.etiqueta, curp=trabajador.curp,
                campos=sorted(cambios))
    return cambios


def eliminar_trabajador(informativa: Informativa, contrato: Contrato, trabajador: Trabajador, version: int | None,
                        actor: str) -> None:
    exigir_version(trabajador, version, "este trabajador")
    _cambio(informativa, actor, "trabajador_baja", contrato=contrato.etiqueta, nss=trabajador.nss,
            curp=trabajador.curp)
    db.session.delete(trabajador)


# --- checklist, Enviar a firma, Devolver --------------------------------------------------------------------------


def trabajadores_por_contrato(informativa: Informativa) -> dict[int, int]:
    """Each contract of the informativa (all of them) → how many workers it has: one query that the
    checklist, the counts and the contracts grid of a page share. Counted per contract on its own index (a GROUP BY over the
    informativa's 150,000 rows takes 25 times longer on SQLite)."""
    return dict(db.session.execute(select(Contrato.id, _cuenta_por_contrato())
                                   .where(Contrato.informativa_id == informativa.id)).all())


def _cuenta_por_contrato():
    return select(func.count()).where(Trabajador.contrato_id == Contrato.id).correlate(Contrato).scalar_subquery()


def revision(informativa: Informativa, contratista: Contratista, conteos: dict[int, int] | None = None) -> Revision:
    """The consistency checklist over the informativa as stored; ``conteos``: trabajadores_por_contrato's,
    when the caller already has them."""
    conteos = trabajadores_por_contrato(informativa) if conteos is None else conteos
    contratos = [ContratoParaRevisar(
        id=c.id, etiqueta=c.etiqueta, rfc_contratante=c.rfc_contratante, objeto=c.objeto, servicio=c.servicio,
        fecha_inicio=c.fecha_inicio, fecha_fin=c.fecha_fin, trabajadores=conteos.get(c.id, 0))
        for c in db.session.scalars(select(Contrato).where(Contrato.informativa_id == informativa.id)
                                    .order_by(Contrato.numero))]
    return revisar(tipo=informativa.tipo, periodo=periodo_de(informativa), rfc_contratista=contratista.rfc,
                   contratos=contratos)


def revision_para_envio(informativa: Informativa, contratista: Contratista) -> Revision:
    """The checklist of an informativa that can be sent now; otherwise ``NoEditable`` (already sent) or
    ``ErrorInformativa`` (409) while a rule fails. Enviar a firma applies it, and its confirmation asks
    only when the answer can work."""
    exigir_editable(informativa)
    resultado = revision(informativa, contratista)
    if not resultado.completa:
        raise ErrorInformativa("La informativa tiene inconsistencias: corrígelas antes de enviarla a firma.",
                               status=409)
    return resultado


def enviar_a_firma(informativa: Informativa, contratista: Contratista, version: int | None, actor: str,
                   quien: str, liga: str) -> CorreoSaliente:
    """Locked informativa: the checklist at ``version`` all green → "Enviada a firma", an e-mail to the
    contractor (outbox) with ``liga`` to its view of the informativa, the bitácora. Commits; returns the
    message, for the caller to try delivering it at once."""
    exigir_version(informativa, version, "la informativa")
    revision_para_envio(informativa, contratista)
    informativa.version += 1
    informativa.estado = Informativa.ENVIADA
    informativa.enviada_en = ahora_utc()
    registrar(informativa, actor, "envio_firma", version=informativa.version)
    periodo = periodo_de(informativa)
    saliente = correo_srv.encolar(
        tipo="informativa_enviada", destinatario=contratista.correo, contratista_id=contratista.id,
        asunto=f"Informativa del {periodo.nombre} lista para firma", plantilla="informativa_enviada",
        contratista=contratista, periodo=periodo, quien=quien, liga=liga)
    db.session.commit()
    return saliente


def devolver(informativa: Informativa, comentario: str, actor: str) -> None:
    """The contractor sends an "Enviada a firma" back for correction, saying why. Commits."""
    comentario = (comentario or "").strip()
    if informativa.estado != Informativa.ENVIADA:
        raise ErrorInformativa("Solo una informativa enviada a firma se puede devolver.", status=409)
    if not comentario:
        raise ErrorInformativa("Escribe qué debe corregirse.", "comentario")
    informativa.version += 1
    informativa.estado = Informativa.DEVUELTA
    informativa.devuelta_en = ahora_utc()
    informativa.comentario_devolucion = comentario
    registrar(informativa, actor, "devolucion", comentario=comentario)
    db.session.commit()


# --- grids ----------------------------------------------------------------------------------------------------


# A grid's caption counts no further than this and then says "de más de 1,000" (as Consulta does): a
# page of an informativa of 150,000 workers does not pay a full count.
TOPE_CONTEO_TRABAJADORES = TOPE_CONTEO


def _trabajadores(condicion, q: str, columnas=(Trabajador,)):
    """The workers that meet ``condicion``, those whose NSS, CURP or name contain ``q`` (without accents
    or case)."""
    return buscar(select(*columnas).where(condicion), Trabajador.busqueda, q)


def _por_nombre(consulta, despues: str | None, antes: str | None, tamano: int) -> Pagina:
    return paginar(consulta, Trabajador.nombre_orden, Trabajador.id, despues=despues, antes=antes, tamano=tamano)


def pagina_trabajadores(contrato: Contrato, *, q: str = "", despues: str | None = None, antes: str | None = None,
                        tamano: int = 50) -> Pagina:
    """The contract's workers by name (index ``(contrato_id, nombre_orden, id)``), optionally searched."""
    return _por_nombre(_trabajadores(Trabajador.contrato_id == contrato.id, q), despues, antes, tamano)


def pagina_trabajadores_de_informativa(informativa: Informativa, *, q: str = "", despues: str | None = None,
                                       antes: str | None = None, tamano: int = 50) -> Pagina:
    """Every worker of the informativa (150,000 and more) by name, each with its contract: keyset pages on
    the index ``(informativa_id, nombre_orden, id)``, so the last page costs what the first does."""
    consulta = _trabajadores(Trabajador.informativa_id == informativa.id, q) \
        .options(joinedload(Trabajador.contrato, innerjoin=True))
    return _por_nombre(consulta, despues, antes, tamano)


def contar_coincidencias(dueno: Contrato | Informativa, q: str = "") -> int:
    """Workers of a contract or of an informativa (that match ``q``), counted up to
    TOPE_CONTEO_TRABAJADORES + 1."""
    columna = Trabajador.contrato_id if isinstance(dueno, Contrato) else Trabajador.informativa_id
    return contar_hasta(_trabajadores(columna == dueno.id, q, (Trabajador.id,)), TOPE_CONTEO_TRABAJADORES)


def contar_trabajadores(contrato: Contrato) -> int:
    """All of them (a contract's row in the grid, its Eliminar question)."""
    return trabajadores_de_contratos([contrato.id]).get(contrato.id, 0)


TAMANO_PAGINA = 50


def pagina_contratos(informativa: Informativa, *, q: str = "", despues: str | None = None,
                     antes: str | None = None, tamano: int = TAMANO_PAGINA,
                     conteos: dict[int, int] | None = None) -> Pagina:
    """The informativa's contracts by number (index ``(informativa_id, numero)``), optionally searched
    by RFC, contratante or objeto; ``extra["trabajadores"]``: each one's workers (``conteos`` when the
    caller has them, else one grouped query for the page's contracts)."""
    consulta = buscar(select(Contrato).where(Contrato.informativa_id == informativa.id), Contrato.busqueda, q)
    pagina = paginar(consulta, Contrato.numero, Contrato.id, tipo=int, despues=despues, antes=antes, tamano=tamano)
    pagina.extra["trabajadores"] = conteos if conteos is not None else \
        trabajadores_de_contratos([c.id for c in pagina.filas])
    return pagina


def contar_contratos(informativa: Informativa, q: str = "") -> int:
    return db.session.scalar(buscar(select(func.count()).select_from(Contrato)
                                    .where(Contrato.informativa_id == informativa.id), Contrato.busqueda, q))


def trabajadores_de_contratos(ids: list[int]) -> dict[int, int]:
    """{contrato_id: workers} for these contracts (see trabajadores_por_contrato)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(Contrato.id, _cuenta_por_contrato()).where(Contrato.id.in_(ids))).all())
