"""F02: rotating SECRET_KEY. With the old key in SECRET_KEY_FALLBACKS, the session cookies and the
activation / password-reset links it signed keep working; without it they are refused."""
from __future__ import annotations

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from config import TestConfig
from tests.security.mundo import DUENO, cliente_de

CLAVE_VIEJA = TestConfig.SECRET_KEY  # what signed the world's cookies and links
CLAVE_NUEVA = "clave-nueva-de-pruebas-" + "n" * 32

CONSERVADA = pytest.mark.parametrize("conservada", [True, False], ids=["con-la-vieja", "sin-la-vieja"])


def _rotar(app, conservada: bool) -> None:
    app.config.update(SECRET_KEY=CLAVE_NUEVA, SECRET_KEY_FALLBACKS=[CLAVE_VIEJA] if conservada else [])


@CONSERVADA
def test_cookie_de_sesion_firmada_con_la_clave_anterior(app, mundo, conservada):
    """F02: a contractor logged in before the rotation stays logged in only while the old key is a fallback."""
    client = cliente_de(app, mundo, DUENO)
    assert client.get("/administracion/consulta").status_code == 200
    _rotar(app, conservada)
    r = client.get("/administracion/consulta")
    if conservada:
        assert r.status_code == 200
    else:
        assert r.status_code in (302, 303) and "/cuenta/iniciar-sesion" in r.headers["Location"]


@CONSERVADA
def test_liga_de_activacion_firmada_con_la_clave_anterior(app, mundo, conservada):
    """F02: an activation link e-mailed before the rotation."""
    _rotar(app, conservada)
    r = app.test_client().get(f"/activacion/{mundo.token_activacion}")
    texto = r.get_data(as_text=True)
    if conservada:
        assert r.status_code == 200 and 'name="password"' in texto
    else:
        assert r.status_code == 404 and "La liga no es válida" in texto


@CONSERVADA
@pytest.mark.parametrize("quien", ["capturista", "contratista"])
def test_liga_de_restablecer_firmada_con_la_clave_anterior(app, mundo, conservada, quien):
    """F02: a password-reset link e-mailed before the rotation (capturista's and contractor's)."""
    _rotar(app, conservada)
    url = (f"/capturista/restablecer/{mundo.token_restablecer}" if quien == "capturista"
           else f"/cuenta/restablecer/{mundo.token_restablecer_contratista}")
    r = app.test_client().get(url)
    if conservada:
        assert r.status_code == 200 and 'name="password"' in r.get_data(as_text=True)
    else:
        assert r.status_code == 410


def test_las_ligas_nuevas_se_firman_con_la_clave_nueva(app, mundo):
    """F02: after the rotation new links are signed with the newest key (the old one can be dropped later)."""
    from extensions import db
    from models import RelacionCapturista
    from services.tokens import token_activacion

    _rotar(app, True)
    with app.app_context():
        token = token_activacion(db.session.get(RelacionCapturista, mundo.a.relaciones["pendiente"]))
    URLSafeTimedSerializer(CLAVE_NUEVA, salt="activacion-capturista").loads(token)
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer(CLAVE_VIEJA, salt="activacion-capturista").loads(token)
