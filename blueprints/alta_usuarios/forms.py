from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.forms_comunes import CamposContacto, Formulario, limpiar


class ValidarCurpForm(Formulario):
    curp = StringField("CURP", filters=[limpiar], validators=[
        DataRequired("Captura la CURP del capturista."),
        Length(max=40, message="La CURP debe tener 18 caracteres."),
    ])
    validar = SubmitField("Validar")


class AltaForm(CamposContacto, Formulario):
    """Datos de contacto. The CURP travels hidden and is validated again on Guardar."""

    curp = HiddenField()
    clave = HiddenField()
    guardar = SubmitField("Guardar")
