"""Tenant isolation of the capturista's informativa routes: maria.lopez works for A; every ``captura.``
route that takes an informativa, contract or worker id answers 404 to ids of B's (or to one of B's
mixed with A's: B's contract under A's informativa, B's worker under A's contract), with JavaScript or
without, changes nothing and shows nothing of B's. New routes of the blueprint are covered as they come."""
from __future__ import annotations

import pytest
from flask import url_for

from domain.nss import completar
from tests.security.estadisticas import contar
from tests.security.mundo import CAPTURISTA, cliente_de, diferencias, foto, token_csrf

IDS = ("informativa_id", "contrato_id", "trabajador_id", "carga_id")


def _combinaciones(mundo) -> dict[str, dict[str, int]]:
    a, b = mundo.a, mundo.b
    return {
        "todo de B": {"informativa_id": b.informativa, "contrato_id": b.contrato, "trabajador_id": b.trabajador,
                      "carga_id": b.carga},
        "contrato de B en la informativa de A": {"informativa_id": a.informativa, "contrato_id": b.contrato,
                                                 "trabajador_id": b.trabajador, "carga_id": b.carga},
        "trabajador de B en el contrato de A": {"informativa_id": a.informativa, "contrato_id": a.contrato,
                                                "trabajador_id": b.trabajador, "carga_id": a.carga},
        "carga de B en el contrato de A": {"informativa_id": a.informativa, "contrato_id": a.contrato,
                                           "trabajador_id": a.trabajador, "carga_id": b.carga},
    }


def _reglas(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("captura.") and set(IDS) & r.arguments]


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_ids_de_otro_contratista_son_404(app, mundo, js):
    client = cliente_de(app, mundo, CAPTURISTA)
    token = token_csrf(client)
    datos = {"csrf_token": token, "curp": mundo.personas[5].curp, "nss": completar("9291908443"), "sbc": "315.04",
             "version": "1", "tipo": "sin_informacion", "validar": "Validar"}
    antes = foto(app)
    reglas = _reglas(app)
    assert {"captura.contrato", "captura.editar_trabajador", "captura.eliminar_trabajador",
            "captura.carga_estado", "captura.carga_rechazados"} <= {r.endpoint for r in reglas}
    fallos = []
    for regla in reglas:
        for nombre, ids in _combinaciones(mundo).items():
            valores = {k: v for k, v in ids.items() if k in regla.arguments}
            propios = {"informativa_id": mundo.a.informativa, "contrato_id": mundo.a.contrato,
                       "trabajador_id": mundo.a.trabajador, "carga_id": mundo.a.carga}
            if all(propios[k] == v for k, v in valores.items()):
                continue  # this rule takes none of B's ids in this combination
            with app.test_request_context():
                url = url_for(regla.endpoint, **valores)
            encabezados = {"HX-Request": "true", "HX-Target": f"trabajador-{valores.get('trabajador_id')}"} if js else {}
            for metodo in sorted(regla.methods - {"HEAD", "OPTIONS"}):
                r = client.open(url, method=metodo, data=datos if metodo == "POST" else None, headers=encabezados)
                contar("aislamiento_captura_casos")
                texto = r.get_data(as_text=True)
                if r.status_code != 404:
                    fallos.append(f"{metodo} {url} ({nombre}): {r.status_code}")
                if fugas := [m for m in mundo.b.marcadores if m in texto]:
                    fallos.append(f"{metodo} {url} ({nombre}): muestra {fugas}")
    assert not fallos, "\n".join(fallos)
    assert not diferencias(antes, foto(app))
