"""Unit tests for domain.padron_ficticio (pure Python, no app needed)."""
from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest

from domain import padron_ficticio
from domain.curp import PALABRAS_INCONVENIENTES, validar
from domain.padron_ficticio import COLUMNAS_CSV, Persona, construir_curp, escribir_csv, generar_personas, leer_csv

HOY = date(2024, 6, 1)


@pytest.mark.parametrize(
    "nombre,primer,segundo,fecha,sexo,entidad,esperada",
    [
        # published examples (python-stdnum test data)
        ("GLORIA", "HERNÁNDEZ", "GARCÍA", date(1956, 4, 27), "M", "VZ", "HEGG560427MVZRRL04"),
        ("LUIS RAÚL", "BELLO", "MENA", date(1992, 3, 13), "H", "MC", "BEML920313HMCLNS09"),
        # JOSÉ LUIS -> LUIS (L in 4, S in 16)
        ("JOSÉ LUIS", "PÉREZ", "GARCÍA", date(1985, 3, 4), "H", "JC", "PEGL850304HJCRRS07"),
        # DE LA skipped -> CRUZ: C, U, R; no segundo apellido -> X, X; born 2000+ -> A
        ("MARÍA", "DE LA CRUZ", "", date(2003, 3, 4), "M", "DF", "CUXM030304MDFRXRA8"),
        # NÚÑEZ: N, U, internal consonant Ñ -> X; PEÑA: P, E -> X; ÍÑIGO: I, Ñ -> X
        ("ÍÑIGO", "NÚÑEZ", "PEÑA", date(1985, 3, 4), "H", "NE", "NUPI850304HNEXXX08"),
    ],
)
def test_construir_curp_casos_conocidos(nombre, primer, segundo, fecha, sexo, entidad, esperada):
    curp = construir_curp(nombre, primer, segundo, fecha, sexo, entidad)
    assert curp == esperada
    assert validar(curp, hoy=HOY).curp == curp


@pytest.mark.parametrize(
    "nombre,primer,segundo,letras,consonantes",
    [
        ("MARÍA JOSÉ", "LÓPEZ", "RUIZ", "LORJ", "PZS"),  # MARÍA skipped -> JOSÉ
        ("JOSÉ MARÍA", "LÓPEZ", "RUIZ", "LORM", "PZR"),  # JOSÉ skipped -> MARÍA
        ("MA. DE LOS ÁNGELES", "LÓPEZ", "RUIZ", "LORA", "PZN"),  # MA. + DE LOS skipped
        ("MA GUADALUPE", "LÓPEZ", "RUIZ", "LORG", "PZD"),
        ("J. JESÚS", "LÓPEZ", "RUIZ", "LORJ", "PZS"),
        ("MARÍA", "LÓPEZ", "RUIZ", "LORM", "PZR"),  # single MARÍA is kept
        ("JUAN CARLOS", "LÓPEZ", "RUIZ", "LORJ", "PZN"),  # only MARÍA/JOSÉ are skipped
        ("ANA", "DEL ÁNGEL", "DE LOS SANTOS", "AESA", "NNN"),  # particles skipped
        ("ANA", "VON BRAUN", "Y GASSET", "BAGA", "RSN"),
        ("ANA", "MC GREGOR", "", "GEXA", "RXN"),
        ("NOÉ", "ÑECO", "UC", "XEUN", "CCX"),  # Ñ as initial -> X; UC -> C
        ("ÚRSULA", "ARGÜELLES", "ÁVILA", "AUAU", "RVR"),  # Ü -> U
        ("ANA", "O", "PAZ", "OXPA", "XZN"),  # one-letter apellido: no vowel/consonant
        ("ROSA", "PÉREZ-GIL", "RUIZ", "PERR", "RZS"),  # hyphen separates words
        ("ANA", "D'ANGELO", "RUIZ", "DARA", "NZN"),  # apostrophe dropped
    ],
)
def test_construir_curp_reglas(nombre, primer, segundo, letras, consonantes):
    curp = construir_curp(nombre, primer, segundo, date(1990, 1, 2), "M", "DF")
    assert curp[:4] == letras
    assert curp[13:16] == consonantes
    assert curp[4:13] == "900102MDF"
    assert curp[16] == "0"
    validar(curp, hoy=HOY)


@pytest.mark.parametrize(
    "nombre,primer,segundo,esperadas",
    [
        ("OSCAR", "LÓPEZ", "CASTILLO", "LXCO"),  # LOCO
        ("ALBERTO", "CASTRO", "GARCÍA", "CXGA"),  # CAGA
        ("ANA", "MUÑOZ", "LÓPEZ", "MXLA"),  # MULA
        ("OMAR", "ROJAS", "BÁEZ", "RXBO"),  # ROBO
    ],
)
def test_palabra_inconveniente_lleva_x_en_la_segunda_letra(nombre, primer, segundo, esperadas):
    curp = construir_curp(nombre, primer, segundo, date(1990, 1, 2), "H", "JC")
    assert curp[:4] == esperadas
    original = curp[0] + next(c for c in primer[1:] if c in "AEIOUÁÉÍÓÚ") + curp[2:4]
    original = original.translate(str.maketrans("ÁÉÍÓÚ", "AEIOU"))
    assert original in PALABRAS_INCONVENIENTES
    validar(curp, hoy=HOY)


@pytest.mark.parametrize(
    "fecha,diferenciador,esperado",
    [
        (date(1999, 12, 31), None, "0"),
        (date(2000, 1, 1), None, "A"),
        (date(1950, 6, 1), "7", "7"),
        (date(2010, 6, 1), "k", "K"),
    ],
)
def test_diferenciador(fecha, diferenciador, esperado):
    curp = construir_curp("ANA", "RUIZ", "PAZ", fecha, "M", "DF", diferenciador)
    assert curp[16] == esperado
    assert validar(curp, hoy=HOY).fecha_nacimiento == fecha


@pytest.mark.parametrize(
    "nombre,primer,fecha,sexo,entidad,diferenciador",
    [
        ("ANA", "RUIZ", date(1990, 1, 1), "M", "DF", "A"),  # letter before 2000
        ("ANA", "RUIZ", date(2005, 1, 1), "M", "DF", "5"),  # digit from 2000
        ("ANA", "RUIZ", date(2005, 1, 1), "M", "DF", "Ñ"),
        ("ANA", "RUIZ", date(1990, 1, 1), "F", "DF", None),
        ("ANA", "RUIZ", date(1990, 1, 1), "M", "QQ", None),
        ("ANA", "", date(1990, 1, 1), "M", "DF", None),
        ("", "RUIZ", date(1990, 1, 1), "M", "DF", None),
        ("ANA", "RUIZ", date(1899, 12, 31), "M", "DF", None),
    ],
)
def test_construir_curp_rechaza_datos_invalidos(nombre, primer, fecha, sexo, entidad, diferenciador):
    with pytest.raises(ValueError):
        construir_curp(nombre, primer, "PAZ", fecha, sexo, entidad, diferenciador)


def test_generar_personas_2000_validas_y_unicas():
    personas = list(generar_personas(2000))
    assert len(personas) == 2000
    assert len({p.curp for p in personas}) == 2000
    for p in personas:
        datos = validar(p.curp, hoy=HOY)
        assert (datos.fecha_nacimiento, datos.sexo, datos.entidad) == (
            p.fecha_nacimiento, p.sexo, p.entidad
        )
        # the CURP is consistent with the name
        assert p.curp == construir_curp(
            p.nombre, p.primer_apellido, p.segundo_apellido,
            p.fecha_nacimiento, p.sexo, p.entidad, p.curp[16],
        )


def test_generar_personas_variedad():
    personas = list(generar_personas(2000, semilla=3))
    nombres = {p.nombre for p in personas}
    apellidos = {p.primer_apellido for p in personas} | {p.segundo_apellido for p in personas}
    assert {"MARÍA JOSÉ", "JOSÉ LUIS"} <= nombres
    assert {"DE LA CRUZ", "NÚÑEZ", ""} <= apellidos
    assert any(c in "ÁÉÍÓÚ" for n in nombres for c in n)
    assert {p.sexo for p in personas} == {"H", "M", "X"}
    assert "NE" in {p.entidad for p in personas}
    assert any(p.fecha_nacimiento.year >= 2000 for p in personas)
    assert any(p.fecha_nacimiento.year < 2000 for p in personas)
    assert all(p.nombre == p.nombre.upper() for p in personas)


def test_generar_personas_es_determinista():
    assert list(generar_personas(50, semilla=7)) == list(generar_personas(50, semilla=7))
    assert list(generar_personas(50, semilla=7)) != list(generar_personas(50, semilla=8))
    # a prefix of a longer run is the same people
    assert list(generar_personas(10, semilla=7)) == list(generar_personas(50, semilla=7))[:10]


def test_generar_personas_cero_y_negativo():
    assert list(generar_personas(0)) == []
    with pytest.raises(ValueError):
        list(generar_personas(-1))


@pytest.mark.parametrize(
    "fecha,diferenciadores",
    [(date(1980, 5, 5), "0123456789"), (date(2005, 5, 5), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")],
)
def test_homonimos_reciben_el_siguiente_diferenciador(monkeypatch, fecha, diferenciadores):
    # every draw is the same person: the diferenciador must be bumped each time
    monkeypatch.setattr(
        padron_ficticio, "_persona_al_azar",
        lambda rng: ("ANA", "RUIZ", "PAZ", fecha, "M", "DF"),
    )
    personas = list(generar_personas(len(diferenciadores)))
    assert "".join(p.curp[16] for p in personas) == diferenciadores
    assert len({p.curp for p in personas}) == len(diferenciadores)
    for p in personas:
        validar(p.curp, hoy=HOY)


def test_persona_es_inmutable():
    persona = next(generar_personas(1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        persona.nombre = "OTRO"  # type: ignore[misc]


def test_csv_ida_y_vuelta_en_archivo(tmp_path):
    personas = list(generar_personas(300, semilla=11))
    ruta = tmp_path / "padron.csv"
    assert escribir_csv(ruta, personas) == 300
    contenido = ruta.read_bytes().decode("utf-8")
    assert contenido.splitlines()[0] == ",".join(COLUMNAS_CSV)
    assert not contenido.startswith("\ufeff")
    assert list(leer_csv(ruta)) == personas
    assert list(leer_csv(str(ruta))) == personas


def test_csv_ida_y_vuelta_en_memoria():
    personas = [
        Persona("CUXM030304MDFRXRA8", "MARÍA", "DE LA CRUZ", "", date(2003, 3, 4), "M", "DF"),
        Persona("NUPI850304HNEXXX08", "ÍÑIGO", "NÚÑEZ", "PEÑA", date(1985, 3, 4), "H", "NE"),
    ]
    buffer = io.StringIO()
    escribir_csv(buffer, personas)
    texto = buffer.getvalue()
    assert texto.splitlines() == [
        "curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad",
        "CUXM030304MDFRXRA8,MARÍA,DE LA CRUZ,,2003-03-04,M,DF",
        "NUPI850304HNEXXX08,ÍÑIGO,NÚÑEZ,PEÑA,1985-03-04,H,NE",
    ]
    assert list(leer_csv(io.StringIO(texto))) == personas


def test_leer_csv_tolera_bom(tmp_path):
    ruta = tmp_path / "excel.csv"
    ruta.write_bytes(
        "\ufeffcurp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad\n"
        "HEGG560427MVZRRL04,GLORIA,HERNÁNDEZ,GARCÍA,1956-04-27,M,VZ\n".encode("utf-8")
    )
    (persona,) = leer_csv(ruta)
    assert persona.curp == "HEGG560427MVZRRL04"
    assert persona.primer_apellido == "HERNÁNDEZ"
    assert persona.fecha_nacimiento == date(1956, 4, 27)


def test_leer_csv_sin_columnas_obligatorias():
    with pytest.raises(ValueError, match="fecha_nacimiento"):
        list(leer_csv(io.StringIO("curp,nombre,primer_apellido,segundo_apellido,sexo,entidad\n")))
