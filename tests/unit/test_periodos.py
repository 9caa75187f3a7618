"""Unit tests for domain.periodos: the cuatrimestres, their filing deadlines and the workspace's texts."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.errores import ErrorDeDominio
from domain.periodos import (
    Periodo,
    PeriodoInvalido,
    a_tiempo,
    apertura,
    fin_del_plazo,
    inicio_del_plazo,
    periodo_en_curso,
    periodo_por_presentar,
    plazo_abierto,
    plazo_en_palabras,
    vencimiento,
)

CDMX = ZoneInfo("America/Mexico_City")
TIJUANA = ZoneInfo("America/Tijuana")
CANCUN = ZoneInfo("America/Cancun")
SIN_INHABILES: frozenset[date] = frozenset()


def _cdmx(*args: int) -> datetime:
    return datetime(*args, tzinfo=CDMX)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# --- the periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("numero,inicio,fin,meses", [
    (1, date(2026, 1, 1), date(2026, 4, 30), "enero–abril"),
    (2, date(2026, 5, 1), date(2026, 8, 31), "mayo–agosto"),
    (3, date(2026, 9, 1), date(2026, 12, 31), "septiembre–diciembre"),
])
def test_limites_de_cada_periodo(numero, inicio, fin, meses):
    p = Periodo(2026, numero)
    assert (p.inicio, p.fin, p.meses) == (inicio, fin, meses)
    assert p.contiene(inicio) and p.contiene(fin)
    assert not p.contiene(inicio - timedelta(days=1)) and not p.contiene(fin + timedelta(days=1))
    assert Periodo.de_fecha(inicio) == Periodo.de_fecha(fin) == p


def test_anio_bisiesto():
    bisiesto, normal = Periodo(2028, 1), Periodo(2026, 1)
    assert bisiesto.contiene(date(2028, 2, 29))
    assert Periodo.de_fecha(date(2028, 2, 29)) == bisiesto
    assert (bisiesto.fin - bisiesto.inicio).days + 1 == 121
    assert (normal.fin - normal.inicio).days + 1 == 120
    # the other periods do not change with a leap year
    assert [(Periodo(2028, n).fin - Periodo(2028, n).inicio).days + 1 for n in (2, 3)] == [123, 122]


def test_los_periodos_cubren_el_anio_sin_huecos_ni_traslapes():
    dia, fin = date(2027, 12, 25), date(2029, 1, 5)
    while dia <= fin:
        contienen = [p for a in (2027, 2028, 2029) for n in (1, 2, 3) if (p := Periodo(a, n)).contiene(dia)]
        assert contienen == [Periodo.de_fecha(dia)], dia
        dia += timedelta(days=1)


def test_siguiente_y_anterior_cruzan_el_anio():
    assert Periodo(2026, 1).siguiente == Periodo(2026, 2)
    assert Periodo(2026, 3).siguiente == Periodo(2027, 1)
    assert Periodo(2027, 1).anterior == Periodo(2026, 3)
    assert Periodo(2026, 2).anterior == Periodo(2026, 1)
    p = Periodo(2024, 1)
    for _ in range(10):
        assert p.siguiente.anterior == p and p.siguiente.inicio == p.fin + timedelta(days=1)
        p = p.siguiente


def test_orden():
    desordenados = [Periodo(2026, 2), Periodo(2025, 3), Periodo(2026, 1), Periodo(2027, 1)]
    assert sorted(desordenados) == [Periodo(2025, 3), Periodo(2026, 1), Periodo(2026, 2), Periodo(2027, 1)]
    assert Periodo(2025, 3) < Periodo(2026, 1) <= Periodo(2026, 1) < Periodo(2026, 2)
    assert max(desordenados) == Periodo(2027, 1)


def test_nombres():
    p = Periodo(2026, 1)
    assert p.nombre == "primer cuatrimestre de 2026 (enero–abril)"
    assert p.titulo == "Primer cuatrimestre de 2026 (enero–abril)"
    assert Periodo(2026, 2).titulo == "Segundo cuatrimestre de 2026 (mayo–agosto)"
    assert Periodo(2026, 3).nombre == "tercer cuatrimestre de 2026 (septiembre–diciembre)"
    assert p.rango == "del 1 de enero al 30 de abril de 2026"
    assert Periodo(2028, 3).rango == "del 1 de septiembre al 31 de diciembre de 2028"


@pytest.mark.parametrize("periodo,clave", [(Periodo(2026, 1), "2026-1"), (Periodo(2027, 3), "2027-3")])
def test_clave_ida_y_vuelta(periodo, clave):
    assert periodo.clave == clave
    assert Periodo.de_clave(clave) == periodo
    assert Periodo.de_clave(f" {clave} ") == periodo


@pytest.mark.parametrize("clave", ["", "2026", "2026-4", "2026-0", "26-1", "2026/1", "٢٠٢٦-1", "0000-1"])
def test_clave_invalida(clave):
    with pytest.raises(PeriodoInvalido) as exc:
        Periodo.de_clave(clave)
    assert "periodo" in exc.value.mensaje.lower()


@pytest.mark.parametrize("anio,numero,fragmento", [
    (2026, 0, "cuatrimestre debe ser 1"), (2026, 4, "cuatrimestre debe ser 1"), (2026, "1", "cuatrimestre"),
    (0, 1, "año"), (9999, 1, "año"), ("2026", 1, "año"), (2026.0, 1, "año"),
])
def test_periodo_invalido(anio, numero, fragmento):
    with pytest.raises(PeriodoInvalido) as exc:
        Periodo(anio, numero)
    assert fragmento in exc.value.mensaje
    assert isinstance(exc.value, ErrorDeDominio)


def test_periodo_es_inmutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Periodo(2026, 1).numero = 2  # type: ignore[misc]


# --- deadlines -----------------------------------------------------------------------------------


@pytest.mark.parametrize("periodo,abre,vence", [
    (Periodo(2026, 1), date(2026, 5, 1), date(2026, 5, 18)),    # 17 is a Sunday → Monday 18
    (Periodo(2026, 2), date(2026, 9, 1), date(2026, 9, 17)),    # Thursday
    (Periodo(2026, 3), date(2027, 1, 1), date(2027, 1, 18)),    # next year; Sunday → Monday 18
    (Periodo(2025, 1), date(2025, 5, 1), date(2025, 5, 19)),    # Saturday → Monday 19
    (Periodo(2025, 3), date(2026, 1, 1), date(2026, 1, 19)),    # Saturday → Monday 19
    (Periodo(2024, 2), date(2024, 9, 1), date(2024, 9, 17)),    # Tuesday, right after 16 de septiembre
    (Periodo(2027, 1), date(2027, 5, 1), date(2027, 5, 17)),    # Monday
    (Periodo(2028, 2), date(2028, 9, 1), date(2028, 9, 18)),    # Sunday → Monday 18
])
def test_vencimiento_de_anios_reales(periodo, abre, vence):
    assert apertura(periodo) == abre
    assert vencimiento(periodo) == vence  # with the CSV
    assert vencimiento(periodo, SIN_INHABILES) == vence  # LFT holidays never touch a 17th


def test_un_17_inhabil_pasa_al_siguiente_dia_habil():
    assert vencimiento(Periodo(2026, 2), {date(2026, 9, 17)}) == date(2026, 9, 18)  # Thursday → Friday


def test_dias_inhabiles_encadenados():
    # Thursday 17 and Friday 18 inhábiles, then the weekend: Monday 21.
    assert vencimiento(Periodo(2026, 2), {date(2026, 9, 17), date(2026, 9, 18)}) == date(2026, 9, 21)
    # Sunday 17 → Monday 18 is inhábil too → Tuesday 19.
    assert vencimiento(Periodo(2026, 1), frozenset({date(2026, 5, 18)})) == date(2026, 5, 19)


def test_un_inhabil_fuera_del_plazo_no_lo_mueve():
    assert vencimiento(Periodo(2026, 2), {date(2026, 9, 16), date(2026, 9, 18)}) == date(2026, 9, 17)


def test_el_plazo_es_de_la_ciudad_de_mexico():
    p = Periodo(2026, 1)
    assert inicio_del_plazo(p) == _cdmx(2026, 5, 1)
    fin = fin_del_plazo(p)
    assert fin == _cdmx(2026, 5, 18, 23, 59, 59, 999999)
    assert fin.tzinfo is not None and fin.utcoffset() == timedelta(hours=-6)
    assert fin.astimezone(timezone.utc) == _utc(2026, 5, 19, 5, 59, 59, 999999)
    assert fin_del_plazo(p, {date(2026, 5, 18)}) == _cdmx(2026, 5, 19, 23, 59, 59, 999999)


@pytest.mark.parametrize("momento,esperado", [
    (_utc(2026, 5, 19, 5, 59), True),                        # 23:59 of the 18th in Mexico City
    (_utc(2026, 5, 19, 5, 59, 59, 999999), True),            # the last instant
    (_utc(2026, 5, 19, 6, 0), False),                        # 00:00 of the 19th in Mexico City
    (_utc(2026, 5, 18, 12, 0), True),
    (datetime(2026, 5, 18, 22, 30, tzinfo=TIJUANA), True),   # 23:30 in Mexico City
    (datetime(2026, 5, 18, 23, 30, tzinfo=TIJUANA), False),  # 00:30 in Mexico City: late
    (datetime(2026, 5, 19, 0, 30, tzinfo=CANCUN), True),     # 23:30 in Mexico City: on time
])
def test_a_tiempo_en_cualquier_zona(momento, esperado):
    assert a_tiempo(Periodo(2026, 1), momento) is esperado


@pytest.mark.parametrize("momento,esperado", [
    (_cdmx(2026, 4, 30, 23, 59), False),
    (_utc(2026, 5, 1, 6, 0), True),           # 00:00 of the 1st in Mexico City
    (_cdmx(2026, 5, 18, 23, 59), True),
    (_cdmx(2026, 5, 19, 0, 0), False),
])
def test_plazo_abierto(momento, esperado):
    assert plazo_abierto(Periodo(2026, 1), momento) is esperado


@pytest.mark.parametrize("funcion", [
    lambda m: a_tiempo(Periodo(2026, 1), m),
    lambda m: plazo_abierto(Periodo(2026, 1), m),
    periodo_en_curso,
    periodo_por_presentar,
    lambda m: plazo_en_palabras(Periodo(2026, 1), m),
])
def test_un_datetime_sin_zona_se_rechaza(funcion):
    with pytest.raises(ValueError, match="zona horaria"):
        funcion(datetime(2026, 5, 18, 12, 0))


# --- which period -------------------------------------------------------------------------------


@pytest.mark.parametrize("ahora,en_curso,por_presentar", [
    (_cdmx(2027, 1, 10, 12), Periodo(2027, 1), Periodo(2026, 3)),     # its window is open
    (_cdmx(2026, 11, 30, 12), Periodo(2026, 3), Periodo(2026, 2)),    # its deadline passed in September
    (_cdmx(2026, 5, 1, 0), Periodo(2026, 2), Periodo(2026, 1)),
    (_cdmx(2026, 4, 30, 23, 59), Periodo(2026, 1), Periodo(2025, 3)),
    (_utc(2027, 1, 1, 5, 59), Periodo(2026, 3), Periodo(2026, 2)),    # still 31 de diciembre in Mexico City
    (_utc(2027, 1, 1, 6, 0), Periodo(2027, 1), Periodo(2026, 3)),
])
def test_periodo_en_curso_y_por_presentar(ahora, en_curso, por_presentar):
    assert periodo_en_curso(ahora) == en_curso
    assert periodo_por_presentar(ahora) == por_presentar
    assert apertura(por_presentar) <= ahora.astimezone(CDMX).date()  # its window has opened


# --- the deadline in words ----------------------------------------------------------------------


@pytest.mark.parametrize("periodo,ahora,texto", [
    (Periodo(2026, 3), _cdmx(2026, 12, 31, 23, 59), "se presenta del 1 al 18 de enero de 2027"),
    (Periodo(2026, 3), _cdmx(2026, 9, 1, 9), "se presenta del 1 al 18 de enero de 2027"),
    (Periodo(2026, 3), _cdmx(2027, 1, 1, 0), "vence el lunes 18 de enero de 2027, faltan 17 días"),
    (Periodo(2026, 3), _cdmx(2027, 1, 6, 10), "vence el lunes 18 de enero de 2027, faltan 12 días"),
    (Periodo(2026, 3), _cdmx(2027, 1, 16, 10), "vence el lunes 18 de enero de 2027, faltan 2 días"),
    (Periodo(2026, 3), _cdmx(2027, 1, 17, 10), "vence mañana, lunes 18 de enero de 2027"),
    (Periodo(2026, 3), _cdmx(2027, 1, 18, 0), "vence hoy, lunes 18 de enero de 2027"),
    (Periodo(2026, 3), _utc(2027, 1, 19, 5, 59), "vence hoy, lunes 18 de enero de 2027"),
    (Periodo(2026, 3), _utc(2027, 1, 19, 6, 0), "venció el lunes 18 de enero de 2027"),
    (Periodo(2026, 2), _cdmx(2026, 11, 30, 12), "venció el jueves 17 de septiembre de 2026"),
    (Periodo(2026, 1), _cdmx(2026, 5, 10, 12), "vence el lunes 18 de mayo de 2026, faltan 8 días"),
    (Periodo(2024, 1), _cdmx(2026, 5, 10, 12), "venció el viernes 17 de mayo de 2024"),
])
def test_plazo_en_palabras(periodo, ahora, texto):
    assert plazo_en_palabras(periodo, ahora) == texto


def test_plazo_en_palabras_con_un_17_inhabil():
    assert plazo_en_palabras(Periodo(2026, 2), _cdmx(2026, 9, 17, 9), {date(2026, 9, 17)}) == (
        "vence mañana, viernes 18 de septiembre de 2026"
    )
    assert plazo_en_palabras(Periodo(2026, 2), _cdmx(2026, 8, 1, 9), {date(2026, 9, 17)}) == (
        "se presenta del 1 al 18 de septiembre de 2026"
    )
