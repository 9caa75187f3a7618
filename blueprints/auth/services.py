"""View helpers: who is logged in, the login-required decorators, the login view body.
The database side (authentication, throttling, registro) lives in services/autenticacion.py."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from blueprints.efirma import leer_efirma, poner_error
from blueprints.forms_contrasena import RestablecerForm
from domain.efirma import EfirmaInvalida
from models import Capturista, Contratista
from services.autenticacion import ResultadoLogin, autenticar_contratista_con_efirma, restablecer_contrasena
from tareas import pedir_envio_de_correos


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


def volver_a(pagina: str) -> str:
    """Where a plain-form action returns: the request's ``volver`` when it is ``pagina`` itself (with the
    query a grid was on: search, page), else ``pagina``. Never anywhere else."""
    candidato = destino_seguro(request.values.get("volver"))
    return candidato if candidato and urlsplit(candidato).path == pagina else pagina


def _entrar(usuario, destino: str):
    """Start a fresh session for ``usuario`` and go to ``next`` (local only) or ``destino``."""
    session.clear()
    login_user(usuario)
    return redirect(destino_seguro(request.args.get("next")) or destino, 303)


def vista_de_ingreso(form, autenticar, plantilla: str, destino: str):
    """The body of both login views: check the form, authenticate (with lockout), start a fresh
    session and go to ``next`` (local only) or ``destino``; otherwise the form with its error."""
    error = None
    if form.validate_on_submit():
        resultado = autenticar(form, request.remote_addr or "")
        if resultado.usuario:
            return _entrar(resultado.usuario, destino)
        error = resultado.error
    return render_template(plantilla, form=form, error=error), (422 if error or form.errors else 200)


def vista_de_ingreso_con_efirma(form, destino: str):
    """The body of Iniciar sesión con e.firma: like ``vista_de_ingreso``, with the e.firma's refusals on
    their fields and, for a good e.firma of an RFC without an account, the way to registro."""
    resultado = ResultadoLogin()
    if form.validate_on_submit():
        try:
            resultado = autenticar_contratista_con_efirma(*leer_efirma(form), request.remote_addr or "")
        except EfirmaInvalida as exc:
            poner_error(form, exc)
        if resultado.usuario:
            return _entrar(resultado.usuario, destino)
    return render_template("auth/login_efirma.html", form=form, resultado=resultado), \
        (422 if resultado.error or form.errors else 200)


contratista_requerido = _requiere(es_contratista, "auth.login", "contratista")
capturista_requerido = _requiere(es_capturista, "capturista.login", "capturista")


def vista_de_recuperacion(form, solicitar, mensaje: str, cuenta: str, login: str):
    """The body of both ¿Olvidaste tu contraseña? views: the same answer whether or not the data
    matched, and the e-mail always sent off the request, so neither words nor time reveal a match."""
    if form.validate_on_submit():
        solicitar(form)
        pedir_envio_de_correos()
        flash(mensaje, "info")
        return redirect(login, 303)
    return render_template("cuentas/recuperar.html", cuenta=cuenta, form=form), (422 if form.errors else 200)


def vista_de_restablecer(verificar, token: str, prohibidas, cuenta: str, login: str):
    """The body of both reset-link views: 410 for a used, altered or expired link; otherwise the new
    password under the policy (never containing ``prohibidas(account)``), which ends every session."""
    estado, titular = verificar(token)
    if titular is None:
        return render_template("cuentas/restablecer_invalida.html", cuenta=cuenta, estado=estado), 410
    form = RestablecerForm()
    form.prohibidas = prohibidas(titular)
    if form.validate_on_submit():
        restablecer_contrasena(titular, form.password.data)
        flash("Tu contraseña se actualizó y se cerraron tus sesiones abiertas. Inicia sesión con la nueva "
              "contraseña.", "success")
        return redirect(login, 303)
    return render_template("cuentas/restablecer.html", cuenta=cuenta, form=form), (422 if form.errors else 200)
