from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.descargas import informativa_xlsx
from blueprints.escritura import escribe
from blueprints.htmx import pagina_o_bloque
from blueprints.informativas import bp
from blueprints.informativas.forms import CorreccionForm, DevolverForm
from blueprints.rechazo import rechazo
from domain.periodos import plazo_en_palabras
from models.types import ahora_utc
from services import bitacora as servicio_bitacora
from services import informativas as srv
from services import presentacion
from services.capturistas import actor_de

CONTRATOS = "grid-contratos"
TRABAJADORES = "grid-trabajadores"


def _informativa(informativa_id: int, *, bloquear: bool = False):
    informativa = srv.de_contratista(current_user.id, informativa_id, bloquear=bloquear)
    if informativa is None:
        abort(404)  # another contractor's informativa, or none
    return informativa


def _cursor() -> dict:
    """Where a grid page starts (keyset cursors) and which page it is (``p``, for its caption)."""
    return {"despues": request.args.get("despues"), "antes": request.args.get("antes")}


@bp.get("")
def lista():
    resumenes = srv.resumenes(current_user.id)
    informativas = [r.informativa for r in resumenes]
    return render_template("informativas/lista.html", resumenes=resumenes, ahora=ahora_utc(), plazo=plazo_en_palabras,
                           envios=srv.envios(current_user, informativas),
                           sustitutas=presentacion.sustitutas(informativas))


def _ver(informativa, form: DevolverForm, status: int = 200):
    conteos = srv.trabajadores_por_contrato(informativa)  # counted once for the checklist, totals and grid
    return pagina_o_bloque(
        "informativas/ver.html", "contratos", CONTRATOS, status, informativa=informativa,
        periodo=srv.periodo_de(informativa), resumen=srv.resumen(informativa, conteos),
        envio=srv.envio_de(informativa), revision=srv.revision(informativa, current_user, conteos),
        pagina=srv.pagina_contratos(informativa, conteos=conteos, **_cursor()),
        numero_pagina=request.args.get("p", type=int), form=form, ahora=ahora_utc(), plazo=plazo_en_palabras,
        serie=presentacion.serie_de(informativa), correccion=CorreccionForm(formdata=None, version=informativa.version))


@bp.get("/<id:informativa_id>")
def ver(informativa_id: int):
    informativa = _informativa(informativa_id)
    return _ver(informativa, DevolverForm(formdata=None, version=informativa.version))


@bp.post("/<id:informativa_id>/devolver")
def devolver(informativa_id: int):
    informativa = _informativa(informativa_id, bloquear=True)
    form = DevolverForm()
    form.validate_on_submit()
    form.version.errors = []  # not the user's to fix: a missing or old version is a conflict (below)
    if form.errors:
        return _ver(informativa, form, 422)
    volver = url_for(".ver", informativa_id=informativa.id)
    try:
        srv.exigir_version(informativa, form.version.data, "la informativa")
        srv.devolver(informativa, form.comentario.data, actor_de(current_user))
    except srv.ErrorInformativa as exc:
        return rechazo(exc.mensaje, volver, exc.status)
    flash("Devolviste la informativa para corrección. Tus capturistas verán tu comentario en ella y podrán "
          "corregirla y enviarla de nuevo a firma.", "success")
    return redirect(volver, 303)


def _grid_trabajadores(plantilla: str, dueno, paginar, **contexto):
    """A page of a read-only workers grid (a contract's or the whole informativa's), searched by ``q``;
    with htmx aimed at the grid, only the grid."""
    q = (request.args.get("q") or "").strip()[:100]
    pagina = paginar(dueno, q=q, **_cursor())
    total = len(pagina.filas) if pagina.primera and not pagina.siguiente else srv.contar_coincidencias(dueno, q)
    return pagina_o_bloque(plantilla, "grid", TRABAJADORES, pagina=pagina, total=total, q=q, tope=srv.TOPE_CONTEO_TRABAJADORES,
                           numero_pagina=request.args.get("p", type=int), **contexto)


@bp.get("/<id:informativa_id>/contratos/<id:contrato_id>")
def contrato(informativa_id: int, contrato_id: int):
    informativa = _informativa(informativa_id)
    contrato = srv.contrato_de(informativa, contrato_id)
    if contrato is None:
        abort(404)
    return _grid_trabajadores("informativas/contrato.html", contrato, srv.pagina_trabajadores,
                              informativa=informativa, contrato=contrato, periodo=srv.periodo_de(informativa))


@bp.get("/<id:informativa_id>/trabajadores")
def trabajadores(informativa_id: int):
    informativa = _informativa(informativa_id)
    return _grid_trabajadores("informativas/trabajadores.html", informativa, srv.pagina_trabajadores_de_informativa,
                              informativa=informativa, periodo=srv.periodo_de(informativa))


@bp.get("/<id:informativa_id>/bitacora")
def bitacora(informativa_id: int):
    informativa = _informativa(informativa_id)
    return render_template("informativas/bitacora.html", informativa=informativa, periodo=srv.periodo_de(informativa),
                           pagina=servicio_bitacora.entradas_de_informativa(current_user, informativa, **_cursor()))


@bp.get("/<id:informativa_id>/exportar")
@escribe  # the export is recorded in the informativa's bitácora
def exportar(informativa_id: int):
    return informativa_xlsx(_informativa(informativa_id), current_user, actor_de(current_user))
