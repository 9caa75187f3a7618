"""The workers of a contract (``captura.contrato``): the grid (search by NSS, CURP or name; keyset pages
by name), Agregar trabajador (CURP + Validar shows the padrón's name; then NSS, SBC + Guardar) and each
row's Editar and Eliminar, while the informativa is editable (read-only otherwise).

Every action works as a plain form (POST → 303 → the grid as it was: ``volver``, or the page's own
query) and, with htmx, swaps only what it changed: the grid (search, pages), the add form (Validar),
the add form and the grid (Guardar: the new row on top with its message), one row (Editar, Eliminar).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from blueprints import limites
from blueprints.auth.services import volver_a
from blueprints.captura import bp
from blueprints.captura.acceso import del_contrato, del_trabajador, volver_a_bloquear
from blueprints.captura.forms_trabajador import (
    AgregarTrabajadorForm,
    EditarTrabajadorForm,
    EliminarTrabajadorForm,
    ValidarCurpTrabajadorForm,
)
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from domain.errores import ErrorDeDominio
from extensions import db
from services import informativas as srv
from services.capturistas import actor_de

RUTA = "/<id:informativa_id>/contratos/<id:contrato_id>"
FILA = RUTA + "/trabajadores/<id:trabajador_id>"
# What htmx swaps: the grid (search, pages), the add form (Validar), both of them (Guardar).
GRID = "grid-trabajadores"
AGREGAR = "agregar-trabajador"
TRABAJADORES = "trabajadores"
PREGUNTA_ELIMINAR = "¿Deseas eliminar a este trabajador del contrato?"


@dataclass(frozen=True)
class EstadoGrid:
    """The grid as the person sees it: the search ``q``, the keyset cursor and the page's number."""

    q: str = ""
    despues: str | None = None
    antes: str | None = None
    p: int | None = None

    @classmethod
    def desde(cls, argumentos) -> EstadoGrid:
        p = argumentos.get("p", type=int)
        return cls(q=argumentos.get("q", "").strip()[:100], despues=argumentos.get("despues") or None,
                   antes=argumentos.get("antes") or None, p=p if p and 0 < p < 10**6 else None)

    def parametros(self, **pagina) -> dict:
        """For ``url_for``: the search and, when given, a page (a new cursor replaces the old one)."""
        return {clave: valor for clave, valor in {"q": self.q or None, **pagina}.items() if valor is not None}

    def actuales(self) -> dict:
        return self.parametros(despues=self.despues, antes=self.antes, p=self.p)


def _url_contrato(contrato) -> str:
    return url_for(".contrato", informativa_id=contrato.informativa_id, contrato_id=contrato.id)


def _estado(contrato) -> EstadoGrid:
    """A GET's query, or a plain form's (its action is the page with the grid's query); an htmx POST
    carries none: the address bar's then, which hx-push-url keeps on the grid's search and page."""
    argumentos = request.args
    if request.method == "POST" and request.headers.get("HX-Request") == "true":
        actual = urlsplit(request.headers.get("HX-Current-URL", ""))
        argumentos = MultiDict(parse_qsl(actual.query) if actual.path == _url_contrato(contrato) else [])
    return EstadoGrid.desde(argumentos)


def _volver(contrato) -> str:
    """Where a row's plain-form action returns: the contract's grid with the query it was on (only there)."""
    return volver_a(_url_contrato(contrato))


def _contexto_filas(informativa, contrato, volver: str, con_acciones: bool = True) -> dict:
    """What every row needs to build its links, computed once per response."""
    inicio = _url_contrato(contrato)
    return {"url_contrato": inicio, "volver": volver, "editable": informativa.editable,
            "con_acciones": con_acciones, "pregunta_eliminar": PREGUNTA_ELIMINAR,
            "volver_qs": "" if volver == inicio else "?" + urlencode({"volver": volver})}


# --- the page: grid and Agregar trabajador ------------------------------------------------------------


def _pagina(informativa, contrato, objetivo: str, bloque: str, status: int = 200, *, nuevo=None, **contexto):
    """The contract page, or its ``bloque`` when htmx targets ``#objetivo``. ``nuevo``: the worker just
    added, shown on top of the grid with its message (and not again in its page: the template skips it)."""
    estado = _estado(contrato)
    volver = url_for(".contrato", informativa_id=informativa.id, contrato_id=contrato.id, **estado.actuales())
    contexto.setdefault("validar", ValidarCurpTrabajadorForm(formdata=None))
    if not pide_fragmento(AGREGAR):  # the add form alone needs no grid
        pagina = srv.pagina_trabajadores(contrato, q=estado.q, despues=estado.despues, antes=estado.antes)
        total = len(pagina.filas) if pagina.primera and not pagina.siguiente \
            else srv.contar_coincidencias(contrato, estado.q)
        contexto.update(pagina=pagina, total=total, tope=srv.TOPE_CONTEO_TRABAJADORES, nuevo=nuevo)
    # After Guardar the focus is on the new row's message (or on the errors): the caption keeps quiet.
    return pagina_o_bloque("captura/contrato.html", bloque, objetivo, status, informativa=informativa,
                           contrato=contrato, periodo=srv.periodo_de(informativa), estado=estado,
                           anunciar_grid=objetivo != TRABAJADORES,
                           url_validar=_url_contrato(contrato) + "/trabajadores/validar",
                           **_contexto_filas(informativa, contrato, volver, informativa.editable), **contexto)


@bp.get(RUTA)
@del_contrato
def contrato(relacion, informativa, contrato):
    return _pagina(informativa, contrato, GRID, "grid")


def _buscar(campo_curp, informativa, contrato, texto: str):
    """The CURP's owner for the worker to add, or None with the Spanish reason on the CURP field.
    Returns (persona, status)."""
    db.session.commit()  # let go of the informativa's lock while the padrón answers (it may take seconds)
    try:
        persona = srv.buscar_trabajador(informativa, contrato, texto)
    except ErrorDeDominio as exc:  # not editable, bad CURP, already in the contract, limit, padrón down or not in it
        campo_curp.errors = [exc.mensaje]
        return None, getattr(exc, "status", 422)
    campo_curp.data = persona.curp
    return persona, 200


def _validar(informativa, contrato):
    """Validar: htmx posts to /trabajadores/validar for the add form alone; a plain form posts to the
    page's own URL (``agregar_trabajador`` hands it here), so without JS the whole page comes back."""
    form = ValidarCurpTrabajadorForm()
    status = 422
    if form.validate_on_submit():
        persona, status = _buscar(form.curp, informativa, contrato, form.curp.data)
        if persona is not None:
            return _pagina(informativa, contrato, AGREGAR, "agregar", validar=form, persona=persona,
                           agregar=AgregarTrabajadorForm(formdata=None, curp=persona.curp))
    return _pagina(informativa, contrato, AGREGAR, "agregar", status, validar=form)


@bp.post(RUTA + "/trabajadores/validar")
@limites.padron_trabajadores
@del_contrato
def validar_trabajador(relacion, informativa, contrato):
    return _validar(informativa, contrato)


@bp.post(RUTA)
@limites.padron_trabajadores
@del_contrato
def agregar_trabajador(relacion, informativa, contrato):
    """Guardar (and Validar of the plain form). The CURP is looked up again: never trust the earlier
    step or a hidden field. With htmx the answer is the add form and the grid (the new row on top)."""
    if "validar" in request.form:
        return _validar(informativa, contrato)
    agregar = AgregarTrabajadorForm()
    validar = ValidarCurpTrabajadorForm(formdata=None, curp=agregar.curp.data)
    persona, status = _buscar(validar.curp, informativa, contrato, agregar.curp.data or "")
    if persona is None:
        return _pagina(informativa, contrato, TRABAJADORES, "trabajadores", status, validar=validar)
    if not agregar.validate_on_submit():
        return _pagina(informativa, contrato, TRABAJADORES, "trabajadores", 422, validar=validar, agregar=agregar,
                       persona=persona)
    contrato = volver_a_bloquear(informativa, contrato)
    try:
        nuevo = srv.agregar_trabajador(informativa, contrato, agregar.nss.data, persona, agregar.sbc.data,
                                       actor_de(current_user))
    except srv.ErrorInformativa as exc:  # NSS or CURP already in the contract, no longer editable
        db.session.rollback()
        if exc.campo in ("nss", "sbc"):
            agregar[exc.campo].errors.append(exc.mensaje)
            return _pagina(informativa, contrato, TRABAJADORES, "trabajadores", exc.status, validar=validar,
                           agregar=agregar, persona=persona)
        validar.curp.errors = [exc.mensaje]
        return _pagina(informativa, contrato, TRABAJADORES, "trabajadores", exc.status, validar=validar)
    db.session.commit()
    mensaje = f"Se agregó a {nuevo.nombre_completo} (NSS {nuevo.nss}) a este contrato."
    if pide_fragmento(TRABAJADORES):
        return _pagina(informativa, contrato, TRABAJADORES, "trabajadores", nuevo=nuevo, mensaje=mensaje)
    flash(mensaje, "success")
    return redirect(url_for(".contrato", informativa_id=informativa.id, contrato_id=contrato.id,
                            **_estado(contrato).actuales()), 303)


# --- a row: Editar, Eliminar ----------------------------------------------------------------------------


def _objetivo(trabajador) -> str:
    return f"trabajador-{trabajador.id}"


def _fila(informativa, contrato, trabajador, status: int = 200, **contexto):
    html = render_template("captura/_trabajador.html", t=trabajador,
                           **_contexto_filas(informativa, contrato, _volver(contrato)), **contexto)
    return html, status, {"Vary": "HX-Request, HX-Target"}


def _hecho(informativa, contrato, trabajador, mensaje: str, modo: str = "ver"):
    """After an action: the row with the message (htmx); without JS, 303 to the grid as it was, with
    the message on top."""
    if pide_fragmento(_objetivo(trabajador)):
        return _fila(informativa, contrato, trabajador, modo=modo, mensaje=mensaje, tipo="success")
    flash(mensaje, "success")
    return redirect(_volver(contrato), 303)


def _rechazado(informativa, contrato, trabajador, exc: srv.ErrorInformativa):
    db.session.rollback()
    if pide_fragmento(_objetivo(trabajador)):
        return _fila(informativa, contrato, trabajador, exc.status, mensaje=exc.mensaje, tipo="error")
    return render_template("rechazo.html", mensaje=exc.mensaje, volver=_volver(contrato),
                           volver_texto="Volver al contrato"), exc.status


@bp.get(FILA)
@del_trabajador
def trabajador(relacion, informativa, contrato, fila):
    """The plain row (htmx: Cancelar, Aceptar); without JS there is nothing to show but the grid."""
    if not pide_fragmento(_objetivo(fila)):
        return redirect(_volver(contrato))
    return _fila(informativa, contrato, fila)


def _editar(informativa, contrato, trabajador, form, status: int = 200, aviso: str | None = None):
    # Ids of their own: another row, or the add form, may have its NSS field open too.
    form.nss.id, form.sbc.id = f"nss-{trabajador.id}", f"sbc-{trabajador.id}"
    contexto = {"form": form, "aviso": aviso}
    if pide_fragmento(_objetivo(trabajador)):
        return _fila(informativa, contrato, trabajador, status, modo="editar", **contexto)
    return render_template("captura/editar_trabajador.html", t=trabajador, informativa=informativa,
                           contrato=contrato, periodo=srv.periodo_de(informativa),
                           **_contexto_filas(informativa, contrato, _volver(contrato)), **contexto), status


@bp.route(FILA + "/editar", methods=["GET", "POST"])
@del_trabajador
def editar_trabajador(relacion, informativa, contrato, fila):
    """NSS and SBC, against the version read: a save over a newer one is a 409 with a reload link."""
    if not informativa.editable:
        return _rechazado(informativa, contrato, fila, srv.NoEditable(informativa))
    if request.method == "GET":
        return _editar(informativa, contrato, fila, EditarTrabajadorForm(
            formdata=None, nss=fila.nss, sbc=f"{fila.sbc:.2f}", version=fila.version, volver=_volver(contrato)))
    form = EditarTrabajadorForm()
    if not form.validate_on_submit():
        return _editar(informativa, contrato, fila, form, 422)
    try:
        cambios = srv.editar_trabajador(informativa, contrato, fila, form.nss.data, form.sbc.data,
                                        form.version.data, actor_de(current_user))
    except srv.ErrorInformativa as exc:  # NSS of another worker of the contract; someone saved first
        db.session.rollback()
        if exc.campo in ("nss", "sbc"):
            form[exc.campo].errors.append(exc.mensaje)
            return _editar(informativa, contrato, fila, form, exc.status)
        return _editar(informativa, contrato, fila, form, exc.status, aviso=exc.mensaje)
    db.session.commit()
    nombre = fila.nombre_completo
    return _hecho(informativa, contrato, fila, f"Se actualizaron los datos de {nombre}." if cambios
                  else f"No hubo cambios en los datos de {nombre}.")


@bp.get(FILA + "/eliminar")
@del_trabajador
def confirmar_eliminar_trabajador(relacion, informativa, contrato, fila):
    if not informativa.editable:
        return _rechazado(informativa, contrato, fila, srv.NoEditable(informativa))
    if pide_fragmento(_objetivo(fila)):
        return _fila(informativa, contrato, fila, modo="confirmar_eliminar")
    return render_template("captura/eliminar_trabajador.html", t=fila, informativa=informativa, contrato=contrato,
                           periodo=srv.periodo_de(informativa),
                           **_contexto_filas(informativa, contrato, _volver(contrato)))


@bp.post(FILA + "/eliminar")
@del_trabajador
def eliminar_trabajador(relacion, informativa, contrato, fila):
    form = EliminarTrabajadorForm()
    version = form.version.data if form.validate_on_submit() else None  # none: a conflict, like a stale one
    mensaje = f"Se eliminó a {fila.nombre_completo} (NSS {fila.nss}) de este contrato."
    try:
        srv.eliminar_trabajador(informativa, contrato, fila, version, actor_de(current_user))
    except srv.ErrorInformativa as exc:
        return _rechazado(informativa, contrato, fila, exc)
    db.session.commit()
    return _hecho(informativa, contrato, fila, mensaje, modo="eliminado")
