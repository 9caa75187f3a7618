"""The account takeover (finding F01) in real Chromium, both variants, each ending with the attacker
refused.

A contractor can type any CURP of the padrón and any e-mail address in Alta de usuarios. Before the
security model, a second contractor B who registered the CURP of a person who already worked for A
got a notice at B's own address naming the person's usuario, and recovery mailed B a reset link.
Now a person has one usuario; only a relation's own link activates that relation, and once the
person has a usuario that link also needs her session; only a contractor that typed her own
verified address sends an invitation she accepts by logging in.

(a) The person already has usuario U (from A's link). B registers the CURP with an address B
    controls: B sees the usual confirmation and a pending row; B's mailbox gets the same e-mail a
    new person gets, with no U in it, and its link neither creates a usuario nor accepts without
    her session; password recovery with B's address delivers nothing; B cannot log in as U; the
    person has nothing from B to accept and works for A. JS on and off.
(b) A's link went to the person and is unused; B registers the same CURP with B's address and
    creates usuario U2 from B's own link. A's relation stays pending; A's link, opened by the
    person, offers "Aceptar invitación" (not "ya se utilizó"); U2 can neither choose A nor accept
    anything from A.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import CorreoSaliente, RelacionCapturista
from tests.ayudantes import entregar_correos, liga_de
from tests.browser.ayudantes import entrar_contratista, nuevo_contexto
from tests.browser.buzon import LIGA_ACTIVACION_RE, destinatarios, para, texto
from tests.factories import cargar_padron, crear_contratista

RAZON_A = "Alfa Servicios Especializados, S.A. de C.V."
RAZON_B = "Beta Subcontratación Rápida, S.A."
CORREO_PERSONA = "persona.real@correo.example"
CORREO_ATACANTE = "buzon@atacante.example"
USUARIO_PERSONA = "persona.verdadera"
USUARIO_ATACANTE = "usurpador.curp"
CLAVE_PERSONA = "PersonaReal2026segura"
CLAVE_ATACANTE = "Usurpador2026clave"
PENDIENTE = "Pendiente de activación"


@pytest.fixture
def mundo(app):
    """Contractors A and B (confirmed, with Datos Generales) and the padrón; X is its first person."""
    with app.app_context():
        personas = cargar_padron(5)
        a = crear_contratista(razon_social=RAZON_A)
        b = crear_contratista(razon_social=RAZON_B)
        datos = {"a": (a.id, a.rfc), "b": (b.id, b.rfc), "x": personas[0]}
        db.session.remove()
    return datos


def _trabajar_para(razon: str) -> re.Pattern:
    """The button's accessible name: its hidden text is a separate box, so Chromium may put a space
    before the colon ("Trabajar para este contratista : Alfa…")."""
    return re.compile(rf"^Trabajar para este contratista\s*:\s*{re.escape(razon)}$")


def _entrar_capturista(page, servidor: str, usuario: str, clave: str) -> None:
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill(usuario)
    page.get_by_label("Contraseña").fill(clave)
    page.get_by_role("button", name="Iniciar sesión").click()


def _alta(page, servidor: str, persona, correo: str) -> str:
    """Alta de usuarios: Validar → name → contact data → Guardar. Returns the confirmation's text."""
    page.goto(servidor + "/administracion/alta-usuarios/")
    page.get_by_label("CURP").fill(persona.curp)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(persona.primer_apellido, exact=True)).to_be_visible()  # htmx swapped the name in
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Correo electrónico", exact=True).fill(correo)
    page.get_by_label("Confirmar correo electrónico").fill(correo)
    page.get_by_role("button", name="Guardar").click()
    dialogo = page.get_by_role("dialog")
    expect(dialogo.get_by_text("El usuario se guardó exitosamente.")).to_be_visible()
    expect(dialogo.get_by_text("Se envió al capturista el correo para activar su acceso")).to_be_visible()
    return dialogo.inner_text()


def _fila(page, servidor: str, curp: str):
    """The row of ``curp`` in this contractor's Consulta grid (freshly loaded)."""
    page.goto(servidor + "/administracion/consulta")
    expect(page.get_by_role("heading", name="Consulta de usuarios capturistas")).to_be_visible()
    return page.locator("tbody.capturista").filter(has=page.get_by_role("cell", name=curp, exact=True))


def _esperar_pendiente(page, servidor: str, curp: str) -> None:
    fila = _fila(page, servidor, curp)
    expect(fila).to_have_count(1)
    expect(fila.get_by_text(PENDIENTE, exact=True)).to_be_visible()


def _crear_usuario(page, liga_activacion: str, usuario: str, clave: str) -> None:
    page.goto(liga_activacion)
    expect(page.get_by_role("heading", name="Crear usuario y contraseña")).to_be_visible()
    page.get_by_label("Usuario").fill(usuario)
    page.get_by_label("Contraseña", exact=True).fill(clave)
    page.get_by_label("Confirmar contraseña").fill(clave)
    page.get_by_role("button", name="Crear usuario").click()
    expect(page.get_by_text("Tu usuario se creó correctamente.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ingreso del capturista")).to_be_visible()


def _estatus(app, contratista_id: int, curp: str) -> str:
    with app.app_context():
        estatus = db.session.scalar(select(RelacionCapturista.estatus).where(
            RelacionCapturista.contratista_id == contratista_id, RelacionCapturista.curp == curp))
        db.session.remove()
    return estatus


def _textos_de_la_bandeja(app) -> list[str]:
    """Every message the outbox ever held (delivered or not)."""
    with app.app_context():
        textos = [f"{c.asunto}\n{c.cuerpo_texto}\n{c.cuerpo_html}" for c in db.session.scalars(select(CorreoSaliente))]
        db.session.remove()
    return textos


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_b_no_toma_el_usuario_que_la_persona_ya_tiene(js, app, servidor, smtp, browser, mundo):
    (a_id, rfc_a), (b_id, rfc_b), x = mundo["a"], mundo["b"], mundo["x"]
    contratista_a, persona, atacante = (nuevo_contexto(browser, js) for _ in range(3))

    # A registers X with the person's address; the person creates usuario U from the delivered link.
    pagina_a = contratista_a.new_page()
    entrar_contratista(pagina_a, servidor, rfc_a)
    confirmacion_a = _alta(pagina_a, servidor, x, CORREO_PERSONA)
    entregar_correos(app)
    assert destinatarios(smtp) == [CORREO_PERSONA]
    pagina_persona = persona.new_page()
    _crear_usuario(pagina_persona, liga_de(smtp.mensajes[0], LIGA_ACTIVACION_RE), USUARIO_PERSONA, CLAVE_PERSONA)
    assert _estatus(app, a_id, x.curp) == "activo"

    # B registers X with an address B controls: the very same confirmation A got, a pending row.
    pagina_b = atacante.new_page()
    entrar_contratista(pagina_b, servidor, rfc_b)
    confirmacion_b = _alta(pagina_b, servidor, x, CORREO_ATACANTE)
    assert confirmacion_b == confirmacion_a.replace(CORREO_PERSONA, CORREO_ATACANTE)
    _esperar_pendiente(pagina_b, servidor, x.curp)
    entregar_correos(app)
    # B's mailbox gets what any new capturista gets: no usuario, a link that needs her session.
    [mensaje_b] = para(smtp, CORREO_ATACANTE)
    assert mensaje_b["Subject"] == f"Activa tu usuario capturista de {RAZON_B}"
    assert not [m["Subject"] for m in smtp.mensajes if USUARIO_PERSONA in texto(m)]
    assert not [t for t in _textos_de_la_bandeja(app) if USUARIO_PERSONA in t]
    assert len(para(smtp, CORREO_PERSONA)) == 1  # nothing from B reached the person
    liga_b = atacante.new_page()
    liga_b.goto(liga_de(mensaje_b, LIGA_ACTIVACION_RE))
    expect(liga_b.get_by_role("heading", name="Aceptar invitación")).to_be_visible()
    expect(liga_b.get_by_role("link", name="Iniciar sesión para aceptar")).to_be_visible()
    expect(liga_b.get_by_label("Usuario")).to_have_count(0)  # no usuario can be created here
    expect(liga_b.get_by_role("button", name=re.compile("^Aceptar invitación"))).to_have_count(0)

    # B asks for a password reset with X and B's address: the outbox delivers nothing to anybody.
    recuperar = atacante.new_page()
    recuperar.goto(servidor + "/capturista/iniciar-sesion")
    recuperar.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    expect(recuperar.get_by_role("heading", name="Recuperar contraseña")).to_be_visible()
    recuperar.get_by_label("CURP").fill(x.curp)
    recuperar.get_by_label("Correo electrónico").fill(CORREO_ATACANTE)
    recuperar.get_by_role("button", name="Enviar liga").click()
    expect(recuperar.get_by_text("Si la CURP y el correo electrónico corresponden a un usuario capturista")
           ).to_be_visible()
    antes = len(smtp.mensajes)
    assert entregar_correos(app) == 0
    assert len(smtp.mensajes) == antes and para(smtp, CORREO_ATACANTE) == [mensaje_b]  # nothing new
    # Even with the person's address guessed right, the reset link goes to the person's inbox only.
    recuperar.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    recuperar.get_by_label("CURP").fill(x.curp)
    recuperar.get_by_label("Correo electrónico").fill(CORREO_PERSONA.upper())
    recuperar.get_by_role("button", name="Enviar liga").click()
    expect(recuperar.get_by_text("Si la CURP y el correo electrónico corresponden a un usuario capturista")
           ).to_be_visible()
    assert entregar_correos(app) == 1
    assert destinatarios(smtp)[antes:] == [CORREO_PERSONA]
    assert smtp.mensajes[-1]["Subject"] == "Restablece tu contraseña de usuario capturista"

    # B cannot log in as U.
    _entrar_capturista(recuperar, servidor, USUARIO_PERSONA, "Adivinada2026clave")
    expect(recuperar.get_by_text("El usuario o la contraseña son incorrectos.")).to_be_visible()
    expect(recuperar.get_by_role("heading", name="Ingreso del capturista")).to_be_visible()
    recuperar.goto(servidor + "/capturista/contratistas")  # no capturista session came of it
    expect(recuperar.get_by_text("Inicia sesión como capturista para continuar.")).to_be_visible()
    expect(recuperar.get_by_role("heading", name="Ingreso del capturista")).to_be_visible()

    # The person logs in: nothing from B to accept, and she works for A.
    _entrar_capturista(pagina_persona, servidor, USUARIO_PERSONA, CLAVE_PERSONA)
    expect(pagina_persona.get_by_role("heading", name="Elige el contratista")).to_be_visible()
    expect(pagina_persona.get_by_role("region", name="Invitaciones pendientes")).to_have_count(0)
    expect(pagina_persona.get_by_role("button", name=re.compile("^Trabajar para este contratista"))).to_have_count(1)
    expect(pagina_persona.get_by_role("button", name=_trabajar_para(RAZON_B))).to_have_count(0)
    pagina_persona.get_by_role("button", name=_trabajar_para(RAZON_A)).click()
    expect(pagina_persona.get_by_role("heading", name=re.compile("^Hola,"))).to_be_visible()
    expect(pagina_persona.get_by_text("Estás capturando para")).to_contain_text(RAZON_A)

    # End: B's relation is still pending in B's grid.
    _esperar_pendiente(pagina_b, servidor, x.curp)
    assert _estatus(app, b_id, x.curp) == "pendiente"
    for contexto in (contratista_a, persona, atacante):
        contexto.close()


def test_el_usuario_que_b_crea_no_toma_la_relacion_de_a(app, servidor, smtp, browser, mundo):
    (a_id, rfc_a), (b_id, rfc_b), x = mundo["a"], mundo["b"], mundo["x"]
    contratista_a, persona, atacante = (nuevo_contexto(browser, True) for _ in range(3))

    # A registers X: the link goes to the person's address and waits there, unused.
    pagina_a = contratista_a.new_page()
    entrar_contratista(pagina_a, servidor, rfc_a)
    _alta(pagina_a, servidor, x, CORREO_PERSONA)
    (correo_a,) = para(smtp, CORREO_PERSONA)
    liga_a = liga_de(correo_a, LIGA_ACTIVACION_RE)

    # B registers X with B's own address and, as the attacker, creates usuario U2 from B's link.
    pagina_b = atacante.new_page()
    entrar_contratista(pagina_b, servidor, rfc_b)
    _alta(pagina_b, servidor, x, CORREO_ATACANTE)
    (correo_b,) = para(smtp, CORREO_ATACANTE)
    usurpador = atacante.new_page()
    _crear_usuario(usurpador, liga_de(correo_b, LIGA_ACTIVACION_RE), USUARIO_ATACANTE, CLAVE_ATACANTE)
    assert _estatus(app, b_id, x.curp) == "activo"

    # A's relation is untouched: still pending in A's grid.
    _esperar_pendiente(pagina_a, servidor, x.curp)

    # A's real link, opened by the person: not "ya se utilizó" but "Aceptar invitación" (a usuario
    # exists for the CURP), which needs that usuario's session; the page does not show the usuario.
    pagina_persona = persona.new_page()
    pagina_persona.goto(liga_a)
    expect(pagina_persona.get_by_role("heading", name="Aceptar invitación")).to_be_visible()
    expect(pagina_persona.get_by_text("ya se utilizó")).to_have_count(0)
    expect(pagina_persona.get_by_text(f"{RAZON_A} te registró como usuario capturista")).to_be_visible()
    expect(pagina_persona.get_by_role("link", name="Iniciar sesión para aceptar")).to_be_visible()
    expect(pagina_persona.get_by_role("button", name=re.compile("^Aceptar invitación"))).to_have_count(0)
    assert USUARIO_ATACANTE not in pagina_persona.content()

    # Logged in as U2: B only; A can be neither chosen nor accepted, not even by a hand-made POST.
    _entrar_capturista(usurpador, servidor, USUARIO_ATACANTE, CLAVE_ATACANTE)
    expect(usurpador.get_by_role("heading", name="Elige el contratista")).to_be_visible()
    expect(usurpador.get_by_role("button", name=re.compile("^Trabajar para este contratista"))).to_have_count(1)
    expect(usurpador.get_by_role("button", name=_trabajar_para(RAZON_B))).to_be_visible()
    expect(usurpador.get_by_text(RAZON_A)).to_have_count(0)
    expect(usurpador.get_by_role("region", name="Invitaciones pendientes")).to_have_count(0)
    expect(usurpador.get_by_role("button", name=re.compile("^Aceptar invitación"))).to_have_count(0)
    with app.app_context():
        relacion_a = db.session.scalar(select(RelacionCapturista.id).where(RelacionCapturista.contratista_id == a_id))
        db.session.remove()
    token = usurpador.locator("input[name=csrf_token]").first.get_attribute("value")
    eleccion = atacante.request.post(servidor + "/capturista/contratistas",
                                     form={"csrf_token": token, "contratista_id": str(a_id)})
    aceptacion = atacante.request.post(servidor + f"/capturista/invitaciones/{relacion_a}/aceptar",
                                       form={"csrf_token": token})
    assert (eleccion.status, aceptacion.status) == (404, 404)
    usurpador.goto(servidor + "/capturista/")
    expect(usurpador.get_by_role("heading", name="Elige el contratista")).to_be_visible()  # nothing was chosen

    # End: A's relation is still pending.
    _esperar_pendiente(pagina_a, servidor, x.curp)
    assert _estatus(app, a_id, x.curp) == "pendiente"
    for contexto in (contratista_a, persona, atacante):
        contexto.close()
