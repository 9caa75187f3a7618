"""Who is logged in, and the rules around logging in."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from domain import rfc as rfc_dominio
from extensions import db
from models import Contratista
from models.types import ahora_utc


def cargar_usuario(user_id: str):
    """Flask-Login loader: ids look like ``contratista:12``."""
    tipo, _, numero = user_id.partition(":")
    if not numero.isdigit():
        return None
    if tipo == "contratista":
        return db.session.get(Contratista, int(numero))
    return None


def es_contratista() -> bool:
    return current_user.is_authenticated and isinstance(current_user._get_current_object(), Contratista)


def contratista_requerido(vista):
    """The view is only for a logged-in contractor; anybody else goes to the login page."""

    @wraps(vista)
    def envoltura(*args, **kwargs):
        if not es_contratista():
            flash("Inicia sesión como contratista para continuar.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return vista(*args, **kwargs)

    return envoltura


def destino_seguro(siguiente: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not siguiente:
        return None
    partes = urlsplit(siguiente)
    if partes.scheme or partes.netloc or not siguiente.startswith("/") or siguiente.startswith("//"):
        return None
    if "\\" in siguiente or any(ord(c) < 32 for c in siguiente):
        return None
    return siguiente


class ResultadoLogin:
    def __init__(self, contratista: Contratista | None = None, error: str | None = None):
        self.contratista = contratista
        self.error = error


def autenticar_contratista(rfc_texto: str, password: str) -> ResultadoLogin:
    """Check RFC + password with the lockout rule. Commits the counters."""
    cfg = current_app.config
    ahora = ahora_utc()
    rfc = rfc_dominio.normalizar(rfc_texto)
    contratista = db.session.scalar(
        select(Contratista).where(Contratista.rfc == rfc).with_for_update()
    )
    generico = "El RFC o la contraseña son incorrectos."
    if contratista is None:
        return ResultadoLogin(error=generico)
    if contratista.bloqueado(ahora):
        minutos = max(1, int((contratista.bloqueado_hasta - ahora).total_seconds() // 60) + 1)
        return ResultadoLogin(error=_mensaje_bloqueo(minutos))
    if not contratista.check_password(password):
        contratista.registrar_fallo(ahora, cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCK_MINUTES"])
        db.session.commit()
        if contratista.bloqueado(ahora):
            return ResultadoLogin(error=_mensaje_bloqueo(cfg["LOGIN_LOCK_MINUTES"]))
        return ResultadoLogin(error=generico)
    contratista.registrar_acceso(ahora)
    db.session.commit()
    return ResultadoLogin(contratista=contratista)


def _mensaje_bloqueo(minutos: int) -> str:
    return (
        "Tu cuenta se bloqueó temporalmente por varios intentos fallidos de inicio de sesión. "
        f"Intenta de nuevo en {minutos} minuto{'s' if minutos != 1 else ''}."
    )
