from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from blueprints.forms_comunes import Formulario, campo_archivo, campo_correo, limpiar, normalizar_con, validar_rfc
from domain import contacto
from models import Informativa
from services.informativas import DatosContrato

TIPOS = [SelectChoice(clave, etiqueta) for clave, etiqueta in Informativa.TIPOS.items()]


class NuevaInformativaForm(Formulario):
    periodo = SelectField("Periodo", validators=[DataRequired("Elige el periodo.")],
                          validate_choice=False)  # the service checks it (a period that now has one: 409)
    tipo = RadioField("Tipo de informativa", choices=TIPOS, default=Informativa.NORMAL,
                      validators=[DataRequired("Elige el tipo de informativa.")])
    submit = SubmitField("Crear informativa")


class ConVersion(Formulario):
    """The version of what the user read: a save over a newer one is a conflict (409). A form without
    it (made by hand) gets the same answer from the service: ``exigir_version`` takes None as stale."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class TipoForm(ConVersion):
    tipo = RadioField("Tipo de informativa", choices=TIPOS, validators=[DataRequired("Elige el tipo de informativa.")])
    submit = SubmitField("Cambiar tipo")


class EnviarForm(ConVersion):
    submit = SubmitField("Enviar a firma")


class CampoFecha(DateField):
    """An ``<input type=date>``: the browser sends aaaa-mm-dd; where there is no date picker the person types
    it, also as dd/mm/aaaa. Messages in Spanish; ``falta``: required, and what to say when it is empty."""

    def __init__(self, label, falta: str | None = None, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)
        self.falta = falta
        self.invalid_value_message = f"La {label.lower()} no es válida: escríbela como dd/mm/aaaa."

    def process_formdata(self, valuelist):
        texto = " ".join(valuelist).strip()
        if texto:
            super().process_formdata([texto])
        elif self.falta:
            raise ValueError(self.falta)


def lineas(texto):
    """A textarea's line breaks as one "\\n" (browsers send "\\r\\n")."""
    return texto.replace("\r\n", "\n").replace("\r", "\n") if isinstance(texto, str) else texto


def _texto(etiqueta: str, falta: str, maximo: int, campo=StringField):
    return campo(etiqueta, filters=[limpiar, lineas], validators=[
        DataRequired(falta), Length(max=maximo, message=f"Escribe a lo más {maximo:,} caracteres.")])


class CamposContrato(Formulario):
    """A contract and its contratante (Agregar and Editar), named as ``DatosContrato``'s fields. The rules
    that need the informativa (dates inside the period, RFC ≠ the contractor's) are the service's."""

    rfc_contratante = StringField("RFC del contratante", filters=[limpiar],
                                  validators=[DataRequired("Captura el RFC del contratante.")])
    confirmar_rfc = BooleanField("Confirmo que el RFC del contratante es correcto aunque su dígito verificador "
                                 "no coincida")
    nombre_contratante = _texto("Nombre o razón social", "Captura el nombre o razón social del contratante.", 250)
    correo_contratante = campo_correo(falta="Captura el correo electrónico del contratante.")
    telefono_contratante = StringField("Teléfono", filters=[limpiar], validators=[
        DataRequired("Captura el teléfono del contratante."), normalizar_con(contacto.telefono)])
    objeto = _texto("Objeto del contrato", "Describe el objeto del contrato.", 2000, TextAreaField)
    servicio = _texto("Servicio u obra especializada", "Describe el servicio u obra especializada.", 2000,
                      TextAreaField)
    fecha_inicio = CampoFecha("Fecha de inicio", falta="Captura la fecha de inicio del contrato.")
    fecha_fin = CampoFecha("Fecha de fin")

    # Set when the RFC is well formed but SAT's check digit fails: the confirmation box is shown.
    advertencia_rfc = False

    def validate_rfc_contratante(self, field):
        validar_rfc(self, field, self.confirmar_rfc.data, "Revisa el RFC del contratante")

    def validate_correo_contratante(self, field):
        field.data = field.data.lower()

    def validar_rfc(self) -> bool:
        """Only the RFC (Buscar RFC): normalised, or its error on the field."""
        return self.rfc_contratante.validate(self, [type(self).validate_rfc_contratante])

    def datos(self) -> DatosContrato:
        return DatosContrato(**{nombre: self[nombre].data for nombre in DatosContrato.__dataclass_fields__})


class NuevoContratoForm(CamposContrato):
    buscar_rfc = SubmitField("Buscar RFC")
    submit = SubmitField("Guardar contrato")


class EditarContratoForm(CamposContrato, ConVersion):
    submit = SubmitField("Guardar cambios")


class EliminarContratoForm(ConVersion):
    """CSRF and the version the confirmation was shown at (its buttons are the shared confirmation's)."""


class CargaForm(Formulario):
    """Carga masiva: the file only (what it may be is the service's to say: services/carga_trabajadores)."""

    archivo = campo_archivo("Archivo de trabajadores (.csv o .xlsx)", "Elige el archivo con los trabajadores.")
    submit = SubmitField("Cargar archivo")
