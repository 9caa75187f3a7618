"""The informativa of bench/http_wrk.py's contractor: 50 contracts × 3,000 workers = 150,000 workers in one
informativa (issue 14: "the trabajadores grid of a contract with 3,000 rows and of an informativa with
150,000 workers (first and deep page) beside the Consulta page").

``sembrar(motor, url, contratista_id)`` adds it once (idempotent: an informativa of 2026-2 already
there is kept) by executemany on SQLite and COPY on PostgreSQL, with nombre_orden and busqueda filled
as ``Trabajador.copiar_busqueda`` does. bench/http_wrk.py ``--informativa`` calls it and measures the grids.
"""
from __future__ import annotations

import random
import sqlite3
import time
from datetime import date, datetime, timezone

CONTRATOS = 50
POR_CONTRATO = 3_000
ANIO, PERIODO = 2026, 2


def _trabajadores(contrato: int, rnd: random.Random):
    """(nss, curp, nombre, ap1, ap2, sbc) for the workers of the contract number ``contrato`` (1-based)."""
    from bench import carga
    from domain.nss import completar

    for j in range(POR_CONTRATO):
        i = (contrato - 1) * POR_CONTRATO + j
        nombre, ap1, ap2 = rnd.choice(carga.NOMBRES), rnd.choice(carga.APELLIDOS), rnd.choice(carga.APELLIDOS)
        yield completar(f"{i:010d}"), carga._curp(1_000_000 + i, rnd), nombre, ap1, ap2, f"{300 + i % 2000}.{i % 100:02d}"


def _filas(informativa_id: int, contratos: dict[int, int], ahora):
    from domain.texto import clave_busqueda, clave_orden_nombre

    rnd = random.Random(150_000)
    for numero, contrato_id in contratos.items():
        for nss, curp, nombre, ap1, ap2, sbc in _trabajadores(numero, rnd):
            yield (contrato_id, informativa_id, nss, curp, nombre, ap1, ap2, sbc,
                   clave_orden_nombre(nombre, ap1, ap2), clave_busqueda(nss, curp, nombre, ap1, ap2), 1, ahora)


COLUMNAS = ("contrato_id, informativa_id, nss, curp, nombre, primer_apellido, segundo_apellido, sbc, nombre_orden,"
            " busqueda, version, creado_en")


def sembrar(motor: str, url: str, contratista_id: int) -> int:
    """The informativa's id (created now or found)."""
    t0 = time.perf_counter()
    ahora = datetime.now(timezone.utc)
    if motor == "sqlite":
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        marca = lambda valor: valor.replace(tzinfo=None).isoformat(" ")  # noqa: E731 (as SQLAlchemy stores it)
        p = "?"
    else:
        import psycopg

        con = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
        marca = lambda valor: valor  # noqa: E731
        p = "%s"
    try:
        fila = con.execute(f"SELECT id FROM informativa WHERE contratista_id = {p} AND anio = {p} AND periodo = {p}"
                           " AND numero = 0", (contratista_id, ANIO, PERIODO)).fetchone()
        if fila:
            return fila[0]
        informativa_id = con.execute(
            "INSERT INTO informativa (contratista_id, anio, periodo, numero, tipo, estado, version, contratos_creados,"
            f" creado_por, creado_en, actualizado_en) VALUES ({p}, {p}, {p}, 0, 'normal', 'borrador', 1, {p},"
            f" 'bench', {p}, {p}) RETURNING id",
            (contratista_id, ANIO, PERIODO, CONTRATOS, marca(ahora), marca(ahora))).fetchone()[0]
        contratos = {}
        for numero in range(1, CONTRATOS + 1):
            rfc = f"BEN{numero:06d}A1"[:12] + "0"
            contratos[numero] = con.execute(
                "INSERT INTO contrato (informativa_id, numero, rfc_contratante, nombre_contratante,"
                " correo_contratante, telefono_contratante, objeto, servicio, fecha_inicio, fecha_fin, busqueda,"
                f" version, creado_en, actualizado_en) VALUES ({p}, {p}, {p}, {p}, {p}, '5512345678', {p},"
                f" 'AR12345/2024 Limpieza', {p}, NULL, {p}, 1, {p}, {p}) RETURNING id",
                (informativa_id, numero, rfc, f"Beneficiario {numero}, S.A.", f"c{numero}@beneficiario.example",
                 f"Servicio de limpieza {numero}", date(ANIO, 5 + numero % 4, 1).isoformat() if motor == "sqlite"
                 else date(ANIO, 5 + numero % 4, 1), f"{rfc.lower()} beneficiario {numero}",
                 marca(ahora), marca(ahora))).fetchone()[0]
        filas = _filas(informativa_id, contratos, marca(ahora))
        if motor == "sqlite":
            con.executemany(f"INSERT INTO trabajador ({COLUMNAS}) VALUES ({', '.join(['?'] * 12)})", filas)
            con.commit()
            con.execute("ANALYZE")
        else:
            with con.cursor() as cur, cur.copy(f"COPY trabajador ({COLUMNAS}) FROM STDIN") as copia:
                for f in filas:
                    copia.write_row(f)
            con.commit()
            con.autocommit = True
            con.execute("VACUUM ANALYZE trabajador")
        con.commit()
        print(f"informativa {ANIO}-{PERIODO}: {CONTRATOS} contratos × {POR_CONTRATO:,} trabajadores sembrados en "
              f"{time.perf_counter() - t0:.1f} s")
        return informativa_id
    finally:
        con.close()
