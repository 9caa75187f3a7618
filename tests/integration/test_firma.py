"""Firmar y presentar, Sin información, complementarias and the acuse, over HTTP (issue 15): plain multipart
forms (no JS), each refused e.firma with its own Spanish message, a 422 and nothing stored; the acuse page
and PDF for the contractor and its active capturistas; a presented informativa refuses every change."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import url_for
from pypdf import PdfReader
from sqlalchemy import func, select, text

from extensions import db
from models import Acuse, Bitacora, Contrato, FolioAnual, Informativa, Trabajador
from services import presentacion
from tests.ayudantes import csrf_de, elegir_contratista, iniciar_sesion, iniciar_sesion_capturista
from tests.efirma import autoridad, fiel
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa

VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')


@pytest.fixture
def datos(app, client):
    """Contractor A (logged in) with an informativa of 2026-2 sent to signature; maria.lopez works for A."""
    with app.app_context():
        a = crear_contratista(razon_social="Alfa Firmas, S.A.")
        crear_capturista_activo(a)
        informativa = db.session.get(Informativa, crear_informativa(a, contratos=2, trabajadores=2))
        informativa.estado = Informativa.ENVIADA
        db.session.commit()
        datos = {"a": a, "rfc": a.rfc, "id": a.id, "informativa": informativa.id}
    iniciar_sesion(client, datos["rfc"])
    return datos


def _archivos(cer: bytes, key: bytes, password: str) -> dict:
    return {"cer": (io.BytesIO(cer), "mi_efirma.cer"), "key": (io.BytesIO(key), "Claveprivada_FIEL.key"),
            "password": password}


def _firmar(client, informativa_id: int, archivos: dict, version: str | None = None):
    url = f"/informativas/{informativa_id}/firmar"
    pagina = client.get(url)
    html = pagina.get_data(as_text=True)
    datos = {"csrf_token": csrf_de(pagina), "version": version or VERSION_RE.search(html).group(1), **archivos}
    return client.post(url, data=datos, content_type="multipart/form-data")


def _nada_guardado(app, informativa_id: int) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Acuse)) == 0
        assert db.session.scalar(select(func.count()).select_from(FolioAnual)) == 0
        assert db.session.get(Informativa, informativa_id).estado == Informativa.ENVIADA
        assert not db.session.scalar(select(func.count()).select_from(Bitacora).where(Bitacora.accion == "presentacion"))


def test_la_pagina_muestra_el_resumen_la_revision_y_el_formulario(client, datos):
    html = client.get(f"/informativas/{datos['informativa']}/firmar").get_data(as_text=True)
    assert "Firmar y presentar" in html and "Revisión de consistencia" in html
    assert 'enctype="multipart/form-data"' in html
    for etiqueta in ("Certificado (.cer)", "Clave privada (.key)", "Contraseña de la clave privada"):
        assert etiqueta in html
    # The informativa page offers it.
    assert f'href="/informativas/{datos["informativa"]}/firmar"' in client.get(f"/informativas/{datos['informativa']}").get_data(as_text=True)


def test_firmar_presenta_y_lleva_al_acuse(app, client, datos, efirma_de):
    r = _firmar(client, datos["informativa"], _archivos(*efirma_de(datos["rfc"])))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/informativas/{datos['informativa']}/acuse")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        acuse = db.session.scalar(select(Acuse))
        folio, sello = acuse.folio, acuse.sello
    assert f"Folio: {folio}" in html  # the flash
    for esperado in ("Acuse de presentación", folio, "Alfa Firmas, S.A.", "Extemporánea", sello, "OCSP"):
        assert esperado in html
    pdf = client.get(f"/informativas/{datos['informativa']}/acuse.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f'filename=acuse-{folio}.pdf' in pdf.headers["Content-Disposition"]
    assert pdf.headers["Cache-Control"] == "no-store"
    assert folio in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    # Once presented, the signing page leads to the acuse, and the list shows the folio.
    assert client.get(f"/informativas/{datos['informativa']}/firmar").status_code == 303
    assert folio in client.get("/informativas").get_data(as_text=True)


def _ca_ajena():
    return autoridad("AC de pruebas")  # same name as the installed one, another key: an impostor


AHORA = datetime.now(timezone.utc)


@pytest.mark.parametrize(("caso", "mensaje"), [
    ("contrasena", "La contraseña de la clave privada es incorrecta."),
    ("otra_clave", "La clave privada no corresponde al certificado."),
    ("csd", "Este es un certificado de sello digital (CSD); usa tu e.firma."),
    ("vencida", "venció el"),
    ("futura", "es válida a partir del"),
    ("ca_desconocida", "no fue emitido por una autoridad certificadora del SAT reconocida"),
    ("otro_rfc", "pertenece al RFC ZZZ010101ZZ9"),
    ("cer_corrupto", "no es un certificado válido"),
    ("key_corrupta", "no es una clave privada válida"),
    ("cer_grande", "excede el tamaño máximo"),
    ("sin_archivos", "Elige el archivo del certificado (.cer)"),
])
def test_cada_efirma_rechazada_tiene_su_mensaje_y_no_guarda_nada(app, client, datos, efirma_de, efirma_ca, caso, mensaje):
    cer, key, password = efirma_de(datos["rfc"])
    if caso == "contrasena":
        password = "otra cosa"
    elif caso == "otra_clave":
        key = efirma_de(datos["rfc"])[1]
    elif caso == "csd":
        cer, key, password = efirma_de(datos["rfc"], csd=True)
    elif caso == "vencida":
        cer, key, password = efirma_de(datos["rfc"], desde=AHORA - timedelta(days=800), hasta=AHORA - timedelta(days=1))
    elif caso == "futura":
        cer, key, password = efirma_de(datos["rfc"], desde=AHORA + timedelta(days=2))
    elif caso == "ca_desconocida":
        cer, key, password = fiel(_ca_ajena(), rfc=datos["rfc"])
    elif caso == "otro_rfc":
        cer, key, password = efirma_de("ZZZ010101ZZ9")
    elif caso == "cer_corrupto":
        cer = cer[:200]
    elif caso == "key_corrupta":
        key = b"\x30\x82" + key[2:100]
    elif caso == "cer_grande":
        cer = cer + b"\0" * (app.config["EFIRMA_TAMANO_MAXIMO"] + 1)
    archivos = {} if caso == "sin_archivos" else _archivos(cer, key, password)
    if caso == "sin_archivos":
        archivos = {"password": password}
    r = _firmar(client, datos["informativa"], archivos)
    assert r.status_code == 422, caso
    html = r.get_data(as_text=True)
    assert "Hay un problema" in html and mensaje in html, caso
    assert password not in html or caso == "sin_archivos"  # never echoed back
    _nada_guardado(app, datos["informativa"])


def test_cinco_contrasenas_incorrectas_hacen_esperar(app, client, datos, efirma_de):
    cer, key, password = efirma_de(datos["rfc"])
    for _ in range(5):
        r = _firmar(client, datos["informativa"], _archivos(cer, key, "incorrecta"))
    assert "espera 15 minutos" in r.get_data(as_text=True)
    # Even the right password waits now.
    r = _firmar(client, datos["informativa"], _archivos(cer, key, password))
    assert r.status_code == 422 and "espera 15 minutos" in r.get_data(as_text=True)
    _nada_guardado(app, datos["informativa"])


def test_una_version_vieja_es_409_y_no_firma(app, client, datos, efirma_de):
    r = _firmar(client, datos["informativa"], _archivos(*efirma_de(datos["rfc"])), version="1")
    assert r.status_code == 409
    _nada_guardado(app, datos["informativa"])


def test_un_borrador_no_se_firma(app, client, datos, efirma_de):
    with app.app_context():
        borrador = crear_informativa(db.session.merge(datos["a"]), periodo=(2026, 1))
    assert "Solo se firma una informativa que tus capturistas te enviaron" in \
        client.get(f"/informativas/{borrador}/firmar").get_data(as_text=True)
    r = _firmar(client, borrador, _archivos(*efirma_de(datos["rfc"])), version="1")
    assert r.status_code == 409


def _presentar(client, datos, efirma_de) -> str:
    assert _firmar(client, datos["informativa"], _archivos(*efirma_de(datos["rfc"]))).status_code == 303
    return f"/informativas/{datos['informativa']}"


def _foto(app, informativa_id: int) -> tuple:
    """Everything stored of the informativa: its row, its contracts and workers (all columns)."""
    with app.app_context():
        return tuple(tuple(map(tuple, db.session.execute(text(consulta), {"i": informativa_id}).all())) for consulta in (
            "SELECT * FROM informativa WHERE id = :i", "SELECT * FROM contrato WHERE informativa_id = :i ORDER BY id",
            "SELECT * FROM trabajador WHERE informativa_id = :i ORDER BY id", "SELECT * FROM acuse WHERE informativa_id = :i"))


def test_una_presentada_no_cambia_por_ninguna_ruta(app, client, datos, efirma_de):
    url = _presentar(client, datos, efirma_de)
    antes = _foto(app, datos["informativa"])
    with app.app_context():
        contrato = db.session.scalar(select(Contrato).where(Contrato.informativa_id == datos["informativa"]))
        trabajador = db.session.scalar(select(Trabajador).where(Trabajador.contrato_id == contrato.id))
        ids = {"informativa_id": datos["informativa"], "contrato_id": contrato.id, "trabajador_id": trabajador.id}
        version, version_contrato = db.session.get(Informativa, datos["informativa"]).version, contrato.version
    # The contractor: Devolver and Firmar refuse it (a complementaria is a new informativa: tested apart).
    token = csrf_de(client.get(url))
    for ruta in ("/devolver", "/firmar"):
        r = client.post(url + ruta, data={"csrf_token": token, "comentario": "x", "version": version})
        assert r.status_code == 409, ruta
    # Every capturista POST route that takes the informativa, with well-formed data and current versions.
    capturista = app.test_client()
    iniciar_sesion_capturista(capturista)
    elegir_contratista(capturista, datos["id"])
    token = csrf_de(capturista.get(f"/capturista/informativas/{datos['informativa']}"))
    rutas = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith("captura.") and "POST" in r.methods and "informativa_id" in r.arguments]
    assert len(rutas) >= 10
    for regla in rutas:
        if "carga_id" in regla.arguments:
            continue
        with app.test_request_context():
            destino = url_for(regla.endpoint, **{a: ids[a] for a in regla.arguments})
        r = capturista.post(destino, data={"csrf_token": token, "version": version_contrato, "tipo": "sin_informacion",
                                           "nss": "12345678903", "curp": "PEGL850304HJCRRS07", "sbc": "400"})
        assert r.status_code == 409, regla.endpoint
    assert _foto(app, datos["informativa"]) == antes
    with app.app_context():
        assert presentacion.verificar(db.session.scalar(select(Acuse.folio))).valida


def test_los_capturistas_activos_ven_y_descargan_el_acuse(app, client, datos, efirma_de):
    _presentar(client, datos, efirma_de)
    capturista = app.test_client()
    iniciar_sesion_capturista(capturista)
    elegir_contratista(capturista, datos["id"])
    base = f"/capturista/informativas/{datos['informativa']}"
    assert "ver acuse de presentación" in capturista.get(base).get_data(as_text=True)
    html = capturista.get(f"{base}/acuse").get_data(as_text=True)
    with app.app_context():
        folio = db.session.scalar(select(Acuse.folio))
    assert "Acuse de presentación" in html and folio in html
    pdf = capturista.get(f"{base}/acuse.pdf")
    assert pdf.status_code == 200 and folio in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    # A draft has no acuse.
    with app.app_context():
        otra = crear_informativa(db.session.merge(datos["a"]), periodo=(2026, 1))
    assert capturista.get(f"/capturista/informativas/{otra}/acuse").status_code == 404


def test_el_acuse_de_otro_contratista_es_404(app, client, datos, efirma_de):
    url = _presentar(client, datos, efirma_de)
    otro = app.test_client()
    with app.app_context():
        rfc_b = crear_contratista().rfc
    iniciar_sesion(otro, rfc_b)
    for ruta in ("/acuse", "/acuse.pdf", "/firmar", "/sin-efectos"):
        assert otro.get(url + ruta).status_code == 404, ruta


def test_sin_informacion_desde_la_lista(app, client, datos, efirma_de):
    pagina = client.get("/informativas/sin-informacion")
    html = pagina.get_data(as_text=True)
    # 2026-2 already has an informativa; 2026-3 is still in course: the newest offered is 2026-1.
    assert 'value="2026-1"' in html and 'value="2026-2"' not in html and 'value="2026-3"' not in html
    r = client.post("/informativas/sin-informacion", content_type="multipart/form-data",
                    data={"csrf_token": csrf_de(pagina), "periodo": "2026-1", **_archivos(*efirma_de(datos["rfc"]))})
    assert r.status_code == 303
    with app.app_context():
        acuse = db.session.scalar(select(Acuse))
        assert acuse.folio.startswith("SI") and acuse.informativa.tipo == Informativa.SIN_INFORMACION
    assert acuse.folio in client.get(r.headers["Location"]).get_data(as_text=True)
    # Without a period chosen: the message, nothing else.
    r = client.post("/informativas/sin-informacion", content_type="multipart/form-data",
                    data={"csrf_token": csrf_de(pagina), **_archivos(*efirma_de(datos["rfc"]))})
    assert r.status_code == 422 and "Elige el periodo" in r.get_data(as_text=True)


def test_correccion_y_sin_efectos_desde_la_pagina(app, client, datos, efirma_de):
    url = _presentar(client, datos, efirma_de)
    html = client.get(url).get_data(as_text=True)
    assert "Complementarias" in html and "Iniciar complementaria de corrección" in html
    version = VERSION_RE.findall(html)[-1]
    r = client.post(f"{url}/correccion", data={"csrf_token": csrf_de(client.get(url)), "version": version})
    assert r.status_code == 303
    nueva = r.headers["Location"]
    html = client.get(nueva).get_data(as_text=True)
    assert "Complementaria de corrección de la informativa" in html and "Iniciaste una complementaria" in html
    # While it is in capture, the original takes no other complementaria.
    assert "Iniciar complementaria de corrección" not in client.get(url).get_data(as_text=True)
    pagina = client.get(f"{url}/sin-efectos")
    r = client.post(f"{url}/sin-efectos", content_type="multipart/form-data",
                    data={"csrf_token": csrf_de(pagina), "version": VERSION_RE.search(pagina.get_data(as_text=True)).group(1),
                          **_archivos(*efirma_de(datos["rfc"]))})
    assert r.status_code == 409 and "en captura" in r.get_data(as_text=True)
