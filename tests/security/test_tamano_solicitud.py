"""A request too large for any of our forms is refused with the Spanish 413 page before anything
reads it: the whole body (MAX_CONTENT_LENGTH), one multipart field (MAX_FORM_MEMORY_SIZE) and the
number of multipart parts (MAX_FORM_PARTS)."""
from __future__ import annotations

from tests.security.mundo import token_csrf

LOGIN = "/cuenta/iniciar-sesion"


def _es_413(r) -> None:
    texto = r.get_data(as_text=True)
    assert r.status_code == 413, r.status_code
    assert "Solicitud demasiado grande" in texto and '<html lang="es-MX">' in texto


def test_cuerpo_mayor_que_el_limite(app):
    client = app.test_client()
    limite = app.config["MAX_CONTENT_LENGTH"]
    assert limite == 1024 * 1024
    _es_413(client.post(LOGIN, data={"csrf_token": token_csrf(client), "rfc": "A" * limite}))


def test_un_campo_multipart_demasiado_grande(app):
    client = app.test_client()
    tamano = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert tamano < app.config["MAX_CONTENT_LENGTH"]
    _es_413(client.post(LOGIN, data={"csrf_token": token_csrf(client), "rfc": "A" * tamano},
                        content_type="multipart/form-data"))


def test_demasiadas_partes_multipart(app):
    client = app.test_client()
    datos = {f"campo{i}": "x" for i in range(app.config["MAX_FORM_PARTS"] + 1)}
    _es_413(client.post(LOGIN, data={"csrf_token": token_csrf(client), **datos}, content_type="multipart/form-data"))


def test_un_formulario_normal_pasa(app):
    """The limits leave room for real forms (here a failed login: 200 with the form again)."""
    client = app.test_client()
    r = client.post(LOGIN, data={"csrf_token": token_csrf(client), "rfc": "XAXX010101000", "password": "x" * 60})
    assert r.status_code in (200, 422) and "Solicitud demasiado grande" not in r.get_data(as_text=True)
