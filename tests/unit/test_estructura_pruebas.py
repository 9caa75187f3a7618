"""The suite's own layout: fixtures live in conftest files, helpers in plain modules (tests/ayudantes.py,
tests/factories.py, ...). No file imports a test module or a conftest: pytest loads those itself."""
from __future__ import annotations

import ast
from pathlib import Path

PRUEBAS = Path(__file__).resolve().parents[1]


def _importados(codigo: str, modulo: str) -> set[str]:
    """The absolute names of every module the code of ``modulo`` imports (``from x import y`` gives x and x.y)."""
    paquete = modulo.split(".")[:-1]
    nombres = set()
    for nodo in ast.walk(ast.parse(codigo)):
        if isinstance(nodo, ast.Import):
            nombres.update(a.name for a in nodo.names)
        elif isinstance(nodo, ast.ImportFrom):
            base = ".".join(paquete[: len(paquete) - nodo.level + 1] + [nodo.module or ""]) if nodo.level \
                else nodo.module
            base = base.strip(".")
            nombres |= {base} | {f"{base}.{a.name}" for a in nodo.names}
    return nombres


def _indebido(nombre: str) -> bool:
    ultimo = nombre.rsplit(".", 1)[-1]
    return nombre.split(".")[0] in ("tests", "conftest") and (ultimo == "conftest" or ultimo.startswith("test_"))


def test_ninguna_prueba_importa_otro_modulo_de_pruebas_ni_un_conftest():
    # The check sees every form such an import takes (and lets helper modules through).
    for codigo, esperado in [("from tests.conftest import csrf_de", True), ("import tests.security.conftest", True),
                             ("from tests.integration.test_alta_usuarios import guardar", True),
                             ("from tests.integration import test_alta_usuarios", True),
                             ("from . import conftest", True), ("from ..conftest import smtp", True),
                             ("from .test_consulta import GRID", True), ("from tests.ayudantes import guardar", False),
                             ("from tests.browser.ayudantes import auditar", False)]:
        nombres = _importados(codigo, "tests.integration.test_x")
        assert any(map(_indebido, nombres)) is esperado, (codigo, nombres)

    archivos = sorted(PRUEBAS.rglob("*.py"))
    assert PRUEBAS / "conftest.py" in archivos and len(archivos) > 40
    indebidos = []
    for ruta in archivos:
        modulo = ".".join(ruta.relative_to(PRUEBAS.parent).with_suffix("").parts)
        indebidos += [f"{modulo} importa {nombre}" for nombre in sorted(_importados(ruta.read_text("utf-8"), modulo))
                      if _indebido(nombre)]
    assert indebidos == [], "\n".join(indebidos)
