"""Double-clicked Guardar: concurrent posts make one capturista (SQLite and PostgreSQL)."""
import re
import threading

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Capturista, CorreoSaliente, RelacionCapturista
from tests.conftest import csrf_de
from tests.factories import cargar_padron, crear_contratista, iniciar_sesion

ALTA = "/administracion/alta-usuarios/"


def _formulario(cliente, curp):
    pagina = cliente.post("/administracion/alta-usuarios/validar",
                          data={"csrf_token": csrf_de(cliente.get(ALTA)), "curp": curp})
    clave = re.search(r'name="clave" type="hidden" value="([^"]+)"', pagina.get_data(as_text=True)).group(1)
    return csrf_de(pagina), clave


def _a_la_vez(funciones):
    barrera = threading.Barrier(len(funciones))
    resultados = [None] * len(funciones)

    def correr(i, f):
        barrera.wait()
        resultados[i] = f()

    hilos = [threading.Thread(target=correr, args=(i, f)) for i, f in enumerate(funciones)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(timeout=60)
    return resultados


@pytest.mark.parametrize("misma_clave", [True, False], ids=["doble-clic", "dos-pestanas"])
def test_guardar_concurrente_crea_una_sola_relacion(app, misma_clave):
    with app.app_context():
        rfc = crear_contratista().rfc
        persona = cargar_padron(3)[0]
    clientes = [app.test_client() for _ in range(4)]
    envios = []
    clave_comun = None
    for cliente in clientes:
        iniciar_sesion(cliente, rfc)
        token, clave = _formulario(cliente, persona.curp)
        clave_comun = clave_comun or clave
        datos = {"csrf_token": token, "curp": persona.curp, "clave": clave_comun if misma_clave else clave,
                 "telefono": "5512345678", "correo": "doble@correo.example", "confirmar_correo": "doble@correo.example"}
        envios.append(lambda c=cliente, d=datos: c.post(ALTA, data=d))

    respuestas = _a_la_vez(envios)
    codigos = sorted(r.status_code for r in respuestas)
    if misma_clave:
        assert codigos == [303] * 4
        assert len({r.headers["Location"] for r in respuestas}) == 1
    else:
        assert codigos == [303, 422, 422, 422]
    with app.app_context():
        assert db.session.scalar(select(func.count(Capturista.id))) == 1
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 1
        assert db.session.scalar(select(func.count(CorreoSaliente.id))) == 1
