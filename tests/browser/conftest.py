"""Browser tests in real Chromium (Debian's package) driven by Playwright for Python.

Each test gets the app served by a real threaded WSGI server on 127.0.0.1 and a real SMTP
server (aiosmtpd) on loopback. Nothing downloads a browser: Playwright is pointed at
/usr/lib/chromium/chromium.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.ayudantes import RESULTADOS_AXE

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)),
                shutil.which("chromium"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert CHROMIUM, "Chromium no está instalado (apt-get install chromium)"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # No network but loopback here: keep Chromium from calling home.
        "args": ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--disable-gpu"],
    }


@pytest.fixture
def servidor(app, smtp):
    """The app on a free loopback port; e-mailed links point at it."""
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{srv.server_port}"
    app.config["BASE_URL"] = url
    hilo = threading.Thread(target=srv.serve_forever, daemon=True)
    hilo.start()
    yield url
    srv.shutdown()
    hilo.join(timeout=5)


@pytest.fixture
def sin_js(browser):
    """A kiosk browser: JavaScript switched off."""
    contexto = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    yield contexto
    contexto.close()


@pytest.fixture
def con_js(browser):
    contexto = browser.new_context(viewport={"width": 1280, "height": 800})
    yield contexto
    contexto.close()


def pytest_terminal_summary(terminalreporter):
    if not RESULTADOS_AXE:
        return
    terminalreporter.section("axe-core: violaciones por página (JS activado / desactivado)")
    for pagina in sorted(RESULTADOS_AXE):
        modos = RESULTADOS_AXE[pagina]
        terminalreporter.write_line(f"{pagina:45} " + "  ".join(f"{m}: {r}" for m, r in sorted(modos.items())))
