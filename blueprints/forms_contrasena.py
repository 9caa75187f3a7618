"""Password fields shared by the activation and the password-reset forms."""
from wtforms import PasswordField, SubmitField, ValidationError
from wtforms.validators import DataRequired, EqualTo

from blueprints.forms_comunes import Formulario
from domain import contrasena


class CamposContrasena:
    password = PasswordField("Contraseña", validators=[DataRequired("Captura la contraseña.")])
    confirmar_password = PasswordField("Confirmar contraseña", validators=[
        DataRequired("Confirma la contraseña."), EqualTo("password", "Las contraseñas no coinciden.")])

    #: texts the password may not contain (CURP, usuario); set by the view
    prohibidas: tuple[str, ...] = ()

    def validate_password(self, field):
        otros = tuple(self.prohibidas) + ((self.usuario.data,) if getattr(self, "usuario", None) else ())
        errores = contrasena.problemas(field.data, tuple(t for t in otros if t))
        if errores:
            raise ValidationError(" ".join(errores))


class RestablecerForm(CamposContrasena, Formulario):
    """A new password from a reset link (capturista and contractor); the view sets ``prohibidas``."""
    submit = SubmitField("Guardar contraseña")
