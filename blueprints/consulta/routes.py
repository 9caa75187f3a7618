from urllib.parse import urlencode

from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.auth.services import volver_a
from blueprints.consulta import bp
from blueprints.consulta.forms import EditarForm
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from blueprints.main.filters import fecha_hora
from extensions import db
from models import CorreoSaliente
from services import bitacora as servicio_bitacora
from services import capturistas as servicio
from services import consulta as grid
from services.correo import intentar_envio

GRID = "grid-capturistas"
# What each action's confirmation is about (the guide's "Mensaje de confirmación", steps 8, 12, 15).
TITULOS = {"editar": "actualización del usuario capturista", "enviar": "envío del correo de activación",
           "eliminar": "baja del usuario capturista", "activar": "activación del usuario capturista"}


def _envio(saliente) -> str:
    """The truth about the e-mail just queued: sent, refused for good (5xx), or waiting for a retry."""
    if intentar_envio(saliente):
        return ("Se le envió un nuevo correo para activar su acceso, vigente durante 24 horas; "
                "los anteriores ya no son válidos.")
    if saliente.estado == CorreoSaliente.FALLIDO:
        return ("No se pudo enviar el nuevo correo para activar su acceso: el servidor de correo rechazó el "
                "mensaje. Revisa su correo electrónico.")
    return "El nuevo correo para activar su acceso quedó pendiente de envío; el sistema lo reintentará."


def _objetivo(relacion_id: int) -> str:
    return f"capturista-{relacion_id}"


def _volver() -> str:
    """Where a plain-form action returns: the grid with the query it was on (never elsewhere)."""
    return volver_a(url_for(".consulta"))


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


def _hecho(relacion_id: int, accion: str, mensaje: str):
    """After an action: the row with the message and Aceptar (htmx); without JS the same message
    on its own confirmation page with Aceptar back to the grid (303 there, then GET)."""
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, mensaje=mensaje, tipo="success")
    session[CLAVE_RESULTADO] = {"relacion": relacion_id, "accion": accion, "mensaje": mensaje}
    return redirect(url_for(".resultado", relacion_id=relacion_id, volver=_volver()), 303)


CLAVE_RESULTADO = "resultado_consulta"


@bp.get("/<id:relacion_id>/resultado")
def resultado(relacion_id: int):
    relacion = _relacion(relacion_id)
    pendiente = session.pop(CLAVE_RESULTADO, None)
    if not isinstance(pendiente, dict) or pendiente.get("relacion") != relacion_id \
            or pendiente.get("accion") not in TITULOS:
        return redirect(_volver())  # a reload after Aceptar: nothing left to confirm
    return render_template("consulta/resultado.html", relacion=relacion, mensaje=pendiente["mensaje"],
                           titulo=TITULOS[pendiente["accion"]], volver=_volver())


def _rechazado(relacion_id: int, exc: servicio.TransicionNoPermitida):
    db.session.rollback()
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, status=exc.status, mensaje=exc.mensaje, tipo="error")
    return render_template("rechazo.html", mensaje=exc.mensaje, volver=_volver(), volver_texto="Volver a Consulta"), exc.status


@bp.get("")
def consulta():
    filtro = grid.Filtro.desde(request.args)
    pagina = grid.pagina(current_user.id, filtro, despues=request.args.get("despues"),
                         antes=request.args.get("antes"))
    # For the grid's caption: how many in all (counted only when there is more than one page) and
    # which page this is (``p``, carried by Anterior/Siguiente; believed only beside a cursor).
    total = len(pagina.filas) if pagina.primera and not pagina.siguiente else grid.contar_hasta(current_user.id, filtro)
    return pagina_o_bloque("consulta/consulta.html", "grid", GRID, filtro=filtro, pagina=pagina, total=total,
                           tope_conteo=grid.TOPE_CONTEO,
                           numero_pagina=request.args.get("p", type=int),
                           **_contexto_filas(request.full_path.rstrip("?")))


@bp.get("/<id:relacion_id>")
def fila(relacion_id: int):
    if not pide_fragmento(_objetivo(relacion_id)):
        _relacion(relacion_id)
        return redirect(_volver())
    return _fila(relacion_id)


@bp.route("/<id:relacion_id>/editar", methods=["GET", "POST"])
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
        nombre = relacion.capturista.nombre_completo
        if not cambios:
            mensaje = f"No hubo cambios en los datos del usuario capturista {nombre}."
        else:
            mensaje = f"Los datos del usuario capturista {nombre} se actualizaron correctamente."
        if saliente is not None:
            mensaje += " " + _envio(saliente)
        return _hecho(relacion_id, "editar", mensaje)
    status = 422 if form.errors else 200
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, status=status, modo="editar", form=form)
    return render_template("consulta/editar.html", form=form, relacion=relacion,
                           **_contexto_filas(_volver())), status


@bp.post("/<id:relacion_id>/enviar-email")
def enviar_email(relacion_id: int):
    relacion = _relacion(relacion_id, bloquear=True)
    try:
        saliente = servicio.reenviar_liga(relacion, actor=servicio.actor_de(current_user))
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    return _hecho(relacion_id, "enviar", f"Usuario capturista {relacion.capturista.nombre_completo}: {_envio(saliente)}")


def _confirmacion(relacion_id: int, accion: str):
    relacion = _relacion(relacion_id)
    try:  # the same rule the POST applies, so the question is only asked when the answer can work
        (servicio.exigir_no_baja if accion == "eliminar" else servicio.exigir_baja)(relacion)
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    if pide_fragmento(_objetivo(relacion_id)):
        return _fila(relacion_id, modo=f"confirmar_{accion}")
    return render_template("consulta/confirmar.html", accion=accion, relacion=relacion, volver=_volver())


@bp.get("/<id:relacion_id>/eliminar")
def confirmar_eliminar(relacion_id: int):
    return _confirmacion(relacion_id, "eliminar")


def _transicion(relacion_id: int, accion: str, cambio, mensaje):
    """POST of Eliminar / Activar: lock the row, apply the change against its current state."""
    relacion = _relacion(relacion_id, bloquear=True)
    try:
        resultado_cambio = cambio(relacion, actor=servicio.actor_de(current_user))
    except servicio.TransicionNoPermitida as exc:
        return _rechazado(relacion_id, exc)
    return _hecho(relacion_id, accion, mensaje(relacion, resultado_cambio))


@bp.post("/<id:relacion_id>/eliminar")
def eliminar(relacion_id: int):
    return _transicion(relacion_id, "eliminar", servicio.dar_de_baja, lambda r, _: (
        f"La relación con el usuario capturista {r.capturista.nombre_completo} es baja."))


@bp.get("/<id:relacion_id>/activar")
def confirmar_activar(relacion_id: int):
    return _confirmacion(relacion_id, "activar")


def _mensaje_activacion(relacion, saliente) -> str:
    mensaje = f"El usuario capturista {relacion.capturista.nombre_completo} se activó correctamente."
    if relacion.estatus == relacion.PENDIENTE:
        mensaje += " Sigue pendiente de activación. " + (
            _envio(saliente) if saliente is not None else
            f"Su liga de activación sigue vigente hasta el {fecha_hora(relacion.liga_vence_en)} "
            "(hora de la Ciudad de México).")
    return mensaje


@bp.post("/<id:relacion_id>/activar")
def activar(relacion_id: int):
    return _transicion(relacion_id, "activar", servicio.reactivar, _mensaje_activacion)


@bp.get("/<id:relacion_id>/bitacora")
def bitacora(relacion_id: int):
    relacion = _relacion(relacion_id)
    return render_template("consulta/bitacora.html", relacion=relacion,
                           entradas=servicio_bitacora.entradas(current_user, relacion), volver=_volver())
