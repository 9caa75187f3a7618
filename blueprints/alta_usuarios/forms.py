from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Email, Length

from blueprints.forms_comunes import limpiar, normalizar_con
from domain import contacto


class ValidarCurpForm(FlaskForm):
    curp = StringField("CURP", filters=[limpiar], validators=[
        DataRequired("Captura la CURP del capturista."),
        Length(max=40, message="La CURP debe tener 18 caracteres."),
    ])
    validar = SubmitField("Validar")


class AltaForm(FlaskForm):
    """Datos de contacto. The CURP travels hidden and is validated again on Guardar."""

    curp = HiddenField()
    clave = HiddenField()
    telefono = StringField("Teléfono", filters=[limpiar], validators=[
        DataRequired("Captura el teléfono."), normalizar_con(contacto.telefono)])
    correo = EmailField("Correo electrónico", filters=[limpiar], validators=[
        DataRequired("Captura el correo electrónico."),
        Length(max=254, message="El correo electrónico es demasiado largo."),
        Email("El correo electrónico no tiene un formato válido.", check_deliverability=False)])
    confirmar_correo = EmailField("Confirmar correo electrónico", filters=[limpiar], validators=[
        DataRequired("Confirma el correo electrónico.")])
    guardar = SubmitField("Guardar")

    def validate_correo(self, field):
        field.data = field.data.lower()

    def validate_confirmar_correo(self, field):
        if (field.data or "").casefold() != (self.correo.data or "").casefold():
            raise ValidationError("El correo electrónico y su confirmación no coinciden.")
