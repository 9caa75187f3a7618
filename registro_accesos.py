"""Secret links out of the logs: the token of an activation, password-reset (capturista or contractor)
or account-confirmation link becomes ``[oculto]``.

Whoever reads a token from a log could set that capturista's or contractor's password. The same function serves
the development server (a filter on the ``werkzeug`` logger, installed by ``create_app``) and
gunicorn (the logger class of ``gunicorn.conf.py``).
"""
from __future__ import annotations

import logging
import re

OCULTO = "[oculto]"

# "/" itself or percent-encoded, at any depth (%2F, %252F ...): a next= parameter carries the path encoded.
_BARRA = r"(?:/|%(?:25)*2[Ff])"
_LIGA = re.compile(
    rf"({_BARRA}(?:activacion|capturista{_BARRA}restablecer|cuenta{_BARRA}(?:confirmar|restablecer)){_BARRA})"
    # The token runs to the next slash (also encoded), ?, #, &, blank or quote.
    rf"(?:[^/?#&\s\"'%]|%(?!(?:25)*2[Ff])[0-9A-Fa-f]{{2}})+"
)


def ocultar_tokens(texto: str) -> str:
    """``/activacion/<token>[/nueva-liga]``, ``/capturista/restablecer/<token>``,
    ``/cuenta/restablecer/<token>`` (a contractor's reset) and ``/cuenta/confirmar/<token>``
    (registro's e-mail proof) with the token hidden."""
    return _LIGA.sub(lambda m: m.group(1) + OCULTO, texto)


def _oculto(valor):
    return ocultar_tokens(valor) if isinstance(valor, str) else valor


class FiltroTokens(logging.Filter):
    """Hides the tokens in a record's message and arguments (werkzeug passes the request line in ``args``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _oculto(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_oculto(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _oculto(v) for k, v in record.args.items()}
        return True


def instalar_filtro(logger: logging.Logger) -> None:
    """Add the filter once (create_app runs many times in one process)."""
    if not any(isinstance(f, FiltroTokens) for f in logger.filters):
        logger.addFilter(FiltroTokens())
