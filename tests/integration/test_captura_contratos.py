"""The contracts of an informativa, capturista side (issue 14): the grid on the informativa page (search
without accents or case, keyset pages by number, the workers of each contract counted in one query),
Agregar contrato with its contratante remembered per contractor (Buscar RFC, with and without htmx),
Editar and Eliminar as plain forms (POST → 303) and in the row (htmx fragments), version conflicts
(409, nothing overwritten), a sent informativa read-only (409), and nothing of another contractor or
another informativa reachable (404)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Bitacora, Contratante, Contrato, Informativa, Trabajador
from models.types import ahora_utc
from services import informativas as srv
from services.padron import PersonaEncontrada
from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion_capturista
from tests.factories import crear_capturista_activo, crear_contratista, rfc_valido

RFC_CLIENTE = rfc_valido("CLI", "030303", "D4")
RFC_NUEVO = rfc_valido("NUE", "040404", "E5")
BASE = "/capturista/informativas"
ACTOR = "capturista:maria.lopez"


def _datos(**cambios) -> srv.DatosContrato:
    base = dict(rfc_contratante=RFC_CLIENTE, nombre_contratante="Cliente Núñez, S.A.",
                correo_contratante="compras@cliente.example", telefono_contratante="5511112222",
                objeto="Limpieza de oficinas", servicio="AR12345/2024 Servicios de limpieza",
                fecha_inicio=date(2026, 6, 1), fecha_fin=None)
    return srv.DatosContrato(**{**base, **cambios})


def _contrato(informativa, trabajadores: int = 0, **cambios) -> Contrato:
    contrato = srv.agregar_contrato(informativa, _datos(**cambios), "prueba")
    for i in range(trabajadores):
        srv.agregar_trabajador(informativa, contrato, completar(f"12345678{contrato.numero}{i}"),
                               PersonaEncontrada(f"PEGL85030{i}HJCRRS07", "JUAN", f"APELLIDO{i}", ""),
                               Decimal("315.04"), "prueba")
    return contrato


@pytest.fixture
def mundo(app, client):
    """maria.lopez, working for A (chosen at login; she also works for B). A's informativa of 2026-2
    with Contrato 1 (two workers); another of A (2026-1) with one contract; B's of 2026-2 with one
    contract and a contratante B remembers."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Contratos, S.A.")
        b = crear_contratista(razon_social="Beta Contratos, S.A.")
        crear_capturista_activo(a, b)
        informativa = srv.crear(a.id, Periodo(2026, 2), "normal", ACTOR, ahora_utc())
        primero = _contrato(informativa, trabajadores=2)
        otra = srv.crear(a.id, Periodo(2026, 1), "normal", ACTOR, ahora_utc())
        de_otra = _contrato(otra, fecha_inicio=date(2026, 2, 1))
        ajena = srv.crear(b.id, Periodo(2026, 2), "normal", "prueba", ahora_utc())
        de_b = _contrato(ajena, rfc_contratante=RFC_NUEVO, nombre_contratante="Secreto de Beta, S.A.",
                         objeto="Objeto secreto de Beta")
        db.session.commit()
        datos = {"a": a.id, "b": b.id, "rfc_a": a.rfc, "informativa": informativa.id, "contrato": primero.id,
                 "otra": otra.id, "de_otra": de_otra.id, "ajena": ajena.id, "de_b": de_b.id}
    iniciar_sesion_capturista(client)
    elegir_contratista(client, datos["a"])
    return datos


def _ver(m) -> str:
    return f"{BASE}/{m['informativa']}"


def _url_contrato(m, accion: str = "", contrato: str = "contrato") -> str:
    return f"{_ver(m)}/contratos/{m[contrato]}" + (f"/{accion}" if accion else "")


def _hx(objetivo: str) -> dict:
    return {"HX-Request": "true", "HX-Target": objetivo}


def _contar(app, modelo, *condiciones) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(modelo).where(*condiciones))


def _bitacora(app, informativa_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Bitacora.accion).where(Bitacora.informativa_id == informativa_id)
                                       .order_by(Bitacora.id)))


def _contrato_bd(app, contrato_id: int) -> Contrato | None:
    with app.app_context():
        contrato = db.session.get(Contrato, contrato_id)
        if contrato is not None:
            db.session.expunge(contrato)
        return contrato


FORMULARIO = {"rfc_contratante": RFC_NUEVO.lower(), "nombre_contratante": "Nuevo Cliente, S.C.",
              "correo_contratante": "Pagos@Nuevo.example", "telefono_contratante": "55 1234 5678",
              "objeto": "Mantenimiento de elevadores\r\nen dos torres", "servicio": "AR12345/2024 Mantenimiento",
              "fecha_inicio": "2026-07-15", "fecha_fin": ""}


def _agregar(client, m, **cambios):
    url = f"{_ver(m)}/contratos/nuevo"
    token = csrf_de(client.get(url))
    return client.post(url, data={"csrf_token": token, **FORMULARIO, **cambios}, headers=cambios.pop("headers", {}))


def _formulario_editar(html: str) -> dict:
    """The values of the edit form as a browser would post them (inputs and textareas, by name)."""
    datos = {n: v for n, v in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}
    datos |= {n: v.strip() for n, v in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html)}
    return {n: v.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"') for n, v in datos.items()}


# --- the grid -----------------------------------------------------------------------------------------------

def test_la_pagina_muestra_sus_contratos_y_sus_trabajadores(client, mundo):
    html = client.get(_ver(mundo)).get_data(as_text=True)
    assert "<h2 id=\"contratos-titulo\">Contratos</h2>" in html
    assert 'id="grid-contratos"' in html and f'<tbody id="contrato-{mundo["contrato"]}"' in html
    assert "Contrato 1</th>" in html and RFC_CLIENTE in html and "Cliente Núñez, S.A." in html
    assert 'data-etiqueta="Trabajadores" class="numero">2</td>' in html
    assert "Contratos de la informativa: <span class=\"leyenda-resumen\">1 contrato.</span>" in html
    assert f'href="{_url_contrato(mundo)}"' in html  # Trabajadores: the contract's page
    assert "Agregar contrato</a>" in html and ">Editar<" in html and ">Eliminar<" in html
    # Nothing of the other informativa of A, nor of B.
    assert "Secreto de Beta" not in html and f'id="contrato-{mundo["de_otra"]}"' not in html


def test_con_htmx_la_busqueda_responde_solo_la_grid(client, mundo):
    r = client.get(_ver(mundo), query_string={"q": "NUNEZ"}, headers=_hx("grid-contratos"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "HX-Target" in r.headers["Vary"]
    assert html.lstrip().startswith('<div id="grid-contratos"') and "<!doctype" not in html
    assert "1 contrato que coincide con la búsqueda." in html
    # Without htmx (or aimed elsewhere) the same URL is the whole page.
    assert "<!doctype html>" in client.get(_ver(mundo), query_string={"q": "nunez"}).get_data(as_text=True)


@pytest.mark.parametrize("q, encontrado", [("núñez", True), ("CLIENTE nunez", True), ("cli030303", True),
                                          ("OFICINAS", True), ("elevadores", False), ("%", False),
                                          ("secreto", False)])
def test_busqueda_sin_mayusculas_ni_acentos(client, mundo, q, encontrado):
    html = client.get(_ver(mundo), query_string={"q": q}).get_data(as_text=True)
    assert (f'id="contrato-{mundo["contrato"]}"' in html) is encontrado
    if not encontrado:
        assert "Ningún contrato coincide con la búsqueda." in html


FILA_RE = re.compile(r'<th scope="row" data-etiqueta="Contrato">Contrato (\d+)</th>')


def test_paginas_por_numero_de_contrato(client, app, mundo, monkeypatch):
    monkeypatch.setitem(srv.pagina_contratos.__kwdefaults__, "tamano", 3)
    with app.app_context():
        informativa = db.session.get(Informativa, mundo["informativa"])
        for i in range(6):
            _contrato(informativa, trabajadores=i % 2)
        db.session.commit()
    vistos, url, leyendas = [], _ver(mundo), []
    while url:
        html = client.get(url).get_data(as_text=True)
        vistos += FILA_RE.findall(html)
        leyendas.append(re.search(r'<span class="leyenda-resumen">([^<]+)</span>', html).group(1))
        siguiente = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#grid-contratos"[^>]*rel="next"', html)
        url = siguiente.group(1).replace("&amp;", "&") if siguiente else None
    assert vistos == [str(n) for n in range(1, 8)]  # by number, no gaps, no repeats
    assert leyendas == ["Página 1: 3 contratos de 7, por número.", "Página 2: 3 contratos de 7, por número.",
                        "Página 3: 1 contrato de 7, por número."]
    # Back from page 3 is page 2 exactly; the search is kept across pages.
    html = client.get(_ver(mundo), query_string={"q": "cliente"}).get_data(as_text=True)
    pagina2 = client.get(re.search(r'href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&"))
    pagina3 = client.get(re.search(r'href="([^"]+)"[^>]*rel="next"', pagina2.get_data(as_text=True))
                         .group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "q=cliente" in re.search(r'href="([^"]+)"[^>]*rel="prev"', pagina3).group(1)
    anterior = re.search(r'href="([^"]+)"[^>]*rel="prev"', pagina3).group(1).replace("&amp;", "&")
    assert FILA_RE.findall(client.get(anterior).get_data(as_text=True)) == ["4", "5", "6"]


def test_la_grid_cuenta_los_trabajadores_sin_una_consulta_por_fila(client, app, mundo):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def sentencias_de_la_grid() -> list[str]:
        sentencias = []

        def contar(conexion, cursor, sentencia, *args):
            sentencias.append(sentencia)

        event.listen(Engine, "before_cursor_execute", contar)
        try:
            assert client.get(_ver(mundo), headers=_hx("grid-contratos")).status_code == 200
        finally:
            event.remove(Engine, "before_cursor_execute", contar)
        return sentencias

    una = sentencias_de_la_grid()
    with app.app_context():
        informativa = db.session.get(Informativa, mundo["informativa"])
        for _ in range(5):
            _contrato(informativa, trabajadores=1)
        db.session.commit()
    seis = sentencias_de_la_grid()
    assert len(seis) == len(una), seis  # six rows cost what one costs
    assert sum("FROM trabajador" in s for s in seis) == 1  # the page's contracts counted in one statement


# --- Agregar contrato -------------------------------------------------------------------------------------------

def test_agregar_contrato_sin_js(client, app, mundo):
    url = f"{_ver(mundo)}/contratos/nuevo"
    pagina = client.get(url).get_data(as_text=True)
    assert "<h1>Agregar contrato</h1>" in pagina
    # The service is pre-filled with the contractor's last one (or its REPSE number); the dates are date inputs.
    assert re.search(r'<textarea[^>]*name="servicio"[^>]*>\s*AR12345/2024 Servicios de limpieza</textarea>', pagina)
    assert re.search(r'<input[^>]*id="fecha_inicio"[^>]*type="date"', pagina)
    assert "del 1 de mayo al 31 de agosto de 2026" in pagina
    r = _agregar(client, mundo)
    assert r.status_code == 303 and r.headers["Location"] == _ver(mundo)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Se agregó el Contrato 2 ({RFC_NUEVO})." in html
    with app.app_context():
        contrato = db.session.scalar(select(Contrato).where(Contrato.numero == 2,
                                                            Contrato.informativa_id == mundo["informativa"]))
        assert (contrato.rfc_contratante, contrato.correo_contratante, contrato.telefono_contratante) == (
            RFC_NUEVO, "pagos@nuevo.example", "5512345678")
        assert contrato.objeto == "Mantenimiento de elevadores\nen dos torres"  # a textarea keeps its lines
        assert (contrato.fecha_inicio, contrato.fecha_fin) == (date(2026, 7, 15), None)
        recordado = db.session.scalar(select(Contratante).where(Contratante.contratista_id == mundo["a"],
                                                                Contratante.rfc == RFC_NUEVO))
        assert recordado.nombre == "Nuevo Cliente, S.C."
    assert _bitacora(app, mundo["informativa"])[-1] == "contrato_alta"


def test_agregar_acepta_la_fecha_escrita_a_mano(client, app, mundo):
    r = _agregar(client, mundo, fecha_inicio="15/07/2026", fecha_fin="31/12/2026")
    assert r.status_code == 303
    assert _contar(app, Contrato, Contrato.fecha_fin == date(2026, 12, 31)) == 1


@pytest.mark.parametrize("cambios, mensajes", [
    ({k: "" for k in FORMULARIO}, ["Captura el RFC del contratante.", "Captura el nombre o razón social",
                                   "Captura el correo electrónico del contratante.",
                                   "Captura el teléfono del contratante.", "Describe el objeto del contrato.",
                                   "Describe el servicio u obra especializada.",
                                   "Captura la fecha de inicio del contrato."]),
    ({"fecha_inicio": "2026-04-30"}, ["La fecha de inicio debe estar dentro del segundo cuatrimestre de 2026"]),
    ({"fecha_fin": "2026-07-01"}, ["La fecha de fin no puede ser anterior a la fecha de inicio."]),
    ({"fecha_inicio": "31/02/2026"}, ["La fecha de inicio no es válida: escríbela como dd/mm/aaaa."]),
    ({"fecha_fin": "mañana"}, ["La fecha de fin no es válida"]),
    ({"rfc_contratante": "ABC"}, ["El RFC debe tener 12 caracteres"]),
    ({"telefono_contratante": "551234567"}, ["El teléfono debe tener 10 dígitos; capturaste 9."]),
    ({"correo_contratante": "no-es-correo"}, ["El correo electrónico no tiene un formato válido."]),
    ({"nombre_contratante": "Cliente\nS.A."}, ["Contiene caracteres no permitidos"]),
    ({"objeto": "x" * 2001}, ["Escribe a lo más 2,000 caracteres."]),
])
def test_agregar_con_errores_no_guarda(client, app, mundo, cambios, mensajes):
    r = _agregar(client, mundo, **cambios)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Hay un problema" in html and "<title>Error: Agregar contrato" in html
    for mensaje in mensajes:
        assert mensaje in html
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["informativa"]) == 1


def test_el_rfc_del_contratante_no_es_el_del_contratista(client, app, mundo):
    r = _agregar(client, mundo, rfc_contratante=mundo["rfc_a"])
    assert r.status_code == 422
    assert "El RFC del contratante no puede ser el del contratista." in r.get_data(as_text=True)


def test_rfc_con_digito_verificador_distinto_se_confirma(client, app, mundo):
    base = "DIG050505F6"
    malo = base + ("1" if rfc_valido("DIG", "050505", "F6")[-1] != "1" else "2")
    r = _agregar(client, mundo, rfc_contratante=malo)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "dígito verificador del RFC no coincide" in html
    assert 'name="confirmar_rfc"' in html and "Revisa el RFC del contratante" in html
    assert _agregar(client, mundo, rfc_contratante=malo, confirmar_rfc="y").status_code == 303


def test_buscar_rfc_sin_js_llena_el_contratante_y_no_guarda(client, app, mundo):
    r = _agregar(client, mundo, rfc_contratante=RFC_CLIENTE.lower(), nombre_contratante="", correo_contratante="",
                 telefono_contratante="", objeto="Lo que ya escribí", buscar_rfc="Buscar RFC")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Hay un problema" not in html
    assert f"Se llenaron los datos guardados del contratante Cliente Núñez, S.A. (RFC {RFC_CLIENTE})." in html
    assert f'value="{RFC_CLIENTE}"' in html  # normalised
    assert 'value="Cliente Núñez, S.A."' in html and 'value="compras@cliente.example"' in html
    assert 'value="5511112222"' in html and "Lo que ya escribí</textarea>" in html  # the rest is kept
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["informativa"]) == 1
    # An RFC nobody saved: the form says so; a malformed one is an error (422).
    r = _agregar(client, mundo, rfc_contratante=rfc_valido("OTR", "060606", "G7"), buscar_rfc="Buscar RFC")
    assert r.status_code == 200 and "No hay datos guardados del RFC" in r.get_data(as_text=True)
    r = _agregar(client, mundo, rfc_contratante="XX", buscar_rfc="Buscar RFC")
    assert r.status_code == 422 and "El RFC debe tener 12 caracteres" in r.get_data(as_text=True)
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["informativa"]) == 1


def test_buscar_rfc_con_htmx_responde_solo_el_contratante(client, app, mundo):
    r = _agregar(client, mundo, rfc_contratante=RFC_CLIENTE, nombre_contratante="", headers=_hx("datos-contratante"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith('<fieldset class="contratante" id="datos-contratante"')
    assert "<form" not in html and "<!doctype" not in html
    assert (f'data-anunciar="Se llenaron los datos guardados del contratante Cliente Núñez, S.A. '
            f'(RFC {RFC_CLIENTE})."') in html
    assert 'value="Cliente Núñez, S.A."' in html
    r = _agregar(client, mundo, rfc_contratante="XX", headers=_hx("datos-contratante"))
    assert r.status_code == 422 and 'data-anunciar="Error: El RFC debe tener 12 caracteres' in r.get_data(as_text=True)
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["informativa"]) == 1


def test_el_contratante_se_recuerda_por_contratista(client, app, mundo):
    # B remembers RFC_NUEVO; A never used it: nothing of B's shows up for A.
    r = _agregar(client, mundo, rfc_contratante=RFC_NUEVO, headers=_hx("datos-contratante"))
    html = r.get_data(as_text=True)
    assert "No hay datos guardados del RFC" in html and "Secreto de Beta" not in html


def test_una_informativa_sin_informacion_no_lleva_contratos(client, app, mundo):
    with app.app_context():
        db.session.get(Informativa, mundo["otra"]).tipo = Informativa.SIN_INFORMACION
        db.session.delete(db.session.get(Contrato, mundo["de_otra"]))
        db.session.commit()
    ver = f"{BASE}/{mundo['otra']}"
    html = client.get(ver).get_data(as_text=True)
    mensaje = "Una informativa «Sin información» no lleva contratos: cambia su tipo a Normal para agregar uno."
    assert mensaje in html and "Agregar contrato</a>" not in html
    r = client.get(f"{ver}/contratos/nuevo")
    assert r.status_code == 409 and mensaje in r.get_data(as_text=True)
    r = client.post(f"{ver}/contratos/nuevo", data={"csrf_token": csrf_de(client.get(ver)), **FORMULARIO})
    assert r.status_code == 409 and mensaje in r.get_data(as_text=True)
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["otra"]) == 0


# --- Editar ---------------------------------------------------------------------------------------------------------

def test_editar_sin_js(client, app, mundo):
    url = _url_contrato(mundo, "editar")
    pagina = client.get(url)
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200 and "<h1>Editar Contrato 1" in html
    datos = _formulario_editar(html)
    prefijo = f"contrato{mundo['contrato']}-"
    assert datos[prefijo + "rfc_contratante"] == RFC_CLIENTE and datos[prefijo + "version"] == "1"
    assert datos[prefijo + "objeto"] == "Limpieza de oficinas"
    datos[prefijo + "objeto"] = "Limpieza de oficinas y bodegas"
    datos[prefijo + "fecha_fin"] = "2026-12-31"
    r = client.post(url, data=datos)
    assert r.status_code == 303 and r.headers["Location"] == _ver(mundo)
    assert f"Se guardaron los cambios del Contrato 1 ({RFC_CLIENTE})." in client.get(_ver(mundo)).get_data(as_text=True)
    contrato = _contrato_bd(app, mundo["contrato"])
    assert (contrato.objeto, contrato.fecha_fin, contrato.version) == ("Limpieza de oficinas y bodegas",
                                                                      date(2026, 12, 31), 2)
    assert _bitacora(app, mundo["informativa"])[-1] == "contrato_edicion"
    # The same form again: no change is no change (no bitácora row), but an old version is a conflict.
    datos[prefijo + "version"] = "2"
    assert client.post(url, data=datos).status_code == 303
    assert "No hubo cambios en el Contrato 1" in client.get(_ver(mundo)).get_data(as_text=True)
    assert _bitacora(app, mundo["informativa"]).count("contrato_edicion") == 1
    assert _contrato_bd(app, mundo["contrato"]).version == 2


def test_editar_vuelve_a_la_pagina_de_la_grid_y_a_ninguna_otra(client, app, mundo):
    volver = f"{_ver(mundo)}?q=cliente"
    url = _url_contrato(mundo, "editar")
    html = client.get(url, query_string={"volver": volver}).get_data(as_text=True)
    datos = _formulario_editar(html)
    assert datos["volver"] == volver
    assert client.post(url, data=datos).headers["Location"] == volver
    for ajeno in ("https://otro.example/", f"{BASE}/{mundo['otra']}", "//otro.example", "/capturista/"):
        datos = _formulario_editar(client.get(url).get_data(as_text=True)) | {"volver": ajeno}
        assert client.post(url, data=datos).headers["Location"] == _ver(mundo)


def test_editar_en_la_fila_con_htmx(client, app, mundo):
    objetivo = f"contrato-{mundo['contrato']}"
    prefijo = f"contrato{mundo['contrato']}-"
    r = client.get(_url_contrato(mundo, "editar"), headers=_hx(objetivo))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="{objetivo}"')
    assert re.search(rf'<input[^>]*data-enfocar[^>]*id="{prefijo}rfc_contratante"', html)  # first field focused
    assert f'hx-post="{_url_contrato(mundo, "editar")}"' in html
    assert f'hx-get="{_url_contrato(mundo, "fila")}">Cancelar</a>' in html
    datos = _formulario_editar(html) | {prefijo + "nombre_contratante": "Cliente Núñez y Asociados, S.A."}
    r = client.post(_url_contrato(mundo, "editar"), data=datos, headers=_hx(objetivo))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="{objetivo}"')
    assert "Se guardaron los cambios del Contrato 1" in html and "data-enfocar" in html
    assert "Cliente Núñez y Asociados, S.A." in html
    # Out of band: the checklist and the Tipo form with the informativa's new version.
    with app.app_context():
        version = db.session.get(Informativa, mundo["informativa"]).version
    assert '<div id="estado-informativa" hx-swap-oob="true">' in html
    assert f'id="version" name="version" type="hidden" value="{version}"' in html
    # That version changes the Tipo without a conflict.
    r = client.post(f"{_ver(mundo)}/tipo", data={"csrf_token": csrf_de(r), "version": version,
                                                 "tipo": "normal"}, follow_redirects=True)
    assert "Otra persona" not in r.get_data(as_text=True)


def test_editar_en_la_fila_con_errores(client, app, mundo):
    objetivo = f"contrato-{mundo['contrato']}"
    prefijo = f"contrato{mundo['contrato']}-"
    datos = _formulario_editar(client.get(_url_contrato(mundo, "editar"), headers=_hx(objetivo)).get_data(as_text=True))
    datos |= {prefijo + "fecha_inicio": "2026-09-01", prefijo + "telefono_contratante": "123"}
    r = client.post(_url_contrato(mundo, "editar"), data=datos, headers=_hx(objetivo))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and html.lstrip().startswith(f'<tbody id="{objetivo}"')
    assert "Hay un problema" in html and "La fecha de inicio debe estar dentro del segundo cuatrimestre" in html
    assert "El teléfono debe tener 10 dígitos" in html and f'href="#{prefijo}fecha_inicio"' in html
    assert _contrato_bd(app, mundo["contrato"]).version == 1


def test_la_fila_sola(client, mundo):
    r = client.get(_url_contrato(mundo, "fila"))
    assert r.status_code == 302 and r.headers["Location"] == _ver(mundo)  # without htmx: the grid
    r = client.get(_url_contrato(mundo, "fila"), headers=_hx(f"contrato-{mundo['contrato']}"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="contrato-{mundo["contrato"]}"')
    assert "fila-detalle" not in html


# --- Eliminar -------------------------------------------------------------------------------------------------------

def test_eliminar_sin_js_con_confirmacion(client, app, mundo):
    pagina = client.get(_url_contrato(mundo, "eliminar"))
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200 and "<h1>Mensaje de confirmación</h1>" in html
    assert "¿Deseas eliminar el contrato 1? También se eliminarán sus 2 trabajadores." in html
    assert 'name="version" value="1"' in html
    r = client.post(_url_contrato(mundo, "eliminar"), data={"csrf_token": csrf_de(pagina), "version": "1"})
    assert r.status_code == 303 and r.headers["Location"] == _ver(mundo)
    html = client.get(_ver(mundo)).get_data(as_text=True)
    assert f"Se eliminó el Contrato 1 ({RFC_CLIENTE}) con sus 2 trabajadores." in html
    assert "La informativa aún no tiene contratos." in html
    assert _contar(app, Contrato, Contrato.id == mundo["contrato"]) == 0
    assert _contar(app, Trabajador, Trabajador.contrato_id == mundo["contrato"]) == 0
    assert _bitacora(app, mundo["informativa"])[-1] == "contrato_baja"


def test_eliminar_en_la_fila_con_htmx(client, app, mundo):
    objetivo = f"contrato-{mundo['contrato']}"
    r = client.get(_url_contrato(mundo, "eliminar"), headers=_hx(objetivo))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="{objetivo}"')
    assert 'role="group" aria-labelledby="pregunta-contrato-' in html and "data-escape" in html
    assert f'hx-post="{_url_contrato(mundo, "eliminar")}"' in html
    r = client.post(_url_contrato(mundo, "eliminar"), data={"csrf_token": csrf_de(client.get(_ver(mundo))),
                                                             "version": "1", "volver": _ver(mundo) + "?q=cli"},
                    headers=_hx(objetivo))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="{objetivo}"')
    assert "Se eliminó el Contrato 1" in html and "data-enfocar" in html
    # Its Aceptar brings the grid back (the row is gone); the checklist comes out of band.
    assert f'hx-get="{_ver(mundo)}?q=cli" hx-target="#grid-contratos"' in html
    assert '<div id="estado-informativa" hx-swap-oob="true">' in html
    assert _contar(app, Contrato, Contrato.id == mundo["contrato"]) == 0


# --- versions: two capturistas, one contract --------------------------------------------------------------------------

@pytest.fixture
def otro_cliente(app, mundo):
    otro = app.test_client()
    iniciar_sesion_capturista(otro)
    elegir_contratista(otro, mundo["a"])
    return otro


@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_editar_sobre_una_version_vieja_es_conflicto(client, app, mundo, otro_cliente, con_htmx):
    prefijo = f"contrato{mundo['contrato']}-"
    headers = _hx(f"contrato-{mundo['contrato']}") if con_htmx else {}
    mio = _formulario_editar(client.get(_url_contrato(mundo, "editar")).get_data(as_text=True))
    suyo = _formulario_editar(otro_cliente.get(_url_contrato(mundo, "editar")).get_data(as_text=True))
    suyo[prefijo + "objeto"] = "Lo que guardó la otra persona"
    assert otro_cliente.post(_url_contrato(mundo, "editar"), data=suyo).status_code == 303
    mio[prefijo + "objeto"] = "Lo que yo quería guardar"
    r = client.post(_url_contrato(mundo, "editar"), data=mio, headers=headers)
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Otra persona modificó este contrato mientras lo editabas." in html
    assert "tus cambios no se guardaron" in html
    if con_htmx:
        assert html.lstrip().startswith(f'<tbody id="contrato-{mundo["contrato"]}"')
        assert "Volver a cargar</a>" in html and "Lo que guardó la otra persona" in html  # the row as it is now
    else:
        assert f'<a class="boton" href="{_ver(mundo)}">Volver a cargar la informativa</a>' in html
    assert _contrato_bd(app, mundo["contrato"]).objeto == "Lo que guardó la otra persona"
    assert _bitacora(app, mundo["informativa"]).count("contrato_edicion") == 1


def test_eliminar_sobre_una_version_vieja_es_conflicto(client, app, mundo, otro_cliente):
    prefijo = f"contrato{mundo['contrato']}-"
    confirmacion = client.get(_url_contrato(mundo, "eliminar"))
    suyo = _formulario_editar(otro_cliente.get(_url_contrato(mundo, "editar")).get_data(as_text=True))
    suyo[prefijo + "objeto"] = "Cambiado mientras tanto"
    assert otro_cliente.post(_url_contrato(mundo, "editar"), data=suyo).status_code == 303
    r = client.post(_url_contrato(mundo, "eliminar"), data={"csrf_token": csrf_de(confirmacion), "version": "1"})
    assert r.status_code == 409 and "Otra persona modificó este contrato" in r.get_data(as_text=True)
    # A form without its version (made by hand) is refused the same way.
    r = client.post(_url_contrato(mundo, "eliminar"), data={"csrf_token": csrf_de(confirmacion)})
    assert r.status_code == 409
    assert _contar(app, Contrato, Contrato.id == mundo["contrato"]) == 1


# --- a sent informativa is read-only --------------------------------------------------------------------------------

def test_una_informativa_enviada_es_de_solo_lectura(client, app, mundo):
    token = csrf_de(client.get(_ver(mundo)))
    editar = _formulario_editar(client.get(_url_contrato(mundo, "editar")).get_data(as_text=True))
    with app.app_context():
        db.session.get(Informativa, mundo["informativa"]).estado = Informativa.ENVIADA
        db.session.commit()
    html = client.get(_ver(mundo)).get_data(as_text=True)
    mensaje = "La informativa está «Enviada a firma»: ya no se puede modificar."
    assert mensaje in html and "Sus contratos se muestran solo para consulta." in html
    assert "Agregar contrato</a>" not in html and ">Editar<" not in html and ">Eliminar<" not in html
    assert "Trabajadores<span" in html  # the contracts can still be read
    objetivo = f"contrato-{mundo['contrato']}"
    for metodo, url, datos, headers in [
            ("get", f"{_ver(mundo)}/contratos/nuevo", None, {}),
            ("post", f"{_ver(mundo)}/contratos/nuevo", {"csrf_token": token, **FORMULARIO}, {}),
            ("get", _url_contrato(mundo, "editar"), None, {}),
            ("get", _url_contrato(mundo, "editar"), None, _hx(objetivo)),
            ("post", _url_contrato(mundo, "editar"), editar, {}),
            ("post", _url_contrato(mundo, "editar"), editar, _hx(objetivo)),
            ("get", _url_contrato(mundo, "eliminar"), None, {}),
            ("post", _url_contrato(mundo, "eliminar"), {"csrf_token": token, "version": "1"}, {}),
            ("post", _url_contrato(mundo, "eliminar"), {"csrf_token": token, "version": "1"}, _hx(objetivo))]:
        r = getattr(client, metodo)(url, data=datos, headers=headers)
        assert r.status_code == 409, (metodo, url, headers)
        if metodo == "post" and headers:
            # A write refused before the view (blueprints/captura/acceso.py): htmx goes to the informativa's
            # page as it is now, where the message waits.
            assert r.headers["HX-Redirect"] == _ver(mundo), (metodo, url)
            assert mensaje in client.get(r.headers["HX-Redirect"]).get_data(as_text=True)
            continue
        assert mensaje in r.get_data(as_text=True), (metodo, url)
        if headers:  # the row, without its actions, says why
            html = r.get_data(as_text=True)
            assert html.lstrip().startswith(f'<tbody id="{objetivo}"') and ">Editar<" not in html
    assert _contrato_bd(app, mundo["contrato"]).version == 1
    assert _contar(app, Contrato, Contrato.informativa_id == mundo["informativa"]) == 1


# --- nothing of another contractor, nothing of another informativa --------------------------------------------------

RUTAS = [("get", "{i}/contratos/nuevo"), ("post", "{i}/contratos/nuevo"), ("get", "{i}/contratos/{c}/fila"),
         ("get", "{i}/contratos/{c}/editar"), ("post", "{i}/contratos/{c}/editar"),
         ("get", "{i}/contratos/{c}/eliminar"), ("post", "{i}/contratos/{c}/eliminar")]


@pytest.mark.parametrize("metodo, ruta", RUTAS)
@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_lo_de_otro_contratista_o_de_otra_informativa_es_404(client, app, mundo, metodo, ruta, con_htmx):
    token = csrf_de(client.get(_ver(mundo)))

    def pedir(informativa, contrato):
        url = f"{BASE}/" + ruta.format(i=informativa, c=contrato)
        headers = _hx(f"contrato-{contrato}") if con_htmx else {}
        datos = {"csrf_token": token, "version": "1", **FORMULARIO} if metodo == "post" else None
        return getattr(client, metodo)(url, data=datos, headers=headers)

    # A's contract under A's other informativa, and B's contract under A's informativa.
    if "{c}" in ruta:
        assert pedir(mundo["informativa"], mundo["de_otra"]).status_code == 404
        assert pedir(mundo["informativa"], mundo["de_b"]).status_code == 404
        assert pedir(mundo["informativa"], 2**31 - 1).status_code == 404
    # Working for B, A's informativa does not exist; working for A, B's does not either.
    elegir_contratista(client, mundo["b"])
    token = csrf_de(client.get(f"{BASE}/{mundo['ajena']}"))
    r = pedir(mundo["informativa"], mundo["contrato"])
    assert r.status_code == 404 and "Cliente Núñez" not in r.get_data(as_text=True)
    elegir_contratista(client, mundo["a"])
    token = csrf_de(client.get(_ver(mundo)))
    r = pedir(mundo["ajena"], mundo["de_b"])
    assert r.status_code == 404 and "Secreto de Beta" not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contrato)) == 3
        assert db.session.get(Contrato, mundo["de_b"]).version == 1
