"""Jinja filters and globals: dates in Mexico City time, the entidad catalogue."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask


def register(app: Flask) -> None:
    zona = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("fecha_hora")
    def fecha_hora(valor: datetime | None) -> str:
        if valor is None:
            return ""
        return valor.astimezone(zona).strftime("%d/%m/%Y %H:%M")

    @app.template_filter("fecha")
    def fecha(valor) -> str:
        if valor is None:
            return ""
        if isinstance(valor, datetime):
            valor = valor.astimezone(zona)
        return valor.strftime("%d/%m/%Y")

    @app.context_processor
    def _globales():
        from blueprints.auth.services import es_capturista, es_contratista

        return {"es_contratista": es_contratista, "es_capturista": es_capturista}
