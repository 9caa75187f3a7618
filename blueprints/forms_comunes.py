"""Form pieces shared by several blueprints."""
from __future__ import annotations

from contextlib import contextmanager

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from domain import contacto
from domain import rfc as rfc_dominio
from domain.errores import ErrorDeDominio
from domain.texto import MENSAJE_CONTROL, tiene_control


@contextmanager
def errores_de_dominio():
    """The one place a rule's refusal (any ErrorDeDominio) becomes the field's error message."""
    try:
        yield
    except ErrorDeDominio as exc:
        raise ValidationError(exc.mensaje) from exc


def normalizar_con(funcion):
    """WTForms filter-style validator: apply a domain normaliser, turn its error into a form error."""

    def _validador(form, field):
        if not field.data:
            return
        with errores_de_dominio():
            field.data = funcion(field.data)

    return _validador


def validar_rfc(form, field, confirmado: bool, revisa: str = "Revisa tu RFC") -> None:
    """The RFC normalised in place. SAT's check digit fails for about 1.5% of real RFCs: then the form's
    ``advertencia_rfc`` shows a confirmation box, and only an unconfirmed one is refused."""
    with errores_de_dominio():
        resultado = rfc_dominio.validar(field.data)
    field.data = resultado.rfc
    if resultado.digito_correcto:
        return
    form.advertencia_rfc = True
    if not confirmado:
        raise ValidationError(f"El dígito verificador del RFC no coincide con el cálculo del SAT. {revisa}; "
                              "si es correcto, marca la casilla de confirmación y vuelve a enviar.")


def limpiar(texto):
    """Strip surrounding spaces (WTForms filter)."""
    return texto.strip() if isinstance(texto, str) else texto


class Formulario(FlaskForm):
    """Base of every form: no text field (passwords aside) takes control characters — one rule,
    so a razón social with CR/LF can never reach an e-mail header, a log line or a workbook. A text
    area (a comment) takes line breaks, and nothing else of the kind."""

    def validate(self, extra_validators=None) -> bool:
        valido = super().validate(extra_validators)
        for campo in self:
            crudo = campo.raw_data[0] if campo.raw_data else campo.data  # as typed, before any filter
            if campo.type == "TextAreaField" and isinstance(crudo, str):
                crudo = crudo.replace("\r", "").replace("\n", "")  # a textarea takes line breaks, nothing else
            if campo.type not in ("PasswordField", "CSRFTokenField") and isinstance(crudo, str) \
                    and tiene_control(crudo):
                campo.errors = [*campo.errors, MENSAJE_CONTROL]
                valido = False
        return valido


def campo_correo(etiqueta: str = "Correo electrónico", falta: str = "Captura tu correo electrónico.") -> EmailField:
    """A required e-mail address (every form that asks for one): trimmed, and ``contacto.correo``'s rule
    (at most 254 characters, well formed)."""
    return EmailField(etiqueta, filters=[limpiar], validators=[DataRequired(falta), normalizar_con(contacto.correo)])


def campo_curp(falta: str) -> StringField:
    """The CURP to Validar (Alta de usuarios, a contract's workers): trimmed; its rules are the
    domain's, checked by the lookup."""
    return StringField("CURP", filters=[limpiar], validators=[
        DataRequired(falta), Length(max=40, message="La CURP debe tener 18 caracteres.")])


def campo_archivo(etiqueta: str, falta: str) -> FileField:
    """A carga masiva's file: required; what it may be is the service's to say (services/carga_archivo)."""
    return FileField(etiqueta, validators=[FileRequired(falta)])


class FormularioVacio(Formulario):
    """Only the CSRF token: for POST-only buttons (Eliminar, Activar, Cerrar sesión)."""


class CamposContacto:
    """Teléfono, correo electrónico and its confirmation: Alta de usuarios and Editar."""

    telefono = StringField("Teléfono", filters=[limpiar], validators=[
        DataRequired("Captura el teléfono."), normalizar_con(contacto.telefono)])
    correo = campo_correo(falta="Captura el correo electrónico.")
    confirmar_correo = EmailField("Confirmar correo electrónico", filters=[limpiar], validators=[
        DataRequired("Confirma el correo electrónico.")])

    def validate_correo(self, field):
        field.data = field.data.lower()

    def validate_confirmar_correo(self, field):
        if (field.data or "").casefold() != (self.correo.data or "").casefold():
            raise ValidationError("El correo electrónico y su confirmación no coinciden.")
