"""Unit tests for domain.calendario: the CSV of días inhábiles, business days and dates in Spanish."""
from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from domain.calendario import (
    RUTA_DIAS_INHABILES,
    CalendarioInvalido,
    dia_mes_anio,
    dias_inhabiles,
    es_dia_habil,
    fecha_larga,
    siguiente_dia_habil,
)
from domain.errores import ErrorDeDominio

ANIOS = range(2024, 2031)


def _lunes(anio: int, mes: int, n: int) -> date:
    """The n-th Monday of the month."""
    primero = date(anio, mes, 1)
    return primero + timedelta(days=(7 - primero.weekday()) % 7, weeks=n - 1)


def _lft(anio: int) -> dict[str, date]:
    """LFT art. 74, recomputed here so the CSV is checked against the law, not against itself."""
    dias = {
        "Año Nuevo": date(anio, 1, 1),
        "Aniversario de la Constitución (primer lunes de febrero)": _lunes(anio, 2, 1),
        "Natalicio de Benito Juárez (tercer lunes de marzo)": _lunes(anio, 3, 3),
        "Día del Trabajo": date(anio, 5, 1),
        "Día de la Independencia": date(anio, 9, 16),
        "Aniversario de la Revolución (tercer lunes de noviembre)": _lunes(anio, 11, 3),
        "Navidad": date(anio, 12, 25),
    }
    if (anio - 2024) % 6 == 0:  # 1 de octubre, every six years from 2024
        dias["Transmisión del Poder Ejecutivo Federal"] = date(anio, 10, 1)
    return dias


def _filas() -> list[dict[str, str]]:
    with RUTA_DIAS_INHABILES.open(encoding="utf-8", newline="") as archivo:
        return list(csv.DictReader(archivo))


def _csv(tmp_path, texto: str, encoding: str = "utf-8"):
    ruta = tmp_path / "inhabiles.csv"
    ruta.write_text(texto, encoding=encoding)
    return ruta


# --- the CSV of the repository -------------------------------------------------------------------


def test_el_csv_se_carga_y_cada_fila_es_una_fecha_valida():
    inhabiles = dias_inhabiles()
    filas = _filas()
    assert len(inhabiles) == len(filas) > 0
    assert all(date.fromisoformat(f["fecha"]) in inhabiles and f["motivo"].strip() for f in filas)


def test_el_csv_coincide_con_la_lft_de_2024_a_2030():
    # Rows with another motivo (días the IMSS or the SAT declare) may be added; the LFT ones must be exact.
    en_csv: dict[tuple[int, str], date] = {}
    for fila in _filas():
        fecha = date.fromisoformat(fila["fecha"])
        if ANIOS.start <= fecha.year < ANIOS.stop and fila["motivo"] in _lft(fecha.year):
            assert (fecha.year, fila["motivo"]) not in en_csv, fila
            en_csv[(fecha.year, fila["motivo"])] = fecha
    calculado = {(anio, motivo): fecha for anio in ANIOS for motivo, fecha in _lft(anio).items()}
    assert en_csv == calculado
    assert calculado[(2024, "Transmisión del Poder Ejecutivo Federal")] == date(2024, 10, 1)
    assert (2027, "Transmisión del Poder Ejecutivo Federal") not in calculado


@pytest.mark.parametrize("fecha", [
    date(2024, 2, 5), date(2024, 3, 18), date(2024, 11, 18), date(2025, 2, 3), date(2025, 3, 17),
    date(2025, 11, 17), date(2026, 2, 2), date(2026, 3, 16), date(2026, 11, 16), date(2030, 10, 1),
])
def test_lunes_conocidos(fecha):
    assert fecha in dias_inhabiles()


def test_los_lunes_moviles_son_lunes():
    for anio in ANIOS:
        for motivo, fecha in _lft(anio).items():
            if "lunes" in motivo:
                assert fecha.weekday() == 0, (anio, motivo)


def test_la_carga_se_guarda_en_cache():
    assert dias_inhabiles() is dias_inhabiles()
    assert dias_inhabiles(RUTA_DIAS_INHABILES) is dias_inhabiles(str(RUTA_DIAS_INHABILES))


# --- loading another file ------------------------------------------------------------------------


def test_otra_ruta(tmp_path):
    ruta = _csv(tmp_path, "fecha,motivo\n2026-04-02,Jueves Santo (SAT)\n\n2026-04-03,Viernes Santo (SAT)\n")
    assert dias_inhabiles(ruta) == {date(2026, 4, 2), date(2026, 4, 3)}


def test_acepta_el_bom_de_una_hoja_de_calculo(tmp_path):
    ruta = _csv(tmp_path, "fecha,motivo\r\n2026-04-02,Jueves Santo\r\n", encoding="utf-8-sig")
    assert dias_inhabiles(ruta) == {date(2026, 4, 2)}


@pytest.mark.parametrize("texto,fragmento", [
    ("fecha,motivo\n2026-01-01,Año Nuevo\n2026-02-30,Nada\n", "línea 3: la fecha «2026-02-30» no es válida"),
    ("fecha,motivo\n01/01/2026,Año Nuevo\n", "línea 2: la fecha «01/01/2026» no es válida; usa el formato AAAA-MM-DD"),
    ("fecha,motivo\n20260101,Año Nuevo\n", "línea 2: la fecha «20260101» no es válida"),
    ("fecha,motivo\n2026-01-01,\n", "línea 2: falta el motivo del día 2026-01-01"),
    ("fecha,motivo\n2026-01-01\n", "línea 2: se esperaban 2 columnas (fecha,motivo) y hay 1"),
    ("fecha,motivo\n2026-01-01,Año Nuevo,otro\n", "línea 2: se esperaban 2 columnas"),
    ("fecha,motivo\n2026-01-01,Año Nuevo\n\n2026-01-01,Otra vez\n",
     "línea 4: la fecha 2026-01-01 ya está en la línea 2"),
    ("fecha;motivo\n2026-01-01;Año Nuevo\n", "línea 1: el encabezado debe ser «fecha,motivo»"),
    ("2026-01-01,Año Nuevo\n", "línea 1: el encabezado"),
    ("", "línea 1: el encabezado"),
])
def test_csv_invalido_nombra_la_linea(tmp_path, texto, fragmento):
    ruta = _csv(tmp_path, texto)
    with pytest.raises(CalendarioInvalido) as exc:
        dias_inhabiles(ruta)
    assert fragmento in exc.value.mensaje
    assert str(ruta) in exc.value.mensaje
    assert isinstance(exc.value, ErrorDeDominio)


def test_archivo_inexistente(tmp_path):
    with pytest.raises(CalendarioInvalido, match="No se pudo leer el archivo de días inhábiles"):
        dias_inhabiles(tmp_path / "no-existe.csv")


# --- business days and dates in Spanish ---------------------------------------------------------


def test_dia_habil():
    inhabiles = {date(2026, 9, 16)}
    assert es_dia_habil(date(2026, 9, 15), inhabiles)
    assert not es_dia_habil(date(2026, 9, 16), inhabiles)
    assert not es_dia_habil(date(2026, 9, 19), inhabiles)  # Saturday
    assert not es_dia_habil(date(2026, 9, 20), inhabiles)  # Sunday
    assert siguiente_dia_habil(date(2026, 9, 15), inhabiles) == date(2026, 9, 15)
    assert siguiente_dia_habil(date(2026, 9, 16), inhabiles) == date(2026, 9, 17)
    assert siguiente_dia_habil(date(2026, 9, 19), inhabiles) == date(2026, 9, 21)


def test_fecha_larga_sin_depender_del_locale():
    semana = [fecha_larga(date(2026, 5, 18) + timedelta(days=i)) for i in range(7)]
    assert semana == [
        "lunes 18 de mayo de 2026", "martes 19 de mayo de 2026", "miércoles 20 de mayo de 2026",
        "jueves 21 de mayo de 2026", "viernes 22 de mayo de 2026", "sábado 23 de mayo de 2026",
        "domingo 24 de mayo de 2026",
    ]
    meses = [fecha_larga(date(2027, mes, 1)).split(" de ")[1] for mes in range(1, 13)]
    assert meses == ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                     "octubre", "noviembre", "diciembre"]
    assert dia_mes_anio(date(2027, 1, 1)) == "1 de enero de 2027"
