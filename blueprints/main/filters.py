"""Jinja filters and globals: dates in Mexico City time, amounts in pesos, the entidad catalogue."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def fecha_hora(valor: datetime | None) -> str:
    """dd/mm/aaaa hh:mm in Mexico City time (the app's TIMEZONE): templates and messages alike."""
    if valor is None:
        return ""
    return valor.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d/%m/%Y %H:%M")


def pesos(valor) -> str:
    """$1,234.56: an amount (the salario base de cotización) in a grid or a message."""
    return f"${valor:,.2f}"


def register(app: Flask) -> None:
    zona = ZoneInfo(app.config["TIMEZONE"])
    app.add_template_filter(fecha_hora, "fecha_hora")
    app.add_template_filter(pesos, "pesos")

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
        from models import RelacionCapturista

        return {"es_contratista": es_contratista, "es_capturista": es_capturista,
                "ETIQUETAS_ESTATUS": RelacionCapturista.ETIQUETAS}
