"""Unit tests for domain.nss (pure Python, no app needed)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import nss
from domain.errores import ErrorDeDominio

VALIDOS = ["92919084431", "84966311213", "12345678903", "01234567897"]
DIEZ_DIGITOS = st.from_regex(r"\A[0-9]{10}\Z")
AJUSTES = settings(max_examples=300, deadline=None, database=None)


def _falla(texto: str) -> nss.NssInvalido:
    with pytest.raises(nss.NssInvalido) as info:
        nss.validar(texto)
    assert str(info.value) == info.value.mensaje
    assert "NSS" in info.value.mensaje
    return info.value


@pytest.mark.parametrize("texto", VALIDOS)
def test_validos(texto):
    assert nss.validar(texto) == texto
    assert nss.es_valido(texto)
    assert nss.digito_verificador(texto[:10]) == texto[10]


def test_los_ceros_a_la_izquierda_se_conservan():
    assert nss.validar("01234567897") == "01234567897"
    assert nss.validar(" 0123-4567-897 ") == "01234567897"


@pytest.mark.parametrize("texto", ["9291 9084 431", "9291-90-8443-1", "\t92919084431\n", "92 91 90 84 43 1"])
def test_espacios_y_guiones_se_quitan(texto):
    assert nss.validar(texto) == "92919084431"


def test_digito_incorrecto():
    exc = _falla("84966311215")
    assert exc.codigo == "digito"
    assert exc.mensaje.startswith("El NSS no es válido: su dígito verificador no corresponde.")
    assert not re.search(r"\d", exc.mensaje)  # does not leak the expected digit
    assert not nss.es_valido("84966311215")


@pytest.mark.parametrize("texto,n", [("", 0), ("   ", 0), ("9291908443", 10), ("929190844310", 12)])
def test_longitud(texto, n):
    exc = _falla(texto)
    assert exc.codigo == "longitud"
    assert exc.mensaje == f"El NSS debe tener 11 dígitos; capturaste {n}."


@pytest.mark.parametrize("texto", ["9291908443A", "92919.084431", "²2919084431", "٩2919084431", "NSS"])
def test_solo_numeros(texto):
    exc = _falla(texto)
    assert exc.codigo == "caracteres"
    assert exc.mensaje == "El NSS solo puede contener números, sin letras ni otros signos."


def test_nss_invalido_es_error_de_dominio():
    assert issubclass(nss.NssInvalido, ErrorDeDominio)


def test_la_variante_que_duplica_las_otras_posiciones_rechaza_los_validos():
    # The published mistake (weights 2, 1, 2, 1, … from the left) disagrees with every real example.
    def variante(diez: str) -> str:
        suma = 0
        for i, c in enumerate(diez):
            producto = int(c) * (2 if i % 2 == 0 else 1)
            suma += producto - 9 if producto > 9 else producto
        return str((10 - suma % 10) % 10)

    for texto in VALIDOS:
        assert variante(texto[:10]) != texto[10]


@pytest.mark.parametrize("diez", ["123456789", "12345678901", "123456789A", "12345 6789", ""])
def test_digito_verificador_exige_10_digitos(diez):
    with pytest.raises(ValueError):
        nss.digito_verificador(diez)


def test_completar():
    assert nss.completar("0123456789") == "01234567897"
    assert nss.completar("9291908443") == "92919084431"


@AJUSTES
@given(DIEZ_DIGITOS, st.integers(0, 9))
def test_propiedad_solo_el_digito_calculado_valida(diez, ultimo):
    correcto = nss.completar(diez)
    assert nss.validar(correcto) == correcto
    if str(ultimo) != correcto[10]:
        assert _falla(diez + str(ultimo)).codigo == "digito"


@AJUSTES
@given(DIEZ_DIGITOS, st.integers(0, 9), st.integers(1, 9))
def test_propiedad_un_digito_cambiado_se_detecta(diez, posicion, suma):
    # Luhn catches every single-digit error in the first 10 positions.
    correcto = nss.completar(diez)
    cambiado = correcto[:posicion] + str((int(correcto[posicion]) + suma) % 10) + correcto[posicion + 1:]
    assert not nss.es_valido(cambiado)
