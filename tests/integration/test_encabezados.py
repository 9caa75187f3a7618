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
