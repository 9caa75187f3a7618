"""Cuatrimestral periods of the informativa and their filing deadlines, in Mexico City's time.

Periods: 1 = enero–abril, 2 = mayo–agosto, 3 = septiembre–diciembre. Each one is filed from the 1st to
the 17th of the month after it ends (mayo, septiembre, and enero of the next year). The window opens on
the 1st whatever day it is (1 de enero and 1 de mayo are holidays, and the portal takes filings anyway);
only the last day moves: a 17th that is a Saturday, a Sunday or a día inhábil moves to the next business
day, as many times as needed (CFF art. 12). The LFT holidays never fall on or right after a 17th of
enero, mayo or septiembre, so in practice weekends and the extra días inhábiles the IMSS or the SAT
declare (rows the operator adds to ``data/dias_inhabiles.csv``) are what move it. A year the CSV does not
cover only moves for weekends. The filing closes at the end of that day, Mexico City time: 23:59:59.999999
there is on time, 00:00 of the next day is late, wherever the contractor or the server is.

Two "current" periods, because the workspace needs both:

* ``periodo_en_curso(ahora)``: the period today belongs to (30 de noviembre de 2026 → 2026/3); its
  contracts are being celebrated now, and it is filed when it ends.
* ``periodo_por_presentar(ahora)``: the most recent period whose filing window has opened, that is the
  one that ended most recently (30 de noviembre de 2026 → 2026/2; 10 de enero de 2027 → 2026/3). It is
  always ``periodo_en_curso(ahora).anterior``; its window may still be open (10 de enero de 2027:
  "vence el lunes 18 de enero de 2027, faltan 8 días") or closed (30 de noviembre de 2026: "venció el
  jueves 17 de septiembre de 2026"), and ``plazo_en_palabras`` says which.

Every ``ahora`` is an aware datetime (naive ones raise ``ValueError``): "today" is the date in Mexico
City, so 20 de mayo 05:59 UTC is still 19 de mayo. The deadline functions take ``inhabiles`` for tests;
by default they use ``calendario.dias_inhabiles()``.

Names: ``nombre`` is "primer cuatrimestre de 2026 (enero–abril)", lowercase so it reads inside a
sentence ("la informativa del primer cuatrimestre de 2026 (enero–abril)"); ``titulo`` capitalises it for
headings, table cells and options. Ordinals are spelled out (not "1er"/"1.er") so every reader and screen
reader says the same thing.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta

from domain.calendario import MESES, ZONA, dia_mes_anio, dias_inhabiles, fecha_larga, siguiente_dia_habil
from domain.errores import ErrorDeDominio

__all__ = [
    "DIA_DE_VENCIMIENTO",
    "Periodo",
    "PeriodoInvalido",
    "a_tiempo",
    "apertura",
    "fin_del_plazo",
    "hoy_en_mexico",
    "inicio_del_plazo",
    "periodo_en_curso",
    "periodo_por_presentar",
    "plazo_abierto",
    "plazo_en_palabras",
    "vencimiento",
]

DIA_DE_VENCIMIENTO = 17
_ORDINALES = ("primer", "segundo", "tercer")
_CLAVE = re.compile(r"^\s*([0-9]{4})-([1-3])\s*$")


class PeriodoInvalido(ErrorDeDominio):
    pass


@dataclass(frozen=True, order=True)
class Periodo:
    """A cuatrimestre: ``numero`` 1, 2 or 3 of ``anio``. Orders by year, then number."""

    anio: int
    numero: int

    def __post_init__(self) -> None:
        if type(self.numero) is not int or self.numero not in (1, 2, 3):
            raise PeriodoInvalido(
                "El cuatrimestre debe ser 1 (enero–abril), 2 (mayo–agosto) o 3 (septiembre–diciembre)."
            )
        # The filing of period 3 falls in the next year, which must exist too.
        if type(self.anio) is not int or not MINYEAR <= self.anio < MAXYEAR:
            raise PeriodoInvalido("El año del periodo no es válido.")

    @classmethod
    def de_fecha(cls, fecha: date) -> Periodo:
        """The period a date belongs to."""
        return cls(fecha.year, (fecha.month - 1) // 4 + 1)

    @classmethod
    def de_clave(cls, clave: str) -> Periodo:
        """Inverse of ``clave``: '2026-1' → Periodo(2026, 1) (for URLs and form values)."""
        m = _CLAVE.match(clave or "")
        if not m:
            raise PeriodoInvalido(f"El periodo «{clave}» no es válido; se espera año-cuatrimestre, como 2026-1.")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def clave(self) -> str:
        """'2026-1': sorts like the periods, fits in a URL."""
        return f"{self.anio:04d}-{self.numero}"

    @property
    def _mes_inicial(self) -> int:
        return 4 * (self.numero - 1) + 1

    @property
    def inicio(self) -> date:
        return date(self.anio, self._mes_inicial, 1)

    @property
    def fin(self) -> date:
        return self.siguiente.inicio - timedelta(days=1) if self.numero < 3 else date(self.anio, 12, 31)

    @property
    def meses(self) -> str:
        """'enero–abril' (with an en dash, as ranges are written)."""
        return f"{MESES[self._mes_inicial - 1]}–{MESES[self._mes_inicial + 2]}"

    @property
    def nombre(self) -> str:
        """'primer cuatrimestre de 2026 (enero–abril)', for use inside a sentence."""
        return f"{_ORDINALES[self.numero - 1]} cuatrimestre de {self.anio} ({self.meses})"

    @property
    def titulo(self) -> str:
        """'Primer cuatrimestre de 2026 (enero–abril)', for headings, table cells and options."""
        return self.nombre[0].upper() + self.nombre[1:]

    @property
    def rango(self) -> str:
        """'del 1 de enero al 30 de abril de 2026'."""
        return f"del {self.inicio.day} de {MESES[self.inicio.month - 1]} al {dia_mes_anio(self.fin)}"

    @property
    def siguiente(self) -> Periodo:
        return Periodo(self.anio + 1, 1) if self.numero == 3 else Periodo(self.anio, self.numero + 1)

    @property
    def anterior(self) -> Periodo:
        return Periodo(self.anio - 1, 3) if self.numero == 1 else Periodo(self.anio, self.numero - 1)

    def contiene(self, fecha: date) -> bool:
        return self.inicio <= fecha <= self.fin


def _inhabiles(inhabiles: Collection[date] | None) -> Collection[date]:
    return dias_inhabiles() if inhabiles is None else inhabiles


def _con_zona(momento: datetime) -> datetime:
    """Refuses naive datetimes: their zone would be a guess, and a guess moves the deadline."""
    if momento.tzinfo is None or momento.utcoffset() is None:
        raise ValueError("El momento debe llevar zona horaria (un datetime aware).")
    return momento


def hoy_en_mexico(ahora: datetime) -> date:
    """Today's date in Mexico City (``ahora`` aware): what every deadline counts from."""
    return _con_zona(ahora).astimezone(ZONA).date()


def apertura(periodo: Periodo) -> date:
    """First day to file: the 1st of the month after the period (its next period's first day)."""
    return periodo.siguiente.inicio


def vencimiento(periodo: Periodo, inhabiles: Collection[date] | None = None) -> date:
    """Last day to file: the 17th, or the next business day when the 17th is not one."""
    diecisiete = apertura(periodo).replace(day=DIA_DE_VENCIMIENTO)
    return siguiente_dia_habil(diecisiete, _inhabiles(inhabiles))


def inicio_del_plazo(periodo: Periodo) -> datetime:
    """00:00 of the opening day, Mexico City."""
    return datetime.combine(apertura(periodo), time.min, tzinfo=ZONA)


def fin_del_plazo(periodo: Periodo, inhabiles: Collection[date] | None = None) -> datetime:
    """23:59:59.999999 of the last day, Mexico City: any instant up to it is on time."""
    return datetime.combine(vencimiento(periodo, inhabiles), time.max, tzinfo=ZONA)


def a_tiempo(periodo: Periodo, momento: datetime, inhabiles: Collection[date] | None = None) -> bool:
    """Whether something filed at ``momento`` (aware) meets the deadline."""
    return _con_zona(momento) <= fin_del_plazo(periodo, inhabiles)


def plazo_abierto(periodo: Periodo, ahora: datetime, inhabiles: Collection[date] | None = None) -> bool:
    """Whether ``ahora`` (aware) is inside the filing window."""
    hoy = hoy_en_mexico(ahora)
    return apertura(periodo) <= hoy <= vencimiento(periodo, inhabiles)


def periodo_en_curso(ahora: datetime) -> Periodo:
    """The period today (Mexico City) belongs to."""
    return Periodo.de_fecha(hoy_en_mexico(ahora))


def periodo_por_presentar(ahora: datetime) -> Periodo:
    """The most recent period whose filing window has opened: the one before the period in course."""
    return periodo_en_curso(ahora).anterior


def plazo_en_palabras(periodo: Periodo, ahora: datetime, inhabiles: Collection[date] | None = None) -> str:
    """The deadline as the workspace says it, from today's point of view (Mexico City):

    * not open yet: "se presenta del 1 al 18 de enero de 2027"
    * open: "vence el lunes 18 de enero de 2027, faltan 12 días" / "vence mañana, lunes 18 de enero de 2027"
      / "vence hoy, lunes 18 de enero de 2027"
    * closed: "venció el jueves 17 de septiembre de 2026"
    """
    hoy = hoy_en_mexico(ahora)
    ultimo = vencimiento(periodo, inhabiles)
    if hoy < apertura(periodo):
        return f"se presenta del 1 al {ultimo.day} de {MESES[ultimo.month - 1]} de {ultimo.year}"
    if hoy > ultimo:
        return f"venció el {fecha_larga(ultimo)}"
    faltan = (ultimo - hoy).days
    if faltan == 0:
        return f"vence hoy, {fecha_larga(ultimo)}"
    if faltan == 1:
        return f"vence mañana, {fecha_larga(ultimo)}"
    return f"vence el {fecha_larga(ultimo)}, faltan {faltan} días"
