from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.captura.forms import ConVersion
from blueprints.efirma import EfirmaForm
from blueprints.forms_comunes import limpiar

MAXIMO_COMENTARIO = 2000


class DevolverForm(ConVersion):
    """The version read travels with the comment: a comment written about one send never returns a later one."""

    comentario = TextAreaField(
        "Qué debe corregirse", filters=[limpiar],
        validators=[DataRequired("Escribe qué debe corregirse."),
                    Length(max=MAXIMO_COMENTARIO,
                           message=f"El comentario admite a lo más {MAXIMO_COMENTARIO:,} caracteres.")])
    submit = SubmitField("Devolver para corrección")


class FirmarForm(EfirmaForm, ConVersion):
    """Firmar y presentar: the e.firma and the version of the informativa the contractor reviewed."""

    submit = SubmitField("Firmar y presentar")


class SinInformacionForm(EfirmaForm):
    periodo = RadioField("Periodo", validators=[DataRequired("Elige el periodo que presentas sin información.")])
    submit = SubmitField("Firmar y presentar sin información")


class CorreccionForm(ConVersion):
    submit = SubmitField("Iniciar complementaria de corrección")


class SinEfectosForm(EfirmaForm, ConVersion):
    submit = SubmitField("Firmar y presentar complementaria sin efectos")
