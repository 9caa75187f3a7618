"""The per-client throttles of the views, in one place (Flask-Limiter; values from Config, read per
request so a test or an operator can change them). Each decorated route counts on its own."""
from flask import current_app

from extensions import limiter


def _de_config(nombre: str):
    return lambda: current_app.config[nombre]


# Login attempts per client address, whatever the account (the per-account failures are counted
# in services/autenticacion.py).
acceso = limiter.limit(_de_config("ACCESO_LIMITE_CLIENTE"), methods=["POST"])
# Public forms that send e-mail: registro, recuperar contraseña, solicitar nueva liga.
formulario_publico = limiter.limit(_de_config("FORMULARIO_PUBLICO_LIMITE"), methods=["POST"])
# Padrón lookups (Validar, Guardar) per client, and for the whole system (one counter for everybody).
padron_por_cliente = limiter.limit(_de_config("VALIDAR_LIMITE_CLIENTE"), methods=["POST"])
padron_global = limiter.shared_limit(_de_config("VALIDAR_LIMITE_GLOBAL"), scope="padron-global",
                                     key_func=lambda: "todos", methods=["POST"])
# The workers of a contract (Validar, Guardar): one counter per client for both routes, apart from
# Alta's, and outside the system-wide one (a day of capture must not stop Alta for everybody).
padron_trabajadores = limiter.shared_limit(_de_config("VALIDAR_TRABAJADORES_LIMITE_CLIENTE"),
                                           scope="padron-trabajadores", methods=["POST"])
