"""Keyset pagination for any grid: a page continues after the (value, id) of the last row it showed, so
the page 2,000 costs what the first costs (no OFFSET). The cursor is opaque to the user (base64 JSON)
and a malformed one just means the first page.

Consulta's grid and the grids of contracts and workers use it; each one's ORDER BY column needs an
index ``(owner_id, column, id)``.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select, tuple_

from domain.texto import plano
from extensions import db

# Grids with a search say "de más de 1,000" rather than count every match on every page.
TOPE_CONTEO = 1000


def buscar(consulta: Select, columna, q: str | None) -> Select:
    """The rows whose search key (``domain.texto.clave_busqueda``: no accents, lowercase) contains
    ``q`` read the same way; ``q`` empty: all of them. LIKE's wildcards in ``q`` are literal."""
    termino = plano(q or "")
    if not termino:
        return consulta
    escapado = termino.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return consulta.where(columna.like(f"%{escapado}%", escape="\\"))


def codificar(valor, id_: int) -> str:
    if isinstance(valor, datetime):
        valor = valor.isoformat()
    crudo = json.dumps([valor, id_], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(crudo).decode().rstrip("=")


def decodificar(texto: str | None, tipo=str):
    """(valor, id) or None for anything malformed; ``tipo`` is the column's (str, int, or datetime:
    written as ISO text, with its time zone)."""
    if not texto or len(texto) > 1000:
        return None
    try:
        valor, id_ = json.loads(base64.urlsafe_b64decode(texto + "=" * (-len(texto) % 4)))
    except (ValueError, TypeError):
        return None
    # An id that fits the column (PostgreSQL integer; larger is a DataError).
    if type(id_) is not int or not -2**31 <= id_ < 2**31 or type(valor) is not (str if tipo is datetime else tipo):
        return None
    if tipo is str and "\x00" in valor:
        return None
    if tipo is int and not -2**31 <= valor < 2**31:
        return None
    if tipo is datetime:
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return None
        if valor.tzinfo is None:
            return None
    return valor, id_


@dataclass
class Pagina:
    filas: list
    siguiente: str | None = None
    anterior: str | None = None
    primera: bool = True
    extra: dict = field(default_factory=dict)


def contar_hasta(consulta: Select, tope: int = TOPE_CONTEO) -> int:
    """How many rows ``consulta`` gives, counting no further than ``tope`` + 1."""
    hasta = consulta.limit(tope + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(hasta))


def paginar(consulta: Select, columna, id_col, *, despues: str | None = None, antes: str | None = None,
            tamano: int = 50, tipo=str, valor_de=None, descendente: bool = False) -> Pagina:
    """One page of ``consulta`` in (columna, id) ascending order (``descendente``: the newest first).
    A ``select(Modelo)`` gives model instances, a select of columns gives rows. ``valor_de(fila)`` gives
    the row's value of ``columna`` (default: the attribute of the same name)."""
    valor_de = valor_de or (lambda f: getattr(f, columna.key))
    cursor_despues = decodificar(despues, tipo)
    cursor_antes = None if cursor_despues else decodificar(antes, tipo)
    clave = tuple_(columna, id_col)
    hacia_adelante = (columna.desc(), id_col.desc()) if descendente else (columna.asc(), id_col.asc())
    hacia_atras = (columna.asc(), id_col.asc()) if descendente else (columna.desc(), id_col.desc())
    if cursor_despues:
        limite = tuple_(*cursor_despues)
        consulta = consulta.where(clave < limite if descendente else clave > limite).order_by(*hacia_adelante)
    elif cursor_antes:
        limite = tuple_(*cursor_antes)
        consulta = consulta.where(clave > limite if descendente else clave < limite).order_by(*hacia_atras)
    else:
        consulta = consulta.order_by(*hacia_adelante)
    resultado = db.session.execute(consulta.limit(tamano + 1))
    filas = list(resultado.scalars()) if len(consulta.column_descriptions) == 1 \
        and consulta.column_descriptions[0].get("entity") is not None \
        and consulta.column_descriptions[0].get("expr") is consulta.column_descriptions[0].get("entity") \
        else resultado.all()
    hay_mas = len(filas) > tamano
    filas = filas[:tamano]
    if cursor_antes:
        filas.reverse()
    pagina = Pagina(filas, primera=not (cursor_despues or (cursor_antes and hay_mas)))
    if filas:
        def cursor(f):
            return codificar(valor_de(f), f.id)
        if cursor_antes:
            pagina.siguiente = cursor(filas[-1])
            pagina.anterior = cursor(filas[0]) if hay_mas else None
        else:
            pagina.siguiente = cursor(filas[-1]) if hay_mas else None
            pagina.anterior = cursor(filas[0]) if cursor_despues else None
    return pagina
