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
@click.option("--forzar", is_flag=True, help="Cargar aunque la aplicación no esté en modo de depuración.")
def cargar_demo(forzar: bool) -> None:
    """Crea un contratista de demostración con sus Datos Generales (idempotente)."""
    from flask import current_app

    from models import Contratista, DatosGenerales

    # A published RFC and password: never on a real server by accident.
    if not (current_app.debug or forzar):
        raise click.ClickException(
            "La aplicación no está en modo de depuración: el contratista de demostración tiene una contraseña "
            "publicada. Usa --forzar solo en un servidor de pruebas.")

    contratista = db.session.scalar(select(Contratista).where(Contratista.rfc == DEMO_RFC))
    if contratista is None:
        from models.types import ahora_utc

        contratista = Contratista(rfc=DEMO_RFC, correo="demo@contratista.example", correo_verificado_en=ahora_utc())
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


padron_cli = AppGroup("padron", help="Padrón local de personas (sustituto de RENAPO en desarrollo).")


@padron_cli.command("generar")
@click.option("-n", "--cantidad", default=500, show_default=True, help="Personas a generar.")
@click.option("--semilla", default=2026, show_default=True)
@click.option("-o", "--salida", type=click.Path(dir_okay=False), default="-", help="Archivo CSV (- = salida estándar).")
def generar_padron(cantidad: int, semilla: int, salida: str) -> None:
    """Genera personas ficticias con CURP válida y congruente con su nombre (CSV)."""
    from domain.padron_ficticio import escribir_csv, generar_personas

    with click.open_file(salida, "w", encoding="utf-8") as archivo:
        escrito = escribir_csv(archivo, generar_personas(cantidad, semilla))
    if salida != "-":
        click.echo(f"{escrito} personas escritas en {salida}")


@padron_cli.command("cargar")
@click.argument("archivo", required=False, type=click.Path(exists=True, dir_okay=False))
def cargar_padron(archivo: str | None) -> None:
    """Carga (sin duplicar) el CSV del padrón; por omisión el de PADRON_CSV."""
    from flask import current_app

    from domain.curp import CurpInvalida, validar
    from domain.padron_ficticio import leer_csv
    from models import PersonaPadron

    ruta = archivo or current_app.config["PADRON_CSV"]
    existentes = set(db.session.scalars(select(PersonaPadron.curp)))
    nuevas, invalidas = [], 0
    for persona in leer_csv(ruta):
        try:
            validar(persona.curp)
        except CurpInvalida:
            invalidas += 1
            continue
        if persona.curp in existentes:
            continue
        existentes.add(persona.curp)
        nuevas.append(dict(curp=persona.curp, nombre=persona.nombre, primer_apellido=persona.primer_apellido,
                           segundo_apellido=persona.segundo_apellido, fecha_nacimiento=persona.fecha_nacimiento,
                           sexo=persona.sexo, entidad=persona.entidad))
    if nuevas:
        db.session.execute(PersonaPadron.__table__.insert(), nuevas)
    db.session.commit()
    click.echo(f"Padrón: {len(nuevas)} personas nuevas, {invalidas} CURP inválidas omitidas, "
               f"{len(existentes)} en total.")


correos_cli = AppGroup("correos", help="Correos salientes (bandeja de salida).")


@correos_cli.command("enviar")
@click.option("--limite", default=500, show_default=True)
def enviar_correos(limite: int) -> None:
    """Entrega los correos pendientes (los que fallaron por SMTP se reintentan)."""
    from services.correo import enviar_pendientes

    enviados, fallidos = enviar_pendientes(limite=limite)
    click.echo(f"Correos enviados: {enviados}; fallidos (siguen pendientes): {fallidos}")
    if fallidos:
        raise SystemExit(1)


informativa_cli = AppGroup("informativa", help="Informativas presentadas.")


@informativa_cli.command("verificar-acuse")
@click.argument("folio")
def verificar_acuse(folio: str) -> None:
    """Recalcula la cadena original del acuse FOLIO con los datos guardados y verifica su sello con el
    certificado con que se firmó. Sale con 1 si no coincide."""
    from services.presentacion import verificar

    resultado = verificar(folio)
    if resultado is None:
        raise click.ClickException(f"No hay un acuse con el folio {folio}.")
    acuse = resultado.acuse
    click.echo(f"Acuse {acuse.folio}: certificado {acuse.numero_certificado} (RFC {acuse.rfc}), "
               f"firmado el {acuse.fecha.isoformat()}.")
    click.echo(f"Digesto guardado:    {acuse.digest}")
    click.echo(f"Digesto recalculado: {resultado.digest}")
    if not resultado.digest_coincide:
        click.echo("NO VÁLIDO: los datos guardados ya no son los que se firmaron.")
        raise SystemExit(1)
    if not resultado.sello_valido:
        click.echo("NO VÁLIDO: el sello no corresponde a la cadena original con ese certificado.")
        raise SystemExit(1)
    click.echo("VÁLIDO: la cadena original coincide y el sello se verificó con el certificado del firmante.")


recordatorios_cli = AppGroup("recordatorios", help="Recordatorios del vencimiento de la informativa.")


@recordatorios_cli.command("enviar")
@click.option("--fecha", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="AAAA-MM-DD",
              help="El día del que se envían (por omisión, hoy en la Ciudad de México).")
def enviar_recordatorios(fecha) -> None:
    """Encola los recordatorios del día que aún no se han enviado (cada uno sale una sola vez)."""
    from services.recordatorios import enviar_recordatorios as enviar

    encolados = enviar(fecha.date() if fecha else None)
    click.echo(f"Correos de recordatorio encolados: {encolados} (los entrega la bandeja de salida).")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(padron_cli)
    app.cli.add_command(correos_cli)
    app.cli.add_command(informativa_cli)


    app.cli.add_command(recordatorios_cli)
