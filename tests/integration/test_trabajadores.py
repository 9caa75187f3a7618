"""The workers of a contract (capturista side, issue 14): the grid (search, keyset pages, caption),
Agregar trabajador (CURP + Validar shows the padrón's name; NSS, SBC + Guardar), Editar and Eliminar in
place; every route with JavaScript (htmx fragments) and without (plain forms, POST → 303 → the grid as
it was); validation messages, duplicates, a stale version, another contractor's or contract's ids (404),
a sent informativa (read-only), the padrón down, and the allowances of padrón lookups."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Bitacora, Informativa, Trabajador, ValidacionCurp
from models.types import ahora_utc
from services import informativas as srv
from services.padron import PersonaEncontrada
from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion_capturista, puerto_libre
from tests.factories import cargar_padron, crear_capturista_activo, crear_contratista, rfc_valido

ACTOR = "prueba"
NSS_VALIDO = "92919084431"
NSS_VALIDO_2 = "84966311213"


def _contrato(informativa, rfc_cliente: str) -> int:
    return srv.agregar_contrato(informativa, srv.DatosContrato(
        rfc_contratante=rfc_cliente, nombre_contratante="Cliente, S.A.", correo_contratante="c@cliente.example",
        telefono_contratante="5512341234", objeto="Limpieza de oficinas", servicio="AR1/2024 Limpieza",
        fecha_inicio=date(2026, 6, 1), fecha_fin=None), ACTOR).id


def _trabajador(informativa, contrato_id: int, i: int, nombre: str, apellido: str, sbc="315.04") -> int:
    contrato = db.session.get(srv.Contrato, contrato_id)
    trabajador = srv.agregar_trabajador(informativa, contrato, completar(f"12345{i:05d}"),
                                        PersonaEncontrada(f"PEGL85{i:04d}HJCRRS07"[:18], nombre, apellido, "GARCÍA"),
                                        Decimal(sbc), ACTOR)
    db.session.flush()
    return trabajador.id


@pytest.fixture
def datos(app, client):
    """maria.lopez working for A (chosen), also for B. A's draft informativa (2026-2) has contract 1 with
    three workers and an empty contract 2; B has its own informativa, contract and worker. The padrón
    holds 12 people (none of them in a contract yet)."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Trabajadores, S.A.")
        b = crear_contratista(razon_social="Beta Trabajadores, S.A.")
        crear_capturista_activo(a, b)
        personas = cargar_padron(12)
        inf_a = srv.crear(a.id, Periodo(2026, 2), "normal", ACTOR, ahora_utc())
        c1 = _contrato(inf_a, rfc_valido("CLI", "030303", "D4"))
        c2 = _contrato(inf_a, rfc_valido("OTR", "040404", "E5"))
        t = [_trabajador(inf_a, c1, i, n, ap, sbc) for i, (n, ap, sbc) in enumerate(
            [("JOSÉ", "ZAPATA", "1234.5"), ("MARÍA", "ÁLVAREZ", "315.04"), ("ANA", "MÉNDEZ", "500")])]
        inf_b = srv.crear(b.id, Periodo(2026, 2), "normal", ACTOR, ahora_utc())
        c_b = _contrato(inf_b, rfc_valido("CLB", "050505", "F6"))
        t_b = _trabajador(inf_b, c_b, 9, "BEATRIZ", "SECRETA")
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "inf": inf_a.id, "c1": c1, "c2": c2, "t": t, "inf_b": inf_b.id, "c_b": c_b,
               "t_b": t_b, "personas": personas}
    iniciar_sesion_capturista(client)
    elegir_contratista(client, ids["a"])
    ids["url"] = f"/capturista/informativas/{ids['inf']}/contratos/{c1}"
    ids["url2"] = f"/capturista/informativas/{ids['inf']}/contratos/{c2}"
    return ids


def hx(objetivo: str, actual: str | None = None) -> dict:
    encabezados = {"HX-Request": "true", "HX-Target": objetivo}
    if actual:
        encabezados["HX-Current-URL"] = "http://localhost" + actual
    return encabezados


def _fila(tid: int) -> dict:
    return hx(f"trabajador-{tid}")


def _token(client, url: str) -> str:
    return csrf_de(client.get(url))


def validar(client, url: str, curp: str, *, js: bool = True, consulta: str = ""):
    """Validar as the page sends it: htmx to /trabajadores/validar, or the plain form to the page itself."""
    token = _token(client, url + consulta)
    if js:
        return client.post(url + "/trabajadores/validar", data={"csrf_token": token, "curp": curp},
                           headers=hx("agregar-trabajador", url + consulta))
    return client.post(url + consulta, data={"csrf_token": token, "curp": curp, "validar": "Validar"})


def guardar(client, url: str, curp: str, nss: str, sbc: str, *, js: bool = True, consulta: str = ""):
    token = _token(client, url + consulta)
    datos = {"csrf_token": token, "curp": curp, "nss": nss, "sbc": sbc, "guardar": "Guardar"}
    if js:
        return client.post(url, data=datos, headers=hx("trabajadores", url + consulta))
    return client.post(url + consulta, data=datos)


def _trabajadores(app, contrato_id: int) -> list[tuple]:
    with app.app_context():
        return [tuple(f) for f in db.session.execute(
            select(Trabajador.nss, Trabajador.curp, Trabajador.nombre, Trabajador.sbc)
            .where(Trabajador.contrato_id == contrato_id).order_by(Trabajador.id))]


def _version(app, tid: int) -> int:
    with app.app_context():
        return db.session.get(Trabajador, tid).version


def _texto(r) -> str:
    return unescape(r.get_data(as_text=True))


def _nombres(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-etiqueta="Nombre">([^<]+)</th>', html)


# --- the grid -----------------------------------------------------------------------------------------


def test_grid_con_sus_columnas_y_acciones(client, datos):
    r = client.get(datos["url"])
    html = _texto(r)
    assert r.status_code == 200 and "<!doctype html>" in html
    assert _nombres(html) == ["MARÍA ÁLVAREZ GARCÍA", "ANA MÉNDEZ GARCÍA", "JOSÉ ZAPATA GARCÍA"]
    assert "$1,234.50" in html and "$315.04" in html and "$500.00" in html
    assert "Trabajadores del contrato: <span class=\"leyenda-resumen\">3 trabajadores, ordenados por nombre." in html
    for t in datos["t"]:
        assert f'id="editar-{t}"' in html and f'id="eliminar-{t}"' in html
    assert "BEATRIZ" not in html  # B's worker
    assert '<h2 id="agregar-titulo">Agregar trabajador</h2>' in html
    assert "{% block carga_masiva %}" not in html  # the reserved spot renders nothing
    vacio = _texto(client.get(datos["url2"]))
    assert "Este contrato aún no tiene trabajadores." in vacio


@pytest.mark.parametrize("termino, esperados", [
    ("alvarez", ["MARÍA ÁLVAREZ GARCÍA"]),             # without accent, any case
    ("MÉNDEZ", ["ANA MÉNDEZ GARCÍA"]),
    ("pegl850002", ["ANA MÉNDEZ GARCÍA"]),             # part of a CURP
    (completar("1234500000"), ["JOSÉ ZAPATA GARCÍA"]),  # an NSS
    ("garcia", ["MARÍA ÁLVAREZ GARCÍA", "ANA MÉNDEZ GARCÍA", "JOSÉ ZAPATA GARCÍA"]),
    ("nadie", []),
    ("%", []), ("_", []),                             # LIKE's wildcards are plain characters
])
def test_busqueda(client, datos, termino, esperados):
    r = client.get(datos["url"], query_string={"q": termino}, headers=hx("grid-trabajadores"))
    html = _texto(r)
    assert r.status_code == 200 and "<!doctype html>" not in html and 'id="grid-trabajadores"' in html
    assert "Vary" in r.headers and "HX-Target" in r.headers["Vary"]
    assert '<caption tabindex="-1" data-anunciar="' in html  # said after a search
    assert _nombres(html) == esperados
    if not esperados:
        assert "Ningún trabajador coincide con la búsqueda." in html
    elif len(esperados) == 1:
        assert "1 trabajador que coincide con la búsqueda, ordenado por nombre." in html
    # Without JS the same search is the whole page, the box keeps the term.
    pagina = _texto(client.get(datos["url"], query_string={"q": termino}))
    assert _nombres(pagina) == esperados and f'value="{termino}"' in pagina


def test_paginas_por_nombre_y_su_leyenda(client, app, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_trabajadores.__kwdefaults__, "tamano", 2)
    with app.app_context():
        informativa = db.session.get(Informativa, datos["inf"])
        for i, apellido in enumerate(["BRAVO", "CRUZ", "DÍAZ", "ESTRADA"], start=20):
            _trabajador(informativa, datos["c1"], i, "LUIS", apellido)
        db.session.commit()
    # 7 workers by name: ÁLVAREZ, BRAVO | CRUZ, DÍAZ | ESTRADA, MÉNDEZ | ZAPATA
    html = _texto(client.get(datos["url"]))
    assert _nombres(html) == ["MARÍA ÁLVAREZ GARCÍA", "LUIS BRAVO GARCÍA"]
    assert "Página 1: 2 trabajadores de 7, ordenados por nombre." in html
    assert "Primera página" not in html and 'rel="prev"' not in html
    siguiente = unescape(re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', html).group(1))
    assert "p=2" in siguiente
    r = client.get(siguiente, headers=hx("grid-trabajadores"))
    html = _texto(r)
    assert _nombres(html) == ["LUIS CRUZ GARCÍA", "LUIS DÍAZ GARCÍA"]
    assert "Página 2: 2 trabajadores de 7" in html and 'hx-push-url="true"' in html
    for _ in range(2):
        siguiente = unescape(re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', html).group(1))
        html = _texto(client.get(siguiente))
    assert _nombres(html) == ["JOSÉ ZAPATA GARCÍA"] and "Página 4: 1 trabajador de 7" in html
    assert 'rel="next"' not in html
    anterior = unescape(re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="prev"', html).group(1))
    html = _texto(client.get(anterior))
    assert _nombres(html) == ["LUIS ESTRADA GARCÍA", "ANA MÉNDEZ GARCÍA"] and "Página 3:" in html
    # A search pages too, and the count has a cap ("más de").
    monkeypatch.setattr(srv, "TOPE_CONTEO_TRABAJADORES", 3)
    html = _texto(client.get(datos["url"], query_string={"q": "luis"}))
    assert "Página 1: 2 trabajadores de más de 3 que coinciden con la búsqueda" in html
    # A made-up cursor is the first page, never an error.
    assert _nombres(_texto(client.get(datos["url"], query_string={"despues": "basura", "p": "-4"})))[0] \
        == "MARÍA ÁLVAREZ GARCÍA"


# --- Agregar trabajador --------------------------------------------------------------------------------


def test_validar_con_js_muestra_el_nombre_y_lleva_al_nss(client, app, datos):
    p = datos["personas"][0]
    r = validar(client, datos["url"], p.curp.lower())
    html = _texto(r)
    assert r.status_code == 200 and "<!doctype html>" not in html
    assert html.lstrip().startswith('<div id="agregar-trabajador">') and 'id="grid-trabajadores"' not in html
    assert f"<dd>{p.primer_apellido}</dd>" in html and f'value="{p.curp}"' in html
    nombre = " ".join(x for x in (p.nombre, p.primer_apellido, p.segundo_apellido) if x)
    assert f'data-anunciar="CURP validada: {nombre}. Captura su NSS y su salario base de cotización."' in html
    assert re.search(r'<input[^>]*data-enfocar[^>]*id="nss"|<input[^>]*id="nss"[^>]*data-enfocar', html)
    assert 'hx-post="' + datos["url"] + '" hx-target="#trabajadores"' in html
    assert _trabajadores(app, datos["c1"])[3:] == []  # nothing saved yet


def test_validar_sin_js_es_la_pagina_con_el_nombre_y_el_grid_como_estaba(client, datos):
    p = datos["personas"][1]
    r = validar(client, datos["url"], p.curp, js=False, consulta="?q=mendez")
    html = _texto(r)
    assert r.status_code == 200 and "<!doctype html>" in html
    assert f"<dd>{p.primer_apellido}</dd>" in html
    assert _nombres(html) == ["ANA MÉNDEZ GARCÍA"] and 'value="mendez"' in html
    # Both forms post back to this page with the grid's query.
    assert html.count(f'action="{datos["url"]}?q=mendez"') == 2


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_guardar_agrega_al_trabajador(client, app, datos, js):
    p = datos["personas"][2]
    r = guardar(client, datos["url"], p.curp, "9291-9084-431", "$12,345.6", js=js, consulta="?q=garcia")
    nuevo = _trabajadores(app, datos["c1"])[-1]
    assert nuevo == (NSS_VALIDO, p.curp, p.nombre, Decimal("12345.60"))
    nombre = " ".join(x for x in (p.nombre, p.primer_apellido, p.segundo_apellido) if x)
    mensaje = f"Se agregó a {nombre} (NSS {NSS_VALIDO}) a este contrato."
    if js:
        html = _texto(r)
        assert r.status_code == 200 and html.lstrip().startswith('<div id="trabajadores">')
        # The new row first, with its message (where the focus goes); the add form is empty again.
        filas = re.findall(r'<tbody id="trabajador-(\d+)"', html)
        assert len(filas) == 4 and _nombres(html)[0] == nombre
        assert re.search(r'role="status" tabindex="-1" data-enfocar>\s*<p>' + re.escape(mensaje), html)
        assert re.search(r'<input [^>]*id="curp" [^>]*value=""', html)
        assert "data-anunciar" not in html  # the focused message speaks; the caption stays quiet
        assert 'id="nss"' not in html
    else:
        assert r.status_code == 303
        destino = urlsplit(r.headers["Location"])
        assert destino.path == datos["url"] and parse_qs(destino.query) == {"q": ["garcia"]}
        html = _texto(client.get(r.headers["Location"]))
        assert mensaje in html and nombre not in _nombres(html)  # the grid as it was: "garcia"
        assert nombre in _nombres(_texto(client.get(datos["url"])))
    with app.app_context():
        assert "trabajador_alta" in db.session.scalars(select(Bitacora.accion)).all()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
@pytest.mark.parametrize("curp, mensaje", [
    ("", "Captura la CURP del trabajador."),
    ("XXXX", "La CURP debe tener 18 caracteres"),
    ("HEGG561327MVZRRL04", "no existe: 27/13/1956"),
    ("PEGL850304HJCRRS08", "El dígito verificador de la CURP no es válido"),
])
def test_validar_curp_mal_formada(client, app, datos, js, curp, mensaje):
    r = validar(client, datos["url"], curp, js=js)
    html = _texto(r)
    assert r.status_code == 422 and "Hay un problema" in html and mensaje in html
    assert 'id="nss"' not in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ValidacionCurp.id))) == 0  # the padrón was not asked


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_curp_que_no_esta_en_el_padron(client, app, datos, js):
    from domain.padron_ficticio import generar_personas

    fuera = next(iter(generar_personas(1, 99))).curp
    r = validar(client, datos["url"], fuera, js=js)
    assert r.status_code == 422 and "no se encontró en el padrón de población" in _texto(r)
    r = guardar(client, datos["url"], fuera, NSS_VALIDO, "315.04", js=js)  # a hand-made Guardar
    assert r.status_code == 422 and "no se encontró en el padrón de población" in _texto(r)
    assert len(_trabajadores(app, datos["c1"])) == 3


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
@pytest.mark.parametrize("nss, sbc, campo, mensaje", [
    ("", "315.04", "nss", "Captura el NSS del trabajador."),
    ("9291908443", "315.04", "nss", "El NSS debe tener 11 dígitos; capturaste 10."),
    ("9291908443A", "315.04", "nss", "El NSS solo puede contener números"),
    ("84966311215", "315.04", "nss", "su dígito verificador no corresponde"),
    (NSS_VALIDO, "0", "sbc", "debe ser mayor que cero"),
    (NSS_VALIDO, "-5", "sbc", "debe ser mayor que cero"),
    (NSS_VALIDO, "315.041", "sbc", "lleva a lo más dos decimales"),
    (NSS_VALIDO, "mil pesos", "sbc", "debe ser un número, como 315.04"),
    (NSS_VALIDO, "", "sbc", "Captura el salario base de cotización."),
])
def test_guardar_con_datos_malos(client, app, datos, js, nss, sbc, campo, mensaje):
    p = datos["personas"][3]
    r = guardar(client, datos["url"], p.curp, nss, sbc, js=js)
    html = _texto(r)
    assert r.status_code == 422 and "Hay un problema" in html and mensaje in html
    assert f'<a href="#{campo}">' in html and f'<dd>{p.primer_apellido}</dd>' in html  # the name stays
    assert re.search(rf'aria-invalid="true"[^>]*id="{campo}"|id="{campo}"[^>]*aria-invalid="true"', html)
    assert len(_trabajadores(app, datos["c1"])) == 3
    if js:
        assert 'id="grid-trabajadores"' in html and "<!doctype html>" not in html


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_repetidos_en_el_contrato(client, app, datos, js):
    p, q = datos["personas"][4], datos["personas"][5]
    assert guardar(client, datos["url"], p.curp, NSS_VALIDO, "315.04", js=js).status_code in (200, 303)
    # The same CURP again: said at Validar, on the CURP.
    r = validar(client, datos["url"], p.curp, js=js)
    assert r.status_code == 409 and f"La CURP {p.curp} ya está en este contrato." in _texto(r)
    # Another person with an NSS already in the contract: on the NSS field, nothing saved.
    r = guardar(client, datos["url"], q.curp, NSS_VALIDO, "400", js=js)
    html = _texto(r)
    assert r.status_code == 409 and f"El NSS {NSS_VALIDO} ya está en este contrato." in html
    assert '<a href="#nss">' in html
    assert len(_trabajadores(app, datos["c1"])) == 4
    # The same person may be in another contract of the informativa (there, the first one).
    r = guardar(client, datos["url2"], p.curp, NSS_VALIDO, "315.04", js=js)
    assert r.status_code in (200, 303) and len(_trabajadores(app, datos["c2"])) == 1
    html = _texto(r if js else client.get(r.headers["Location"]))
    assert "Trabajadores del contrato: <span class=\"leyenda-resumen\">1 trabajador, ordenado por nombre." in html
    assert len(re.findall(r'<tbody id="trabajador-', html)) == 1


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_padron_caido(client, app, datos, js):
    app.config.update(PADRON_FUENTE="http", PADRON_URL=f"http://127.0.0.1:{puerto_libre()}", PADRON_TIEMPO_LIMITE=0.5)
    p = datos["personas"][6]
    for r in (validar(client, datos["url"], p.curp, js=js),
              guardar(client, datos["url"], p.curp, NSS_VALIDO, "315.04", js=js)):
        html = _texto(r)
        assert r.status_code == 422
        assert "El servicio de validación de CURP no está disponible, intenta más tarde." in html
        assert 'id="nss"' not in html
    assert len(_trabajadores(app, datos["c1"])) == 3


# --- Editar ----------------------------------------------------------------------------------------------


def test_editar_con_js(client, app, datos):
    tid = datos["t"][1]  # MARÍA ÁLVAREZ
    base = f"{datos['url']}/trabajadores/{tid}"
    r = client.get(base + "/editar", headers=_fila(tid))
    html = _texto(r)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="trabajador-{tid}"')
    assert re.search(rf'<input[^>]*data-enfocar[^>]*id="nss-{tid}"', html)
    assert f'hx-post="{base}/editar"' in html and 'value="315.04"' in html
    assert f'hx-get="{base}"' in html  # Cancelar: the plain row back
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    version = _version(app, tid)
    r = client.post(base + "/editar", data={"csrf_token": token, "nss": NSS_VALIDO_2, "sbc": "999.9",
                                             "version": version, "volver": datos["url"]}, headers=_fila(tid))
    html = _texto(r)
    assert r.status_code == 200 and "Se actualizaron los datos de MARÍA ÁLVAREZ GARCÍA." in html
    assert NSS_VALIDO_2 in html and "$999.90" in html and "data-enfocar" in html
    assert _trabajadores(app, datos["c1"])[1][0::3] == (NSS_VALIDO_2, Decimal("999.90"))
    # The same values again: nothing changes, and it says so.
    r = client.post(base + "/editar", data={"csrf_token": token, "nss": NSS_VALIDO_2, "sbc": "999.90",
                                             "version": _version(app, tid)}, headers=_fila(tid))
    assert "No hubo cambios en los datos de MARÍA ÁLVAREZ GARCÍA." in _texto(r)
    # The plain row (Cancelar, Aceptar).
    r = client.get(base, headers=_fila(tid))
    assert r.status_code == 200 and "<form" not in _texto(r) and f'id="editar-{tid}"' in _texto(r)


def test_editar_sin_js_vuelve_al_grid_como_estaba(client, app, datos):
    tid = datos["t"][2]  # ANA MÉNDEZ
    volver = datos["url"] + "?q=mendez"
    grid = _texto(client.get(volver))
    enlace = unescape(re.search(rf'href="([^"]+)" id="editar-{tid}"', grid).group(1))
    assert parse_qs(urlsplit(enlace).query)["volver"] == [volver]
    pagina = client.get(enlace)
    html = _texto(pagina)
    assert pagina.status_code == 200 and "<h1>Editar trabajador</h1>" in html and "hx-post" not in html
    assert f'value="{volver}"' in html
    r = client.post(urlsplit(enlace).path, data={"csrf_token": csrf_de(pagina), "nss": NSS_VALIDO, "sbc": "501",
                                                 "version": _version(app, tid), "volver": volver})
    assert r.status_code == 303 and r.headers["Location"] == volver
    html = _texto(client.get(volver))
    assert "Se actualizaron los datos de ANA MÉNDEZ GARCÍA." in html and "$501.00" in html
    # A volver elsewhere is not followed.
    r = client.post(urlsplit(enlace).path, data={"csrf_token": csrf_de(pagina), "nss": NSS_VALIDO, "sbc": "502",
                                                 "version": _version(app, tid), "volver": "https://malo.example/"})
    assert r.headers["Location"] == datos["url"]
    r = client.post(urlsplit(enlace).path, data={"csrf_token": csrf_de(pagina), "nss": NSS_VALIDO, "sbc": "503",
                                                 "version": _version(app, tid), "volver": datos["url"] + "9"})
    assert r.headers["Location"] == datos["url"]


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_editar_con_errores_repetido_y_version_vieja(client, app, datos, js):
    tid, otro = datos["t"][0], datos["t"][1]
    url = f"{datos['url']}/trabajadores/{tid}/editar"
    encabezados = _fila(tid) if js else {}
    token = _token(client, url)
    version = _version(app, tid)
    antes = _trabajadores(app, datos["c1"])
    r = client.post(url, data={"csrf_token": token, "nss": "84966311215", "sbc": "1.001", "version": version},
                    headers=encabezados)
    html = _texto(r)
    assert r.status_code == 422 and "su dígito verificador no corresponde" in html and "dos decimales" in html
    assert f'<a href="#nss-{tid}">' in html and f'<a href="#sbc-{tid}">' in html
    # The NSS of another worker of the contract.
    nss_otro = _trabajadores(app, datos["c1"])[1][0]
    r = client.post(url, data={"csrf_token": token, "nss": nss_otro, "sbc": "10", "version": version},
                    headers=encabezados)
    assert r.status_code == 409 and f"El NSS {nss_otro} ya está en este contrato." in _texto(r)
    # Someone saved first: a 409 with a link to reload the current data; nothing changes.
    with app.app_context():
        informativa = srv.de_contratista(datos["a"], datos["inf"], bloquear=True)
        contrato = srv.contrato_de(informativa, datos["c1"])
        srv.editar_trabajador(informativa, contrato, srv.trabajador_de(contrato, tid), completar("1234500000"),
                              Decimal("77"), version, "otra.persona")
        db.session.commit()
    antes = _trabajadores(app, datos["c1"])
    r = client.post(url, data={"csrf_token": token, "nss": NSS_VALIDO, "sbc": "10", "version": version},
                    headers=encabezados)
    html = _texto(r)
    assert r.status_code == 409 and "Otra persona modificó este trabajador mientras lo editabas." in html
    assert re.search(rf'<a href="{re.escape(url)}"[^>]*>Volver a cargar los datos actuales</a>', html)
    assert _trabajadores(app, datos["c1"]) == antes and otro


# --- Eliminar ---------------------------------------------------------------------------------------------


def test_eliminar_con_js(client, app, datos):
    tid = datos["t"][0]
    base = f"{datos['url']}/trabajadores/{tid}"
    r = client.get(base + "/eliminar", headers=_fila(tid))
    html = _texto(r)
    assert r.status_code == 200 and "¿Deseas eliminar a este trabajador del contrato?" in html
    assert 'role="group"' in html and "data-enfocar" in html and "data-escape" in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post(base + "/eliminar", data={"csrf_token": token, "version": version, "volver": datos["url"]},
                    headers=_fila(tid))
    html = _texto(r)
    assert r.status_code == 200 and "Se eliminó a JOSÉ ZAPATA GARCÍA (NSS " in html
    assert "<th" not in html and f'hx-get="{datos["url"]}" hx-target="#grid-trabajadores"' in html
    assert len(_trabajadores(app, datos["c1"])) == 2
    assert client.get(base, headers=_fila(tid)).status_code == 404


def test_eliminar_sin_js_y_version_vieja(client, app, datos):
    tid = datos["t"][2]
    volver = datos["url"] + "?q=garcia"
    pagina = client.get(f"{datos['url']}/trabajadores/{tid}/eliminar", query_string={"volver": volver})
    html = _texto(pagina)
    assert pagina.status_code == 200 and "<h1>Mensaje de confirmación</h1>" in html
    assert "ANA MÉNDEZ GARCÍA" in html and "hx-post" not in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    datos_post = {"csrf_token": csrf_de(pagina), "version": int(version) - 1, "volver": volver}
    r = client.post(f"{datos['url']}/trabajadores/{tid}/eliminar", data=datos_post)
    assert r.status_code == 409 and "Otra persona modificó este trabajador" in _texto(r)
    r = client.post(f"{datos['url']}/trabajadores/{tid}/eliminar", data={**datos_post, "version": version})
    assert r.status_code == 303 and r.headers["Location"] == volver
    assert "Se eliminó a ANA MÉNDEZ GARCÍA" in _texto(client.get(volver))
    assert len(_trabajadores(app, datos["c1"])) == 2


def test_fila_sin_js_regresa_al_grid(client, datos):
    tid = datos["t"][0]
    r = client.get(f"{datos['url']}/trabajadores/{tid}", query_string={"volver": datos["url"] + "?q=x"})
    assert r.status_code == 302 and r.headers["Location"] == datos["url"] + "?q=x"


# --- access --------------------------------------------------------------------------------------------------


def _rutas(url: str, tid: int) -> list[tuple[str, str]]:
    fila = f"{url}/trabajadores/{tid}"
    return [("GET", url), ("POST", url), ("POST", url + "/trabajadores/validar"), ("GET", fila),
            ("GET", fila + "/editar"), ("POST", fila + "/editar"), ("GET", fila + "/eliminar"),
            ("POST", fila + "/eliminar")]


def test_ids_ajenos_son_404(client, app, datos):
    token = _token(client, datos["url"])
    ajenas = {
        "contrato de B": f"/capturista/informativas/{datos['inf_b']}/contratos/{datos['c_b']}",
        "contrato de B en la informativa de A": f"/capturista/informativas/{datos['inf']}/contratos/{datos['c_b']}",
        "contrato de A en la informativa de B": f"/capturista/informativas/{datos['inf_b']}/contratos/{datos['c1']}",
    }
    antes = (_trabajadores(app, datos["c1"]), _trabajadores(app, datos["c_b"]))
    for donde, url in ajenas.items():
        for metodo, ruta in _rutas(url, datos["t_b"] if "de B" in donde else datos["t"][0]):
            r = client.open(ruta, method=metodo, data={"csrf_token": token, "curp": datos["personas"][0].curp,
                                                       "nss": NSS_VALIDO, "sbc": "1", "version": 1})
            assert r.status_code == 404, (donde, metodo, ruta, r.status_code)
            assert "BEATRIZ" not in _texto(r)
    # A worker of another contract of the same informativa, through this contract.
    for metodo, ruta in _rutas(datos["url2"], datos["t"][0])[3:]:
        r = client.open(ruta, method=metodo, data={"csrf_token": token, "nss": NSS_VALIDO, "sbc": "1", "version": 1},
                        headers=_fila(datos["t"][0]))
        assert r.status_code == 404, (metodo, ruta)
    assert (_trabajadores(app, datos["c1"]), _trabajadores(app, datos["c_b"])) == antes


@pytest.mark.parametrize("estado", ["enviada", "presentada"])
def test_informativa_enviada_es_de_solo_lectura(client, app, datos, estado):
    with app.app_context():
        db.session.get(Informativa, datos["inf"]).estado = estado
        db.session.commit()
    html = _texto(client.get(datos["url"]))
    assert "sus trabajadores se pueden consultar, pero no agregar, editar ni eliminar" in html
    assert ("el contratista puede devolverla para corrección" in html) == (estado == "enviada")
    assert "Agregar trabajador" not in html and 'id="curp"' not in html and ">Acciones<" not in html
    assert "editar-" not in html and "eliminar-" not in html and len(_nombres(html)) == 3
    assert 'colspan="5"' not in html
    tid = datos["t"][0]
    fila = f"{datos['url']}/trabajadores/{tid}"
    token = _token(client, datos["url"])
    antes = _trabajadores(app, datos["c1"])
    for js in (True, False):
        for r in (validar(client, datos["url"], datos["personas"][0].curp, js=js),
                  guardar(client, datos["url"], datos["personas"][0].curp, NSS_VALIDO, "1", js=js),
                  client.get(fila + "/editar", headers=_fila(tid) if js else {}),
                  client.post(fila + "/editar", data={"csrf_token": token, "nss": NSS_VALIDO, "sbc": "1",
                                                      "version": _version(app, tid)}, headers=_fila(tid) if js else {}),
                  client.get(fila + "/eliminar", headers=_fila(tid) if js else {}),
                  client.post(fila + "/eliminar", data={"csrf_token": token, "version": _version(app, tid)},
                              headers=_fila(tid) if js else {})):
            assert r.status_code == 409, r.request.path
            if js and r.request.method == "POST":
                # Refused before the view (blueprints/captura/acceso.py): htmx goes to the informativa's page,
                # where the message waits.
                assert "ya no se puede modificar" in _texto(client.get(r.headers["HX-Redirect"]))
                continue
            assert "ya no se puede modificar" in _texto(r) or "pero no agregar" in _texto(r)
    assert _trabajadores(app, datos["c1"]) == antes
    with app.app_context():
        assert db.session.scalar(select(func.count(ValidacionCurp.id))) == 0  # the padrón was not asked


# --- allowances of padrón lookups --------------------------------------------------------------------------


def test_cupo_de_validaciones_de_trabajadores_propio_y_por_dia(client, app, datos):
    from tests.ayudantes import validar as validar_alta

    app.config["VALIDACIONES_TRABAJADORES_POR_DIA"] = 3
    app.config["VALIDACIONES_CURP_POR_HORA"] = 2
    personas = datos["personas"]
    inicio = ahora_utc()
    with time_machine.travel(inicio, tick=False):
        for p in personas[:3]:
            assert validar(client, datos["url"], p.curp).status_code == 200
        assert validar(client, datos["url"], personas[0].curp).status_code == 200  # the same CURP is free
        r = validar(client, datos["url"], personas[3].curp)
        html = _texto(r)
        assert r.status_code == 429
        assert "Se alcanzó el límite de 3 validaciones de CURP de trabajadores en 24 horas" in html
        assert personas[3].primer_apellido not in html
        # Guardar of a CURP validated within the window still works (its re-check is free).
        assert guardar(client, datos["url"], personas[1].curp, NSS_VALIDO, "315.04").status_code == 200
        # Alta de usuarios keeps its own allowance: the contractor validates a capturista.
        contratista = app.test_client()
        from tests.ayudantes import iniciar_sesion

        with app.app_context():
            rfc = db.session.get(srv.Contratista, datos["a"]).rfc
        iniciar_sesion(contratista, rfc)
        for p in personas[6:8]:
            assert validar_alta(contratista, p.curp).status_code == 200
        assert "límite de 2 validaciones de CURP por hora" in _texto(validar_alta(contratista, personas[8].curp))
    with app.app_context():
        tipos = dict(db.session.execute(select(ValidacionCurp.tipo, func.count()).group_by(ValidacionCurp.tipo)).all())
    assert tipos == {"trabajador": 3, "capturista": 2}
    # A day later the window has moved on.
    with time_machine.travel(inicio + timedelta(hours=24, seconds=1), tick=False):
        otra_sesion = app.test_client()
        iniciar_sesion_capturista(otra_sesion)
        elegir_contratista(otra_sesion, datos["a"])
        assert validar(otra_sesion, datos["url"], personas[3].curp).status_code == 200


def test_limite_por_cliente_de_validar_y_guardar(client, app, datos):
    app.config["VALIDAR_TRABAJADORES_LIMITE_CLIENTE"] = "3 per hour"
    personas = datos["personas"]
    estados = [validar(client, datos["url"], personas[0].curp).status_code,
               validar(client, datos["url"], personas[1].curp, js=False).status_code,
               guardar(client, datos["url"], personas[0].curp, NSS_VALIDO, "1").status_code,
               validar(client, datos["url"], personas[2].curp).status_code]
    assert estados == [200, 200, 200, 429]  # Validar and Guardar share one counter
