"""Screenshots of the main screens for the README (`make capturas`).

Builds a throwaway SQLite database through the migrations, seeds a contractor with a capturista in
each estatus, serves the app on a loopback port and photographs it with Debian's Chromium at
1280×800 and at 390 px wide. Writes docs/capturas/<pantalla>-<escritorio|telefono>.png.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import threading
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

SALIDA = RAIZ / "docs" / "capturas"
CHROMIUM = next(p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p))
TAMANOS = {"escritorio": {"width": 1280, "height": 800}, "telefono": {"width": 390, "height": 844}}


def preparar(ruta_db: Path):
    from flask_migrate import upgrade

    from app import create_app
    from commands import DEMO_RFC
    from config import Config
    from domain.padron_ficticio import generar_personas
    from domain.texto import plano
    from extensions import db
    from models import Contratista, PersonaPadron
    from services import capturistas
    from services.padron import PersonaEncontrada
    from services.tokens import token_activacion

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{ruta_db}", SECRET_KEY=secrets.token_urlsafe(48),
                     MAIL_SUPPRESS_SEND=True, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                     EFIRMA_CA_DIR=str(ruta_db.parent / "efirma_ca"))
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["demo", "cargar", "--forzar"])
        personas = list(generar_personas(8, 11))
        db.session.add_all(PersonaPadron(curp=p.curp, nombre=p.nombre, primer_apellido=p.primer_apellido,
                                         segundo_apellido=p.segundo_apellido, fecha_nacimiento=p.fecha_nacimiento,
                                         sexo=p.sexo, entidad=p.entidad) for p in personas)
        db.session.commit()
        contratista = db.session.scalar(db.select(Contratista).where(Contratista.rfc == DEMO_RFC))
        relaciones = []
        with app.test_request_context(method="POST"):  # writes: as a POST would
            for i, p in enumerate(personas[:3]):
                resultado = capturistas.dar_de_alta(
                    contratista, PersonaEncontrada(p.curp, p.nombre, p.primer_apellido, p.segundo_apellido),
                    telefono=f"55123456{i:02d}", correo=f"{plano(p.nombre.split()[0])}.{i}@correo.example",
                    clave=f"c{i}", actor=capturistas.actor_de(contratista))
                relaciones.append(resultado.relacion)
            capturistas.activar_cuenta(relaciones[1], "capturista.activo", "Capturista2026segura")
            capturistas.dar_de_baja(relaciones[2], actor=capturistas.actor_de(contratista))
            token = token_activacion(relaciones[0])
            informativa = _informativa(contratista, personas)
            firma = _firma(app, contratista)
        datos = {"libres": {"escritorio": personas[5], "telefono": personas[6]},
                 "pendiente": relaciones[0].id, "token": token, "informativa": informativa, **firma}
    return app, datos


def _firma(app, contratista) -> dict:
    """An informativa of 2026-1 sent to signature and one of 2025-3 presented with a test e.firma (a CA
    of its own, trusted by this throwaway app only): the contractor's Firmar y presentar and its acuse."""
    from domain import efirma
    from extensions import db
    from models import Informativa
    from models.types import ahora_utc
    from services import presentacion
    from tests.efirma import autoridad, der, fiel
    from tests.factories import crear_informativa

    ca = autoridad()
    carpeta = Path(app.config["EFIRMA_CA_DIR"])
    carpeta.mkdir(parents=True, exist_ok=True)
    (carpeta / "ac_capturas.cer").write_bytes(der(ca[0]))
    cer, key, password = fiel(ca, rfc=contratista.rfc, nombre="SERVICIOS ADMINISTRATIVOS DEMO SA DE CV")
    firma = efirma.abrir(cer, key, password, autoridades=[ca[0]], ahora=ahora_utc(), rfc_esperado=contratista.rfc)
    ids = {}
    for periodo in ((2026, 1), (2025, 3)):
        informativa = db.session.get(Informativa, crear_informativa(contratista, periodo=periodo, contratos=2,
                                                                    trabajadores=3))
        informativa.estado = Informativa.ENVIADA
        db.session.commit()
        ids[periodo] = informativa
    presentacion.presentar(ids[(2025, 3)], contratista, firma, ids[(2025, 3)].version, "capturas")
    return {"por_firmar": ids[(2026, 1)].id, "presentada": ids[(2025, 3)].id}


def _informativa(contratista, personas) -> dict:
    """The informativa of 2026-2 with two contracts and three workers (the capturista's screens)."""
    from datetime import date
    from decimal import Decimal

    from domain.nss import completar
    from domain.periodos import Periodo
    from extensions import db
    from models.types import ahora_utc
    from services import informativas as srv
    from services.padron import PersonaEncontrada
    from tests.factories import rfc_valido

    actor = "capturista:capturista.activo"
    informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", actor, ahora_utc())
    contratos = []
    for i, (rfc, nombre, objeto) in enumerate([(rfc_valido("CLI", "030303", "D4"), "Hoteles del Bajío, S.A.",
                                                "Limpieza de áreas comunes"),
                                               (rfc_valido("CLD", "040404", "E5"), "Plásticos León, S.A. de C.V.",
                                                "Vigilancia de planta")]):
        contratos.append(srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc, nombre_contratante=nombre, correo_contratante=f"compras{i}@cliente.example",
            telefono_contratante="4771234567", objeto=objeto, servicio="AR12345/2024 Servicios de limpieza y "
            "vigilancia", fecha_inicio=date(2026, 5 + i, 4), fecha_fin=None), actor))
    for i, p in enumerate(personas[3:6]):
        srv.agregar_trabajador(informativa, contratos[0], completar(f"12345678{i:02d}"),
                               PersonaEncontrada(p.curp, p.nombre, p.primer_apellido, p.segundo_apellido),
                               Decimal("315.04") + i * 20, actor)
    db.session.commit()
    return {"id": informativa.id, "contrato": contratos[0].id}


def foto(page, pantalla: str, tamano: str, completa: bool | None = None) -> None:
    page.wait_for_timeout(250)  # let htmx settle and the dialog open
    page.screenshot(path=SALIDA / f"{pantalla}-{tamano}.png",
                    full_page=tamano == "telefono" if completa is None else completa)


def main() -> None:
    SALIDA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app, datos = preparar(Path(tmp) / "capturas.db")
        servidor = make_server("127.0.0.1", 0, app, threaded=True)
        url = f"http://127.0.0.1:{servidor.server_port}"
        threading.Thread(target=servidor.serve_forever, daemon=True).start()
        with sync_playwright() as p:
            navegador = p.chromium.launch(executable_path=CHROMIUM,
                                          args=["--disable-background-networking", "--disable-component-update"])
            for nombre_tam, viewport in TAMANOS.items():
                contexto = navegador.new_context(viewport=viewport)
                page = contexto.new_page()
                page.goto(url + "/cuenta/iniciar-sesion")
                page.get_by_label("RFC").fill("SAT970701NN3")
                page.get_by_label("Contraseña").fill("Demostracion2026")
                page.get_by_role("button", name="Iniciar sesión").click()
                page.goto(url + "/administracion/alta-usuarios/")
                libre = datos["libres"][nombre_tam]
                page.get_by_label("CURP").fill(libre.curp)
                page.get_by_role("button", name="Validar").click()
                page.get_by_text(libre.primer_apellido, exact=True).wait_for()
                page.get_by_label("Teléfono").fill("5512345699")
                page.get_by_label("Correo electrónico", exact=True).fill("nuevo.capturista@correo.example")
                page.get_by_label("Confirmar correo electrónico").fill("nuevo.capturista@correo.example")
                foto(page, "1-alta-nombre-validado", nombre_tam)
                page.get_by_role("button", name="Guardar").click()
                page.get_by_text("El usuario se guardó exitosamente.").wait_for()
                foto(page, "2-alta-confirmacion", nombre_tam, completa=False)
                page.goto(url + "/administracion/consulta")
                foto(page, "3-consulta", nombre_tam)
                page.locator(f"#capturista-{datos['pendiente']}").get_by_role("link", name="Editar").first.click()
                page.get_by_role("button", name="Actualizar usuario").wait_for()
                foto(page, "4-consulta-editar", nombre_tam)
                page.goto(url + f"/informativas/{datos['informativa']['id']}")
                foto(page, "9-contratista-informativa", nombre_tam)
                page.goto(url + f"/informativas/{datos['por_firmar']}/firmar")
                foto(page, "10-contratista-firmar", nombre_tam)
                page.goto(url + f"/informativas/{datos['presentada']}/acuse")
                foto(page, "11-contratista-acuse", nombre_tam)
                contexto.close()
                capturista = navegador.new_context(viewport=viewport)
                page = capturista.new_page()
                page.goto(url + "/capturista/iniciar-sesion")
                page.get_by_label("Usuario").fill("capturista.activo")
                page.get_by_label("Contraseña").fill("Capturista2026segura")
                page.get_by_role("button", name="Iniciar sesión").click()
                page.get_by_role("button", name=re.compile("^Trabajar para este contratista")).first.click()
                foto(page, "6-captura-inicio", nombre_tam)
                informativa = f"/capturista/informativas/{datos['informativa']['id']}"
                page.goto(url + informativa)
                foto(page, "7-captura-informativa", nombre_tam)
                page.goto(url + f"{informativa}/contratos/{datos['informativa']['contrato']}")
                foto(page, "8-captura-trabajadores", nombre_tam)
                capturista.close()
                anonimo = navegador.new_context(viewport=viewport)
                activacion = anonimo.new_page()
                activacion.goto(url + f"/activacion/{datos['token']}")
                foto(activacion, "5-activacion", nombre_tam)
                anonimo.close()
            navegador.close()
        servidor.shutdown()
    print(f"Capturas escritas en {SALIDA.relative_to(RAIZ)}/")


if __name__ == "__main__":
    main()
