"""Every route of the app, classified: how to build its URL with A's ids and what each role gets.

``MATRIZ`` is ordered: each role walks it top to bottom in one session, so the state-changing
actions of the owner come after the pages they would affect, and ``Cerrar sesión`` comes last.
A route that is not here makes ``test_matriz_rutas`` fail: a new route has to be classified.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.security.mundo import AJENO, ANONIMO, CAPTURISTA, DUENO, ROLES, SIN_DATOS, Mundo


@dataclass(frozen=True)
class Esperado:
    estados: frozenset[int]
    destino: str | None = None    # redirects: the Location's path starts with this
    denegado: bool = False        # a refusal: nothing may change in the database
    texto: str | None = None      # must appear in the body

    def problema(self, respuesta) -> str | None:
        if respuesta.status_code not in self.estados:
            return f"estado {respuesta.status_code}, se esperaba {sorted(self.estados)}" + (
                f" → {self.destino}" if self.destino else "")
        if self.destino is not None:
            ubicacion = respuesta.headers.get("Location", "")
            partes = urlsplit(ubicacion)
            if partes.netloc not in ("", "localhost") or not partes.path.startswith(self.destino):
                return f"redirige a {ubicacion!r}, se esperaba {self.destino}"
        if self.texto is not None and self.texto not in respuesta.get_data(as_text=True):
            return f"falta el texto {self.texto!r}"
        return None

    def __str__(self):
        return "/".join(map(str, sorted(self.estados))) + (f" → {self.destino}" if self.destino else "")


def ok(estado: int = 200) -> Esperado:
    return Esperado(frozenset({estado}))


def a(destino: str, *estados: int) -> Esperado:
    return Esperado(frozenset(estados or (302, 303)), destino)


LOGIN = Esperado(frozenset({302, 303}), "/cuenta/iniciar-sesion", denegado=True)
LOGIN_CAPTURISTA = Esperado(frozenset({302, 303}), "/capturista/iniciar-sesion", denegado=True)
DATOS_GENERALES = Esperado(frozenset({303}), "/contratista/datos-generales", denegado=True)
NO_EXISTE = Esperado(frozenset({404}), denegado=True, texto="Página no encontrada")
CONFLICTO = Esperado(frozenset({409}), denegado=True)
SALIDA = Esperado(frozenset({303}), "/cuenta/iniciar-sesion")
INICIO = a("/")
CONSULTA = a("/administracion/consulta", 303)
RECHAZO_422 = Esperado(frozenset({422}), denegado=True)  # a form refused: nothing may change


def publica(todos: Esperado, **excepciones) -> dict[str, Esperado]:
    return {rol: excepciones.get(_CLAVES[rol], todos) for rol in ROLES}


def de_contratista(dueno: Esperado, ajeno: Esperado, sin_datos: Esperado | None = None) -> dict[str, Esperado]:
    """Contractor pages that do not need Datos Generales (a capturista or nobody → contractor login)."""
    return {ANONIMO: LOGIN, DUENO: dueno, AJENO: ajeno, CAPTURISTA: LOGIN, SIN_DATOS: sin_datos or dueno}


def administracion(dueno: Esperado, ajeno: Esperado = NO_EXISTE) -> dict[str, Esperado]:
    """Administración and Informativas: contractor with Datos Generales; B on A's ids gets 404."""
    return {ANONIMO: LOGIN, DUENO: dueno, AJENO: ajeno, CAPTURISTA: LOGIN, SIN_DATOS: DATOS_GENERALES}


def de_capturista(capturista: Esperado) -> dict[str, Esperado]:
    return {ANONIMO: LOGIN_CAPTURISTA, DUENO: LOGIN_CAPTURISTA, AJENO: LOGIN_CAPTURISTA,
            CAPTURISTA: capturista, SIN_DATOS: LOGIN_CAPTURISTA}


_CLAVES = {ANONIMO: "anonimo", DUENO: "dueno", AJENO: "ajeno", CAPTURISTA: "capturista", SIN_DATOS: "sin_datos"}
_SESIONADOS = dict(dueno=INICIO, ajeno=INICIO, capturista=INICIO, sin_datos=INICIO)

# (endpoint, method) → expected outcome per role.
MATRIZ: dict[tuple[str, str], dict[str, Esperado]] = {
    ("main.index", "GET"): {ANONIMO: LOGIN, DUENO: ok(), AJENO: ok(), CAPTURISTA: a("/capturista/"),
                            SIN_DATOS: ok()},
    ("auth.registro", "GET"): publica(ok(), **_SESIONADOS),
    ("auth.registro", "POST"): publica(ok(422), **_SESIONADOS),
    ("auth.registro_enviado", "GET"): publica(ok()),
    # A's own confirmation link; A is already confirmed, so it only says so and changes nothing.
    ("auth.confirmar", "GET"): publica(a("/cuenta/iniciar-sesion", 303)),
    ("auth.login", "GET"): publica(ok(), **_SESIONADOS),
    ("auth.login", "POST"): publica(ok(422), **_SESIONADOS),
    ("auth.login_efirma", "GET"): publica(ok(), **_SESIONADOS),
    ("auth.login_efirma", "POST"): publica(ok(422), **_SESIONADOS),  # no files: the form again
    ("auth.recuperar", "GET"): publica(ok()),
    ("auth.recuperar", "POST"): publica(ok(422)),
    # A's own reset link (its password unchanged by the walk, so the link stays good): the form.
    ("auth.restablecer", "GET"): publica(ok()),
    ("auth.restablecer", "POST"): publica(ok(422)),
    ("contratista.datos_generales", "GET"): de_contratista(ok(), ok()),
    # Fields left out of the POST keep their saved value (WTForms with obj=): saved again as they were.
    ("contratista.datos_generales", "POST"): de_contratista(a("/contratista/datos-generales", 303),
                                                            a("/contratista/datos-generales", 303), ok(422)),
    ("alta_usuarios.alta", "GET"): administracion(ok()),              # ?guardado=<A's relation>
    ("alta_usuarios.validar", "POST"): administracion(ok(422), ok(422)),
    ("alta_usuarios.guardar", "POST"): administracion(ok(422), ok(422)),
    # Carga masiva de capturistas: B's own upload page and template; A's carga (saved, with a rejected row) is
    # a 404 for B. Without a file the upload is refused; Guardar of a saved carga only leads to its page.
    ("alta_usuarios.carga_masiva", "GET"): administracion(ok(), ok()),
    ("alta_usuarios.carga_masiva", "POST"): administracion(RECHAZO_422, RECHAZO_422),
    ("alta_usuarios.carga_plantilla", "GET"): administracion(ok(), ok()),
    ("alta_usuarios.carga", "GET"): administracion(ok()),
    ("alta_usuarios.carga_guardar", "POST"): administracion(a("/administracion/alta-usuarios/carga-masiva/", 303)),
    ("alta_usuarios.carga_rechazados", "GET"): administracion(ok()),
    ("activacion.activar", "GET"): publica(ok()),
    ("activacion.activar", "POST"): publica(ok(422)),
    ("activacion.nueva_liga", "POST"): publica(a("/activacion/", 303)),
    ("activacion.liga_enviada", "GET"): publica(ok()),
    ("capturista.login", "GET"): publica(ok(), capturista=a("/capturista/contratistas")),
    ("capturista.login", "POST"): publica(ok(422), capturista=a("/capturista/contratistas")),
    ("capturista.elegir", "GET"): de_capturista(ok()),
    ("capturista.elegir", "POST"): de_capturista(ok(422)),  # no contractor chosen: the page again with a message
    ("capturista.inicio", "GET"): de_capturista(ok()),
    # The capturista's informativas (A's, the contractor maria.lopez chose).
    ("captura.nueva", "POST"): de_capturista(ok(422)),  # no period chosen
    ("captura.ver", "GET"): de_capturista(ok()),
    ("captura.contrato", "GET"): de_capturista(ok()),
    # A's contract's workers: the posts carry no data (no CURP, no NSS, no version): refused, nothing changes.
    ("captura.validar_trabajador", "POST"): de_capturista(RECHAZO_422),
    ("captura.agregar_trabajador", "POST"): de_capturista(RECHAZO_422),
    ("captura.trabajador", "GET"): de_capturista(a("/capturista/informativas/", 302)),  # not htmx: the grid
    ("captura.editar_trabajador", "GET"): de_capturista(ok()),
    ("captura.editar_trabajador", "POST"): de_capturista(RECHAZO_422),
    ("captura.confirmar_eliminar_trabajador", "GET"): de_capturista(ok()),
    ("captura.eliminar_trabajador", "POST"): de_capturista(Esperado(frozenset({409}), denegado=True)),  # no version
    ("captura.tipo", "POST"): de_capturista(a("/capturista/informativas/", 303)),  # no version: nothing changes
    # The contracts of A's informativa (its Contrato 1).
    ("captura.nuevo_contrato", "GET"): de_capturista(ok()),
    ("captura.nuevo_contrato", "POST"): de_capturista(ok(422)),  # nothing filled in
    ("captura.fila_contrato", "GET"): de_capturista(a("/capturista/informativas/")),  # not htmx: back to the grid
    ("captura.editar_contrato", "GET"): de_capturista(ok()),
    ("captura.editar_contrato", "POST"): de_capturista(ok(422)),
    ("captura.confirmar_eliminar_contrato", "GET"): de_capturista(ok()),
    # Without the version it was read at, Eliminar is a conflict: nothing is deleted.
    ("captura.eliminar_contrato", "POST"): de_capturista(Esperado(frozenset({409}), denegado=True)),
    # Carga masiva into A's contract: the form, its template, a finished carga and its rejected rows.
    ("captura.carga_masiva", "GET"): de_capturista(ok()),
    ("captura.carga_masiva", "POST"): de_capturista(ok(422)),  # no file: the form again, nothing recorded
    ("captura.carga_plantilla", "GET"): de_capturista(ok()),
    ("captura.carga_estado", "GET"): de_capturista(ok()),
    ("captura.carga_rechazados", "GET"): de_capturista(ok()),
    # Enviar a firma (A's informativa: its checklist is all green) and Exportar.
    ("captura.envio", "GET"): de_capturista(a("/capturista/informativas/")),  # not htmx: the informativa's page
    ("captura.confirmar_envio", "GET"): de_capturista(ok()),
    ("captura.enviar", "POST"): de_capturista(CONFLICTO),  # no version: a conflict, nothing sent
    ("captura.exportar", "GET"): de_capturista(ok()),
    # A's pending relation is not an invitation for maria.lopez: nobody can accept it this way.
    ("capturista.aceptar", "POST"): de_capturista(NO_EXISTE),
    ("capturista.recuperar", "GET"): publica(ok()),
    ("capturista.recuperar", "POST"): publica(ok(422)),
    ("capturista.restablecer", "GET"): publica(ok()),
    ("capturista.restablecer", "POST"): publica(ok(422)),
    ("consulta.consulta", "GET"): administracion(ok(), ok()),
    ("consulta.fila", "GET"): administracion(a("/administracion/consulta")),  # not htmx: back to the grid
    ("consulta.editar", "GET"): administracion(ok()),
    ("consulta.editar", "POST"): administracion(ok(422)),
    ("consulta.bitacora", "GET"): administracion(ok()),
    # Nothing pending to confirm in a fresh session: back to the grid.
    ("consulta.resultado", "GET"): administracion(a("/administracion/consulta")),
    ("consulta.confirmar_eliminar", "GET"): administracion(ok()),
    ("consulta.eliminar", "POST"): administracion(CONSULTA),        # A's active relation
    ("consulta.confirmar_activar", "GET"): administracion(ok()),     # A's relation in baja
    ("consulta.activar", "POST"): administracion(CONSULTA),
    ("consulta.enviar_email", "POST"): administracion(CONSULTA),    # A's pending relation: a new link
    ("exportar_excel.inicio", "GET"): administracion(ok(), ok()),
    ("exportar_excel.exportar_ahora", "POST"): administracion(ok(), ok()),
    ("exportar_excel.estado", "GET"): administracion(ok()),
    ("exportar_excel.descargar", "GET"): administracion(ok()),
    # Informativas, the contractor's side (A's informativa, a draft): like Administración.
    ("informativas.lista", "GET"): administracion(ok(), ok()),
    ("informativas.ver", "GET"): administracion(ok()),
    ("informativas.contrato", "GET"): administracion(ok()),
    ("informativas.trabajadores", "GET"): administracion(ok()),
    ("informativas.bitacora", "GET"): administracion(ok()),
    ("informativas.exportar", "GET"): administracion(ok()),
    ("informativas.devolver", "POST"): administracion(ok(422)),  # no comment
    # Firma y presentación. The draft cannot be signed (409 before any file is read); A's presented
    # informativa (2026-1) has an acuse, and takes a complementaria (no version: a conflict).
    ("informativas.firmar", "GET"): administracion(ok()),
    ("informativas.firmar", "POST"): administracion(CONFLICTO),
    ("informativas.sin_informacion", "GET"): administracion(ok(), ok()),
    ("informativas.sin_informacion", "POST"): administracion(RECHAZO_422, RECHAZO_422),  # no files
    ("informativas.acuse", "GET"): administracion(ok()),
    ("informativas.acuse_pdf", "GET"): administracion(ok()),
    ("informativas.sin_efectos", "GET"): administracion(ok()),
    ("informativas.sin_efectos", "POST"): administracion(RECHAZO_422),  # no files
    ("informativas.correccion", "POST"): administracion(CONFLICTO),
    ("captura.acuse", "GET"): de_capturista(ok()),
    ("captura.acuse_pdf", "GET"): de_capturista(ok()),
    ("auth.logout", "POST"): publica(SALIDA),
}

# Which of A's relations each route acts on (so the owner's actions do not undo each other).
_RELACION = {
    "consulta.eliminar": "activo",
    "consulta.confirmar_activar": "baja",
    "consulta.activar": "baja",
}
# Routes that act on A's presented informativa instead of its draft.
_PRESENTADA = {"informativas.acuse", "informativas.acuse_pdf", "informativas.sin_efectos", "informativas.correccion",
               "captura.acuse", "captura.acuse_pdf"}
# Routes whose URL is a capability (a signed link from an e-mail): not tied to a tenant.
CON_TOKEN = {"activacion.activar", "activacion.nueva_liga", "capturista.restablecer", "auth.confirmar",
             "auth.restablecer"}


def construir_url(app, endpoint: str, mundo: Mundo, contratante=None) -> str:
    """The route's URL with ids of A (or of ``contratante``): every variable part must be known here."""
    contratante = contratante or mundo.a
    regla = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    valores = {}
    for argumento in regla.arguments:
        if argumento == "relacion_id":
            valores[argumento] = contratante.relaciones[_RELACION.get(endpoint, "pendiente")]
        elif argumento == "exportacion_id":
            valores[argumento] = contratante.exportacion
        elif argumento == "carga_capturistas_id":
            valores[argumento] = contratante.carga_capturistas
        elif argumento == "informativa_id" and endpoint in _PRESENTADA:
            valores[argumento] = contratante.presentada
        elif argumento in ("informativa_id", "contrato_id", "trabajador_id", "carga_id"):
            valores[argumento] = getattr(contratante, argumento.removesuffix("_id"))
        elif argumento == "token" and endpoint.startswith("activacion."):
            valores[argumento] = mundo.token_activacion
        elif argumento == "token" and endpoint == "capturista.restablecer":
            valores[argumento] = mundo.token_restablecer
        elif argumento == "token" and endpoint == "auth.confirmar":
            valores[argumento] = mundo.token_verificacion
        elif argumento == "token" and endpoint == "auth.restablecer":
            valores[argumento] = mundo.token_restablecer_contratista
        else:
            raise AssertionError(f"{endpoint}: no sé construir el argumento <{argumento}> de {regla.rule}")
    if endpoint == "alta_usuarios.alta":
        valores["guardado"] = contratante.relaciones["pendiente"]  # an id in the query string
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **valores)


def celdas_de_la_app(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every rule but ``static``; HEAD and OPTIONS come with GET."""
    celdas = set()
    for regla in app.url_map.iter_rules():
        if regla.endpoint == "static":
            continue
        for metodo in regla.methods - {"HEAD", "OPTIONS"}:
            celdas.add((regla.endpoint, metodo))
    return celdas


def reglas_de_la_app(app) -> list:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
