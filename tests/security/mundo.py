"""The world every security test starts from, and helpers to look at it.

Two contractors with Datos Generales (A, the owner of every id in the URLs, and B, another
tenant), each with one capturista relation in each state (pendiente, activo, baja); a contractor
C without Datos Generales; an activated capturista (``maria.lopez``) with an active relation to A;
a finished Excel export of A and one of B, and of each a carga masiva of each kind (trabajadores,
capturistas); a live activation link (A's pending relation) and live password-reset links
(``maria.lopez``, contractor A).

Data is created inside ``with app.app_context()`` blocks and the clients are used outside them:
on SQLite the app opens ``BEGIN IMMEDIATE`` and a test session holding a transaction would block it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from extensions import db
from models import Bitacora, Capturista, CorreoSaliente, Exportacion, RelacionCapturista
from models.types import ahora_utc
from tests.ayudantes import CSRF_RE, elegir_contratista, iniciar_sesion, iniciar_sesion_capturista
from tests.factories import (
    CLAVE_CAPTURISTA,
    PASSWORD,
    cargar_padron,
    crear_capturista_activo,
    crear_contratista,
    crear_persona,
    crear_relacion,
)

RAZON_A = "Alfa Matriz Seguridad, S.A. de C.V."
RAZON_B = "Beta Obras Especializadas, S.A."
SECRETO_EXPORTACION_A = "CONTENIDO-SECRETO-DE-LA-EXPORTACION-ALFA"
SECRETO_EXPORTACION_B = "CONTENIDO-DE-LA-EXPORTACION-BETA"

# Roles of the route × role matrix.
ANONIMO = "anonimo"
DUENO = "contratista A (dueño)"
AJENO = "contratista B (otro)"
CAPTURISTA = "capturista"
SIN_DATOS = "contratista sin Datos Generales"
ROLES = (ANONIMO, DUENO, AJENO, CAPTURISTA, SIN_DATOS)

USUARIO_CAPTURISTA = "maria.lopez"
CURP_CAPTURISTA = "HEGG560427MVZRRL04"
CORREO_CAPTURISTA = "maria@correo.example"

TOKEN_HX_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


@dataclass
class Contratante:
    id: int
    rfc: str
    relaciones: dict[str, int]          # estatus -> relation id
    exportacion: int
    marcadores: tuple[str, ...]         # texts that only this contractor may see
    informativa: int = 0                # a draft informativa (2026-2) with one contract and one worker
    contrato: int = 0
    trabajador: int = 0
    carga: int = 0                      # a finished carga masiva into that contract, with its rejected rows
    presentada: int = 0                 # an informativa (2026-1) signed and presented: it has an acuse
    carga_capturistas: int = 0          # a saved carga masiva de capturistas with a rejected row


@dataclass
class Mundo:
    a: Contratante
    b: Contratante
    sin_datos_rfc: str
    sin_datos_id: int
    capturista_id: int
    personas: list = field(default_factory=list)     # the local padrón (domain.padron_ficticio.Persona)
    token_activacion: str = ""                        # A's pending relation, version 1, valid 24 h
    token_restablecer: str = ""                       # maria.lopez
    token_verificacion: str = ""                      # A's registro confirmation (A is already confirmed)
    token_restablecer_contratista: str = ""           # contractor A's password reset


def _relacion(contratista, persona, estatus: str, correo: str) -> RelacionCapturista:
    ahora = ahora_utc()
    capturista = crear_persona(persona.curp, persona.nombre, persona.primer_apellido, persona.segundo_apellido)
    return crear_relacion(contratista, capturista, correo=correo, estatus=estatus, creado_en=ahora - timedelta(hours=1),
                          token_version=1, liga_vence_en=ahora + timedelta(hours=24),
                          baja_en=ahora if estatus == "baja" else None)


def _exportacion(app, contratista, secreto: str) -> int:
    carpeta = Path(app.config["EXPORTACION_DIR"])
    carpeta.mkdir(parents=True, exist_ok=True)
    ruta = carpeta / f"exportacion-{contratista.id}.xlsx"
    ruta.write_bytes(f"PK {secreto}".encode())
    ahora = ahora_utc()
    exportacion = Exportacion(
        contratista_id=contratista.id, solicitante=f"contratista:{contratista.rfc}", filtro={}, estado="lista",
        total=3, escritas=3, nombre_archivo=f"capturistas_{contratista.rfc}_20260101.xlsx", ruta=str(ruta),
        terminado_en=ahora, expira_en=ahora + timedelta(hours=24))
    db.session.add(exportacion)
    db.session.flush()
    return exportacion.id


def _contratante(app, contratista, relaciones: list[RelacionCapturista], secreto: str, razon: str) -> Contratante:
    marcadores = [razon, contratista.rfc, secreto]
    for r in relaciones:
        marcadores += [r.curp, r.correo]
        db.session.add(Bitacora(contratista_id=contratista.id, relacion_id=r.id, actor=f"contratista:{contratista.rfc}",
                                accion="alta", detalle={"correo": r.correo, "telefono": r.telefono}))
        # An older e-mail: the grid has something to show and Enviar email is not rate-limited.
        db.session.add(CorreoSaliente(tipo="activacion", relacion_id=r.id, capturista_id=r.capturista_id,
                                      destinatario=r.correo, asunto="Activa tu usuario", cuerpo_texto="-",
                                      cuerpo_html="-", estado="enviado",
                                      creado_en=ahora_utc() - timedelta(minutes=30)))
    exportacion = _exportacion(app, contratista, secreto)
    informativa, contrato, trabajador, objeto = _informativa(contratista, secreto)
    marcadores.append(objeto)
    carga = _carga(informativa, contrato, secreto)
    presentada = _presentada(contratista)
    carga_capturistas = _carga_capturistas(contratista, secreto)
    db.session.commit()
    return Contratante(id=contratista.id, rfc=contratista.rfc, relaciones={r.estatus: r.id for r in relaciones},
                       exportacion=exportacion, marcadores=tuple(marcadores), informativa=informativa,
                       contrato=contrato, trabajador=trabajador, carga=carga, presentada=presentada,
                       carga_capturistas=carga_capturistas)


def _carga(informativa_id: int, contrato_id: int, secreto: str) -> int:
    """A finished carga masiva whose rejected rows' workbook holds ``secreto``."""
    from models import CargaTrabajadores
    from services.carga_trabajadores import Fila, _escribir_rechazos

    ruta = _escribir_rechazos([Fila(2, secreto, "CURP", "1", {"nss": "El NSS solo puede contener números."})])
    carga = CargaTrabajadores(contrato_id=contrato_id, informativa_id=informativa_id, solicitante="capturista:x",
                              nombre_archivo="trabajadores.csv", estado="terminada", total=2, procesadas=2,
                              aceptadas=1, rechazadas=1, ruta_rechazos=str(ruta), terminado_en=ahora_utc())
    db.session.add(carga)
    db.session.flush()
    return carga.id


def _carga_capturistas(contratista, secreto: str) -> int:
    """A saved carga masiva de capturistas whose rejected row (and so its workbook) holds ``secreto``."""
    from models import CargaCapturistas, FilaCargaCapturistas

    carga = CargaCapturistas(contratista_id=contratista.id, solicitante=f"contratista:{contratista.rfc}",
                             nombre_archivo="capturistas.csv", estado="guardada", total=1, procesadas=1, validas=0,
                             rechazadas=1, revisada_en=ahora_utc(), guardada_en=ahora_utc())
    db.session.add(carga)
    db.session.flush()
    db.session.add(FilaCargaCapturistas(carga_id=carga.id, numero=2, curp=secreto, telefono="1", correo="x",
                                        motivo="La CURP debe tener 18 caracteres."))
    db.session.flush()
    return carga.id


def _informativa(contratista, secreto: str) -> tuple[int, int, int, str]:
    """A draft informativa of 2026-2 with one contract (its objeto a text only this contractor may see)
    and one worker."""
    from datetime import date
    from decimal import Decimal

    from domain.nss import completar
    from domain.periodos import Periodo
    from services import informativas as srv
    from services.padron import PersonaEncontrada
    from tests.factories import rfc_valido

    actor = f"contratista:{contratista.rfc}"
    informativa = srv.crear(contratista.id, Periodo(2026, 2), "normal", actor, ahora_utc())
    objeto = f"Objeto del contrato {secreto}"
    contrato = srv.agregar_contrato(informativa, srv.DatosContrato(
        rfc_contratante=rfc_valido("CLI", "030303", "D4"), nombre_contratante="Cliente de la matriz, S.A.",
        correo_contratante="cliente@matriz.example", telefono_contratante="5512341234", objeto=objeto,
        servicio="AR1/2024 Limpieza", fecha_inicio=date(2026, 6, 1), fecha_fin=None), actor)
    trabajador = srv.agregar_trabajador(informativa, contrato, completar("1234567890"),
                                        PersonaEncontrada("PEGL850304HJCRRS07", "JOSÉ", "PÉREZ", "GARCÍA"),
                                        Decimal("315.04"), actor)
    db.session.flush()
    return informativa.id, contrato.id, trabajador.id, objeto


def _presentada(contratista) -> int:
    """An informativa of 2026-1 (one contract, one worker) signed with the contractor's own (test) e.firma."""
    from domain import efirma
    from models import Informativa
    from services import presentacion
    from tests.efirma import autoridad, fiel
    from tests.factories import crear_informativa

    ca = autoridad()
    cer, key, password = fiel(ca, rfc=contratista.rfc)
    firma = efirma.abrir(cer, key, password, autoridades=[ca[0]], ahora=ahora_utc(), rfc_esperado=contratista.rfc)
    informativa = db.session.get(Informativa, crear_informativa(contratista, periodo=(2026, 1)))
    informativa.estado = Informativa.ENVIADA
    presentacion.presentar(informativa, contratista, firma, informativa.version, f"contratista:{contratista.rfc}")
    return informativa.id


def crear_mundo(app) -> Mundo:
    from services.tokens import token_activacion, token_restablecer, token_restablecer_contratista, token_verificacion

    with app.app_context():
        personas = cargar_padron(16, semilla=11)
        a = crear_contratista(razon_social=RAZON_A)
        b = crear_contratista(razon_social=RAZON_B)
        c = crear_contratista(con_datos=False)
        maria = crear_capturista_activo(a, usuario=USUARIO_CAPTURISTA, curp=CURP_CAPTURISTA, correo=CORREO_CAPTURISTA)
        jose = crear_capturista_activo(b, usuario="jose.beta", curp=personas[15].curp,
                                       correo="activo.beta@correo.example")
        activo_a = db.session.scalar(select(RelacionCapturista).where(RelacionCapturista.capturista_id == maria.id))
        activo_b = db.session.scalar(select(RelacionCapturista).where(RelacionCapturista.capturista_id == jose.id))
        rel_a = [_relacion(a, personas[0], "pendiente", "pendiente.alfa@correo.example"),
                 activo_a,
                 _relacion(a, personas[1], "baja", "baja.alfa@correo.example")]
        rel_b = [_relacion(b, personas[2], "pendiente", "pendiente.beta@correo.example"),
                 activo_b,
                 _relacion(b, personas[3], "baja", "baja.beta@correo.example")]
        db.session.commit()
        mundo = Mundo(
            a=_contratante(app, a, rel_a, SECRETO_EXPORTACION_A, RAZON_A),
            b=_contratante(app, b, rel_b, SECRETO_EXPORTACION_B, RAZON_B),
            sin_datos_rfc=c.rfc, sin_datos_id=c.id, capturista_id=maria.id, personas=personas,
        )
        mundo.token_activacion = token_activacion(db.session.get(RelacionCapturista, mundo.a.relaciones["pendiente"]))
        mundo.token_restablecer = token_restablecer(db.session.get(Capturista, maria.id))
        mundo.token_verificacion = token_verificacion(a)
        mundo.token_restablecer_contratista = token_restablecer_contratista(a)
        db.session.remove()
    return mundo


# --- clients ----------------------------------------------------------------------------------

def token_csrf(client) -> str:
    """The CSRF token of this client's session, taken from any page (the 404 page will do:
    every page carries it in ``hx-headers`` for htmx)."""
    texto = client.get("/pagina-que-no-existe-csrf").get_data(as_text=True)
    m = TOKEN_HX_RE.search(texto) or CSRF_RE.search(texto)
    assert m, "la página no trae token CSRF"
    return html.unescape(m.group(1))


def entrar_capturista(client, contratista_id: int | None = None):
    r = iniciar_sesion_capturista(client, USUARIO_CAPTURISTA, CLAVE_CAPTURISTA)
    assert r.status_code == 303, r.status_code
    if contratista_id is not None:
        r = elegir_contratista(client, contratista_id)
        assert r.status_code == 303, r.status_code
    return r


def cliente_de(app, mundo: Mundo, rol: str):
    """A test client logged in as ``rol`` (see ROLES)."""
    client = app.test_client()
    if rol == DUENO:
        assert iniciar_sesion(client, mundo.a.rfc, PASSWORD).status_code == 303
    elif rol == AJENO:
        assert iniciar_sesion(client, mundo.b.rfc, PASSWORD).status_code == 303
    elif rol == SIN_DATOS:
        assert iniciar_sesion(client, mundo.sin_datos_rfc, PASSWORD).status_code == 303
    elif rol == CAPTURISTA:
        entrar_capturista(client, mundo.a.id)
    else:
        assert rol == ANONIMO, rol
    return client


# --- database snapshots -----------------------------------------------------------------------

def foto(app, contratista_id: int | None = None) -> dict:
    """Every row of every table (or only what belongs to one contractor), to tell that a refused
    request changed nothing."""
    with app.app_context():
        resultado = {}
        relaciones = capturistas = None
        if contratista_id is not None:
            relaciones = set(db.session.scalars(select(RelacionCapturista.id)
                                                .where(RelacionCapturista.contratista_id == contratista_id)))
            capturistas = set(db.session.scalars(select(RelacionCapturista.capturista_id)
                                                 .where(RelacionCapturista.contratista_id == contratista_id)))
        for tabla in db.metadata.sorted_tables:
            consulta = select(tabla).order_by(*tabla.primary_key.columns)
            if contratista_id is not None:
                c = tabla.c
                if tabla.name == "contratista":
                    consulta = consulta.where(c.id == contratista_id)
                elif tabla.name == "capturista":
                    consulta = consulta.where(c.id.in_(capturistas))
                elif tabla.name == "correo_saliente":
                    consulta = consulta.where(c.relacion_id.in_(relaciones) | c.capturista_id.in_(capturistas))
                elif "contratista_id" in c:
                    consulta = consulta.where(c.contratista_id == contratista_id)
            resultado[tabla.name] = [tuple(fila) for fila in db.session.execute(consulta)]
        db.session.remove()
    return resultado


def diferencias(antes: dict, despues: dict) -> list[str]:
    return [f"{t}: {len(antes[t])} → {len(despues[t])} filas" if len(antes[t]) != len(despues[t])
            else f"{t}: filas modificadas" for t in antes if antes[t] != despues.get(t)]


# --- HTML ---------------------------------------------------------------------------------------

class _Revisor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problemas: list[str] = []

    def handle_starttag(self, tag, attrs):
        nombres = dict(attrs)
        if tag == "script" and not nombres.get("src"):
            self.problemas.append("<script> en línea (sin src)")
        for nombre, valor in attrs:
            if nombre.lower().startswith("on"):
                self.problemas.append(f"atributo manejador de eventos {nombre}= en <{tag}>")
            if nombre.lower() in ("href", "src", "action", "formaction") and valor and \
                    re.sub(r"[\s\x00-\x1f]", "", valor).lower().startswith("javascript:"):
                self.problemas.append(f"URL javascript: en {nombre}= de <{tag}>")

    handle_startendtag = handle_starttag


def problemas_html(texto: str) -> list[str]:
    revisor = _Revisor()
    revisor.feed(texto)
    revisor.close()
    return revisor.problemas


def en_este_sitio(ubicacion: str) -> bool:
    """True when a browser following ``Location`` stays on http://localhost (browsers strip tabs and
    newlines and treat a backslash as a slash)."""
    limpia = re.sub(r"[\t\n\r]", "", ubicacion).replace("\\", "/").strip()
    if any(ord(c) < 32 for c in limpia):
        return False
    try:
        destino = urlsplit(urljoin("http://localhost/cuenta/iniciar-sesion", limpia))
    except ValueError:  # e.g. "//[" (an invalid IPv6 host): a browser would not go anywhere good
        return False
    return destino.scheme in ("http", "https") and destino.netloc == "localhost"
