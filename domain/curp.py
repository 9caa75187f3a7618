"""CURP (Clave Única de Registro de Población) validation, following RENAPO's instructivo.

Layout (18 characters)::

    HEGG 560427 M VZ RRL 0 4   (Gloria Hernández García, the usual published example)
    1-4  letters: initial + first internal vowel of primer apellido, initial of segundo
         apellido, initial of nombre
    5-10 birth date AAMMDD
    11   sexo: H, M or X
    12-13 entidad de nacimiento (NE = nacido en el extranjero)
    14-16 first internal consonants of primer apellido, segundo apellido and nombre
    17   diferenciador: digit for births up to 1999, letter A-Z from 2000 on
    18   dígito verificador

Position 17 decides the century (digit -> 19AA, letter -> 20AA). Every failure raises
``CurpInvalida`` with a machine ``codigo`` and a Spanish ``mensaje`` for the user. Checks
run in this order and the first failure wins: longitud, caracteres, estructura (1-4),
diferenciador (only an Ñ in 17, since it picks the century) and fecha, sexo, entidad,
consonantes, altisonante, digito.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.errores import ErrorDeDominio

__all__ = [
    "ENTIDADES",
    "PALABRAS_INCONVENIENTES",
    "CurpInvalida",
    "DatosCurp",
    "digito_verificador",
    "es_valida",
    "normalizar",
    "validar",
]

LONGITUD = 18

# RENAPO's table for the check digit: value = index.
_ALFABETO = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"

ENTIDADES: dict[str, str] = {
    "AS": "Aguascalientes",
    "BC": "Baja California",
    "BS": "Baja California Sur",
    "CC": "Campeche",
    "CL": "Coahuila de Zaragoza",
    "CM": "Colima",
    "CS": "Chiapas",
    "CH": "Chihuahua",
    "DF": "Ciudad de México",
    "DG": "Durango",
    "GT": "Guanajuato",
    "GR": "Guerrero",
    "HG": "Hidalgo",
    "JC": "Jalisco",
    "MC": "Estado de México",
    "MN": "Michoacán de Ocampo",
    "MS": "Morelos",
    "NT": "Nayarit",
    "NL": "Nuevo León",
    "OC": "Oaxaca",
    "PL": "Puebla",
    "QT": "Querétaro",
    "QR": "Quintana Roo",
    "SP": "San Luis Potosí",
    "SL": "Sinaloa",
    "SR": "Sonora",
    "TC": "Tabasco",
    "TS": "Tamaulipas",
    "TL": "Tlaxcala",
    "VZ": "Veracruz de Ignacio de la Llave",
    "YN": "Yucatán",
    "ZS": "Zacatecas",
    "NE": "Nacido en el extranjero",
}

# Anexo del instructivo normativo de RENAPO: "palabras inconvenientes".
PALABRAS_INCONVENIENTES: frozenset[str] = frozenset(
    """
    BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO
    COLA CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE
    KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS
    MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA
    PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI
    WUEY
    """.split()
)

_LETRAS = "ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VOCALES_O_X = "AEIOUX"
_CONSONANTES = "BCDFGHJKLMNÑPQRSTVWXYZ"
_SEXOS = "HMX"
_CARACTERES = re.compile(r"^[A-Z0-9Ñ]+$")


class CurpInvalida(ErrorDeDominio):
    """Invalid CURP. ``codigo`` is for programs, ``mensaje`` (Spanish) for the user."""

    def __init__(self, codigo: str, mensaje: str):
        super().__init__(mensaje)
        self.codigo = codigo

    def __str__(self) -> str:
        return self.mensaje


@dataclass(frozen=True)
class DatosCurp:
    """Data that can be read back from a valid CURP."""

    curp: str
    fecha_nacimiento: date
    sexo: str  # "H" | "M" | "X"
    entidad: str  # two-letter code, "NE" for births abroad

    @property
    def entidad_nombre(self) -> str:
        return ENTIDADES[self.entidad]


def normalizar(texto: str) -> str:
    """Strip, drop all whitespace and uppercase. Keeps Ñ (also when typed as N + tilde)."""
    texto = unicodedata.normalize("NFC", texto or "")
    return re.sub(r"\s+", "", texto).upper()


def digito_verificador(curp17: str) -> str:
    """RENAPO check digit for the first 17 characters of a CURP."""
    curp17 = normalizar(curp17)
    if len(curp17) != LONGITUD - 1 or not _CARACTERES.match(curp17):
        raise ValueError("Se necesitan exactamente los primeros 17 caracteres de la CURP.")
    suma = sum(_ALFABETO.index(c) * (LONGITUD - i) for i, c in enumerate(curp17))
    return str((10 - suma % 10) % 10)


def _validar_letras_iniciales(curp: str) -> None:
    if curp[0] not in _LETRAS:
        raise CurpInvalida(
            "estructura",
            "La posición 1 de la CURP debe ser una letra (la inicial del primer apellido).",
        )
    if curp[1] not in _VOCALES_O_X:
        raise CurpInvalida(
            "estructura",
            "La posición 2 de la CURP debe ser una vocal o X "
            "(la primera vocal interna del primer apellido).",
        )
    if curp[2] not in _LETRAS or curp[3] not in _LETRAS:
        raise CurpInvalida(
            "estructura",
            "Las posiciones 3 y 4 de la CURP deben ser letras "
            "(las iniciales del segundo apellido y del nombre).",
        )


def _siglo(diferenciador: str) -> int:
    if "0" <= diferenciador <= "9":
        return 1900
    if "A" <= diferenciador <= "Z":
        return 2000
    raise CurpInvalida(  # Ñ: neither a digit nor a letter A-Z
        "diferenciador",
        "La posición 17 de la CURP debe ser un número si naciste antes de 2000 "
        "o una letra de la A a la Z si naciste en 2000 o después.",
    )


def _fecha(curp: str, hoy: date) -> date:
    aammdd = curp[4:10]
    if not aammdd.isdigit():
        raise CurpInvalida(
            "fecha",
            "Las posiciones 5 a 10 de la CURP deben ser la fecha de nacimiento en formato AAMMDD.",
        )
    # The diferenciador (position 17) decides the century, so it is checked here.
    siglo = _siglo(curp[16])
    aa, mm, dd = int(aammdd[:2]), int(aammdd[2:4]), int(aammdd[4:])
    try:
        fecha = date(siglo + aa, mm, dd)
    except ValueError:
        otro_siglo = 2000 if siglo == 1900 else 1900
        try:
            date(otro_siglo + aa, mm, dd)
        except ValueError:
            raise CurpInvalida(
                "fecha",
                f"La fecha de nacimiento de la CURP (posiciones 5 a 10) no existe: "
                f"{dd:02d}/{mm:02d}/{siglo + aa}.",
            ) from None
        # Exists only in the other century: point at position 17.
        pista = (
            "una letra si naciste en 2000 o después"
            if siglo == 1900
            else "un número si naciste antes de 2000"
        )
        raise CurpInvalida(
            "fecha",
            f"La fecha de nacimiento de la CURP no existe: {dd:02d}/{mm:02d}/{siglo + aa}. "
            f"La posición 17 define el siglo; debe ser {pista}.",
        ) from None
    if fecha > hoy:
        raise CurpInvalida(
            "fecha",
            f"La fecha de nacimiento de la CURP ({fecha:%d/%m/%Y}) es posterior a hoy. "
            "Revisa los dígitos de la fecha y la posición 17, que define el siglo.",
        )
    return fecha


def validar(texto: str, *, hoy: date | None = None) -> DatosCurp:
    """Validate a CURP and return its data; raises ``CurpInvalida`` on the first problem.

    ``hoy`` (default: today) is only used to refuse birth dates in the future.
    """
    curp = normalizar(texto)
    if len(curp) != LONGITUD:
        raise CurpInvalida("longitud", f"La CURP debe tener 18 caracteres; capturaste {len(curp)}.")
    if not _CARACTERES.match(curp):
        raise CurpInvalida(
            "caracteres",
            "La CURP solo puede contener letras (A–Z, Ñ) y números, "
            "sin acentos, guiones ni otros signos.",
        )
    _validar_letras_iniciales(curp)
    fecha = _fecha(curp, hoy or date.today())
    sexo = curp[10]
    if sexo not in _SEXOS:
        raise CurpInvalida("sexo", "El sexo (posición 11) debe ser H, M o X.")
    entidad = curp[11:13]
    if entidad not in ENTIDADES:
        raise CurpInvalida(
            "entidad",
            f"La entidad de nacimiento de la CURP (posiciones 12 y 13) no es válida: {entidad}. "
            "Usa la clave de dos letras del estado, o NE si naciste en el extranjero.",
        )
    if any(c not in _CONSONANTES for c in curp[13:16]):
        raise CurpInvalida(
            "consonantes",
            "Las posiciones 14 a 16 de la CURP deben ser consonantes "
            "(las consonantes internas de los apellidos y del nombre).",
        )
    if curp[:4] in PALABRAS_INCONVENIENTES:
        raise CurpInvalida(
            "altisonante",
            f"La CURP no puede comenzar con una palabra inconveniente ({curp[:4]}); "
            "RENAPO la sustituye con X en la segunda letra.",
        )
    if curp[17] != digito_verificador(curp[:17]):
        raise CurpInvalida(
            "digito",
            "El dígito verificador de la CURP no es válido; "
            "revisa que la hayas capturado correctamente.",
        )
    return DatosCurp(curp=curp, fecha_nacimiento=fecha, sexo=sexo, entidad=entidad)


def es_valida(texto: str, *, hoy: date | None = None) -> bool:
    """True when ``validar`` accepts the text."""
    try:
        validar(texto, hoy=hoy)
    except CurpInvalida:
        return False
    return True
