"""Consulta: the grid, its search/filter/sort/pagination and every row action in every state,
as plain forms (POST → 303) and with htmx (the row fragment), plus tenant isolation."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Bitacora, CorreoSaliente, RelacionCapturista
from models.types import ahora_utc
from tests.ayudantes import GRID, acciones_de_bitacora, csrf_de, hx_fila, iniciar_sesion, post_fila
from tests.factories import crear_contratista, crear_persona, crear_relacion


def _relacion(contratista, capturista, estatus, correo, creado_en=None):
    return crear_relacion(contratista, capturista, correo=correo, estatus=estatus,
                          creado_en=creado_en or ahora_utc(), token_version=1,
                          liga_vence_en=ahora_utc() + timedelta(hours=24),
                          baja_en=ahora_utc() if estatus == "baja" else None,
                          activado_en=ahora_utc() if estatus == "activo" else None)


def _confirmado_sin_js(client, r, rid: int, volver: str, texto: str) -> str:
    """Guide steps 8, 12, 15 without JS: 303 to the action's own "Mensaje de confirmación" page,
    which names the capturista and whose Aceptar goes back to the grid as it was; a reload of
    that page (after Aceptar) has nothing left to confirm and goes to the grid."""
    from urllib.parse import parse_qs, urlsplit

    assert r.status_code == 303, r.status_code
    destino = urlsplit(r.headers["Location"])
    assert destino.path == f"{GRID}/{rid}/resultado" and parse_qs(destino.query)["volver"] == [volver]
    pagina = client.get(r.headers["Location"])
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200 and "<h1>Mensaje de confirmación</h1>" in html and texto in html
    assert re.search(r'<a class="boton" href="([^"]+)"[^>]*>Aceptar</a>', html).group(1).replace("&amp;", "&") == volver
    otra_vez = client.get(r.headers["Location"])
    assert otra_vez.status_code == 302 and otra_vez.headers["Location"] == volver
    return html


@pytest.fixture
def datos(app, client):
    """Contractor A with one capturista in each state, contractor B with one of its own."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Servicios, S.A.")
        b = crear_contratista(razon_social="Beta Obras, S.A.")
        base = ahora_utc()
        pendiente = _relacion(a, crear_persona("PEGL850304HJCRRS07", "JOSÉ LUIS", "PÉREZ", "GARCÍA"), "pendiente",
                              "jose@correo.example", base - timedelta(days=3))
        activo = _relacion(a, crear_persona("HEGG560427MVZRRL04", "GUADALUPE", "HERNÁNDEZ", "GARCÍA", "lupita"),
                           "activo", "lupe@correo.example", base - timedelta(days=2))
        baja = _relacion(a, crear_persona("BEML920313HMCLNS09", "MARIO", "BELTRÁN", "MUÑOZ"), "baja",
                         "mario@correo.example", base - timedelta(days=1))
        ajeno = _relacion(b, crear_persona("SABC560626MDFLRN01", "CARMEN", "SALAS", "BRAVO"), "pendiente",
                          "carmen@correo.example")
        db.session.commit()
        ids = {"pendiente": pendiente.id, "activo": activo.id, "baja": baja.id, "ajeno": ajeno.id,
               "rfc_a": a.rfc, "rfc_b": b.rfc}
    iniciar_sesion(client, ids["rfc_a"])
    return ids


def _estatus(app, relacion_id):
    with app.app_context():
        return db.session.get(RelacionCapturista, relacion_id).estatus


# --- the grid ---------------------------------------------------------------------------------

def test_grid_muestra_solo_los_capturistas_del_contratista(client, datos):
    html = client.get(GRID).get_data(as_text=True)
    assert "<!doctype html>" in html
    for texto in ("JOSÉ LUIS PÉREZ GARCÍA", "GUADALUPE HERNÁNDEZ GARCÍA", "MARIO BELTRÁN MUÑOZ"):
        assert texto in html
    assert "CARMEN" not in html and "carmen@correo.example" not in html
    assert "Pendiente de activación" in html and ">Activo<" in html and ">Baja<" in html


def test_acciones_segun_estatus(client, datos):
    html = client.get(GRID).get_data(as_text=True)

    def acciones(relacion_id):
        cuerpo = re.search(rf'<tbody id="capturista-{relacion_id}".*?</tbody>', html, re.S).group(0)
        return {a for a in ("editar", "enviar-email", "eliminar", "activar", "bitacora") if f"/{relacion_id}/{a}" in cuerpo}

    assert acciones(datos["pendiente"]) == {"editar", "enviar-email", "eliminar", "bitacora"}
    assert acciones(datos["activo"]) == {"eliminar", "bitacora"}
    assert acciones(datos["baja"]) == {"activar", "bitacora"}


def test_grid_con_htmx_devuelve_solo_el_fragmento(client, datos):
    r = client.get(GRID + "?q=jose", headers={"HX-Request": "true", "HX-Target": "grid-capturistas"})
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="grid-capturistas"')
    assert "<header" not in html and "JOSÉ LUIS" in html and "GUADALUPE" not in html
    assert "HX-Target" in r.headers["Vary"]
    # hx-boost style navigation (another target) gets the page.
    r = client.get(GRID, headers={"HX-Request": "true", "HX-Target": "contenido"})
    assert "<!doctype html>" in r.get_data(as_text=True)


@pytest.mark.parametrize("q,esperados", [
    ("jose", {"JOSÉ LUIS"}), ("PÉREZ", {"JOSÉ LUIS"}), ("perez garcia", {"JOSÉ LUIS"}),
    ("garcia", {"JOSÉ LUIS", "GUADALUPE"}), ("hegg5604", {"GUADALUPE"}), ("MUNOZ", {"MARIO"}),
    ("LUPE@CORREO", {"GUADALUPE"}), ("carmen", set()), ("%", set()), ("_", set()),
])
def test_busqueda_sin_mayusculas_ni_acentos(client, datos, q, esperados):
    html = client.get(GRID, query_string={"q": q}).get_data(as_text=True)
    encontrados = {n for n in ("JOSÉ LUIS", "GUADALUPE", "MARIO", "CARMEN") if n in html}
    assert encontrados == esperados


@pytest.mark.parametrize("estatus,esperado", [("pendiente", "JOSÉ LUIS"), ("activo", "GUADALUPE"), ("baja", "MARIO")])
def test_filtro_por_estatus(client, datos, estatus, esperado):
    html = client.get(GRID, query_string={"estatus": estatus}).get_data(as_text=True)
    encontrados = {n for n in ("JOSÉ LUIS", "GUADALUPE", "MARIO") if n in html}
    assert encontrados == {esperado}


@pytest.mark.parametrize("orden,direccion,esperado", [
    ("fecha", "desc", ["MARIO", "GUADALUPE", "JOSÉ LUIS"]),
    ("fecha", "asc", ["JOSÉ LUIS", "GUADALUPE", "MARIO"]),
    ("nombre", "asc", ["MARIO", "GUADALUPE", "JOSÉ LUIS"]),   # BELTRÁN, HERNÁNDEZ, PÉREZ
    ("curp", "asc", ["MARIO", "GUADALUPE", "JOSÉ LUIS"]),      # BEML, HEGG, PEGL
    ("correo", "desc", ["MARIO", "GUADALUPE", "JOSÉ LUIS"]),
    ("estatus", "asc", ["GUADALUPE", "MARIO", "JOSÉ LUIS"]),   # activo, baja, pendiente
])
def test_orden_por_columna(client, datos, orden, direccion, esperado):
    html = client.get(GRID, query_string={"orden": orden, "dir": direccion}).get_data(as_text=True)
    posiciones = sorted((html.index(n), n) for n in esperado)
    assert [n for _, n in posiciones] == esperado
    assert 'aria-sort="' in html


def test_parametros_invalidos_no_rompen(client, datos):
    for qs in ({"orden": "drop table"}, {"dir": "x"}, {"estatus": "otro"}, {"despues": "%%%"},
               {"antes": "eyJ4Ijox"}, {"despues": "WzEsMl0"}, {"q": "x" * 500}):
        assert client.get(GRID, query_string=qs).status_code == 200, qs


NOMBRES_RE = re.compile(r'<th scope="row" data-etiqueta="Nombre">NOMBRE(\d{3})')


def test_paginacion_por_cursor(app, client):
    with app.app_context():
        c = crear_contratista()
        base = ahora_utc()
        for i in range(120):
            p = crear_persona(f"CURP{i:014d}", f"NOMBRE{i:03d}", "APELLIDO")
            _relacion(c, p, "pendiente", f"p{i:03d}@correo.example", base - timedelta(minutes=i))
        db.session.commit()
        rfc = c.rfc
    iniciar_sesion(client, rfc)
    vistos, url, paginas = [], GRID, 0
    while url:
        html = client.get(url).get_data(as_text=True)
        vistos += NOMBRES_RE.findall(html)
        siguiente = re.search(r'href="([^"]+)" hx-get="[^"]+" rel="next"', html)
        url = siguiente.group(1).replace("&amp;", "&") if siguiente else None
        paginas += 1
    assert paginas == 3
    assert vistos == [f"{i:03d}" for i in range(120)]  # newest first, no gaps, no repeats
    # Going back from page 3 gives page 2 exactly.
    html = client.get(GRID, query_string={"q": "nombre"}).get_data(as_text=True)
    html2 = client.get(re.search(r'href="([^"]+)" hx-get="[^"]+" rel="next"', html).group(1).replace("&amp;", "&")).get_data(as_text=True)
    anterior = re.search(r'href="([^"]+)" hx-get="[^"]+" rel="prev"', html2).group(1).replace("&amp;", "&")
    assert NOMBRES_RE.findall(client.get(anterior).get_data(as_text=True)) == [f"{i:03d}" for i in range(50)]


# --- Editar ------------------------------------------------------------------------------------

def test_editar_sin_js(client, app, datos, smtp):
    url = f"{GRID}/{datos['pendiente']}/editar"
    pagina = client.get(url)
    assert pagina.status_code == 200 and "Actualizar usuario" in pagina.get_data(as_text=True)
    assert 'value="jose@correo.example"' in pagina.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_de(pagina), "volver": GRID + "?q=jose", "telefono": "3312345678",
                               "correo": "Nuevo@Correo.example", "confirmar_correo": "nuevo@correo.example"})
    html = _confirmado_sin_js(client, r, datos["pendiente"], GRID + "?q=jose",
                              "Los datos del usuario capturista JOSÉ LUIS PÉREZ GARCÍA se actualizaron correctamente.")
    assert "nuevo@correo.example" in html and "Se le envió un nuevo correo para activar su acceso" in html
    with app.app_context():
        relacion = db.session.get(RelacionCapturista, datos["pendiente"])
        assert (relacion.telefono, relacion.correo, relacion.token_version) == ("3312345678", "nuevo@correo.example", 2)
        assert "nuevo@correo.example" in relacion.busqueda
        entrada = db.session.scalar(select(Bitacora).where(Bitacora.accion == "edicion"))
        assert entrada.detalle["cambios"]["correo"] == ["jose@correo.example", "nuevo@correo.example"]
    # A changed correo sends a new link to the new address.
    assert [m["To"] for m in smtp.mensajes] == ["nuevo@correo.example"]


def test_editar_con_htmx_cambia_la_fila(client, app, datos, smtp):
    rid = datos["pendiente"]
    r = client.get(f"{GRID}/{rid}/editar", headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tbody id="capturista-{rid}"') and 'name="telefono"' in html
    r = post_fila(client, f"{GRID}/{rid}/editar", {"telefono": "3312345678", "correo": "jose@correo.example",
                                                "confirmar_correo": "jose@correo.example"}, headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tbody id="capturista-{rid}"')
    assert "se actualizaron correctamente" in html and ">Aceptar<" in html and "3312345678" in html
    assert smtp.mensajes == []  # only the teléfono changed: no new link


@pytest.mark.parametrize("cambios,mensaje", [
    ({"telefono": "123"}, "El teléfono debe tener 10 dígitos"),
    ({"confirmar_correo": "otro@correo.example"}, "no coinciden"),
    ({"correo": "mal"}, "no tiene un formato válido"),
])
def test_editar_con_errores(client, app, datos, cambios, mensaje):
    rid = datos["pendiente"]
    campos = {"telefono": "3312345678", "correo": "x@correo.example", "confirmar_correo": "x@correo.example", **cambios}
    for headers in ({}, hx_fila(rid)):
        r = post_fila(client, f"{GRID}/{rid}/editar", campos, headers=headers)
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and mensaje in html and "Hay un problema" in html
        assert ("<!doctype html>" in html) == (not headers)
    with app.app_context():
        assert db.session.get(RelacionCapturista, rid).correo == "jose@correo.example"


@pytest.mark.parametrize("estado", ["activo", "baja"])
def test_editar_rechazado_fuera_de_pendiente(client, app, datos, estado):
    rid = datos[estado]
    for headers in ({}, hx_fila(rid)):
        assert client.get(f"{GRID}/{rid}/editar", headers=headers).status_code == 409
        r = post_fila(client, f"{GRID}/{rid}/editar", {"telefono": "3312345678", "correo": "x@correo.example",
                                                    "confirmar_correo": "x@correo.example"}, headers=headers)
        assert r.status_code == 409
        html = r.get_data(as_text=True)
        assert {"activo": "ya no es posible editar sus datos de contacto",
                "baja": "está dado de baja; actívalo antes de editar sus datos de contacto"}[estado] in html
    with app.app_context():
        relacion = db.session.get(RelacionCapturista, rid)
        assert relacion.correo != "x@correo.example" and relacion.telefono == "5512345678"
    assert "edicion" not in acciones_de_bitacora(app, rid)


# --- Enviar email ------------------------------------------------------------------------------

def test_enviar_email_nueva_liga_y_limite(client, app, datos, smtp):
    rid = datos["pendiente"]
    r = post_fila(client, f"{GRID}/{rid}/enviar-email", headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Se le envió un nuevo correo para activar su acceso" in html
    assert len(smtp.mensajes) == 1
    # Second within the minute: refused with a Spanish message, no e-mail.
    r = post_fila(client, f"{GRID}/{rid}/enviar-email")
    assert r.status_code == 429 and "hace menos de un minuto" in r.get_data(as_text=True)
    assert len(smtp.mensajes) == 1
    with app.app_context():
        assert db.session.get(RelacionCapturista, rid).token_version == 2
    assert acciones_de_bitacora(app, rid) == ["reenvio"]


def test_enviar_email_sin_js(client, app, datos, smtp):
    rid = datos["pendiente"]
    r = post_fila(client, f"{GRID}/{rid}/enviar-email", volver=GRID + "?estatus=")
    _confirmado_sin_js(client, r, rid, GRID + "?estatus=",
                       "Usuario capturista JOSÉ LUIS PÉREZ GARCÍA: Se le envió un nuevo correo")
    assert len(smtp.mensajes) == 1


@pytest.mark.parametrize("estado", ["activo", "baja"])
def test_enviar_email_rechazado(client, app, datos, smtp, estado):
    rid = datos[estado]
    for headers in ({}, hx_fila(rid)):
        r = post_fila(client, f"{GRID}/{rid}/enviar-email", headers=headers)
        assert r.status_code == 409
    assert smtp.mensajes == []
    assert acciones_de_bitacora(app, rid) == []


# --- Eliminar / Activar ------------------------------------------------------------------------

@pytest.mark.parametrize("estado", ["pendiente", "activo"])
def test_eliminar_con_confirmacion_sin_js(client, app, datos, estado):
    rid = datos[estado]
    pagina = client.get(f"{GRID}/{rid}/eliminar", query_string={"volver": GRID + "?q=a"})
    html = pagina.get_data(as_text=True)
    assert pagina.status_code == 200 and "¿Deseas dar de baja al usuario capturista?" in html
    assert ">Aceptar<" in html and ">Cancelar<" in html
    assert _estatus(app, rid) == estado  # the GET changes nothing
    r = client.post(f"{GRID}/{rid}/eliminar", data={"csrf_token": csrf_de(pagina), "volver": GRID + "?q=a"})
    nombre = {"pendiente": "JOSÉ LUIS PÉREZ GARCÍA", "activo": "GUADALUPE HERNÁNDEZ GARCÍA"}[estado]
    _confirmado_sin_js(client, r, rid, GRID + "?q=a", f"La relación con el usuario capturista {nombre} es baja.")
    assert _estatus(app, rid) == "baja"
    assert acciones_de_bitacora(app, rid) == ["baja"]


def test_eliminar_con_htmx(client, app, datos):
    rid = datos["activo"]
    r = client.get(f"{GRID}/{rid}/eliminar", headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tbody id="capturista-{rid}"')
    assert "¿Deseas dar de baja al usuario capturista?" in html and 'role="group"' in html
    r = post_fila(client, f"{GRID}/{rid}/eliminar", headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "La relación con el usuario capturista GUADALUPE HERNÁNDEZ GARCÍA es baja." in html
    assert ">Baja<" in html and f"/{rid}/activar" in html
    # Aceptar brings the plain row back.
    r = client.get(f"{GRID}/{rid}", headers=hx_fila(rid))
    assert "es baja" not in r.get_data(as_text=True) and ">Baja<" in r.get_data(as_text=True)


def test_eliminar_rechazado_si_ya_es_baja(client, app, datos):
    rid = datos["baja"]
    for headers in ({}, hx_fila(rid)):
        assert client.get(f"{GRID}/{rid}/eliminar", headers=headers).status_code == 409
        r = post_fila(client, f"{GRID}/{rid}/eliminar", headers=headers)
        assert r.status_code == 409 and "ya está dado de baja" in r.get_data(as_text=True)
    assert acciones_de_bitacora(app, rid) == []


def test_activar_baja_de_pendiente_vuelve_a_pendiente(client, app, datos):
    rid = datos["baja"]
    for headers in ({}, hx_fila(rid)):
        r = client.get(f"{GRID}/{rid}/activar", headers=headers)
        assert r.status_code == 200 and ">Continuar<" in r.get_data(as_text=True)
    r = post_fila(client, f"{GRID}/{rid}/activar", headers=hx_fila(rid))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "se activó correctamente" in html and ">Aceptar<" in html
    assert "Pendiente de activación" in html and f"/{rid}/enviar-email" in html
    assert _estatus(app, rid) == "pendiente"
    assert acciones_de_bitacora(app, rid) == ["activacion"]


def test_activar_sin_js_y_relacion_ya_aceptada_vuelve_a_activo(client, app, datos):
    rid = datos["activo"]
    post_fila(client, f"{GRID}/{rid}/eliminar")
    assert _estatus(app, rid) == "baja"
    r = post_fila(client, f"{GRID}/{rid}/activar")
    assert r.status_code == 303
    assert "se activó correctamente" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert _estatus(app, rid) == "activo"
    assert acciones_de_bitacora(app, rid) == ["baja", "activacion"]


@pytest.mark.parametrize("estado", ["pendiente", "activo"])
def test_activar_rechazado_si_no_es_baja(client, app, datos, estado):
    rid = datos[estado]
    for headers in ({}, hx_fila(rid)):
        assert client.get(f"{GRID}/{rid}/activar", headers=headers).status_code == 409
        r = post_fila(client, f"{GRID}/{rid}/activar", headers=headers)
        assert r.status_code == 409 and "no está dado de baja" in r.get_data(as_text=True)
    assert _estatus(app, rid) == estado


def test_pagina_vieja_no_puede_repetir_una_baja(client, app, datos):
    """Two tabs: both show Eliminar; the second POST meets the current state."""
    rid = datos["pendiente"]
    pestana1, pestana2 = client.get(f"{GRID}/{rid}/eliminar"), client.get(f"{GRID}/{rid}/eliminar")
    client.post(f"{GRID}/{rid}/eliminar", data={"csrf_token": csrf_de(pestana1)})
    r = client.post(f"{GRID}/{rid}/eliminar", data={"csrf_token": csrf_de(pestana2)})
    assert r.status_code == 409
    assert acciones_de_bitacora(app, rid) == ["baja"]


def test_baja_corta_la_liga_pendiente(client, app, datos, smtp):
    rid = datos["pendiente"]
    with app.test_request_context():
        from services.tokens import token_activacion
        token = token_activacion(db.session.get(RelacionCapturista, rid))
    assert app.test_client().get(f"/activacion/{token}").status_code == 200
    post_fila(client, f"{GRID}/{rid}/eliminar")
    assert app.test_client().get(f"/activacion/{token}").status_code == 410


# --- Bitácora ----------------------------------------------------------------------------------

def test_bitacora_por_capturista(client, app, datos, smtp):
    rid = datos["pendiente"]
    post_fila(client, f"{GRID}/{rid}/editar", {"telefono": "3312345678", "correo": "jose@correo.example",
                                           "confirmar_correo": "jose@correo.example"})
    post_fila(client, f"{GRID}/{rid}/eliminar")
    post_fila(client, f"{GRID}/{rid}/activar")
    html = client.get(f"{GRID}/{rid}/bitacora").get_data(as_text=True)
    for texto in ("Edición de datos de contacto", "Teléfono: 5512345678 → 3312345678", "Baja",
                  "Activación (reversión de baja)", "Alfa Servicios, S.A. (contratista)",
                  "Estatus anterior: Pendiente de activación", "Estatus nuevo: Pendiente de activación"):
        assert texto in html, texto
    # Issue 11 (6): labels and names, never the raw values.
    for crudo in (f"contratista:{datos['rfc_a']}", ": pendiente", "True", "False"):
        assert crudo not in html, crudo
    assert html.index("Activación (reversión de baja)") < html.index("Edición de datos")  # newest first


def test_editar_sin_cambios_no_escribe_bitacora(client, app, datos, smtp):
    """Issue 11 (6): Actualizar usuario with the same data says so and records nothing."""
    rid = datos["pendiente"]
    for headers in ({}, hx_fila(rid)):
        r = post_fila(client, f"{GRID}/{rid}/editar", {"telefono": "5512345678", "correo": "jose@correo.example",
                                                    "confirmar_correo": "jose@correo.example"}, headers=headers)
        texto = (client.get(r.headers["Location"]) if r.status_code == 303 else r).get_data(as_text=True)
        assert "No hubo cambios en los datos del usuario capturista JOSÉ LUIS PÉREZ GARCÍA." in texto
    assert acciones_de_bitacora(app, rid) == [] and smtp.mensajes == []


# --- Tenant isolation --------------------------------------------------------------------------

RUTAS_FILA = [
    ("GET", "{}"), ("GET", "{}/editar"), ("POST", "{}/editar"), ("POST", "{}/enviar-email"),
    ("GET", "{}/eliminar"), ("POST", "{}/eliminar"), ("GET", "{}/activar"), ("POST", "{}/activar"),
    ("GET", "{}/bitacora"), ("GET", "{}/resultado"),
]


@pytest.mark.parametrize("metodo,ruta", RUTAS_FILA)
@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_otro_contratista_recibe_404(client, app, datos, metodo, ruta, con_htmx):
    ajeno = datos["ajeno"]
    url = f"{GRID}/" + ruta.format(ajeno)
    headers = hx_fila(ajeno) if con_htmx else {}
    if metodo == "GET":
        r = client.get(url, headers=headers)
    else:
        r = post_fila(client, url, {"telefono": "3312345678", "correo": "x@correo.example",
                                "confirmar_correo": "x@correo.example"}, headers=headers)
    assert r.status_code == 404
    assert "CARMEN" not in r.get_data(as_text=True)
    with app.app_context():
        relacion = db.session.get(RelacionCapturista, ajeno)
        assert (relacion.estatus, relacion.correo, relacion.token_version) == ("pendiente", "carmen@correo.example", 1)
        assert db.session.scalar(select(func.count(Bitacora.id))) == 0
        assert db.session.scalar(select(func.count(CorreoSaliente.id))) == 0


@pytest.mark.parametrize("metodo,ruta", RUTAS_FILA)
def test_id_inexistente_es_404(client, datos, metodo, ruta):
    url = f"{GRID}/" + ruta.format(999999)
    r = client.get(url) if metodo == "GET" else post_fila(client, url)
    assert r.status_code == 404


def test_volver_no_sale_de_consulta(client, app, datos):
    r = post_fila(client, f"{GRID}/{datos['activo']}/eliminar", {"volver": "https://malicioso.example/"})
    html = _confirmado_sin_js(client, r, datos["activo"], GRID, "es baja.")
    assert "malicioso" not in html


def test_f09_activar_no_une_a_la_persona_por_si_solo(client, app, datos):
    """F01/F09: a relation the person never joined goes back to pending after Eliminar → Activar,
    even when the person has a usuario through another contractor (it used to become Activo,
    attaching the person without consent and telling the contractor the person had a usuario)."""
    with app.app_context():
        relacion = db.session.get(RelacionCapturista, datos["pendiente"])
        relacion.capturista.usuario = "jose.luis"
        relacion.capturista.activado_en = ahora_utc()
        db.session.commit()
    rid = datos["pendiente"]
    post_fila(client, f"{GRID}/{rid}/eliminar")
    r = post_fila(client, f"{GRID}/{rid}/activar")
    assert r.status_code == 303 and _estatus(app, rid) == "pendiente"
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Sigue pendiente de activación" in html


@pytest.mark.parametrize("con_htmx", [False, True], ids=["sin-js", "htmx"])
def test_activar_un_pendiente_le_deja_una_liga_valida_y_lo_dice(client, app, datos, smtp, con_htmx):
    """Issue 11 (1): Alta → Eliminar → Activar of a pending capturista: its link still works and the
    message says until when; once the link has expired, Activar sends a new one and says so."""
    rid = datos["pendiente"]
    headers = hx_fila(rid) if con_htmx else None

    def mensaje(r):
        return (r if con_htmx else client.get(r.headers["Location"])).get_data(as_text=True)

    post_fila(client, f"{GRID}/{rid}/eliminar", headers=headers)
    r = post_fila(client, f"{GRID}/{rid}/activar", headers=headers)
    assert "Sigue pendiente de activación. Su liga de activación sigue vigente hasta el" in mensaje(r)
    assert smtp.mensajes == []
    with app.app_context():
        relacion = db.session.get(RelacionCapturista, rid)
        assert (relacion.estatus, relacion.token_version) == ("pendiente", 1)  # the same link, still valid
        relacion.liga_vence_en = ahora_utc() - timedelta(minutes=1)
        db.session.commit()
    post_fila(client, f"{GRID}/{rid}/eliminar", headers=headers)
    r = post_fila(client, f"{GRID}/{rid}/activar", headers=headers)
    assert "Se le envió un nuevo correo para activar su acceso" in mensaje(r)
    assert [m["To"] for m in smtp.mensajes] == ["jose@correo.example"]
    with app.app_context():
        assert db.session.get(RelacionCapturista, rid).token_version == 2
    assert "Liga vencida" not in client.get(GRID).get_data(as_text=True)


def test_la_pagina_de_consulta_cuesta_dos_consultas(client, app, datos):
    """Issue 13 (2): the contractor with its Datos Generales in one query, the grid (its rows with
    their e-mail state) in another; nothing per row. (A grid of several pages adds its COUNT.)"""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    client.get(GRID)
    sentencias = []

    def contar(conexion, cursor, sentencia, *args):
        if sentencia.lstrip().upper().startswith("SELECT"):
            sentencias.append(sentencia)

    event.listen(Engine, "before_cursor_execute", contar)
    try:
        html = client.get(GRID).get_data(as_text=True)
    finally:
        event.remove(Engine, "before_cursor_execute", contar)
    assert "JOSÉ LUIS" in html and "GUADALUPE" in html and "MARIO" in html
    assert len(sentencias) == 2, sentencias
    assert "datos_generales" in sentencias[0] and "relacion_capturista" in sentencias[1]


def test_estado_del_correo_de_cada_fila(client, app):
    """The grid's "Estado del correo", computed in SQL (issue 13): the last link e-mail's state
    (an older one does not count, nor a notice that is not a link), "Liga vencida" for a pending
    relation whose link expired (not for an active one), "Sin correo" when there is none."""
    with app.app_context():
        c = crear_contratista(razon_social="Estados del Correo, S.A.")
        casos = {}

        def caso(clave, *, estatus="pendiente", correos=(), vencida=False):
            persona = crear_persona(f"ESTC{len(casos):014d}", clave.upper(), "CORREO", "ESTADO")
            relacion = _relacion(c, persona, estatus, f"{clave}@correo.example")
            if vencida:
                relacion.liga_vence_en = ahora_utc() - timedelta(minutes=1)
            for tipo, estado in correos:
                db.session.add(CorreoSaliente(tipo=tipo, relacion_id=relacion.id, destinatario="x@correo.example",
                                              asunto="a", cuerpo_texto="t", cuerpo_html="h", estado=estado))
                db.session.flush()
            casos[clave] = relacion.id

        caso("enviado", correos=[("activacion", "fallido"), ("activacion", "enviado")])
        caso("encola", correos=[("activacion", "pendiente")])
        caso("enviando", correos=[("invitacion", "enviando")])
        caso("fallido", correos=[("activacion", "enviado"), ("activacion", "fallido")])
        caso("aviso", correos=[("activacion", "enviado"), ("aviso_baja", "fallido")])
        caso("sin")
        caso("vencida", correos=[("activacion", "enviado")], vencida=True)
        caso("activa", estatus="activo", correos=[("activacion", "enviado")], vencida=True)
        db.session.commit()
        rfc = c.rfc
    iniciar_sesion(client, rfc)
    html = client.get(GRID).get_data(as_text=True)
    esperado = {"enviado": "Enviado", "encola": "Pendiente de envío", "enviando": "Pendiente de envío",
                "fallido": "No se pudo enviar", "aviso": "Enviado", "sin": "Sin correo",
                "vencida": "Liga vencida", "activa": "Enviado"}
    for clave, rid in casos.items():
        fila = re.search(rf'<tbody id="capturista-{rid}".*?</tbody>', html, re.S).group(0)
        estado = re.search(r'data-etiqueta="Estado del correo">([^<]*)<', fila).group(1)
        assert estado == esperado[clave], (clave, estado)
