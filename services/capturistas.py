"""What can happen to a capturista: alta, links, activation, and the bitácora of it all.

No request in here: callers pass the contractor, the actor and the data; each function leaves
the session ready to commit or commits itself when it says so.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain import curp as curp_dominio
from domain.errores import ErrorDeDominio
from extensions import db
from models import Bitacora, Capturista, Contratista, CorreoSaliente, RelacionCapturista, ValidacionCurp
from models.types import ahora_utc
from services import correo as correo_srv
from services.enlaces import url_externa
from services.padron import PersonaEncontrada, padron_configurado
from services.tokens import VIGENCIA, token_activacion


class ErrorCapturista(ErrorDeDominio):
    def __init__(self, mensaje: str, campo: str | None = None):
        super().__init__(mensaje)
        self.campo = campo


MENSAJE_NO_ENCONTRADA = (
    "La CURP no se encontró en el padrón de población. Verifica que la hayas capturado correctamente."
)
MENSAJE_DUPLICADA = "La CURP ya está registrada como usuario capturista de este contratista."


class LimiteDeValidaciones(ErrorCapturista):
    status = 429


class TransicionNoPermitida(ErrorCapturista):
    def __init__(self, mensaje: str, status: int = 409):
        super().__init__(mensaje)
        self.status = status


@dataclass(frozen=True)
class Cupo:
    """An allowance of padrón lookups per contractor, against enumeration: distinct CURPs within
    ``ventana``, at most ``Config[ajuste]``; each ``tipo`` counts apart. ``mensaje`` takes {limite};
    ``sin_efecto`` says what did not happen when a file's batch does not fit."""

    tipo: str
    ajuste: str
    ventana: timedelta
    mensaje: str
    sin_efecto: str = "No se agregó ningún trabajador"


CUPO_ALTA = Cupo(ValidacionCurp.CAPTURISTA, "VALIDACIONES_CURP_POR_HORA", timedelta(hours=1),
                 "Alcanzaste el límite de {limite} validaciones de CURP por hora. Espera unos minutos e "
                 "inténtalo de nuevo.")
# Carga masiva de capturistas: a file's lookups have an allowance of their own per day (Alta's 120 an hour
# would stop a legitimate file of a few hundred people), still bounded against enumeration.
CUPO_ALTA_MASIVA = Cupo(ValidacionCurp.ALTA_MASIVA, "VALIDACIONES_ALTA_MASIVA_POR_DIA", timedelta(hours=24),
                        "Se alcanzó el límite de {limite} validaciones de CURP de cargas masivas de capturistas en "
                        "24 horas para este contratista. Inténtalo de nuevo más tarde.",
                        sin_efecto="No se revisó ninguna fila")


def buscar_persona(texto: str, contratista_id: int | None = None, cupo: Cupo = CUPO_ALTA) -> PersonaEncontrada:
    """Validate a CURP and find its owner. Raises CurpInvalida, PadronNoDisponible or ErrorCapturista.
    With a contractor, each padrón lookup counts against its ``cupo`` (enumeration) and is committed."""
    datos = curp_dominio.validar(texto)
    if contratista_id is not None:
        _contar_validacion(contratista_id, datos.curp, cupo)
    persona = padron_configurado().buscar(datos.curp)
    if persona is None:
        raise ErrorCapturista(MENSAJE_NO_ENCONTRADA, "curp")
    return persona


def _en_la_ventana(columna, contratista_id: int, cupo: Cupo):
    """``columna`` of the contractor's lookups of this kind within the allowance's window."""
    return select(columna).where(
        ValidacionCurp.contratista_id == contratista_id, ValidacionCurp.tipo == cupo.tipo,
        ValidacionCurp.creado_en > ahora_utc() - cupo.ventana)


def _contar_validacion(contratista_id: int, curp: str, cupo: Cupo) -> None:
    """Distinct CURPs looked up within the window: Guardar re-checking the CURP just validated is free.
    A CURP is recorded once per window, so the window's rows (counted no further than the limit) are
    its distinct CURPs. Commits: the lookup counts even when the padrón then fails or finds nobody."""
    limite = current_app.config[cupo.ajuste]
    recientes = _en_la_ventana(ValidacionCurp.id, contratista_id, cupo)
    if db.session.scalar(recientes.where(ValidacionCurp.curp == curp).limit(1)):
        return
    hechas = db.session.scalar(select(func.count()).select_from(recientes.limit(limite).subquery()))
    if hechas >= limite:
        raise LimiteDeValidaciones(cupo.mensaje.format(limite=f"{limite:,}"), "curp")
    db.session.add(ValidacionCurp(contratista_id=contratista_id, tipo=cupo.tipo, curp=curp))
    db.session.commit()


def reservar_validaciones(contratista_id: int, curps: list[str], cupo: Cupo) -> None:
    """A batch of lookups (a carga masiva) against the same allowance as one by one: the CURPs not yet
    looked up within the window must fit in what is left of it, or none is looked up. Recorded in the
    caller's transaction (a file refused for another reason leaves its lookups uncounted: it showed no
    name)."""
    limite = current_app.config[cupo.ajuste]
    vistas = set(db.session.scalars(_en_la_ventana(ValidacionCurp.curp, contratista_id, cupo)))
    nuevas = sorted(set(curps) - vistas)
    if len(vistas) + len(nuevas) > limite:
        quedan = max(0, limite - len(vistas))
        raise LimiteDeValidaciones(
            f"El archivo necesita validar {len(nuevas):,} CURP nuevas en el padrón y al contratista le quedan "
            f"{quedan:,} de sus {limite:,} validaciones de {cupo.ventana // timedelta(hours=1)} horas. "
            f"{cupo.sin_efecto}; divide el archivo o inténtalo más tarde.", "archivo")
    db.session.add_all(ValidacionCurp(contratista_id=contratista_id, tipo=cupo.tipo, curp=c) for c in nuevas)


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


def es_invitacion(relacion: RelacionCapturista, persona: Capturista | None = None) -> bool:
    """Logging in alone may accept a relation only when the contractor typed the very address the
    person proved (the one whose link created the usuario): then both agree on who the person is.
    ``persona``: the relation's person, for a relation not yet flushed."""
    persona = persona or relacion.capturista
    return persona.activado and (persona.correo or "").lower() == relacion.correo.lower()


def emitir_liga(relacion: RelacionCapturista) -> CorreoSaliente:
    """A new 24-hour chance to join for a pending relation: older links die. Does not commit.

    - The contractor typed the person's own verified address (``por_invitacion``): no link, an
      invitation there, accepted by the person logged in.
    - Otherwise the activation link goes to the address the contractor typed. For a person
      without usuario it creates one; for a person who has one it only works together with that
      person's session. An address someone else typed can never act on the person's account, and a
      usuario someone squatted cannot accept what was sent to the real person's address.
    The e-mail and the screens are the same whatever other contractors did (F09)."""
    exigir_cupo_diario(relacion.contratista_id)
    renovar_liga(relacion)
    db.session.flush()
    return encolar_liga(relacion)


def renovar_liga(relacion: RelacionCapturista, persona: Capturista | None = None) -> None:
    """The relation's next link (or invitation): its version and 24-hour expiry. Older links die.
    ``persona``: the relation's person, for a relation not yet flushed (a carga masiva's)."""
    relacion.por_invitacion = es_invitacion(relacion, persona)
    relacion.token_version = (relacion.token_version or 0) + 1
    relacion.liga_vence_en = ahora_utc() + VIGENCIA


def encolar_liga(relacion: RelacionCapturista, *, masivo: bool = False) -> CorreoSaliente:
    """The e-mail of the link ``renovar_liga`` prepared (the relation flushed: its id is in the link).
    ``masivo``: queued by a carga masiva's Guardar (not counted in CORREOS_POR_DIA_CONTRATISTA)."""
    razon_social = relacion.contratista.nombre_visible
    if relacion.por_invitacion:
        return correo_srv.encolar(
            tipo="invitacion", destinatario=relacion.capturista.correo, masivo=masivo,
            asunto=f"Invitación para capturar información de {razon_social}", plantilla="invitacion",
            relacion=relacion, capturista=relacion.capturista, razon_social=razon_social,
            liga=url_externa("capturista.login"), vence_en=relacion.liga_vence_en)
    return correo_srv.encolar(
        tipo="activacion",
        destinatario=relacion.correo,
        masivo=masivo,
        asunto=f"Activa tu usuario capturista de {razon_social}",
        plantilla="activacion",
        relacion=relacion,
        capturista=relacion.capturista,
        razon_social=razon_social,
        liga=url_externa("activacion.activar", token=token_activacion(relacion)),
        vence_en=relacion.liga_vence_en,
    )


class LimiteDeCorreos(TransicionNoPermitida):
    def __init__(self, mensaje: str):
        super().__init__(mensaje, status=429)


def exigir_cupo_diario(contratista_id: int) -> None:
    """No contractor sends more than CORREOS_POR_DIA_CONTRATISTA messages in 24 h (spam relay)."""
    limite = current_app.config["CORREOS_POR_DIA_CONTRATISTA"]
    # Only what the contractor's own actions send (links, invitations): a reset or registro notice
    # anybody can ask for must not use up the contractor's allowance. A carga masiva's first e-mails
    # are not counted either: each goes to a person its file looked up, so the bulk allowance of
    # lookups (VALIDACIONES_ALTA_MASIVA_POR_DIA) bounds them, and Alta must still work after a file.
    enviados = correo_srv.encolados_desde(ahora_utc() - timedelta(hours=24), tipos=CorreoSaliente.TIPOS_LIGA,
                                          contratista_id=contratista_id, masivo=False)
    if enviados >= limite:
        raise LimiteDeCorreos(
            f"Se alcanzó el límite de {limite} correos en 24 horas para este contratista. "
            "Intenta de nuevo mañana.")


def limite_de_envios(relacion: RelacionCapturista) -> str | None:
    """Spanish reason why another link cannot be sent now, or None."""
    cfg = current_app.config
    ahora = ahora_utc()

    def enviados_desde(segundos: int) -> int:
        return correo_srv.encolados_desde(ahora - timedelta(seconds=segundos), tipos=CorreoSaliente.TIPOS_LIGA,
                                          relacion_id=relacion.id)

    if enviados_desde(60) >= cfg["REENVIOS_POR_MINUTO"]:
        return "Ya se envió una liga a este capturista hace menos de un minuto. Espera un momento antes de reenviarla."
    if enviados_desde(24 * 3600) >= cfg["REENVIOS_POR_DIA"]:
        return (f"Se alcanzó el límite de {cfg['REENVIOS_POR_DIA']} envíos de la liga en 24 horas "
                "para este capturista. Intenta de nuevo mañana.")
    return None


def exigir_limite_de_envios(relacion: RelacionCapturista) -> None:
    motivo = limite_de_envios(relacion)
    if motivo:
        raise TransicionNoPermitida(motivo, status=429)


def ya_registrada(contratista_id: int, curp: str) -> bool:
    """Is this CURP already one of this contractor's capturistas (whatever its estatus)?"""
    return curp in ya_registradas(contratista_id, [curp])


LOTE = 500  # CURPs per IN (...): well under any database's limit of bound parameters


def ya_registradas(contratista_id: int, curps: Sequence[str]) -> set[str]:
    """Which of these CURPs are already this contractor's capturistas (whatever their estatus)."""
    curps = list(curps)
    return {curp for i in range(0, len(curps), LOTE) for curp in db.session.scalars(
        select(RelacionCapturista.curp).where(RelacionCapturista.contratista_id == contratista_id,
                                              RelacionCapturista.curp.in_(curps[i:i + LOTE])))}


def ultimo_correo(relacion: RelacionCapturista) -> CorreoSaliente | None:
    """The last e-mail queued for the relation (what Alta's confirmation reports on)."""
    return db.session.scalar(select(CorreoSaliente).where(CorreoSaliente.relacion_id == relacion.id)
                             .order_by(CorreoSaliente.id.desc()).limit(1))


@dataclass
class ResultadoAlta:
    relacion: RelacionCapturista
    correo: CorreoSaliente | None
    repetida: bool = False  # the same form was submitted twice (double click)


def _relacion_existente(contratista: Contratista, capturista_id: int) -> RelacionCapturista | None:
    return db.session.scalar(select(RelacionCapturista).where(
        RelacionCapturista.contratista_id == contratista.id,
        RelacionCapturista.capturista_id == capturista_id))


def _persona(persona: PersonaEncontrada) -> Capturista:
    return Capturista(curp=persona.curp, nombre=persona.nombre, primer_apellido=persona.primer_apellido,
                      segundo_apellido=persona.segundo_apellido)


def _obtener_o_crear_persona(persona: PersonaEncontrada) -> Capturista:
    existente = db.session.scalar(select(Capturista).where(Capturista.curp == persona.curp))
    if existente is not None:
        return existente
    nueva = _persona(persona)
    try:
        with db.session.begin_nested():
            db.session.add(nueva)
    except IntegrityError:  # someone created the same person at the same moment
        return db.session.scalar(select(Capturista).where(Capturista.curp == persona.curp))
    return nueva


def obtener_o_crear_personas(personas: Sequence[PersonaEncontrada]) -> dict[str, Capturista]:
    """The person of each CURP (a carga masiva's), the missing ones created: a few queries and one
    flush. Someone creating one of them at the same moment makes the flush fail (IntegrityError): the
    caller rolls back and tries again, when they are found."""
    curps = [p.curp for p in personas]
    existentes = {c.curp: c for i in range(0, len(curps), LOTE)
                  for c in db.session.scalars(select(Capturista).where(Capturista.curp.in_(curps[i:i + LOTE])))}
    nuevas = {p.curp: _persona(p) for p in personas if p.curp not in existentes}
    db.session.add_all(nuevas.values())
    db.session.flush()
    return existentes | nuevas


def nueva_relacion(contratista: Contratista, capturista: Capturista, *, telefono: str, correo: str,
                   clave: str | None = None) -> RelacionCapturista:
    """A pending relation (not yet added to the session). The same whether or not the person already
    has a usuario somewhere (F09): the person's own step (link, or invitation) joins it."""
    relacion = RelacionCapturista(
        contratista_id=contratista.id, capturista_id=capturista.id, telefono=telefono,
        correo=correo, clave_alta=clave or None, creado_en=ahora_utc(), estatus=RelacionCapturista.PENDIENTE,
        token_version=0)
    relacion.copiar_datos_de(capturista)
    return relacion


def registrar_alta(relacion: RelacionCapturista, actor: str, **detalle) -> Bitacora:
    return registrar_bitacora(relacion, actor, "alta", telefono=relacion.telefono, correo=relacion.correo,
                              estatus=relacion.estatus, **detalle)


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

    relacion = nueva_relacion(contratista, capturista, telefono=telefono, correo=correo, clave=clave)
    try:
        with db.session.begin_nested():
            db.session.add(relacion)
    except IntegrityError:
        db.session.rollback()
        previa = _relacion_existente(contratista, capturista.id)
        if previa is not None and clave and previa.clave_alta == clave:
            return ResultadoAlta(previa, None, repetida=True)
        raise ErrorCapturista(MENSAJE_DUPLICADA, "curp") from None

    registrar_alta(relacion, actor)
    try:
        saliente = emitir_liga(relacion)
    except LimiteDeCorreos:
        db.session.rollback()  # no capturista without its e-mail
        raise
    db.session.commit()
    return ResultadoAlta(relacion, saliente)


def _unirse(relacion: RelacionCapturista, capturista: Capturista, accion: str) -> None:
    ahora = ahora_utc()
    relacion.estatus = RelacionCapturista.ACTIVO
    relacion.activado_en = ahora
    relacion.token_version += 1  # this relation's links die; no other relation is touched
    registrar_bitacora(relacion, actor_de(capturista), accion)


def activar_cuenta(relacion: RelacionCapturista, usuario: str, password: str) -> Capturista:
    """Create the usuario from this relation's own valid link: the person's verified address is the
    one the link went to, and only this relation becomes active (the others keep their own links).
    The caller locked the relation. Commits; raises ErrorCapturista if the usuario is taken."""
    capturista = db.session.scalar(select(Capturista).where(Capturista.id == relacion.capturista_id)
                                   .with_for_update())
    if capturista.activado:
        raise ErrorCapturista("Ya existe un usuario capturista para tu CURP: inicia sesión para aceptar.",
                              "usuario")
    capturista.usuario = usuario
    capturista.set_password(password)
    capturista.activado_en = ahora_utc()
    capturista.correo = relacion.correo
    _unirse(relacion, capturista, "activacion_cuenta")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ErrorCapturista("Ese usuario ya está en uso; elige otro.", "usuario") from None
    return capturista


def aceptar_con_liga(relacion: RelacionCapturista, capturista: Capturista) -> None:
    """A person who already has a usuario opens this relation's own link while logged in: the link
    (the contractor's channel) and the session (the person) together make the relation active."""
    if relacion.capturista_id != capturista.id or relacion.estatus != RelacionCapturista.PENDIENTE:
        raise TransicionNoPermitida("Esta liga no corresponde a tu usuario capturista.", status=403)
    _unirse(relacion, capturista, "aceptacion")
    db.session.commit()


def _invitaciones_vivas(capturista: Capturista):
    """Relations sent to this person's own verified address, pending and not expired."""
    return select(RelacionCapturista).where(
        RelacionCapturista.capturista_id == capturista.id, RelacionCapturista.por_invitacion.is_(True),
        RelacionCapturista.estatus == RelacionCapturista.PENDIENTE, RelacionCapturista.liga_vence_en > ahora_utc())


def invitaciones_pendientes(capturista: Capturista) -> list[RelacionCapturista]:
    """What the person may accept, logged in, on the contractor list."""
    return list(db.session.scalars(_invitaciones_vivas(capturista).order_by(RelacionCapturista.creado_en)))


def aceptar_invitacion(capturista: Capturista, relacion_id: int) -> RelacionCapturista | None:
    """The logged-in person accepts a contractor's invitation. None when there is no such live
    invitation for them (the caller answers 404). Commits."""
    relacion = db.session.scalar(
        _invitaciones_vivas(capturista).where(RelacionCapturista.id == relacion_id).with_for_update())
    if relacion is None:
        return None
    _unirse(relacion, capturista, "aceptacion")
    db.session.commit()
    return relacion


# --- Consulta: row actions. Each checks the relation's *current* state (the caller locked the row),
# so two tabs or a stale page cannot do what is no longer allowed.

def relacion_del_contratista(contratista_id: int, relacion_id: int, *, bloquear: bool = False):
    """The relation if it belongs to this contractor (None otherwise: the caller answers 404)."""
    consulta = select(RelacionCapturista).where(RelacionCapturista.id == relacion_id,
                                                RelacionCapturista.contratista_id == contratista_id)
    if bloquear:
        consulta = consulta.with_for_update()
    return db.session.scalar(consulta)


def exigir_pendiente(relacion: RelacionCapturista, accion: str) -> None:
    """Only this relation's own state counts: whether the person has a usuario through another
    contractor is none of this contractor's business (F09)."""
    if relacion.estatus == RelacionCapturista.BAJA:
        raise TransicionNoPermitida(f"El usuario capturista está dado de baja; actívalo antes de {accion}.")
    if relacion.estatus != RelacionCapturista.PENDIENTE:
        raise TransicionNoPermitida(
            f"El capturista ya generó su usuario y contraseña; ya no es posible {accion}.")


def editar_contacto(relacion: RelacionCapturista, *, telefono: str, correo: str, actor: str):
    """Actualizar usuario: only before activation. A new correo gets a new link (older ones die),
    within the same sending limits as Enviar email. Commits; returns (cambios, correo_saliente or None)."""
    exigir_pendiente(relacion, "editar sus datos de contacto")
    cambios = {}
    if telefono == relacion.telefono and correo == relacion.correo:
        db.session.rollback()  # nothing changed: nothing to write, not even in the bitácora
        return cambios, None
    if telefono != relacion.telefono:
        cambios["telefono"] = [relacion.telefono, telefono]
    if correo != relacion.correo:
        cambios["correo"] = [relacion.correo, correo]
        exigir_limite_de_envios(relacion)
    relacion.telefono = telefono
    relacion.correo = correo
    relacion.copiar_datos_de(relacion.capturista)
    saliente = emitir_liga(relacion) if "correo" in cambios else None
    registrar_bitacora(relacion, actor, "edicion", cambios=cambios, nueva_liga=saliente is not None)
    db.session.commit()
    return cambios, saliente


def reenviar_liga(relacion: RelacionCapturista, *, actor: str, origen: str | None = None) -> CorreoSaliente:
    """Enviar email (and Solicitar nueva liga): a new 24-hour link, only before activation and
    within the resend limits."""
    exigir_pendiente(relacion, "reenviar la liga de activación")
    exigir_limite_de_envios(relacion)
    saliente = emitir_liga(relacion)
    detalle = {"correo": relacion.correo} | ({"origen": origen} if origen else {})
    registrar_bitacora(relacion, actor, "reenvio", **detalle)
    db.session.commit()
    return saliente


def exigir_no_baja(relacion: RelacionCapturista) -> None:
    if relacion.estatus == RelacionCapturista.BAJA:
        raise TransicionNoPermitida("El usuario capturista ya está dado de baja.")


def exigir_baja(relacion: RelacionCapturista) -> None:
    if relacion.estatus != RelacionCapturista.BAJA:
        raise TransicionNoPermitida("El usuario capturista no está dado de baja; no hay nada que activar.")


def dar_de_baja(relacion: RelacionCapturista, *, actor: str) -> None:
    """Eliminar: the relation becomes Baja and the capturista loses this contractor. A pending
    relation's link stops working while it is in baja (the link checks the estatus), and works
    again if Activar brings it back before it expires: one link, never two."""
    exigir_no_baja(relacion)
    anterior = relacion.estatus
    relacion.estatus = RelacionCapturista.BAJA
    relacion.baja_en = ahora_utc()
    registrar_bitacora(relacion, actor, "baja", estatus_anterior=anterior)
    db.session.commit()


def reactivar(relacion: RelacionCapturista, *, actor: str) -> CorreoSaliente | None:
    """Activar: undo a baja, back to where this relation was. One the person had joined (activated
    or accepted) is active again. One never joined is pending again and still needs the person's
    own step, so it is left with exactly one valid way in: its last link while it lasts, or a new
    one (returned, to be sent after the commit) when that one expired. Commits."""
    exigir_baja(relacion)
    saliente = None
    if relacion.activado_en is not None:
        relacion.estatus = RelacionCapturista.ACTIVO
    else:
        relacion.estatus = RelacionCapturista.PENDIENTE
        if relacion.liga_vence_en is None or relacion.liga_vence_en <= ahora_utc():
            saliente = emitir_liga(relacion)
    relacion.baja_en = None
    registrar_bitacora(relacion, actor, "activacion", estatus_nuevo=relacion.estatus,
                       nueva_liga=saliente is not None)
    db.session.commit()
    return saliente
