"""Form pieces shared by several blueprints."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import ValidationError

from domain.contacto import DatoInvalido


def normalizar_con(funcion):
    """WTForms filter-style validator: apply a domain normaliser, turn its error into a form error."""

    def _validador(form, field):
        if not field.data:
            return
        try:
            field.data = funcion(field.data)
        except DatoInvalido as exc:
            raise ValidationError(exc.mensaje) from exc

    return _validador


def limpiar(texto):
    """Strip surrounding spaces (WTForms filter)."""
    return texto.strip() if isinstance(texto, str) else texto


class FormularioVacio(FlaskForm):
    """Only the CSRF token: for POST-only buttons (Eliminar, Activar, Cerrar sesión)."""
