"""The acuse de presentación of an informativa, as both the contractor and its capturistas see it: the
page and the PDF. The callers have already checked the informativa is the user's contractor's."""
from __future__ import annotations

from flask import abort, render_template

from blueprints.descargas import acuse_pdf
from services import acuse as acuse_srv
from services import informativas as srv
from services.presentacion import acuse_de


def _acuse(informativa):
    acuse = acuse_de(informativa)
    if acuse is None:
        abort(404)  # not presented (yet)
    return acuse


def pagina(plantilla: str, informativa, url_pdf: str, **contexto):
    acuse = _acuse(informativa)
    return render_template(plantilla, informativa=informativa, acuse=acuse, periodo=srv.periodo_de(informativa),
                           renglones=acuse_srv.renglones(acuse), aviso=acuse_srv.AVISO_REVOCACION, pdf=url_pdf,
                           **contexto)


def pdf(informativa):
    return acuse_pdf(_acuse(informativa))
