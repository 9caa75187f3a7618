from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from blueprints.forms_comunes import Formulario, limpiar
from blueprints.forms_contrasena import CamposContrasena


class LoginCapturistaForm(Formulario):
    usuario = StringField("Usuario", filters=[limpiar], validators=[DataRequired("Captura tu usuario.")])
    password = PasswordField("Contraseña", validators=[DataRequired("Captura tu contraseña.")])
    submit = SubmitField("Iniciar sesión")


class ElegirContratistaForm(Formulario):
    contratista_id = HiddenField(validators=[DataRequired()])


class RecuperarForm(Formulario):
    curp = StringField("CURP", filters=[limpiar], validators=[
        DataRequired("Captura tu CURP."), Length(max=40, message="La CURP debe tener 18 caracteres.")])
    correo = EmailField("Correo electrónico", filters=[limpiar], validators=[
        DataRequired("Captura tu correo electrónico."),
        Length(max=254, message="El correo electrónico es demasiado largo."),
        Email("El correo electrónico no tiene un formato válido.", check_deliverability=False)])
    submit = SubmitField("Enviar liga")


class RestablecerForm(CamposContrasena, Formulario):
    submit = SubmitField("Guardar contraseña")
