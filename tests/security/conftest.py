"""Fixtures of the security suite, and the figures it reports at the end of the run."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (and, if enabled, its example database) in ./.hypothesis: keep the
# working tree clean and put them in the system's temporary directory instead.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "hypothesis-icsoe-seguridad")

from tests.security.estadisticas import ESTADISTICAS
from tests.security.mundo import crear_mundo


@pytest.fixture
def mundo(app):
    return crear_mundo(app)


def pytest_terminal_summary(terminalreporter):
    if not ESTADISTICAS:
        return
    terminalreporter.section("suite de seguridad")
    for clave, valor in sorted(ESTADISTICAS.items()):
        terminalreporter.write_line(f"{clave}: {valor}")
