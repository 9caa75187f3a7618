"""Carga masiva de capturistas (Administración → Alta de usuarios → Carga masiva): many capturistas of one
contractor from one CSV or .xlsx with the columns CURP, Teléfono and Correo electrónico.

1. ``recibir`` (the upload's POST): the file read by services/carga_archivo.py (a malformed file is
   ArchivoInvalido: nothing recorded), and every row checked the way Alta de usuarios checks one person:
   its cells with the very functions Alta's form calls (the CURP's structure and check digit, the
   teléfono, the correo, no control characters), the CURP repeated in the file (the first occurrence
   stays, later ones name it), already one of the contractor's capturistas (one query), and the padrón
   (a few batched lookups, counted against CUPO_ALTA_MASIVA). Up to CARGA_CAPTURISTAS_UMBRAL rows this
   happens at once; a larger file's rows are stored and the Huey worker (``ejecutar_revision``) does the
   database and padrón part with a progress bar. The result is the **preview**: nothing is created.
2. ``confirmar`` (Guardar N capturistas): claims the reviewed carga once, with a conditional UPDATE, so a
   double click or a second confirmation finds it claimed and creates nothing. ``ejecutar_guardado``
   then creates the valid rows in batches of LOTE, each batch one transaction: the person if new, the
   pending relation, the bitácora's "alta", the activation e-mail in the outbox (the worker delivers it;
   if SMTP is down it waits there). Each row records the relation it created: a Guardar interrupted half
   way is reviewed again with its error and, confirmed again, goes on with the rows left; no row is ever
   created twice. More than CARGA_CAPTURISTAS_UMBRAL valid rows are saved by the worker.
3. The rejected rows download as .xlsx with the reason. A carga's rows (personal data) are deleted after
   EXPORTACION_RETENCION_HORAS, like an export's file (``limpiar_vencidas``); a preview that old can no
   longer be saved.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from domain import contacto
from domain import curp as curp_dominio
from domain.errores import ErrorDeDominio
from domain.texto import MENSAJE_CONTROL, tiene_control
from extensions import db
from models import CargaCapturistas, Contratista, FilaCargaCapturistas, RelacionCapturista
from models.types import ahora_utc
from services import capturistas as alta
from services import carga_archivo as archivo_srv
from services.padron import Avance, Padron, PersonaEncontrada, padron_configurado

log = logging.getLogger(__name__)

COLUMNAS = ("curp", "telefono", "correo")
ETIQUETAS = {"curp": "CURP", "telefono": "Teléfono", "correo": "Correo electrónico"}
FORMATO = archivo_srv.Formato(COLUMNAS, ETIQUETAS, "capturistas", "CARGA_CAPTURISTAS_MAX_FILAS",
                              "CARGA_CAPTURISTAS_MAX_BYTES", alias={
    "telefono": ("tel", "celular", "telefonocelular", "telefonomovil"),
    "correo": ("correo", "email", "mail", "correoe")})
DE_LA_COLUMNA = {"curp": "de la CURP", "telefono": "del teléfono", "correo": "del correo electrónico"}
FALTA = {"curp": "Falta la CURP.", "telefono": "Falta el teléfono.", "correo": "Falta el correo electrónico."}
ENCABEZADOS_RECHAZOS = ("Fila", "CURP", "Teléfono", "Correo electrónico", "Motivo")
LOTE = 100  # rows created per transaction by Guardar (and per step of its progress bar)

ERROR_INESPERADO = "Ocurrió un error inesperado al revisar el archivo. No se creó ningún capturista."
NO_SE_ENCOLO = ("No se pudo iniciar el proceso en segundo plano. No se creó ningún capturista; vuelve a cargar "
                "el archivo en unos minutos.")
GUARDADO_INTERRUMPIDO = ("No se pudo terminar de guardar: ocurrió un error inesperado. Los capturistas ya creados "
                         "quedaron guardados; da clic en Guardar para crear los restantes.")
GUARDADO_NO_ENCOLADO = ("No se pudo iniciar el guardado en segundo plano; no se creó ningún capturista. Vuelve a "
                        "dar clic en Guardar en unos minutos.")
VENCIDA = ("Esta vista previa ya venció (se conserva {horas} horas) y no se puede guardar. Vuelve a cargar el "
           "archivo.")


class CargaNoGuardable(ErrorDeDominio):
    """Guardar of a carga that cannot be saved (still being checked, failed, expired): nothing created."""

    status = 409


@dataclass
class Revision:
    """One row while it is checked: its cells as uploaded, what Alta's rules made of them, the padrón's
    person, and one message per column (the first problem found in it)."""

    numero: int
    curp: str
    telefono: str
    correo: str
    errores: dict[str, str] = field(default_factory=dict)
    curp_valida: str | None = None
    telefono_valido: str | None = None
    correo_valido: str | None = None
    persona: PersonaEncontrada | None = None
    id: int | None = None  # its stored row, once there is one

    @property
    def valida(self) -> bool:
        return not self.errores

    @property
    def motivo(self) -> str | None:
        return " ".join(self.errores[c] for c in COLUMNAS if c in self.errores) or None

    def valores(self) -> dict:
        """Its stored row's columns (the cells cut to what the rejected rows' file shows)."""
        corto = archivo_srv.LARGO_EN_RECHAZOS
        persona = self.persona if self.valida else None
        return dict(numero=self.numero, curp=self.curp[:corto], telefono=self.telefono[:corto],
                    correo=self.correo[:corto], curp_valida=self.curp_valida, telefono_valido=self.telefono_valido,
                    correo_valido=self.correo_valido, motivo=self.motivo,
                    nombre=persona.nombre if persona else None,
                    primer_apellido=persona.primer_apellido if persona else None,
                    segundo_apellido=persona.segundo_apellido if persona else None)


# --- 1. reading and checking --------------------------------------------------------------------------------


def leer(datos: bytes, nombre_archivo: str) -> list[Revision]:
    """The rows of the file, their cells as text. Raises ArchivoInvalido."""
    return [Revision(r.numero, **r.textos, errores=r.errores)
            for r in archivo_srv.leer(datos, nombre_archivo, FORMATO, _texto)]


def _texto(valor, columna: str, separador: str | None) -> tuple[str, str | None]:
    return archivo_srv.texto_de_celda(valor, DE_LA_COLUMNA[columna])


def revisar_celdas(revisiones: list[Revision]) -> None:
    """Each row on its own, with Alta's rules, then the CURPs repeated inside the file: no database."""
    for revision in revisiones:
        _revisar_celdas(revision)
    primeras: dict[str, int] = {}
    for revision in revisiones:
        if revision.curp_valida is None:
            continue
        primera = primeras.setdefault(revision.curp_valida, revision.numero)
        if primera != revision.numero:
            revision.errores["curp"] = (f"La CURP {revision.curp_valida} se repite en el archivo: ya está en la "
                                        f"fila {primera}.")


def _revisar_celdas(revision: Revision) -> None:
    """What Alta's two forms check: Validar's CURP (``curp.validar``), Guardar's teléfono
    (``contacto.telefono``) and correo (``contacto.correo``, kept in lowercase as CamposContacto keeps it),
    and no control characters in any of them (Formulario's rule)."""
    for columna in COLUMNAS:
        texto = getattr(revision, columna)
        if columna in revision.errores:
            continue
        if not texto:
            revision.errores[columna] = FALTA[columna]
        elif tiene_control(texto):
            revision.errores[columna] = MENSAJE_CONTROL
    reglas = (("curp", "curp_valida", lambda t: curp_dominio.validar(t).curp),
              ("telefono", "telefono_valido", contacto.telefono),
              ("correo", "correo_valido", lambda t: contacto.correo(t).lower()))
    for columna, destino, regla in reglas:
        if columna in revision.errores:
            continue
        try:
            setattr(revision, destino, regla(getattr(revision, columna)))
        except ErrorDeDominio as exc:
            revision.errores[columna] = exc.mensaje


def revisar_contra_la_base(contratista_id: int, revisiones: list[Revision], padron: Padron,
                           al_avanzar: Avance = None) -> None:
    """The good rows against the contractor's capturistas (one query) and the padrón (batched lookups
    that count against CUPO_ALTA_MASIVA: a file that does not fit is refused whole, LimiteDeValidaciones).
    Messages as Alta's."""
    buenas = [r for r in revisiones if r.valida]
    registradas = alta.ya_registradas(contratista_id, [r.curp_valida for r in buenas])
    for revision in buenas:
        if revision.curp_valida in registradas:
            revision.errores["curp"] = alta.MENSAJE_DUPLICADA
    if al_avanzar is not None:
        al_avanzar(len(registradas))
    buenas = [r for r in buenas if r.valida]
    alta.reservar_validaciones(contratista_id, [r.curp_valida for r in buenas], alta.CUPO_ALTA_MASIVA)
    personas = padron.buscar_varios([r.curp_valida for r in buenas], al_avanzar)
    for revision in buenas:
        revision.persona = personas.get(revision.curp_valida)
        if revision.persona is None:
            revision.errores["curp"] = alta.MENSAJE_NO_ENCONTRADA


def _terminar_revision(carga: CargaCapturistas, validas: int) -> None:
    carga.validas, carga.rechazadas, carga.procesadas = validas, carga.total - validas, carga.total
    carga.estado, carga.revisada_en, carga.error = CargaCapturistas.REVISADA, ahora_utc(), None


def recibir(contratista: Contratista, archivo, actor: str) -> tuple[int, bool]:
    """The upload (a werkzeug FileStorage). A file that cannot be taken raises ArchivoInvalido, a file whose
    lookups do not fit the allowance LimiteDeValidaciones, a padrón that does not answer
    PadronNoDisponible: nothing recorded in any case. Returns (carga id, True when the worker must be
    asked to finish the preview). Commits."""
    cfg = current_app.config
    datos, nombre = archivo_srv.leer_subida(archivo, FORMATO)
    revisiones = leer(datos, nombre)
    revisar_celdas(revisiones)
    carga = CargaCapturistas(contratista_id=contratista.id, solicitante=actor, nombre_archivo=nombre,
                             estado=CargaCapturistas.REVISANDO, total=len(revisiones),
                             procesadas=sum(1 for r in revisiones if not r.valida))
    db.session.add(carga)
    db.session.flush()
    en_segundo_plano = len(revisiones) > cfg["CARGA_CAPTURISTAS_UMBRAL"]
    try:
        if not en_segundo_plano:
            revisar_contra_la_base(contratista.id, revisiones, padron_configurado())
            _terminar_revision(carga, sum(1 for r in revisiones if r.valida))
        db.session.execute(FilaCargaCapturistas.__table__.insert(),
                           [dict(r.valores(), carga_id=carga.id) for r in revisiones])
        carga_id = carga.id
        db.session.commit()
    except BaseException:
        db.session.rollback()  # the carga's row too: nothing recorded
        raise
    return carga_id, en_segundo_plano


def ejecutar_revision(carga_id: int) -> None:
    """The Huey task's body: the stored rows the request's checks left good, against the contractor's
    capturistas and the padrón, with progress. Ends as revisada or, if it cannot, as error (its rows go)."""
    try:
        carga = db.session.get(CargaCapturistas, carga_id)
        if carga is None or carga.estado != CargaCapturistas.REVISANDO:
            return  # already ran
        buenas = [_de_fila(f) for f in db.session.scalars(
            select(FilaCargaCapturistas).where(FilaCargaCapturistas.carga_id == carga_id,
                                               FilaCargaCapturistas.motivo.is_(None))
            .order_by(FilaCargaCapturistas.numero))]
        revisar_contra_la_base(carga.contratista_id, buenas, padron_configurado(),
                               archivo_srv.Avance(CargaCapturistas, carga_id, inicio=carga.procesadas))
        if buenas:
            tabla = FilaCargaCapturistas.__table__
            db.session.execute(tabla.update().where(tabla.c.id == bindparam("fila_id")).values(
                {c: bindparam(f"nuevo_{c}") for c in _RESULTADO}), [_resultado(r) for r in buenas])
        carga = db.session.get(CargaCapturistas, carga_id, populate_existing=True)
        _terminar_revision(carga, sum(1 for r in buenas if r.valida))
        db.session.commit()
    except Exception as exc:  # the job must end in a state the page can show
        db.session.rollback()
        if isinstance(exc, ErrorDeDominio):
            mensaje = exc.mensaje
        else:
            log.exception("Carga masiva de capturistas %s falló", carga_id)
            mensaje = ERROR_INESPERADO
        fallar_revision(carga_id, mensaje)


def _de_fila(fila: FilaCargaCapturistas) -> Revision:
    """A stored row the request's checks left good."""
    return Revision(fila.numero, fila.curp, fila.telefono, fila.correo, curp_valida=fila.curp_valida,
                    telefono_valido=fila.telefono_valido, correo_valido=fila.correo_valido, id=fila.id)


_RESULTADO = ("motivo", "nombre", "primer_apellido", "segundo_apellido")  # what the worker's checks add to a row


def _resultado(revision: Revision) -> dict:
    valores = revision.valores()
    return {"fila_id": revision.id, **{f"nuevo_{c}": valores[c] for c in _RESULTADO}}


def encolar_revision(carga_id: int, tarea) -> None:
    archivo_srv.encolar(carga_id, tarea, fallar_revision, NO_SE_ENCOLO)


def fallar_revision(carga_id: int, mensaje: str) -> None:
    """The preview could not be finished: the carga ends in error and its rows go. Commits."""
    carga = db.session.get(CargaCapturistas, carga_id)
    if carga is not None:
        carga.estado, carga.error = CargaCapturistas.ERROR, mensaje[:500]
        db.session.execute(delete(FilaCargaCapturistas).where(FilaCargaCapturistas.carga_id == carga_id))
        db.session.commit()


# --- 2. Guardar -------------------------------------------------------------------------------------------


def vencida(carga: CargaCapturistas) -> bool:
    """Its rows are past their retention (deleted, or about to be): it can no longer be saved nor its
    rejected rows downloaded."""
    return carga.creado_en + archivo_srv.retencion() <= ahora_utc()


def pendientes(carga: CargaCapturistas):
    """Its valid rows not yet created (a query)."""
    return select(FilaCargaCapturistas).where(FilaCargaCapturistas.carga_id == carga.id,
                                              FilaCargaCapturistas.motivo.is_(None),
                                              FilaCargaCapturistas.relacion_id.is_(None))


def por_guardar(carga: CargaCapturistas) -> int:
    return db.session.scalar(select(func.count()).select_from(pendientes(carga).subquery()))


def confirmar(carga: CargaCapturistas) -> bool:
    """Guardar: claim the reviewed carga (once: a second Guardar finds it claimed, or saved, and does
    nothing) and save it now, or return True when the worker must be asked to (more than
    CARGA_CAPTURISTAS_UMBRAL rows to create). Raises CargaNoGuardable when it is not a preview to save."""
    if carga.estado in (CargaCapturistas.GUARDANDO, CargaCapturistas.GUARDADA):
        db.session.rollback()
        return False  # the same confirmation again (a double click): its page says how it goes
    if carga.estado != CargaCapturistas.REVISADA:
        raise CargaNoGuardable("El archivo todavía no está revisado o no se pudo revisar: no hay nada que guardar.")
    if vencida(carga):
        raise CargaNoGuardable(VENCIDA.format(horas=current_app.config["EXPORTACION_RETENCION_HORAS"]))
    reclamada = db.session.execute(
        update(CargaCapturistas).where(CargaCapturistas.id == carga.id,
                                       CargaCapturistas.estado == CargaCapturistas.REVISADA)
        .values(estado=CargaCapturistas.GUARDANDO, error=None).execution_options(synchronize_session=False))
    if reclamada.rowcount != 1:
        db.session.rollback()
        return False  # another request claimed it in between
    carga_id, restantes = carga.id, por_guardar(carga)
    db.session.commit()
    if restantes > current_app.config["CARGA_CAPTURISTAS_UMBRAL"]:
        return True
    ejecutar_guardado(carga_id)
    return False


def ejecutar_guardado(carga_id: int) -> None:
    """Create the claimed carga's valid rows not yet created, LOTE per transaction (the carga locked in
    each), then mark it guardada. A failure leaves it reviewed again with its error: what was created
    stays, marked on its rows. Someone creating one of its people (or capturistas) at the same moment
    makes a batch fail on a unique key: it is tried again and finds them."""
    choques = 0
    try:
        while True:
            carga = db.session.scalar(select(CargaCapturistas).where(CargaCapturistas.id == carga_id)
                                      .with_for_update().execution_options(populate_existing=True))
            if carga is None or carga.estado != CargaCapturistas.GUARDANDO:
                db.session.rollback()
                return
            filas = list(db.session.scalars(pendientes(carga).order_by(FilaCargaCapturistas.numero).limit(LOTE)))
            if not filas:
                _terminar_guardado(carga)
                db.session.commit()
                return
            try:
                _guardar_lote(carga, filas)  # its count of creadas is the progress bar's
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                choques += 1
                if choques > 3:
                    raise
    except Exception:  # the page must show what happened; the rows created so far are kept
        db.session.rollback()
        log.exception("El guardado de la carga masiva de capturistas %s falló", carga_id)
        fallar_guardado(carga_id, GUARDADO_INTERRUMPIDO)


def _guardar_lote(carga: CargaCapturistas, filas: list[FilaCargaCapturistas]) -> None:
    """Alta de usuarios for each row: the person (if new), the pending relation and its link, the bitácora,
    the e-mail in the outbox. A CURP that became the contractor's capturista after the preview (Alta, in
    another tab) is rejected now with Alta's message."""
    contratista = db.session.get(Contratista, carga.contratista_id)
    personas = alta.obtener_o_crear_personas([
        PersonaEncontrada(f.curp_valida, f.nombre or "", f.primer_apellido or "", f.segundo_apellido or "")
        for f in filas])
    ya = set(db.session.scalars(select(RelacionCapturista.capturista_id).where(
        RelacionCapturista.contratista_id == carga.contratista_id,
        RelacionCapturista.capturista_id.in_([p.id for p in personas.values()]))))
    nuevas = []
    for fila in filas:
        persona = personas[fila.curp_valida]
        if persona.id in ya:
            fila.motivo = alta.MENSAJE_DUPLICADA
            continue
        relacion = alta.nueva_relacion(contratista, persona, telefono=fila.telefono_valido, correo=fila.correo_valido)
        alta.renovar_liga(relacion, persona)
        nuevas.append((fila, relacion))
    db.session.add_all(r for _, r in nuevas)
    db.session.flush()
    for fila, relacion in nuevas:
        fila.relacion_id = relacion.id
        alta.registrar_alta(relacion, carga.solicitante, origen="carga_masiva", archivo=carga.nombre_archivo)
        alta.encolar_liga(relacion, masivo=True)
    carga.creadas += len(nuevas)


def _terminar_guardado(carga: CargaCapturistas) -> None:
    contar = select(func.count(FilaCargaCapturistas.id)).where(FilaCargaCapturistas.carga_id == carga.id)
    carga.creadas = db.session.scalar(contar.where(FilaCargaCapturistas.relacion_id.is_not(None)))
    carga.rechazadas = db.session.scalar(contar.where(FilaCargaCapturistas.motivo.is_not(None)))
    carga.estado, carga.guardada_en, carga.error = CargaCapturistas.GUARDADA, ahora_utc(), None


def encolar_guardado(carga_id: int, tarea) -> None:
    archivo_srv.encolar(carga_id, tarea, fallar_guardado, GUARDADO_NO_ENCOLADO)


def fallar_guardado(carga_id: int, mensaje: str) -> None:
    """Guardar stopped: the carga is a preview again, with the error; Guardar goes on with what is left.
    Commits."""
    db.session.execute(update(CargaCapturistas).where(CargaCapturistas.id == carga_id,
                                                      CargaCapturistas.estado == CargaCapturistas.GUARDANDO)
                       .values(estado=CargaCapturistas.REVISADA, error=mensaje[:500]))
    db.session.commit()


# --- 3. reading a carga: its rows, the rejected ones' workbook, the list, the cleanup ----------------------


def de_contratista(contratista_id: int, carga_id: int) -> CargaCapturistas | None:
    """The contractor's carga (None otherwise: the caller answers 404)."""
    return db.session.scalar(select(CargaCapturistas).where(CargaCapturistas.id == carga_id,
                                                            CargaCapturistas.contratista_id == contratista_id))


def filas(carga: CargaCapturistas, *, rechazadas: bool) -> list[FilaCargaCapturistas]:
    condicion = FilaCargaCapturistas.motivo.is_not(None) if rechazadas else FilaCargaCapturistas.motivo.is_(None)
    return list(db.session.scalars(select(FilaCargaCapturistas).where(FilaCargaCapturistas.carga_id == carga.id,
                                                                      condicion)
                                   .order_by(FilaCargaCapturistas.numero)))


def escribir_rechazos(destino, carga: CargaCapturistas) -> None:
    """Fila, CURP, Teléfono, Correo electrónico (as uploaded) and Motivo, all as text."""
    archivo_srv.escribir_rechazos(destino, ENCABEZADOS_RECHAZOS, (8, 22, 16, 34, 90), (
        (str(f.numero), f.curp, f.telefono, f.correo, f.motivo) for f in filas(carga, rechazadas=True)))


def nombre_rechazos(carga: CargaCapturistas) -> str:
    zona = ZoneInfo(current_app.config["TIMEZONE"])
    return f"rechazados_capturistas_{carga.creado_en.astimezone(zona):%Y%m%d_%H%M}.xlsx"


def disponible_hasta(carga: CargaCapturistas) -> datetime:
    return carga.creado_en + archivo_srv.retencion()


def plantilla():
    """The template: header CURP, Teléfono, Correo electrónico, formatted as text."""
    C = archivo_srv.ColumnaPlantilla
    return archivo_srv.plantilla("Capturistas", "Plantilla de carga masiva de capturistas", [
        C("CURP", "Ejemplo: HEGG560427MVZRRL04\nDieciocho caracteres, como en la constancia de la CURP.", 24),
        C("Teléfono", "Ejemplo: 5512345678\nDiez dígitos, como texto.", 16),
        C("Correo electrónico", "Ejemplo: ana.perez@correo.example\nA este correo llegará la liga para activar "
                                "el usuario capturista.", 34),
    ])


def recientes(contratista_id: int, cuantas: int = 5) -> list[CargaCapturistas]:
    return list(db.session.scalars(
        select(CargaCapturistas).where(CargaCapturistas.contratista_id == contratista_id)
        .order_by(CargaCapturistas.creado_en.desc(), CargaCapturistas.id.desc()).limit(cuantas)))


def limpiar_vencidas() -> int:
    """Delete the rows of cargas past their retention (the people of a file never saved, the rejected rows),
    and end the ones whose job never finished (the worker died). Commits. Returns the cargas touched."""
    limite = ahora_utc() - archivo_srv.retencion()
    viejas = select(CargaCapturistas.id).where(CargaCapturistas.creado_en <= limite)
    colgadas = list(db.session.scalars(select(CargaCapturistas).where(
        CargaCapturistas.creado_en <= limite, CargaCapturistas.estado.in_(CargaCapturistas.EN_CURSO))))
    for carga in colgadas:
        if carga.estado == CargaCapturistas.GUARDANDO:
            carga.estado = CargaCapturistas.GUARDADA
            carga.error = (f"El guardado no terminó: se crearon {carga.creadas:,} capturistas. Vuelve a cargar un "
                           "archivo con los que faltan.")
        else:
            carga.estado, carga.error = CargaCapturistas.ERROR, "El proceso no terminó. Vuelve a cargar el archivo."
    borradas = db.session.execute(delete(FilaCargaCapturistas).where(FilaCargaCapturistas.carga_id.in_(viejas)))
    db.session.commit()
    return len(colgadas) + (borradas.rowcount or 0)
