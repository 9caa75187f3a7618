"""Signed, timed links (itsdangerous): activation of a capturista, password reset (capturista and
contractor) and the contractor's registro confirmation.

An activation link carries the relation id and its ``token_version``. Issuing a new link or
using it bumps the version, so every earlier link of that relation stops working; the GET of a
link checks it without consuming it. A link only ever acts on its own relation.
"""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from extensions import db
from models import Capturista, Contratista, RelacionCapturista

VIGENCIA = timedelta(hours=24)
_SAL_ACTIVACION = "activacion-capturista"
_SAL_RESTABLECER = "restablecer-contrasena"
# Its own salt: a capturista's reset link can never open the contractor with the same id.
_SAL_RESTABLECER_CONTRATISTA = "restablecer-contrasena-contratista"
_SAL_VERIFICACION = "verificar-cuenta-contratista"


def _serializador(sal: str) -> URLSafeTimedSerializer:
    # Newest key last: it signs; the fallbacks (SECRET_KEY_FALLBACKS) still verify links sent before a rotation.
    claves = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or ()), current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(claves, salt=sal)


class EstadoLiga(enum.Enum):
    VALIDA = "valida"
    VENCIDA = "vencida"
    USADA = "usada"
    REEMPLAZADA = "reemplazada"
    BAJA = "baja"
    ALTERADA = "alterada"


@dataclass
class Liga:
    estado: EstadoLiga
    relacion: RelacionCapturista | None = None


def _entero(valor) -> bool:
    # JSON true/false are ints to isinstance(); PostgreSQL refuses "integer = boolean" (a 500).
    return type(valor) is int


def token_activacion(relacion: RelacionCapturista) -> str:
    return _serializador(_SAL_ACTIVACION).dumps({"r": relacion.id, "v": relacion.token_version})


def verificar_activacion(token: str, *, bloquear: bool = False) -> Liga:
    """Tell what an activation link is worth. ``bloquear`` locks the row (the POST that uses it)."""
    serializador = _serializador(_SAL_ACTIVACION)
    vencida = False
    try:
        datos = serializador.loads(token, max_age=int(VIGENCIA.total_seconds()))
    except SignatureExpired as exc:
        # The signature is genuine, only old: read it to tell "vencida" from the other cases.
        vencida, datos = True, serializador.load_payload(exc.payload)
    except BadSignature:
        return Liga(EstadoLiga.ALTERADA)
    if not isinstance(datos, dict) or not _entero(datos.get("r")) or not _entero(datos.get("v")):
        return Liga(EstadoLiga.ALTERADA)
    consulta = db.select(RelacionCapturista).where(RelacionCapturista.id == datos["r"])
    if bloquear:
        consulta = consulta.with_for_update()
    relacion = db.session.scalar(consulta)
    if relacion is None or relacion.por_invitacion:  # invitations never carry a link
        return Liga(EstadoLiga.ALTERADA)
    if relacion.estatus == RelacionCapturista.ACTIVO:
        return Liga(EstadoLiga.USADA, relacion)
    if relacion.estatus == RelacionCapturista.BAJA:
        return Liga(EstadoLiga.BAJA, relacion)
    if datos["v"] != relacion.token_version:
        return Liga(EstadoLiga.REEMPLAZADA, relacion)
    if vencida:
        return Liga(EstadoLiga.VENCIDA, relacion)
    return Liga(EstadoLiga.VALIDA, relacion)


def _huella(cuenta: Capturista | Contratista) -> str:
    # Changes whenever the password does, so a reset link works once.
    return hashlib.sha256((cuenta.password_hash or "").encode()).hexdigest()[:16]


def token_restablecer(capturista: Capturista) -> str:
    return _serializador(_SAL_RESTABLECER).dumps({"c": capturista.id, "h": _huella(capturista)})


def _abrir_liga_de_cuenta(sal: str, token: str, modelo, huella) -> tuple[str, object | None]:
    """A link {"c": id, "h": fingerprint} for an account: ("valida" | "vencida" | "invalida", account).
    The fingerprint ties the link to the state it was issued for (password, address)."""
    try:
        datos = _serializador(sal).loads(token, max_age=int(VIGENCIA.total_seconds()))
    except SignatureExpired:
        return "vencida", None
    except BadSignature:
        return "invalida", None
    if not isinstance(datos, dict) or not _entero(datos.get("c")):
        return "invalida", None
    cuenta = db.session.get(modelo, datos["c"])
    if cuenta is None or datos.get("h") != huella(cuenta):
        return "invalida", None
    return "valida", cuenta


def verificar_restablecer(token: str) -> tuple[str, Capturista | None]:
    """("valida" | "vencida" | "invalida", capturista)."""
    estado, capturista = _abrir_liga_de_cuenta(_SAL_RESTABLECER, token, Capturista, _huella)
    if capturista is not None and not capturista.activado:
        return "invalida", None
    return estado, capturista


def token_restablecer_contratista(contratista: Contratista) -> str:
    return _serializador(_SAL_RESTABLECER_CONTRATISTA).dumps({"c": contratista.id, "h": _huella(contratista)})


def verificar_restablecer_contratista(token: str) -> tuple[str, Contratista | None]:
    """("valida" | "vencida" | "invalida", contratista): only a confirmed account's password is reset."""
    estado, contratista = _abrir_liga_de_cuenta(_SAL_RESTABLECER_CONTRATISTA, token, Contratista, _huella)
    if contratista is not None and not contratista.verificado:
        return "invalida", None
    return estado, contratista


def _huella_correo(contratista: Contratista) -> str:
    return hashlib.sha256(contratista.correo.lower().encode()).hexdigest()[:16]


def token_verificacion(contratista: Contratista) -> str:
    """Registro's e-mail proof: bound to the account and to the address it was sent to."""
    return _serializador(_SAL_VERIFICACION).dumps({"c": contratista.id, "h": _huella_correo(contratista)})


def verificar_token_verificacion(token: str) -> tuple[str, Contratista | None]:
    """("valida" | "vencida" | "invalida", contratista)."""
    return _abrir_liga_de_cuenta(_SAL_VERIFICACION, token, Contratista, _huella_correo)
