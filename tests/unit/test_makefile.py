"""`make run` tells the web server and the Huey worker where it listens, so e-mailed links point at
the port it serves (``make run PORT=5101`` used to send links to :5000).

Read from ``make -n`` (a dry run: it prints the recipes without running them). A dry run still
executes lines prefixed with ``+``, lines using ``$(MAKE)``, ``$(shell ...)`` and included makefiles,
so the first test makes sure the Makefile has none of them before any dry run happens."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
MAKEFILE = RAIZ / "Makefile"
# What GNU make runs even with -n.
SE_EJECUTA_EN_SECO = re.compile(r"^\t[@-]*\+|\$[({]MAKE[)}]|\$[({]shell\s|^\s*-?s?include\s", re.MULTILINE)


def test_la_simulacion_no_ejecuta_nada():
    assert SE_EJECUTA_EN_SECO.findall(MAKEFILE.read_text()) == []


def _en_seco(*argumentos: str, base_url: str | None = None) -> list[str]:
    """Lines of ``make -n run ...`` that start the worker and the web server."""
    assert not SE_EJECUTA_EN_SECO.search(MAKEFILE.read_text())  # never dry-run a Makefile that would act
    entorno = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "MAKEFLAGS", "MFLAGS")}
    if base_url is not None:
        entorno["BASE_URL"] = base_url
    salida = subprocess.run(["make", "-n", "-f", str(MAKEFILE), "run", *argumentos], cwd=RAIZ, env=entorno,
                            capture_output=True, text=True, timeout=30, check=True).stdout
    lineas = [linea for linea in salida.splitlines()
              if "huey_consumer" in linea or re.search(r"flask --app app run\b", linea)]
    assert len(lineas) == 2, salida
    return lineas


def _base_url(linea: str) -> str | None:
    m = re.search(r'(?:^|\s)BASE_URL="([^"]*)"', linea)
    return m.group(1) if m else None


@pytest.mark.parametrize("argumentos,esperada", [
    (("PORT=5101",), "http://127.0.0.1:5101"),
    (("PORT=5101", "BASE_URL="), "http://127.0.0.1:5101"),  # empty is not set
    (("HOST=192.0.2.10", "PORT=8080"), "http://192.0.2.10:8080"),
    ((), "http://127.0.0.1:5000"),
])
def test_base_url_sale_de_host_y_puerto(argumentos, esperada):
    assert [_base_url(linea) for linea in _en_seco(*argumentos)] == [esperada, esperada]


def test_base_url_del_entorno_se_respeta():
    lineas = _en_seco("PORT=5101", base_url="https://capturistas.example.gob.mx")
    assert [_base_url(linea) for linea in lineas] == ["https://capturistas.example.gob.mx"] * 2
