"""Alta de usuarios: Validar, Guardar, confirmation, outbox, with and without htmx."""
import pytest
from sqlalchemy import func, select

from domain.curp import digito_verificador
from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import ALTA, HX_ALTA, VALIDAR, clave_de, csrf_de, guardar, iniciar_sesion, validar
from tests.factories import crear_contratista


def test_pagina_de_alta(client, escenario):
    html = client.get(ALTA).get_data(as_text=True)
    assert "<h1>Alta de usuarios</h1>" in html
    assert 'for="curp"' in html and 'value="Validar"' in html
    assert 'name="telefono"' not in html  # contact fields open only after Validar


def test_validar_muestra_nombre_y_abre_contacto_sin_js(client, escenario):
    p = escenario["personas"][0]
    r = validar(client, f"  {p.curp.lower()} ")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<!doctype html>" in html  # whole page without htmx
    assert p.nombre in html and p.primer_apellido in html
    assert f'value="{p.curp}"' in html  # CURP kept, normalised
    assert 'name="telefono"' in html and 'name="confirmar_correo"' in html


def test_validar_sin_js_se_queda_en_la_pagina_de_alta(client, escenario):
    """Issue 11 (7): the plain Validar form posts to the Alta page's own URL, so after Validar the
    address is still Alta de usuarios (not /validar); Guardar from there works as before."""
    p = escenario["personas"][0]
    pagina = client.get(ALTA)
    html = pagina.get_data(as_text=True)
    assert f'action="{ALTA}"' in html and f'action="{VALIDAR}"' not in html
    r = client.post(ALTA, data={"csrf_token": csrf_de(pagina), "curp": p.curp, "validar": "Validar"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and p.nombre in html and 'name="telefono"' in html
    clave = clave_de(r)
    r = client.post(ALTA, data={"csrf_token": csrf_de(r), "curp": p.curp, "clave": clave, "telefono": "5512345678",
                                "correo": "c@correo.example", "confirmar_correo": "c@correo.example",
                                "guardar": "Guardar"})
    assert r.status_code == 303 and "guardado=" in r.headers["Location"]
    # Errors are shown there too.
    r = client.post(ALTA, data={"csrf_token": csrf_de(pagina), "curp": "XXXX", "validar": "Validar"})
    assert r.status_code == 422 and "CURP" in r.get_data(as_text=True)


def test_validar_con_htmx_devuelve_fragmento(client, escenario):
    p = escenario["personas"][1]
    r = validar(client, p.curp, headers=HX_ALTA)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<!doctype html>" not in html and "<header" not in html
    assert html.lstrip().startswith('<div id="alta-formulario"')
    assert p.nombre in html
    assert "HX-Request" in r.headers["Vary"]


def test_htmx_sin_el_objetivo_recibe_pagina_completa(client, escenario):
    # hx-boost style navigation (another target) must get the page, not the fragment.
    r = validar(client, escenario["personas"][1].curp, headers={"HX-Request": "true", "HX-Target": "contenido"})
    assert "<!doctype html>" in r.get_data(as_text=True)


@pytest.mark.parametrize("curp,mensaje", [
    ("ABC", "La CURP debe tener 18 caracteres"),
    ("", "Captura la CURP del capturista."),
])
def test_validar_errores(client, escenario, curp, mensaje):
    for headers in ({}, HX_ALTA):
        r = validar(client, curp, headers=headers)
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        assert mensaje in html
        assert "Hay un problema" in html and 'href="#curp"' in html
        assert 'name="telefono"' not in html


def test_curp_valida_que_no_esta_en_el_padron(client, escenario):
    base = "GARC850101HDFRRL0"
    curp = base + digito_verificador(base)
    html = validar(client, curp).get_data(as_text=True)
    assert "no se encontró en el padrón" in html
    assert f'value="{curp}"' in html


def test_digito_verificador_incorrecto(client, escenario):
    p = escenario["personas"][0]
    malo = p.curp[:17] + str((int(p.curp[17]) + 1) % 10)
    assert "dígito verificador de la CURP no es válido" in validar(client, malo).get_data(as_text=True)


def test_guardar_sin_js_303_confirmacion_y_correo_en_bandeja(client, app, escenario):
    p = escenario["personas"][2]
    r = guardar(client, p.curp, telefono="55 1234 5678", correo="Ana.Perez@Correo.Example",
                 confirmar="ana.perez@correo.example")
    assert r.status_code == 303
    assert "guardado=" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "El usuario se guardó exitosamente." in html
    assert ">Aceptar<" in html
    with app.app_context():
        relacion = db.session.scalar(select(RelacionCapturista))
        assert relacion.contratista_id == escenario["id"]
        assert (relacion.telefono, relacion.correo, relacion.estatus) == ("5512345678", "ana.perez@correo.example", "pendiente")
        assert relacion.capturista.curp == p.curp and relacion.capturista.nombre == p.nombre
        assert relacion.token_version == 1 and relacion.liga_vence_en is not None
        correo = db.session.scalar(select(CorreoSaliente))
        assert correo.tipo == "activacion" and correo.destinatario == "ana.perez@correo.example"
        assert "/activacion/" in correo.cuerpo_texto
        bitacora = db.session.scalar(select(Bitacora))
        assert bitacora.accion == "alta" and bitacora.actor == f"contratista:{escenario['rfc']}"
    # Reloading the confirmation never saves twice.
    client.get(r.headers["Location"])
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 1


def test_guardar_con_htmx_recibe_fragmento_con_dialogo(client, app, escenario):
    p = escenario["personas"][3]
    r = guardar(client, p.curp, headers=HX_ALTA)
    assert r.status_code == 303  # htmx follows it, keeping its headers
    siguiente = client.get(r.headers["Location"], headers=HX_ALTA)
    html = siguiente.get_data(as_text=True)
    assert "<!doctype html>" not in html
    assert "<dialog open" in html and "El usuario se guardó exitosamente." in html


@pytest.mark.parametrize("cambios,mensaje", [
    ({"telefono": "12345"}, "El teléfono debe tener 10 dígitos"),
    ({"correo": "sin-arroba"}, "El correo electrónico no tiene un formato válido."),
    ({"confirmar": "otro@correo.example"}, "El correo electrónico y su confirmación no coinciden."),
])
def test_guardar_con_errores_conserva_todo(client, app, escenario, cambios, mensaje):
    p = escenario["personas"][4]
    for headers in ({}, HX_ALTA):
        r = guardar(client, p.curp, headers=headers, **cambios)
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        assert mensaje in html
        assert p.nombre in html  # name still shown
        assert f'value="{p.curp}"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 0


def test_guardar_revalida_la_curp(client, app, escenario):
    """A forged hidden CURP is checked again on Guardar."""
    p = escenario["personas"][5]
    pagina = validar(client, p.curp)
    clave = clave_de(pagina)
    base = "GARC850101HDFRRL0"
    falsa = base + digito_verificador(base)
    r = client.post(ALTA, data={"csrf_token": csrf_de(pagina), "curp": falsa, "clave": clave,
                                "telefono": "5512345678", "correo": "a@b.example", "confirmar_correo": "a@b.example"})
    assert r.status_code == 422
    assert "no se encontró en el padrón" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Capturista.id))) == 0


def test_curp_ya_registrada_para_este_contratista(client, app, escenario):
    p = escenario["personas"][6]
    assert guardar(client, p.curp).status_code == 303
    html = validar(client, p.curp).get_data(as_text=True)
    assert "ya está registrada como usuario capturista de este contratista" in html
    pagina = client.get(ALTA)
    r = client.post(ALTA, data={"csrf_token": csrf_de(pagina), "curp": p.curp, "clave": "otra-clave",
                                "telefono": "5512345678", "correo": "a@b.example", "confirmar_correo": "a@b.example"})
    assert r.status_code == 422
    assert "ya está registrada" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 1


def test_misma_persona_con_dos_contratistas(client, app, escenario):
    p = escenario["personas"][7]
    assert guardar(client, p.curp).status_code == 303
    with app.app_context():
        otro = crear_contratista().rfc
    cliente2 = app.test_client()
    iniciar_sesion(cliente2, otro)
    assert guardar(cliente2, p.curp, correo="otro@correo.example").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Capturista.id))) == 1
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 2


def test_mismo_formulario_enviado_dos_veces_crea_uno(client, app, escenario):
    p = escenario["personas"][8]
    pagina = validar(client, p.curp)
    clave = clave_de(pagina)
    datos = {"csrf_token": csrf_de(pagina), "curp": p.curp, "clave": clave, "telefono": "5512345678",
             "correo": "doble@correo.example", "confirmar_correo": "doble@correo.example"}
    primera = client.post(ALTA, data=datos)
    segunda = client.post(ALTA, data=datos)
    assert primera.status_code == segunda.status_code == 303
    assert primera.headers["Location"] == segunda.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(RelacionCapturista.id))) == 1
        assert db.session.scalar(select(func.count(CorreoSaliente.id))) == 1


def test_confirmacion_de_otro_contratista_es_404(client, app, escenario):
    p = escenario["personas"][9]
    ubicacion = guardar(client, p.curp).headers["Location"]
    with app.app_context():
        otro = crear_contratista().rfc
    cliente2 = app.test_client()
    iniciar_sesion(cliente2, otro)
    r = cliente2.get(ubicacion)
    assert r.status_code == 404
    assert p.nombre not in r.get_data(as_text=True)


def test_validar_curp_limitado_contra_enumeracion(client, app, escenario):
    app.config["VALIDACIONES_CURP_POR_HORA"] = 3
    personas = escenario["personas"]
    for p in personas[:3]:
        assert validar(client, p.curp).status_code == 200
    assert validar(client, personas[0].curp).status_code == 200  # the same CURP again is free
    r = validar(client, personas[3].curp)
    assert r.status_code == 422 and "límite de 3 validaciones de CURP por hora" in r.get_data(as_text=True)
    assert personas[3].nombre not in r.get_data(as_text=True)
    # Guardar of a CURP validated within the hour still works.
    assert guardar(client, personas[1].curp).status_code == 303
    # Another contractor has its own allowance.
    with app.app_context():
        otro = crear_contratista().rfc
    cliente2 = app.test_client()
    iniciar_sesion(cliente2, otro)
    assert validar(cliente2, personas[3].curp).status_code == 200
