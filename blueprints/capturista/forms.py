from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.forms_comunes import Formulario, campo_correo, limpiar


class LoginCapturistaForm(Formulario):
    usuario = StringField("Usuario", filters=[limpiar], validators=[DataRequired("Captura tu usuario.")])
    password = PasswordField("Contraseña", validators=[DataRequired("Captura tu contraseña.")])
    submit = SubmitField("Iniciar sesión")


class ElegirContratistaForm(Formulario):
    contratista_id = HiddenField(validators=[DataRequired()])


class RecuperarForm(Formulario):
    curp = StringField("CURP", filters=[limpiar], validators=[
        DataRequired("Captura tu CURP."), Length(max=40, message="La CURP debe tener 18 caracteres.")])
    correo = campo_correo()
    submit = SubmitField("Enviar liga")
