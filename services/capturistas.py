"""What can happen to a capturista: alta, links, activation, and the bitácora of it all.

No request in here: callers pass the contractor, the actor and the data; each function leaves
the session ready to commit or commits itself when it says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain import curp as curp_dominio
from extensions import db
from models import Bitacora, Capturista, Contratista, CorreoSaliente, RelacionCapturista, ValidacionCurp
from models.types import ahora_utc
from services import correo as correo_srv
from services.padron import PersonaEncontrada, padron_configurado
from services.tokens import VIGENCIA, token_activacion


class ErrorCapturista(Exception):
    def __init__(self, mensaje: str, campo: str | None = None):
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.campo = campo


MENSAJE_NO_ENCONTRADA = (
    "La CURP no se encontró en el padrón de población. Verifica que la hayas capturado correctamente."
)
MENSAJE_DUPLICADA = "La CURP ya está registrada como usuario capturista de este contratista."


class LimiteDeValidaciones(ErrorCapturista):
    pass


def buscar_persona(texto: str, contratista_id: int | None = None) -> PersonaEncontrada:
    """Validate a CURP and find its owner. Raises CurpInvalida, PadronNoDisponible or ErrorCapturista.
    With a contractor, each padrón lookup counts against VALIDACIONES_CURP_POR_HORA (enumeration)."""
    datos = curp_dominio.validar(texto)
    if contratista_id is not None:
        _contar_validacion(contratista_id, datos.curp)
    persona = padron_configurado().buscar(datos.curp)
    if persona is None:
        raise ErrorCapturista(MENSAJE_NO_ENCONTRADA, "curp")
    return persona


def _contar_validacion(contratista_id: int, curp: str) -> None:
    """Distinct CURPs looked up in the last hour: Guardar re-checking the CURP just validated is free."""
    limite = current_app.config["VALIDACIONES_CURP_POR_HORA"]
    hace_una_hora = ahora_utc() - timedelta(hours=1)
    recientes = select(ValidacionCurp.curp).where(
        ValidacionCurp.contratista_id == contratista_id, ValidacionCurp.creado_en > hace_una_hora)
    if db.session.scalar(recientes.where(ValidacionCurp.curp == curp).limit(1)):
        return
    hechas = db.session.scalar(select(func.count()).select_from(recientes.distinct().subquery()))
    if hechas >= limite:
        raise LimiteDeValidaciones(
            f"Alcanzaste el límite de {limite} validaciones de CURP por hora. Espera unos minutos e "
            "inténtalo de nuevo.", "curp")
    db.session.add(ValidacionCurp(contratista_id=contratista_id, curp=curp))
    db.session.commit()


def actor_de(usuario) -> str:
    if isinstance(usuario, Contratista):
        return f"contratista:{usuario.rfc}"
    if isinstance(usuario, Capturista):
        return f"capturista:{usuario.usuario or usuario.curp}"
    return "sistema"


def registrar_bitacora(relacion: RelacionCapturista, actor: str, accion: str, **detalle) -> Bitacora:
    entrada = Bitacora(contratista_id=relacion.contratista_id, relacion_id=relacion.id,
                       actor=actor, accion=accion, detalle=detalle)
    db.session.add(entrada)
    return entrada


def url_externa(endpoint: str, **valores) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **valores)


def emitir_liga(relacion: RelacionCapturista) -> CorreoSaliente:
    """New activation link (24 h) for a pending relation: older links die. Does not commit."""
    ahora = ahora_utc()
    relacion.token_version += 1
    relacion.liga_vence_en = ahora + VIGENCIA
    db.session.flush()
    razon_social = relacion.contratista.nombre_visible
    return correo_srv.encolar(
        tipo="activacion",
        destinatario=relacion.correo,
        asunto=f"Activa tu usuario capturista de {razon_social}",
        plantilla="activacion",
        relacion=relacion,
        capturista=relacion.capturista,
        razon_social=razon_social,
        liga=url_externa("activacion.activar", token=token_activacion(relacion)),
        vence_en=relacion.liga_vence_en,
    )


def limite_de_envios(relacion: RelacionCapturista) -> str | None:
    """Spanish reason why another link cannot be sent now, or None."""
    cfg = current_app.config
    ahora = ahora_utc()

    def enviados_desde(segundos: int) -> int:
        return db.session.scalar(
            select(func.count(CorreoSaliente.id))
            .where(CorreoSaliente.relacion_id == relacion.id, CorreoSaliente.tipo == "activacion")
            .where(CorreoSaliente.creado_en > ahora - timedelta(seconds=segundos))
        )

    if enviados_desde(60) >= cfg["REENVIOS_POR_MINUTO"]:
        return "Ya se envió una liga a este capturista hace menos de un minuto. Espera un momento antes de reenviarla."
    if enviados_desde(24 * 3600) >= cfg["REENVIOS_POR_DIA"]:
        return (f"Se alcanzó el límite de {cfg['REENVIOS_POR_DIA']} envíos de la liga en 24 horas "
                "para este capturista. Intenta de nuevo mañana.")
    return None


@dataclass
class ResultadoAlta:
    relacion: RelacionCapturista
    correo: CorreoSaliente | None
    repetida: bool = False  # the same form was submitted twice (double click)


def _relacion_existente(contratista: Contratista, capturista_id: int) -> RelacionCapturista | None:
    return db.session.scalar(select(RelacionCapturista).where(
        RelacionCapturista.contratista_id == contratista.id,
        RelacionCapturista.capturista_id == capturista_id))


def _obtener_o_crear_persona(persona: PersonaEncontrada) -> Capturista:
    existente = db.session.scalar(select(Capturista).where(Capturista.curp == persona.curp))
    if existente is not None:
        return existente
    nueva = Capturista(curp=persona.curp, nombre=persona.nombre, primer_apellido=persona.primer_apellido,
                       segundo_apellido=persona.segundo_apellido)
    try:
        with db.session.begin_nested():
            db.session.add(nueva)
    except IntegrityError:  # someone created the same person at the same moment
        return db.session.scalar(select(Capturista).where(Capturista.curp == persona.curp))
    return nueva


def dar_de_alta(contratista: Contratista, persona: PersonaEncontrada, *, telefono: str, correo: str,
                clave: str, actor: str) -> ResultadoAlta:
    """Create the relation (and the person if new), queue the e-mail, write the bitácora. Commits."""
    capturista = _obtener_o_crear_persona(persona)
    previa = _relacion_existente(contratista, capturista.id)
    if previa is not None:
        db.session.rollback()
        if clave and previa.clave_alta == clave:
            return ResultadoAlta(previa, None, repetida=True)
        raise ErrorCapturista(MENSAJE_DUPLICADA, "curp")

    ahora = ahora_utc()
    relacion = RelacionCapturista(
        contratista_id=contratista.id, capturista_id=capturista.id, telefono=telefono, correo=correo,
        clave_alta=clave or None, creado_en=ahora,
        estatus=RelacionCapturista.ACTIVO if capturista.activado else RelacionCapturista.PENDIENTE,
        activado_en=ahora if capturista.activado else None,
    )
    relacion.copiar_datos_de(capturista)
    try:
        with db.session.begin_nested():
            db.session.add(relacion)
    except IntegrityError:
        db.session.rollback()
        previa = _relacion_existente(contratista, capturista.id)
        if previa is not None and clave and previa.clave_alta == clave:
            return ResultadoAlta(previa, None, repetida=True)
        raise ErrorCapturista(MENSAJE_DUPLICADA, "curp") from None

    registrar_bitacora(relacion, actor, "alta", telefono=telefono, correo=correo,
                       estatus=relacion.estatus)
    if capturista.activado:
        # Already has a usuario (alta by another contractor): a notice, not a new activation link.
        saliente = correo_srv.encolar(
            tipo="aviso_relacion", destinatario=correo,
            asunto=f"{contratista.nombre_visible} te registró como usuario capturista",
            plantilla="aviso_relacion", relacion=relacion, capturista=capturista,
            razon_social=contratista.nombre_visible,
            liga=url_externa("capturista.login"),
        )
    else:
        saliente = emitir_liga(relacion)
    db.session.commit()
    return ResultadoAlta(relacion, saliente)


def activar_cuenta(relacion: RelacionCapturista, usuario: str, password: str) -> Capturista:
    """Create the usuario from a valid link. Every pending relation of the person becomes active
    and every outstanding link dies. Commits; raises ErrorCapturista if the usuario is taken."""
    capturista = relacion.capturista
    ahora = ahora_utc()
    capturista.usuario = usuario
    capturista.set_password(password)
    capturista.activado_en = ahora
    capturista.correo = relacion.correo
    for otra in capturista.relaciones:
        otra.token_version += 1
        if otra.estatus == RelacionCapturista.PENDIENTE:
            otra.estatus = RelacionCapturista.ACTIVO
            otra.activado_en = ahora
            registrar_bitacora(otra, actor_de(capturista), "activacion_cuenta", usuario=usuario)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ErrorCapturista("Ese usuario ya está en uso; elige otro.", "usuario") from None
    return capturista


# --- Consulta: row actions. Each checks the relation's *current* state (the caller locked the row),
# so two tabs or a stale page cannot do what is no longer allowed.

class TransicionNoPermitida(ErrorCapturista):
    def __init__(self, mensaje: str, status: int = 409):
        super().__init__(mensaje)
        self.status = status


def relacion_del_contratista(contratista_id: int, relacion_id: int, *, bloquear: bool = False):
    """The relation if it belongs to this contractor (None otherwise: the caller answers 404)."""
    consulta = select(RelacionCapturista).where(RelacionCapturista.id == relacion_id,
                                                RelacionCapturista.contratista_id == contratista_id)
    if bloquear:
        consulta = consulta.with_for_update()
    return db.session.scalar(consulta)


def exigir_pendiente(relacion: RelacionCapturista, accion: str) -> None:
    if relacion.estatus == RelacionCapturista.BAJA:
        raise TransicionNoPermitida(f"El usuario capturista está dado de baja; actívalo antes de {accion}.")
    if relacion.estatus != RelacionCapturista.PENDIENTE or relacion.capturista.activado:
        raise TransicionNoPermitida(
            f"El capturista ya generó su usuario y contraseña; ya no es posible {accion}.")


def editar_contacto(relacion: RelacionCapturista, *, telefono: str, correo: str, actor: str):
    """Actualizar usuario: only before activation. A new correo gets a new link (older ones die).
    Commits; returns (cambios, correo_saliente or None)."""
    exigir_pendiente(relacion, "editar sus datos de contacto")
    cambios = {}
    if telefono != relacion.telefono:
        cambios["telefono"] = [relacion.telefono, telefono]
    if correo != relacion.correo:
        cambios["correo"] = [relacion.correo, correo]
    relacion.telefono = telefono
    relacion.correo = correo
    relacion.copiar_datos_de(relacion.capturista)
    saliente = emitir_liga(relacion) if "correo" in cambios else None
    registrar_bitacora(relacion, actor, "edicion", cambios=cambios, nueva_liga=saliente is not None)
    db.session.commit()
    return cambios, saliente


def reenviar_liga(relacion: RelacionCapturista, *, actor: str) -> CorreoSaliente:
    """Enviar email: a new 24-hour link, only before activation and within the resend limits."""
    exigir_pendiente(relacion, "reenviar la liga de activación")
    motivo = limite_de_envios(relacion)
    if motivo:
        raise TransicionNoPermitida(motivo, status=429)
    saliente = emitir_liga(relacion)
    registrar_bitacora(relacion, actor, "reenvio", correo=relacion.correo)
    db.session.commit()
    return saliente


def exigir_no_baja(relacion: RelacionCapturista) -> None:
    if relacion.estatus == RelacionCapturista.BAJA:
        raise TransicionNoPermitida("El usuario capturista ya está dado de baja.")


def exigir_baja(relacion: RelacionCapturista) -> None:
    if relacion.estatus != RelacionCapturista.BAJA:
        raise TransicionNoPermitida("El usuario capturista no está dado de baja; no hay nada que activar.")


def dar_de_baja(relacion: RelacionCapturista, *, actor: str) -> None:
    """Eliminar: the relation becomes Baja; outstanding links die; the capturista loses this contractor."""
    exigir_no_baja(relacion)
    anterior = relacion.estatus
    relacion.estatus = RelacionCapturista.BAJA
    relacion.baja_en = ahora_utc()
    relacion.token_version += 1
    registrar_bitacora(relacion, actor, "baja", estatus_anterior=anterior)
    db.session.commit()


def reactivar(relacion: RelacionCapturista, *, actor: str) -> None:
    """Activar: undo a baja. A person without usuario is pending again; one with usuario is active."""
    exigir_baja(relacion)
    ahora = ahora_utc()
    if relacion.capturista.activado:
        relacion.estatus = RelacionCapturista.ACTIVO
        relacion.activado_en = relacion.activado_en or ahora
    else:
        relacion.estatus = RelacionCapturista.PENDIENTE
    relacion.baja_en = None
    registrar_bitacora(relacion, actor, "activacion", estatus_nuevo=relacion.estatus)
    db.session.commit()
