"""Property tests (Hypothesis): any text in any form field, any segment in an id or token of the URL,
any query parameter. Never a 500; an invalid form answers with its Spanish error summary or a
Spanish error page; never a WTForms English default; nothing injected comes back as markup; every
redirect stays on the site.

Set EJEMPLOS_SEGURIDAD to run more examples per property (default 80).
"""
from __future__ import annotations

import base64
import json
import os
from datetime import timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import DATOS_GENERALES, PASSWORD, rfc_valido
from tests.security.estadisticas import contar
from tests.security.mundo import (
    AJENO,
    ANONIMO,
    CAPTURISTA,
    CLAVE_CAPTURISTA,
    CORREO_CAPTURISTA,
    CURP_CAPTURISTA,
    DUENO,
    SIN_DATOS,
    USUARIO_CAPTURISTA,
    cliente_de,
    en_este_sitio,
    problemas_html,
    token_csrf,
)

EJEMPLOS = int(os.environ.get("EJEMPLOS_SEGURIDAD", "80"))
AJUSTES = settings(
    max_examples=EJEMPLOS, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- what is thrown at the app -------------------------------------------------------------------

FRAGMENTOS = [
    "' OR '1'='1", "'; DROP TABLE contratista; --", "\" OR 1=1 --", "1); SELECT pg_sleep(5); --", "%", "_", "\\",
    "%_\\%", "' UNION SELECT usuario, password_hash FROM capturista --",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'><svg onload=alert(1)>",
    "javascript:alert(1)", "{{7*7}}", "{% debug %}", "${7*7}", "#{7*7}", "<!--", "]]>", "&amp;&lt;",
    "\x00", "a\x00b", "\x00" * 20, "\x01\x02\x1f\x7f", "\r\n", "\r\nSet-Cookie: x=1", "\u202e", "\ufeff", "\u200b",
    "😀", "👩‍👩‍👧", "ÑÁÉÍÓÚñü", "Ａ１", "İı", "ß", "ﬁ", "١٢٣٤٥٦٧٨٩٠", "²³", "\u0301", "\U0010ffff",
    "=HYPERLINK(\"http://malo\")", "@SUM(1)", "+1", "-1", "0", "-0", "1e309", "NaN", "None", "null", "true",
    "[]", "{}", "../../etc/passwd", "%00", "%2e%2e%2f", "//[", "http://[::1", "//malo.example", "/\\malo.example",
    " ", "\t", "   x   ",
]
XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")
TEXTO = st.one_of(
    st.text(max_size=40),                                                   # any code point but surrogates
    st.text(st.characters(max_codepoint=0x20), max_size=12),                # control characters
    st.text(st.characters(codec="ascii"), max_size=40),
    st.sampled_from(FRAGMENTOS),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTOS), st.text(max_size=12)),
    st.builds(lambda s, n: s * n, st.sampled_from(["A", "ñ", "😀", "1", "%", "\x00", "<", " "]),
              st.integers(200, 6000)),                                      # very long
)
INGLES = ("This field is required", "Not a valid", "Invalid", "Field must", "must be between", "is required",
          "Bad Request", "Not Found", "Method Not Allowed", "Internal Server Error", "Too Many Requests",
          "The CSRF token", "Please ", "Unprocessable", "Gone")
TITULOS_DE_ERROR = ("Solicitud no válida", "Acceso denegado", "Página no encontrada", "Método no permitido",
                    "Solicitud demasiado grande", "Demasiadas solicitudes", "La liga", "No se pudo realizar",
                    "Error del sistema")
HX = {"HX-Request": "true"}


def campo(*validos):
    """Random text, or now and then a valid value (so the other fields get to be the bad ones)."""
    return st.one_of(TEXTO, st.sampled_from(validos)) if validos else TEXTO


def formulario(**campos):
    """Each field present with random content, or missing."""
    return st.fixed_dictionaries({}, optional=campos)


def _textos(*fuentes) -> list[str]:
    salida = []
    for f in fuentes:
        if isinstance(f, dict):
            salida += [str(v) for v in f.values()] + [str(k) for k in f]
        elif f is not None:
            salida.append(str(f))
    return salida


def comprobar(r, entradas, permitidos, donde=""):
    """The properties every answer must have."""
    contar("propiedades_respuestas_comprobadas")
    if any("\x00" in e for e in entradas):  # refused up front with the Spanish 400 page
        permitidos = set(permitidos) | {400}
    assert r.status_code < 500, f"{donde}: error {r.status_code}"
    assert r.status_code in permitidos, f"{donde}: estado {r.status_code}, permitidos {sorted(permitidos)}"
    if r.status_code in (301, 302, 303, 307, 308):
        assert en_este_sitio(r.headers.get("Location", "")), f"{donde}: redirige fuera: {r.headers.get('Location')}"
    if r.mimetype != "text/html":
        return
    texto = r.get_data(as_text=True)
    if r.status_code == 422:
        assert "Hay un problema" in texto, f"{donde}: 422 sin el resumen de errores en español"
    elif r.status_code >= 400:
        fragmento_con_aviso = "<html" not in texto and 'class="aviso aviso--error' in texto and 'role="alert"' in texto
        assert any(t in texto for t in TITULOS_DE_ERROR) or fragmento_con_aviso, \
            f"{donde}: {r.status_code} sin página de error (ni aviso htmx) en español"
    for frase in INGLES:
        if not any(frase in e for e in entradas):
            assert frase not in texto, f"{donde}: mensaje en inglés {frase!r}"
    for carga in XSS:
        if any(carga in e for e in entradas):
            assert carga not in texto, f"{donde}: {carga!r} vuelve sin escapar"
    assert not problemas_html(texto), f"{donde}: {problemas_html(texto)}"


class Sesion:
    """A client of one role with its CSRF token; logged in again when an example logged it out."""

    def __init__(self, app, mundo, rol):
        self.app, self.mundo, self.rol = app, mundo, rol
        self.nueva()

    def nueva(self):
        self.client = cliente_de(self.app, self.mundo, self.rol)
        self.token = token_csrf(self.client)

    def post(self, url, datos, **kw):
        return self.client.post(url, data={"csrf_token": self.token, **datos}, **kw)


# --- forms ------------------------------------------------------------------------------------------

@pytest.fixture
def sesion(app, mundo, request):
    return Sesion(app, mundo, request.param)


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(rfc=campo(rfc_valido("XYZ", "900101", "A1"), "xyz-900101-a1"),
                        confirmar_rfc=campo("y", "on"),
                        correo=campo("nuevo@correo.example", "NUEVO@Correo.Example"),
                        password=campo("Segura2026clave"), confirmar_password=campo("Segura2026clave")))
def test_registro(sesion, datos):
    contar("hypothesis_ejemplos")
    r = sesion.post("/cuenta/registro", datos)
    comprobar(r, _textos(datos), {303, 422}, "registro")
    if r.status_code == 303:
        sesion.nueva()


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(rfc=campo(rfc_valido("QWE", "800101", "B2")), password=campo(PASSWORD)),
       siguiente=st.one_of(st.none(), TEXTO))
def test_login_contratista(sesion, datos, siguiente):
    contar("hypothesis_ejemplos")
    r = sesion.post("/cuenta/iniciar-sesion", datos, query_string={"next": siguiente} if siguiente else None)
    comprobar(r, _textos(datos, siguiente), {422}, "login contratista")


@pytest.mark.parametrize("sesion", [SIN_DATOS], indirect=True)
@AJUSTES
@given(datos=formulario(**{k: campo(v) for k, v in DATOS_GENERALES.items()}))
def test_datos_generales(sesion, datos):
    contar("hypothesis_ejemplos")
    r = sesion.post("/contratista/datos-generales", datos)
    comprobar(r, _textos(datos), {303, 422}, "datos generales")


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@AJUSTES
@given(curp=TEXTO | st.sampled_from(["HEGG560427MVZRRL04", "hegg560427mvzrrl04 ", "BEML920313HMCLNS09"]),
       htmx=st.booleans())
def test_alta_validar(sesion, curp, htmx):
    contar("hypothesis_ejemplos")
    encabezados = {**HX, "HX-Target": "alta-formulario"} if htmx else {}
    r = sesion.post("/administracion/alta-usuarios/validar", {"curp": curp}, headers=encabezados)
    comprobar(r, [curp], {200, 422}, "alta validar")


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@AJUSTES
@given(data=st.data(), htmx=st.booleans())
def test_alta_guardar(sesion, data, htmx):
    contar("hypothesis_ejemplos")
    curps = [p.curp for p in sesion.mundo.personas[4:8]]
    datos = data.draw(formulario(curp=campo(*curps), clave=campo("a" * 32), telefono=campo("55 1234 5678"),
                                 correo=campo("alta@correo.example"), confirmar_correo=campo("alta@correo.example")))
    encabezados = {**HX, "HX-Target": "alta-formulario"} if htmx else {}
    r = sesion.post("/administracion/alta-usuarios/", datos, headers=encabezados)
    comprobar(r, _textos(datos), {303, 422}, "alta guardar")


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@AJUSTES
@given(datos=formulario(telefono=campo("5598765432"), correo=campo("editado@correo.example"),
                        confirmar_correo=campo("editado@correo.example"), volver=campo("/administracion/consulta?q=a")),
       htmx=st.booleans())
def test_consulta_editar(sesion, datos, htmx):
    contar("hypothesis_ejemplos")
    rel = sesion.mundo.a.relaciones["pendiente"]
    encabezados = {**HX, "HX-Target": f"capturista-{rel}"} if htmx else {}
    r = sesion.post(f"/administracion/consulta/{rel}/editar", datos, headers=encabezados)
    comprobar(r, _textos(datos), {200, 303, 422}, "consulta editar")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(usuario=campo("usuario.valido"), password=campo("Segura2026clave"),
                        confirmar_password=campo("Segura2026clave")),
       htmx=st.booleans())
def test_activacion(sesion, datos, htmx):
    contar("hypothesis_ejemplos")
    encabezados = {**HX, "HX-Target": "activacion-formulario"} if htmx else {}
    r = sesion.post(f"/activacion/{sesion.mundo.token_activacion}", datos, headers=encabezados)
    # 204 + HX-Redirect / 303 once a valid pair creates the usuario; 410 for the link afterwards.
    comprobar(r, _textos(datos), {204, 303, 410, 422}, "activación")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(usuario=campo("otro.usuario", " Otro.Usuario "), password=campo(CLAVE_CAPTURISTA)),
       siguiente=st.one_of(st.none(), TEXTO))
def test_login_capturista(sesion, datos, siguiente):
    contar("hypothesis_ejemplos")
    r = sesion.post("/capturista/iniciar-sesion", datos, query_string={"next": siguiente} if siguiente else None)
    comprobar(r, _textos(datos, siguiente), {422}, "login capturista")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(curp=campo(CURP_CAPTURISTA, CURP_CAPTURISTA.lower()), correo=campo(CORREO_CAPTURISTA)))
def test_recuperar(sesion, datos):
    contar("hypothesis_ejemplos")
    r = sesion.post("/capturista/recuperar-contrasena", datos)
    comprobar(r, _textos(datos), {303, 422}, "recuperar contraseña")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(password=campo("Segura2026clave"), confirmar_password=campo("Segura2026clave")))
def test_restablecer(sesion, datos):
    contar("hypothesis_ejemplos")
    r = sesion.post(f"/capturista/restablecer/{sesion.mundo.token_restablecer}", datos)
    comprobar(r, _textos(datos), {303, 410, 422}, "restablecer contraseña")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(data=st.data())
def test_recuperar_contratista(sesion, data):
    contar("hypothesis_ejemplos")
    rfc = sesion.mundo.a.rfc  # now and then A's own RFC and address, so a match is among the examples
    datos = data.draw(formulario(rfc=campo(rfc, rfc.lower()), correo=campo(f"{rfc.lower()}@contratista.example")))
    r = sesion.post("/cuenta/recuperar-contrasena", datos)
    comprobar(r, _textos(datos), {303, 422}, "recuperar contraseña (contratista)")


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@AJUSTES
@given(datos=formulario(password=campo("Segura2026clave"), confirmar_password=campo("Segura2026clave")))
def test_restablecer_contratista(sesion, datos):
    contar("hypothesis_ejemplos")
    r = sesion.post(f"/cuenta/restablecer/{sesion.mundo.token_restablecer_contratista}", datos)
    comprobar(r, _textos(datos), {303, 410, 422}, "restablecer contraseña (contratista)")


@pytest.mark.parametrize("sesion", [CAPTURISTA], indirect=True)
@AJUSTES
@given(contratista_id=st.one_of(TEXTO, st.integers(-2**70, 2**70).map(str), st.sampled_from(["1", "2", "3"])))
def test_capturista_elige_contratista(sesion, contratista_id):
    contar("hypothesis_ejemplos")
    r = sesion.post("/capturista/contratistas", {"contratista_id": contratista_id})
    comprobar(r, [contratista_id], {303, 404, 422}, "elegir contratista")


# --- query strings ------------------------------------------------------------------------------------

def _cursor():
    """Keyset cursors: random text, or well-formed base64 JSON with odd values (huge ids, NULs...)."""
    valor = st.one_of(TEXTO, st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: d.isoformat()),
                      st.integers(), st.none(), st.lists(st.integers(), max_size=2))
    identificador = st.one_of(st.integers(), st.integers(-2**80, 2**80), st.text(max_size=5), st.floats())
    bien_formado = st.tuples(valor, identificador).map(
        lambda t: base64.urlsafe_b64encode(json.dumps(list(t)).encode()).decode().rstrip("="))
    return st.one_of(TEXTO, bien_formado)


FILTRO = formulario(q=TEXTO, estatus=campo("pendiente", "activo", "baja"),
                    orden=campo("fecha", "curp", "nombre", "correo", "estatus"), dir=campo("asc", "desc"),
                    despues=_cursor(), antes=_cursor(), volver=TEXTO)


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@AJUSTES
@given(parametros=FILTRO, htmx=st.booleans())
def test_consulta_busqueda(sesion, parametros, htmx):
    contar("hypothesis_ejemplos")
    encabezados = {**HX, "HX-Target": "grid-capturistas"} if htmx else {}
    r = sesion.client.get("/administracion/consulta", query_string=parametros, headers=encabezados)
    comprobar(r, _textos(parametros), {200}, "consulta")
    r = sesion.client.get("/administracion/exportar-excel", query_string=parametros)
    comprobar(r, _textos(parametros), {200}, "exportar excel (inicio)")


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@settings(AJUSTES, max_examples=max(10, EJEMPLOS // 3))
@given(parametros=FILTRO)
def test_exportar_con_filtro_arbitrario(sesion, parametros):
    contar("hypothesis_ejemplos")
    r = sesion.post("/administracion/exportar-excel", parametros)
    comprobar(r, _textos(parametros), {200, 303}, "exportar excel")


@pytest.mark.parametrize("sesion", [DUENO], indirect=True)
@AJUSTES
@given(guardado=st.one_of(TEXTO, st.integers(-2**70, 2**70).map(str)), volver=TEXTO)
def test_parametros_de_consulta_en_otras_paginas(sesion, guardado, volver):
    contar("hypothesis_ejemplos")
    r = sesion.client.get("/administracion/alta-usuarios/", query_string={"guardado": guardado})
    comprobar(r, [guardado], {200, 404}, "alta ?guardado=")
    rel = sesion.mundo.a.relaciones["pendiente"]
    for ruta in (f"/administracion/consulta/{rel}/eliminar", f"/administracion/consulta/{rel}/bitacora",
                 f"/administracion/consulta/{rel}/editar", f"/administracion/consulta/{rel}"):
        r = sesion.client.get(ruta, query_string={"volver": volver})
        comprobar(r, [volver], {200, 302}, f"{ruta}?volver=")
        assert "malo.example" not in r.headers.get("Location", "")


# --- ids and tokens in the URL --------------------------------------------------------------------------

SEGMENTO = st.one_of(
    st.integers(-2**70, 2**70).map(str),
    st.integers(0, 40).map(str),
    st.sampled_from(["0", "00001", "1.0", "1e3", "0x1", "-0", " 1", "1 ", "１", "٣", "9" * 40]),
    TEXTO,
)
CON_ID = [
    ("GET", "/administracion/consulta/{}"), ("GET", "/administracion/consulta/{}/editar"),
    ("POST", "/administracion/consulta/{}/editar"), ("POST", "/administracion/consulta/{}/enviar-email"),
    ("GET", "/administracion/consulta/{}/eliminar"), ("POST", "/administracion/consulta/{}/eliminar"),
    ("GET", "/administracion/consulta/{}/activar"), ("POST", "/administracion/consulta/{}/activar"),
    ("GET", "/administracion/consulta/{}/bitacora"), ("GET", "/administracion/exportar-excel/{}"),
    ("GET", "/administracion/exportar-excel/{}/descargar"),
    ("GET", "/activacion/{}"), ("POST", "/activacion/{}"), ("POST", "/activacion/{}/nueva-liga"),
    ("GET", "/capturista/restablecer/{}"), ("POST", "/capturista/restablecer/{}"),
    ("GET", "/cuenta/restablecer/{}"), ("POST", "/cuenta/restablecer/{}"),
]
PERMITIDOS_URL = {200, 204, 302, 303, 308, 404, 405, 409, 410, 422, 429}


@pytest.mark.parametrize("sesion", [DUENO, AJENO], indirect=True)
@AJUSTES
@given(data=st.data(), segmento=SEGMENTO, htmx=st.booleans())
def test_ids_y_tokens_arbitrarios_en_la_url(sesion, data, segmento, htmx):
    contar("hypothesis_ejemplos")
    metodo, plantilla = data.draw(st.sampled_from(CON_ID))
    url = plantilla.format(quote(segmento, safe=""))
    encabezados = {**HX, "HX-Target": f"capturista-{quote(segmento, safe='')}"} if htmx else {}
    if metodo == "GET":
        r = sesion.client.get(url, headers=encabezados)
    else:
        r = sesion.post(url, {}, headers=encabezados)
    comprobar(r, [segmento], PERMITIDOS_URL, f"{metodo} {url}")
    if sesion.rol == AJENO and not url.startswith(("/activacion/", "/capturista/")):
        visto = r.get_data(as_text=True) if r.mimetype.startswith("text/") else ""
        fugas = [m for m in sesion.mundo.a.marcadores if m in visto]
        assert not fugas, f"{metodo} {url}: B ve datos de A: {fugas}"


@pytest.mark.parametrize("sesion", [ANONIMO], indirect=True)
@settings(AJUSTES, max_examples=max(10, EJEMPLOS // 2))
@given(siguiente=TEXTO, capturista=st.booleans())
def test_next_arbitrario_tras_iniciar_sesion_se_queda_en_el_sitio(sesion, siguiente, capturista):
    """Property version of the open-redirect test: a successful login with any next= stays here."""
    contar("hypothesis_ejemplos")
    client = sesion.app.test_client()
    if capturista:
        url, datos = "/capturista/iniciar-sesion", {"usuario": USUARIO_CAPTURISTA, "password": CLAVE_CAPTURISTA}
    else:
        url, datos = "/cuenta/iniciar-sesion", {"rfc": sesion.mundo.a.rfc, "password": PASSWORD}
    r = client.post(url, query_string={"next": siguiente}, data={"csrf_token": token_csrf(client), **datos})
    comprobar(r, [siguiente], {303}, f"login next={siguiente!r}")
