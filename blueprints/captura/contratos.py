"""The contracts of an informativa, on the capturista's side: the grid on the informativa page (search,
keyset pages by number), Agregar contrato (its contratante remembered per contractor: Buscar RFC), and
Editar / Eliminar in the row (htmx) or on their own pages (no JS). Every change goes through
services.informativas with the informativa locked (``de_la_informativa`` on POST) and is committed here.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from blueprints.auth.services import volver_a
from blueprints.captura import bp
from blueprints.captura.acceso import de_la_informativa, del_contrato
from blueprints.captura.forms import EditarContratoForm, EliminarContratoForm, NuevoContratoForm, TipoForm
from blueprints.htmx import pide_fragmento
from extensions import db
from services import informativas as srv
from services.capturistas import actor_de

GRID = "grid-contratos"
CONTRATANTE = "datos-contratante"  # the fieldset Buscar RFC fills in (htmx)
VARY = {"Vary": "HX-Request, HX-Target"}


# --- the informativa page -----------------------------------------------------------------------------


def contexto_estado(relacion, informativa, conteos: dict[int, int] | None = None) -> dict:
    """The checklist, the Tipo form and the Enviar a firma section (both with the informativa's version):
    on the page, and again after a change made in a row, so none is left stale (a stale version would
    refuse the next Tipo or Enviar). ``conteos``: srv.trabajadores_por_contrato's, when the caller has them."""
    return {"revision": srv.revision(informativa, relacion.contratista, conteos), "envio": srv.envio_de(informativa),
            "form_tipo": TipoForm(formdata=None, version=informativa.version, tipo=informativa.tipo)}


def _motivo(exigir, informativa) -> str | None:
    """Why the service would refuse, in its words; None when it would not."""
    try:
        exigir(informativa)
    except srv.ErrorInformativa as exc:
        return exc.mensaje
    return None


def contexto_grid(informativa, conteos: dict[int, int] | None = None) -> dict:
    """The contracts grid of the informativa page (``captura.ver``): ``q``, ``despues``/``antes``, ``p``."""
    q = (request.args.get("q") or "").strip()[:100]
    pagina = srv.pagina_contratos(informativa, q=q, despues=request.args.get("despues"),
                                  antes=request.args.get("antes"), conteos=conteos)
    total = len(pagina.filas) if pagina.primera and not pagina.siguiente else srv.contar_contratos(informativa, q)
    return {"q": q, "pagina": pagina, "total": total, "numero_pagina": request.args.get("p", type=int),
            "solo_lectura": _motivo(srv.exigir_editable, informativa),
            "sin_agregar": _motivo(srv.exigir_admite_contratos, informativa),
            **_contexto_filas(informativa, request.full_path.rstrip("?"))}


# --- rows -------------------------------------------------------------------------------------------------


def _objetivo(contrato_id: int) -> str:
    return f"contrato-{contrato_id}"


def _volver(informativa) -> str:
    """Where a plain form returns: the informativa page with the grid's query it was on (never elsewhere)."""
    return volver_a(url_for(".ver", informativa_id=informativa.id))


def _contexto_filas(informativa, volver: str) -> dict:
    """What every row needs for its links, once per response (rows concatenate their URLs from it)."""
    inicio = url_for(".ver", informativa_id=informativa.id)
    return {"volver": volver, "url_contratos": inicio + "/contratos", "editable": informativa.editable,
            "volver_qs": "" if volver == inicio else "?" + urlencode({"volver": volver})}


def _fila(relacion, informativa, contrato, status: int = 200, cambio: bool = False, **contexto):
    """The contract's row (its ``<tbody>``); after a change, the checklist and the Tipo form too (out of
    band), so the page stays true."""
    html = render_template("captura/_contrato.html", fila=contrato, trabajadores=srv.contar_trabajadores(contrato),
                           periodo=srv.periodo_de(informativa), **_contexto_filas(informativa, _volver(informativa)),
                           **contexto)
    if cambio:
        html += _estado_fuera_de_banda(relacion, informativa)
    return html, status, VARY


def _estado_fuera_de_banda(relacion, informativa) -> str:
    return render_block("captura/informativa.html", "estado", oob=True, informativa=informativa,
                        **contexto_estado(relacion, informativa))


def _rechazado(relacion, informativa, contrato, exc: srv.ErrorInformativa):
    """The service said no (a newer version, an informativa no longer editable): nothing changed."""
    db.session.rollback()
    if contrato is not None and pide_fragmento(_objetivo(contrato.id)):
        return _fila(relacion, informativa, contrato, status=exc.status, mensaje=exc.mensaje, tipo="error")
    return render_template("rechazo.html", mensaje=exc.mensaje, volver=_volver(informativa),
                           volver_texto="Volver a cargar la informativa"), exc.status


@bp.get("/<id:informativa_id>/contratos/<id:contrato_id>/fila")
@del_contrato
def fila_contrato(relacion, informativa, contrato):
    """The plain row (Cancelar, Aceptar); without htmx, the grid."""
    if not pide_fragmento(_objetivo(contrato.id)):
        return redirect(_volver(informativa))
    return _fila(relacion, informativa, contrato)


# --- Agregar contrato ---------------------------------------------------------------------------------------


def _pagina_nuevo(relacion, informativa, form, status: int = 200, **contexto):
    return render_template("captura/nuevo_contrato.html", relacion=relacion, informativa=informativa,
                           periodo=srv.periodo_de(informativa), form=form, volver=_volver(informativa),
                           **contexto), status


def _buscar_contratante(relacion, informativa, form):
    """Buscar RFC: the contratante's remembered data into the form; nothing is saved. With htmx only the
    contratante's fieldset comes back."""
    recordado = None
    if form.validar_rfc():
        recordado = srv.contratante_recordado(relacion.contratista_id, form.rfc_contratante.data)
        if recordado is not None:
            form.nombre_contratante.data = recordado.nombre
            form.correo_contratante.data = recordado.correo
            form.telefono_contratante.data = recordado.telefono
    status = 422 if form.rfc_contratante.errors else 200
    contexto = {"buscado": not form.rfc_contratante.errors, "recordado": recordado}
    if pide_fragmento(CONTRATANTE):
        return render_template("captura/_contratante.html", form=form, informativa=informativa,
                               desde_boton=request.headers.get("HX-Trigger") == form.buscar_rfc.id,
                               **contexto), status, VARY
    return _pagina_nuevo(relacion, informativa, form, status, **contexto)


@bp.route("/<id:informativa_id>/contratos/nuevo", methods=["GET", "POST"])
@de_la_informativa
def nuevo_contrato(relacion, informativa):
    try:
        srv.exigir_admite_contratos(informativa)
    except srv.ErrorInformativa as exc:
        return _rechazado(relacion, informativa, None, exc)
    if request.method == "GET":
        form = NuevoContratoForm(formdata=None, servicio=srv.servicio_sugerido(relacion.contratista))
        return _pagina_nuevo(relacion, informativa, form)
    form = NuevoContratoForm()
    if form.buscar_rfc.data or pide_fragmento(CONTRATANTE):
        return _buscar_contratante(relacion, informativa, form)
    if _valido(form, informativa, relacion):
        try:
            contrato = srv.agregar_contrato(informativa, form.datos(), actor_de(current_user))
        except srv.ErrorInformativa as exc:
            return _rechazado(relacion, informativa, None, exc)
        db.session.commit()
        flash(f"Se agregó el {contrato.etiqueta}.", "success")
        return redirect(_volver(informativa), 303)
    return _pagina_nuevo(relacion, informativa, form, 422)


def _valido(form, informativa, relacion) -> bool:
    """The form's rules and the contract's own rules that need the informativa (dates in the period,
    RFC ≠ the contractor's), as errors on their fields: all of them at once."""
    valido = form.validate()
    if not any(form[campo].errors for campo in ("rfc_contratante", "fecha_inicio", "fecha_fin")):
        for campo, mensaje in srv.validar_contrato(form.datos(), informativa, relacion.contratista):
            form[campo].errors = [*form[campo].errors, mensaje]
            valido = False
    return valido


# --- Editar ---------------------------------------------------------------------------------------------------


def _prefijo(contrato) -> str:
    """Field ids unique on the page: two rows may have their edit forms open at once."""
    return f"contrato{contrato.id}"


@bp.route("/<id:informativa_id>/contratos/<id:contrato_id>/editar", methods=["GET", "POST"])
@del_contrato
def editar_contrato(relacion, informativa, contrato):
    try:
        srv.exigir_editable(informativa)
    except srv.ErrorInformativa as exc:
        return _rechazado(relacion, informativa, contrato, exc)
    if request.method == "GET":
        form = EditarContratoForm(formdata=None, obj=contrato, prefix=_prefijo(contrato))
    else:
        form = EditarContratoForm(prefix=_prefijo(contrato))
        if _valido(form, informativa, relacion):
            try:
                cambios = srv.editar_contrato(informativa, contrato, form.datos(), form.version.data,
                                              actor_de(current_user))
            except srv.ErrorInformativa as exc:
                return _rechazado(relacion, informativa, contrato, exc)
            db.session.commit()
            mensaje = (f"Se guardaron los cambios del {contrato.etiqueta}." if cambios
                       else f"No hubo cambios en el {contrato.etiqueta}.")
            if pide_fragmento(_objetivo(contrato.id)):
                return _fila(relacion, informativa, contrato, cambio=bool(cambios), mensaje=mensaje, tipo="success")
            flash(mensaje, "success")
            return redirect(_volver(informativa), 303)
    status = 422 if form.errors else 200
    if pide_fragmento(_objetivo(contrato.id)):
        return _fila(relacion, informativa, contrato, status=status, modo="editar", form=form)
    return render_template("captura/editar_contrato.html", relacion=relacion, informativa=informativa,
                           periodo=srv.periodo_de(informativa), contrato=contrato, form=form,
                           **_contexto_filas(informativa, _volver(informativa))), status


# --- Eliminar -----------------------------------------------------------------------------------------------


@bp.get("/<id:informativa_id>/contratos/<id:contrato_id>/eliminar")
@del_contrato
def confirmar_eliminar_contrato(relacion, informativa, contrato):
    try:  # the same rule the POST applies, so the question is only asked when the answer can work
        srv.exigir_editable(informativa)
    except srv.ErrorInformativa as exc:
        return _rechazado(relacion, informativa, contrato, exc)
    if pide_fragmento(_objetivo(contrato.id)):
        return _fila(relacion, informativa, contrato, modo="eliminar")
    return render_template("captura/eliminar_contrato.html", relacion=relacion, informativa=informativa,
                           periodo=srv.periodo_de(informativa), contrato=contrato,
                           trabajadores=srv.contar_trabajadores(contrato),
                           **_contexto_filas(informativa, _volver(informativa)))


@bp.post("/<id:informativa_id>/contratos/<id:contrato_id>/eliminar")
@del_contrato
def eliminar_contrato(relacion, informativa, contrato):
    form = EliminarContratoForm()
    form.validate()  # CSRF is checked for every POST; a missing version is the service's conflict
    etiqueta, contrato_id = contrato.etiqueta, contrato.id
    try:
        trabajadores = srv.eliminar_contrato(informativa, contrato, form.version.data, actor_de(current_user))
    except srv.ErrorInformativa as exc:
        return _rechazado(relacion, informativa, contrato, exc)
    db.session.commit()
    mensaje = f"Se eliminó el {etiqueta}" + (
        "." if not trabajadores else " con su trabajador." if trabajadores == 1
        else f" con sus {trabajadores:,} trabajadores.")
    if pide_fragmento(_objetivo(contrato_id)):
        html = render_template("captura/_contrato.html", eliminado=contrato_id, mensaje=mensaje, tipo="success",
                               **_contexto_filas(informativa, _volver(informativa)))
        return html + _estado_fuera_de_banda(relacion, informativa), 200, VARY
    flash(mensaje, "success")
    return redirect(_volver(informativa), 303)
