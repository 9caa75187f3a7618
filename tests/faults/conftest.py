"""Fixtures of the fault-injection suite: the two ways the outbox is drained later (CLI and the
Huey task). Its helpers (the alta, row actions, SMTP servers, threads released together) are in
tests/ayudantes.py."""
from __future__ import annotations

import pytest


@pytest.fixture
def entregar(app, runner):
    """Drain the outbox the way production does later: ``flask correos enviar`` or the body of the
    Huey periodic task. Returns a function ``entregar(via)`` → the CLI's output (or "" for Huey)."""
    import tareas

    def _entregar(via: str) -> str:
        if via == "cli":
            return runner.invoke(args=["correos", "enviar"]).output
        tareas.usar_app(app)
        try:
            tareas.enviar_correos_pendientes.call_local()
        finally:
            tareas.usar_app(None)
        return ""

    return _entregar
