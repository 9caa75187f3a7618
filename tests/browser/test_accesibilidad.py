"""Accessibility in Chromium: axe-core on every main page with JavaScript on and off (0 serious or
critical violations), the contractor story by keyboard alone, visible focus, and pages usable at
390 px and at 200 % zoom."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Exportacion, RelacionCapturista
from models.types import ahora_utc
from tests.browser.ayudantes import auditar, contexto_auditable, entrar_contratista, tab_hasta
from tests.browser.buzon import confirmar_cuenta, liga_de_confirmacion
from tests.factories import (
    CLAVE_CAPTURISTA,
    cargar_padron,
    crear_capturista_activo,
    crear_contratista,
    crear_exportacion,
    rfc_valido,
)

USUARIO_INVITADA = "persona.invitada"
CORREO_INVITADA = "invitada@correo.example"


@pytest.fixture
def datos(app):
    """A contractor with a capturista in each estatus, a padrón, a valid activation link; a person
    with a usuario holding an older contractor's link and an invitation from this contractor."""
    from services.tokens import token_activacion

    with app.app_context():
        personas = cargar_padron(8)
        contratista = crear_contratista(razon_social="Servicios Integrales Ñandú, S.A. de C.V.")
        crear_capturista_activo(contratista)
        from services import capturistas
        from services.padron import PersonaEncontrada

        for i, p in enumerate(personas[:2]):
            encontrado = PersonaEncontrada(p.curp, p.nombre, p.primer_apellido, p.segundo_apellido)
            with app.test_request_context(method="POST"):  # writes: as a POST would
                capturistas.dar_de_alta(contratista, encontrado, telefono="5512345678",
                                        correo=f"p{i}@correo.example", clave=f"clave-{i}", actor="prueba")
        relaciones = db.session.scalars(select(RelacionCapturista).order_by(RelacionCapturista.id)).all()
        baja = relaciones[-1]
        capturistas.dar_de_baja(baja, actor="prueba")
        pendiente = relaciones[1]
        with app.test_request_context(method="POST"):  # writes: as a POST would
            token = token_activacion(pendiente)

        # A person with a usuario (created through Obras del Norte's link) who still has a pending
        # link from Mantenimiento Peninsular (sent before the usuario existed: it opens "Aceptar
        # invitación") and an invitation from the main contractor (added after, to her own verified
        # address: listed on her page).
        invitada = personas[6]
        encontrada = PersonaEncontrada(invitada.curp, invitada.nombre, invitada.primer_apellido,
                                       invitada.segundo_apellido)
        norte = crear_contratista(razon_social="Obras del Norte, S.A. de C.V.")
        peninsular = crear_contratista(razon_social="Mantenimiento Peninsular, S.C.")
        with app.test_request_context(method="POST"):  # writes: as a POST would
            por_liga = capturistas.dar_de_alta(norte, encontrada, telefono="5512345678", correo=CORREO_INVITADA,
                                               clave="clave-norte", actor="prueba").relacion
            previa = capturistas.dar_de_alta(peninsular, encontrada, telefono="5512345678", correo=CORREO_INVITADA,
                                             clave="clave-peninsular", actor="prueba").relacion
            capturistas.activar_cuenta(por_liga, USUARIO_INVITADA, CLAVE_CAPTURISTA)
            capturistas.dar_de_alta(contratista, encontrada, telefono="5512345678", correo=CORREO_INVITADA,
                                    clave="clave-invitacion", actor="prueba")
            token_previa = token_activacion(previa)
        return {"rfc": contratista.rfc, "id": contratista.id, "persona_libre": personas[5], "token": token,
                "pendiente": pendiente.id, "baja": baja.id, "token_previa": token_previa}


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_las_paginas_principales(js, browser, app, smtp, servidor, datos):
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    # Anonymous pages.
    for nombre, ruta in [("Iniciar sesión (contratista)", "/cuenta/iniciar-sesion"),
                         ("Registro de contratista", "/cuenta/registro"),
                         ("Ingreso del capturista", "/capturista/iniciar-sesion"),
                         ("Recuperar contraseña", "/capturista/recuperar-contrasena"),
                         ("Activación: crear usuario", f"/activacion/{datos['token']}"),
                         ("Activación: liga no válida", "/activacion/alterada"),
                         ("Confirmación de cuenta: liga no válida", "/cuenta/confirmar/alterada"),
                         ("Página no encontrada", "/no-existe")]:
        page.goto(servidor + ruta)
        auditar(page, nombre, js)
    page.goto(servidor + "/cuenta/registro")
    page.get_by_role("button", name="Registrarme").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    auditar(page, "Registro con errores", js)
    page.get_by_label("RFC").fill(rfc_valido("AXE", "120101", "K3"))
    page.get_by_label("Correo electrónico").fill("axe@empresa.example")
    page.get_by_label("Contraseña", exact=True).fill("Accesible2026seguro")
    page.get_by_label("Confirmar contraseña").fill("Accesible2026seguro")
    page.get_by_role("button", name="Registrarme").click()
    expect(page.get_by_role("heading", name="Revisa tu correo electrónico")).to_be_visible()
    auditar(page, "Registro: revisa tu correo", js)
    confirmar_cuenta(page, liga_de_confirmacion(app, smtp, "axe@empresa.example"))
    auditar(page, "Iniciar sesión: cuenta confirmada", js)
    page.goto(servidor + f"/activacion/{datos['token']}")
    page.get_by_role("button", name="Crear usuario").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    auditar(page, "Activación con errores", js)

    # Contractor pages.
    entrar_contratista(page, servidor, datos["rfc"])
    auditar(page, "Inicio del contratista", js)
    page.goto(servidor + "/contratista/datos-generales")
    page.get_by_label("Código postal").fill("123")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    auditar(page, "Datos Generales con errores", js)
    page.goto(servidor + "/administracion/alta-usuarios/")
    auditar(page, "Alta de usuarios", js)
    page.get_by_label("CURP").fill("XXX")
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("Hay un problema")).to_be_visible()
    auditar(page, "Alta: CURP con error", js)
    libre = datos["persona_libre"]
    page.get_by_label("CURP").fill(libre.curp)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text(libre.primer_apellido, exact=True)).to_be_visible()
    auditar(page, "Alta: nombre validado", js)
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Correo electrónico", exact=True).fill("nuevo@correo.example")
    page.get_by_label("Confirmar correo electrónico").fill("nuevo@correo.example")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("El usuario se guardó exitosamente.")).to_be_visible()
    auditar(page, "Alta: confirmación", js)
    page.goto(servidor + "/administracion/consulta")
    auditar(page, "Consulta (los tres estatus)", js)
    page.locator(f"#capturista-{datos['pendiente']}").get_by_role("link", name=re.compile("^Editar")).click()
    expect(page.get_by_role("button", name="Actualizar usuario")).to_be_visible()
    auditar(page, "Consulta: editar", js)
    page.goto(servidor + "/administracion/consulta")
    page.locator(f"#capturista-{datos['baja']}").get_by_role("link", name=re.compile("^Activar")).click()
    expect(page.get_by_text("¿Deseas activar nuevamente al usuario capturista?")).to_be_visible()
    auditar(page, "Consulta: confirmación", js)
    page.goto(servidor + f"/administracion/consulta/{datos['pendiente']}/bitacora")
    auditar(page, "Bitácora", js)
    page.goto(servidor + "/administracion/exportar-excel")
    auditar(page, "Exportar Excel", js)
    contexto.close()

    # Capturista pages.
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill("maria.lopez")
    page.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    auditar(page, "Capturista: elegir contratista", js)
    page.get_by_role("button", name=re.compile("Trabajar para este contratista")).click()
    auditar(page, "Capturista: inicio", js)
    # Somebody else's link, opened in this capturista's session.
    page.goto(servidor + f"/activacion/{datos['token_previa']}")
    expect(page.get_by_text("Esta liga corresponde a otra persona.")).to_be_visible()
    auditar(page, "Aceptar invitación: sesión de otra persona", js)
    contexto.close()

    # The person with a usuario opens the link sent before she had it: "Aceptar invitación".
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    page.goto(servidor + f"/activacion/{datos['token_previa']}")
    expect(page.get_by_role("heading", name="Aceptar invitación")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Aceptar invitación"))).to_have_count(0)
    auditar(page, "Aceptar invitación: sin sesión", js)
    page.get_by_role("link", name="Iniciar sesión para aceptar").click()
    expect(page.get_by_role("heading", name="Ingreso del capturista")).to_be_visible()
    page.get_by_label("Usuario").fill(USUARIO_INVITADA)
    page.get_by_label("Contraseña").fill(CLAVE_CAPTURISTA)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(servidor + f"/activacion/{datos['token_previa']}")  # back to the link (next=)
    expect(page.get_by_role("button", name="Aceptar invitación de Mantenimiento Peninsular, S.C.")).to_be_visible()
    auditar(page, "Aceptar invitación: con sesión", js)
    page.goto(servidor + "/capturista/contratistas")
    invitaciones = page.get_by_role("region", name="Invitaciones pendientes")
    expect(invitaciones.get_by_role("button", name=re.compile("^Aceptar invitación"))).to_have_count(1)
    expect(invitaciones.get_by_role("button", name="Aceptar invitación de Servicios Integrales Ñandú, S.A. de C.V.")
           ).to_be_visible()
    auditar(page, "Capturista: invitación pendiente", js)
    contexto.close()


@pytest.mark.parametrize("js", [True, False], ids=["con-js", "sin-js"])
def test_axe_en_la_exportacion_en_curso_y_terminada(js, browser, app, servidor, datos):
    """The export progress page while it polls (or refreshes) and once the file is ready."""
    contexto = contexto_auditable(browser, js)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    eid = crear_exportacion(app, datos["id"], "en_proceso", solicitante="axe", total=6000, escritas=2500,
                            nombre_archivo=f"capturistas_{datos['rfc']}_20260315_083000.xlsx")
    page.goto(servidor + f"/administracion/exportar-excel/{eid}")
    expect(page.get_by_text("Generando el archivo")).to_be_visible()
    auditar(page, "Exportación en proceso", js)
    with app.app_context():
        e = db.session.get(Exportacion, eid)
        e.estado, e.escritas, e.expira_en = "lista", e.total, ahora_utc() + timedelta(hours=24)
        db.session.commit()
    if not js:
        page.reload()  # what the <noscript> refresh does in a browser without JavaScript
    expect(page.get_by_role("link", name="Descargar Excel")).to_be_visible()  # with JS: htmx's polling
    if js:
        expect(page.locator("#anuncio")).to_have_text(re.compile("^El archivo está listo"))
    auditar(page, "Exportación terminada", js)
    contexto.close()


def test_axe_en_los_estados_dentro_de_la_pagina(browser, app, servidor, datos):
    """What only exists with JavaScript: the edit form, the confirmation and the message inside a row,
    the grid after a sort (focus on its caption, the live region filled), the Alta dialog."""
    contexto = contexto_auditable(browser, True)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    page.goto(servidor + "/administracion/consulta")
    fila = page.locator(f"#capturista-{datos['pendiente']}")
    fila.get_by_role("link", name=re.compile("^Editar")).click()
    expect(fila.get_by_label("Teléfono")).to_be_focused()
    auditar(page, "Consulta: editar en la fila", True)
    fila.get_by_role("link", name="Cancelar").click()
    # The row is back (the focus returns to Editar) before Eliminar: its link is in the row with the form
    # open too, and a click then sent both requests at once, the row's answer arriving last at times.
    expect(fila.get_by_role("link", name=re.compile("^Editar"))).to_be_focused()
    fila.get_by_role("link", name=re.compile("^Eliminar")).click()
    expect(fila.locator(".confirmacion")).to_be_focused()
    auditar(page, "Consulta: confirmación en la fila", True)
    fila.get_by_role("button", name="Aceptar").click()
    expect(fila.locator(".mensaje-fila")).to_be_focused()
    auditar(page, "Consulta: mensaje en la fila", True)
    page.locator("thead").get_by_role("link", name=re.compile("^CURP")).click()
    expect(page.locator("#grid-capturistas caption")).to_be_focused()
    expect(page.locator("#anuncio")).to_have_text(re.compile("ordenados por CURP, ascendente"))
    auditar(page, "Consulta: ordenada (foco en la leyenda)", True)
    page.goto(servidor + "/administracion/alta-usuarios/")
    libre = datos["persona_libre"]
    page.get_by_label("CURP").fill(libre.curp)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_label("Teléfono")).to_be_focused()
    auditar(page, "Alta: nombre validado (anunciado)", True)
    page.get_by_label("Teléfono").fill("5512345678")
    page.get_by_label("Correo electrónico", exact=True).fill("dialogo@correo.example")
    page.get_by_label("Confirmar correo electrónico").fill("dialogo@correo.example")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("dialog").get_by_role("link", name="Aceptar")).to_be_focused()
    auditar(page, "Alta: diálogo de confirmación (modal)", True)
    contexto.close()


def _foco_visible(page) -> None:
    estilo = page.evaluate("""() => { const e = document.activeElement, c = getComputedStyle(e);
        return {outline: c.outlineStyle, ancho: parseFloat(c.outlineWidth), sombra: c.boxShadow}; }""")
    assert (estilo["outline"] != "none" and estilo["ancho"] >= 2) or estilo["sombra"] != "none", estilo


def test_historia_del_contratista_solo_con_teclado(browser, servidor, app, smtp):
    with app.app_context():
        persona = cargar_padron(3)[0]
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    page = contexto.new_page()
    teclado = page.keyboard
    page.goto(servidor + "/cuenta/registro")

    def escribir(selector, texto):
        tab_hasta(page, selector)
        _foco_visible(page)
        teclado.type(texto)

    rfc, clave = rfc_valido("TEC", "110101", "K3"), "Teclado2026seguro"
    escribir("#rfc", rfc)
    escribir("#correo", "teclado@empresa.example")
    escribir("#password", clave)
    escribir("#confirmar_password", clave)
    teclado.press("Enter")
    expect(page.get_by_role("heading", name="Revisa tu correo electrónico")).to_be_visible()
    # The confirmation link arrives by e-mail; opening it (from the mail client) lands on the login page.
    confirmar_cuenta(page, liga_de_confirmacion(app, smtp, "teclado@empresa.example"))
    escribir("#rfc", rfc)
    escribir("#password", clave)
    teclado.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Bienvenido"))).to_be_visible()
    tab_hasta(page, "main a[href$='/contratista/datos-generales']")  # the notice's link to Datos Generales
    _foco_visible(page)
    teclado.press("Enter")
    expect(page.get_by_role("heading", name="Datos Generales del Contratista")).to_be_visible()
    for selector, texto in [("#razon_social", "Teclados del Centro, S.C."), ("#registro_patronal", "Y3926552104"),
                            ("#registro_repse", "AR12345/2024"), ("#calle", "Madero"), ("#numero", "10"),
                            ("#colonia", "Centro"), ("#codigo_postal", "06000"), ("#municipio", "Cuauhtémoc")]:
        escribir(selector, texto)
    tab_hasta(page, "#entidad")
    teclado.type("Ciudad")  # type-ahead picks "Ciudad de México"
    escribir("#telefono", "5512345678")
    escribir("#correo_contacto", "contacto@teclados.example")
    tab_hasta(page, "input[type=submit][value=Guardar]")
    _foco_visible(page)
    teclado.press("Enter")
    expect(page.get_by_text("se guardaron correctamente")).to_be_visible()

    # Menu by keyboard: open Administración (Enter on summary) and follow Alta de usuarios.
    tab_hasta(page, "summary")
    teclado.press("Enter")
    tab_hasta(page, "a[href$='/alta-usuarios/']")
    teclado.press("Enter")
    expect(page.get_by_role("heading", name="Alta de usuarios")).to_be_visible()
    escribir("#curp", persona.curp)
    teclado.press("Enter")  # Validar
    expect(page.get_by_text(persona.primer_apellido, exact=True)).to_be_visible()
    escribir("#telefono", "5512345678")
    escribir("#correo", "capturista.teclado@correo.example")
    escribir("#confirmar_correo", "capturista.teclado@correo.example")
    teclado.press("Enter")  # Guardar
    expect(page.get_by_text("El usuario se guardó exitosamente.")).to_be_visible()
    # The modal dialog gets the focus on Aceptar (once htmx has settled and showModal ran).
    expect(page.get_by_role("dialog").get_by_role("link", name="Aceptar")).to_be_focused()
    teclado.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.goto(servidor + "/administracion/consulta")
    expect(page.get_by_role("heading", name="Consulta de usuarios capturistas")).to_be_visible()
    tab_hasta(page, "a[href*='/eliminar']")
    _foco_visible(page)
    teclado.press("Enter")
    expect(page.get_by_text("¿Deseas dar de baja al usuario capturista?")).to_be_visible()
    expect(page.locator(".confirmacion")).to_be_focused()  # htmx settled and moved the focus there
    tab_hasta(page, "button.boton--peligro")
    teclado.press("Enter")
    expect(page.get_by_text(re.compile(r"La relación con el usuario capturista .+ es baja\."))).to_be_visible()
    expect(page.locator(".mensaje-fila")).to_be_focused()
    tab_hasta(page, ".mensaje-fila a")
    teclado.press("Enter")
    expect(page.locator(".mensaje-fila")).to_have_count(0)  # the plain row is back
    tab_hasta(page, "a[href*='/activar']")
    teclado.press("Enter")
    expect(page.get_by_text("¿Deseas activar nuevamente al usuario capturista?")).to_be_visible()
    expect(page.locator(".confirmacion")).to_be_focused()
    tab_hasta(page, ".confirmacion button")
    teclado.press("Enter")
    expect(page.get_by_text(re.compile(r"El usuario capturista .+ se activó correctamente\."))).to_be_visible()
    contexto.close()


@pytest.mark.parametrize("ancho,alto,escala,nombre", [(390, 844, 1, "teléfono 390 px"), (640, 400, 2, "200 % de zoom")])
def test_paginas_usables_en_telefono_y_con_zoom(browser, servidor, datos, ancho, alto, escala, nombre):
    """No horizontal scrolling of the page and the main controls in view, at 390 px and at 200 %
    zoom (a 1280×800 window at 200 % is a 640×400 CSS viewport)."""
    contexto = browser.new_context(viewport={"width": ancho, "height": alto}, device_scale_factor=escala)
    page = contexto.new_page()
    entrar_contratista(page, servidor, datos["rfc"])
    for ruta in ["/", "/contratista/datos-generales", "/administracion/alta-usuarios/", "/administracion/consulta",
                 f"/administracion/consulta/{datos['pendiente']}/editar", "/administracion/exportar-excel",
                 f"/administracion/consulta/{datos['pendiente']}/bitacora"]:
        page.goto(servidor + ruta)
        desborde = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert desborde <= 1, f"{nombre}: {ruta} se desborda {desborde}px a lo ancho"
        boton = page.locator("main .boton, main input[type=submit], main .accion").first
        if boton.count():
            caja = boton.bounding_box()
            assert caja and caja["x"] >= 0 and caja["x"] + caja["width"] <= ancho + 1, (nombre, ruta, caja)
    contexto.close()
