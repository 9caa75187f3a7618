"""Password fields shared by the activation and the password-reset forms."""
from wtforms import PasswordField, ValidationError
from wtforms.validators import DataRequired, EqualTo

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
