"""Exportar Excel: the workbook itself, the filter, isolation, and the background job with a
real Huey consumer."""
import io
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from extensions import db
from models import Bitacora, Capturista, Contratista, Exportacion, RelacionCapturista
from models.types import ahora_utc
from tests.ayudantes import csrf_de, iniciar_sesion, sondear
from tests.factories import crear_contratista, crear_exportacion, crear_persona, crear_relacion

EXPORTAR = "/administracion/exportar-excel"


def _relacion(contratista, curp, nombre, ap1, ap2, correo, estatus="pendiente", telefono="0512345678", **kw):
    return crear_relacion(contratista, crear_persona(curp, nombre, ap1, ap2), correo=correo, estatus=estatus,
                          telefono=telefono, **kw)


@pytest.fixture
def datos(app, client):
    with app.app_context():
        a = crear_contratista(razon_social="Limpieza Ñandú del Bajío, S.A. de C.V.")
        b = crear_contratista(razon_social="Beta Obras, S.A.")
        alta = datetime(2026, 3, 15, 3, 0, tzinfo=timezone.utc)  # 14/03/2026 in Mexico City
        _relacion(a, "PEGL850304HJCRRS07", "JOSÉ LUIS", "PÉREZ", "GARCÍA", "jose@correo.example", creado_en=alta)
        _relacion(a, "NUXL900101MDFXXX05", "MARÍA", "NÚÑEZ", "", "=HYPERLINK(\"http://malo\")",
                  estatus="activo", creado_en=alta + timedelta(days=1), activado_en=alta + timedelta(days=2))
        _relacion(a, "BEML920313HMCLNS09", "@MARIO", "BELTRÁN", "MUÑOZ", "+mario@correo.example", estatus="baja",
                  creado_en=alta + timedelta(days=3), baja_en=alta + timedelta(days=4), telefono="5512345678")
        _relacion(b, "SABC560626MDFLRN01", "CARMEN", "SALAS", "BRAVO", "carmen@correo.example")
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "rfc_a": a.rfc, "rfc_b": b.rfc}
    iniciar_sesion(client, ids["rfc_a"])
    return ids


def _exportar(client, **filtro):
    pagina = client.get(EXPORTAR, query_string=filtro)
    return client.post(EXPORTAR, data={"csrf_token": csrf_de(pagina), **filtro})


def _libro(respuesta):
    return load_workbook(io.BytesIO(respuesta.data))


def test_exportacion_directa_el_libro(client, app, datos):
    r = _exportar(client)
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    hoy = datetime.now(timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("America/Mexico_City"))
    assert r.headers["Content-Disposition"] == (
        f"attachment; filename=capturistas_{datos['rfc_a']}_{hoy:%Y%m%d}.xlsx")
    libro = _libro(r)
    assert libro.sheetnames == ["Capturistas"]
    assert libro.properties.creator == "Sistema Capturistas ICSOE"
    assert "Limpieza Ñandú del Bajío" in libro.properties.title
    hoja = libro["Capturistas"]
    titulo = hoja["A1"].value
    assert "Limpieza Ñandú del Bajío, S.A. de C.V." in titulo and datos["rfc_a"] in titulo
    assert f"{hoy:%d/%m/%Y}" in titulo and hoja["A1"].font.b
    encabezados = [c.value for c in hoja[2]]
    assert encabezados == ["CURP", "Nombre(s)", "Primer apellido", "Segundo apellido", "Teléfono",
                           "Correo electrónico", "Fecha de alta", "Estatus", "Fecha de activación", "Fecha de baja"]
    assert all(c.font.b for c in hoja[2])
    assert hoja.freeze_panes == "A3"
    assert hoja.auto_filter.ref == "A2:J5"
    assert hoja.column_dimensions["F"].width >= len("=HYPERLINK(\"http://malo\")")

    filas = [[c.value for c in fila] for fila in hoja.iter_rows(min_row=3)]
    assert len(filas) == 3  # only this contractor's
    assert all("CARMEN" not in str(f) for f in filas)
    por_curp = {f[0]: f for f in filas}
    jose = por_curp["PEGL850304HJCRRS07"]
    assert jose[1:4] == ["JOSÉ LUIS", "PÉREZ", "GARCÍA"]
    assert jose[4] == "0512345678"  # text: the leading zero survives
    assert jose[6] == datetime(2026, 3, 14)  # a real date, in Mexico City
    assert jose[7] == "Pendiente de activación" and jose[8] is None
    maria = por_curp["NUXL900101MDFXXX05"]
    assert maria[2] == "NÚÑEZ" and maria[7] == "Activo" and maria[8] == datetime(2026, 3, 16)
    mario = por_curp["BEML920313HMCLNS09"]
    assert mario[7] == "Baja" and mario[9] == datetime(2026, 3, 18)

    # Cell types.
    fila_jose = next(f for f in hoja.iter_rows(min_row=3) if f[0].value == "PEGL850304HJCRRS07")
    assert fila_jose[0].data_type == "s" and fila_jose[4].data_type == "s"
    assert fila_jose[6].is_date and fila_jose[6].number_format == "dd/mm/yyyy"
    # Formula guard: text that starts with = + - @ comes back as text, never as a formula.
    celdas = [c for f in hoja.iter_rows(min_row=3) for c in f]
    for peligroso in ('=HYPERLINK("http://malo")', "+mario@correo.example", "@MARIO"):
        celda = next(c for c in celdas if c.value == peligroso)
        assert celda.data_type == "s" and celda.quotePrefix


@pytest.mark.parametrize("razon_social", ['=HYPERLINK("http://x","y")', "+52 Servicios", "@SUMA(A1)"])
def test_f11_el_titulo_con_la_razon_social_no_es_formula(client, app, razon_social):
    """F11: the title row (razón social at the top of the sheet) goes through the same formula guard
    as the data cells: a razón social starting with = + @ is shown as typed, never evaluated."""
    with app.app_context():
        rfc = crear_contratista(razon_social=razon_social).rfc
    iniciar_sesion(client, rfc)
    r = _exportar(client)
    assert r.status_code == 200
    titulo = _libro(r)["Capturistas"]["A1"]
    assert titulo.data_type == "s" and titulo.data_type != "f" and titulo.quotePrefix
    assert titulo.value.startswith(f"{razon_social} · RFC {rfc} · Generado el ") and titulo.font.b


def test_filtro_y_orden_de_la_consulta(client, datos):
    libro = _libro(_exportar(client, q="munoz", estatus="baja"))
    filas = list(libro["Capturistas"].iter_rows(min_row=3, values_only=True))
    assert [f[0] for f in filas] == ["BEML920313HMCLNS09"]
    libro = _libro(_exportar(client, estatus="pendiente"))
    assert [f[0] for f in libro["Capturistas"].iter_rows(min_row=3, values_only=True)] == ["PEGL850304HJCRRS07"]
    libro = _libro(_exportar(client, orden="nombre", dir="asc"))
    assert [f[2] for f in libro["Capturistas"].iter_rows(min_row=3, values_only=True)] == ["BELTRÁN", "NÚÑEZ", "PÉREZ"]


def test_boton_en_consulta_exporta_lo_que_muestra(client, datos):
    html = client.get("/administracion/consulta", query_string={"q": "jose", "estatus": "pendiente"}).get_data(as_text=True)
    assert 'action="/administracion/exportar-excel"' in html
    assert 'name="q" value="jose"' in html and 'name="estatus" value="pendiente"' in html


def test_exportacion_en_la_bitacora(client, app, datos):
    _exportar(client, q="jose")
    with app.app_context():
        entrada = db.session.scalar(select(Bitacora).where(Bitacora.accion == "exportacion"))
        assert entrada.contratista_id == datos["a"] and entrada.actor == f"contratista:{datos['rfc_a']}"
        assert entrada.detalle["filas"] == 1 and entrada.detalle["q"] == "jose" and entrada.detalle["modo"] == "directa"


def test_libro_vacio_tiene_encabezados(client, app):
    with app.app_context():
        rfc = crear_contratista().rfc
    iniciar_sesion(client, rfc)
    hoja = _libro(_exportar(client))["Capturistas"]
    assert hoja.max_row == 2 and hoja["A2"].value == "CURP"


def test_exportar_requiere_csrf_y_datos_generales(client, app, datos):
    assert client.post(EXPORTAR, data={}).status_code == 400


# --- background job ----------------------------------------------------------------------------


def _sembrar_muchos(app, contratista_id, n):
    with app.app_context():
        base = ahora_utc()
        personas = [Capturista(curp=f"MUCH{i:014d}", nombre=f"NOMBRE{i}", primer_apellido="ÑÚÑEZ",
                               segundo_apellido="") for i in range(n)]
        db.session.add_all(personas)
        db.session.flush()
        for i, p in enumerate(personas):
            r = RelacionCapturista(contratista_id=contratista_id, capturista_id=p.id, telefono="5512345678",
                                   correo=f"m{i}@correo.example", estatus="pendiente",
                                   creado_en=base - timedelta(seconds=i))
            r.capturista = p
            r.copiar_datos_de(p)
            db.session.add(r)
        db.session.commit()


def test_exportacion_grande_en_segundo_plano(client, app, datos, consumidor, monkeypatch):
    import services.exportar as servicio

    app.config["EXPORTACION_UMBRAL"] = 100
    monkeypatch.setattr(servicio, "LOTE", 50)
    original = servicio._avanzar

    def avanzar_lento(exportacion_id, escritas):
        original(exportacion_id, escritas)
        time.sleep(0.15)  # slow enough to watch the progress move

    monkeypatch.setattr(servicio, "_avanzar", avanzar_lento)
    _sembrar_muchos(app, datos["a"], 400)

    r = _exportar(client)
    assert r.status_code == 303
    estado_url = r.headers["Location"]
    pagina = client.get(estado_url)
    html = pagina.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html  # the no-JS page refreshes itself
    assert "<progress" in html and 'hx-trigger="every 1s"' in html

    _, texto, vistos = sondear(client, estado_url, "exportacion-estado", "Descargar Excel")
    assert len({v for v in vistos if 0 < v < 403}) >= 2, vistos  # progress moved
    assert "every 1s" not in texto and "refresh" not in client.get(estado_url).get_data(as_text=True)

    with app.app_context():
        exportacion = db.session.scalar(select(Exportacion))
        assert exportacion.estado == "lista" and exportacion.total == 403 and exportacion.escritas == 403
        ruta = Path(exportacion.ruta)
        assert ruta.exists() and ruta.parent == Path(app.config["EXPORTACION_DIR"])
        exportacion_id = exportacion.id
    descarga = client.get(f"{EXPORTAR}/{exportacion_id}/descargar")
    assert descarga.status_code == 200
    hoja = _libro(descarga)["Capturistas"]
    assert hoja.max_row == 403 + 2
    assert {f[2] for f in hoja.iter_rows(min_row=3, values_only=True)} >= {"ÑÚÑEZ", "PÉREZ"}

    # Another contractor gets 404 on the job and on the file.
    otro = app.test_client()
    iniciar_sesion(otro, datos["rfc_b"])
    assert otro.get(estado_url).status_code == 404
    assert otro.get(f"{EXPORTAR}/{exportacion_id}/descargar").status_code == 404
    assert otro.get(estado_url, headers={"HX-Request": "true", "HX-Target": "exportacion-estado"}).status_code == 404

    # After the retention period the file is gone.
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=25), tick=False):
        import tareas

        tareas.limpiar_exportaciones.call_local()
        assert not ruta.exists()
        iniciar_sesion(client, datos["rfc_a"])  # the 8-hour session expired meanwhile
        r = client.get(f"{EXPORTAR}/{exportacion_id}/descargar")
        assert r.status_code == 410 and "ya no está disponible" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Exportacion, exportacion_id).estado == "vencida"


# --- one background job at a time (F12) -----------------------------------------------------------

EN_CURSO = "Ya hay una exportación en proceso; espera a que termine para solicitar otra."


def _ids_exportaciones(app, contratista_id):
    with app.app_context():
        return list(db.session.scalars(select(Exportacion.id).where(Exportacion.contratista_id == contratista_id)
                                       .order_by(Exportacion.id)))


def test_f12_una_sola_exportacion_en_segundo_plano_por_contratista(client, app, datos):
    """F12: while the contractor's background export is pending, a second request creates nothing
    and goes (303) to the job already under way, with a message."""
    app.config["EXPORTACION_UMBRAL"] = 1  # 3 rows: background (no consumer runs, the job stays pendiente)
    primera = _exportar(client)
    assert primera.status_code == 303
    [eid] = _ids_exportaciones(app, datos["a"])
    assert primera.headers["Location"] == f"{EXPORTAR}/{eid}"
    assert EN_CURSO not in client.get(primera.headers["Location"]).get_data(as_text=True)

    segunda = _exportar(client, orden="nombre", dir="asc")
    assert segunda.status_code == 303 and segunda.headers["Location"] == f"{EXPORTAR}/{eid}"
    assert EN_CURSO in client.get(segunda.headers["Location"]).get_data(as_text=True)
    assert _ids_exportaciones(app, datos["a"]) == [eid]
    with app.app_context():  # the refused request is not logged as an export either
        assert db.session.scalar(select(func.count(Bitacora.id)).where(Bitacora.accion == "exportacion")) == 1


@pytest.mark.parametrize("estado,bloquea", [("pendiente", True), ("en_proceso", True), ("lista", False),
                                            ("error", False), ("vencida", False)])
def test_f12_solo_un_trabajo_sin_terminar_bloquea(client, app, datos, estado, bloquea):
    """F12: a pending or in-process job blocks a new one; a finished one (lista, error, vencida) does not."""
    app.config["EXPORTACION_UMBRAL"] = 1
    previa = crear_exportacion(app, datos["a"], estado)
    r = _exportar(client)
    ids = _ids_exportaciones(app, datos["a"])
    if bloquea:
        assert ids == [previa] and r.headers["Location"] == f"{EXPORTAR}/{previa}"
    else:
        assert len(ids) == 2 and r.headers["Location"] == f"{EXPORTAR}/{ids[1]}"
    assert r.status_code == 303


def test_f12_el_trabajo_de_otro_contratista_no_bloquea(client, app, datos):
    app.config["EXPORTACION_UMBRAL"] = 1
    ajena = crear_exportacion(app, datos["b"], "pendiente")
    r = _exportar(client)
    [propia] = _ids_exportaciones(app, datos["a"])
    assert r.status_code == 303 and r.headers["Location"] == f"{EXPORTAR}/{propia}" and propia != ajena


def test_f12_servicio_solicitar_en_segundo_plano(app, datos):
    """F12: the rule lives in one service function: (job, True) when it creates one, (the job
    under way, False) otherwise."""
    from services.consulta import Filtro
    from services.exportar import solicitar_en_segundo_plano

    with app.app_context():
        a, b = db.session.get(Contratista, datos["a"]), db.session.get(Contratista, datos["b"])
        primera, creada = solicitar_en_segundo_plano(a, Filtro.desde({}), 3, "contratista:A")
        assert creada and primera.estado == "pendiente" and primera.contratista_id == datos["a"]
        otra, creada = solicitar_en_segundo_plano(a, Filtro.desde({"q": "jose"}), 1, "contratista:A")
        assert not creada and otra.id == primera.id
        de_b, creada = solicitar_en_segundo_plano(b, Filtro.desde({}), 1, "contratista:B")
        assert creada and de_b.contratista_id == datos["b"]
        primera.estado = "en_proceso"
        db.session.commit()
        assert solicitar_en_segundo_plano(a, Filtro.desde({}), 3, "x")[1] is False
        primera.estado = "lista"
        db.session.commit()
        nueva, creada = solicitar_en_segundo_plano(a, Filtro.desde({}), 3, "x")
        assert creada and nueva.id != primera.id


def test_descarga_vencida_se_borra_aunque_no_corra_la_limpieza(client, app, datos):
    with app.app_context():
        carpeta = Path(app.config["EXPORTACION_DIR"])
        carpeta.mkdir(parents=True)
        ruta = carpeta / "x.xlsx"
        ruta.write_bytes(b"PK")
        e = Exportacion(contratista_id=datos["a"], solicitante="x", nombre_archivo="capturistas.xlsx",
                        estado="lista", ruta=str(ruta), total=1, escritas=1,
                        terminado_en=ahora_utc() - timedelta(hours=30), expira_en=ahora_utc() - timedelta(hours=6))
        db.session.add(e)
        db.session.commit()
        exportacion_id = e.id
    assert client.get(f"{EXPORTAR}/{exportacion_id}/descargar").status_code == 410
    assert not ruta.exists()


def test_fecha_en_el_nombre_es_de_la_ciudad_de_mexico(app):
    from services.exportar import nombre_archivo

    with app.app_context():
        # 03:00 UTC on the 15th is still the 14th in Mexico City.
        assert nombre_archivo("ABC010101AB1", datetime(2026, 3, 15, 3, 0, tzinfo=timezone.utc)) == \
            "capturistas_ABC010101AB1_20260314.xlsx"
    assert date(2026, 3, 14)
