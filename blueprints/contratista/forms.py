from wtforms import SelectChoice, SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Length

from blueprints.forms_comunes import Formulario, campo_correo, errores_de_dominio, limpiar, normalizar_con
from domain import contacto, imss
from domain.catalogos import ENTIDADES_FEDERATIVAS


def _requerido(campo: str) -> DataRequired:
    return DataRequired(f"Captura {campo}.")


class DatosGeneralesForm(Formulario):
    razon_social = StringField("Razón social o nombre", filters=[limpiar], validators=[
        _requerido("la razón social o nombre"), Length(max=250, message="Máximo 250 caracteres.")])
    registro_patronal = StringField("Registro patronal IMSS", filters=[limpiar],
                                    validators=[_requerido("el registro patronal")])
    registro_repse = StringField("Número de registro REPSE", filters=[limpiar], validators=[
        _requerido("el número de registro REPSE"), normalizar_con(contacto.registro_repse)])
    calle = StringField("Calle", filters=[limpiar], validators=[
        _requerido("la calle"), Length(max=150, message="Máximo 150 caracteres.")])
    numero = StringField("Número exterior e interior", filters=[limpiar], validators=[
        _requerido("el número"), Length(max=30, message="Máximo 30 caracteres.")])
    colonia = StringField("Colonia", filters=[limpiar], validators=[
        _requerido("la colonia"), Length(max=150, message="Máximo 150 caracteres.")])
    codigo_postal = StringField("Código postal", filters=[limpiar], validators=[
        _requerido("el código postal"), normalizar_con(contacto.codigo_postal)])
    municipio = StringField("Municipio o alcaldía", filters=[limpiar], validators=[
        _requerido("el municipio o alcaldía"), Length(max=150, message="Máximo 150 caracteres.")])
    entidad = SelectField(
        "Entidad federativa",
        choices=[SelectChoice("", "Selecciona una entidad")]
        + [SelectChoice(clave, nombre) for clave, nombre in ENTIDADES_FEDERATIVAS.items()],
        validate_choice=False,
        validators=[_requerido("la entidad federativa")],
    )
    telefono = StringField("Teléfono", filters=[limpiar], validators=[
        _requerido("el teléfono"), normalizar_con(contacto.telefono)])
    correo_contacto = campo_correo("Correo electrónico de contacto", "Captura el correo electrónico de contacto.")
    submit = SubmitField("Guardar")

    def validate_registro_patronal(self, field):
        with errores_de_dominio():
            field.data = imss.validar(field.data)

    def validate_entidad(self, field):
        if field.data not in ENTIDADES_FEDERATIVAS:
            raise ValidationError("Selecciona una entidad federativa de la lista.")

    def validate_correo_contacto(self, field):
        field.data = field.data.lower()
