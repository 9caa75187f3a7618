"""Builders of e.firmas for the tests: a certification authority, and FIEL- or CSD-shaped certificates
with their private key encrypted the way the SAT delivers it (PKCS#8, PBES2 with PBKDF2-HMAC-SHA1 and
des-ede3-cbc, DER). Nothing is downloaded and nothing is committed: every certificate is made here.

RSA keys cost 50-100 ms each to generate, so a few are made once per session and taken in turn
(two consecutive certificates never share one); encrypting a key (``openssl pkcs8``: cryptography
cannot write 3DES PBES2) is also done once per key and password.
"""
from __future__ import annotations

import itertools
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from domain.efirma import OID_CURP, OID_RFC

PASSWORD_EFIRMA = "Fiel#Pruebas2026"
CURP = "PEGL850304HJCRRS07"
NOMBRE = "LUIS PEREZ GARCIA"
OID_NOMBRE = x509.ObjectIdentifier("2.5.4.41")  # "name": SAT repeats the holder's name there
LLAVES = 5
_turno = itertools.count()
_series = itertools.count(1)


@lru_cache(maxsize=LLAVES)
def _llave(indice: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def llave() -> tuple[int, rsa.RSAPrivateKey]:
    """The next key of the session's pool, with its index."""
    indice = next(_turno) % LLAVES
    return indice, _llave(indice)


@lru_cache(maxsize=64)
def cifrar(indice: int, password: str) -> bytes:
    """The pool's key ``indice`` as SAT's .key: encrypted PKCS#8, PBES2 (PBKDF2-HMAC-SHA1, des-ede3-cbc), DER."""
    openssl = shutil.which("openssl")
    assert openssl, "las pruebas de e.firma necesitan el programa openssl"
    plano = _llave(indice).private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
    # The password goes in on stdin, first line; the DER key follows it.
    resultado = subprocess.run(
        [openssl, "pkcs8", "-topk8", "-inform", "DER", "-outform", "DER", "-v2", "des3", "-v2prf", "hmacWithSHA1",
         "-passout", "stdin"], input=password.encode() + b"\n" + plano, capture_output=True, check=True)
    return resultado.stdout


def numero_sat(n: int) -> str:
    """A 20-digit certificate number like SAT's (30001000000500003416)."""
    return f"3000100000050{n:07d}"


def _serie(numero: str) -> int:
    return int.from_bytes(numero.encode("ascii"), "big")


def autoridad(nombre: str = "AC de pruebas") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A certification authority (self-signed): its certificate and its key. Each call makes a new one,
    even with the same name (an impostor of an installed CA)."""
    _, clave = llave()
    sujeto = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, nombre),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Servicio de Administración Tributaria (pruebas)"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
    ])
    ahora = datetime.now(timezone.utc)
    certificado = (
        x509.CertificateBuilder().subject_name(sujeto).issuer_name(sujeto).public_key(clave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - timedelta(days=3650)).not_valid_after(ahora + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .sign(clave, hashes.SHA256()))
    return certificado, clave


def fiel(ca: tuple[x509.Certificate, rsa.RSAPrivateKey], rfc: str | None = "ABC010101AB1",
         rfc_representante: str | None = None, curp: str | None = CURP, nombre: str = NOMBRE,
         desde: datetime | None = None, hasta: datetime | None = None, csd: bool = False, *,
         password: str = PASSWORD_EFIRMA, numero: str | None = None) -> tuple[bytes, bytes, str]:
    """An e.firma issued by ``ca``: (.cer DER, .key encrypted DER, password). A persona moral's carries
    "RFC / RFC_REPRESENTANTE" and " / CURP"; ``csd`` makes a sello digital instead (an OU, no extended
    key usage). ``rfc=None`` leaves the RFC out; ``numero`` sets the serial's text (20 digits by default)."""
    ca_cert, ca_clave = ca
    indice, clave = llave()
    ahora = datetime.now(timezone.utc)
    atributos = [x509.NameAttribute(NameOID.COMMON_NAME, nombre), x509.NameAttribute(OID_NOMBRE, nombre),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, nombre), x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
                 x509.NameAttribute(NameOID.EMAIL_ADDRESS, "fiel@correo.example")]
    if rfc is not None:
        atributos.append(x509.NameAttribute(OID_RFC, f"{rfc} / {rfc_representante}" if rfc_representante else rfc))
    if curp is not None:
        atributos.append(x509.NameAttribute(OID_CURP, f" / {curp}" if rfc_representante else curp))
    if csd:
        atributos.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sucursal Matriz"))
    constructor = (
        x509.CertificateBuilder().subject_name(x509.Name(atributos)).issuer_name(ca_cert.subject)
        .public_key(clave.public_key()).serial_number(_serie(numero or numero_sat(next(_series))))
        .not_valid_before(desde or ahora - timedelta(days=1)).not_valid_after(hasta or ahora + timedelta(days=4 * 365))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=not csd, key_agreement=not csd, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True))
    if not csd:
        constructor = constructor.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False)
    certificado = constructor.sign(ca_clave, hashes.SHA256())
    return certificado.public_bytes(serialization.Encoding.DER), cifrar(indice, password), password


def der(certificado: x509.Certificate) -> bytes:
    return certificado.public_bytes(serialization.Encoding.DER)


def pem(certificado: x509.Certificate) -> bytes:
    return certificado.public_bytes(serialization.Encoding.PEM)
