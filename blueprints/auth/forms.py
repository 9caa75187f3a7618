from wtforms import BooleanField, PasswordField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.efirma import EfirmaForm
from blueprints.forms_comunes import Formulario, campo_correo, limpiar, validar_rfc
from domain import contrasena
from domain import rfc as rfc_dominio


class RegistroForm(Formulario):
    rfc = StringField("RFC", filters=[limpiar],
                      validators=[DataRequired("Captura el RFC.")])
    confirmar_rfc = BooleanField("Confirmo que mi RFC es correcto aunque su dígito verificador no coincida")
    correo = campo_correo(falta="Captura el correo electrónico.")
    password = PasswordField("Contraseña", validators=[DataRequired("Captura la contraseña.")])
    confirmar_password = PasswordField("Confirmar contraseña", validators=[
        DataRequired("Confirma la contraseña."),
        EqualTo("password", "Las contraseñas no coinciden."),
    ])
    submit = SubmitField("Registrarme")

    # Set when the RFC is well formed but SAT's check digit fails: the template then shows
    # the confirmation checkbox (a warning the user confirms, not a refusal).
    advertencia_rfc = False

    def validate_rfc(self, field):
        validar_rfc(self, field, self.confirmar_rfc.data)

    def validate_correo(self, field):
        field.data = field.data.lower()

    def validate_password(self, field):
        errores = contrasena.problemas(field.data, (rfc_dominio.normalizar(self.rfc.data or ""),))
        if errores:
            raise ValidationError(" ".join(errores))


class LoginForm(Formulario):
    rfc = StringField("RFC", filters=[limpiar], validators=[DataRequired("Captura tu RFC.")])
    password = PasswordField("Contraseña", validators=[DataRequired("Captura tu contraseña.")])
    submit = SubmitField("Iniciar sesión")


class EntrarConEfirmaForm(EfirmaForm):
    submit = SubmitField("Iniciar sesión con e.firma")


class RecuperarForm(Formulario):
    """Recuperar contraseña: the RFC and the account's own address (checked by the service, not here)."""
    rfc = StringField("RFC", filters=[limpiar], validators=[
        DataRequired("Captura tu RFC."), Length(max=30, message="El RFC debe tener 12 o 13 caracteres.")])
    correo = campo_correo("Correo electrónico de la cuenta")
    submit = SubmitField("Enviar liga")
