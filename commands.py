"""``flask`` CLI commands of the project (beside Flask-Migrate's ``flask db``)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from extensions import db

demo_cli = AppGroup("demo", help="Datos de demostración.")

DEMO_RFC = "SAT970701NN3"
DEMO_PASSWORD = "Demostracion2026"


@demo_cli.command("cargar")
def cargar_demo() -> None:
    """Crea un contratista de demostración con sus Datos Generales (idempotente)."""
    from models import Contratista, DatosGenerales

    contratista = db.session.scalar(select(Contratista).where(Contratista.rfc == DEMO_RFC))
    if contratista is None:
        contratista = Contratista(rfc=DEMO_RFC, correo="demo@contratista.example")
        contratista.set_password(DEMO_PASSWORD)
        db.session.add(contratista)
    if contratista.datos_generales is None:
        contratista.datos_generales = DatosGenerales(
            razon_social="Servicios Especializados de Demostración, S.A. de C.V.",
            registro_patronal="Y3926552104", registro_repse="AR12345/2024",
            calle="Avenida Paseo de la Reforma", numero="476", colonia="Juárez",
            codigo_postal="06600", municipio="Cuauhtémoc", entidad="09",
            telefono="5552382700", correo_contacto="contacto@contratista.example",
        )
    db.session.commit()
    click.echo(f"Contratista de demostración listo: RFC {DEMO_RFC}, contraseña {DEMO_PASSWORD}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
