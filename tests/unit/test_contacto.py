from datetime import date

import pytest

from domain import contacto, contrasena


@pytest.mark.parametrize("texto", ["5512345678", "55 1234 5678", "(55) 1234-5678", "+52 55 1234 5678"])
def test_telefono_valido(texto):
    assert contacto.telefono(texto) == "5512345678"


@pytest.mark.parametrize("texto,fragmento", [
    ("551234567", "10 dígitos"), ("55123456789", "10 dígitos"), ("55-ABC-5678", "solo puede contener dígitos"),
])
def test_telefono_invalido(texto, fragmento):
    with pytest.raises(contacto.DatoInvalido) as exc:
        contacto.telefono(texto)
    assert fragmento in exc.value.mensaje


@pytest.mark.parametrize("texto", ["ana@correo.example", " Ana.Perez@Correo.Example ", "josé@correo.example"])
def test_correo_valido_se_conserva_como_se_escribio(texto):
    assert contacto.correo(texto) == texto.strip()


@pytest.mark.parametrize("texto,mensaje", [
    ("ana.correo.example", "no tiene un formato válido"), ("ana@", "no tiene un formato válido"),
    ("ana perez@correo.example", "no tiene un formato válido"), ("", "no tiene un formato válido"),
    ("a" * 64 + "@" + "b" * 190 + ".mx", "demasiado largo"),
])
def test_correo_invalido(texto, mensaje):
    with pytest.raises(contacto.DatoInvalido, match=mensaje):
        contacto.correo(texto)


@pytest.mark.parametrize("texto,ok", [("06600", True), ("6600", False), ("066000", False), ("0660A", False), ("00000", False)])
def test_codigo_postal(texto, ok):
    if ok:
        assert contacto.codigo_postal(texto) == texto
    else:
        with pytest.raises(contacto.DatoInvalido, match="código postal"):
            contacto.codigo_postal(texto)


@pytest.mark.parametrize("texto,esperado", [("AR12345/2024", "AR12345/2024"), ("ar 12345/2021", "AR12345/2021")])
def test_repse_valido(texto, esperado):
    assert contacto.registro_repse(texto, hoy=date(2026, 11, 24)) == esperado


@pytest.mark.parametrize("texto,fragmento", [
    ("AR12345", "formato"), ("12345/2024", "formato"), ("AR12345/24", "formato"),
    ("AR12345/2019", "2021"), ("AR12345/2027", "2021"),
])
def test_repse_invalido(texto, fragmento):
    with pytest.raises(contacto.DatoInvalido) as exc:
        contacto.registro_repse(texto, hoy=date(2026, 11, 24))
    assert fragmento in exc.value.mensaje


@pytest.mark.parametrize("pw,n", [
    ("Corta1", 1), ("sololetraslargas", 1), ("1234567890123", 1), ("Buena2026Clave", 0),
    ("ABC010101AB1x99999", 1),
])
def test_politica_de_contrasena(pw, n):
    assert len(contrasena.problemas(pw, ("ABC010101AB1",))) == n


@pytest.mark.parametrize("funcion,texto", [
    (contacto.telefono, "١٢٣٤٥٦٧٨٩٠"), (contacto.telefono, "551234567²"), (contacto.codigo_postal, "٠٦٦٠٠"),
    (contacto.registro_repse, "AR١٢٣/2024"),
])
def test_solo_digitos_ascii(funcion, texto):
    with pytest.raises(contacto.DatoInvalido):
        funcion(texto, hoy=date(2026, 11, 24)) if funcion is contacto.registro_repse else funcion(texto)


def test_rfc_y_registro_patronal_con_digitos_no_ascii():
    from domain import imss, rfc

    with pytest.raises(rfc.RfcInvalido):
        rfc.validar("SAT٩٧٠٧٠١NN3")
    with pytest.raises(imss.RegistroPatronalInvalido):
        imss.validar("Y٣926552104")


def test_un_solo_tipo_de_error_para_las_reglas():
    """Issue 12 (3): every refusal of a rule is an ErrorDeDominio carrying its Spanish mensaje, so
    forms and views handle one type."""
    from domain import curp, imss, rfc, usuario
    from domain.errores import ErrorDeDominio
    from services.capturistas import ErrorCapturista, TransicionNoPermitida
    from services.padron import PadronNoDisponible

    intentos = [lambda: curp.validar("XXXX"), lambda: rfc.validar("XYZ01"), lambda: imss.validar("123"),
                lambda: usuario.validar("1a"), lambda: contacto.telefono("12")]
    for intento in intentos:
        try:
            intento()
        except ErrorDeDominio as exc:
            assert exc.mensaje and str(exc) == exc.mensaje
        else:
            raise AssertionError("debió rechazarse")
    for tipo in (ErrorCapturista, TransicionNoPermitida, PadronNoDisponible):
        assert issubclass(tipo, ErrorDeDominio)
    assert PadronNoDisponible("HTTP 503").mensaje.startswith("El servicio de validación de CURP no está disponible")
