"""Who is logged in, and the rules around logging in."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from domain import rfc as rfc_dominio
from extensions import db
from models import Capturista, Contratista
from models.types import ahora_utc


def cargar_usuario(user_id: str):
    """Flask-Login loader: ids look like ``contratista:12``."""
    tipo, _, numero = user_id.partition(":")
    if not numero.isdigit():
        return None
    if tipo == "contratista":
        return db.session.get(Contratista, int(numero))
    if tipo == "capturista":
        capturista = db.session.get(Capturista, int(numero))
        return capturista if capturista is not None and capturista.activado else None
    return None


def es_contratista() -> bool:
    return current_user.is_authenticated and isinstance(current_user._get_current_object(), Contratista)


def es_capturista() -> bool:
    return current_user.is_authenticated and isinstance(current_user._get_current_object(), Capturista)


def exigir_datos_generales():
    """before_request of every Administración blueprint: a contractor with Datos Generales."""
    if not es_contratista():
        return _ir_a_ingreso("auth.login", "contratista")
    if current_user.datos_generales is None:
        flash("Antes de continuar debes registrar los Datos Generales del Contratista.", "warning")
        return redirect(url_for("contratista.datos_generales"), 303)
    return None


def _ir_a_ingreso(endpoint: str, quien: str):
    flash(f"Inicia sesión como {quien} para continuar.", "info")
    return redirect(url_for(endpoint, next=request.full_path.rstrip("?")))


def _requiere(es_del_tipo, endpoint: str, quien: str):
    """Decorator: the view is only for that kind of user; anybody else goes to its login page."""

    def decorador(vista):
        @wraps(vista)
        def envoltura(*args, **kwargs):
            if not es_del_tipo():
                return _ir_a_ingreso(endpoint, quien)
            return vista(*args, **kwargs)

        return envoltura

    return decorador


def destino_seguro(siguiente: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not siguiente:
        return None
    try:
        partes = urlsplit(siguiente)
    except ValueError:  # e.g. "//[" (an invalid IPv6 host)
        return None
    if partes.scheme or partes.netloc or not siguiente.startswith("/") or siguiente.startswith("//"):
        return None
    if "\\" in siguiente or any(ord(c) < 32 for c in siguiente):
        return None
    return siguiente


class ResultadoLogin:
    def __init__(self, usuario=None, error: str | None = None):
        self.usuario = usuario
        self.error = error


def _autenticar(consulta, password: str, generico: str) -> ResultadoLogin:
    """Password check with the lockout rule, for either kind of user. Commits the counters."""
    cfg = current_app.config
    ahora = ahora_utc()
    usuario = db.session.scalar(consulta.with_for_update())
    if usuario is None:
        return ResultadoLogin(error=generico)
    if usuario.bloqueado(ahora):
        minutos = max(1, int((usuario.bloqueado_hasta - ahora).total_seconds() // 60) + 1)
        return ResultadoLogin(error=_mensaje_bloqueo(minutos))
    if not usuario.check_password(password):
        usuario.registrar_fallo(ahora, cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCK_MINUTES"])
        db.session.commit()
        if usuario.bloqueado(ahora):
            return ResultadoLogin(error=_mensaje_bloqueo(cfg["LOGIN_LOCK_MINUTES"]))
        return ResultadoLogin(error=generico)
    usuario.registrar_acceso(ahora)
    db.session.commit()
    return ResultadoLogin(usuario=usuario)


def autenticar_contratista(rfc_texto: str, password: str) -> ResultadoLogin:
    rfc = rfc_dominio.normalizar(rfc_texto)
    return _autenticar(select(Contratista).where(Contratista.rfc == rfc), password,
                       "El RFC o la contraseña son incorrectos.")


def autenticar_capturista(usuario: str, password: str) -> ResultadoLogin:
    nombre = (usuario or "").strip().lower()
    consulta = select(Capturista).where(Capturista.usuario == nombre)
    return _autenticar(consulta, password, "El usuario o la contraseña son incorrectos.")


def _mensaje_bloqueo(minutos: int) -> str:
    return (
        "Tu cuenta se bloqueó temporalmente por varios intentos fallidos de inicio de sesión. "
        f"Intenta de nuevo en {minutos} minuto{'s' if minutos != 1 else ''}."
    )


def vista_de_ingreso(form, autenticar, plantilla: str, destino: str):
    """The body of both login views: check the form, authenticate (with lockout), start a fresh
    session and go to ``next`` (local only) or ``destino``; otherwise the form with its error."""
    error = None
    if form.validate_on_submit():
        resultado = autenticar(form)
        if resultado.usuario:
            session.clear()
            login_user(resultado.usuario)
            return redirect(destino_seguro(request.args.get("next")) or destino, 303)
        error = resultado.error
    return render_template(plantilla, form=form, error=error), (422 if error or form.errors else 200)


contratista_requerido = _requiere(es_contratista, "auth.login", "contratista")
capturista_requerido = _requiere(es_capturista, "capturista.login", "capturista")
