"""Figures the security suite gathers while it runs (cases tried, matrix size), printed in the
terminal summary by tests/security/conftest.py."""
from __future__ import annotations

ESTADISTICAS: dict[str, int] = {}


def contar(clave: str, n: int = 1) -> None:
    ESTADISTICAS[clave] = ESTADISTICAS.get(clave, 0) + n
