"""Forms of a contract's workers: Validar the CURP, then NSS and SBC (Agregar, Editar)."""
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.captura.forms import ConVersion
from blueprints.forms_comunes import Formulario, campo_curp, limpiar, normalizar_con
from domain import nss
from services.informativas import validar_sbc


class ValidarCurpTrabajadorForm(Formulario):
    curp = campo_curp("Captura la CURP del trabajador.")
    validar = SubmitField("Validar")


class DatosTrabajador(Formulario):
    """NSS (structure and check digit) and salario base de cotización (> 0, two decimals at most)."""

    nss = StringField("NSS (número de seguridad social)", filters=[limpiar], validators=[
        DataRequired("Captura el NSS del trabajador."), Length(max=40, message="El NSS debe tener 11 dígitos."),
        normalizar_con(nss.validar)])
    sbc = StringField("Salario base de cotización", filters=[limpiar], validators=[
        DataRequired("Captura el salario base de cotización."),
        Length(max=40, message="El salario base de cotización es demasiado grande."), normalizar_con(validar_sbc)])


class AgregarTrabajadorForm(DatosTrabajador):
    """The CURP travels hidden and is looked up again on Guardar (never trust the earlier step)."""

    curp = HiddenField()
    guardar = SubmitField("Guardar")


class EditarTrabajadorForm(DatosTrabajador, ConVersion):
    """NSS and SBC only: a different CURP is a different person (Eliminar, then Agregar)."""

    volver = HiddenField()
    actualizar = SubmitField("Guardar cambios")


class EliminarTrabajadorForm(ConVersion):
    volver = HiddenField()
