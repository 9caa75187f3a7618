from wtforms import HiddenField, SubmitField

from blueprints.forms_comunes import CamposContacto, Formulario


class AccionForm(Formulario):
    """CSRF plus where to go back to (the grid with its query) after a plain-form action."""

    volver = HiddenField()


class EditarForm(CamposContacto, AccionForm):
    actualizar = SubmitField("Actualizar usuario")
