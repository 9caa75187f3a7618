"""services.informativas on a real database (SQLite and PostgreSQL): creating an informativa per period,
contracts with their remembered contratante, workers (NSS/CURP once per contract), versions that refuse
a stale save, the checklist, Enviar a firma (locked, e-mailed, recorded) and Devolver."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from domain.nss import completar
from domain.periodos import Periodo
from extensions import db
from models import Bitacora, Contratante, Contratista, Contrato, CorreoSaliente, Informativa, Trabajador
from services import informativas as srv
from services.padron import PersonaEncontrada
from tests.factories import crear_contratista, rfc_valido

AHORA = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)
P2 = Periodo(2026, 2)  # mayo–agosto 2026
ACTOR = "capturista:ana.perez"
RFC_CLIENTE = rfc_valido("XYZ", "020202", "C3")


def _datos(**cambios) -> srv.DatosContrato:
    base = dict(rfc_contratante=RFC_CLIENTE, nombre_contratante="Cliente Beneficiario, S.A.",
                correo_contratante="compras@cliente.example", telefono_contratante="5511112222",
                objeto="Limpieza de oficinas", servicio="AR12345/2024 Servicios de limpieza",
                fecha_inicio=date(2026, 6, 1), fecha_fin=None)
    return srv.DatosContrato(**{**base, **cambios})


def _persona(i: int) -> PersonaEncontrada:
    return PersonaEncontrada(f"PEGL8503{i:02d}HJCRRS07"[:18], f"NOMBRE{i}", "PÉREZ", "GARCÍA")


@pytest.fixture
def contexto(app):
    with app.app_context():
        contratista = crear_contratista(razon_social="Servicios Informativos, S.A.")
        yield contratista


def _nueva(contratista, periodo=P2, tipo=Informativa.NORMAL) -> Informativa:
    return srv.crear(contratista.id, periodo, tipo, ACTOR, AHORA)


def _bloqueada(contratista, informativa) -> Informativa:
    return srv.de_contratista(contratista.id, informativa.id, bloquear=True)


def test_una_informativa_por_periodo(contexto):
    informativa = _nueva(contexto)
    assert (informativa.estado, informativa.version, informativa.tipo) == ("borrador", 1, "normal")
    with pytest.raises(srv.ErrorInformativa, match="Ya existe una informativa del segundo cuatrimestre de 2026"):
        _nueva(contexto, tipo=Informativa.SIN_INFORMACION)
    # The period in course may be started; a future one or one before 2021-3 may not.
    assert _nueva(contexto, Periodo(2026, 3)).periodo == 3
    for periodo in (Periodo(2027, 1), Periodo(2021, 2)):
        with pytest.raises(srv.ErrorInformativa, match="no se puede capturar"):
            _nueva(contexto, periodo)
    disponibles = srv.periodos_sin_informativa(contexto.id, AHORA)
    assert disponibles[0] == Periodo(2026, 1) and disponibles[-1] == Periodo(2021, 3)
    assert P2 not in disponibles and len(disponibles) == 16 - 2  # 2021-3 … 2026-3, less two


def test_otro_contratista_no_la_ve(contexto):
    informativa = _nueva(contexto)
    otro = crear_contratista()
    assert srv.de_contratista(otro.id, informativa.id) is None
    assert srv.de_contratista(contexto.id, informativa.id).id == informativa.id
    assert srv.resumenes(otro.id) == []


def test_contrato_recuerda_al_contratante_y_cuenta_en_el_resumen(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto))
    contrato = srv.agregar_contrato(informativa, _datos(), ACTOR)
    db.session.commit()
    assert (contrato.numero, contrato.etiqueta) == (1, f"Contrato 1 ({RFC_CLIENTE})")
    recordado = srv.contratante_recordado(contexto.id, RFC_CLIENTE.lower())
    assert (recordado.nombre, recordado.telefono) == ("Cliente Beneficiario, S.A.", "5511112222")
    assert srv.contratante_recordado(crear_contratista().id, RFC_CLIENTE) is None  # per contractor
    assert srv.servicio_sugerido(contexto) == "AR12345/2024 Servicios de limpieza"
    [resumen] = srv.resumenes(contexto.id)
    assert (resumen.contratos, resumen.trabajadores, resumen.informativa.version) == (1, 0, 2)


def test_servicio_sugerido_sin_contratos_es_el_repse(contexto):
    assert srv.servicio_sugerido(contexto) == "AR12345/2024 "


def test_validar_contrato(contexto):
    informativa = _nueva(contexto)
    errores = dict(srv.validar_contrato(_datos(rfc_contratante=contexto.rfc, fecha_inicio=date(2026, 9, 1),
                                               fecha_fin=date(2026, 8, 1)), informativa, contexto))
    assert set(errores) == {"rfc_contratante", "fecha_inicio", "fecha_fin"}
    assert "01/05/2026 a 31/08/2026" in errores["fecha_inicio"]
    assert srv.validar_contrato(_datos(), informativa, contexto) == []


def test_editar_con_version_vieja_es_conflicto(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto))
    contrato = srv.agregar_contrato(informativa, _datos(), ACTOR)
    db.session.commit()
    leida = contrato.version
    cambios = srv.editar_contrato(informativa, contrato, _datos(objeto="Limpieza y jardinería"), leida, ACTOR)
    db.session.commit()
    assert cambios == {"objeto": "Limpieza y jardinería"} and contrato.version == leida + 1
    with pytest.raises(srv.Conflicto, match="Otra persona modificó este contrato"):
        srv.editar_contrato(informativa, contrato, _datos(objeto="Otra cosa"), leida, ACTOR)
    # No change: nothing recorded, the version stays.
    antes = informativa.version
    assert srv.editar_contrato(informativa, contrato, _datos(objeto="Limpieza y jardinería"), contrato.version,
                               ACTOR) == {}
    assert informativa.version == antes


def test_trabajadores_una_vez_por_contrato(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto))
    uno = srv.agregar_contrato(informativa, _datos(), ACTOR)
    dos = srv.agregar_contrato(informativa, _datos(objeto="Mantenimiento"), ACTOR)
    nss = completar("1234567890")
    srv.agregar_trabajador(informativa, uno, nss, _persona(1), Decimal("315.04"), ACTOR)
    with pytest.raises(srv.ErrorInformativa, match=f"El NSS {nss} ya está en este contrato"):
        srv.agregar_trabajador(informativa, uno, nss, _persona(2), Decimal("315.04"), ACTOR)
    with pytest.raises(srv.ErrorInformativa, match="La CURP .* ya está en este contrato"):
        srv.agregar_trabajador(informativa, uno, completar("1234567891"), _persona(1), Decimal("1"), ACTOR)
    srv.agregar_trabajador(informativa, dos, nss, _persona(1), Decimal("315.04"), ACTOR)  # another contract: fine
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Trabajador)) == 2


@pytest.mark.parametrize("texto, esperado", [("315.04", Decimal("315.04")), ("$1,234.5", Decimal("1234.50")),
                                             ("7", Decimal("7.00"))])
def test_sbc_valido(texto, esperado):
    assert srv.validar_sbc(texto) == esperado


@pytest.mark.parametrize("texto, mensaje", [("0", "mayor que cero"), ("-3", "mayor que cero"),
                                            ("1.234", "dos decimales"), ("abc", "debe ser un número"),
                                            ("NaN", "mayor que cero"), ("", "debe ser un número")])
def test_sbc_invalido(texto, mensaje):
    with pytest.raises(srv.ErrorInformativa, match=mensaje):
        srv.validar_sbc(texto)


def test_enviar_a_firma_y_devolver(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto))
    contrato = srv.agregar_contrato(informativa, _datos(), ACTOR)
    db.session.commit()
    revision = srv.revision(informativa, contexto)
    assert not revision.completa and not revision.regla("trabajadores").cumple
    assert revision.regla("trabajadores").detalles[0].startswith(f"Contrato 1 ({RFC_CLIENTE})")
    with pytest.raises(srv.ErrorInformativa, match="tiene inconsistencias"):
        srv.enviar_a_firma(informativa, contexto, informativa.version, ACTOR, "ANA PÉREZ", "http://x/informativas/1")
    srv.agregar_trabajador(informativa, contrato, completar("1234567890"), _persona(1), Decimal("315.04"), ACTOR)
    db.session.commit()
    leida = informativa.version
    assert srv.revision(informativa, contexto).completa
    # A change after the checklist was read: the old version cannot be sent.
    srv.editar_contrato(informativa, contrato, _datos(objeto="Otra"), contrato.version, ACTOR)
    db.session.commit()
    with pytest.raises(srv.Conflicto):
        srv.enviar_a_firma(informativa, contexto, leida, ACTOR, "ANA PÉREZ", "http://x/informativas/1")
    srv.enviar_a_firma(informativa, contexto, informativa.version, ACTOR, "ANA PÉREZ", "http://x/informativas/1")
    assert informativa.estado == "enviada" and informativa.enviada_en is not None
    correo = db.session.scalar(select(CorreoSaliente).where(CorreoSaliente.tipo == "informativa_enviada"))
    assert correo.destinatario == contexto.correo and correo.contratista_id == contexto.id
    assert "http://x/informativas/1" in correo.cuerpo_texto and "ANA PÉREZ" in correo.cuerpo_texto
    # Locked for editing.
    with pytest.raises(srv.NoEditable, match="Enviada a firma"):
        srv.agregar_contrato(informativa, _datos(), ACTOR)
    with pytest.raises(srv.ErrorInformativa, match="Escribe qué debe corregirse"):
        srv.devolver(informativa, "   ", "contratista:X")
    srv.devolver(informativa, "Falta el contrato de Monterrey.", f"contratista:{contexto.rfc}")
    assert (informativa.estado, informativa.comentario_devolucion) == ("devuelta", "Falta el contrato de Monterrey.")
    assert informativa.editable
    with pytest.raises(srv.ErrorInformativa, match="Solo una informativa enviada"):
        srv.devolver(informativa, "otra vez", "contratista:X")
    acciones = list(db.session.scalars(select(Bitacora.accion).where(Bitacora.informativa_id == informativa.id)
                                       .order_by(Bitacora.id)))
    assert acciones == ["informativa_alta", "contrato_alta", "trabajador_alta", "contrato_edicion", "envio_firma",
                        "devolucion"]


def test_sin_informacion_no_lleva_contratos(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto, tipo=Informativa.SIN_INFORMACION))
    with pytest.raises(srv.ErrorInformativa, match="no lleva contratos"):
        srv.agregar_contrato(informativa, _datos(), ACTOR)
    assert srv.revision(informativa, contexto).completa
    srv.cambiar_tipo(informativa, Informativa.NORMAL, informativa.version, ACTOR)
    db.session.commit()
    revision = srv.revision(informativa, contexto)
    assert not revision.completa and not revision.regla("hay_contratos").cumple


def test_eliminar_contrato_borra_sus_trabajadores(contexto):
    informativa = _bloqueada(contexto, _nueva(contexto))
    contrato = srv.agregar_contrato(informativa, _datos(), ACTOR)
    srv.agregar_trabajador(informativa, contrato, completar("1234567890"), _persona(1), Decimal("315.04"), ACTOR)
    db.session.commit()
    srv.eliminar_contrato(informativa, contrato, contrato.version, ACTOR)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Contrato)) == 0
    assert db.session.scalar(select(func.count()).select_from(Trabajador)) == 0
    # Numbers are never reused: the next contract is 2.
    assert srv.agregar_contrato(informativa, _datos(), ACTOR).numero == 2
    assert db.session.get(Contratista, contexto.id) is not None
    assert db.session.scalar(select(func.count()).select_from(Contratante)) == 1
