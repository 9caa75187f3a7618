from wtforms import HiddenField, SubmitField

from blueprints.forms_comunes import CamposContacto, Formulario, campo_curp


class ValidarCurpForm(Formulario):
    curp = campo_curp("Captura la CURP del capturista.")
    validar = SubmitField("Validar")


class AltaForm(CamposContacto, Formulario):
    """Datos de contacto. The CURP travels hidden and is validated again on Guardar."""

    curp = HiddenField()
    clave = HiddenField()
    guardar = SubmitField("Guardar")
