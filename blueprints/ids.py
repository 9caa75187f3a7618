"""Row ids: a positive integer that fits the id columns, in the URL, the query string or a form.

The ids are ``integer`` on PostgreSQL (32 bits: a larger parameter is "integer out of range") and
SQLite cannot even bind more than 64 bits (OverflowError): either way a 500 for a row that cannot exist.
In the path, ``<id:...>`` (``IdDeFila``) matches only 1..MAXIMO, so any other number is a 404, like a word.
"""
from werkzeug.routing import IntegerConverter

MAXIMO = 2**31 - 1  # PostgreSQL integer


def _de_1_a(maximo: int) -> str:
    """A regex for 1..maximo written without leading zeros: shorter numbers, then, digit by digit,
    the same leading digits as ``maximo`` and a smaller one next."""
    cifras = str(maximo)
    opciones = [rf"[1-9]\d{{0,{len(cifras) - 2}}}"]
    for i, cifra in enumerate(cifras):
        menor = 1 if i == 0 else 0
        if int(cifra) > menor:
            opciones.append(rf"{cifras[:i]}[{menor}-{int(cifra) - 1}]\d{{{len(cifras) - i - 1}}}")
    opciones.append(cifras)
    return "(?:" + "|".join(opciones) + ")"


class IdDeFila(IntegerConverter):
    """``<id:relacion_id>``: ``int(min=1, max=MAXIMO)`` where the bounds are in the regex itself. With
    ``int(max=...)`` Werkzeug checks the bound after it picked a rule, and answers 405 instead of 404 when
    the same URL has a rule for another method (GET and POST of ``/<id>/eliminar``)."""

    regex = "0*" + _de_1_a(MAXIMO)  # leading zeros as ``int`` takes them: /007 is row 7

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAXIMO)


def id_de_fila(texto) -> int:
    """``type=`` for ``request.args.get`` / ``request.form.get``: ValueError (→ None) when out of range."""
    valor = int(texto)
    if not 0 < valor <= MAXIMO:
        raise ValueError("id fuera de rango")
    return valor
