"""Who owns a CURP: the padrón behind an adapter.

``LocalPadron`` reads the ``padron_persona`` table (fictitious people loaded with
``flask padron cargar``); ``HttpPadron`` asks a RENAPO-like service:
``GET {PADRON_URL}/{curp}`` → 200 JSON ``{"nombre", "primer_apellido", "segundo_apellido"}``,
404 when the CURP is unknown. Timeouts, connection errors and 5xx raise PadronNoDisponible.

``buscar_varios`` looks up many CURPs at once (the carga masiva's 3,000 rows): the local padrón in a
few ``WHERE curp IN (...)`` queries, the HTTP service one request per CURP, several at a time.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from domain.errores import ErrorDeDominio
from domain.texto import nombre_completo
from extensions import db
from models import PersonaPadron

MENSAJE_NO_DISPONIBLE = "El servicio de validación de CURP no está disponible, intenta más tarde."


@dataclass(frozen=True)
class PersonaEncontrada:
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str

    @property
    def nombre_completo(self) -> str:
        return nombre_completo(self.nombre, self.primer_apellido, self.segundo_apellido)


class PadronNoDisponible(ErrorDeDominio):
    """The padrón could not answer: ``detalle`` is for the log, ``mensaje`` for the user."""

    def __init__(self, detalle: str = ""):
        super().__init__(MENSAJE_NO_DISPONIBLE)
        self.detalle = detalle


# ``al_avanzar(n)``: n more CURPs looked up (the carga masiva's progress bar).
Avance = Callable[[int], None] | None


class Padron(Protocol):
    def buscar(self, curp: str) -> PersonaEncontrada | None: ...

    def buscar_varios(self, curps: Sequence[str], al_avanzar: Avance = None) -> dict[str, PersonaEncontrada]:
        """The people found, by CURP (an unknown CURP is not in the answer)."""
        ...


class LocalPadron:
    LOTE = 1000  # CURPs per query: well under any database's limit of bound parameters

    def buscar(self, curp: str) -> PersonaEncontrada | None:
        persona = db.session.get(PersonaPadron, curp)
        if persona is None:
            return None
        return PersonaEncontrada(persona.curp, persona.nombre, persona.primer_apellido,
                                 persona.segundo_apellido or "")

    def buscar_varios(self, curps: Sequence[str], al_avanzar: Avance = None) -> dict[str, PersonaEncontrada]:
        encontradas = {}
        for i in range(0, len(curps), self.LOTE):
            lote = curps[i:i + self.LOTE]
            for fila in db.session.execute(
                    select(PersonaPadron.curp, PersonaPadron.nombre, PersonaPadron.primer_apellido,
                           PersonaPadron.segundo_apellido).where(PersonaPadron.curp.in_(lote))):
                encontradas[fila.curp] = PersonaEncontrada(fila.curp, fila.nombre, fila.primer_apellido,
                                                           fila.segundo_apellido or "")
            if al_avanzar is not None:
                al_avanzar(len(lote))
        return encontradas


class HttpPadron:
    def __init__(self, url_base: str, timeout: float):
        self.url_base = url_base.rstrip("/")
        self.timeout = timeout

    def buscar(self, curp: str) -> PersonaEncontrada | None:
        url = f"{self.url_base}/{urllib.parse.quote(curp)}"
        peticion = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(peticion, timeout=self.timeout) as respuesta:
                datos = json.load(respuesta)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise PadronNoDisponible(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, ValueError) as exc:
            raise PadronNoDisponible(str(exc)) from exc
        try:
            return PersonaEncontrada(
                curp=curp,
                nombre=str(datos["nombre"]).strip(),
                primer_apellido=str(datos["primer_apellido"]).strip(),
                segundo_apellido=str(datos.get("segundo_apellido") or "").strip(),
            )
        except (KeyError, TypeError) as exc:
            raise PadronNoDisponible("respuesta sin los campos esperados") from exc

    CONCURRENCIA = 8  # requests in flight at once: 3,000 CURPs in minutes, not an hour, without flooding it

    def buscar_varios(self, curps: Sequence[str], al_avanzar: Avance = None) -> dict[str, PersonaEncontrada]:
        """One request per CURP, CONCURRENCIA at a time; the first PadronNoDisponible stops them all."""
        encontradas = {}
        with ThreadPoolExecutor(max_workers=self.CONCURRENCIA, thread_name_prefix="padron") as grupo:
            futuros = [grupo.submit(self.buscar, curp) for curp in curps]
            try:
                pendientes = 0
                for i, futuro in enumerate(futuros, start=1):
                    persona = futuro.result()
                    if persona is not None:
                        encontradas[persona.curp] = persona
                    pendientes += 1
                    if al_avanzar is not None and (pendientes == 100 or i == len(futuros)):
                        al_avanzar(pendientes)
                        pendientes = 0
            except BaseException:
                for futuro in futuros:
                    futuro.cancel()
                raise
        return encontradas


def padron_configurado() -> Padron:
    cfg = current_app.config
    if cfg["PADRON_FUENTE"] == "http":
        return HttpPadron(cfg["PADRON_URL"], cfg["PADRON_TIEMPO_LIMITE"])
    return LocalPadron()
