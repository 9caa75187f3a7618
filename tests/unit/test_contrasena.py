"""F14: new passwords are checked against leaked/common ones (zxcvbn's list) and our own words."""
import pytest

from domain import contrasena

COMUN = "La contraseña es demasiado común o aparece en listas de contraseñas filtradas; elige otra."


@pytest.mark.parametrize("pw", [
    "Password123",          # in the leaked list as it is (casefolded)
    "password2026!",        # "password" once the trailing digits and symbols go
    "Qwerty12345",
    "2026!!Qwerty",         # ... or the leading ones
    "##Dragon2026##",       # ... or both
    "Contrasena2026",       # our own words, the same way
    "Contraseña2026",
    "Mexico2026",
    "ICSOE-2026-2026",
    "Imss2026!",
    "Capturista2026",
    "Bienvenido2026",
])
def test_f14_contrasena_comun_rechazada(pw):
    assert COMUN in contrasena.problemas(pw)


@pytest.mark.parametrize("pw", [
    "Captura2026segura",
    "Limpieza#Bajio2026",
    "Mexico2026abc",        # letters at both ends: nothing is stripped, and "mexico2026abc" is on no list
    "Password2026x",        # likewise: only runs of digits/symbols at the ends are removed
    "Buena2026Clave",
])
def test_f14_contrasena_no_comun_aceptada(pw):
    assert contrasena.problemas(pw) == []


def test_f14_la_lista_se_carga_una_vez():
    assert contrasena._filtradas() is contrasena._filtradas()
    assert isinstance(contrasena._filtradas(), frozenset) and len(contrasena._filtradas()) > 29_000
