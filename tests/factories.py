"""Test data builders: valid RFCs with SAT's check digit, contractors with or without Datos Generales,
the padrón, capturistas and their relations, export jobs. Builders that take no ``app`` need an app context."""
from __future__ import annotations

import itertools

from domain.rfc import digito_verificador
from extensions import db
from models import Contratista, DatosGenerales

PASSWORD = "Limpieza#Bajio2026"
_secuencia = itertools.count(1)


def rfc_valido(prefijo: str = "ABC", fecha: str = "010101", homoclave: str = "A1") -> str:
    base = f"{prefijo}{fecha}{homoclave}"
    return base + digito_verificador(base)


def rfc_nuevo() -> str:
    n = next(_secuencia)
    letras = "".join("ABCDEFGHJKLMNPRSTUVWXYZ"[(n // 23 ** i) % 23] for i in range(3))
    return rfc_valido(letras, "0" + f"{(n % 9) + 1}" + "0101", "B2")


DATOS_GENERALES = dict(
    razon_social="Limpieza Industrial del Bajío, S.A. de C.V.",
    registro_patronal="Y3926552104",
    registro_repse="AR12345/2024",
    calle="Av. Juárez",
    numero="100 Int. 3",
    colonia="Centro",
    codigo_postal="37000",
    municipio="León",
    entidad="11",
    telefono="4771234567",
    correo_contacto="contacto@limpieza.example",
)


def crear_contratista(*, rfc: str | None = None, correo: str | None = None,
                      con_datos: bool = True, sin_verificar: bool = False, **datos) -> Contratista:
    rfc = rfc or rfc_nuevo()
    from models.types import ahora_utc

    contratista = Contratista(rfc=rfc, correo=correo or f"{rfc.lower()}@contratista.example",
                              correo_verificado_en=None if sin_verificar else ahora_utc())
    contratista.set_password(PASSWORD)
    if con_datos:
        contratista.datos_generales = DatosGenerales(**{**DATOS_GENERALES, **datos})
    db.session.add(contratista)
    db.session.commit()
    return contratista


def cargar_padron(n: int = 30, semilla: int = 7):
    """Fictitious people in the local padrón; returns them (domain.padron_ficticio.Persona)."""
    from domain.padron_ficticio import generar_personas
    from models import PersonaPadron

    personas = list(generar_personas(n, semilla))
    db.session.add_all(PersonaPadron(
        curp=p.curp, nombre=p.nombre, primer_apellido=p.primer_apellido, segundo_apellido=p.segundo_apellido,
        fecha_nacimiento=p.fecha_nacimiento, sexo=p.sexo, entidad=p.entidad) for p in personas)
    db.session.commit()
    return personas


CLAVE_CAPTURISTA = "Captura2026segura"


def crear_capturista_activo(*contratistas, usuario: str = "maria.lopez", curp: str = "HEGG560427MVZRRL04",
                            correo: str = "maria@correo.example"):
    """An activated capturista with an active relation to each contractor given."""
    from models import Capturista, RelacionCapturista
    from models.types import ahora_utc

    capturista = Capturista(curp=curp, nombre="GUADALUPE", primer_apellido="HERNÁNDEZ", segundo_apellido="GARCÍA",
                            usuario=usuario, correo=correo, activado_en=ahora_utc())
    capturista.set_password(CLAVE_CAPTURISTA)
    db.session.add(capturista)
    for c in contratistas:
        relacion = RelacionCapturista(contratista_id=c.id, capturista=capturista, telefono="5512345678",
                                      correo=correo, estatus="activo", activado_en=ahora_utc())
        relacion.copiar_datos_de(capturista)
        db.session.add(relacion)
    db.session.commit()
    return capturista


def crear_persona(curp: str, nombre: str, primer_apellido: str, segundo_apellido: str = "", usuario: str | None = None):
    """A capturista person (activated when ``usuario`` is given). Flushes; the caller commits."""
    from models import Capturista
    from models.types import ahora_utc

    persona = Capturista(curp=curp, nombre=nombre, primer_apellido=primer_apellido, segundo_apellido=segundo_apellido,
                         usuario=usuario, activado_en=ahora_utc() if usuario else None)
    if usuario:
        persona.set_password(CLAVE_CAPTURISTA)
    db.session.add(persona)
    db.session.flush()
    return persona


def crear_relacion(contratista, persona, *, correo: str, estatus: str = "pendiente", telefono: str = "5512345678",
                   **campos):
    """The persona as capturista of the contractor, with its search/sort copies. Flushes."""
    from models import RelacionCapturista

    relacion = RelacionCapturista(contratista_id=contratista.id, capturista_id=persona.id, telefono=telefono,
                                  correo=correo, estatus=estatus, **campos)
    relacion.capturista = persona
    relacion.copiar_datos_de(persona)
    db.session.add(relacion)
    db.session.flush()
    return relacion


def relacion_sembrada(app, contratista_id: int, persona, estatus: str = "pendiente",
                      correo: str = "jose@correo.example") -> int:
    """A relation of a padrón person written straight to the database (no e-mail yet), its link valid
    for 24 hours; returns its id."""
    from datetime import timedelta

    from models.types import ahora_utc

    with app.app_context():
        capturista = crear_persona(persona.curp, persona.nombre, persona.primer_apellido, persona.segundo_apellido)
        relacion = crear_relacion(db.session.get(Contratista, contratista_id), capturista, correo=correo,
                                  estatus=estatus, token_version=1, liga_vence_en=ahora_utc() + timedelta(hours=24),
                                  activado_en=ahora_utc() if estatus == "activo" else None)
        db.session.commit()
        return relacion.id


def crear_exportacion(app, contratista_id: int, estado: str = "pendiente", **campos) -> int:
    """An Excel export job of the contractor in ``estado``; returns its id."""
    from models import Exportacion

    with app.app_context():
        exportacion = Exportacion(**{"contratista_id": contratista_id, "solicitante": "x", "estado": estado,
                                     "total": 10, "nombre_archivo": "capturistas.xlsx", **campos})
        db.session.add(exportacion)
        db.session.commit()
        return exportacion.id


APELLIDOS = ("ZAPATA", "ÁLVAREZ", "MÉNDEZ", "NÚÑEZ", "BARRERA", "OCHOA", "RUIZ", "SOTO")


def crear_informativa(contratista, *, periodo: tuple[int, int] = (2026, 2), contratos: int = 1, trabajadores: int = 1,
                      actor: str | None = None) -> int:
    """A draft Normal informativa of ``periodo`` whose checklist is all green: ``contratos`` contracts that
    start in the period, each with ``trabajadores`` workers (NSS and CURP valid-looking, names apart by
    apellido). Commits; returns its id."""
    from datetime import date, datetime, timezone
    from decimal import Decimal

    from domain.nss import completar
    from domain.periodos import Periodo
    from services import informativas as srv
    from services.padron import PersonaEncontrada

    actor = actor or f"contratista:{contratista.rfc}"
    p = Periodo(*periodo)
    informativa = srv.crear(contratista.id, p, "normal", actor, datetime(2026, 11, 30, 18, tzinfo=timezone.utc))
    for i in range(contratos):
        contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
            rfc_contratante=rfc_valido("CLI", f"0303{i + 1:02d}", "D4"), nombre_contratante=f"Cliente {i + 1}, S.A.",
            correo_contratante=f"compras{i + 1}@cliente.example", telefono_contratante="5512341234",
            objeto=f"Limpieza de la planta {i + 1}", servicio="AR12345/2024 Servicios de limpieza",
            fecha_inicio=date(p.inicio.year, p.inicio.month, 2 + i % 20), fecha_fin=None), actor)
        for j in range(trabajadores):
            curp = f"PEGL85{i:02d}{j:04d}HJCRRS"[:16] + f"{j % 100:02d}"
            srv.agregar_trabajador(informativa, contrato, completar(f"{i + 1:03d}{j:07d}"),
                                   PersonaEncontrada(curp, f"NOMBRE{j}", APELLIDOS[j % len(APELLIDOS)], "GARCÍA"),
                                   Decimal("315.04") + j, actor)
    db.session.commit()
    return informativa.id
