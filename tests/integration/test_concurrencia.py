"""Double-clicked Guardar: concurrent posts make one capturista (SQLite and PostgreSQL)."""
import pytest
from sqlalchemy import func, select

from extensions import db
from models import Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import ALTA, a_la_vez, datos_alta, formulario_alta, iniciar_sesion
from tests.factories import cargar_padron, crear_contratista


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
        token, clave = formulario_alta(cliente, persona.curp)
        clave_comun = clave_comun or clave
        datos = datos_alta(token, clave_comun if misma_clave else clave, persona.curp, "doble@correo.example")
        envios.append(lambda c=cliente, d=datos: c.post(ALTA, data=d))

    respuestas = a_la_vez(envios)
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
