"""What a capturista's request may reach: the chosen contractor's informativa, its contract, its
worker. Anything else (another contractor's, a made-up id) is 404; a write locks the informativa and
is refused (409) once it is no longer editable."""
from __future__ import annotations

from functools import wraps

from flask import abort, request, url_for

from blueprints.capturista.routes import contratista_elegido
from blueprints.rechazo import rechazo
from services import informativas as srv

ESCRITURA = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def de_la_informativa(vista):
    """``vista(relacion, informativa, **kwargs)``; on a POST the informativa's row is locked until commit,
    so two capturistas' changes to one informativa never interleave, and an informativa that is no
    longer editable (sent to signature) refuses every POST with 409 before the view runs."""
    @wraps(vista)
    @contratista_elegido
    def envoltura(relacion, informativa_id: int, **kwargs):
        escritura = request.method in ESCRITURA
        informativa = srv.de_contratista(relacion.contratista_id, informativa_id, bloquear=escritura)
        if informativa is None:
            abort(404)
        if escritura and not informativa.editable:
            return rechazo(srv.NoEditable(informativa).mensaje, url_for("captura.ver", informativa_id=informativa.id))
        return vista(relacion, informativa, **kwargs)
    return envoltura


def del_contrato(vista):
    """``vista(relacion, informativa, contrato, **kwargs)``: the contract must be the informativa's."""
    @wraps(vista)
    @de_la_informativa
    def envoltura(relacion, informativa, contrato_id: int, **kwargs):
        contrato = srv.contrato_de(informativa, contrato_id)
        if contrato is None:
            abort(404)
        return vista(relacion, informativa, contrato, **kwargs)
    return envoltura


def del_trabajador(vista):
    """``vista(relacion, informativa, contrato, trabajador, **kwargs)``: the worker must be the contract's
    (a worker of another contract, even of the same informativa, is 404)."""
    @wraps(vista)
    @del_contrato
    def envoltura(relacion, informativa, contrato, trabajador_id: int, **kwargs):
        trabajador = srv.trabajador_de(contrato, trabajador_id)
        if trabajador is None:
            abort(404)
        return vista(relacion, informativa, contrato, trabajador, **kwargs)
    return envoltura


def volver_a_bloquear(informativa, contrato):
    """After a commit in the middle of a write (a padrón lookup counted, the lock let go while the
    padrón answered): lock the informativa again and re-read its contract, which may be gone (404)."""
    srv.bloquear_de_nuevo(informativa)
    contrato = srv.contrato_de(informativa, contrato.id)
    if contrato is None:
        abort(404)
    return contrato
