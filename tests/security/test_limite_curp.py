"""Enumeration of the padrón through Validar (and Guardar) is cut off after
``VALIDACIONES_CURP_POR_HORA`` distinct CURPs per contractor and hour."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select

from domain.curp import es_valida
from domain.padron_ficticio import generar_personas
from extensions import db
from models import RelacionCapturista, ValidacionCurp
from tests.ayudantes import ALTA, HX_ALTA, validar
from tests.security.estadisticas import contar
from tests.security.mundo import AJENO, DUENO, cliente_de, token_csrf

LIMITE = 4
MENSAJE = f"Alcanzaste el límite de {LIMITE} validaciones de CURP por hora"


def _curps_nuevas(n: int) -> list[str]:
    """Valid-format CURPs (right structure, date, check digit) of people not in the padrón."""
    curps = [p.curp for p in generar_personas(n, 20260401)]
    assert all(es_valida(c) for c in curps) and len(set(curps)) == n
    return curps


def _validaciones(app, contratista_id):
    with app.app_context():
        n = db.session.scalar(select(func.count(ValidacionCurp.id))
                              .where(ValidacionCurp.contratista_id == contratista_id))
        db.session.remove()
    return n


def test_enumeracion_cortada_tras_el_limite(app, mundo):
    app.config["VALIDACIONES_CURP_POR_HORA"] = LIMITE
    app.config["SESION_INACTIVA_MINUTOS"] = 120  # the same session comes back an hour later
    client = cliente_de(app, mundo, DUENO)
    enumeradas = _curps_nuevas(30)
    en_padron = mundo.personas[10]
    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False):
        # Within the limit the answer is "not found" (the padrón is really asked).
        for curp in enumeradas[:LIMITE]:
            r = validar(client, curp)
            assert r.status_code == 422 and "no se encontró en el padrón" in r.get_data(as_text=True)
            contar("limite_curp_intentos")
        # Then every new CURP is refused without asking the padrón, whatever the form or the channel.
        for i, curp in enumerate(enumeradas[LIMITE:] + [en_padron.curp]):
            variante = [curp, curp.lower(), f"  {curp}  "][i % 3]
            encabezados = HX_ALTA if i % 2 else {}
            r = validar(client, variante, headers=encabezados)
            texto = r.get_data(as_text=True)
            assert r.status_code == 422, (curp, r.status_code)
            assert MENSAJE in texto and "no se encontró" not in texto, curp
            contar("limite_curp_intentos")
        # A CURP of the padrón is not revealed once the limit is reached.
        assert en_padron.nombre not in texto and en_padron.primer_apellido not in texto
        # Guardar straight away (skipping Validar, with a hand-made form) is counted too.
        r = client.post(ALTA, data={"csrf_token": token_csrf(client), "curp": en_padron.curp, "clave": "x" * 32,
                                    "telefono": "5512345678", "correo": "enum@correo.example",
                                    "confirmar_correo": "enum@correo.example"})
        assert r.status_code == 422 and MENSAJE in r.get_data(as_text=True)
        assert _validaciones(app, mundo.a.id) == LIMITE
        with app.app_context():
            assert db.session.scalar(select(func.count(RelacionCapturista.id))
                                     .where(RelacionCapturista.correo == "enum@correo.example")) == 0
            db.session.remove()
        # A CURP already validated this hour is still free (Guardar re-checks it).
        r = validar(client, enumeradas[0])
        assert r.status_code == 422 and "no se encontró" in r.get_data(as_text=True)
        # Another contractor has its own allowance; the first one's attempts do not spill over.
        otro = cliente_de(app, mundo, AJENO)
        r = validar(otro, en_padron.curp)
        assert r.status_code == 200 and en_padron.nombre in r.get_data(as_text=True)
    # An hour later the window has moved on.
    with time_machine.travel(inicio + timedelta(hours=1, seconds=1), tick=False):
        r = validar(client, en_padron.curp)
        assert r.status_code == 200 and en_padron.nombre in r.get_data(as_text=True)


def test_curps_mal_formadas_no_llegan_al_padron_ni_gastan_el_limite(app, mundo):
    app.config["VALIDACIONES_CURP_POR_HORA"] = LIMITE
    client = cliente_de(app, mundo, DUENO)
    for curp in ["X" * 18, "HEGG560427MVZRRL0", "HEGG561327MVZRRL04", "' OR 1=1 --", "%" * 18, "_" * 18]:
        r = validar(client, curp)
        assert r.status_code == 422 and "Hay un problema" in r.get_data(as_text=True)
        contar("limite_curp_intentos")
    assert _validaciones(app, mundo.a.id) == 0


def test_limite_con_curps_consecutivas_generadas(app, mundo):
    """An attacker walking the check digit / homoclave of one CURP: each valid one counts."""
    from domain.curp import digito_verificador

    app.config["VALIDACIONES_CURP_POR_HORA"] = LIMITE
    client = cliente_de(app, mundo, DUENO)
    base = mundo.personas[11].curp[:16]
    candidatas = [c for c in (base + h + digito_verificador(base + h) for h in "0123456789ABCDEFGHIJ")
                  if es_valida(c)]
    assert len(candidatas) > LIMITE + 2
    respuestas = [validar(client, c) for c in candidatas]
    contar("limite_curp_intentos", len(respuestas))
    cortadas = [r for r in respuestas if MENSAJE in r.get_data(as_text=True)]
    assert len(cortadas) == len(candidatas) - LIMITE
    assert all(re.search(r"l[ií]mite", r.get_data(as_text=True)) for r in respuestas[LIMITE:])
