"""Firma y presentación: an informativa signed with the contractor's e.firma becomes presented, with an
acuse (folio, fecha, sello) that proves what was filed and when; Sin información filed directly;
complementarias (Corrección, Sin efectos); re-verifying an acuse from the stored data.

The e.firma arrives already opened and checked (services/efirma.py): here it only signs the digest of
the cadena original (domain/cadena_original.py). Everything happens with the informativa locked and in
one transaction with the folio's number: a failure leaves nothing behind, not even a used folio.
Functions that say "Commits" commit; the others leave it to the caller.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from domain import cadena_original as cadena
from domain.calendario import ZONA
from domain.efirma import Efirma, verificar_sello
from domain.periodos import Periodo, a_tiempo, apertura, periodo_por_presentar, vencimiento
from extensions import db
from models import Acuse, Contratista, Contrato, FolioAnual, Informativa, Trabajador
from models.types import ahora_utc
from services.informativas import (
    PRIMER_PERIODO,
    ErrorInformativa,
    exigir_version,
    periodo_de,
    registrar,
    revision,
    trabajadores_por_contrato,
)

PREFIJOS = {Informativa.NORMAL: "N", Informativa.SIN_INFORMACION: "SI"}
PREFIJO_COMPLEMENTARIA = "C"


# --- folio ------------------------------------------------------------------------------------------------


def prefijo(informativa: Informativa) -> str:
    """N (Normal), SI (Sin información), C (any complementaria)."""
    return PREFIJO_COMPLEMENTARIA if informativa.es_complementaria else PREFIJOS[informativa.tipo]


def siguiente_folio(prefijo_folio: str, momento: datetime) -> str:
    """The next folio of the year of ``momento`` (Mexico City): prefix, two digits of the year and six
    (or more) of one sequence for the whole system, e.g. N27000123. The year's row stays locked until
    the caller's transaction ends, so two signatures never share a number and a rolled-back one gives
    its number back."""
    anio = momento.astimezone(ZONA).year
    dialecto = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    sentencia = (dialecto.insert(FolioAnual).values(anio=anio, ultimo=1)
                 .on_conflict_do_update(index_elements=[FolioAnual.anio], set_={"ultimo": FolioAnual.ultimo + 1})
                 .returning(FolioAnual.ultimo))
    numero = db.session.execute(sentencia).scalar_one()
    return f"{prefijo_folio}{anio % 100:02d}{numero:06d}"


# --- the cadena original, from the stored rows --------------------------------------------------------------


def _trabajadores_de(contrato_id: int) -> Iterator[cadena.TrabajadorCadena]:
    # In NSS order straight off the (contrato_id, nss) unique index; streamed in batches.
    filas = db.session.execute(
        select(Trabajador.nss, Trabajador.curp, Trabajador.nombre, Trabajador.primer_apellido,
               func.coalesce(Trabajador.segundo_apellido, ""), Trabajador.sbc)
        .where(Trabajador.contrato_id == contrato_id).order_by(Trabajador.nss)
        .execution_options(yield_per=2000))
    return map(cadena.TrabajadorCadena._make, filas)


def _contratos_de(informativa: Informativa, conteos: dict[int, int]):
    contratos = db.session.scalars(select(Contrato).where(Contrato.informativa_id == informativa.id)
                                   .order_by(Contrato.numero)).all()
    for c in contratos:
        yield (cadena.ContratoCadena(c.numero, c.rfc_contratante, c.nombre_contratante, c.correo_contratante,
                                     c.telefono_contratante, c.objeto, c.servicio, c.fecha_inicio, c.fecha_fin,
                                     conteos.get(c.id, 0)),
               _trabajadores_de(c.id))


def folio_complementado(informativa: Informativa) -> str | None:
    """The folio of the presented informativa a complementaria corrects or cancels."""
    return informativa.complementa.acuse.folio if informativa.complementa_id else None


def _encabezado(informativa: Informativa, acuse: Acuse, rfc_contratista: str) -> cadena.Encabezado:
    return cadena.Encabezado(
        folio=acuse.folio, fecha=acuse.fecha, rfc_contratista=rfc_contratista, razon_social=acuse.razon_social,
        anio=informativa.anio, periodo=informativa.periodo, numero=informativa.numero, clase=informativa.clase,
        tipo=informativa.tipo, folio_complementado=folio_complementado(informativa), contratos=acuse.contratos,
        trabajadores=acuse.trabajadores)


def segmentos(informativa: Informativa, acuse: Acuse) -> Iterator[str]:
    """The informativa's cadena original as stored now, in pieces."""
    conteos = trabajadores_por_contrato(informativa)
    return cadena.segmentos(_encabezado(informativa, acuse, informativa.contratista.rfc),
                            _contratos_de(informativa, conteos))


def texto_cadena(informativa: Informativa) -> str:
    """The presented informativa's cadena original (for whoever wants to check it by hand)."""
    return "".join(segmentos(informativa, informativa.acuse))


# --- presenting ---------------------------------------------------------------------------------------------


def exigir_firmable(informativa: Informativa) -> None:
    if informativa.estado == Informativa.PRESENTADA:
        raise ErrorInformativa("Esta informativa ya está presentada: consulta su acuse.", status=409)
    if informativa.estado != Informativa.ENVIADA:
        raise ErrorInformativa("Solo se firma una informativa que tus capturistas enviaron a firma.", status=409)


def exigir_plazo_abierto(periodo: Periodo, momento: datetime) -> None:
    """Nothing is filed before its period ends: its window opens on the 1st of the next month."""
    inicio = apertura(periodo)
    if momento.astimezone(ZONA).date() < inicio:
        raise ErrorInformativa(f"La informativa del {periodo.nombre} se presenta a partir del "
                               f"{inicio.day}/{inicio.month:02d}/{inicio.year}.", status=409)


def _presentar(informativa: Informativa, contratista: Contratista, efirma: Efirma, actor: str) -> Acuse:
    """Sign and file a locked informativa that may be filed. Does not commit."""
    ahora = ahora_utc()
    periodo = periodo_de(informativa)
    exigir_plazo_abierto(periodo, ahora)
    conteos = trabajadores_por_contrato(informativa)
    firmante = efirma.firmante
    acuse = Acuse(
        informativa_id=informativa.id, contratista_id=contratista.id,
        folio=siguiente_folio(prefijo(informativa), ahora), fecha=ahora.replace(microsecond=0),
        vencimiento=vencimiento(periodo), en_tiempo=a_tiempo(periodo, ahora),
        razon_social=contratista.nombre_visible, contratos=len(conteos), trabajadores=sum(conteos.values()),
        cadena_version=cadena.VERSION, certificado=firmante.certificado_der,
        numero_certificado=firmante.numero_certificado, rfc=firmante.rfc,
        rfc_representante=firmante.rfc_representante, curp=firmante.curp, firmante=firmante.nombre,
        emisor=firmante.emisor)
    digest = cadena.digest(cadena.segmentos(_encabezado(informativa, acuse, contratista.rfc),
                                            _contratos_de(informativa, conteos)))
    acuse.digest = digest.hex()
    acuse.sello = efirma.firmar(digest)
    db.session.add(acuse)
    informativa.version += 1
    informativa.estado = Informativa.PRESENTADA
    informativa.presentada_en = acuse.fecha
    registrar(informativa, actor, "presentacion", folio=acuse.folio, en_tiempo=acuse.en_tiempo,
              certificado=firmante.numero_certificado)
    db.session.flush()
    return acuse


def presentar(informativa: Informativa, contratista: Contratista, efirma: Efirma, version: int | None,
              actor: str) -> Acuse:
    """Firmar y presentar an informativa "Enviada a firma" (locked), read at ``version``, whose
    checklist is all green. Commits."""
    exigir_version(informativa, version, "la informativa")
    exigir_firmable(informativa)
    if not revision(informativa, contratista).completa:
        raise ErrorInformativa("La informativa tiene inconsistencias: devuélvela para corrección.", status=409)
    acuse = _presentar(informativa, contratista, efirma, actor)
    db.session.commit()
    return acuse


def periodos_para_sin_informacion(contratista_id: int, ahora: datetime) -> list[Periodo]:
    """Periods whose window has opened and that have no informativa yet, newest first."""
    tienen = set(db.session.execute(
        select(Informativa.anio, Informativa.periodo).where(Informativa.contratista_id == contratista_id)).all())
    periodos, periodo = [], periodo_por_presentar(ahora)
    while periodo >= PRIMER_PERIODO:
        if (periodo.anio, periodo.numero) not in tienen:
            periodos.append(periodo)
        periodo = periodo.anterior
    return periodos


def presentar_sin_informacion(contratista: Contratista, periodo: Periodo, efirma: Efirma, actor: str) -> Acuse:
    """The contractor files a period in which it had no contracts, directly: a new informativa «Sin
    información» signed at once. Commits."""
    if periodo not in periodos_para_sin_informacion(contratista.id, ahora_utc()):
        raise ErrorInformativa("Ese periodo ya tiene una informativa o aún no se puede presentar: elige uno de "
                               "la lista.", "periodo", status=409)
    informativa = Informativa(contratista_id=contratista.id, anio=periodo.anio, periodo=periodo.numero,
                              tipo=Informativa.SIN_INFORMACION, estado=Informativa.ENVIADA, creado_por=actor)
    try:
        with db.session.begin_nested():
            db.session.add(informativa)
    except IntegrityError:  # the same period filed at this very moment
        raise ErrorInformativa(f"Ya existe una informativa del {periodo.nombre}.", "periodo", status=409) from None
    registrar(informativa, actor, "informativa_alta", periodo=periodo.clave, tipo=informativa.tipo)
    acuse = _presentar(informativa, contratista, efirma, actor)
    db.session.commit()
    return acuse


# --- complementarias ----------------------------------------------------------------------------------------


def del_periodo(informativa: Informativa) -> list[Informativa]:
    """The period's chain: the original and its complementarias, in order."""
    return list(db.session.scalars(
        select(Informativa).where(Informativa.contratista_id == informativa.contratista_id,
                                  Informativa.anio == informativa.anio, Informativa.periodo == informativa.periodo)
        .order_by(Informativa.numero)))


@dataclass(frozen=True)
class Serie:
    """A period's informativas (the original and its complementarias, in order) and which one stands:
    the last presented, unless that one is a Sin efectos (then none does)."""

    informativas: list[Informativa]
    maximo = Informativa.COMPLEMENTARIAS_POR_PERIODO

    @property
    def vigente(self) -> Informativa | None:
        presentadas = [i for i in self.informativas if i.presentada]
        if not presentadas or presentadas[-1].clase == Informativa.SIN_EFECTOS:
            return None
        return presentadas[-1]

    @property
    def en_captura(self) -> Informativa | None:
        return next((i for i in self.informativas if not i.presentada), None)

    def sustituta_de(self, informativa: Informativa) -> Informativa | None:
        """The presented complementaria that replaced (or cancelled) ``informativa``, if any."""
        return next((i for i in self.informativas if i.complementa_id == informativa.id and i.presentada), None)

    @property
    def complementarias(self) -> int:
        return sum(1 for i in self.informativas if i.es_complementaria)

    def motivo_sin_complementaria(self, informativa: Informativa) -> str | None:
        """Why ``informativa`` cannot take a complementaria now; None when it can."""
        if self.vigente is None or self.vigente.id != informativa.id:
            return "Solo la informativa vigente del periodo (la última presentada) admite una complementaria."
        if self.en_captura is not None:
            return ("Ya hay una complementaria de este periodo en captura: tus capturistas deben enviártela a "
                    "firma y tú firmarla antes de iniciar otra.")
        if self.complementarias >= self.maximo:
            return f"Este periodo ya tiene {self.maximo} complementarias, el máximo permitido."
        return None


def sustitutas(informativas: list[Informativa]) -> dict[int, Informativa]:
    """Each informativa a presented complementaria replaced or cancelled → that complementaria."""
    return {i.complementa_id: i for i in informativas if i.complementa_id and i.presentada}


def serie_de(informativa: Informativa) -> Serie:
    return Serie(del_periodo(informativa))


def _exigir_complementable(informativa: Informativa) -> Serie:
    serie = serie_de(informativa)
    motivo = serie.motivo_sin_complementaria(informativa)
    if motivo:
        raise ErrorInformativa(motivo, status=409)
    return serie


def _complementaria(original: Informativa, clase: str, tipo: str, actor: str) -> Informativa:
    periodo = serie_de(original)
    nueva = Informativa(contratista_id=original.contratista_id, anio=original.anio, periodo=original.periodo,
                        numero=max(i.numero for i in periodo.informativas) + 1, tipo=tipo, clase=clase,
                        complementa_id=original.id, contratos_creados=original.contratos_creados, creado_por=actor)
    db.session.add(nueva)
    db.session.flush()
    registrar(nueva, actor, "complementaria_alta", clase=clase, complementa=original.acuse.folio)
    return nueva


def crear_correccion(original: Informativa, actor: str) -> Informativa:
    """A complementaria de corrección: a new draft with a copy of every contract and worker of the
    vigente informativa (locked), for the capturistas to correct and send to signature. Commits."""
    _exigir_complementable(original)
    nueva = _complementaria(original, Informativa.CORRECCION, original.tipo, actor)
    columnas = ("nss", "curp", "nombre", "primer_apellido", "segundo_apellido", "sbc", "nombre_orden", "busqueda")
    for c in db.session.scalars(select(Contrato).where(Contrato.informativa_id == original.id)
                                .order_by(Contrato.numero)):
        copia = Contrato(informativa_id=nueva.id, numero=c.numero, rfc_contratante=c.rfc_contratante,
                         nombre_contratante=c.nombre_contratante, correo_contratante=c.correo_contratante,
                         telefono_contratante=c.telefono_contratante, objeto=c.objeto, servicio=c.servicio,
                         fecha_inicio=c.fecha_inicio, fecha_fin=c.fecha_fin, busqueda=c.busqueda)
        db.session.add(copia)
        db.session.flush()
        # The workers in one INSERT … SELECT: 150,000 rows never pass through Python.
        db.session.execute(insert(Trabajador).from_select(
            ["contrato_id", "informativa_id", *columnas, "version", "creado_en"],
            select(literal(copia.id), literal(nueva.id), *(getattr(Trabajador, n) for n in columnas),
                   literal(1), literal(ahora_utc(), Trabajador.creado_en.type))
            .where(Trabajador.contrato_id == c.id)))
    db.session.commit()
    return nueva


def presentar_sin_efectos(original: Informativa, contratista: Contratista, efirma: Efirma, actor: str) -> Acuse:
    """A complementaria sin efectos: cancels the vigente informativa (locked), signed at once. Commits."""
    _exigir_complementable(original)
    nueva = _complementaria(original, Informativa.SIN_EFECTOS, Informativa.SIN_INFORMACION, actor)
    nueva.estado = Informativa.ENVIADA
    acuse = _presentar(nueva, contratista, efirma, actor)
    db.session.commit()
    return acuse


# --- the acuse afterwards ------------------------------------------------------------------------------------


def acuse_de(informativa: Informativa) -> Acuse | None:
    return db.session.scalar(select(Acuse).where(Acuse.informativa_id == informativa.id))


@dataclass(frozen=True)
class Verificacion:
    acuse: Acuse
    digest: str  # recomputed from the stored data now

    @property
    def digest_coincide(self) -> bool:
        return self.digest == self.acuse.digest

    @property
    def sello_valido(self) -> bool:
        return verificar_sello(self.acuse.certificado, bytes.fromhex(self.digest), self.acuse.sello)

    @property
    def valida(self) -> bool:
        return self.digest_coincide and self.sello_valido


def verificar(folio: str) -> Verificacion | None:
    """Rebuild the cadena original of the acuse ``folio`` from the database and check its sello with the
    stored certificate. None when no acuse has that folio."""
    acuse = db.session.scalar(select(Acuse).where(func.upper(Acuse.folio) == (folio or "").strip().upper()))
    if acuse is None:
        return None
    return Verificacion(acuse, cadena.digest(segmentos(acuse.informativa, acuse)).hex())
