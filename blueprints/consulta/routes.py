from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.auth.services import destino_seguro
from blueprints.consulta import bp
from blueprints.consulta.forms import AccionForm, EditarForm
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from extensions import db
from models import Bitacora, CorreoSaliente
from services import capturistas as servicio
from services import consulta as grid
from services import exportar
from services.correo import intentar_envio

GRID = "grid-capturistas"
# The server refused the message for good (5xx): it will not be retried.
LIGA_RECHAZADA = ("No se pudo enviar el nuevo correo para activar su acceso: el servidor de correo rechazó el mensaje. "
                  "Revisa el correo electrónico del usuario capturista.")


def _objetivo(relacion_id: int) -> str:
    return f"capturista-{relacion_id}"


def _volver() -> str:
    """Where a plain-form action returns: the grid with the query it was on (never elsewhere)."""
    candidato = destino_seguro(request.values.get("volver"))
    inicio = url_for(".consulta")
    return candidato if candidato and candidato.startswith(inicio) else inicio


def _contexto_filas(volver: str) -> dict:
    """What every row of the grid needs to build its links, computed once per response."""
    inicio = url_for(".consulta")
    return {"volver": volver, "url_consulta": inicio,
            "volver_qs": "" if volver == inicio else "?" + urlencode({"volver": volver})}


def _fila(relacion_id: int, status: int = 200, **contexto):
    fila = grid.fila(current_user.id, relacion_id)
    if fila is None:
        abort(404)
    html = render_template("consulta/_capturista.html", fila=fila, **_contexto_filas(_volver()), **contexto)
    return html, status, {"Vary": "HX-Request, HX-Target"}


def _relacion(relacion_id: int, *, bloquear: bool = False):
    relacion = servicio.relacion_del_contratista(current_user.id, relacion_id, bloquear=bloquear)
    if relacion is None:
        abort(404)  # another contractor's capturista, or an id that does not exist
    return relacion


def _hecho(relacion_id: int, mensaje: str):
    """After an action: the row with the message and Aceptar (htmx), or flash + 303 to the grid."""
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, mensaje=mensaje, tipo="success")
    flash(mensaje, "success")
    return redirect(_volver(), 303)


def _rechazado(relacion_id: int, exc: servicio.TransicionNoPermitida):
    db.session.rollback()
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, status=exc.status, mensaje=exc.mensaje, tipo="error")
    return render_template("consulta/rechazo.html", mensaje=exc.mensaje, volver=_volver()), exc.status


@bp.get("")
def consulta():
    filtro = grid.Filtro.desde(request.args)
    pagina = grid.pagina(current_user.id, filtro, despues=request.args.get("despues"),
                         antes=request.args.get("antes"))
    # For the grid's caption: how many in all (counted only when there is more than one page) and
    # which page this is (``p``, carried by Anterior/Siguiente; believed only beside a cursor).
    total = len(pagina.filas) if pagina.primera and not pagina.siguiente else exportar.contar(current_user.id, filtro)
    return pagina_o_bloque("consulta/consulta.html", "grid", GRID, filtro=filtro, pagina=pagina, total=total,
                           numero_pagina=request.args.get("p", type=int),
                           **_contexto_filas(request.full_path.rstrip("?")))


@bp.get("/<int:relacion_id>")
def fila(relacion_id: int):
    if not pide_fragmento(_objetivo(relacion_id)):
        _relacion(relacion_id)
        return redirect(_volver())
    return _fila(relacion_id)


@bp.route("/<int:relacion_id>/editar", methods=["GET", "POST"])
def editar(relacion_id: int):
    relacion = _relacion(relacion_id, bloquear=request.method == "POST")
    form = EditarForm(obj=None if request.method == "POST" else relacion,
                      data=None if request.method == "POST" else {"confirmar_correo": relacion.correo})
    if request.method == "GET":
        try:
            servicio.exigir_pendiente(relacion, "editar sus datos de contacto")
        except servicio.TransicionNoPermitida as exc:
            return _rechazado(relacion_id, exc)
    if form.validate_on_submit():
        try:
            cambios, saliente = servicio.editar_contacto(
                relacion, telefono=form.telefono.data, correo=form.correo.data, actor=servicio.actor_de(current_user))
        except servicio.TransicionNoPermitida as exc:
            return _rechazado(relacion_id, exc)
        mensaje = "Los datos del usuario capturista se actualizaron correctamente."
        if saliente is not None:
            if intentar_envio(saliente):
                mensaje += " Se envió al capturista un nuevo correo para activar su acceso; el anterior ya no es válido."
            elif saliente.estado == CorreoSaliente.FALLIDO:
                mensaje += f" {LIGA_RECHAZADA}"
            else:
                mensaje += " El nuevo correo para activar su acceso quedó pendiente de envío."
        elif not cambios:
            mensaje = "No hubo cambios en los datos del usuario capturista."
        return _hecho(relacion_id, mensaje)
    status = 422 if form.errors else 200
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, status=status, modo="editar", form=form)
    return render_template("consulta/editar.html", form=form, relacion=relacion,
                           **_contexto_filas(_volver())), status


@bp.post("/<int:relacion_id>/enviar-email")
def enviar_email(relacion_id: int):
    relacion = _relacion(relacion_id, bloquear=True)
    try:
        saliente = servicio.reenviar_liga(relacion, actor=servicio.actor_de(current_user))
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    if intentar_envio(saliente):
        mensaje = ("Se envió al capturista un nuevo correo para activar su acceso; estará vigente durante "
                   "24 horas y los anteriores ya no son válidos.")
    elif saliente.estado == CorreoSaliente.FALLIDO:
        mensaje = LIGA_RECHAZADA
    else:
        mensaje = "El nuevo correo para activar su acceso quedó pendiente de envío; el sistema lo reintentará."
    return _hecho(relacion_id, mensaje)


def _confirmacion(relacion_id: int, accion: str):
    relacion = _relacion(relacion_id)
    try:  # the same rule the POST applies, so the question is only asked when the answer can work
        (servicio.exigir_no_baja if accion == "eliminar" else servicio.exigir_baja)(relacion)
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, modo=f"confirmar_{accion}", form=AccionForm(formdata=None))
    return render_template("consulta/confirmar.html", accion=accion, relacion=relacion,
                           form=AccionForm(formdata=None), volver=_volver())


@bp.get("/<int:relacion_id>/eliminar")
def confirmar_eliminar(relacion_id: int):
    return _confirmacion(relacion_id, "eliminar")


def _transicion(relacion_id: int, cambio, mensaje):
    """POST of Eliminar / Activar: lock the row, apply the change against its current state."""
    relacion = _relacion(relacion_id, bloquear=True)
    try:
        cambio(relacion, actor=servicio.actor_de(current_user))
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    return _hecho(relacion_id, mensaje(relacion))


@bp.post("/<int:relacion_id>/eliminar")
def eliminar(relacion_id: int):
    return _transicion(relacion_id, servicio.dar_de_baja, lambda r: "La relación con el usuario capturista es baja.")


@bp.get("/<int:relacion_id>/activar")
def confirmar_activar(relacion_id: int):
    return _confirmacion(relacion_id, "activar")


def _mensaje_activacion(relacion) -> str:
    mensaje = "El usuario capturista se activó correctamente."
    if relacion.estatus == relacion.PENDIENTE:
        mensaje += " Sigue pendiente de activación: envíale un nuevo correo con Enviar email."
    return mensaje


@bp.post("/<int:relacion_id>/activar")
def activar(relacion_id: int):
    return _transicion(relacion_id, servicio.reactivar, _mensaje_activacion)


@bp.get("/<int:relacion_id>/bitacora")
def bitacora(relacion_id: int):
    relacion = _relacion(relacion_id)
    entradas = db.session.scalars(
        db.select(Bitacora).where(Bitacora.relacion_id == relacion.id, Bitacora.contratista_id == current_user.id)
        .order_by(Bitacora.creado_en.desc(), Bitacora.id.desc())).all()
    return render_template("consulta/bitacora.html", relacion=relacion, entradas=entradas, volver=_volver())
