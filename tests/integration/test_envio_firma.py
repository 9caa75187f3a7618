"""Enviar a firma, the capturista's side (issue 14): the section of the informativa page says what is
missing or offers the button; its confirmation (in the page with htmx, a page of its own without it)
shows the summary and the all-green checklist; the send locks the informativa, e-mails the contractor
(through the outbox, and through a real SMTP server on loopback) and says whether the e-mail went; a
stale version or a failing rule is a 409 that changes nothing; once sent, every capturista POST on the
informativa is a 409 and the page says when and by whom it was sent."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from extensions import db, mail
from models import Bitacora, CorreoSaliente, Informativa
from services import informativas as srv
from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion_capturista, liga_de
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

BASE = "/capturista/informativas"
HX = {"HX-Request": "true", "HX-Target": "envio-firma"}
LIGA_INFORMATIVA_RE = re.compile(r"http://localhost(/informativas/\d+)")
VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')


@pytest.fixture
def datos(app, client):
    """maria.lopez works for A, which has a complete informativa (2 contracts, 3 workers each) and an
    incomplete one (a contract without workers)."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Envíos, S.A.")
        crear_capturista_activo(a)
        completa = crear_informativa(a, contratos=2, trabajadores=3)
        incompleta = crear_informativa(a, periodo=(2026, 1), contratos=1, trabajadores=0)
        datos = {"a": a.id, "correo": a.correo, "completa": completa, "incompleta": incompleta}
    iniciar_sesion_capturista(client)
    elegir_contratista(client, datos["a"])
    return datos


def _pagina(client, informativa_id: int) -> str:
    r = client.get(f"{BASE}/{informativa_id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _version(html: str) -> str:
    return VERSION_RE.search(html).group(1)


def _enviar(client, informativa_id: int, version: str | None = None, headers=None):
    confirmacion = client.get(f"{BASE}/{informativa_id}/enviar")
    datos = {"csrf_token": csrf_de(confirmacion)}
    datos["version"] = version if version is not None else _version(confirmacion.get_data(as_text=True))
    return client.post(f"{BASE}/{informativa_id}/enviar", data=datos, headers=headers or {})


def _estado(app, informativa_id: int) -> tuple[str, int]:
    with app.app_context():
        informativa = db.session.get(Informativa, informativa_id)
        return informativa.estado, informativa.version


def test_la_seccion_dice_que_falta_y_no_ofrece_el_boton(client, datos):
    html = _pagina(client, datos["incompleta"])
    seccion = html[html.index('id="envio-firma"'):]
    assert "Para enviarla a firma, la informativa debe cumplir:" in seccion
    assert "<li>Cada contrato tiene al menos un trabajador</li>" in seccion
    assert "/enviar" not in seccion  # no button, no link to the confirmation


def test_confirmacion_sin_js_en_su_pagina(client, app, datos):
    html = _pagina(client, datos["completa"])
    assert 'id="enviar-a-firma"' in html and f'href="{BASE}/{datos["completa"]}/enviar"' in html
    r = client.get(f"{BASE}/{datos['completa']}/enviar")
    pagina = r.get_data(as_text=True)
    assert r.status_code == 200 and "<h1>Enviar a firma</h1>" in pagina
    assert r.headers["Vary"].startswith("HX-Request, HX-Target")  # the same URL answers htmx with the section
    assert "¿Enviar a firma la informativa del segundo cuatrimestre de 2026 (mayo–agosto)?" in pagina
    assert "<dt>Contratos</dt><dd>2</dd>" in pagina and "<dt>Trabajadores</dt><dd>6</dd>" in pagina
    assert "<dt>Tipo</dt><dd>Normal</dd>" in pagina and "No cumple:" not in pagina
    assert pagina.count("Cumple:") == 7  # every rule of a Normal, all green
    assert "hx-post" not in pagina and f'href="{BASE}/{datos["completa"]}">Cancelar</a>' in pagina
    assert _estado(app, datos["completa"])[0] == "borrador"  # asking changes nothing


def test_confirmacion_con_htmx_en_la_seccion(client, datos):
    r = client.get(f"{BASE}/{datos['completa']}/enviar", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith('<section id="envio-firma"')
    assert "<html" not in html and "data-enfocar" in html and "data-escape" in html
    assert f'hx-post="{BASE}/{datos["completa"]}/enviar"' in html
    assert f'hx-get="{BASE}/{datos["completa"]}/envio" data-cerrar>Cancelar</a>' in html
    # Cancelar: the section as the page shows it (its button again); without htmx, the page.
    r = client.get(f"{BASE}/{datos['completa']}/envio", headers=HX)
    assert 'id="enviar-a-firma"' in r.get_data(as_text=True) and "confirmacion" not in r.get_data(as_text=True)
    r = client.get(f"{BASE}/{datos['completa']}/envio")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{BASE}/{datos['completa']}")


def test_enviar_sin_js_bloquea_y_avisa_al_contratista(client, app, datos):
    with mail.record_messages() as enviados:
        r = _enviar(client, datos["completa"])
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/{datos['completa']}")
    html = _pagina(client, datos["completa"])
    assert "La informativa se envió a firma; el contratista recibió un correo." in html
    assert "<dt>Estado</dt><dd>Enviada a firma</dd>" in html
    assert re.search(r"Enviada a firma el \d\d/\d\d/\d{4} \d\d:\d\d por GUADALUPE HERNÁNDEZ GARCÍA \(capturista\)\.",
                     html)
    assert 'id="enviar-a-firma"' not in html and "Cambiar tipo" not in html  # read-only
    # The e-mail went at once, to the contractor, with the link to its view of the informativa.
    assert len(enviados) == 1 and enviados[0].recipients == [datos["correo"]]
    assert enviados[0].subject == "Informativa del segundo cuatrimestre de 2026 (mayo–agosto) lista para firma"
    assert "GUADALUPE HERNÁNDEZ GARCÍA envió a firma" in enviados[0].body
    assert LIGA_INFORMATIVA_RE.search(enviados[0].body).group(1) == f"/informativas/{datos['completa']}"
    with app.app_context():
        correo = db.session.scalar(select(CorreoSaliente).where(CorreoSaliente.tipo == "informativa_enviada"))
        assert correo.estado == "enviado" and correo.contratista_id == datos["a"]
        assert db.session.scalar(select(Bitacora.actor).where(Bitacora.accion == "envio_firma")) \
            == "capturista:maria.lopez"


def test_enviar_con_htmx_navega_a_la_pagina(client, app, datos):
    r = _enviar(client, datos["completa"], headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"{BASE}/{datos['completa']}"
    assert _estado(app, datos["completa"])[0] == "enviada"
    assert "La informativa se envió a firma" in _pagina(client, datos["completa"])


def test_el_correo_llega_por_smtp_real(client, app, datos, smtp):
    assert _enviar(client, datos["completa"]).status_code == 303
    assert "el contratista recibió un correo" in _pagina(client, datos["completa"])
    assert [m["To"] for m in smtp.mensajes] == [datos["correo"]]
    assert liga_de(smtp.mensajes[0], LIGA_INFORMATIVA_RE) == f"/informativas/{datos['completa']}"


def test_si_el_correo_no_sale_el_mensaje_lo_dice(client, app, datos, monkeypatch):
    import services.correo

    monkeypatch.setattr(services.correo, "enviar_pendientes", lambda ids=None, limite=200: (0, 0))
    assert _enviar(client, datos["completa"]).status_code == 303
    html = _pagina(client, datos["completa"])
    assert "el correo para el contratista quedó pendiente de envío y el sistema lo reintentará" in html
    assert _estado(app, datos["completa"])[0] == "enviada"  # sent all the same: the outbox keeps the message


def test_version_vieja_es_409_y_no_cambia_nada(client, app, datos):
    confirmacion = client.get(f"{BASE}/{datos['completa']}/enviar")
    leida = _version(confirmacion.get_data(as_text=True))
    with app.app_context():  # another capturista changes it after the confirmation was read
        informativa = srv.de_contratista(datos["a"], datos["completa"], bloquear=True)
        srv.cambiar_tipo(informativa, "normal", informativa.version, "capturista:otra")
        contrato = db.session.scalar(select(srv.Contrato).where(srv.Contrato.informativa_id == informativa.id))
        srv.editar_contrato(informativa, contrato, srv.DatosContrato(**{
            **{c: getattr(contrato, c) for c in srv.DatosContrato.__dataclass_fields__}, "objeto": "Otro objeto"}),
            contrato.version, "capturista:otra")
        db.session.commit()
    antes = _estado(app, datos["completa"])
    for encabezados, estado in (({}, 409), (HX, 409)):
        r = client.post(f"{BASE}/{datos['completa']}/enviar",
                        data={"csrf_token": csrf_de(confirmacion), "version": leida}, headers=encabezados)
        assert r.status_code == estado
        assert _estado(app, datos["completa"]) == antes
    html = _pagina(client, datos["completa"])  # the htmx answer navigated here with the message
    assert "Otra persona modificó la informativa mientras lo editabas" in html
    sin_js = client.post(f"{BASE}/{datos['completa']}/enviar", data={"csrf_token": csrf_de(confirmacion), "version": leida})
    texto = sin_js.get_data(as_text=True)
    assert "Otra persona modificó la informativa" in texto
    assert f'<a class="boton" href="{BASE}/{datos["completa"]}">Volver a cargar la informativa</a>' in texto
    # Without a version (an altered form): the same conflict.
    r = client.post(f"{BASE}/{datos['completa']}/enviar", data={"csrf_token": csrf_de(confirmacion)})
    assert r.status_code == 409 and _estado(app, datos["completa"]) == antes


def test_con_la_revision_incompleta_no_se_pregunta_ni_se_envia(client, app, datos):
    r = client.get(f"{BASE}/{datos['incompleta']}/enviar")
    assert r.status_code == 409
    assert "La informativa tiene inconsistencias: corrígelas antes de enviarla a firma." in r.get_data(as_text=True)
    r = client.get(f"{BASE}/{datos['incompleta']}/enviar", headers=HX)
    assert r.status_code == 409 and r.headers["HX-Redirect"] == f"{BASE}/{datos['incompleta']}"
    pagina = client.get(f"{BASE}/{datos['incompleta']}")
    version = _version(pagina.get_data(as_text=True))
    r = client.post(f"{BASE}/{datos['incompleta']}/enviar", data={"csrf_token": csrf_de(pagina), "version": version})
    assert r.status_code == 409 and "tiene inconsistencias" in r.get_data(as_text=True)
    assert _estado(app, datos["incompleta"]) == ("borrador", int(version))
    with app.app_context():
        assert db.session.scalar(select(CorreoSaliente)) is None


def test_enviada_es_de_solo_lectura(client, app, datos):
    pagina = client.get(f"{BASE}/{datos['completa']}")
    token, version = csrf_de(pagina), _version(pagina.get_data(as_text=True))
    assert _enviar(client, datos["completa"]).status_code == 303
    antes = _estado(app, datos["completa"])
    # Every capturista POST on it is refused before its view runs: Tipo, Enviar again.
    for url, datos_post in ((f"{BASE}/{datos['completa']}/tipo", {"tipo": "sin_informacion", "version": antes[1]}),
                            (f"{BASE}/{datos['completa']}/enviar", {"version": antes[1]})):
        r = client.post(url, data={"csrf_token": token, **datos_post})
        assert r.status_code == 409, url
        assert "La informativa está «Enviada a firma»: ya no se puede modificar." in r.get_data(as_text=True)
        r = client.post(url, data={"csrf_token": token, **datos_post}, headers={"HX-Request": "true",
                                                                               "HX-Target": "cualquier-fila"})
        assert r.status_code == 409 and r.headers["HX-Redirect"] == f"{BASE}/{datos['completa']}"
    assert _estado(app, datos["completa"]) == antes
    assert version != antes[1]
    # Its confirmation is not offered any more.
    assert client.get(f"{BASE}/{datos['completa']}/enviar").status_code == 409


def test_devuelta_se_corrige_y_se_reenvia(client, app, datos):
    assert _enviar(client, datos["completa"]).status_code == 303
    with app.app_context():
        informativa = srv.de_contratista(datos["a"], datos["completa"], bloquear=True)
        srv.devolver(informativa, "Falta el contrato de Monterrey.\nRevisa el SBC de NOMBRE1.", "contratista:X")
    html = _pagina(client, datos["completa"])
    assert "El contratista la devolvió para corrección" in html
    assert "Falta el contrato de Monterrey.\nRevisa el SBC de NOMBRE1." in html
    assert 'id="enviar-a-firma"' in html and "Cambiar tipo" in html  # editable again
    r = _enviar(client, datos["completa"])
    assert r.status_code == 303 and _estado(app, datos["completa"])[0] == "enviada"
    with app.app_context():
        assert len(db.session.scalars(select(CorreoSaliente)).all()) == 2


def test_exportar_del_capturista(client, app, datos):
    import io

    from openpyxl import load_workbook

    r = client.get(f"{BASE}/{datos['completa']}/exportar")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=informativa_")
    libro = load_workbook(io.BytesIO(r.data), read_only=True)
    assert libro.sheetnames == ["Contratos", "Trabajadores"]
    assert len(list(libro["Trabajadores"].iter_rows(min_row=3))) == 6
    with app.app_context():
        entrada = db.session.scalar(select(Bitacora).where(Bitacora.accion == "exportacion_informativa"))
        assert entrada.actor == "capturista:maria.lopez" and entrada.detalle == {"contratos": 2, "trabajadores": 6}


def test_otro_contratista_no_se_alcanza(client, app, datos):
    with app.app_context():
        b = crear_contratista(razon_social="Beta Ajena, S.A.")
        ajena = crear_informativa(b)
    for url in (f"{BASE}/{ajena}/enviar", f"{BASE}/{ajena}/envio", f"{BASE}/{ajena}/exportar"):
        assert client.get(url).status_code == 404, url
    token = csrf_de(client.get(f"{BASE}/{datos['completa']}"))
    assert client.post(f"{BASE}/{ajena}/enviar", data={"csrf_token": token, "version": "2"}).status_code == 404
    assert _estado(app, ajena)[0] == "borrador"
