from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from blueprints import acuse as pagina_acuse
from blueprints.captura import bp, contratos
from blueprints.captura.acceso import de_la_informativa
from blueprints.captura.forms import NuevaInformativaForm, TipoForm
from blueprints.capturista.routes import contratista_elegido
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from domain.errores import ErrorDeDominio
from domain.periodos import Periodo, periodo_por_presentar, plazo_en_palabras
from extensions import db
from models.types import ahora_utc
from services import informativas as srv
from services.capturistas import actor_de


def _nueva_form(relacion) -> NuevaInformativaForm:
    form = NuevaInformativaForm()
    form.periodo.choices = [SelectChoice(p.clave, p.titulo) for p in srv.periodos_sin_informativa(relacion.contratista_id,
                                                                                        ahora_utc())]
    return form


def _inicio(relacion, form, status=200):
    ahora = ahora_utc()
    resumenes = srv.resumenes(relacion.contratista_id)
    por_presentar = periodo_por_presentar(ahora)
    pendiente = None if any(r.periodo == por_presentar for r in resumenes) else por_presentar
    return render_template("captura/inicio.html", relacion=relacion, resumenes=resumenes, form=form,
                           pendiente=pendiente, ahora=ahora, plazo=plazo_en_palabras), status


def espacio_de_trabajo(relacion):
    """The capturista's home (``capturista.inicio``, /capturista/): the chosen contractor's informativas."""
    return _inicio(relacion, _nueva_form(relacion))


@bp.post("/nueva")
@contratista_elegido
def nueva(relacion):
    form = _nueva_form(relacion)
    if form.validate_on_submit():
        try:
            informativa = srv.crear(relacion.contratista_id, Periodo.de_clave(form.periodo.data), form.tipo.data,
                                    actor_de(current_user), ahora_utc())
        except ErrorDeDominio as exc:
            campo = getattr(exc, "campo", None) or "periodo"
            getattr(form, campo).errors.append(exc.mensaje)
            return _inicio(relacion, form, getattr(exc, "status", 422))
        flash(f"Se creó la informativa del {srv.periodo_de(informativa).nombre}.", "success")
        return redirect(url_for(".ver", informativa_id=informativa.id), 303)
    return _inicio(relacion, form, 422)


@bp.get("/<id:informativa_id>")
@de_la_informativa
def ver(relacion, informativa):
    """The informativa page; its contracts grid alone for htmx (search, pages: no checklist to compute).
    The whole page counts each contract's workers once, for the checklist and the grid."""
    if pide_fragmento(contratos.GRID):
        conteos, estado = None, {}
    else:
        conteos = srv.trabajadores_por_contrato(informativa)
        estado = contratos.contexto_estado(relacion, informativa, conteos)
    return pagina_o_bloque("captura/informativa.html", "grid", contratos.GRID, relacion=relacion,
                           informativa=informativa, periodo=srv.periodo_de(informativa), ahora=ahora_utc(),
                           plazo=plazo_en_palabras, **estado, **contratos.contexto_grid(informativa, conteos))


@bp.post("/<id:informativa_id>/tipo")
@de_la_informativa
def tipo(relacion, informativa):
    form = TipoForm()
    if form.validate_on_submit():
        try:
            srv.cambiar_tipo(informativa, form.tipo.data, form.version.data, actor_de(current_user))
        except ErrorDeDominio as exc:
            flash(exc.mensaje, "error")
            return redirect(url_for(".ver", informativa_id=informativa.id), 303)
        db.session.commit()
        flash(f"La informativa es de tipo «{informativa.tipo_etiqueta}».", "success")
    return redirect(url_for(".ver", informativa_id=informativa.id), 303)



@bp.get("/<id:informativa_id>/acuse")
@de_la_informativa
def acuse(relacion, informativa):
    """The acuse of a presented informativa: the contractor's active capturistas see and download it too."""
    return pagina_acuse.pagina("captura/acuse.html", informativa,
                               url_for("captura.acuse_pdf", informativa_id=informativa.id), relacion=relacion)


@bp.get("/<id:informativa_id>/acuse.pdf")
@de_la_informativa
def acuse_pdf(relacion, informativa):
    return pagina_acuse.pdf(informativa)
