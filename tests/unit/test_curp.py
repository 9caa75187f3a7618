"""Unit tests for domain.curp (pure Python, no app needed)."""
from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from domain.curp import (
    ENTIDADES,
    PALABRAS_INCONVENIENTES,
    CurpInvalida,
    DatosCurp,
    digito_verificador,
    es_valida,
    normalizar,
    validar,
)

HOY = date(2024, 6, 1)

# Published examples whose check digit was verified independently (python-stdnum's test
# data and the worked example in the RENAPO instructivo), plus ones built for this suite
# and checked with _suma_es_multiplo_de_10 below.
VALIDAS = [
    # curp, fecha, sexo, entidad, entidad_nombre
    ("HEGG560427MVZRRL04", date(1956, 4, 27), "M", "VZ", "Veracruz de Ignacio de la Llave"),
    ("BEML920313HMCLNS09", date(1992, 3, 13), "H", "MC", "Estado de México"),
    ("PEGL890909MJCRMS08", date(1989, 9, 9), "M", "JC", "Jalisco"),
    ("SABC560626MDFLRN01", date(1956, 6, 26), "M", "DF", "Ciudad de México"),
    # born 2000+, letter in position 17
    ("CUXM030304MDFRXRA8", date(2003, 3, 4), "M", "DF", "Ciudad de México"),
    # 00-02-29 with a letter in position 17 -> 2000-02-29 (leap year), sexo X
    ("ROLA000229XDFDPNA1", date(2000, 2, 29), "X", "DF", "Ciudad de México"),
    # nacido en el extranjero, Ñ replaced by X in 14-16
    ("NUPI850304HNEXXX08", date(1985, 3, 4), "H", "NE", "Nacido en el extranjero"),
    # sexo X, nacido en el extranjero, last day before 2000
    ("SOTA991231XNERND09", date(1999, 12, 31), "X", "NE", "Nacido en el extranjero"),
]

_TABLA = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def _suma_es_multiplo_de_10(curp: str) -> bool:
    """Instructivo's formulation: weights 18..1 over all 18 characters, sum ≡ 0 (mod 10)."""
    return sum(_TABLA.index(c) * (18 - i) for i, c in enumerate(curp)) % 10 == 0


def _con_digito(curp17: str) -> str:
    return curp17 + digito_verificador(curp17)


def _es_espanol(mensaje: str) -> bool:
    """Rough check that the user sees Spanish text about the CURP, not an English/raw error."""
    palabras = re.search(r"\b(la|el|de|debe|no|ser|posición|posiciones)\b", mensaje, re.I)
    return bool(palabras) and ("CURP" in mensaje or "posición" in mensaje)


def _falla(texto: str, hoy: date = HOY) -> CurpInvalida:
    with pytest.raises(CurpInvalida) as info:
        validar(texto, hoy=hoy)
    exc = info.value
    assert str(exc) == exc.mensaje
    assert _es_espanol(exc.mensaje), exc.mensaje
    return exc


# --- valid CURPs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "curp", [c for c, *_ in VALIDAS] + ["BACA890909MJCRMS05", "SOTA991231XNERNDB7"]
)
def test_ejemplos_cumplen_la_formula_del_instructivo(curp):
    assert _suma_es_multiplo_de_10(curp)
    assert digito_verificador(curp[:17]) == curp[17]


@pytest.mark.parametrize("curp,fecha,sexo,entidad,nombre_entidad", VALIDAS)
def test_validas(curp, fecha, sexo, entidad, nombre_entidad):
    datos = validar(curp, hoy=HOY)
    assert datos == DatosCurp(curp=curp, fecha_nacimiento=fecha, sexo=sexo, entidad=entidad)
    assert datos.entidad_nombre == nombre_entidad
    assert es_valida(curp, hoy=HOY)


def test_letra_en_posicion_17_con_99_es_2099_y_se_rechaza_por_futura():
    exc = _falla("SOTA991231XNERNDB7")
    assert exc.codigo == "fecha"
    assert "posterior a hoy" in exc.mensaje
    # ...but it is a well-formed CURP once that date is in the past
    assert validar("SOTA991231XNERNDB7", hoy=date(2100, 1, 1)).fecha_nacimiento == date(2099, 12, 31)


@pytest.mark.parametrize(
    "texto",
    [" hegg 560427mvzrrl04 ", "HEGG560427MVZRRL04\n", "hegg\t560427 mvz rrl 04", "HeGg560427mVzRrL04"],
)
def test_minusculas_y_espacios_se_normalizan(texto):
    assert validar(texto, hoy=HOY).curp == "HEGG560427MVZRRL04"


@pytest.mark.parametrize(
    "texto,esperado",
    [
        ("  ñu ñez ", "ÑUÑEZ"),
        ("n\u0303u", "ÑU"),  # N + combining tilde
        ("a b\tc\nd", "ABCD"),
        ("", ""),
    ],
)
def test_normalizar(texto, esperado):
    assert normalizar(texto) == esperado


@pytest.mark.parametrize("codigo", sorted(ENTIDADES))
def test_todas_las_entidades_se_aceptan(codigo):
    curp = _con_digito(f"HEGG560427M{codigo}RRL0")
    assert validar(curp, hoy=HOY).entidad_nombre == ENTIDADES[codigo]


def test_catalogos():
    assert len(ENTIDADES) == 33
    assert ENTIDADES["NE"] == "Nacido en el extranjero"
    assert len(PALABRAS_INCONVENIENTES) == 81
    assert {"BACA", "WUEY", "QULO", "RUIN"} <= PALABRAS_INCONVENIENTES
    assert all(len(p) == 4 and p.isalpha() and p.isupper() for p in PALABRAS_INCONVENIENTES)


def test_datos_curp_es_inmutable():
    datos = validar("HEGG560427MVZRRL04", hoy=HOY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        datos.sexo = "H"  # type: ignore[misc]


@pytest.mark.parametrize(
    "curp17,digito",
    [
        ("HEGG560427MVZRRL0", "4"),
        ("BEML920313HMCLNS0", "9"),
        ("PEGL890909MJCRMS0", "8"),
        ("BACA890909MJCRMS0", "5"),
        ("SABC560626MDFLRN0", "1"),
        ("hegg560427mvzrrl0", "4"),
    ],
)
def test_digito_verificador(curp17, digito):
    assert digito_verificador(curp17) == digito


@pytest.mark.parametrize("curp17", ["HEGG560427MVZRRL", "HEGG560427MVZRRL04", "HEGG560427MVZRR-0"])
def test_digito_verificador_exige_17_caracteres_validos(curp17):
    with pytest.raises(ValueError):
        digito_verificador(curp17)


# --- failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texto,n",
    [("HEGG560427MVZRRL0", 17), ("HEGG560427MVZRRL041", 19), ("", 0), ("   ", 0)],
)
def test_longitud(texto, n):
    exc = _falla(texto)
    assert exc.codigo == "longitud"
    assert exc.mensaje == f"La CURP debe tener 18 caracteres; capturaste {n}."


@pytest.mark.parametrize(
    "texto",
    ["HÉGG560427MVZRRL04", "HEGG-560427MVZRRL0", "HEGG560427MVZRRL0.", "HEGG560427MVZRRL0*"],
)
def test_caracteres(texto):
    assert _falla(texto).codigo == "caracteres"


@pytest.mark.parametrize(
    "curp17,posicion",
    [
        ("1EGG560427MVZRRL0", "posición 1"),
        ("HRGG560427MVZRRL0", "posición 2"),
        ("H1GG560427MVZRRL0", "posición 2"),
        ("HE1G560427MVZRRL0", "posiciones 3 y 4"),
        ("HEG9560427MVZRRL0", "posiciones 3 y 4"),
    ],
)
def test_estructura_de_las_letras_iniciales(curp17, posicion):
    exc = _falla(_con_digito(curp17))
    assert exc.codigo == "estructura"
    assert posicion in exc.mensaje


def test_x_en_la_segunda_posicion_es_valida():
    # RENAPO puts X when the primer apellido has no internal vowel
    assert es_valida(_con_digito("UXMA560427MVZXRL0"), hoy=HOY)


@pytest.mark.parametrize(
    "curp17",
    [
        "GAXX990230HDFRXX0",  # 30 de febrero
        "GAXX010229HDFRXX0",  # 2001 no es bisiesto (1901 tampoco)
        "GAXX010229HDFRXXA",  # ni con letra
        "GAXX991301HDFRXX0",  # mes 13
        "GAXX990000HDFRXX0",  # mes 0
        "GAXX990431HDFRXX0",  # 31 de abril
        "GAXX99O101HDFRXX0",  # letra O en lugar de cero
    ],
)
def test_fecha_imposible(curp17):
    assert _falla(_con_digito(curp17)).codigo == "fecha"


def test_29_de_febrero_de_1900_no_existe_aunque_en_2000_si():
    # digit in position 17 -> 1900, which is not a leap year
    exc = _falla(_con_digito("ROLA000229MDFDPN0"))
    assert exc.codigo == "fecha"
    assert "1900" in exc.mensaje and "posición 17" in exc.mensaje
    # same date with a letter -> 2000-02-29
    assert validar(_con_digito("ROLA000229MDFDPNA"), hoy=HOY).fecha_nacimiento == date(2000, 2, 29)


@pytest.mark.parametrize(
    "curp17,siglo",
    [("BEML920313HMCLNS0", 1992), ("BEML920313HMCLNSA", 2092), ("BEML050313HMCLNS0", 1905),
     ("BEML050313HMCLNSZ", 2005)],
)
def test_la_posicion_17_decide_el_siglo(curp17, siglo):
    curp = _con_digito(curp17)
    hoy = date(2100, 1, 1)
    assert validar(curp, hoy=hoy).fecha_nacimiento.year == siglo


@pytest.mark.parametrize("sexo", ["Q", "F", "0", "Ñ"])
def test_sexo(sexo):
    exc = _falla(_con_digito(f"HEGG560427{sexo}VZRRL0"))
    assert exc.codigo == "sexo"
    assert exc.mensaje == "El sexo (posición 11) debe ser H, M o X."


@pytest.mark.parametrize("entidad", ["QQ", "EX", "DC", "MX", "12"])
def test_entidad(entidad):
    exc = _falla(_con_digito(f"HEGG560427M{entidad}RRL0"))
    assert exc.codigo == "entidad"
    assert entidad in exc.mensaje


@pytest.mark.parametrize("consonantes", ["ARL", "RAL", "RRE", "RR1"])
def test_consonantes(consonantes):
    assert _falla(_con_digito(f"HEGG560427MVZ{consonantes}0")).codigo == "consonantes"


def test_consonantes_admite_enie():
    assert es_valida(_con_digito("NUPI850304HNEÑXX0"), hoy=HOY)


def test_diferenciador_no_admite_enie():
    exc = _falla(_con_digito("HEGG560427MVZRRLÑ"))
    assert exc.codigo == "diferenciador"
    assert "posición 17" in exc.mensaje


@pytest.mark.parametrize("palabra", ["BACA", "PUTO", "LOCO", "WUEY", "QULO"])
def test_palabra_inconveniente(palabra):
    curp = _con_digito(f"{palabra}890909MJCRMS0")  # correct digit: only the word is wrong
    assert digito_verificador(curp[:17]) == curp[17]
    exc = _falla(curp)
    assert exc.codigo == "altisonante"
    assert palabra in exc.mensaje and "X en la segunda letra" in exc.mensaje
    # RENAPO's substitute is accepted
    assert es_valida(_con_digito(f"{palabra[0]}X{palabra[2:]}890909MJCRMS0"), hoy=HOY)


def test_palabra_inconveniente_de_stdnum():
    assert _falla("BACA890909MJCRMS05").codigo == "altisonante"


@pytest.mark.parametrize(
    "texto",
    [
        "HEGG560427MVZRRL05",
        "HEGG560427MVZRRL03",
        "BEML920313HMCLNS00",
        "GODE561231HDFRRN04",  # example seen around the web; its digit should be 0
        "HEGG560427MVZRRL0A",
        "HEGG560427MVZRRL0Ñ",
    ],
)
def test_digito_verificador_incorrecto(texto):
    exc = _falla(texto)
    assert exc.codigo == "digito"
    assert exc.mensaje == (
        "El dígito verificador de la CURP no es válido; "
        "revisa que la hayas capturado correctamente."
    )
    assert not re.search(r"\d", exc.mensaje)  # does not leak the expected digit


def test_un_caracter_cambiado_se_detecta():
    # swapping two digits of the year (56 -> 65) keeps a valid date: only the digit catches it
    assert _falla("HEGG650427MVZRRL04").codigo == "digito"


def test_orden_de_las_validaciones():
    # several problems at once: the first one in the documented order is reported
    casos = [
        ("BACA" "991332" "Q" "QQ" "AAA" "9", "longitud"),  # 17 characters
        ("BACA" "991332" "Q" "QQ" "AAA" "9" "-", "caracteres"),
        ("BRCA" "991332" "Q" "QQ" "AAA" "9" "9", "estructura"),
        ("BACA" "991332" "Q" "QQ" "AAA" "9" "9", "fecha"),
        ("BACA" "991231" "Q" "QQ" "AAA" "9" "9", "sexo"),
        ("BACA" "991231" "H" "QQ" "AAA" "9" "9", "entidad"),
        ("BACA" "991231" "H" "DF" "AAA" "9" "9", "consonantes"),
        ("BACA" "991231" "H" "DF" "RRR" "9" "9", "altisonante"),
        ("BXCA" "991231" "H" "DF" "RRR" "9" "9", "digito"),
    ]
    for texto, codigo in casos:
        assert _falla(texto).codigo == codigo, texto


def test_diferenciador_se_revisa_junto_con_la_fecha():
    # position 17 decides the century, so an Ñ there is reported before sexo/entidad
    assert _falla("BACA" "991231" "Q" "QQ" "AAA" "Ñ" "9").codigo == "diferenciador"
    assert _falla("BACA" "991332" "Q" "QQ" "AAA" "Ñ" "9").codigo == "diferenciador"


@pytest.mark.parametrize("texto", ["", "HEGG560427MVZRRL05", "XXXX", "BACA890909MJCRMS05"])
def test_es_valida_falso(texto):
    assert es_valida(texto, hoy=HOY) is False


def test_validar_sin_hoy_usa_la_fecha_actual():
    assert validar("HEGG560427MVZRRL04").fecha_nacimiento == date(1956, 4, 27)
    assert es_valida("HEGG560427MVZRRL04")


def test_curp_invalida_es_value_error():
    exc = CurpInvalida("sexo", "El sexo (posición 11) debe ser H, M o X.")
    assert isinstance(exc, ValueError)
    assert str(exc) == exc.mensaje
    assert exc.codigo == "sexo"
