"""Row ids from the URL, the query string or a form: a positive integer that fits the id columns, or nothing.

The ids are ``integer`` on PostgreSQL (32 bits: a larger parameter is "integer out of range") and
SQLite cannot even bind more than 64 bits (OverflowError): either way a 500 for a row that cannot exist.
"""
from flask import abort, request

MAXIMO = 2**31 - 1  # PostgreSQL integer


def id_de_fila(texto) -> int:
    """``type=`` for ``request.args.get`` / ``request.form.get``: ValueError (→ None) when out of range."""
    valor = int(texto)
    if not 0 < valor <= MAXIMO:
        raise ValueError("id fuera de rango")
    return valor


def ids_de_la_ruta_en_rango():
    """before_request: an ``<int:...>`` of the route beyond the id columns is a 404."""
    if any(isinstance(v, int) and v > MAXIMO for v in (request.view_args or {}).values()):
        abort(404)
