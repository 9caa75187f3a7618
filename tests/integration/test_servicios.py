"""The service functions the views call, used directly (no request): each owns its queries and commits."""
from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import Bitacora, CorreoSaliente, DatosGenerales, Exportacion
from models.types import ahora_utc
from services import capturistas, contratistas, exportar
from services.consulta import Filtro
from tests.factories import DATOS_GENERALES, crear_contratista, crear_persona, crear_relacion


def test_ya_registrada_y_ultimo_correo_solo_del_contratista(app):
    with app.app_context():
        a, b = crear_contratista(), crear_contratista()
        persona = crear_persona("PEGL850304HJCRRS07", "JOSÉ LUIS", "PÉREZ", "GARCÍA")
        relacion = crear_relacion(a, persona, correo="jose@correo.example")
        db.session.add_all([CorreoSaliente(tipo="activacion", relacion_id=relacion.id, destinatario="x@y.example",
                                           asunto=f"n{i}", cuerpo_texto="-", cuerpo_html="-") for i in (1, 2)])
        db.session.commit()
        assert capturistas.ya_registrada(a.id, "PEGL850304HJCRRS07")
        assert not capturistas.ya_registrada(b.id, "PEGL850304HJCRRS07")
        assert capturistas.ultimo_correo(relacion).asunto == "n2"
        assert capturistas.relacion_del_contratista(b.id, relacion.id) is None


def _exportacion(contratista, minutos: int, **campos) -> Exportacion:
    exportacion = Exportacion(contratista_id=contratista.id, solicitante="prueba", nombre_archivo="x.xlsx",
                              creado_en=ahora_utc() - timedelta(minutes=minutos), **campos)
    db.session.add(exportacion)
    db.session.flush()
    return exportacion


def test_exportaciones_del_contratista_recientes_y_vencidas(app, tmp_path):
    with app.app_context():
        a, b = crear_contratista(), crear_contratista()
        viejas = [_exportacion(a, m) for m in (50, 40, 30, 20, 10, 5)]
        ajena = _exportacion(b, 1)
        archivo = tmp_path / "lista.xlsx"
        archivo.write_bytes(b"PK")
        vencida = _exportacion(a, 0, estado=Exportacion.LISTA, ruta=str(archivo),
                               expira_en=ahora_utc() - timedelta(seconds=1))
        db.session.commit()
        assert exportar.de_contratista(a.id, ajena.id) is None
        assert exportar.de_contratista(b.id, ajena.id).id == ajena.id
        assert [e.id for e in exportar.recientes(a.id)] == [vencida.id] + [e.id for e in viejas[::-1][:4]]
        assert exportar.para_descargar(vencida).estado == Exportacion.VENCIDA and not archivo.exists()
        db.session.expire_all()
        assert db.session.get(Exportacion, vencida.id).ruta is None  # committed


def test_exportar_directo_escribe_y_deja_bitacora(app):
    with app.app_context():
        a = crear_contratista()
        crear_relacion(a, crear_persona("PEGL850304HJCRRS07", "JOSÉ LUIS", "PÉREZ", "GARCÍA"),
                       correo="jose@correo.example")
        db.session.commit()
        destino = io.BytesIO()
        filas = exportar.exportar_directo(destino, a, Filtro.desde({}), "contratista:X", ahora_utc())
        assert filas == 1
        hoja = load_workbook(io.BytesIO(destino.getvalue())).active
        assert "PEGL850304HJCRRS07" in [c.value for c in hoja[3]]
        db.session.rollback()  # what exportar_directo wrote was committed
        assert db.session.scalar(select(Bitacora.detalle).where(Bitacora.accion == "exportacion"))["filas"] == 1


def test_guardar_datos_generales_crea_y_actualiza(app):
    with app.app_context():
        a = crear_contratista(con_datos=False)
        contratistas.guardar_datos_generales(a, DATOS_GENERALES)
        contratistas.guardar_datos_generales(a, {**DATOS_GENERALES, "razon_social": "Otra, S.C."})
        db.session.rollback()
        registros = db.session.scalars(select(DatosGenerales).where(DatosGenerales.contratista_id == a.id)).all()
        assert [r.razon_social for r in registros] == ["Otra, S.C."]


def test_contar_hasta_no_cuenta_mas_alla_del_tope(app):
    """Issue 13: the grid's caption counts at most tope + 1 rows ("de más de 1,000")."""
    from services.consulta import Filtro, contar_hasta

    with app.app_context():
        a, b = crear_contratista(), crear_contratista()
        for i in range(5):
            persona = crear_persona(f"TOPE{i:014d}", f"NOMBRE{i}", "APELLIDO", "")
            crear_relacion(a, persona, correo=f"p{i}@correo.example", estatus="baja" if i == 0 else "pendiente")
        db.session.commit()
        assert contar_hasta(a.id, Filtro.desde({}), tope=10) == 5
        assert contar_hasta(a.id, Filtro.desde({}), tope=2) == 3  # "more than 2"
        assert contar_hasta(a.id, Filtro.desde({"estatus": "baja"}), tope=2) == 1
        assert contar_hasta(b.id, Filtro.desde({}), tope=2) == 0
