"""The .key and its password are used in memory only: after logging in with an e.firma (and after every
kind of refusal) neither the password nor any piece of the key is in a log record, the session cookie
or any row of the database, and no upload ever spilled to a temporary file."""
from __future__ import annotations

import base64
import logging
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from tests.ayudantes import LOGIN_EFIRMA, datos_efirma, iniciar_sesion_con_efirma
from tests.factories import crear_contratista

PASSWORD = "Marcador#DeLaClave-7Q2w"


def _marcadores(key: bytes) -> tuple[list[bytes], list[str]]:
    """Pieces of the encrypted key as they could leak: raw, hex, base64."""
    trozo = key[300:340]
    return [trozo, PASSWORD.encode()], [PASSWORD, trozo.hex(), trozo.hex().upper(),
                                        base64.b64encode(key[300:348]).decode(), repr(trozo)[2:-1]]


@pytest.fixture
def sin_archivos_temporales(monkeypatch):
    """Any temporary file (Werkzeug's spill of a large part included) fails the test."""
    def prohibido(*args, **kwargs):
        raise AssertionError("se escribió un archivo temporal")

    for nombre in ("TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, nombre, prohibido)
    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", prohibido)


def test_ni_la_clave_ni_la_contrasena_quedan_en_logs_sesion_o_base(app, client, efirma_de, caplog,
                                                                    sin_archivos_temporales):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        rfc = crear_contratista().rfc
    cer, key, password = efirma_de(rfc, password=PASSWORD)
    crudos, textos = _marcadores(key)
    limite = app.config["EFIRMA_TAMANO_MAXIMO"]
    # Requests that make the app log while the e.firma is in hand: no CA installed (an error for the
    # operator), no CSRF token (Flask-WTF says why).
    carpeta = app.config["EFIRMA_CA_DIR"]
    app.config["EFIRMA_CA_DIR"] = str(Path(carpeta) / "vacia")
    sin_ca = iniciar_sesion_con_efirma(client, cer, key, PASSWORD)
    app.config["EFIRMA_CA_DIR"] = carpeta
    sin_csrf = client.post(LOGIN_EFIRMA, data=datos_efirma(cer, key, PASSWORD))
    respuestas = [
        sin_ca, sin_csrf,
        iniciar_sesion_con_efirma(client, cer, key, "Otra" + PASSWORD),            # wrong password
        iniciar_sesion_con_efirma(client, cer[:200], key, PASSWORD),               # damaged .cer
        iniciar_sesion_con_efirma(client, cer, key + b"\0" * limite, PASSWORD),     # .key over the limit
        iniciar_sesion_con_efirma(client, cer, key * 450, PASSWORD),               # body over the limit (580 KB)
        iniciar_sesion_con_efirma(client, cer, key, PASSWORD),                     # logged in
    ]
    assert [r.status_code for r in respuestas] == [422, 400, 422, 422, 422, 422, 303]
    assert client.get("/").status_code == 200

    # Logs: every record's text, arguments and traceback.
    registros = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert {"services.efirma", "flask_wtf.csrf"} <= {r.name for r in caplog.records}, "la prueba no vería una fuga"
    assert not [m for m in textos if m in registros]

    # The session cookie, raw and decoded.
    cookie = client.get_cookie("session").value
    sesion = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert not [m for m in textos if m in cookie or m in repr(sesion)]

    # Every row of every table.
    with app.app_context():
        for tabla in db.metadata.sorted_tables:
            for fila in db.session.execute(select(tabla)):
                for valor in fila:
                    if isinstance(valor, bytes):
                        assert not [m for m in crudos if m in valor], tabla.name
                    assert not [m for m in textos if m in str(valor)], tabla.name

    # The pages never echo the password (a password field is never filled back).
    assert not [r for r in respuestas if PASSWORD.encode() in r.data]
