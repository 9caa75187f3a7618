import pytest

from domain import imss


@pytest.mark.parametrize("texto", ["Y3926552104", "y39 2655 2104", "Y39-26552-10-4"])
def test_registro_patronal_valido(texto):
    assert imss.validar(texto) == "Y3926552104"


def test_registro_patronal_numerico():
    diez = "1234567890"
    assert imss.validar(diez + imss.digito_verificador(diez)) == diez + imss.digito_verificador(diez)


def test_letra_cuenta_como_dos_digitos():
    # Y is the 25th letter → 34; the Luhn runs over "34392655210".
    assert imss.digito_verificador("Y392655210") == "4"
    assert imss.digito_verificador("A392655210") != imss.digito_verificador("B392655210")


@pytest.mark.parametrize("texto,fragmento", [
    ("Y392655210", "11 caracteres"),
    ("Y39265521045", "11 caracteres"),
    ("YY926552104", "letra o un dígito seguido de 10 dígitos"),
    ("Y3926552105", "dígito verificador"),
    ("Y3926552140", "dígito verificador"),  # transposed digits are caught by Luhn
])
def test_registro_patronal_invalido(texto, fragmento):
    with pytest.raises(imss.RegistroPatronalInvalido) as exc:
        imss.validar(texto)
    assert fragmento in exc.value.mensaje
