from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints import limites
from blueprints.activacion import bp
from blueprints.activacion.forms import ActivacionForm
from blueprints.auth.services import es_capturista
from blueprints.forms_comunes import FormularioVacio
from blueprints.htmx import pagina_o_bloque, redirigir
from blueprints.liga_secreta import liga_secreta
from extensions import db
from services import capturistas as servicio
from services.correo import intentar_envio
from services.tokens import EstadoLiga, verificar_activacion

_ESTADOS = {
    EstadoLiga.VENCIDA: ("La liga de activación venció",
                         "Las ligas de activación son válidas durante 24 horas y esta ya venció. "
                         "Puedes solicitar una nueva: la enviaremos al correo electrónico registrado por el contratista."),
    EstadoLiga.USADA: ("La liga ya se utilizó",
                       "Ya aceptaste esta invitación con esta liga o con otra. Inicia sesión con tu usuario y contraseña."),
    EstadoLiga.REEMPLAZADA: ("La liga ya no es válida",
                             "Se generó una liga de activación más reciente para ti. Usa la del último correo que recibiste."),
    EstadoLiga.BAJA: ("La liga ya no es válida",
                      "El contratista dio de baja tu registro como capturista. Comunícate con él si se trata de un error."),
    EstadoLiga.ALTERADA: ("La liga no es válida",
                          "La liga está incompleta o fue modificada. Copia la dirección completa del correo que recibiste."),
}


def _liga_no_valida(liga, token, mensaje=None, status=None):
    titulo, texto = _ESTADOS[liga.estado]
    codigo = status or (404 if liga.estado is EstadoLiga.ALTERADA else 410)
    return render_template("activacion/liga_no_valida.html", titulo=titulo, texto=texto, liga=liga,
                           token=token, form=FormularioVacio(), mensaje=mensaje), codigo


@bp.route("/<token>", methods=["GET", "POST"])
@liga_secreta
def activar(token: str):
    # GET only shows the form (mail scanners open links); only the POST consumes the link.
    liga = verificar_activacion(token, bloquear=request.method == "POST")
    if liga.estado is not EstadoLiga.VALIDA:
        return _liga_no_valida(liga, token)
    relacion = liga.relacion
    if relacion.capturista.activado:
        return _aceptar(relacion, token)
    form = ActivacionForm()
    form.prohibidas = (relacion.capturista.curp,)
    if form.validate_on_submit():
        try:
            servicio.activar_cuenta(relacion, form.usuario.data, form.password.data)
        except servicio.ErrorCapturista as exc:
            form.usuario.errors = [exc.mensaje]
        else:
            flash("Tu usuario se creó correctamente. Inicia sesión con tu usuario y contraseña.", "success")
            return redirigir(url_for("capturista.login"), "activacion-formulario")
    return pagina_o_bloque("activacion/activar.html", "formulario", "activacion-formulario",
                           422 if form.errors else 200, form=form, relacion=relacion)


def _aceptar(relacion, token: str):
    """The person already has a usuario: this relation's link joins it only together with that
    person's own session (a link alone, or a session alone, is not enough)."""
    form = FormularioVacio()
    propia = es_capturista() and current_user.id == relacion.capturista_id
    if propia and form.validate_on_submit():
        servicio.aceptar_con_liga(relacion, current_user)
        flash(f"Aceptaste la invitación de {relacion.contratista.nombre_visible}. Ya puedes elegirlo para capturar.",
              "success")
        return redirect(url_for("capturista.elegir"), 303)
    status = 403 if request.method == "POST" else 200
    return render_template("activacion/aceptar.html", relacion=relacion, form=form, propia=propia,
                           otra_sesion=es_capturista() and not propia, token=token), status


@bp.post("/<token>/nueva-liga")
@liga_secreta
@limites.formulario_publico
def nueva_liga(token: str):
    liga = verificar_activacion(token, bloquear=True)
    if liga.estado is EstadoLiga.VALIDA:
        return redirect(url_for(".activar", token=token), 303)
    if liga.estado is not EstadoLiga.VENCIDA:
        return _liga_no_valida(liga, token)
    relacion = liga.relacion
    try:
        # Always to the correo the contractor registered: never to an address typed here.
        correo = servicio.reenviar_liga(relacion, actor=servicio.actor_de(relacion.capturista), origen="liga vencida")
    except servicio.TransicionNoPermitida as exc:
        db.session.rollback()
        return _liga_no_valida(liga, token, mensaje=exc.mensaje, status=exc.status)
    intentar_envio(correo)
    return redirect(url_for(".liga_enviada"), 303)


@bp.get("/nueva-liga-enviada")
@liga_secreta  # as every page of the activation links
def liga_enviada():
    return render_template("activacion/liga_enviada.html")
