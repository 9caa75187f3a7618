"""Unit tests for domain.recordatorios: which reminders fall due on a day (calendar days before the
deadline, which itself moves past weekends and días inhábiles), and the subject's first words."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.periodos import Periodo
from domain.recordatorios import Recordatorio, faltan, recordatorios_del_dia

SIN_INHABILES: frozenset[date] = frozenset()


def _del_anio(anio: int, dias, inhabiles=SIN_INHABILES) -> list[tuple[date, Recordatorio]]:
    inicio = date(anio, 1, 1)
    return [(d, r) for d in (inicio + timedelta(days=n) for n in range(366)) if d.year == anio
            for r in recordatorios_del_dia(d, dias, inhabiles)]


def test_seis_al_anio_siete_y_dos_dias_antes_de_cada_vencimiento():
    # 2027: 17 de enero is a Sunday (→ lunes 18), 17 de mayo a Monday, 17 de septiembre a Friday.
    assert _del_anio(2027, (7, 2)) == [
        (date(2027, 1, 11), Recordatorio(Periodo(2026, 3), 7, date(2027, 1, 18))),
        (date(2027, 1, 16), Recordatorio(Periodo(2026, 3), 2, date(2027, 1, 18))),
        (date(2027, 5, 10), Recordatorio(Periodo(2027, 1), 7, date(2027, 5, 17))),
        (date(2027, 5, 15), Recordatorio(Periodo(2027, 1), 2, date(2027, 5, 17))),
        (date(2027, 9, 10), Recordatorio(Periodo(2027, 2), 7, date(2027, 9, 17))),
        (date(2027, 9, 15), Recordatorio(Periodo(2027, 2), 2, date(2027, 9, 17))),
    ]


def test_un_dia_inhabil_recorre_el_vencimiento_y_sus_recordatorios():
    # The SAT declares jueves 17 de septiembre de 2026 inhábil: due on viernes 18.
    dias = [d for d, _ in _del_anio(2026, (7, 2), frozenset({date(2026, 9, 17)})) if d.month == 9]
    assert dias == [date(2026, 9, 11), date(2026, 9, 16)]


def test_por_omision_usa_el_calendario_del_csv():
    # The CSV's 2026 holidays do not touch 17 de mayo (a Sunday → lunes 18).
    assert recordatorios_del_dia(date(2026, 5, 11), (7, 2)) == [Recordatorio(Periodo(2026, 1), 7, date(2026, 5, 18))]
    assert recordatorios_del_dia(date(2026, 5, 10), (7, 2)) == []


def test_otros_dias_configurados_y_repetidos():
    assert recordatorios_del_dia(date(2026, 9, 7), (10, 10, 3), SIN_INHABILES) == [
        Recordatorio(Periodo(2026, 2), 10, date(2026, 9, 17))]
    # Far enough back that the day is inside the period itself.
    assert recordatorios_del_dia(date(2026, 8, 18), (30,), SIN_INHABILES) == [
        Recordatorio(Periodo(2026, 2), 30, date(2026, 9, 17))]
    assert recordatorios_del_dia(date(2026, 9, 17), (0,), SIN_INHABILES) == [
        Recordatorio(Periodo(2026, 2), 0, date(2026, 9, 17))]
    assert recordatorios_del_dia(date(2026, 9, 10), (), SIN_INHABILES) == []


@pytest.mark.parametrize("dias, texto", [(7, "Faltan 7 días"), (2, "Faltan 2 días"), (1, "Falta 1 día"),
                                         (0, "Hoy es el último día")])
def test_faltan(dias, texto):
    assert faltan(dias) == texto
