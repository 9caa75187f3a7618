"""Unit tests for domain.consistencia: the checklist before "Enviar a firma"."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.consistencia import NORMAL, SIN_INFORMACION, ContratoParaRevisar, InformativaInconsistente, Regla, revisar
from domain.errores import ErrorDeDominio
from domain.periodos import Periodo

PERIODO = Periodo(2026, 1)
CONTRATISTA = "SAT970701NN3"
CLAVES_NORMAL = ["hay_contratos", "rfc_distinto", "objeto_y_servicio", "fecha_inicio", "fecha_fin", "trabajadores",
                 "sin_repetidos"]


def _contrato(n: int = 1, **cambios) -> ContratoParaRevisar:
    base = ContratoParaRevisar(
        id=n, etiqueta=f"Contrato {n} (ABC010101AB{n})", rfc_contratante=f"ABC010101AB{n}",
        objeto="Limpieza de oficinas", servicio="REPSE 12345: servicios de limpieza",
        fecha_inicio=date(2026, 2, 1), fecha_fin=date(2026, 12, 31), trabajadores=3,
    )
    return dataclasses.replace(base, **cambios)


def _normal(*contratos: ContratoParaRevisar):
    return revisar(tipo=NORMAL, periodo=PERIODO, rfc_contratista=CONTRATISTA, contratos=contratos)


def _solo_falla(revision, clave: str) -> Regla:
    """The rule ``clave`` fails and every other one holds."""
    assert [r.clave for r in revision.pendientes] == [clave]
    assert not revision.completa
    return revision.regla(clave)


def test_informativa_limpia():
    revision = _normal(_contrato(1), _contrato(2, fecha_fin=None), _contrato(3, fecha_inicio=date(2026, 4, 30)))
    assert [r.clave for r in revision.reglas] == CLAVES_NORMAL
    assert revision.completa and revision.pendientes == ()
    assert all(r.cumple and r.detalles == () for r in revision.reglas)
    revision.exigir()  # does not raise


def test_textos_de_la_lista():
    assert [r.texto for r in _normal(_contrato()).reglas] == [
        "La informativa tiene al menos un contrato",
        "En cada contrato, el RFC del contratante es distinto del RFC del contratista",
        "Cada contrato tiene objeto y servicio u obra especializada",
        "Cada contrato tiene fecha de inicio dentro del periodo (del 1 de enero al 30 de abril de 2026)",
        "La fecha de fin de cada contrato, si la tiene, no es anterior a su fecha de inicio",
        "Cada contrato tiene al menos un trabajador",
        "Ningún NSS ni CURP se repite dentro de un mismo contrato",
    ]


def test_normal_sin_contratos_sugiere_sin_informacion():
    regla = _solo_falla(_normal(), "hay_contratos")
    assert regla.detalles == ("No hay contratos capturados. Si en el periodo no hubo contratos, "
                              "presenta una informativa «Sin información».",)


@pytest.mark.parametrize("rfc", [CONTRATISTA, "sat970701nn3", " SAT-970701-NN3 "])
def test_rfc_del_contratante_igual_al_del_contratista(rfc):
    regla = _solo_falla(_normal(_contrato(1), _contrato(2, rfc_contratante=rfc)), "rfc_distinto")
    assert regla.detalles == ("Contrato 2 (ABC010101AB2): el contratante tiene el RFC del contratista (SAT970701NN3).",)


@pytest.mark.parametrize("cambios,detalle", [
    ({"objeto": ""}, "Contrato 1 (ABC010101AB1): falta el objeto del contrato."),
    ({"objeto": "  \t\n"}, "Contrato 1 (ABC010101AB1): falta el objeto del contrato."),
    ({"servicio": " "}, "Contrato 1 (ABC010101AB1): falta el servicio u obra especializada."),
    ({"objeto": "", "servicio": ""},
     "Contrato 1 (ABC010101AB1): faltan el objeto del contrato y el servicio u obra especializada."),
])
def test_objeto_y_servicio(cambios, detalle):
    regla = _solo_falla(_normal(_contrato(1, **cambios), _contrato(2)), "objeto_y_servicio")
    assert regla.detalles == (detalle,)


@pytest.mark.parametrize("inicio,detalle", [
    (None, "Contrato 1 (ABC010101AB1): falta la fecha de inicio."),
    (date(2026, 5, 1), "Contrato 1 (ABC010101AB1): la fecha de inicio, 1 de mayo de 2026, es posterior al periodo; "
                       "el contrato corresponde a la informativa del segundo cuatrimestre de 2026 (mayo–agosto)."),
    (date(2025, 12, 31), "Contrato 1 (ABC010101AB1): la fecha de inicio, 31 de diciembre de 2025, es anterior al "
                         "periodo; el contrato corresponde a la informativa del tercer cuatrimestre de 2025 "
                         "(septiembre–diciembre)."),
])
def test_fecha_de_inicio(inicio, detalle):
    regla = _solo_falla(_normal(_contrato(1, fecha_inicio=inicio)), "fecha_inicio")
    assert regla.detalles == (detalle,)


def test_fecha_de_inicio_en_los_limites_del_periodo():
    assert _normal(_contrato(1, fecha_inicio=date(2026, 1, 1)), _contrato(2, fecha_inicio=date(2026, 4, 30))).completa


def test_fecha_de_fin_anterior_a_la_de_inicio():
    regla = _solo_falla(_normal(_contrato(1, fecha_inicio=date(2026, 3, 15), fecha_fin=date(2026, 3, 1))),
                        "fecha_fin")
    assert regla.detalles == ("Contrato 1 (ABC010101AB1): la fecha de fin, 1 de marzo de 2026, es anterior a la de "
                              "inicio, 15 de marzo de 2026.",)


def test_fecha_de_fin_igual_a_la_de_inicio_cumple():
    assert _normal(_contrato(1, fecha_inicio=date(2026, 3, 1), fecha_fin=date(2026, 3, 1))).completa


def test_sin_fecha_de_inicio_la_de_fin_no_se_juzga():
    revision = _normal(_contrato(1, fecha_inicio=None, fecha_fin=date(2020, 1, 1)))
    assert revision.regla("fecha_fin").cumple
    _solo_falla(revision, "fecha_inicio")


@pytest.mark.parametrize("trabajadores", [0, -1])
def test_contrato_sin_trabajadores(trabajadores):
    regla = _solo_falla(_normal(_contrato(1), _contrato(2, trabajadores=trabajadores), _contrato(3, trabajadores=0)),
                        "trabajadores")
    assert regla.detalles == ("Contrato 2 (ABC010101AB2): no tiene trabajadores.",
                              "Contrato 3 (ABC010101AB3): no tiene trabajadores.")


@pytest.mark.parametrize("nss,curp,detalle", [
    (1, 0, "Contrato 1 (ABC010101AB1): 1 NSS repetido."),
    (2, 0, "Contrato 1 (ABC010101AB1): 2 NSS repetidos."),
    (0, 1, "Contrato 1 (ABC010101AB1): 1 CURP repetida."),
    (3, 2, "Contrato 1 (ABC010101AB1): 3 NSS repetidos y 2 CURP repetidas."),
])
def test_nss_o_curp_repetidos(nss, curp, detalle):
    regla = _solo_falla(_normal(_contrato(1, nss_repetidos=nss, curp_repetidos=curp)), "sin_repetidos")
    assert regla.detalles == (detalle,)


def test_varias_fallas_a_la_vez_en_orden():
    revision = _normal(_contrato(1, objeto="", trabajadores=0), _contrato(2, rfc_contratante=CONTRATISTA))
    assert [r.clave for r in revision.pendientes] == ["rfc_distinto", "objeto_y_servicio", "trabajadores"]
    with pytest.raises(InformativaInconsistente) as exc:
        revision.exigir()
    assert exc.value.revision is revision
    assert isinstance(exc.value, ErrorDeDominio)
    assert exc.value.mensaje == (
        "La informativa no se puede enviar a firma hasta que cumpla: "
        "«En cada contrato, el RFC del contratante es distinto del RFC del contratista»; "
        "«Cada contrato tiene objeto y servicio u obra especializada»; "
        "«Cada contrato tiene al menos un trabajador»."
    )


def test_cada_regla_que_falla_explica_por_que():
    revision = _normal(_contrato(1, objeto="", fecha_inicio=None, trabajadores=0, nss_repetidos=1,
                                 rfc_contratante=CONTRATISTA))
    assert [r.clave for r in revision.pendientes] == [c for c in CLAVES_NORMAL if c not in ("hay_contratos",
                                                                                            "fecha_fin")]
    assert all(bool(r.detalles) is not r.cumple for r in revision.reglas)


def test_sin_informacion_sin_contratos():
    revision = revisar(tipo=SIN_INFORMACION, periodo=PERIODO, rfc_contratista=CONTRATISTA, contratos=[])
    assert revision.completa
    assert revision.reglas == (Regla("sin_contratos", "La informativa «Sin información» no tiene contratos", True),)


def test_sin_informacion_con_contratos():
    # Only the one rule: the contracts' own data does not matter, they have to go.
    revision = revisar(tipo=SIN_INFORMACION, periodo=PERIODO, rfc_contratista=CONTRATISTA,
                       contratos=[_contrato(1), _contrato(2, objeto="", trabajadores=0)])
    regla = _solo_falla(revision, "sin_contratos")
    assert [r.clave for r in revision.reglas] == ["sin_contratos"]
    assert regla.detalles == (
        "Contrato 1 (ABC010101AB1): elimínalo o cambia el tipo de la informativa a Normal.",
        "Contrato 2 (ABC010101AB2): elimínalo o cambia el tipo de la informativa a Normal.",
    )
    with pytest.raises(InformativaInconsistente, match="«La informativa «Sin información» no tiene contratos»"):
        revision.exigir()


def test_acepta_cualquier_iterable_de_contratos():
    revision = revisar(tipo=NORMAL, periodo=PERIODO, rfc_contratista=CONTRATISTA,
                       contratos=(c for c in [_contrato(1), _contrato(2, trabajadores=0)]))
    assert revision.regla("hay_contratos").cumple
    assert revision.regla("trabajadores").detalles == ("Contrato 2 (ABC010101AB2): no tiene trabajadores.",)


def test_tipo_desconocido():
    with pytest.raises(ValueError, match="Tipo de informativa desconocido"):
        revisar(tipo="complementaria", periodo=PERIODO, rfc_contratista=CONTRATISTA, contratos=[])


def test_datos_inmutables_y_por_nombre():
    contrato = _contrato()
    with pytest.raises(dataclasses.FrozenInstanceError):
        contrato.objeto = "otro"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ContratoParaRevisar(1, "Contrato 1", "ABC010101AB1", "o", "s", date(2026, 2, 1), None, 1)  # type: ignore[misc]
    revision = _normal(contrato)
    with pytest.raises(dataclasses.FrozenInstanceError):
        revision.reglas = ()  # type: ignore[misc]
