"""What the carga masiva pages share (trabajadores, capturistas): the upload route alone takes a file of its
own size limit (every other request keeps MAX_CONTENT_LENGTH), a larger body gets the Spanish 413 page
naming that limit, and a job's page answers htmx's polling."""
from flask import current_app, request
from jinja2_fragments.flask import render_block

from blueprints.errors import pagina_error
from blueprints.htmx import pagina_o_bloque, pide_fragmento
from services.carga_archivo import megas

# Room for the form's other fields and the multipart boundaries around a file of the largest size.
MARGEN_MULTIPART = 64 * 1024


def admitir_archivo(bp, endpoint: str, ajuste: str) -> None:
    """Let ``endpoint`` of ``bp`` receive a file of ``Config[ajuste]`` bytes. (URL value preprocessors run
    before any before_request function, and Flask-WTF's CSRF check reads the body in one.)"""

    @bp.url_value_preprocessor
    def _limite_de_subida(endpoint_pedido, valores):
        if endpoint_pedido == endpoint:
            request.max_content_length = current_app.config[ajuste] + MARGEN_MULTIPART

    @bp.errorhandler(413)
    def _demasiado_grande(error):
        if request.endpoint == endpoint:
            return pagina_error(413, f"El archivo excede el tamaño máximo de {megas(current_app.config[ajuste])} MB. "
                                     "Divídelo en varios archivos e inténtalo de nuevo.")
        return pagina_error(413, getattr(error, "spanish", None))


def pagina_de_trabajo(plantilla: str, objetivo: str, en_curso: bool, status: int = 200, **contexto):
    """A background job's page, or for htmx's polling of ``#objetivo``: while the job runs only the inside
    of its block (``{% block avance %}``: the block, which may hold the focus, stays); once it is done the
    whole ``{% block estado %}`` (HX-Reswap), which has no polling and brings what the focus moves to."""
    if pide_fragmento(objetivo) and en_curso:
        return render_block(plantilla, "avance", **contexto), status, {"Vary": "HX-Request, HX-Target"}
    cuerpo, status, encabezados = pagina_o_bloque(plantilla, "estado", objetivo, status, **contexto)
    if pide_fragmento(objetivo):
        encabezados["HX-Reswap"] = "outerHTML"
    return cuerpo, status, encabezados
