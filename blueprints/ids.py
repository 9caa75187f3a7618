"""Row ids from the URL, the query string or a form: a positive 64-bit integer, or nothing.

A larger number exists nowhere, and SQLite cannot even compare it (OverflowError → a 500).
"""
from flask import abort, request

MAXIMO = 2**63 - 1


def id_de_fila(texto) -> int:
    """``type=`` for ``request.args.get`` / ``request.form.get``: ValueError (→ None) when out of range."""
    valor = int(texto)
    if not 0 < valor <= MAXIMO:
        raise ValueError("id fuera de rango")
    return valor


def ids_de_la_ruta_en_rango():
    """before_request: an ``<int:...>`` of the route beyond 64 bits is a 404."""
    if any(isinstance(v, int) and v > MAXIMO for v in (request.view_args or {}).values()):
        abort(404)
