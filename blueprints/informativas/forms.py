from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.captura.forms import ConVersion
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
