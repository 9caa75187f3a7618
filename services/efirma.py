"""The e.firma in the app: the certification authorities trusted (EFIRMA_CA_DIR, read at each use, so
installing one needs no restart) and the wrong-password throttle, on Flask-Limiter's storage like the
login's (services/autenticacion.py): only wrong passwords count, EFIRMA_FALLOS_MAXIMOS of them make
the next attempts wait EFIRMA_ESPERA_MINUTOS.

The .cer, the .key and the password pass through here in memory and go nowhere: not to the database,
the session, a log line or a file. Only the opened ``Efirma`` comes back, to sign and be dropped.
"""
from __future__ import annotations

import logging
from pathlib import Path

from cryptography import x509
from flask import current_app
from limits import parse

from domain import efirma
from domain.efirma import Efirma, EfirmaInvalida
from extensions import limiter
from models.types import ahora_utc

log = logging.getLogger(__name__)


def autoridades() -> list[x509.Certificate]:
    """The CA certificates of EFIRMA_CA_DIR (relative to the instance folder). None installed, or a file
    that is not a certificate, is logged as an error: no e.firma can be accepted until it is fixed."""
    carpeta = Path(current_app.instance_path, current_app.config["EFIRMA_CA_DIR"])
    try:
        encontradas = efirma.cargar_autoridades(carpeta)
    except (OSError, ValueError) as exc:
        log.error("EFIRMA_CA_DIR: no se pudieron leer las autoridades certificadoras: %s", exc)
        return []
    if not encontradas:
        log.error("EFIRMA_CA_DIR (%s) no tiene certificados de autoridades certificadoras: no se acepta ninguna "
                  "e.firma. Instala los del SAT (README, «Firma con e.firma»).", carpeta)
    return encontradas


def _limite():
    cfg = current_app.config
    return parse(f"{cfg['EFIRMA_FALLOS_MAXIMOS']} per {cfg['EFIRMA_ESPERA_MINUTOS']} minutes")


def mensaje_espera() -> str:
    minutos = current_app.config["EFIRMA_ESPERA_MINUTOS"]
    return ("Escribiste una contraseña incorrecta de la clave privada demasiadas veces. Por seguridad, espera "
            f"{minutos} minutos e inténtalo de nuevo.")


def _abrir_con_limite(claves: tuple[str, ...], cer: bytes, key: bytes, password: str,
                      rfc_esperado: str | None) -> Efirma:
    limite = _limite()
    if not limiter.limiter.test(limite, *claves):
        raise EfirmaInvalida(mensaje_espera(), "password")
    try:
        return efirma.abrir(cer, key, password, autoridades=autoridades(), ahora=ahora_utc(),
                            rfc_esperado=rfc_esperado)
    except EfirmaInvalida as exc:
        if exc.contrasena_incorrecta:
            limiter.limiter.hit(limite, *claves)
            if not limiter.limiter.test(limite, *claves):
                raise EfirmaInvalida(mensaje_espera(), "password", contrasena_incorrecta=True) from None
        raise


def abrir_para_firmar(contratista, cer: bytes, key: bytes, password: str) -> Efirma:
    """The contractor's own e.firma (its RFC), to sign. Wrong passwords are counted per contractor."""
    return _abrir_con_limite(("fallos-efirma-firmar", str(contratista.id)), cer, key, password, contratista.rfc)


def abrir_para_entrar(cer: bytes, key: bytes, password: str, cliente: str) -> Efirma:
    """Any contractor's e.firma, to log in. Wrong passwords are counted per (certificate, client), like
    the password login's per (account, client): nobody elsewhere can lock the owner out."""
    try:
        numero = efirma.numero_certificado(efirma.leer_certificado(cer)) or "sin-numero"
    except EfirmaInvalida:
        numero = "ilegible"  # refused before any password is tried
    return _abrir_con_limite(("fallos-efirma-entrar", numero, cliente), cer, key, password, None)
