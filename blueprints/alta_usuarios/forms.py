from wtforms import HiddenField, SubmitField

from blueprints.forms_comunes import CamposContacto, Formulario, campo_archivo, campo_curp


class ValidarCurpForm(Formulario):
    curp = campo_curp("Captura la CURP del capturista.")
    validar = SubmitField("Validar")


class AltaForm(CamposContacto, Formulario):
    """Datos de contacto. The CURP travels hidden and is validated again on Guardar."""

    curp = HiddenField()
    clave = HiddenField()
    guardar = SubmitField("Guardar")


class CargaForm(Formulario):
    """Carga masiva de capturistas: the file only (services/carga_capturistas says what it may be)."""

    archivo = campo_archivo("Archivo de capturistas (.csv o .xlsx)", "Elige el archivo con los capturistas.")
    submit = SubmitField("Cargar archivo")
