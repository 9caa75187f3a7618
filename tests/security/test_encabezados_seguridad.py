"""Security headers on every page each role can GET (and on redirects, error pages, htmx fragments
and static files), no inline script nor ``on*=`` handler in any HTML served, and no copy of a dynamic
response left in the browser's cache (F10)."""
from __future__ import annotations

import pytest

from tests.ayudantes import iniciar_sesion
from tests.factories import PASSWORD
from tests.security.estadisticas import contar
from tests.security.mundo import (
    AJENO,
    ANONIMO,
    CAPTURISTA,
    DUENO,
    ROLES,
    cliente_de,
    crear_mundo,
    problemas_html,
    token_csrf,
)
from tests.security.rutas import MATRIZ, construir_url

REFERRER_ACEPTABLES = {"same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"}


def _directivas(csp: str) -> dict[str, list[str]]:
    directivas = {}
    for parte in csp.split(";"):
        tokens = parte.split()
        if tokens:
            directivas[tokens[0].lower()] = tokens[1:]
    return directivas


def problemas_de_encabezados(r) -> list[str]:
    problemas = []
    csp = r.headers.get("Content-Security-Policy")
    if not csp:
        return ["sin Content-Security-Policy"]
    d = _directivas(csp)
    scripts = d.get("script-src", d.get("default-src"))
    if scripts is None or "'self'" not in scripts:
        problemas.append(f"script-src sin 'self': {csp}")
    elif any(t in scripts for t in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")):
        problemas.append(f"script-src demasiado abierto: {scripts}")
    if d.get("frame-ancestors") != ["'none'"]:
        problemas.append(f"frame-ancestors no es 'none': {d.get('frame-ancestors')}")
    if d.get("object-src") not in (["'none'"], None) and "object-src" in d:
        problemas.append("object-src abierto")
    if r.headers.get("X-Frame-Options") != "DENY":
        problemas.append(f"X-Frame-Options = {r.headers.get('X-Frame-Options')!r}")
    if r.headers.get("X-Content-Type-Options") != "nosniff":
        problemas.append(f"X-Content-Type-Options = {r.headers.get('X-Content-Type-Options')!r}")
    if r.headers.get("Referrer-Policy") not in REFERRER_ACEPTABLES:
        problemas.append(f"Referrer-Policy = {r.headers.get('Referrer-Policy')!r}")
    return problemas


def problemas_de_cache(r, url: str) -> list[str]:
    """F10: every dynamic response (pages, fragments, redirects, errors, downloads) is ``no-store``
    (``no-cache`` still keeps a copy on disk, shown again by Back after logout); static files are
    cacheable."""
    directivas = {d.strip().split("=")[0].lower() for d in r.headers.get("Cache-Control", "").split(",") if d.strip()}
    if url.startswith("/static/") and r.status_code == 200:
        return ["archivo estático con no-store"] if "no-store" in directivas else []
    if "no-store" not in directivas:
        return [f"Cache-Control = {r.headers.get('Cache-Control')!r}, sin no-store"]
    return []


def _revisar(r, donde: str, fallos: list[str], url: str = "") -> None:
    contar("encabezados_respuestas_revisadas")
    if r.status_code >= 500:
        fallos.append(f"{donde}: error {r.status_code}")
    fallos.extend(f"{donde}: {p}" for p in problemas_de_encabezados(r))
    fallos.extend(f"{donde}: {p}" for p in problemas_de_cache(r, url))
    if r.mimetype == "text/html":
        contar("encabezados_paginas_html_revisadas")
        fallos.extend(f"{donde}: {p}" for p in problemas_html(r.get_data(as_text=True)))


def _extras(mundo, rol) -> list[tuple[str, dict]]:
    """Responses the matrix does not GET: error pages, htmx fragments, static files."""
    rel = mundo.a.relaciones["pendiente"]
    extras = [
        ("/no-existe", {}),
        ("/cuenta/cerrar-sesion", {}),                              # 405
        ("/activacion/liga-alterada", {}),                          # 404 of the activation page
        ("/capturista/restablecer/liga-alterada", {}),              # 410
        ("/cuenta/restablecer/liga-alterada", {}),                  # 410
        ("/static/css/app.css", {}),
        ("/static/js/app.js", {}),
    ]
    if rol == CAPTURISTA:  # the carga masiva's progress block (a finished one: the whole block)
        extras.append((f"/capturista/informativas/{mundo.a.informativa}/contratos/{mundo.a.contrato}/carga-masiva/"
                       f"{mundo.a.carga}", {"HX-Request": "true", "HX-Target": "carga-estado"}))
    if rol == DUENO:
        hx = {"HX-Request": "true"}
        extras += [
            ("/administracion/consulta?q=a", {**hx, "HX-Target": "grid-capturistas"}),
            (f"/administracion/consulta/{rel}", {**hx, "HX-Target": f"capturista-{rel}"}),
            (f"/administracion/consulta/{rel}/editar", {**hx, "HX-Target": f"capturista-{rel}"}),
            (f"/administracion/consulta/{rel}/eliminar", {**hx, "HX-Target": f"capturista-{rel}"}),
            (f"/administracion/exportar-excel/{mundo.a.exportacion}", {**hx, "HX-Target": "exportacion-estado"}),
        ]
    return extras


@pytest.mark.parametrize("rol", ROLES)
def test_encabezados_y_html_en_cada_get(app, rol):
    mundo = crear_mundo(app)
    client = cliente_de(app, mundo, rol)
    fallos: list[str] = []
    for endpoint, metodo in MATRIZ:
        if metodo != "GET":
            continue
        url = construir_url(app, endpoint, mundo)
        r = client.get(url)
        _revisar(r, f"[{rol}] GET {url}", fallos, url)
        destino = r.headers.get("Location", "")
        if r.status_code in (301, 302, 303) and destino.startswith("/"):
            _revisar(client.get(destino), f"[{rol}] GET {url} → {destino}", fallos, destino)
    for url, encabezados in _extras(mundo, rol):
        _revisar(client.get(url, headers=encabezados), f"[{rol}] GET {url} {encabezados or ''}", fallos, url)
    assert not fallos, "\n".join(fallos)


@pytest.mark.parametrize("rol", (ANONIMO, DUENO, AJENO, CAPTURISTA))
def test_encabezados_y_html_en_respuestas_a_post(app, rol):
    """Forms with errors (422), the CSRF page (400), htmx fragments of a POST."""
    mundo = crear_mundo(app)
    client = cliente_de(app, mundo, rol)
    token = token_csrf(client)
    fallos: list[str] = []
    for (endpoint, metodo), por_rol in MATRIZ.items():
        if metodo != "POST" or endpoint == "auth.logout" or por_rol[rol].denegado:
            continue
        url = construir_url(app, endpoint, mundo)
        _revisar(client.post(url, data={"csrf_token": token}), f"[{rol}] POST {url}", fallos, url)
        _revisar(client.post(url, data={}), f"[{rol}] POST sin token {url}", fallos, url)
    if rol == DUENO:
        hx = {"HX-Request": "true", "HX-Target": "alta-formulario", "X-CSRFToken": token}
        for curp in ("NO-ES-CURP", mundo.personas[9].curp):
            _revisar(client.post("/administracion/alta-usuarios/validar", data={"curp": curp}, headers=hx),
                     f"[{rol}] POST htmx validar {curp}", fallos, "/administracion/alta-usuarios/validar")
    assert not fallos, "\n".join(fallos)


def test_las_paginas_traen_el_marco_en_espanol(app, mundo):
    client = cliente_de(app, mundo, DUENO)
    for url in ("/", "/administracion/consulta", "/no-existe"):
        texto = client.get(url).get_data(as_text=True)
        assert '<html lang="es-MX">' in texto, url
        assert 'name="viewport"' in texto


def test_el_revisor_de_html_detecta_lo_prohibido():
    """The checks above would catch an inline script or handler (guard against a blind checker)."""
    assert problemas_html('<script src="/static/js/app.js" defer></script><a href="/x">ok</a>') == []
    assert len(problemas_html("<script>alert(1)</script>")) == 1
    assert len(problemas_html('<img src="x" onerror="alert(1)">')) == 1
    assert len(problemas_html('<body ONLOAD="x"><a href=" javascript:alert(1)">x</a>')) == 2
    assert problemas_de_encabezados(type("R", (), {"headers": {}})()) == ["sin Content-Security-Policy"]
    sin_cache = type("R", (), {"headers": {"Cache-Control": "no-cache"}, "status_code": 200})()
    assert problemas_de_cache(sin_cache, "/administracion/consulta") != []
    assert problemas_de_cache(sin_cache, "/static/css/app.css") == []


def test_ligas_secretas_fuera_de_caches_y_del_referer(app, mundo):
    client = app.test_client()
    for url in (f"/activacion/{mundo.token_activacion}", f"/capturista/restablecer/{mundo.token_restablecer}",
                f"/cuenta/restablecer/{mundo.token_restablecer_contratista}", "/activacion/liga-alterada",
                "/cuenta/restablecer/liga-alterada"):
        r = client.get(url)
        assert r.headers.get("Cache-Control") == "no-store", url
        assert r.headers.get("Referrer-Policy") == "no-referrer", url
        contar("encabezados_respuestas_revisadas")
    # Error pages at those URLs too (here a POST without its CSRF token).
    for url in (f"/cuenta/restablecer/{mundo.token_restablecer_contratista}", "/activacion/liga-alterada/nueva-liga"):
        r = client.post(url, data={})
        assert r.status_code == 400 and r.headers.get("Referrer-Policy") == "no-referrer", url
        contar("encabezados_respuestas_revisadas")


def test_datos_personales_y_descargas_sin_cache(app, mundo):
    """F10: a logged-in contractor's Consulta page, its htmx fragment, both Excel downloads and the
    login page are ``no-store``; a static file keeps being cacheable."""
    client = cliente_de(app, mundo, DUENO)
    hx = {"HX-Request": "true", "HX-Target": "grid-capturistas"}
    descarga = client.post("/administracion/exportar-excel", data={"csrf_token": token_csrf(client)})
    guardada = client.get(f"/administracion/exportar-excel/{mundo.a.exportacion}/descargar")
    for r in (descarga, guardada):  # really the workbooks, not an error page
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment"), r.status_code
    respuestas = {
        "consulta": client.get("/administracion/consulta"),
        "fragmento": client.get("/administracion/consulta?q=a", headers=hx),
        "excel directo": descarga,
        "excel en segundo plano": guardada,
        "inicio de sesión": app.test_client().get("/cuenta/iniciar-sesion"),
    }
    assert respuestas["consulta"].status_code == respuestas["fragmento"].status_code == 200
    assert "<html" not in respuestas["fragmento"].get_data(as_text=True)
    for nombre, r in respuestas.items():
        assert r.headers.get("Cache-Control") == "no-store", (nombre, r.headers.get("Cache-Control"))
    estatico = client.get("/static/css/app.css")
    assert estatico.status_code == 200
    assert "no-store" not in estatico.headers.get("Cache-Control", "")
    assert problemas_de_cache(estatico, "/static/css/app.css") == []
    assert problemas_de_cache(respuestas["consulta"], "/administracion/consulta") == []


def test_cookie_de_sesion_httponly_y_samesite(app, mundo):
    client = app.test_client()
    r = iniciar_sesion(client, mundo.a.rfc, PASSWORD)
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "el inicio de sesión no emite la cookie de sesión"
    for cookie in cookies:
        atributos = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")}
        assert "httponly" in atributos and atributos.get("samesite", "").lower().endswith("lax"), cookie


@pytest.mark.parametrize("segura", [True, False], ids=["cookie-secure", "sin-secure"])
def test_cookie_secure_y_hsts_solo_por_https(app, mundo, segura):
    """With SESSION_COOKIE_SECURE the session cookie is Secure; HSTS only on an https request, so
    http://127.0.0.1 in development is never pinned to https."""
    app.config.update(SESSION_COOKIE_SECURE=segura, REMEMBER_COOKIE_SECURE=segura)
    client = app.test_client()
    r = iniciar_sesion(client, mundo.a.rfc, PASSWORD)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert ("; Secure" in cookie) is segura, cookie
    por_http = client.get("/cuenta/iniciar-sesion")
    por_https = client.get("/cuenta/iniciar-sesion", base_url="https://localhost")
    assert "Strict-Transport-Security" not in por_http.headers
    if segura:
        assert por_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in por_https.headers
