"""The SAT's e.firma (FIEL), opened and checked offline with ``cryptography``.

A FIEL is a ``.cer`` (an X.509 certificate, DER) and a ``.key`` (its RSA private key as encrypted
PKCS#8, DER: PBES2 with PBKDF2 and 3DES) opened with a password. ``abrir`` accepts it only when:
both files are readable, the password opens the key, the certificate is a FIEL (not a CSD, the
invoicing seal), it names an RFC (and, when one is expected, that RFC), it is valid now, it was
issued and signed by one of the configured certification authorities, and the key belongs to it
(the same public key, and a random challenge signed with the key verifies with the certificate).
Each refusal is an ``EfirmaInvalida`` with its own Spanish message.

Not checked here: revocation. The SAT answers that through its OCSP service, online; a revoked
e.firma that is still within its dates is accepted.

The certificate's identity (SAT's layout, in the subject):
- OID 2.5.4.45 (x500UniqueIdentifier): the RFC; a persona moral's reads "RFCEMPRESA / RFCREPRESENTANTE".
- OID 2.5.4.5 (serialNumber): the CURP; a persona moral's reads " / CURPREPRESENTANTE".
- The certificate number is the serial number's bytes read as ASCII digits (20 of them).

The private key and the password stay in memory: no message, repr or pickle carries them.
"""
from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from domain.calendario import ZONA
from domain.errores import ErrorDeDominio

OID_RFC = x509.ObjectIdentifier("2.5.4.45")     # x500UniqueIdentifier
OID_CURP = NameOID.SERIAL_NUMBER                # 2.5.4.5
USOS_FIEL = {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION}
EXTENSIONES_AUTORIDAD = {".cer", ".crt", ".pem"}
_RELLENO = padding.PKCS1v15()
_SHA256 = utils.Prehashed(hashes.SHA256())


class EfirmaInvalida(ErrorDeDominio):
    """An e.firma refused. ``campo``: the form field it concerns ("cer", "key", "password" or None);
    ``contrasena_incorrecta``: True only for a wrong password (the only failure a throttle counts)."""

    def __init__(self, mensaje: str, campo: str | None = None, *, contrasena_incorrecta: bool = False):
        super().__init__(mensaje)
        self.campo = campo
        self.contrasena_incorrecta = contrasena_incorrecta


@dataclass(frozen=True)
class Firmante:
    """Who an opened e.firma belongs to, as its certificate says."""

    rfc: str
    rfc_representante: str | None
    curp: str | None
    nombre: str
    numero_certificado: str
    valido_desde: datetime
    valido_hasta: datetime
    emisor: str
    certificado_der: bytes

    def __repr__(self) -> str:  # the DER is public, but 1.5 KB of it helps no log
        return f"Firmante(rfc={self.rfc!r}, numero_certificado={self.numero_certificado!r})"


class Efirma:
    """An opened e.firma: its signer and its private key, which lives only in this object."""

    __slots__ = ("firmante", "_clave")

    def __init__(self, firmante: Firmante, clave: rsa.RSAPrivateKey):
        self.firmante = firmante
        self._clave = clave

    def firmar(self, digest: bytes) -> str:
        """The sello: RSA PKCS#1 v1.5 with SHA-256 over ``digest`` (a SHA-256 digest already
        computed, 32 bytes), in base64."""
        if len(digest) != hashes.SHA256.digest_size:
            raise ValueError("El digest debe ser un SHA-256 (32 bytes).")
        return base64.b64encode(self._clave.sign(digest, _RELLENO, _SHA256)).decode("ascii")

    def __repr__(self) -> str:
        return f"<Efirma {self.firmante.rfc} {self.firmante.numero_certificado}>"

    def __reduce__(self):
        # Pickling would copy the private key somewhere (a task queue, a cache, a file): never.
        raise TypeError("Una e.firma abierta no se serializa: su clave privada solo vive en memoria.")


# --- Messages -----------------------------------------------------------------------------------

def _fecha(momento: datetime) -> str:
    return momento.astimezone(ZONA).strftime("%d/%m/%Y")


CER_ILEGIBLE = ("El archivo del certificado no es un certificado válido. Elige el archivo .cer de tu e.firma "
                "(no el .key).")
KEY_ILEGIBLE = ("El archivo de la clave privada no es una clave privada válida o está dañado. Elige el archivo "
                ".key de tu e.firma (no el .cer).")
KEY_SIN_CIFRAR = ("El archivo de la clave privada no está protegido con contraseña, como las que entrega el SAT. "
                  "Elige el archivo .key de tu e.firma.")
SIN_CONTRASENA = "Captura la contraseña de la clave privada."
CONTRASENA_INCORRECTA = "La contraseña de la clave privada es incorrecta."
OTRA_CLAVE = ("La clave privada no corresponde al certificado. Elige el .cer y el .key de la misma e.firma "
              "(se generaron juntos).")
ES_CSD = "Este es un certificado de sello digital (CSD); usa tu e.firma."
NO_ES_FIEL = "Este certificado no es de una e.firma (FIEL) del SAT; usa tu e.firma."
SIN_RFC = "El certificado no indica un RFC; no es una e.firma del SAT."
SIN_NUMERO = "El número de serie del certificado no tiene el formato del SAT; no es una e.firma del SAT."
NO_RSA = "El certificado no tiene una llave RSA; no es una e.firma del SAT."
SIN_AUTORIDADES = ("No es posible verificar e.firmas por ahora: el sistema no tiene configuradas las autoridades "
                   "certificadoras del SAT. Avisa al administrador del sistema.")
EMISOR_DESCONOCIDO = ("El certificado no fue emitido por una autoridad certificadora del SAT reconocida por el "
                      "sistema. Usa la e.firma que te entregó el SAT.")


def _vencida(hasta: datetime) -> str:
    return f"Tu e.firma venció el {_fecha(hasta)}. Renuévala en el SAT y vuelve a intentarlo."


def _aun_no_valida(desde: datetime) -> str:
    return f"Tu e.firma es válida a partir del {_fecha(desde)}. Vuelve a intentarlo a partir de esa fecha."


def _otro_rfc(rfc: str, esperado: str) -> str:
    return (f"Esta e.firma pertenece al RFC {rfc}, no al RFC {esperado} de la cuenta. "
            "Usa la e.firma de ese RFC.")


# --- Reading the files ----------------------------------------------------------------------------

def _es_pem(datos: bytes) -> bool:
    return datos.lstrip().startswith(b"-----BEGIN")


def leer_certificado(datos: bytes) -> x509.Certificate:
    """The .cer (DER, or PEM) as a certificate; ``EfirmaInvalida`` when it is not one."""
    try:
        if _es_pem(datos):
            return x509.load_pem_x509_certificate(datos)
        return x509.load_der_x509_certificate(datos)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise EfirmaInvalida(CER_ILEGIBLE, "cer") from None


def _leer_clave(datos: bytes, password: str) -> rsa.RSAPrivateKey:
    if not password:
        raise EfirmaInvalida(SIN_CONTRASENA, "password")
    cargar = serialization.load_pem_private_key if _es_pem(datos) else serialization.load_der_private_key
    try:
        clave = cargar(datos, password.encode("utf-8"))
    except ValueError as exc:
        # cryptography says "Incorrect password, could not decrypt key" when the structure is a
        # well-formed encrypted key that this password does not open; anything else is a bad file.
        if str(exc).startswith("Incorrect password"):
            raise EfirmaInvalida(CONTRASENA_INCORRECTA, "password", contrasena_incorrecta=True) from None
        raise EfirmaInvalida(KEY_ILEGIBLE, "key") from None
    except TypeError:  # "Password was given but private key is not encrypted"
        raise EfirmaInvalida(KEY_SIN_CIFRAR, "key") from None
    except UnsupportedAlgorithm:
        raise EfirmaInvalida(KEY_ILEGIBLE, "key") from None
    if not isinstance(clave, rsa.RSAPrivateKey):
        raise EfirmaInvalida(OTRA_CLAVE, "key")
    return clave


def _atributo(nombre: x509.Name, oid: x509.ObjectIdentifier) -> str:
    valores = nombre.get_attributes_for_oid(oid)
    valor = valores[0].value if valores else ""
    return valor.decode("utf-8", "replace") if isinstance(valor, bytes) else str(valor)


def _partes(texto: str) -> list[str]:
    """'ABC010101AB1 / ABCD800101XY1' → both; ' / CURP' → the CURP alone."""
    return [p.strip().upper() for p in texto.split("/") if p.strip()]


def numero_certificado(certificado: x509.Certificate) -> str | None:
    """The serial number's bytes read as ASCII digits (SAT's 20-digit number), or None."""
    serie = certificado.serial_number
    try:
        texto = serie.to_bytes((serie.bit_length() + 7) // 8, "big").decode("ascii")
    except UnicodeDecodeError:
        return None
    return texto if len(texto) == 20 and texto.isdigit() else None


def _es_fiel(certificado: x509.Certificate) -> bool:
    try:
        usos = certificado.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(USOS_FIEL & set(usos))


def _nombre_comun(nombre: x509.Name) -> str:
    return _atributo(nombre, NameOID.COMMON_NAME) or _atributo(nombre, NameOID.ORGANIZATION_NAME) \
        or nombre.rfc4514_string()


def _firmante(certificado: x509.Certificate, der: bytes) -> Firmante:
    sujeto = certificado.subject
    if not _es_fiel(certificado):
        con_unidad = sujeto.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        raise EfirmaInvalida(ES_CSD if con_unidad else NO_ES_FIEL, "cer")
    rfcs = _partes(_atributo(sujeto, OID_RFC))
    if not rfcs:
        raise EfirmaInvalida(SIN_RFC, "cer")
    numero = numero_certificado(certificado)
    if numero is None:
        raise EfirmaInvalida(SIN_NUMERO, "cer")
    if not isinstance(certificado.public_key(), rsa.RSAPublicKey):
        raise EfirmaInvalida(NO_RSA, "cer")
    curps = _partes(_atributo(sujeto, OID_CURP))
    return Firmante(
        rfc=rfcs[0], rfc_representante=rfcs[1] if len(rfcs) > 1 else None, curp=curps[-1] if curps else None,
        nombre=_nombre_comun(sujeto), numero_certificado=numero,
        valido_desde=certificado.not_valid_before_utc, valido_hasta=certificado.not_valid_after_utc,
        emisor=_nombre_comun(certificado.issuer), certificado_der=der)


def _emitido_por_alguna(certificado: x509.Certificate, autoridades: Sequence[x509.Certificate]) -> bool:
    """The issuer's name is a configured CA's subject and that CA's key verifies the signature."""
    for autoridad in autoridades:
        try:
            certificado.verify_directly_issued_by(autoridad)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return True
    return False


def _es_su_pareja(clave: rsa.RSAPrivateKey, certificado: x509.Certificate) -> bool:
    formato = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if clave.public_key().public_bytes(*formato) != certificado.public_key().public_bytes(*formato):
        return False
    reto = hashes.Hash(hashes.SHA256())
    reto.update(os.urandom(32))
    digest = reto.finalize()
    try:
        certificado.public_key().verify(clave.sign(digest, _RELLENO, _SHA256), digest, _RELLENO, _SHA256)
    except InvalidSignature:
        return False
    return True


# --- The interface --------------------------------------------------------------------------------

def abrir(cer: bytes, key: bytes, password: str, *, autoridades: Sequence[x509.Certificate], ahora: datetime,
          rfc_esperado: str | None = None) -> Efirma:
    """Open and check an e.firma (see the module's docstring); ``ahora`` is aware.

    The certificate is checked before the key is opened: a certificate that cannot be used is said
    before asking anything of the password (and costs no password attempt)."""
    if ahora.tzinfo is None:
        raise ValueError("ahora debe llevar zona horaria.")
    certificado = leer_certificado(cer)
    firmante = _firmante(certificado, certificado.public_bytes(serialization.Encoding.DER))
    if ahora < firmante.valido_desde:
        raise EfirmaInvalida(_aun_no_valida(firmante.valido_desde), "cer")
    if ahora > firmante.valido_hasta:
        raise EfirmaInvalida(_vencida(firmante.valido_hasta), "cer")
    if not autoridades:
        raise EfirmaInvalida(SIN_AUTORIDADES)
    if not _emitido_por_alguna(certificado, autoridades):
        raise EfirmaInvalida(EMISOR_DESCONOCIDO, "cer")
    if rfc_esperado is not None and firmante.rfc != rfc_esperado.strip().upper():
        raise EfirmaInvalida(_otro_rfc(firmante.rfc, rfc_esperado.strip().upper()), "cer")
    clave = _leer_clave(key, password)
    if not _es_su_pareja(clave, certificado):
        raise EfirmaInvalida(OTRA_CLAVE, "key")
    return Efirma(firmante, clave)


def cargar_autoridades(directorio: str | Path) -> list[x509.Certificate]:
    """The CA certificates in ``directorio``: every ``.cer``, ``.crt`` or ``.pem`` file, DER or PEM (a
    PEM file may hold several). A missing directory holds none. A file that is not a certificate
    raises ``ValueError`` naming it (the operator installed something wrong)."""
    carpeta = Path(directorio)
    if not carpeta.is_dir():
        return []
    autoridades: list[x509.Certificate] = []
    for ruta in sorted(carpeta.iterdir()):
        if ruta.suffix.lower() not in EXTENSIONES_AUTORIDAD or not ruta.is_file():
            continue
        datos = ruta.read_bytes()
        try:
            if _es_pem(datos):
                autoridades.extend(x509.load_pem_x509_certificates(datos))
            else:
                autoridades.append(x509.load_der_x509_certificate(datos))
        except ValueError:
            raise ValueError(f"{ruta} no es un certificado X.509 (DER o PEM).") from None
    return autoridades


def verificar_sello(certificado_der: bytes, digest: bytes, sello: str) -> bool:
    """True when ``sello`` (base64) is the signature of ``digest`` (SHA-256) by the certificate's key."""
    try:
        certificado = x509.load_der_x509_certificate(certificado_der)
        llave = certificado.public_key()
        if not isinstance(llave, rsa.RSAPublicKey) or len(digest) != hashes.SHA256.digest_size:
            return False
        llave.verify(base64.b64decode(sello, validate=True), digest, _RELLENO, _SHA256)
    except (ValueError, TypeError, binascii.Error, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True
