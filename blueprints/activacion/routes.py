from flask import flash, redirect, render_template, request, url_for

from blueprints.htmx import pagina_o_bloque, redirigir

from blueprints.activacion import bp
from blueprints.activacion.forms import ActivacionForm
from blueprints.forms_comunes import FormularioVacio
from extensions import db
from services import capturistas as servicio
from services.correo import intentar_envio
from services.tokens import EstadoLiga, verificar_activacion

_ESTADOS = {
    EstadoLiga.VENCIDA: ("La liga de activación venció",
                         "Las ligas de activación son válidas durante 24 horas y esta ya venció. "
                         "Puedes solicitar una nueva: la enviaremos al correo electrónico registrado por el contratista."),
    EstadoLiga.USADA: ("La liga ya se utilizó",
                       "Tu usuario ya fue creado con esta liga o con otra. Inicia sesión con tu usuario y contraseña."),
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
def activar(token: str):
    # GET only shows the form (mail scanners open links); only the POST consumes the link.
    liga = verificar_activacion(token, bloquear=request.method == "POST")
    if liga.estado is not EstadoLiga.VALIDA:
        return _liga_no_valida(liga, token)
    relacion = liga.relacion
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


@bp.post("/<token>/nueva-liga")
def nueva_liga(token: str):
    FormularioVacio().validate_on_submit()  # CSRF already enforced globally; nothing else to read
    liga = verificar_activacion(token, bloquear=True)
    if liga.estado is EstadoLiga.VALIDA:
        return redirect(url_for(".activar", token=token), 303)
    if liga.estado is not EstadoLiga.VENCIDA:
        return _liga_no_valida(liga, token)
    relacion = liga.relacion
    motivo = servicio.limite_de_envios(relacion)
    if motivo:
        db.session.rollback()
        return _liga_no_valida(liga, token, mensaje=motivo, status=429)
    # Always to the correo the contractor registered: never to an address typed here.
    correo = servicio.emitir_liga(relacion)
    servicio.registrar_bitacora(relacion, servicio.actor_de(relacion.capturista), "reenvio",
                                origen="liga vencida", correo=relacion.correo)
    db.session.commit()
    intentar_envio(correo)
    return redirect(url_for(".liga_enviada"), 303)


@bp.get("/nueva-liga-enviada")
def liga_enviada():
    return render_template("activacion/liga_enviada.html")
