"""SMTP down during a carga masiva de capturistas: Guardar creates every capturista and queues every activation
e-mail; nothing is lost, the contractor is told they are pending (Consulta), and a later run of the sender —
``flask correos enviar`` or the Huey periodic task — delivers each of them to a real SMTP server on loopback
exactly once; running the senders again sends nothing more. The delivered links open the activation form."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from extensions import db
from models import CorreoSaliente, RelacionCapturista
from tests.ayudantes import (
    GRID,
    LIGA_ACTIVACION_RE,
    Buzon,
    apuntar_smtp,
    contar_filas,
    csrf_de,
    iniciar_sesion,
    liga_de,
    puerto_libre,
    servidor_smtp,
)
from tests.factories import cargar_padron, crear_contratista

URL = "/administracion/alta-usuarios/carga-masiva"
N = 25


def _estados(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [tuple(f) for f in db.session.execute(select(CorreoSaliente.estado, CorreoSaliente.intentos)
                                                       .order_by(CorreoSaliente.id))]


@pytest.mark.parametrize("via", ["cli", "huey"])
def test_carga_con_smtp_caido_se_guarda_y_cada_correo_llega_despues_una_vez(app, client, entregar, via):
    with app.app_context():
        rfc = crear_contratista(razon_social="Gamma Altas Masivas, S.A.").rfc
        personas = cargar_padron(N)
    iniciar_sesion(client, rfc)
    puerto = puerto_libre()
    apuntar_smtp(app, puerto)  # nothing listens there
    lineas = ["CURP,Teléfono,Correo electrónico"] + [f"{p.curp},55123456{i:02d},persona{i}@correo.example"
                                                    for i, p in enumerate(personas)]
    pagina = client.get(URL)
    r = client.post(URL, data={"csrf_token": csrf_de(pagina), "archivo": (io.BytesIO("\n".join(lineas).encode()),
                                                                            "capturistas.csv")},
                    content_type="multipart/form-data")
    carga = r.headers["Location"]
    r = client.post(carga, data={"csrf_token": csrf_de(client.get(carga))})
    assert r.status_code == 303
    assert f"Se guardaron {N} capturistas" in client.get(carga).get_data(as_text=True)
    assert contar_filas(app, RelacionCapturista, CorreoSaliente) == (N, N)
    assert client.get(GRID).get_data(as_text=True).count("Pendiente de envío") == N

    # Still down at the first retry: nothing lost, each one attempt more.
    assert set(_estados(app)) == {("pendiente", 0)}  # queued, never sent inside the request
    salida = entregar(via)
    if via == "cli":
        assert f"Correos enviados: 0; fallidos (siguen pendientes): {N}" in salida
    assert set(_estados(app)) == {("pendiente", 1)}

    with servidor_smtp(Buzon(), puerto) as buzon:
        salida = entregar(via)
        if via == "cli":
            assert f"Correos enviados: {N}; fallidos (siguen pendientes): 0" in salida
        for otra_via in (via, "cli", "huey"):
            entregar(otra_via)
        destinatarios = sorted(m["To"] for m in buzon.mensajes)
    assert destinatarios == sorted(f"persona{i}@correo.example" for i in range(N))  # each once
    assert {estado for estado, _ in _estados(app)} == {"enviado"}
    pagina = app.test_client().get(liga_de(buzon.mensajes[0], LIGA_ACTIVACION_RE))
    assert pagina.status_code == 200 and 'name="usuario"' in pagina.get_data(as_text=True)
    assert "Pendiente de envío" not in client.get(GRID).get_data(as_text=True)
