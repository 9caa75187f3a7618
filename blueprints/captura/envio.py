"""Enviar a firma, the capturista's last step, and Exportar. The informativa page's section says what is
still missing, or offers the button; its confirmation (in the page with htmx, a page of its own without
JavaScript) shows the summary and the checklist; the send locks the informativa, e-mails the contractor
and says whether the e-mail went. Once sent, the section says when and by whom."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.captura import bp
from blueprints.captura.acceso import de_la_informativa
from blueprints.captura.forms import EnviarForm
from blueprints.descargas import informativa_xlsx
from blueprints.escritura import escribe
from blueprints.htmx import pide_fragmento, redirigir
from blueprints.rechazo import rechazo
from models import CorreoSaliente
from services import informativas as srv
from services.capturistas import actor_de
from services.correo import intentar_envio
from services.enlaces import url_externa

SECCION = "envio-firma"
VARIA = {"Vary": "HX-Request, HX-Target"}  # these URLs answer the section to htmx, a page to anyone else


def _pagina(informativa) -> str:
    return url_for(".ver", informativa_id=informativa.id)


def _seccion(relacion, informativa, revision=None, **contexto):
    """The section alone, as the informativa page includes it (htmx swaps it in place)."""
    html = render_template("captura/_envio.html", relacion=relacion, informativa=informativa,
                           periodo=srv.periodo_de(informativa), envio=srv.envio_de(informativa),
                           revision=revision or srv.revision(informativa, relacion.contratista), **contexto)
    return html, 200, VARIA


def _correo(saliente: CorreoSaliente) -> str:
    """The truth about the contractor's e-mail, tried at once now that the send is committed."""
    if intentar_envio(saliente):
        return "La informativa se envió a firma; el contratista recibió un correo."
    if saliente.estado == CorreoSaliente.FALLIDO:
        return ("La informativa se envió a firma, pero el servidor de correo rechazó el mensaje para el "
                "contratista: avísale por otro medio que la informativa espera su revisión.")
    return ("La informativa se envió a firma; el correo para el contratista quedó pendiente de envío y el "
            "sistema lo reintentará.")


@bp.get("/<id:informativa_id>/envio")
@de_la_informativa
def envio(relacion, informativa):
    """The section as the page shows it: what Cancelar of the in-page confirmation brings back."""
    if not pide_fragmento(SECCION):
        return redirect(_pagina(informativa))
    return _seccion(relacion, informativa)


@bp.get("/<id:informativa_id>/enviar")
@de_la_informativa
def confirmar_envio(relacion, informativa):
    try:  # the rule the POST applies, so the question is only asked when the answer can work
        revision = srv.revision_para_envio(informativa, relacion.contratista)
    except srv.ErrorInformativa as exc:
        return rechazo(exc.mensaje, _pagina(informativa), exc.status)
    contexto = {"modo": "confirmar", "resumen": srv.resumen(informativa),
                "form": EnviarForm(formdata=None, version=informativa.version)}
    if pide_fragmento(SECCION):
        return _seccion(relacion, informativa, revision, **contexto)
    return render_template("captura/enviar.html", relacion=relacion, informativa=informativa, revision=revision,
                           periodo=srv.periodo_de(informativa), **contexto), 200, VARIA


@bp.post("/<id:informativa_id>/enviar")
@de_la_informativa
def enviar(relacion, informativa):
    form = EnviarForm()
    form.validate_on_submit()  # a missing or altered version is a conflict: the service says so
    try:
        saliente = srv.enviar_a_firma(
            informativa, relacion.contratista, form.version.data, actor_de(current_user),
            quien=current_user.nombre_completo, liga=url_externa("informativas.ver", informativa_id=informativa.id))
    except srv.ErrorInformativa as exc:
        return rechazo(exc.mensaje, _pagina(informativa), exc.status)
    flash(_correo(saliente), "success")
    return redirigir(_pagina(informativa), SECCION)


@bp.get("/<id:informativa_id>/exportar")
@escribe  # the export is recorded in the informativa's bitácora
@de_la_informativa
def exportar(relacion, informativa):
    return informativa_xlsx(informativa, relacion.contratista, actor_de(current_user))
