"""Server-side accessibility details (issue 11): favicon, error titles, titles that name the action,
autocomplete, labels, the export page without a refresh for JavaScript, the grid's caption and count."""
import re


# --- favicon -----------------------------------------------------------------------------------

def test_favicon_propio_enlazado_y_en_favicon_ico(client):
    html = client.get("/cuenta/iniciar-sesion").get_data(as_text=True)
    m = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert m, "base.html no enlaza el favicon"
    assert m.group(1).startswith("/favicon.ico?v=")  # its one address, versioned like every static file
    enlazado = client.get(m.group(1))
    assert enlazado.status_code == 200 and enlazado.mimetype == "image/svg+xml"
    # Clients that do not read the page ask for /favicon.ico: the same file, not a 404.
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.mimetype == "image/svg+xml"
    assert ico.data == enlazado.data and b"<svg" in ico.data
