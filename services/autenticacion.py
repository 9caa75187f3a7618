"""Accounts: who a session belongs to, logging in (throttled), contractor registro and its e-mail proof,
contractor password recovery.

No request in here: the caller passes the client's address. Answers never tell whether an account
exists: an unknown RFC costs the same password hash and gets the same words as a wrong password,
and the throttle counts failures per (account, client), so nobody can lock the owner out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from limits import parse
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from domain import rfc as rfc_dominio
from extensions import db, limiter
from models import Capturista, Contratista, CorreoSaliente
from models.types import ahora_utc
from services import correo as correo_srv
from services import efirma as efirma_srv
from services.enlaces import url_externa
from services.tokens import VIGENCIA, token_restablecer_contratista, token_verificacion

MENSAJE_CONTRATISTA = "El RFC o la contraseña son incorrectos."
MENSAJE_CAPTURISTA = "El usuario o la contraseña son incorrectos."
# Only the password's (or the e.firma's) owner reads it: telling them what is missing reveals nothing new.
MENSAJE_SIN_CONFIRMAR = ("Tu cuenta aún no está confirmada. Abre la liga que te enviamos a tu correo electrónico "
                         "al registrarte; si venció, regístrate de nuevo.")


def cargar_usuario(user_id: str):
    """Flask-Login loader: ids look like ``contratista:12:3``; the last number is the account's
    ``sesion_version``, so a session ended elsewhere (logout, new password) loads nobody."""
    partes = user_id.split(":")
    if len(partes) != 3 or not partes[1].isdigit() or not partes[2].isdigit():
        return None
    tipo, numero, version = partes[0], int(partes[1]), int(partes[2])
    if tipo == "contratista":
        # Its Datos Generales in the same query: every Administración page asks for them.
        usuario = db.session.get(Contratista, numero, options=[joinedload(Contratista.datos_generales)])
        if usuario is not None and not usuario.verificado:
            return None
    elif tipo == "capturista":
        usuario = db.session.get(Capturista, numero)
        if usuario is not None and not usuario.activado:
            return None
    else:
        return None
    if usuario is None or (usuario.sesion_version or 0) != version:
        return None
    return usuario


def terminar_sesiones(usuario) -> None:
    """Cerrar sesión: every session of the user ends (a copied cookie included). Commits."""
    usuario.terminar_sesiones()
    db.session.commit()


@dataclass
class ResultadoLogin:
    usuario: object | None = None
    error: str | None = None
    rfc_sin_cuenta: str | None = None  # e.firma login: a good e.firma of an RFC with no account


@lru_cache(maxsize=4)
def _hash_ficticio(metodo: str) -> str:
    return generate_password_hash("contraseña que nadie tiene", method=metodo)


def _limite_fallos():
    cfg = current_app.config
    return parse(f"{cfg['ACCESO_FALLOS_MAXIMOS']} per {cfg['ACCESO_ESPERA_MINUTOS']} minutes")


def mensaje_espera() -> str:
    minutos = current_app.config["ACCESO_ESPERA_MINUTOS"]
    return ("Hubo demasiados intentos fallidos de inicio de sesión desde este equipo. "
            f"Espera {minutos} minutos e inténtalo de nuevo, o recupera tu contraseña.")


def _autenticar(tipo: str, identificador: str, consulta, password: str, cliente: str, generico: str):
    claves = ("fallos-login", tipo, identificador, cliente)
    limite = _limite_fallos()
    if not limiter.limiter.test(limite, *claves):
        return ResultadoLogin(error=mensaje_espera())
    usuario = db.session.scalar(consulta)
    if usuario is None or not usuario.password_hash:
        # Same cost as a real check: the answer's time does not tell the account exists.
        check_password_hash(_hash_ficticio(current_app.config["PASSWORD_HASH_METHOD"]), password)
        valido = False
    else:
        valido = usuario.check_password(password)
    if not valido:
        limiter.limiter.hit(limite, *claves)
        return ResultadoLogin(error=generico if limiter.limiter.test(limite, *claves) else mensaje_espera())
    usuario.registrar_acceso(ahora_utc())
    db.session.commit()
    return ResultadoLogin(usuario=usuario)


def autenticar_contratista(rfc_texto: str, password: str, cliente: str) -> ResultadoLogin:
    rfc = rfc_dominio.normalizar(rfc_texto or "")
    resultado = _autenticar("contratista", rfc, select(Contratista).where(Contratista.rfc == rfc), password,
                            cliente, MENSAJE_CONTRATISTA)
    if resultado.usuario is not None and not resultado.usuario.verificado:
        return ResultadoLogin(error=MENSAJE_SIN_CONFIRMAR)
    return resultado


def autenticar_contratista_con_efirma(cer: bytes, key: bytes, password: str, cliente: str) -> ResultadoLogin:
    """Iniciar sesión con e.firma: the e.firma is opened and checked (``EfirmaInvalida`` otherwise, with
    its own throttle of wrong passwords), then the RFC of its certificate chooses the account. Only
    an e.firma's owner learns whether that RFC has an account (``rfc_sin_cuenta``). Commits."""
    rfc = efirma_srv.abrir_para_entrar(cer, key, password, cliente).firmante.rfc
    contratista = db.session.scalar(select(Contratista).where(Contratista.rfc == rfc))
    if contratista is None:
        return ResultadoLogin(error=f"No hay una cuenta de contratista con el RFC {rfc}. Regístrate primero.",
                              rfc_sin_cuenta=rfc)
    if not contratista.verificado:
        return ResultadoLogin(error=MENSAJE_SIN_CONFIRMAR)
    contratista.registrar_acceso(ahora_utc())
    db.session.commit()
    return ResultadoLogin(usuario=contratista)


def autenticar_capturista(usuario: str, password: str, cliente: str) -> ResultadoLogin:
    nombre = (usuario or "").strip().lower()
    return _autenticar("capturista", nombre, select(Capturista).where(Capturista.usuario == nombre), password,
                       cliente, MENSAJE_CAPTURISTA)


# --- Registro: an account acts only after its e-mail is proven -----------------------------------

def _sin_confirmar_vencida(contratista: Contratista | None) -> bool:
    return (contratista is not None and not contratista.verificado
            and contratista.creado_en <= ahora_utc() - VIGENCIA)


def registrar_contratista(rfc: str, correo: str, password: str) -> None:
    """Registro. Creates an unconfirmed account and mails the confirmation link — or, when the RFC
    or the correo already belong to an account, mails that account's owner a notice instead.
    The caller shows the same answer either way (no account enumeration). Commits."""
    correo = correo.lower()
    password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    por_rfc = db.session.scalar(select(Contratista).where(Contratista.rfc == rfc).with_for_update())
    por_correo = db.session.scalar(select(Contratista).where(func.lower(Contratista.correo) == correo))
    # An account nobody confirmed in 24 h holds nothing: whoever registers now takes the RFC/correo.
    vencidas = {c.id for c in (por_rfc, por_correo) if _sin_confirmar_vencida(c)}
    if vencidas:
        db.session.execute(delete(Contratista).where(Contratista.id.in_(vencidas)))
        por_rfc = None if por_rfc is not None and por_rfc.id in vencidas else por_rfc
        por_correo = None if por_correo is not None and por_correo.id in vencidas else por_correo
    if por_rfc is None and por_correo is None:
        contratista = Contratista(rfc=rfc, correo=correo, password_hash=password_hash)
        try:
            with db.session.begin_nested():
                db.session.add(contratista)
        except IntegrityError:  # the same RFC or correo registered at this very moment: nothing to add
            db.session.rollback()
            return
        correo_srv.encolar(
            tipo="verificar_cuenta", destinatario=correo, contratista_id=contratista.id,
            asunto="Confirma tu cuenta de contratista en Capturistas ICSOE", plantilla="verificar_cuenta",
            rfc=rfc, liga=url_externa("auth.confirmar", token=token_verificacion(contratista)),
            vence_en=ahora_utc() + VIGENCIA)
    else:
        for existente in {c.id: c for c in (por_rfc, por_correo) if c is not None}.values():
            correo_srv.encolar(
                tipo="aviso_registro", destinatario=existente.correo, contratista_id=existente.id,
                asunto="Alguien intentó registrar una cuenta con tus datos", plantilla="aviso_registro",
                rfc=existente.rfc, liga=url_externa("auth.login"))
    db.session.commit()


def confirmar_correo(contratista: Contratista) -> bool:
    """The confirmation link was opened: the account may act. False when it already was. Commits."""
    if contratista.verificado:
        return False
    contratista.correo_verificado_en = ahora_utc()
    db.session.commit()
    return True



# --- Recuperar contraseña: a link to the account's own confirmed address ------------------------

def solicitar_restablecimiento_contratista(rfc_texto: str, correo: str) -> CorreoSaliente | None:
    """Queue a reset link when the RFC belongs to a confirmed account and the correo is that
    account's own address (any case). At most one per minute per account. Commits.
    Returns None otherwise; the caller answers the same either way, and nothing is sent inline, so
    neither the words nor the time reveal a match."""
    rfc = rfc_dominio.normalizar(rfc_texto)
    correo = (correo or "").strip().lower()
    # Locked: two requests at the same moment cannot both pass the one-per-minute check.
    contratista = db.session.scalar(select(Contratista).where(Contratista.rfc == rfc).with_for_update())
    if contratista is None or not contratista.verificado or contratista.correo.lower() != correo:
        db.session.rollback()
        return None
    if correo_srv.encolado_desde(ahora_utc() - timedelta(minutes=1), tipo="restablecer_contratista",
                                 contratista_id=contratista.id):
        db.session.rollback()
        return None  # silently, like a non-match
    saliente = correo_srv.encolar(
        tipo="restablecer_contratista", destinatario=contratista.correo, contratista_id=contratista.id,
        asunto="Restablece tu contraseña de contratista en Capturistas ICSOE", plantilla="restablecer_contratista",
        rfc=contratista.rfc, liga=url_externa("auth.restablecer", token=token_restablecer_contratista(contratista)),
        vence_en=ahora_utc() + VIGENCIA)
    db.session.commit()
    return saliente


def restablecer_contrasena(cuenta: Contratista | Capturista, password: str) -> None:
    """A new password from a reset link, for either kind of account: the link dies with the old
    hash and every session of the account ends (``set_password`` raises ``sesion_version``). Commits."""
    cuenta.set_password(password)
    db.session.commit()
