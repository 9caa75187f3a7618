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
