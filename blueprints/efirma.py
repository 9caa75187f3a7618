"""The e.firma form, shared by every view that receives one (iniciar sesión, firmar): its three fields,
reading them, putting a refusal on its field, and the upload's limits.

The upload never touches disk. A view that receives an e.firma is decorated with ``@limitar_subida``:
before anything reads the body (Flask-WTF's CSRF hook and the NUL check read it in before_request
functions, so a call inside the view would come too late) the request's limit drops to two files of
EFIRMA_TAMANO_MAXIMO plus the other fields, far under the 500 KB from which Werkzeug spools a part to
a temporary file; the body is read at once, in memory, and the CSRF token checked then. A larger body
is not a 413 page: the view runs with an empty form that says the files are too large (422).
"""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream
from wtforms import PasswordField, ValidationError
from wtforms.validators import DataRequired

from blueprints.forms_comunes import Formulario
from domain.efirma import EfirmaInvalida
from extensions import csrf

# The password, the CSRF token, a few other fields of the page and the multipart boundaries.
MARGEN = 8 * 1024
_VISTAS: set[str] = set()
_EXCEDIDA = "efirma_subida_excedida"


def _kb() -> str:
    return f"{current_app.config['EFIRMA_TAMANO_MAXIMO'] / 1024:g}"


def _tamano(nombre: str):
    """The file is at most EFIRMA_TAMANO_MAXIMO and not empty (read in memory, then rewound)."""

    def validador(form, field):
        limite = current_app.config["EFIRMA_TAMANO_MAXIMO"]
        flujo = field.data.stream
        leidos = len(flujo.read(limite + 1))
        flujo.seek(0)
        if leidos > limite:
            raise ValidationError(f"El archivo {nombre} excede el tamaño máximo de {_kb()} KB (los de la e.firma "
                                  "miden 1 o 2 KB). Revisa que elegiste el archivo correcto.")
        if leidos == 0:
            raise ValidationError(f"El archivo {nombre} está vacío. Elige el archivo {nombre} de tu e.firma.")

    return validador


class EfirmaForm(Formulario):
    """The e.firma's three fields. Views add their own submit button (subclass)."""

    cer = FileField("Certificado (.cer)", validators=[
        FileRequired("Elige el archivo del certificado (.cer) de tu e.firma."), _tamano(".cer")])
    key = FileField("Clave privada (.key)", validators=[
        FileRequired("Elige el archivo de la clave privada (.key) de tu e.firma."), _tamano(".key")])
    password = PasswordField("Contraseña de la clave privada", validators=[
        DataRequired("Captura la contraseña de la clave privada.")])

    def validate(self, extra_validators=None) -> bool:
        if g.get(_EXCEDIDA):
            self.form_errors.append(
                f"Los archivos que elegiste exceden el tamaño máximo de {_kb()} KB cada uno (los de la e.firma miden "
                "1 o 2 KB). Revisa que elegiste el certificado (.cer) y la clave privada (.key) de tu e.firma.")
            return False
        return super().validate(extra_validators)


def leer_efirma(form: EfirmaForm) -> tuple[bytes, bytes, str]:
    """(cer, key, password) of a validated form, from memory."""
    return form.cer.data.stream.read(), form.key.data.stream.read(), form.password.data


def poner_error(form: EfirmaForm, error: EfirmaInvalida) -> None:
    """A refusal on the field it concerns (the error summary links to it); one of no field goes on the
    form (listed in the summary)."""
    campo = getattr(form, error.campo, None) if error.campo else None
    if campo is None:
        form.form_errors.append(error.mensaje)
    else:
        campo.errors = [*campo.errors, error.mensaje]


def limitar_subida(vista):
    """Decorator of a view that receives an e.firma (see the module's docstring). Any place in the
    decorator list works: the view is found by its name, as Flask-WTF's ``csrf.exempt`` does."""
    nombre = f"{vista.__module__}.{vista.__name__}"
    _VISTAS.add(nombre)
    csrf.exempt(nombre)  # checked in _preparar_subida, once the body is read under the small limit
    return vista


def limite_de_subida() -> int:
    return 2 * current_app.config["EFIRMA_TAMANO_MAXIMO"] + MARGEN


def _recibe_efirma(endpoint: str | None) -> bool:
    vista = current_app.view_functions.get(endpoint) if endpoint else None
    return vista is not None and f"{vista.__module__}.{vista.__name__}" in _VISTAS


def _preparar_subida(endpoint, valores) -> None:
    """URL value preprocessor (runs before every before_request function, so before anything reads the body)."""
    if not _recibe_efirma(endpoint):
        return
    request.max_content_length = limite_de_subida()
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    try:
        request.files  # noqa: B018  (parsed now: in memory, under the limit)
    except RequestEntityTooLarge:
        _descartar_cuerpo()
        setattr(g, _EXCEDIDA, True)
        # Nothing of the body is read: the form is empty, and nothing is done but saying why.
        request.form = request.files = ImmutableMultiDict()
        return
    if current_app.config["WTF_CSRF_ENABLED"] and current_app.config["WTF_CSRF_CHECK_DEFAULT"]:
        csrf.protect()


def _descartar_cuerpo() -> None:
    """Read and drop a body the app will not use (up to MAX_CONTENT_LENGTH, in small chunks, in memory):
    a browser still sending it when the answer comes may show a reset connection instead of the answer."""
    largo = request.content_length
    tope = current_app.config.get("MAX_CONTENT_LENGTH")
    if largo is not None and (tope is None or largo <= tope):
        LimitedStream(request.environ["wsgi.input"], largo).exhaust()


def register(app: Flask) -> None:
    app.url_value_preprocessor(_preparar_subida)
