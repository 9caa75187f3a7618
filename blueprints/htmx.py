"""htmx helpers: answer with a fragment only when the element that asked for it is the target."""
from flask import Response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def pide_fragmento(objetivo: str) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == objetivo


def pagina_o_bloque(plantilla: str, bloque: str, objetivo: str, status: int = 200, **contexto):
    """The whole page, or just ``{% block bloque %}`` of it when htmx targets ``#objetivo``.
    The page and the fragment are the same template, so they cannot drift apart."""
    if pide_fragmento(objetivo):
        cuerpo = render_block(plantilla, bloque, **contexto)
    else:
        cuerpo = render_template(plantilla, **contexto)
    return cuerpo, status, {"Vary": "HX-Request, HX-Target"}


def redirigir(url: str, objetivo: str):
    """POST → 303 for a plain form; for htmx aimed at ``#objetivo`` a full-page navigation
    (HX-Redirect), because the next page is not a fragment of this one."""
    if pide_fragmento(objetivo):
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, 303)
