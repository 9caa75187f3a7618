from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput

from blueprints.forms_comunes import Formulario
from models import Informativa

TIPOS = [SelectChoice(clave, etiqueta) for clave, etiqueta in Informativa.TIPOS.items()]


class NuevaInformativaForm(Formulario):
    periodo = SelectField("Periodo", validators=[DataRequired("Elige el periodo.")],
                          validate_choice=False)  # the service checks it (a period that now has one: 409)
    tipo = RadioField("Tipo de informativa", choices=TIPOS, default=Informativa.NORMAL,
                      validators=[DataRequired("Elige el tipo de informativa.")])
    submit = SubmitField("Crear informativa")


class ConVersion(Formulario):
    """The version of what the user read: a save over a newer one is a conflict (409)."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class TipoForm(ConVersion):
    tipo = RadioField("Tipo de informativa", choices=TIPOS, validators=[DataRequired("Elige el tipo de informativa.")])
    submit = SubmitField("Cambiar tipo")


class EnviarForm(ConVersion):
    submit = SubmitField("Enviar a firma")


class CargaForm(Formulario):
    """Carga masiva: the file only (what it may be is the service's to say: services/carga_trabajadores)."""

    archivo = FileField("Archivo de trabajadores (.csv o .xlsx)",
                        validators=[FileRequired("Elige el archivo con los trabajadores.")])
    submit = SubmitField("Cargar archivo")
