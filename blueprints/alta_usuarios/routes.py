import re
from uuid import uuid4

from flask import abort, redirect, request, url_for
from flask_login import current_user

from blueprints import limites
from blueprints.alta_usuarios import bp
from blueprints.alta_usuarios.forms import AltaForm, ValidarCurpForm
from blueprints.htmx import pagina_o_bloque
from blueprints.ids import id_de_fila
from domain.errores import ErrorDeDominio
from models import RelacionCapturista
from services import capturistas as servicio
from services.correo import intentar_envio


def _pagina(validar: ValidarCurpForm, alta: AltaForm | None = None, persona=None,
            guardado: RelacionCapturista | None = None, status: int = 200):
    correo = servicio.ultimo_correo(guardado) if guardado is not None else None
    return pagina_o_bloque("alta_usuarios/alta.html", "formulario", "alta-formulario", status,
                           validar=validar, alta=alta, persona=persona, guardado=guardado, correo=correo)


def _buscar(form_curp, texto: str):
    """Look the CURP up; on failure put the Spanish message on the CURP field and return None."""
    try:
        persona = servicio.buscar_persona(texto, contratista_id=current_user.id)
    except ErrorDeDominio as exc:  # invalid CURP, not in the padrón, padrón down, lookup limit
        form_curp.errors = [exc.mensaje]
    else:
        form_curp.data = persona.curp
        return persona
    return None


def _clave_de_formulario(clave: str | None) -> str:
    """The one-time key of the rendered form (uuid4().hex); anything else (a hand-made form) is no key."""
    return clave if clave and re.fullmatch(r"[0-9a-f]{32}", clave) else ""


@bp.get("/")
def alta():
    guardado = None
    if request.args.get("guardado"):
        guardado = servicio.relacion_del_contratista(current_user.id,
                                                     request.args.get("guardado", type=id_de_fila))
        if guardado is None:
            abort(404)
    return _pagina(ValidarCurpForm(formdata=None), guardado=guardado)


@bp.post("/validar")
@limites.padron_por_cliente
@limites.padron_global
def validar():
    return _validar()


def _validar():
    """Validar: htmx posts to /validar for the fragment; a plain form posts to the page's own URL
    (``guardar`` hands it here), so without JS the address stays on Alta de usuarios."""
    form = ValidarCurpForm()
    if form.validate_on_submit():
        persona = _buscar(form.curp, form.curp.data)
        if persona is not None and servicio.ya_registrada(current_user.id, persona.curp):
            form.curp.errors = [servicio.MENSAJE_DUPLICADA]
        elif persona is not None:
            alta = AltaForm(formdata=None, curp=persona.curp, clave=uuid4().hex)
            return _pagina(form, alta, persona)
    return _pagina(form, status=422)


@bp.post("/")
@limites.padron_por_cliente
@limites.padron_global
def guardar():
    if "validar" in request.form:  # the Validar button of the plain form
        return _validar()
    alta = AltaForm()
    validar = ValidarCurpForm(formdata=None, curp=alta.curp.data)
    # The CURP is validated again: never trust the earlier step (or a hidden field).
    persona = _buscar(validar.curp, alta.curp.data or "")
    if persona is None:
        return _pagina(validar, status=422)
    if alta.validate_on_submit():
        try:
            resultado = servicio.dar_de_alta(
                current_user, persona, telefono=alta.telefono.data, correo=alta.correo.data,
                clave=_clave_de_formulario(alta.clave.data), actor=servicio.actor_de(current_user))
        except servicio.ErrorCapturista as exc:
            validar.curp.errors = [exc.mensaje]
            return _pagina(validar, status=422)
        intentar_envio(resultado.correo)
        return redirect(url_for(".alta", guardado=resultado.relacion.id), 303)
    return _pagina(validar, alta, persona, status=422)
