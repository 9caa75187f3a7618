"""The capturista's informativa workspace (issue 14): its home lists the chosen contractor's
informativas with their deadline in words, Nueva informativa creates one per period, the informativa's
page shows its checklist, Tipo changes it; nothing of another contractor is reachable, and a baja takes
effect on the next request. Plain forms (POST → 303)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from extensions import db
from models import Bitacora, Informativa, RelacionCapturista
from tests.ayudantes import csrf_de, elegir_contratista, enviar, iniciar_sesion_capturista
from tests.factories import crear_capturista_activo, crear_contratista

INICIO = "/capturista/"
NUEVA = "/capturista/informativas/nueva"


@pytest.fixture
def capturista(app, client):
    """maria.lopez, working for A (chosen at login); she also works for B."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Informativas, S.A.")
        b = crear_contratista(razon_social="Beta Informativas, S.A.")
        crear_capturista_activo(a, b)
        datos = {"a": a.id, "b": b.id}
    iniciar_sesion_capturista(client)
    elegir_contratista(client, datos["a"])
    return datos


def _crear(client, periodo="2026-2", tipo="normal"):
    return enviar(client, NUEVA, {"periodo": periodo, "tipo": tipo}, desde=INICIO)


def test_inicio_sin_informativas_ofrece_crearla(client, capturista):
    html = client.get(INICIO).get_data(as_text=True)
    assert "Estás capturando para <strong>Alfa Informativas, S.A.</strong>" in html
    assert "Aún no hay informativas" in html
    # The period whose filing opened last is called out with its deadline (it has no informativa yet).
    assert re.search(r"Informativa del \w+ cuatrimestre de \d{4}", html)
    opciones = re.findall(r'<option value="(\d{4}-[123])"', html)
    assert opciones[-1] == "2021-3" and opciones == sorted(opciones, reverse=True)


def test_nueva_informativa_y_su_pagina(client, app, capturista):
    r = _crear(client)
    assert r.status_code == 303
    pagina = client.get(r.headers["Location"])
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200
    assert "<h1>Informativa del segundo cuatrimestre de 2026 (mayo–agosto)</h1>" in html
    assert "Se creó la informativa del segundo cuatrimestre de 2026" in html
    assert "<dt>Estado</dt><dd>Borrador</dd>" in html
    assert re.search(r"<dt>Plazo</dt><dd>(Venció|Vence|Se presenta) ", html)  # words that depend on today
    assert "No cumple:" in html and "La informativa tiene al menos un contrato" in html
    inicio = client.get(INICIO).get_data(as_text=True)
    assert "Segundo cuatrimestre de 2026 (mayo–agosto)</a>" in inicio
    assert 'value="2026-2"' not in inicio  # no longer offered
    with app.app_context():
        informativa = db.session.scalar(select(Informativa))
        assert (informativa.contratista_id, informativa.creado_por) == (capturista["a"], "capturista:maria.lopez")
        assert db.session.scalar(select(Bitacora.accion).where(Bitacora.informativa_id == informativa.id)) \
            == "informativa_alta"


def test_el_mismo_periodo_dos_veces_es_409(client, capturista):
    assert _crear(client).status_code == 303
    r = _crear(client, tipo="sin_informacion")
    assert r.status_code == 409
    assert "Ya existe una informativa del segundo cuatrimestre de 2026" in r.get_data(as_text=True)


@pytest.mark.parametrize("datos, mensaje", [({"periodo": "2030-1", "tipo": "normal"}, "no se puede capturar"),
                                            ({"periodo": "2026-7", "tipo": "normal"}, "no es válido"),
                                            ({"periodo": "", "tipo": "normal"}, "Elige el periodo"),
                                            ({"periodo": "2026-2", "tipo": "otro"}, "Not a valid choice")])
def test_nueva_con_datos_malos_no_crea_nada(client, app, capturista, datos, mensaje):
    r = enviar(client, NUEVA, datos, desde=INICIO)
    assert r.status_code == 422
    assert "Hay un problema" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Informativa)) is None


def test_cambiar_tipo_con_version(client, app, capturista):
    ver = _crear(client).headers["Location"]
    pagina = client.get(ver)
    token = csrf_de(pagina)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', pagina.get_data(as_text=True)).group(1)
    r = client.post(ver + "/tipo", data={"csrf_token": token, "version": version, "tipo": "sin_informacion"})
    assert r.status_code == 303
    html = client.get(ver).get_data(as_text=True)
    assert "La informativa es de tipo «Sin información»" in html and "Cumple:" in html
    # The same form again (its version is now old): refused, nothing changes.
    r = client.post(ver + "/tipo", data={"csrf_token": token, "version": version, "tipo": "normal"},
                    follow_redirects=True)
    assert "Otra persona modificó la informativa" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Informativa.tipo)) == "sin_informacion"


def test_otro_contratista_no_se_alcanza(client, app, capturista):
    ver = _crear(client).headers["Location"]
    elegir_contratista(client, capturista["b"])
    assert client.get(ver).status_code == 404  # A's informativa while working for B
    assert "Segundo cuatrimestre de 2026 (mayo–agosto)</a>" not in client.get(INICIO).get_data(as_text=True)


def test_la_baja_surte_efecto_en_la_siguiente_peticion(client, app, capturista):
    ver = _crear(client).headers["Location"]
    with app.app_context():
        relacion = db.session.scalar(select(RelacionCapturista).where(
            RelacionCapturista.contratista_id == capturista["a"]))
        relacion.estatus = "baja"
        db.session.commit()
    r = client.get(ver)
    assert r.status_code == 302 and r.headers["Location"].endswith("/capturista/contratistas")


def test_pagina_del_contrato_con_sus_trabajadores(client, app, capturista):
    from datetime import date
    from decimal import Decimal

    from domain.nss import completar
    from services import informativas as srv
    from services.padron import PersonaEncontrada
    from tests.factories import rfc_valido

    ver = _crear(client).headers["Location"]
    otra = _crear(client, periodo="2026-1").headers["Location"]
    with app.app_context():
        informativa = db.session.scalar(select(Informativa).where(Informativa.periodo == 2))
        contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente, S.A.",
            correo_contratante="c@cliente.example", telefono_contratante="5512341234", objeto="Limpieza",
            servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None), "prueba")
        for i, apellido in enumerate(["ZAPATA", "ALVAREZ", "MENDEZ"]):
            srv.agregar_trabajador(informativa, contrato, completar(f"123456789{i}"),
                                   PersonaEncontrada(f"PEGL85030{i}HJCRRS07", "JUAN", apellido, ""),
                                   Decimal("315.04") + i, "prueba")
        db.session.commit()
        cid = contrato.id
    html = client.get(f"{ver}/contratos/{cid}").get_data(as_text=True)
    assert "<h1>Contrato 1 (CLI030303D4" in html and "Limpieza" in html
    assert [m for m in re.findall(r"JUAN (\w+)</th>", html)] == ["ALVAREZ", "MENDEZ", "ZAPATA"]
    assert "$317.04" in html
    assert client.get(f"{otra}/contratos/{cid}").status_code == 404  # the contract of another informativa
