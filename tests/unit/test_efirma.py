"""domain/efirma.py: a FIEL opens; every other certificate, key or password is refused with its own
Spanish message; a sello verifies only for its digest and its certificate; the key stays out of
messages, reprs and pickles."""
from __future__ import annotations

import hashlib
import pickle
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from domain import efirma
from domain.efirma import EfirmaInvalida, abrir, cargar_autoridades, verificar_sello
from tests.efirma import CURP, NOMBRE, autoridad, der, fiel, llave, numero_sat, pem

AHORA = datetime.now(timezone.utc)
RFC_FISICA = "PEGL850304AB1"
RFC_MORAL = "LIB010101AB1"
RFC_REPRESENTANTE = "PEGL850304AB1"


@pytest.fixture(scope="module")
def ca():
    return autoridad()


def _abrir(ca, cer, key, password, **kw):
    return abrir(cer, key, password, autoridades=kw.pop("autoridades", [ca[0]]), ahora=kw.pop("ahora", AHORA), **kw)


def _rechazo(ca, cer, key, password, **kw) -> EfirmaInvalida:
    with pytest.raises(EfirmaInvalida) as exc:
        _abrir(ca, cer, key, password, **kw)
    assert not password or (password not in exc.value.mensaje and password not in repr(exc.value))
    return exc.value


# --- A good FIEL -----------------------------------------------------------------------------------

def test_fiel_de_persona_fisica(ca):
    cer, key, password = fiel(ca, rfc=RFC_FISICA)
    firma = _abrir(ca, cer, key, password, rfc_esperado=RFC_FISICA)
    f = firma.firmante
    assert (f.rfc, f.rfc_representante, f.curp, f.nombre, f.emisor) == (RFC_FISICA, None, CURP, NOMBRE, "AC de pruebas")
    assert len(f.numero_certificado) == 20 and f.numero_certificado.isdigit()
    assert f.numero_certificado == efirma.numero_certificado(x509.load_der_x509_certificate(cer))
    assert f.certificado_der == cer
    assert f.valido_desde.tzinfo is not None and f.valido_hasta.utcoffset() == timedelta(0)
    assert f.valido_desde < AHORA < f.valido_hasta


def test_numero_de_certificado_es_la_serie_leida_como_ascii(ca):
    cer, key, password = fiel(ca, numero="30001000000400002417")
    assert _abrir(ca, cer, key, password).firmante.numero_certificado == "30001000000400002417"
    serie = x509.load_der_x509_certificate(cer).serial_number
    assert serie.to_bytes(20, "big") == b"30001000000400002417"


def test_fiel_de_persona_moral(ca):
    cer, key, password = fiel(ca, rfc=RFC_MORAL, rfc_representante=RFC_REPRESENTANTE, nombre="LIMPIEZA DEL BAJIO SA")
    f = _abrir(ca, cer, key, password, rfc_esperado=RFC_MORAL).firmante
    assert (f.rfc, f.rfc_representante, f.curp, f.nombre) == (RFC_MORAL, RFC_REPRESENTANTE, CURP,
                                                              "LIMPIEZA DEL BAJIO SA")


def test_el_rfc_esperado_se_compara_sin_espacios_ni_mayusculas(ca):
    cer, key, password = fiel(ca, rfc=RFC_FISICA)
    assert _abrir(ca, cer, key, password, rfc_esperado=f" {RFC_FISICA.lower()} ").firmante.rfc == RFC_FISICA


def test_certificados_en_pem_tambien_abren(ca):
    cer, key, password = fiel(ca)
    cer_pem = pem(x509.load_der_x509_certificate(cer))
    assert _abrir(ca, cer_pem, key, password).firmante.certificado_der == cer


# --- The sello -----------------------------------------------------------------------------------------

def test_sello_verifica_y_un_digest_cambiado_no(ca):
    cer, key, password = fiel(ca)
    firma = _abrir(ca, cer, key, password)
    digest = hashlib.sha256(b"||N|2026|2|ABC010101AB1||").digest()
    sello = firma.firmar(digest)
    assert isinstance(sello, str) and verificar_sello(cer, digest, sello)
    assert not verificar_sello(cer, hashlib.sha256(b"||N|2026|2|ABC010101AB2||").digest(), sello)
    otro_cer, _, _ = fiel(ca)
    assert not verificar_sello(otro_cer, digest, sello)          # another certificate's key
    assert not verificar_sello(cer, digest, sello[:-8] + "AAAAAAA=")
    assert not verificar_sello(cer, digest, "no es base64 ¿?")
    assert not verificar_sello(cer, digest[:20], sello)
    assert not verificar_sello(b"basura", digest, sello)


def test_firmar_exige_un_digest_sha256(ca):
    cer, key, password = fiel(ca)
    with pytest.raises(ValueError):
        _abrir(ca, cer, key, password).firmar(b"texto sin hash")


# --- Each refusal, with its own message --------------------------------------------------------------

def test_contrasena_incorrecta(ca):
    cer, key, _ = fiel(ca)
    exc = _rechazo(ca, cer, key, "NoEsLaClave1")
    assert exc.mensaje == "La contraseña de la clave privada es incorrecta."
    assert exc.campo == "password" and exc.contrasena_incorrecta


def test_contrasena_vacia_no_cuenta_como_incorrecta(ca):
    cer, key, _ = fiel(ca)
    exc = _rechazo(ca, cer, key, "")
    assert exc.campo == "password" and not exc.contrasena_incorrecta


def test_clave_de_otro_certificado(ca):
    cer, _, password = fiel(ca)
    _, otra_key, _ = fiel(ca)
    exc = _rechazo(ca, cer, otra_key, password)
    assert exc.campo == "key" and not exc.contrasena_incorrecta
    assert "no corresponde al certificado" in exc.mensaje


def test_csd(ca):
    cer, key, password = fiel(ca, csd=True)
    exc = _rechazo(ca, cer, key, password)
    assert exc.mensaje == "Este es un certificado de sello digital (CSD); usa tu e.firma."
    assert exc.campo == "cer"


def test_certificado_sin_usos_de_fiel_ni_unidad(ca):
    """No extended key usage and no OU: not a CSD either, but not a FIEL."""
    cer = _certificado_a_mano(ca, eku=None)
    _, key, password = fiel(ca)
    assert "no es de una e.firma (FIEL)" in _rechazo(ca, cer, key, password).mensaje


def test_vencida(ca):
    hasta = datetime(2025, 3, 4, 18, 0, tzinfo=timezone.utc)
    cer, key, password = fiel(ca, desde=hasta - timedelta(days=4 * 365), hasta=hasta)
    exc = _rechazo(ca, cer, key, password)
    assert exc.mensaje.startswith("Tu e.firma venció el 04/03/2025.") and exc.campo == "cer"


def test_aun_no_valida(ca):
    desde = AHORA + timedelta(days=3)
    cer, key, password = fiel(ca, desde=desde)
    exc = _rechazo(ca, cer, key, password)
    fecha = desde.astimezone(efirma.ZONA).strftime("%d/%m/%Y")
    assert exc.mensaje.startswith(f"Tu e.firma es válida a partir del {fecha}.") and exc.campo == "cer"


def test_las_fechas_se_dicen_en_la_hora_de_la_ciudad_de_mexico(ca):
    """03:00 UTC of 5 March is still 4 March in Mexico City."""
    hasta = datetime(2025, 3, 5, 3, 0, tzinfo=timezone.utc)
    cer, key, password = fiel(ca, desde=hasta - timedelta(days=30), hasta=hasta)
    assert "04/03/2025" in _rechazo(ca, cer, key, password).mensaje


def test_emisor_desconocido(ca):
    cer, key, password = fiel(autoridad("Otra AC"))
    exc = _rechazo(ca, cer, key, password)
    assert "no fue emitido por una autoridad certificadora" in exc.mensaje and exc.campo == "cer"


def test_emisor_impostor_con_el_mismo_nombre(ca):
    """The issuer's name matches an installed CA, but another key signed it: the signature decides."""
    impostora = autoridad("AC de pruebas")
    assert impostora[0].subject == ca[0].subject
    cer, key, password = fiel(impostora)
    assert "no fue emitido por una autoridad certificadora" in _rechazo(ca, cer, key, password).mensaje


def test_varias_autoridades_basta_una(ca):
    cer, key, password = fiel(ca)
    assert _abrir(ca, cer, key, password, autoridades=[autoridad("Otra AC")[0], ca[0]]).firmante


def test_sin_autoridades_configuradas(ca):
    cer, key, password = fiel(ca)
    exc = _rechazo(ca, cer, key, password, autoridades=[])
    assert "no tiene configuradas las autoridades certificadoras" in exc.mensaje and exc.campo is None


def test_otro_rfc(ca):
    cer, key, password = fiel(ca, rfc=RFC_FISICA)
    exc = _rechazo(ca, cer, key, password, rfc_esperado="XAXX010101000")
    assert exc.mensaje.startswith(f"Esta e.firma pertenece al RFC {RFC_FISICA}, no al RFC XAXX010101000")
    assert exc.campo == "cer"


def test_persona_moral_el_rfc_de_la_empresa_es_el_que_cuenta(ca):
    """The representative's RFC (the second part) is not the company's."""
    cer, key, password = fiel(ca, rfc=RFC_MORAL, rfc_representante=RFC_REPRESENTANTE)
    exc = _rechazo(ca, cer, key, password, rfc_esperado=RFC_REPRESENTANTE)
    assert f"pertenece al RFC {RFC_MORAL}" in exc.mensaje


def test_certificado_sin_rfc(ca):
    cer, key, password = fiel(ca, rfc=None)
    assert "no indica un RFC" in _rechazo(ca, cer, key, password).mensaje


def test_numero_de_certificado_que_no_es_del_sat(ca):
    cer, key, password = fiel(ca, numero="ABCDEFGHIJ0123456789")
    assert "número de serie" in _rechazo(ca, cer, key, password).mensaje


@pytest.mark.parametrize("danar", [lambda b: b"", lambda b: b"\x00" * 2000, lambda b: b[: len(b) // 2],
                                   lambda b: b"%PDF-1.7 un archivo cualquiera"],
                         ids=["vacio", "ceros", "truncado", "otro-archivo"])
def test_cer_danado(ca, danar):
    cer, key, password = fiel(ca)
    exc = _rechazo(ca, danar(cer), key, password)
    assert exc.campo == "cer" and not exc.contrasena_incorrecta
    assert exc.mensaje.startswith("El archivo del certificado no es un certificado válido.")


def test_archivos_intercambiados(ca):
    cer, key, password = fiel(ca)
    assert _rechazo(ca, key, cer, password).campo == "cer"      # the .key in the certificate's place


@pytest.mark.parametrize("danar", [lambda b: b"", lambda b: b[:60], lambda b: b[:-5], lambda b: b"\x30\x03\x02\x01\x00",
                                   lambda b: b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nbasura\n"],
                         ids=["vacio", "truncado-al-inicio", "truncado-al-final", "otra-estructura", "pem-roto"])
def test_key_danado(ca, danar):
    cer, key, password = fiel(ca)
    exc = _rechazo(ca, cer, danar(key), password)
    assert exc.campo == "key" and not exc.contrasena_incorrecta
    assert exc.mensaje.startswith("El archivo de la clave privada no es una clave privada válida")


def test_el_cer_en_el_lugar_del_key(ca):
    cer, key, password = fiel(ca)
    assert _rechazo(ca, cer, cer, password).campo == "key"


def test_clave_sin_cifrar(ca):
    """A PKCS#8 key without a password is not what the SAT delivers."""
    cer, _, password = fiel(ca)
    _, clave = llave()
    plana = clave.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    exc = _rechazo(ca, cer, plana, password)
    assert exc.campo == "key" and "no está protegido con contraseña" in exc.mensaje


def test_cada_rechazo_tiene_su_propio_mensaje(ca):
    cer, key, password = fiel(ca, rfc=RFC_FISICA)
    _, otra_key, _ = fiel(ca)
    casos = {
        "cer dañado": (b"basura", key, password, {}),
        "key dañado": (cer, b"basura", password, {}),
        "contraseña incorrecta": (cer, key, "otra", {}),
        "clave de otro certificado": (cer, otra_key, password, {}),
        "CSD": (*fiel(ca, csd=True), {}),
        "vencida": (*fiel(ca, desde=AHORA - timedelta(days=10), hasta=AHORA - timedelta(days=1)), {}),
        "aún no válida": (*fiel(ca, desde=AHORA + timedelta(days=1)), {}),
        "emisor desconocido": (*fiel(autoridad("Otra AC")), {}),
        "otro RFC": (cer, key, password, {"rfc_esperado": "XAXX010101000"}),
    }
    mensajes = {caso: _rechazo(ca, c, k, p, **kw).mensaje for caso, (c, k, p, kw) in casos.items()}
    assert len(set(mensajes.values())) == len(casos), mensajes


def test_el_certificado_se_revisa_antes_de_probar_la_contrasena(ca):
    """An unusable certificate is said first, and costs no password attempt."""
    cer, key, _ = fiel(ca, desde=AHORA - timedelta(days=10), hasta=AHORA - timedelta(days=1))
    exc = _rechazo(ca, cer, key, "no-es-la-clave")
    assert exc.campo == "cer" and not exc.contrasena_incorrecta


def test_ahora_debe_llevar_zona_horaria(ca):
    cer, key, password = fiel(ca)
    with pytest.raises(ValueError):
        _abrir(ca, cer, key, password, ahora=datetime.now())


# --- The key stays in memory ---------------------------------------------------------------------------

def test_la_clave_no_aparece_en_repr_ni_se_serializa(ca):
    cer, key, password = fiel(ca)
    firma = _abrir(ca, cer, key, password)
    texto = repr(firma) + repr(firma.firmante)
    assert password not in texto and "PRIVATE" not in texto and "_clave" not in texto
    with pytest.raises(TypeError):
        pickle.dumps(firma)
    assert not hasattr(firma, "__dict__")  # __slots__: nothing else hangs from it


# --- The CAs' directory -------------------------------------------------------------------------------

def test_cargar_autoridades_der_y_pem(tmp_path, ca):
    otra, tercera, cuarta = autoridad("AC 2"), autoridad("AC 3"), autoridad("AC 4")
    (tmp_path / "ac1.cer").write_bytes(der(ca[0]))
    (tmp_path / "ac2_y_3.pem").write_bytes(pem(otra[0]) + pem(tercera[0]))
    (tmp_path / "ac4.CRT").write_bytes(pem(cuarta[0]))
    (tmp_path / "LEEME.txt").write_text("no es un certificado")
    (tmp_path / "subcarpeta.cer").mkdir()
    assert cargar_autoridades(tmp_path) == [ca[0], otra[0], tercera[0], cuarta[0]]


def test_cargar_autoridades_sin_carpeta(tmp_path):
    assert cargar_autoridades(tmp_path / "no-existe") == []


def test_cargar_autoridades_con_un_archivo_danado_lo_nombra(tmp_path):
    (tmp_path / "ac_danada.cer").write_bytes(b"no es un certificado")
    with pytest.raises(ValueError, match="ac_danada.cer"):
        cargar_autoridades(tmp_path)


def _certificado_a_mano(ca, eku):
    """A certificate of the pool's next key with SAT's subject but the given extended key usages."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    from tests.efirma import _serie

    _, clave = llave()
    sujeto = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NOMBRE),
                        x509.NameAttribute(efirma.OID_RFC, RFC_FISICA)])
    constructor = (x509.CertificateBuilder().subject_name(sujeto).issuer_name(ca[0].subject)
                   .public_key(clave.public_key()).serial_number(_serie(numero_sat(999)))
                   .not_valid_before(AHORA - timedelta(days=1)).not_valid_after(AHORA + timedelta(days=30)))
    if eku:
        constructor = constructor.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return constructor.sign(ca[1], hashes.SHA256()).public_bytes(serialization.Encoding.DER)
