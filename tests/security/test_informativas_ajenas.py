"""The capturista of A (maria.lopez) on the ids of B's informativa: every route with an informativa in its
URL (``captura.*``, today's and tomorrow's) answers 404 and changes nothing, GET and POST, as a page and
as an htmx fragment; so does A's informativa with B's contract (or worker) in the URL. The route × role
matrix only walks A's ids; this is the other tenant's side for the capturista."""
from __future__ import annotations

import pytest
from flask import url_for

from tests.security.mundo import CAPTURISTA, cliente_de, crear_mundo, diferencias, foto, token_csrf
from tests.security.rutas import construir_url, reglas_de_la_app


def _celdas(app) -> list[tuple[str, str]]:
    return sorted((r.endpoint, metodo) for r in reglas_de_la_app(app) if "informativa_id" in r.arguments
                  for metodo in r.methods - {"HEAD", "OPTIONS"})


def _url_mezclada(app, endpoint: str, mundo) -> str | None:
    """A's informativa with B's contract and worker: None for a route without a contract."""
    regla = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if "contrato_id" not in regla.arguments:
        return None
    valores = {"informativa_id": mundo.a.informativa, "contrato_id": mundo.b.contrato,
               "trabajador_id": mundo.b.trabajador}
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in valores.items() if k in regla.arguments})


@pytest.mark.parametrize("con_htmx", [False, True], ids=["pagina", "htmx"])
def test_la_capturista_de_a_no_alcanza_nada_de_la_informativa_de_b(app, con_htmx):
    mundo = crear_mundo(app)
    client = cliente_de(app, mundo, CAPTURISTA)
    token = token_csrf(client)
    celdas = _celdas(app)
    assert ("captura.ver", "GET") in celdas and ("captura.eliminar_contrato", "POST") in celdas
    fallos = []
    antes = foto(app)
    for endpoint, metodo in celdas:
        for url in filter(None, (construir_url(app, endpoint, mundo, mundo.b), _url_mezclada(app, endpoint, mundo))):
            headers = {"HX-Request": "true", "HX-Target": f"contrato-{mundo.b.contrato}"} if con_htmx else {}
            if metodo == "GET":
                r = client.get(url, headers=headers)
            else:
                r = client.post(url, data={"csrf_token": token, "version": "1"}, headers=headers)
            visto = r.get_data(as_text=True)
            if r.status_code != 404:
                fallos.append(f"{metodo} {url} ({endpoint}): {r.status_code}, se esperaba 404")
            if fugas := [m for m in mundo.b.marcadores if m in visto]:
                fallos.append(f"{metodo} {url} ({endpoint}): muestra datos de B: {fugas}")
    if cambios := diferencias(antes, foto(app)):
        fallos.append(f"cambió la base de datos: {cambios}")
    assert not fallos, "\n".join(fallos)
