"""Informativas, the contractor's side (issue 14): the list by period (who sent each and when), the
read-only view (checklist, contracts), Devolver para corrección (a required comment; the capturista then
sees it and may fix and re-send), the workers grids (a contract's and the whole informativa's: keyset
pages and search, with and without htmx), the bitácora in words, Exportar (two sheets, recorded), and
nothing of another contractor reachable."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from extensions import db
from models import Bitacora, Contrato, Informativa
from services import informativas as srv
from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion, iniciar_sesion_capturista
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

BASE = "/informativas"
HX_CONTRATOS = {"HX-Request": "true", "HX-Target": "grid-contratos"}
HX_TRABAJADORES = {"HX-Request": "true", "HX-Target": "grid-trabajadores"}
VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
CAPTION_RE = re.compile(r'<span class="leyenda-resumen">([^<]*)</span>')


def _enviar(app, contratista_id: int, informativa_id: int, actor: str = "capturista:maria.lopez") -> None:
    with app.app_context():
        informativa = srv.de_contratista(contratista_id, informativa_id, bloquear=True)
        srv.enviar_a_firma(informativa, informativa.contratista, informativa.version, actor,
                           quien="GUADALUPE HERNÁNDEZ GARCÍA", liga="http://localhost/informativas/x")


@pytest.fixture
def datos(app, client):
    """Contractor A (logged in) with maria.lopez as capturista: an informativa of 2026-2 (3 contracts ×
    4 workers) sent to signature by her, and a draft of 2026-1; contractor B with one of its own."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Revisión, S.A.")
        b = crear_contratista(razon_social="Beta Ajena, S.A.")
        crear_capturista_activo(a)
        enviada = crear_informativa(a, contratos=3, trabajadores=4, actor="capturista:maria.lopez")
        borrador = crear_informativa(a, periodo=(2026, 1))
        ajena = crear_informativa(b)
        contratos = list(db.session.scalars(select(Contrato.id).where(Contrato.informativa_id == enviada)
                                            .order_by(Contrato.numero)))
        ajeno = db.session.scalar(select(Contrato.id).where(Contrato.informativa_id == ajena))
        datos = {"a": a.id, "rfc": a.rfc, "b": b.id, "rfc_b": b.rfc, "enviada": enviada, "borrador": borrador,
                 "ajena": ajena, "contratos": contratos, "contrato_ajeno": ajeno}
    _enviar(app, datos["a"], datos["enviada"])
    iniciar_sesion(client, datos["rfc"])
    return datos


def _html(client, url: str, **kwargs) -> str:
    r = client.get(url, **kwargs)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def _estado(app, informativa_id: int):
    with app.app_context():
        i = db.session.get(Informativa, informativa_id)
        return i.estado, i.version, i.comentario_devolucion


def test_menu_y_lista_por_periodo(client, datos):
    html = _html(client, BASE)
    assert f'<a href="{BASE}">Informativas</a>' in html  # the menu item, beside Administración
    filas = re.findall(r'<a href="/informativas/(\d+)">([^<]+)</a>', html)
    assert filas == [(str(datos["enviada"]), "Segundo cuatrimestre de 2026 (mayo–agosto)"),
                     (str(datos["borrador"]), "Primer cuatrimestre de 2026 (enero–abril)")]  # newest first
    enviada = html[html.index(f'/informativas/{datos["enviada"]}"'):html.index(f'/informativas/{datos["borrador"]}"')]
    assert "Enviada a firma</span>" in enviada and '<td data-etiqueta="Contratos">3</td>' in enviada
    assert '<td data-etiqueta="Trabajadores">12</td>' in enviada
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d, por GUADALUPE HERNÁNDEZ GARCÍA \(capturista\)", enviada)
    assert re.search(r'<td data-etiqueta="Plazo">(Venció|Vence|Se presenta) ', enviada)
    assert "No se ha enviado" in html[html.index(f'/informativas/{datos["borrador"]}"'):]
    assert "Beta Ajena" not in html and str(datos["ajena"]) not in re.findall(r"/informativas/(\d+)", html)


def test_ver_de_solo_lectura_con_revision_y_contratos(client, datos):
    html = _html(client, f"{BASE}/{datos['enviada']}")
    assert "<h1>Informativa del segundo cuatrimestre de 2026 (mayo–agosto)</h1>" in html
    assert "<dt>Estado</dt><dd>Enviada a firma</dd>" in html and "<dt>Trabajadores</dt><dd>12</dd>" in html
    assert "<dt>Contratos</dt><dd>3</dd>" in html
    assert html.count("Cumple:") == 7 and "Revisión de consistencia" in html
    assert CAPTION_RE.search(html).group(1) == "3 contratos, ordenados por número."
    for numero, contrato_id in enumerate(datos["contratos"], start=1):
        assert f'<a href="{BASE}/{datos["enviada"]}/contratos/{contrato_id}">Contrato {numero}</a>' in html
    assert html.count('<td data-etiqueta="Trabajadores">4</td>') == 3
    assert "Devolver para corrección" in html and 'name="comentario"' in html
    # Nothing to edit on the contractor's side.
    assert "Editar" not in html and "Eliminar" not in html and "Enviar a firma</a>" not in html
    # A draft: the same view, no Devolver.
    borrador = _html(client, f"{BASE}/{datos['borrador']}")
    assert "<dt>Estado</dt><dd>Borrador</dd>" in borrador and 'name="comentario"' not in borrador


def test_contratos_en_paginas_con_y_sin_htmx(client, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_contratos.__kwdefaults__, "tamano", 2)
    html = _html(client, f"{BASE}/{datos['enviada']}")
    assert CAPTION_RE.search(html).group(1) == "Página 1: 2 contratos de 3, ordenados por número."
    siguiente = re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', html).group(1).replace("&amp;", "&")
    fragmento = client.get(siguiente, headers=HX_CONTRATOS)
    texto = fragmento.get_data(as_text=True)
    assert fragmento.headers["Vary"].startswith("HX-Request, HX-Target")
    assert texto.lstrip().startswith('<div id="grid-contratos"') and "<html" not in texto
    assert CAPTION_RE.search(texto).group(1) == "Página 2: 1 contrato de 3, ordenados por número."
    assert "Contrato 3</a>" in texto and "Contrato 1</a>" not in texto
    completa = _html(client, siguiente)  # the same URL without htmx: the whole page
    assert "<h1>Informativa del" in completa and "Contrato 3</a>" in completa
    anterior = re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="prev"', texto).group(1).replace("&amp;", "&")
    assert "Contrato 1</a>" in _html(client, anterior, headers=HX_CONTRATOS)


def _devolver(client, informativa_id: int, comentario: str, version: str | None = None):
    pagina = client.get(f"{BASE}/{informativa_id}")
    datos = {"csrf_token": csrf_de(pagina), "comentario": comentario}
    datos["version"] = version if version is not None else VERSION_RE.search(pagina.get_data(as_text=True)).group(1)
    return client.post(f"{BASE}/{informativa_id}/devolver", data=datos)


@pytest.mark.parametrize("comentario, mensaje", [("", "Escribe qué debe corregirse."),
                                                 ("   \r\n  ", "Escribe qué debe corregirse."),
                                                 ("x" * 2001, "El comentario admite a lo más 2,000 caracteres."),
                                                 ("Revisa\testo", "Contiene caracteres no permitidos")])
def test_devolver_exige_un_comentario(client, app, datos, comentario, mensaje):
    antes = _estado(app, datos["enviada"])
    r = _devolver(client, datos["enviada"], comentario)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "<title>Error: " in html
    assert "Hay un problema" in html and f'<a href="#comentario">{mensaje}' in html
    assert 'aria-invalid="true"' in html and '<label class="etiqueta" for="comentario">' in html
    assert _estado(app, datos["enviada"]) == antes


def test_devolver_y_el_capturista_corrige_y_reenvia(client, app, datos):
    comentario = "Falta el contrato de Monterrey.\r\nRevisa el SBC de <NOMBRE1>."
    r = _devolver(client, datos["enviada"], comentario)
    assert r.status_code == 303 and r.headers["Location"] == f"{BASE}/{datos['enviada']}"
    html = _html(client, r.headers["Location"])
    assert "Devolviste la informativa para corrección" in html
    assert "<dt>Estado</dt><dd>Devuelta para corrección</dd>" in html
    assert "Falta el contrato de Monterrey.\r\nRevisa el SBC de &lt;NOMBRE1&gt;." in html  # escaped, lines kept
    assert 'name="comentario"' not in html  # nothing more to return
    estado, _, guardado = _estado(app, datos["enviada"])
    assert (estado, guardado) == ("devuelta", comentario)
    # The capturista sees the comment, fixes a contract and sends it again.
    capturista = app.test_client()
    iniciar_sesion_capturista(capturista)
    elegir_contratista(capturista, datos["a"])
    suya = _html(capturista, f"/capturista/informativas/{datos['enviada']}")
    assert "El contratista la devolvió para corrección" in suya and "Revisa el SBC de &lt;NOMBRE1&gt;." in suya
    with app.app_context():
        informativa = srv.de_contratista(datos["a"], datos["enviada"], bloquear=True)
        contrato = db.session.get(Contrato, datos["contratos"][0])
        campos = {c: getattr(contrato, c) for c in srv.DatosContrato.__dataclass_fields__}
        srv.editar_contrato(informativa, contrato, srv.DatosContrato(**{**campos, "objeto": "Limpieza, Monterrey"}),
                            contrato.version, "capturista:maria.lopez")
        db.session.commit()
    confirmacion = capturista.get(f"/capturista/informativas/{datos['enviada']}/enviar")
    r = capturista.post(f"/capturista/informativas/{datos['enviada']}/enviar", data={
        "csrf_token": csrf_de(confirmacion), "version": VERSION_RE.search(confirmacion.get_data(as_text=True)).group(1)})
    assert r.status_code == 303
    assert _estado(app, datos["enviada"])[0] == "enviada"
    assert 'name="comentario"' in _html(client, f"{BASE}/{datos['enviada']}")  # the contractor may return it again


def test_devolver_lo_que_no_esta_enviado_o_con_version_vieja_es_409(client, app, datos):
    r = _devolver(client, datos["borrador"], "No aplica", version=str(_estado(app, datos["borrador"])[1]))
    assert r.status_code == 409 and "Solo una informativa enviada a firma se puede devolver." in r.get_data(as_text=True)
    assert f'href="{BASE}/{datos["borrador"]}">Volver a cargar la informativa</a>' in r.get_data(as_text=True)
    antes = _estado(app, datos["enviada"])
    for version in (str(antes[1] - 1), None):
        pagina = client.get(f"{BASE}/{datos['enviada']}")
        datos_post = {"csrf_token": csrf_de(pagina), "comentario": "Corrige"}
        if version is not None:
            datos_post["version"] = version
        r = client.post(f"{BASE}/{datos['enviada']}/devolver", data=datos_post)
        assert r.status_code == 409 and "Otra persona modificó la informativa" in r.get_data(as_text=True)
    assert _estado(app, datos["enviada"]) == antes


def test_trabajadores_de_un_contrato_paginas_y_busqueda(client, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_trabajadores.__kwdefaults__, "tamano", 3)
    url = f"{BASE}/{datos['enviada']}/contratos/{datos['contratos'][0]}"
    html = _html(client, url)
    assert "<h1>Contrato 1 (CLI030301" in html and "Limpieza de la planta 1" in html
    assert CAPTION_RE.search(html).group(1) == "Página 1: 3 trabajadores de 4, ordenados por nombre."
    assert re.findall(r"NOMBRE\d (\w+) GARCÍA</th>", html) == ["ÁLVAREZ", "MÉNDEZ", "NÚÑEZ"]
    siguiente = re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', html).group(1).replace("&amp;", "&")
    texto = _html(client, siguiente, headers=HX_TRABAJADORES)
    assert texto.lstrip().startswith('<div id="grid-trabajadores"')
    assert CAPTION_RE.search(texto).group(1) == "Página 2: 1 trabajador de 4, ordenados por nombre."
    assert re.findall(r"NOMBRE\d (\w+) GARCÍA</th>", texto) == ["ZAPATA"]
    # Search: accents and case ignored; the pages keep the search.
    encontrado = _html(client, url + "?q=nunez", headers=HX_TRABAJADORES)
    assert CAPTION_RE.search(encontrado).group(1) == "1 trabajador que coincide con la búsqueda, ordenado por nombre."
    assert "NOMBRE3 NÚÑEZ GARCÍA" in encontrado
    nada = _html(client, url + "?q=inexistente")
    assert "Ningún trabajador coincide con la búsqueda." in nada and 'value="inexistente"' in nada
    assert "$316.04" in html  # the SBC as money


def test_todos_los_trabajadores_de_la_informativa(client, datos, monkeypatch):
    monkeypatch.setitem(srv.pagina_trabajadores_de_informativa.__kwdefaults__, "tamano", 5)
    url = f"{BASE}/{datos['enviada']}/trabajadores"
    html = _html(client, url)
    assert CAPTION_RE.search(html).group(1) == "Página 1: 5 trabajadores de 12, ordenados por nombre."
    # By name across contracts, each row with its contract (a link to its page).
    assert re.findall(r"NOMBRE\d (\w+) GARCÍA</th>", html) == ["ÁLVAREZ"] * 3 + ["MÉNDEZ"] * 2
    contratos = re.findall(rf'<a href="{BASE}/{datos["enviada"]}/contratos/(\d+)">Contrato (\d) \(', html)
    assert [int(c) for c, _ in contratos] == [datos["contratos"][0], datos["contratos"][1], datos["contratos"][2],
                                              datos["contratos"][0], datos["contratos"][1]]
    vistos, pagina, paginas = [], html, 0
    while True:
        paginas += 1
        vistos += re.findall(r'<td data-etiqueta="NSS" class="nss">(\d+)</td>', pagina)
        m = re.search(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', pagina)
        if not m:
            break
        pagina = _html(client, m.group(1).replace("&amp;", "&"), headers=HX_TRABAJADORES)
    assert paginas == 3 and len(vistos) == len(set(vistos)) == 12
    assert "Página 3: 2 trabajadores de 12" in CAPTION_RE.search(pagina).group(1)
    buscado = _html(client, url + "?q=MENDEZ", headers=HX_TRABAJADORES)
    assert CAPTION_RE.search(buscado).group(1) == "3 trabajadores que coinciden con la búsqueda, ordenados por nombre."


def test_busqueda_con_mas_de_tope_lo_dice(client, app, datos, monkeypatch):
    """The grid counts no further than the cap (1,000; here 3) and says "de más de", as Consulta does."""
    monkeypatch.setitem(srv.pagina_trabajadores_de_informativa.__kwdefaults__, "tamano", 2)
    monkeypatch.setattr(srv, "TOPE_CONTEO_TRABAJADORES", 3)
    html = _html(client, f"{BASE}/{datos['enviada']}/trabajadores?q=garcia")
    assert CAPTION_RE.search(html).group(1) == ("Página 1: 2 trabajadores de más de 3 que coinciden con la "
                                                "búsqueda, ordenados por nombre.")
    # Without a search too: 150,000 rows are not counted on every page (the informativa's page says how many).
    html = _html(client, f"{BASE}/{datos['enviada']}/trabajadores")
    assert CAPTION_RE.search(html).group(1) == "Página 1: 2 trabajadores de más de 3, ordenados por nombre."


def test_bitacora_en_palabras(client, app, datos):
    _devolver(client, datos["enviada"], "Revisa el contrato 2.")
    client.get(f"{BASE}/{datos['enviada']}/exportar")
    with app.app_context():
        informativa = srv.de_contratista(datos["a"], datos["enviada"], bloquear=True)
        srv.cambiar_tipo(informativa, "sin_informacion", informativa.version, "capturista:maria.lopez")
        contrato = db.session.get(Contrato, datos["contratos"][1])
        campos = {c: getattr(contrato, c) for c in srv.DatosContrato.__dataclass_fields__}
        srv.editar_contrato(informativa, contrato, srv.DatosContrato(**{**campos, "objeto": "Otro", "fecha_fin": None}),
                            contrato.version, "capturista:maria.lopez")
        db.session.commit()
    html = _html(client, f"{BASE}/{datos['enviada']}/bitacora")
    filas = re.findall(r'<td data-etiqueta="Acción">([^<]+)</td>\s*<td data-etiqueta="Quién">([^<]+)</td>\s*'
                       r'<td data-etiqueta="Detalle">([^<]*)</td>', html)
    acciones = [f[0] for f in filas]
    assert acciones[:5] == ["Edición de contrato", "Cambio de tipo de informativa", "Exportación a Excel",
                            "Devolución para corrección", "Envío a firma"]  # newest first
    assert acciones[-1] == "Creación de la informativa" and acciones.count("Alta de trabajador") == 12
    por_accion = {f[0]: f for f in filas}
    assert por_accion["Edición de contrato"][2] == "Contrato: Contrato 2 (CLI030302D40); Datos modificados: Objeto del contrato"
    assert por_accion["Cambio de tipo de informativa"][2] == "Tipo: Normal → Sin información"
    assert por_accion["Exportación a Excel"][1] == "Alfa Revisión, S.A. (contratista)"
    assert por_accion["Exportación a Excel"][2] == "Contratos: 3; Trabajadores: 12"
    assert por_accion["Devolución para corrección"][2] == "Comentario: Revisa el contrato 2."
    assert por_accion["Envío a firma"] == ("Envío a firma", "GUADALUPE HERNÁNDEZ GARCÍA (capturista)", "")
    assert por_accion["Creación de la informativa"][2] == "Periodo: Segundo cuatrimestre de 2026 (mayo–agosto); Tipo: Normal"
    assert re.search(r"Contrato: Contrato 1 \(CLI030301D4\d\); NSS: \d{11}", por_accion["Alta de trabajador"][2])
    # Never a raw value.
    for crudo in ("capturista:maria.lopez", "sin_informacion", "envio_firma", "contrato_edicion", "version", "2026-2"):
        assert crudo not in html, crudo


def test_bitacora_en_paginas(client, app, datos, monkeypatch):
    import services.bitacora

    monkeypatch.setitem(services.bitacora.entradas_de_informativa.__kwdefaults__, "tamano", 10)
    html = _html(client, f"{BASE}/{datos['enviada']}/bitacora")
    assert html.count('data-etiqueta="Acción"') == 10 and "Envío a firma" in html
    mas = re.search(r'<a href="([^"]+)" rel="next">Más antiguas</a>', html).group(1).replace("&amp;", "&")
    segunda = _html(client, mas)
    assert "Envío a firma" not in segunda and "Más recientes" in segunda
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Bitacora).where(
            Bitacora.informativa_id == datos["enviada"]))
    assert total == 1 + 3 + 12 + 1


def test_exportar_hojas_y_filas(client, app, datos):
    r = client.get(f"{BASE}/{datos['enviada']}/exportar")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Disposition"] == f"attachment; filename=informativa_{datos['rfc']}_2026-2.xlsx"
    libro = load_workbook(io.BytesIO(r.data))
    assert libro.sheetnames == ["Contratos", "Trabajadores"]
    contratos, trabajadores = libro["Contratos"], libro["Trabajadores"]
    assert "Alfa Revisión, S.A. · RFC" in contratos["A1"].value and "segundo cuatrimestre de 2026" in contratos["A1"].value
    assert [c.value for c in contratos[2]] == ["Contrato", "RFC del contratante", "Nombre o razón social del contratante",
                                                "Correo del contratante", "Teléfono del contratante", "Objeto del contrato",
                                                "Servicio u obra especializada", "Fecha de inicio", "Fecha de fin",
                                                "Trabajadores"]
    filas = [[c.value for c in fila] for fila in contratos.iter_rows(min_row=3)]
    assert [f[0] for f in filas] == [1, 2, 3] and [f[-1] for f in filas] == [4, 4, 4]
    assert filas[0][5] == "Limpieza de la planta 1" and filas[0][7].date().isoformat() == "2026-05-02"
    assert contratos.freeze_panes == "A3" and contratos.auto_filter.ref == "A2:J5"
    assert [c.value for c in trabajadores[2]][:4] == ["Contrato", "RFC del contratante", "NSS", "CURP"]
    filas = [[c.value for c in fila] for fila in trabajadores.iter_rows(min_row=3)]
    assert len(filas) == 12 and trabajadores.auto_filter.ref == "A2:H14"
    assert [f[0] for f in filas] == [1] * 4 + [2] * 4 + [3] * 4
    assert [f[5] for f in filas[:4]] == ["ÁLVAREZ", "MÉNDEZ", "NÚÑEZ", "ZAPATA"]  # by name inside each contract
    assert all(isinstance(f[2], str) and len(f[2]) == 11 for f in filas)  # NSS as text: leading zeros kept
    assert filas[0][2].startswith("001")
    assert str(filas[0][7]) == "316.04" and trabajadores.cell(3, 8).number_format == "#,##0.00"
    assert trabajadores.column_dimensions["D"].width >= 18
    with app.app_context():
        entrada = db.session.scalar(select(Bitacora).where(Bitacora.accion == "exportacion_informativa"))
        assert entrada.actor == f"contratista:{datos['rfc']}" and entrada.informativa_id == datos["enviada"]


def test_exportar_protege_de_formulas(client, app, datos):
    with app.app_context():
        informativa = srv.de_contratista(datos["a"], datos["borrador"], bloquear=True)
        contrato = db.session.scalar(select(Contrato).where(Contrato.informativa_id == informativa.id))
        campos = {c: getattr(contrato, c) for c in srv.DatosContrato.__dataclass_fields__}
        srv.editar_contrato(informativa, contrato, srv.DatosContrato(**{
            **campos, "objeto": '=HYPERLINK("http://malo")', "nombre_contratante": "+Cliente"}), contrato.version, "x")
        db.session.commit()
    libro = load_workbook(io.BytesIO(client.get(f"{BASE}/{datos['borrador']}/exportar").data))
    fila = libro["Contratos"][3]
    for celda in (fila[2], fila[5]):
        assert celda.data_type == "s" and celda.quotePrefix, celda.value


def test_otro_contratista_404_en_todo(client, app, datos):
    ajena, contrato = datos["ajena"], datos["contrato_ajeno"]
    for url in (f"{BASE}/{ajena}", f"{BASE}/{ajena}/trabajadores", f"{BASE}/{ajena}/bitacora",
                f"{BASE}/{ajena}/exportar", f"{BASE}/{ajena}/contratos/{contrato}",
                f"{BASE}/{datos['enviada']}/contratos/{contrato}"):  # B's contract under A's informativa
        r = client.get(url)
        assert r.status_code == 404 and "Página no encontrada" in r.get_data(as_text=True), url
    _enviar(app, datos["b"], ajena, actor=f"contratista:{datos['rfc_b']}")
    antes = _estado(app, ajena)
    r = client.post(f"{BASE}/{ajena}/devolver", data={"csrf_token": csrf_de(client.get(BASE)), "comentario": "x",
                                                      "version": str(antes[1])})
    assert r.status_code == 404 and _estado(app, ajena) == antes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bitacora).where(
            Bitacora.informativa_id == ajena, Bitacora.accion == "exportacion_informativa")) == 0


def test_solo_contratistas_con_datos_generales(app, datos):
    anonimo = app.test_client()
    r = anonimo.get(f"{BASE}/{datos['enviada']}")
    assert r.status_code == 302 and "/cuenta/iniciar-sesion?next=/informativas/" in r.headers["Location"]
    capturista = app.test_client()
    iniciar_sesion_capturista(capturista)
    r = capturista.get(BASE)
    assert r.status_code == 302 and "/cuenta/iniciar-sesion" in r.headers["Location"]
    with app.app_context():
        sin_datos = crear_contratista(con_datos=False)
        rfc = sin_datos.rfc
    nuevo = app.test_client()
    iniciar_sesion(nuevo, rfc)
    r = nuevo.get(BASE)
    assert r.status_code == 303 and r.headers["Location"].endswith("/contratista/datos-generales")
