"""Row ids: the route converter matches exactly 1..2**31-1; the query-string helper refuses the rest."""
import re

import pytest

from blueprints.ids import MAXIMO, IdDeFila, _de_1_a, id_de_fila

DENTRO = ["1", "007", "9", "10", "999999999", "1000000000", "1999999999", "2000000000", "2147483639", "2147483646",
          "2147483647"]
FUERA = ["0", "000", "-1", "1a", "", "2147483648", "2147483650", "2147483700", "2148000000", "2200000000",
         "3000000000", "9999999999", "10000000000", "9" * 30]


@pytest.mark.parametrize("texto", DENTRO)
def test_la_ruta_acepta_los_ids_posibles(texto):
    assert re.fullmatch(IdDeFila.regex, texto)
    assert id_de_fila(texto) == int(texto)


@pytest.mark.parametrize("texto", FUERA)
def test_la_ruta_no_acepta_otro_numero(texto):
    assert not re.fullmatch(IdDeFila.regex, texto)


@pytest.mark.parametrize("maximo", [10, 19, 20, 105, 999, 1000, 4096])
def test_la_expresion_es_exacta(maximo):
    expresion = re.compile(_de_1_a(maximo))
    assert [n for n in range(3 * maximo) if expresion.fullmatch(str(n))] == list(range(1, maximo + 1))


def test_maximo_es_el_entero_de_postgresql():
    assert MAXIMO == 2**31 - 1
    with pytest.raises(ValueError):
        id_de_fila(str(MAXIMO + 1))
