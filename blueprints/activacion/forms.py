
from sqlalchemy import select
from wtforms import StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired

from blueprints.forms_comunes import Formulario, errores_de_dominio
from blueprints.forms_contrasena import CamposContrasena
from domain import usuario as usuario_dominio
from extensions import db
from models import Capturista


class ActivacionForm(CamposContrasena, Formulario):
    usuario = StringField("Usuario", validators=[DataRequired("Captura el usuario que usarás para ingresar.")])
    crear = SubmitField("Crear usuario")

    def validate_usuario(self, field):
        with errores_de_dominio():
            field.data = usuario_dominio.validar(field.data)
        if db.session.scalar(select(Capturista.id).where(Capturista.usuario == field.data)):
            raise ValidationError("Ese usuario ya está en uso; elige otro.")
