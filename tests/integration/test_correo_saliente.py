"""What actually goes over SMTP, read back with Python's own e-mail parser."""
from __future__ import annotations

import pytest

from extensions import db
from models import CorreoSaliente
from services.correo import enviar_pendientes

ASUNTOS = [
    "Activa tu usuario capturista de Beta Subcontratación Rápida, S.A.",
    "Invitación para capturar información de Limpieza Industrial del Bajío, S.A. de C.V.",
    "Ñandú Óptica y Señalización Eléctrica de la Península de Yucatán, Sociedad Anónima Promotora de Inversión",
]


@pytest.mark.parametrize("asunto", ASUNTOS)
def test_asunto_con_acentos_llega_entero(app, smtp, asunto):
    """Subjects with accents used to be folded between two encoded words and lose the space
    ("…del Baj ío", "SubcontrataciónRápida"): every client must read exactly what we wrote."""
    with app.app_context():
        db.session.add(CorreoSaliente(tipo="activacion", destinatario="alguien@correo.example", asunto=asunto,
                                      cuerpo_texto="Hola", cuerpo_html="<p>Hola</p>"))
        db.session.commit()
        assert enviar_pendientes() == (1, 0)
    [mensaje] = smtp.mensajes
    assert mensaje["Subject"] == asunto
    assert mensaje.get_body(("plain",)).get_content().strip() == "Hola"


def test_un_asunto_mas_largo_que_su_columna_se_corta_y_se_guarda(app):
    # A subject naming a 250-character razón social: PostgreSQL would refuse it whole (asunto is 200).
    from services.correo import encolar

    with app.test_request_context(method="POST"):
        correo = encolar(tipo="prueba", destinatario="a@correo.example", asunto="Recordatorio de " + "Á" * 300,
                         plantilla="aviso_registro", rfc="ABC010101AB1", liga="x")
        db.session.commit()
        guardado = db.session.get(CorreoSaliente, correo.id).asunto
    assert len(guardado) == 200 and guardado.endswith("ÁÁ…") and guardado.startswith("Recordatorio de Á")
