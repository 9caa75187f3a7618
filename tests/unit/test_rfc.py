import pytest

from domain import rfc


@pytest.mark.parametrize("texto,tipo", [
    ("GODE561231GR8", "fisica"),       # SAT's own example of a persona física
    ("SAT970701NN3", "moral"),         # Servicio de Administración Tributaria
    (" gode-561231 gr8 ", "fisica"),   # lowercase, spaces and dashes normalised
])
def test_rfc_valido(texto, tipo):
    r = rfc.validar(texto)
    assert r.tipo == tipo
    assert r.digito_correcto
    assert r.rfc == rfc.normalizar(texto)


def test_digito_incorrecto_es_advertencia_no_error():
    r = rfc.validar("SAT970701NN4")
    assert r.rfc == "SAT970701NN4"
    assert r.digito_correcto is False


@pytest.mark.parametrize("texto,fragmento", [
    ("SAT97070NN3", "12 caracteres"),
    ("GODE561231GR8X", "13 (persona física)"),
    ("S4T970701NN3", "3 letras"),
    ("SATX70701NN3", "fecha en formato AAMMDD"),
    ("GODEX61231GR8", "fecha en formato AAMMDD"),
    ("SAT970231NN3", "fecha contenida en el RFC"),     # 31 de febrero
    ("SAT971301NN3", "fecha contenida en el RFC"),     # mes 13
    ("SAT970701WN3", "homoclave"),                      # W no es válida en la 1a posición
    ("SAT970701N03", "homoclave"),                      # 0 no es válido en la 2a posición
    ("SAT970701NNB", "homoclave"),                      # dígito verificador solo 0-9 o A
])
def test_rfc_invalido_con_mensaje(texto, fragmento):
    with pytest.raises(rfc.RfcInvalido) as exc:
        rfc.validar(texto)
    assert fragmento in exc.value.mensaje


def test_fecha_29_febrero_de_2000_existe():
    base = "ABC000229A1"
    assert rfc.validar(base + rfc.digito_verificador(base)).digito_correcto


def test_digito_verificador_a_y_cero():
    # Search the space for both special results so the 10 → "A" and 11 → "0" branches run.
    vistos = {rfc.digito_verificador(f"ABC0101{d:02d}A1") for d in range(1, 29)}
    assert "A" in vistos or "0" in vistos
    assert vistos <= set("0123456789A")
