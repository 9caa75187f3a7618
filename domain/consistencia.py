"""The consistency checklist of an informativa: shown before "Enviar a firma" and enforced on send.

The IMSS publishes the informativas that break the first five of its consistency rules, so a contractor
wants to see them as a checklist before signing, not as a rejection afterwards. Input is plain data
(no ORM): the caller builds a ``ContratoParaRevisar`` per contract, with the counts it takes from the
database (trabajadores, repeated NSS and CURP) and a label the user recognises
("Contrato 3 (ABC010101AB1)"), so every failing rule names the contracts that break it.

Rules of a Normal, in this order (``Regla.clave``):

* ``hay_contratos``: at least one contract (otherwise the text suggests a «Sin información»);
* ``rfc_distinto``: the contratante's RFC is not the contratista's own;
* ``objeto_y_servicio``: objeto and servicio u obra especializada are not blank;
* ``fecha_inicio``: there is a fecha de inicio and it falls inside the period;
* ``fecha_fin``: a fecha de fin, when there is one, is not before the fecha de inicio;
* ``trabajadores``: every contract has at least one trabajador;
* ``sin_repetidos``: no NSS or CURP twice in one contract.

A «Sin información» has a single rule, ``sin_contratos``: its contracts would have to go anyway, so
checking their data would only add noise. "One Normal per contractor and period" needs the database
and belongs to the service that creates informativas.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from domain.calendario import dia_mes_anio
from domain.errores import ErrorDeDominio
from domain.periodos import Periodo
from domain.rfc import normalizar as normalizar_rfc

__all__ = [
    "NORMAL",
    "SIN_INFORMACION",
    "TIPOS",
    "ContratoParaRevisar",
    "InformativaInconsistente",
    "Regla",
    "Revision",
    "revisar",
]

NORMAL = "normal"
SIN_INFORMACION = "sin_informacion"
TIPOS = (NORMAL, SIN_INFORMACION)


@dataclass(frozen=True, kw_only=True)
class ContratoParaRevisar:
    """What the checklist needs of one contract. ``nss_repetidos``/``curp_repetidos``: how many NSS
    (CURP) appear more than once among its trabajadores."""

    id: int | str
    etiqueta: str
    rfc_contratante: str
    objeto: str
    servicio: str
    fecha_inicio: date | None
    fecha_fin: date | None = None
    trabajadores: int
    nss_repetidos: int = 0
    curp_repetidos: int = 0


@dataclass(frozen=True)
class Regla:
    """One checklist item: ``texto`` is phrased as what must hold; ``detalles`` (only when it fails)
    say which contracts break it and how."""

    clave: str
    texto: str
    cumple: bool
    detalles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revision:
    reglas: tuple[Regla, ...]

    @property
    def completa(self) -> bool:
        return all(r.cumple for r in self.reglas)

    @property
    def pendientes(self) -> tuple[Regla, ...]:
        return tuple(r for r in self.reglas if not r.cumple)

    def regla(self, clave: str) -> Regla:
        return next(r for r in self.reglas if r.clave == clave)

    def exigir(self) -> None:
        """For the send action: raises ``InformativaInconsistente`` unless every rule holds."""
        if not self.completa:
            raise InformativaInconsistente(self)


class InformativaInconsistente(ErrorDeDominio):
    """Sending to signature with pending rules; ``revision`` lets the view show the checklist again."""

    def __init__(self, revision: Revision):
        pendientes = "; ".join(f"«{r.texto}»" for r in revision.pendientes)
        super().__init__(f"La informativa no se puede enviar a firma hasta que cumpla: {pendientes}.")
        self.revision = revision


def _regla(clave: str, texto: str, detalles: Iterable[str]) -> Regla:
    detalles = tuple(detalles)
    return Regla(clave, texto, cumple=not detalles, detalles=detalles)


def _vacio(texto: str | None) -> bool:
    return not (texto or "").strip()


def _objeto_y_servicio(c: ContratoParaRevisar) -> str | None:
    faltan = [nombre for nombre, valor in (("el objeto del contrato", c.objeto),
                                          ("el servicio u obra especializada", c.servicio)) if _vacio(valor)]
    if not faltan:
        return None
    return f"{c.etiqueta}: {'falta' if len(faltan) == 1 else 'faltan'} {' y '.join(faltan)}."


def _fecha_inicio(c: ContratoParaRevisar, periodo: Periodo) -> str | None:
    if c.fecha_inicio is None:
        return f"{c.etiqueta}: falta la fecha de inicio."
    if periodo.contiene(c.fecha_inicio):
        return None
    cuando = "anterior" if c.fecha_inicio < periodo.inicio else "posterior"
    correcto = Periodo.de_fecha(c.fecha_inicio)
    return (f"{c.etiqueta}: la fecha de inicio, {dia_mes_anio(c.fecha_inicio)}, es {cuando} al periodo; "
            f"el contrato corresponde a la informativa del {correcto.nombre}.")


def _fecha_fin(c: ContratoParaRevisar) -> str | None:
    if c.fecha_inicio is None or c.fecha_fin is None or c.fecha_fin >= c.fecha_inicio:
        return None
    return (f"{c.etiqueta}: la fecha de fin, {dia_mes_anio(c.fecha_fin)}, es anterior a la de inicio, "
            f"{dia_mes_anio(c.fecha_inicio)}.")


def _repetidos(c: ContratoParaRevisar) -> str | None:
    partes = []
    if c.nss_repetidos > 0:
        partes.append(f"{c.nss_repetidos} NSS repetido{'s' if c.nss_repetidos > 1 else ''}")
    if c.curp_repetidos > 0:
        partes.append(f"{c.curp_repetidos} CURP repetida{'s' if c.curp_repetidos > 1 else ''}")
    return f"{c.etiqueta}: {' y '.join(partes)}." if partes else None


def revisar(
    *, tipo: str, periodo: Periodo, rfc_contratista: str, contratos: Iterable[ContratoParaRevisar]
) -> Revision:
    """The checklist of an informativa of ``tipo`` ("normal" | "sin_informacion") for ``periodo``."""
    if tipo not in TIPOS:
        raise ValueError(f"Tipo de informativa desconocido: {tipo!r}.")
    contratos = tuple(contratos)
    if tipo == SIN_INFORMACION:
        return Revision((_regla(
            "sin_contratos",
            "La informativa «Sin información» no tiene contratos",
            (f"{c.etiqueta}: elimínalo o cambia el tipo de la informativa a Normal." for c in contratos),
        ),))

    propio = normalizar_rfc(rfc_contratista)

    def cada(funcion: Callable[[ContratoParaRevisar], str | None]) -> list[str]:
        return [d for c in contratos if (d := funcion(c)) is not None]

    return Revision((
        _regla(
            "hay_contratos",
            "La informativa tiene al menos un contrato",
            [] if contratos else ["No hay contratos capturados. Si en el periodo no hubo contratos, "
                                  "presenta una informativa «Sin información»."],
        ),
        _regla(
            "rfc_distinto",
            "En cada contrato, el RFC del contratante es distinto del RFC del contratista",
            cada(lambda c: f"{c.etiqueta}: el contratante tiene el RFC del contratista ({propio})."
                 if propio and normalizar_rfc(c.rfc_contratante) == propio else None),
        ),
        _regla("objeto_y_servicio", "Cada contrato tiene objeto y servicio u obra especializada",
               cada(_objeto_y_servicio)),
        _regla(
            "fecha_inicio",
            f"Cada contrato tiene fecha de inicio dentro del periodo ({periodo.rango})",
            cada(lambda c: _fecha_inicio(c, periodo)),
        ),
        _regla("fecha_fin", "La fecha de fin de cada contrato, si la tiene, no es anterior a su fecha de inicio",
               cada(_fecha_fin)),
        _regla(
            "trabajadores",
            "Cada contrato tiene al menos un trabajador",
            cada(lambda c: f"{c.etiqueta}: no tiene trabajadores." if c.trabajadores < 1 else None),
        ),
        _regla("sin_repetidos", "Ningún NSS ni CURP se repite dentro de un mismo contrato", cada(_repetidos)),
    ))
