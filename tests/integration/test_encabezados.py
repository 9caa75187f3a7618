def test_encabezados_de_seguridad(client):
    r = client.get("/cuenta/iniciar-sesion")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_pagina_en_espanol_con_htmx_local(client):
    html = client.get("/cuenta/iniciar-sesion").get_data(as_text=True)
    assert '<html lang="es-MX">' in html
    assert "/static/vendor/htmx.min.js" in html
    assert "<script>" not in html  # no inline scripts (CSP)


def test_404_en_espanol(client):
    r = client.get("/no-existe")
    assert r.status_code == 404
    assert "Página no encontrada" in r.get_data(as_text=True)


def test_estaticos_versionados_se_guardan_un_anio(client):
    """F10: static URLs carry ?v=<hash of the file>; that exact URL may be cached for a year (a changed
    file gets a new URL). Without the current version they are only revalidated, never no-store."""
    import re

    html = client.get("/cuenta/iniciar-sesion").get_data(as_text=True)
    m = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert m, "la hoja de estilos no lleva versión"
    assert re.search(r'src="/static/vendor/htmx\.min\.js\?v=[0-9a-f]{12}"', html)
    versionada = client.get(m.group(1))
    assert versionada.status_code == 200
    cc = versionada.cache_control
    assert cc.max_age == 31536000 and cc.public and cc.immutable and not cc.no_cache and not cc.no_store
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        r = client.get(url)
        assert r.status_code == 200 and r.cache_control.no_cache and not r.cache_control.max_age, url


def test_un_archivo_estatico_no_consulta_la_base(client, app):
    """A logged-in user's static files (CSS, JS, icon) never load the user from the database."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from tests.ayudantes import iniciar_sesion
    from tests.factories import crear_contratista

    with app.app_context():
        rfc = crear_contratista().rfc
    assert iniciar_sesion(client, rfc).status_code == 303
    consultas = []

    def contar(*args):
        consultas.append(args[2])

    event.listen(Engine, "before_cursor_execute", contar)
    try:
        for ruta in ("/static/css/app.css", "/static/js/app.js", "/favicon.ico"):
            assert client.get(ruta).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", contar)
    assert consultas == []
