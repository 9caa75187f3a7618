"""What the browser stories share: a browser context with JavaScript on or off, axe-core on a page
(its results printed at the end of the run by tests/browser/conftest.py), logging in as a contractor,
moving by keyboard, where the focus is after a swap and what the live region says. The mailbox side
is in tests/browser/buzon.py."""
from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import CLAVE_CAPTURISTA, PASSWORD

VENTANA = {"width": 1280, "height": 800}

AXE = Axe()
# axe results per page and mode, printed at the end of the run (and listed in the notes).
RESULTADOS_AXE: dict[str, dict[str, str]] = defaultdict(dict)


def nuevo_contexto(browser, js: bool, **kw):
    """A browser context with JavaScript on or off (a kiosk without JavaScript)."""
    return browser.new_context(java_script_enabled=js, viewport=kw.pop("viewport", VENTANA), **kw)


def contexto_auditable(browser, js: bool, **kw):
    """A context for axe: without ``js`` no script of the page runs, but JavaScript stays enabled in the
    context because axe itself is injected through the DevTools protocol."""
    nuevo = browser.new_context(viewport=kw.pop("viewport", VENTANA), **kw)
    if not js:
        nuevo.route(re.compile(r".*\.js(\?.*)?$"), lambda ruta: ruta.abort())
    return nuevo


def auditar(page, nombre: str, js: bool) -> list[dict]:
    """axe-core on the page as it is now: no serious or critical violation (the count is recorded).
    Returns every violation found."""
    resultado = AXE.run(page)
    violaciones = resultado.response["violations"]
    graves = [v for v in violaciones if v.get("impact") in ("serious", "critical")]
    RESULTADOS_AXE[nombre]["con JS" if js else "sin JS"] = (
        f"{len(violaciones)} violaciones ({len(graves)} serias/críticas)")
    detalle = "; ".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in graves)
    assert not graves, f"{nombre}: {detalle}"
    return violaciones


def sin_violaciones(page, nombre: str, js: bool) -> None:
    """axe-core: not one violation, whatever its impact (``auditar`` fails on serious or critical ones only)."""
    violaciones = auditar(page, nombre, js)
    detalle = "; ".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violaciones)
    assert not violaciones, f"{nombre}: {detalle}"


def intentar_entrar(page, servidor: str, rfc: str, clave: str = PASSWORD) -> None:
    """Fill in and submit the contractor's login form (whatever the outcome)."""
    page.goto(servidor + "/cuenta/iniciar-sesion")
    page.get_by_label("RFC").fill(rfc)
    page.get_by_label("Contraseña").fill(clave)
    page.get_by_role("button", name="Iniciar sesión").click()


def entrar_contratista(page, servidor: str, rfc: str, clave: str = PASSWORD) -> None:
    """Log in as the contractor and land on its welcome page."""
    intentar_entrar(page, servidor, rfc, clave)
    expect(page.get_by_role("heading", name=re.compile("^Bienvenido"))).to_be_visible()


def entrar_capturista(page, servidor: str, usuario: str = "maria.lopez", clave: str = CLAVE_CAPTURISTA) -> None:
    """Log in as the capturista and work for the first contractor offered."""
    page.goto(servidor + "/capturista/iniciar-sesion")
    page.get_by_label("Usuario").fill(usuario)
    page.get_by_label("Contraseña").fill(clave)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("button", name=re.compile("^Trabajar para este contratista")).first.click()
    expect(page.get_by_role("heading", name=re.compile("^Hola, "))).to_be_visible()


def enviar_a_firma(page) -> None:
    """The capturista, on a complete informativa's page, sends it to signature (Enviar a firma, then its
    confirmation: in place with JavaScript, its own page without)."""
    page.get_by_role("link", name="Enviar a firma").click()
    page.get_by_role("button", name="Enviar a firma").click()
    expect(page.get_by_text("La informativa se envió a firma; el contratista recibió un correo.")).to_be_visible()


def elegir_efirma(page, carpeta: Path, cer: bytes, key: bytes, password: str) -> None:
    """Choose the e.firma's .cer and .key (written as files in ``carpeta``, as a user has them) and type
    the password, in the form of the page."""
    (carpeta / "efirma.cer").write_bytes(cer)
    (carpeta / "Claveprivada_FIEL.key").write_bytes(key)
    page.get_by_label("Certificado (.cer)").set_input_files(carpeta / "efirma.cer")
    page.get_by_label("Clave privada (.key)").set_input_files(carpeta / "Claveprivada_FIEL.key")
    page.get_by_label("Contraseña de la clave privada").fill(password)


def tab_hasta(page, selector: str, maximo: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only, no clicks)."""
    for _ in range(maximo):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"el teclado no llegó a {selector}")


# --- focus and the live region after an htmx swap ------------------------------------------------

def foco_actual(page) -> dict:
    """What has the focus: tag, id, class and the start of its text."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? {tag: e.tagName.toLowerCase(), id: e.id, clase: e.className,
                    texto: (e.innerText || e.value || "").replace(/\\s+/g, " ").trim().slice(0, 80)} : {tag: null}; }""")


def foco_en(page, selector: str) -> dict:
    """Wait until ``document.activeElement`` matches ``selector`` (after the swap settles), and make
    sure it stays there and is never <body>."""
    try:
        page.wait_for_function("s => document.activeElement && document.activeElement.matches(s)",
                               arg=selector, timeout=5000)
    except Exception:  # Playwright's TimeoutError: say where the focus is instead
        raise AssertionError(f"el foco no llegó a {selector}: está en {foco_actual(page)}") from None
    page.wait_for_timeout(150)  # nothing moves it afterwards (a late settle, a refresh)
    foco = foco_actual(page)
    assert foco["tag"] not in (None, "body"), foco
    assert page.evaluate("s => document.activeElement.matches(s)", selector), (selector, foco)
    return foco


def abrir_trabajo(page, url: str) -> list[float]:
    """Open a background job's page (a carga masiva) with JavaScript: its <meta> refresh stays inside
    <noscript>, the focus is on the polled block, and a mark is left in the window (a full reload would
    wipe it: ``sin_recargar``). Returns the times of the polls, appended as they come."""
    consultas: list[float] = []
    page.on("request", lambda r: consultas.append(time.monotonic()) if r.url.endswith(url) else None)
    page.goto(url)
    assert page.evaluate("document.querySelector('meta[http-equiv=refresh]')") is None  # only inside <noscript>
    page.evaluate("window.__sinRecarga = true")
    foco_en(page, "#carga-estado")
    return consultas


def sin_recargar(page) -> None:
    assert page.evaluate("window.__sinRecarga === true"), "hubo una recarga completa de la página"


def dejo_de_consultar(page, consultas: list[float]) -> None:
    """The job is done: its page polls no more (and was never reloaded)."""
    hecho = time.monotonic()
    page.wait_for_timeout(2500)
    assert not [t for t in consultas if t > hecho + 0.5], "siguió consultando el estado después de terminar"
    sin_recargar(page)


def anuncio(page, patron: str) -> None:
    """The polite live region (#anuncio) says what matches ``patron``."""
    expect(page.locator("#anuncio")).to_have_text(re.compile(patron))
