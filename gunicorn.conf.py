"""gunicorn settings: ``gunicorn -c gunicorn.conf.py -w 4 -k gthread --threads 4 -b 127.0.0.1:8000 'app:create_app()'``.

Everything else comes from the command line; this file only makes the access log (``--access-logfile``)
hide the tokens of activation and password-reset links.
"""
from gunicorn.glogging import Logger

from registro_accesos import ocultar_tokens


class RegistroSinLigas(Logger):
    """Every text atom of the access log (%(r)s, %(U)s, %(q)s, %(f)s, {...}e, {...}i) without the tokens."""

    def atoms(self, resp, req, environ, request_time):
        atomos = super().atoms(resp, req, environ, request_time)
        return {clave: ocultar_tokens(valor) if isinstance(valor, str) else valor for clave, valor in atomos.items()}


logger_class = RegistroSinLigas
