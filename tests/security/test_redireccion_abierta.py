"""Open redirect: ``next=`` of the login pages (RFC and contraseña, e.firma, capturista) and ``volver=`` of
the Consulta actions only ever lead to a path of this site."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.ayudantes import LOGIN_EFIRMA, datos_efirma
from tests.factories import CLAVE_CAPTURISTA, PASSWORD
from tests.security.estadisticas import contar
from tests.security.mundo import DUENO, USUARIO_CAPTURISTA, cliente_de, en_este_sitio, token_csrf

MALICIOSOS = [
    "http://malo.example",
    "https://malo.example/cuenta/iniciar-sesion",
    "HTTPS://malo.example",
    "//malo.example",
    "//malo.example/%2F..",
    "///malo.example",
    "////malo.example",
    "/\\malo.example",
    "\\\\malo.example",
    "\\/malo.example",
    "/\\/malo.example",
    "/\t/malo.example",
    "/\n/malo.example",
    " //malo.example",
    "\x00//malo.example",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:malo.example",
    "http:/malo.example",
    "https:\\\\malo.example",
    "//malo.example@localhost",
    "http://localhost@malo.example",
    "%2F%2Fmalo.example",
    "%2f%2fmalo.example",
    "/%2F/malo.example",
    "/%5Cmalo.example",
    "%5C%5Cmalo.example",
    "%252F%252Fmalo.example",
    "／／malo.example",          # fullwidth solidus
    "/\u3000/malo.example",
    "\u2028//malo.example",
    "malo.example",
    "@malo.example",
]
# Encoded once more, as a link in an e-mail or a crafted page would carry them.
CODIFICADOS = [quote(v, safe="") for v in ("//malo.example", "/\\malo.example", "https://malo.example",
                                            "javascript:alert(1)")]


def _entrar(app, mundo, pagina: str, siguiente: str, query_string: bool = True, efirma=None):
    client = app.test_client()
    if pagina == "contratista":
        url, datos = "/cuenta/iniciar-sesion", {"rfc": mundo.a.rfc, "password": PASSWORD}
    elif pagina == "efirma":
        url, datos = LOGIN_EFIRMA, datos_efirma(*efirma)
    else:
        url, datos = "/capturista/iniciar-sesion", {"usuario": USUARIO_CAPTURISTA, "password": CLAVE_CAPTURISTA}
    token = token_csrf(client)
    if query_string:
        return client.post(url, query_string={"next": siguiente}, data={"csrf_token": token, **datos})
    return client.post(f"{url}?next={siguiente}", data={"csrf_token": token, **datos})


@pytest.mark.parametrize("pagina,destino_normal", [("contratista", "/"), ("efirma", "/"),
                                                   ("capturista", "/capturista/contratistas")])
def test_next_nunca_sale_del_sitio(app, mundo, pagina, destino_normal, efirma_de):
    efirma = efirma_de(mundo.a.rfc)
    for siguiente in MALICIOSOS:
        r = _entrar(app, mundo, pagina, siguiente, efirma=efirma)
        if "\x00" in siguiente:  # a NUL anywhere is refused up front (Spanish 400 page): no redirect at all
            assert r.status_code == 400 and "Location" not in r.headers
            continue
        assert r.status_code == 303, (siguiente, r.status_code)
        ubicacion = r.headers["Location"]
        assert en_este_sitio(ubicacion), f"next={siguiente!r} → {ubicacion!r}"
        # Either the usual page, or a plain path of this site (e.g. "/%2F/malo.example" is a 404 here).
        assert ubicacion == destino_normal or (ubicacion.startswith("/") and ubicacion[1:2] not in ("/", "\\")
                                               and "malo.example" not in urlsplit(ubicacion).netloc), \
            f"next={siguiente!r} → {ubicacion!r}"
        contar("redireccion_casos")
    for crudo in CODIFICADOS:  # already percent-encoded in the raw query string
        r = _entrar(app, mundo, pagina, crudo, query_string=False, efirma=efirma)
        assert r.status_code == 303 and r.headers["Location"] == destino_normal, (crudo, r.headers["Location"])
        contar("redireccion_casos")
    # A local path is still followed (the feature works).
    local = "/administracion/consulta?q=ana" if pagina == "contratista" else "/capturista/"
    r = _entrar(app, mundo, pagina, local, efirma=efirma)
    assert r.status_code == 303 and r.headers["Location"] == local


def test_next_en_la_redireccion_al_login_es_local(app, mundo):
    """The next= the app itself writes (protected page → login) is a local path."""
    r = app.test_client().get("/administracion/consulta?q=%2F%2Fmalo.example")
    assert r.status_code == 302
    from urllib.parse import parse_qs

    siguiente = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    assert siguiente.startswith("/administracion/consulta") and en_este_sitio(siguiente)


@pytest.mark.parametrize("volver", ["//malo.example", "https://malo.example", "/\\malo.example",
                                    "/cuenta/iniciar-sesion", "javascript:alert(1)", "/administracion/consulta@malo"])
def test_volver_de_las_acciones_de_consulta_es_la_consulta(app, mundo, volver):
    client = cliente_de(app, mundo, DUENO)
    rel = mundo.a.relaciones["baja"]
    r = client.post(f"/administracion/consulta/{rel}/activar", data={"csrf_token": token_csrf(client),
                                                                    "volver": volver})
    assert r.status_code == 303
    ubicacion = r.headers["Location"]
    assert en_este_sitio(ubicacion) and ubicacion.startswith("/administracion/consulta"), ubicacion
    # The confirmation page's "Volver" link too.
    texto = client.get(f"/administracion/consulta/{rel}/eliminar", query_string={"volver": volver}) \
        .get_data(as_text=True)
    assert "malo.example" not in texto and "javascript:" not in texto
    contar("redireccion_casos", 2)


def test_el_verificador_reconoce_destinos_externos():
    assert en_este_sitio("/administracion/consulta") and en_este_sitio("/")
    for externo in ("//malo.example", "/\\malo.example", "https://malo.example", "/\t/malo.example",
                    "javascript:alert(1)"):
        assert not en_este_sitio(externo), externo
