"""Which filing reminders fall due on a given day: a pure rule, no database.

A reminder goes ``dias`` **calendar** days before a period's deadline (``periodos.vencimiento``, the
17th or the next business day), counted on Mexico City's calendar: with ``RECORDATORIO_DIAS = (7, 2)``
and a deadline on lunes 18 de mayo de 2026, the reminders fall on lunes 11 and sábado 16 de mayo
(weekends and días inhábiles count as days here; only the deadline itself moves for them).

A deadline always falls in the first month of the period after its own (the 17th, moved forward a few
days at most), so the period due on a date is the one before the period that date belongs to: the rule
asks only whether that period's deadline is exactly that date.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.periodos import Periodo, vencimiento

__all__ = ["Recordatorio", "faltan", "recordatorios_del_dia"]


@dataclass(frozen=True)
class Recordatorio:
    """The reminder of ``periodo`` sent ``dias`` days before its deadline, ``vence``."""

    periodo: Periodo
    dias: int
    vence: date


def recordatorios_del_dia(hoy: date, dias: Iterable[int], inhabiles: Collection[date] | None = None
                          ) -> list[Recordatorio]:
    """The reminders due on ``hoy`` (a date in Mexico City): one for each of ``dias`` for which a
    period's deadline is exactly that many calendar days after ``hoy``."""
    debidos = []
    for d in sorted(set(dias), reverse=True):
        fecha = hoy + timedelta(days=d)
        periodo = Periodo.de_fecha(fecha).anterior
        if vencimiento(periodo, inhabiles) == fecha:
            debidos.append(Recordatorio(periodo, d, fecha))
    return debidos


def faltan(dias: int) -> str:
    """'Faltan 7 días' / 'Falta 1 día' / 'Hoy es el último día': a subject goes on "… para presentar"."""
    if dias == 0:
        return "Hoy es el último día"
    return "Falta 1 día" if dias == 1 else f"Faltan {dias} días"
