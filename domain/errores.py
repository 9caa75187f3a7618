"""One error type for every rule of the product: ``mensaje`` is the Spanish text the user reads.

Domain modules (RFC, CURP, registro patronal, usuario, contacto) and services (capturistas, padrón)
raise subclasses; forms turn any of them into a field error in one place
(``blueprints.forms_comunes.errores_de_dominio``) and views catch this one type.
"""


class ErrorDeDominio(ValueError):
    def __init__(self, mensaje: str):
        super().__init__(mensaje)
        self.mensaje = mensaje
