from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.captura import bp
from blueprints.captura.acceso import de_la_informativa, del_contrato
from blueprints.captura.forms import NuevaInformativaForm, TipoForm
from blueprints.capturista.routes import contratista_elegido
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
    return render_template("captura/informativa.html", relacion=relacion, informativa=informativa,
                           periodo=srv.periodo_de(informativa), ahora=ahora_utc(), plazo=plazo_en_palabras,
                           revision=srv.revision(informativa, relacion.contratista), envio=srv.envio_de(informativa),
                           form_tipo=TipoForm(formdata=None, version=informativa.version, tipo=informativa.tipo))


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


@bp.get("/<id:informativa_id>/contratos/<id:contrato_id>")
@del_contrato
def contrato(relacion, informativa, contrato):
    pagina = srv.pagina_trabajadores(contrato, q=request.args.get("q", ""), despues=request.args.get("despues"),
                                     antes=request.args.get("antes"))
    return render_template("captura/contrato.html", relacion=relacion, informativa=informativa, contrato=contrato,
                           periodo=srv.periodo_de(informativa), pagina=pagina,
                           total=srv.contar_trabajadores(contrato))
