"""The cadena original: deterministic, documented, and no value can pass for a separator."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import cadena_original as cadena

FECHA = datetime(2027, 1, 12, 18, 30, 5, 123456, tzinfo=timezone.utc)


def _encabezado(**cambios) -> cadena.Encabezado:
    datos = dict(folio="N27000001", fecha=FECHA, rfc_contratista="ABC010101AB1", razon_social="Servicios Ábaco, S.A.",
                 anio=2026, periodo=3, numero=0, clase="original", tipo="normal", folio_complementado=None,
                 contratos=1, trabajadores=2)
    datos.update(cambios)
    return cadena.Encabezado(**datos)


def _contrato(**cambios) -> cadena.ContratoCadena:
    datos = dict(numero=1, rfc="XYZ020202XY2", nombre="Beneficiaria, S.A. de C.V.", correo="pagos@beneficiaria.mx",
                 telefono="5512345678", objeto="Limpieza", servicio="Limpieza de oficinas",
                 fecha_inicio=date(2026, 9, 1), fecha_fin=None, trabajadores=2)
    datos.update(cambios)
    return cadena.ContratoCadena(**datos)


def _trabajador(nss="12345678903", **cambios) -> cadena.TrabajadorCadena:
    datos = dict(nss=nss, curp="GODE561231HDFRRN09", nombre="Eduardo", primer_apellido="Gómez",
                 segundo_apellido="", sbc=Decimal("315.04"))
    datos.update(cambios)
    return cadena.TrabajadorCadena(**datos)


def test_el_texto_completo_de_una_informativa():
    texto = cadena.texto(_encabezado(), [(_contrato(), [_trabajador(), _trabajador("98765432109", sbc=Decimal("400"))])])
    assert texto == (
        "||1|N27000001|2027-01-12T12:30:05-06:00|ABC010101AB1|Servicios Ábaco, S.A.|2026|3|0|original|normal||1|2|"
        "C|1|XYZ020202XY2|Beneficiaria, S.A. de C.V.|pagos@beneficiaria.mx|5512345678|Limpieza|Limpieza de oficinas|"
        "2026-09-01||2|"
        "T|12345678903|GODE561231HDFRRN09|Eduardo|Gómez||315.04|"
        "T|98765432109|GODE561231HDFRRN09|Eduardo|Gómez||400.00|"
        "|")


def test_sin_contratos_solo_lleva_el_encabezado():
    texto = cadena.texto(_encabezado(folio="SI27000002", tipo="sin_informacion", contratos=0, trabajadores=0), [])
    assert texto.startswith("||1|SI27000002|") and texto.endswith("|0|0||")


def test_una_complementaria_nombra_el_folio_que_complementa():
    texto = cadena.texto(_encabezado(folio="C27000003", numero=1, clase="correccion", folio_complementado="N27000001"), [])
    assert "|1|correccion|normal|N27000001|" in texto


def test_los_blancos_se_normalizan_y_los_separadores_se_escapan():
    assert cadena.campo("  Obra \t de\n  pintura ") == "Obra de pintura"
    assert cadena.campo("A|B") == "A\\|B"
    assert cadena.campo("C:\\ruta|x") == "C:\\\\ruta\\|x"
    assert cadena.campo(None) == ""
    assert cadena.campo(Decimal("1")) == "1.00"


def test_una_fecha_sin_zona_no_entra_en_la_cadena():
    with pytest.raises(ValueError):
        cadena.campo(datetime(2027, 1, 1, 12, 0))


def test_el_digesto_es_el_sha256_del_texto_en_utf8():
    contratos = [(_contrato(), [_trabajador()])]
    texto = cadena.texto(_encabezado(), contratos)
    assert cadena.digest(cadena.segmentos(_encabezado(), [(_contrato(), [_trabajador()])])) == \
        hashlib.sha256(texto.encode("utf-8")).digest()


def test_cualquier_cambio_de_un_trabajador_cambia_el_digesto():
    base = cadena.digest(cadena.segmentos(_encabezado(), [(_contrato(), [_trabajador()])]))
    for cambio in ({"sbc": Decimal("315.05")}, {"nombre": "Eduarda"}, {"segundo_apellido": "X"}):
        otro = cadena.digest(cadena.segmentos(_encabezado(), [(_contrato(), [_trabajador(**cambio)])]))
        assert otro != base, cambio


texto_libre = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(a=texto_libre, b=texto_libre, c=texto_libre)
def test_un_separador_dentro_de_un_valor_no_mueve_la_frontera_entre_campos(a, b, c):
    # Unescaped, (rfc "a|b", razón "c") and (rfc "a", razón "b|c") would both read "a|b|c".
    uno = cadena.texto(_encabezado(rfc_contratista=a + "|" + b, razon_social=c), [])
    otro = cadena.texto(_encabezado(rfc_contratista=a, razon_social=b + "|" + c), [])
    assert uno != otro
