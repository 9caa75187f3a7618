"""Activation and password-reset links: tampered, signed elsewhere, expired, reused, superseded,
and the cross-cases (one kind of link used as the other, another contractor's link).
Each refusal answers with its Spanish page and status and changes nothing.

The single-flow basics (a link works once, a resend kills the old one, 24 h) are in
tests/integration/test_activacion.py and test_capturista.py; here the attacks."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from extensions import db
from models import Capturista, CorreoSaliente, RelacionCapturista
from tests.ayudantes import activar
from tests.security.estadisticas import contar
from tests.security.mundo import CLAVE_CAPTURISTA, DUENO, USUARIO_CAPTURISTA, cliente_de, diferencias, foto, token_csrf

SAL_ACTIVACION = "activacion-capturista"
SAL_RESTABLECER = "restablecer-contrasena"
CLAVE_NUEVA = "Nueva2026segura"

ALTERADA = (404, "La liga no es válida", "fue modificada")
USADA = (410, "La liga ya se utilizó", "Inicia sesión con tu usuario")
REEMPLAZADA = (410, "La liga ya no es válida", "más reciente")
VENCIDA = (410, "La liga de activación venció", "Solicitar nueva liga")
BAJA = (410, "La liga ya no es válida", "dio de baja")
RESTABLECER_INVALIDA = (410, "La liga no es válida", "Solicitar una nueva liga")
RESTABLECER_VENCIDA = (410, "La liga venció", "válidas durante 24 horas")


# --- helpers --------------------------------------------------------------------------------------

def _restablecer(client, token: str, password: str = CLAVE_NUEVA):
    return client.post(f"/capturista/restablecer/{token}", data={
        "csrf_token": token_csrf(client), "password": password, "confirmar_password": password})


def _nueva_liga(client, token: str):
    return client.post(f"/activacion/{token}/nueva-liga", data={"csrf_token": token_csrf(client)})


def _es(respuesta, esperado, donde=""):
    estado, *textos = esperado
    texto = respuesta.get_data(as_text=True)
    assert respuesta.status_code == estado, f"{donde}: {respuesta.status_code}"
    for t in textos:
        assert t in texto, f"{donde}: falta {t!r}"
    assert '<html lang="es-MX">' in texto
    assert 'name="password"' not in texto, f"{donde}: muestra el formulario"
    contar("tokens_casos")


def _rechaza_activacion(app, token: str, esperado, donde=""):
    """GET, POST (with valid data) and Solicitar nueva liga refused; the database untouched."""
    anonimo = app.test_client()
    antes = foto(app)
    _es(anonimo.get(f"/activacion/{token}"), esperado, f"GET {donde}")
    _es(activar(anonimo, f"/activacion/{token}", "usuario.nuevo", CLAVE_NUEVA), esperado, f"POST {donde}")
    if esperado is not VENCIDA:  # an expired link may ask for a new one (tests/integration)
        _es(_nueva_liga(anonimo, token), esperado, f"nueva liga {donde}")
    assert not diferencias(antes, foto(app)), f"{donde}: la base de datos cambió"


def _rechaza_restablecer(app, token: str, esperado, donde=""):
    anonimo = app.test_client()
    antes = foto(app)
    _es(anonimo.get(f"/capturista/restablecer/{token}"), esperado, f"GET {donde}")
    _es(_restablecer(anonimo, token), esperado, f"POST {donde}")
    assert not diferencias(antes, foto(app)), f"{donde}: la base de datos cambió"


def _variantes_alteradas(token: str) -> dict[str, str]:
    """A flipped character in each part (payload, timestamp, signature), truncations, additions."""
    def cambiar(texto, i):
        return texto[:i] + ("A" if texto[i] != "A" else "B") + texto[i + 1:]

    carga, sello, firma = token.split(".")
    variantes = {
        "carga con un carácter cambiado": ".".join([cambiar(carga, len(carga) // 2), sello, firma]),
        "primer carácter cambiado": cambiar(token, 0),
        "sello de tiempo cambiado": ".".join([carga, cambiar(sello, len(sello) // 2), firma]),
        "firma con un carácter cambiado": ".".join([carga, sello, cambiar(firma, len(firma) // 2)]),
        "truncada un carácter": token[:-1],
        "truncada a la mitad": token[: len(token) // 2],
        "sin firma": f"{carga}.{sello}",
        "sin sello ni firma": carga,
        "firma vacía": f"{carga}.{sello}.",
        "con un carácter de más": token + "A",
        "en mayúsculas": token.upper(),
        "firma de otra liga": ".".join([carga, sello, firma[::-1]]),
    }
    return {k: v for k, v in variantes.items() if v != token}


def _firmar(clave: str, sal: str, datos) -> str:
    return URLSafeTimedSerializer(clave, salt=sal).dumps(datos)


def _liga_de_correo(app, tipo: str) -> str:
    with app.app_context():
        texto = db.session.scalar(select(CorreoSaliente.cuerpo_texto).where(CorreoSaliente.tipo == tipo)
                                  .order_by(CorreoSaliente.id.desc()).limit(1))
        db.session.remove()
    return re.search(r"http://localhost/(?:activacion|capturista/restablecer)/([A-Za-z0-9_.\-]+)", texto).group(1)


def _relacion(app, relacion_id):
    with app.app_context():
        r = db.session.get(RelacionCapturista, relacion_id)
        datos = (r.estatus, r.token_version, r.capturista.usuario)
        db.session.remove()
    return datos


def _hash_de(app, capturista_id):
    with app.app_context():
        valor = db.session.get(Capturista, capturista_id).password_hash
        db.session.remove()
    return valor


# --- tampered / signed elsewhere --------------------------------------------------------------------

def test_liga_de_activacion_alterada(app, mundo):
    for caso, token in _variantes_alteradas(mundo.token_activacion).items():
        _rechaza_activacion(app, token, ALTERADA, caso)
    # The genuine link still works after all that.
    assert app.test_client().get(f"/activacion/{mundo.token_activacion}").status_code == 200


def test_liga_de_restablecer_alterada(app, mundo):
    for caso, token in _variantes_alteradas(mundo.token_restablecer).items():
        _rechaza_restablecer(app, token, RESTABLECER_INVALIDA, caso)
    assert app.test_client().get(f"/capturista/restablecer/{mundo.token_restablecer}").status_code == 200


def test_una_clase_de_liga_no_sirve_como_la_otra(app, mundo):
    # A reset link at the activation page, and an activation link at the reset page.
    _rechaza_activacion(app, mundo.token_restablecer, ALTERADA, "restablecer como activación")
    _rechaza_restablecer(app, mundo.token_activacion, RESTABLECER_INVALIDA, "activación como restablecer")
    # Even re-signed with the right key and the other salt, the payload of one is not the other.
    rel = mundo.a.relaciones["pendiente"]
    _rechaza_restablecer(app, _firmar("clave-de-pruebas", SAL_RESTABLECER, {"r": rel, "v": 1}),
                         RESTABLECER_INVALIDA, "carga de activación con sal de restablecer")
    _rechaza_activacion(app, _firmar("clave-de-pruebas", SAL_ACTIVACION, {"c": mundo.capturista_id, "h": "x"}),
                        ALTERADA, "carga de restablecer con sal de activación")


def test_liga_firmada_con_otra_clave_o_sal(app, mundo):
    rel = mundo.a.relaciones["pendiente"]
    with app.app_context():
        from services.tokens import _huella

        huella = _huella(db.session.get(Capturista, mundo.capturista_id))
        db.session.remove()
    # Right payload, right salt, but another SECRET_KEY (what an attacker would have to guess).
    _rechaza_activacion(app, _firmar("otra-clave-secreta", SAL_ACTIVACION, {"r": rel, "v": 1}), ALTERADA,
                        "otra SECRET_KEY")
    _rechaza_restablecer(app, _firmar("otra-clave-secreta", SAL_RESTABLECER, {"c": mundo.capturista_id, "h": huella}),
                         RESTABLECER_INVALIDA, "otra SECRET_KEY")
    # Right key, another salt.
    _rechaza_activacion(app, _firmar("clave-de-pruebas", "otra-sal", {"r": rel, "v": 1}), ALTERADA, "otra sal")
    _rechaza_restablecer(app, _firmar("clave-de-pruebas", "otra-sal", {"c": mundo.capturista_id, "h": huella}),
                         RESTABLECER_INVALIDA, "otra sal")
    # Forged for another relation: without the key the signature cannot match.
    _rechaza_activacion(app, _firmar("", SAL_ACTIVACION, {"r": mundo.b.relaciones["pendiente"], "v": 1}),
                        ALTERADA, "clave vacía")


def test_cambiar_la_secret_key_invalida_las_ligas_emitidas(app, mundo):
    app.config["SECRET_KEY"] = "clave-rotada-en-produccion"
    _rechaza_activacion(app, mundo.token_activacion, ALTERADA, "clave rotada")
    _rechaza_restablecer(app, mundo.token_restablecer, RESTABLECER_INVALIDA, "clave rotada")


@pytest.mark.parametrize("datos", [
    {"r": "1", "v": 1}, {"r": 1}, {"v": 1}, [1, 1], "texto", None, {"r": 1.0, "v": 1},
    {"r": 999999, "v": 1}, {"r": True, "v": True}, {"r": -1, "v": 0},
], ids=str)
def test_cargas_con_forma_inesperada_aunque_esten_firmadas(app, mundo, datos):
    """Defence in depth: a payload signed with the real key but of an unexpected shape (only the
    app could sign it) is refused as an altered link, never a 500."""
    _rechaza_activacion(app, _firmar("clave-de-pruebas", SAL_ACTIVACION, datos), ALTERADA, str(datos))


@pytest.mark.parametrize("datos", [
    {"c": "1", "h": "x"}, {"h": "x"}, [1], None, {"c": 999999, "h": "x"}, {"c": True, "h": "x"},
], ids=str)
def test_cargas_de_restablecer_con_forma_inesperada(app, mundo, datos):
    _rechaza_restablecer(app, _firmar("clave-de-pruebas", SAL_RESTABLECER, datos), RESTABLECER_INVALIDA, str(datos))


# --- expired ------------------------------------------------------------------------------------------

def test_ligas_vencidas_a_las_24_horas_y_un_segundo(app, mundo):
    from services.tokens import token_activacion, token_restablecer

    inicio = datetime.now(timezone.utc)
    with time_machine.travel(inicio, tick=False), app.app_context():
        activacion = token_activacion(db.session.get(RelacionCapturista, mundo.a.relaciones["pendiente"]))
        restablecer = token_restablecer(db.session.get(Capturista, mundo.capturista_id))
        db.session.remove()
    with time_machine.travel(inicio + timedelta(hours=23, minutes=59, seconds=59), tick=False):
        assert app.test_client().get(f"/activacion/{activacion}").status_code == 200
        assert app.test_client().get(f"/capturista/restablecer/{restablecer}").status_code == 200
    hash_antes = _hash_de(app, mundo.capturista_id)
    with time_machine.travel(inicio + timedelta(hours=24, seconds=1), tick=False):
        _rechaza_activacion(app, activacion, VENCIDA, "vencida")
        _rechaza_restablecer(app, restablecer, RESTABLECER_VENCIDA, "vencida")
        # An expired link that was also tampered with is "altered", not "expired" (no new link).
        carga, sello, firma = activacion.split(".")
        _rechaza_activacion(app, f"{carga}.{sello}.{firma[::-1]}", ALTERADA, "vencida y alterada")
    assert _hash_de(app, mundo.capturista_id) == hash_antes
    assert _relacion(app, mundo.a.relaciones["pendiente"])[0] == "pendiente"


# --- reused -------------------------------------------------------------------------------------------

def test_liga_de_activacion_reutilizada(app, mundo):
    anonimo = app.test_client()
    assert activar(anonimo, f"/activacion/{mundo.token_activacion}", "primer.uso", CLAVE_NUEVA).status_code == 303
    assert _relacion(app, mundo.a.relaciones["pendiente"])[2] == "primer.uso"
    _rechaza_activacion(app, mundo.token_activacion, USADA, "reutilizada")
    assert _relacion(app, mundo.a.relaciones["pendiente"])[2] == "primer.uso"


def test_liga_de_restablecer_reutilizada(app, mundo):
    assert _restablecer(app.test_client(), mundo.token_restablecer).status_code == 303
    hash_nuevo = _hash_de(app, mundo.capturista_id)
    _rechaza_restablecer(app, mundo.token_restablecer, RESTABLECER_INVALIDA, "reutilizada")
    assert _hash_de(app, mundo.capturista_id) == hash_nuevo
    # The second password was never set: only the first one opens the session.
    client = app.test_client()
    r = client.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(client),
                                                        "usuario": USUARIO_CAPTURISTA, "password": "Otra2026clave"})
    assert r.status_code == 422
    r = client.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(client),
                                                        "usuario": USUARIO_CAPTURISTA, "password": CLAVE_NUEVA})
    assert r.status_code == 303


# --- superseded ---------------------------------------------------------------------------------------

def test_liga_reemplazada_por_enviar_email_del_contratista(app, mundo):
    duenio = cliente_de(app, mundo, DUENO)
    rel = mundo.a.relaciones["pendiente"]
    r = duenio.post(f"/administracion/consulta/{rel}/enviar-email", data={"csrf_token": token_csrf(duenio)})
    assert r.status_code == 303
    _rechaza_activacion(app, mundo.token_activacion, REEMPLAZADA, "tras Enviar email")
    nueva = _liga_de_correo(app, "activacion")
    assert nueva != mundo.token_activacion
    assert app.test_client().get(f"/activacion/{nueva}").status_code == 200


def test_liga_reemplazada_por_cambio_de_correo(app, mundo):
    duenio = cliente_de(app, mundo, DUENO)
    rel = mundo.a.relaciones["pendiente"]
    r = duenio.post(f"/administracion/consulta/{rel}/editar", data={
        "csrf_token": token_csrf(duenio), "telefono": "5598765432", "correo": "otro.correo@correo.example",
        "confirmar_correo": "otro.correo@correo.example"})
    assert r.status_code == 303
    _rechaza_activacion(app, mundo.token_activacion, REEMPLAZADA, "tras cambiar el correo")


def test_baja_y_reactivacion_dejan_una_sola_liga_valida(app, mundo):
    """Issue 11 (1): Eliminar → Activar of a pending relation leaves it exactly one valid link. In
    baja the link says so; Activar while it lasts revives that same link and sends nothing; Activar
    after it expired sends a new one, and then the old link truly has a newer one."""
    rel = mundo.a.relaciones["pendiente"]

    def correos_de_la_relacion():
        with app.app_context():
            n = db.session.scalar(select(func.count(CorreoSaliente.id)).where(CorreoSaliente.relacion_id == rel))
            db.session.remove()
        return n

    antes = correos_de_la_relacion()
    duenio = cliente_de(app, mundo, DUENO)
    r = duenio.post(f"/administracion/consulta/{rel}/eliminar", data={"csrf_token": token_csrf(duenio)})
    assert r.status_code == 303
    _rechaza_activacion(app, mundo.token_activacion, BAJA, "relación dada de baja")
    r = duenio.post(f"/administracion/consulta/{rel}/activar", data={"csrf_token": token_csrf(duenio)})
    assert r.status_code == 303 and _relacion(app, rel)[0] == "pendiente"
    assert "sigue vigente hasta el" in duenio.get(r.headers["Location"]).get_data(as_text=True)
    assert app.test_client().get(f"/activacion/{mundo.token_activacion}").status_code == 200
    assert correos_de_la_relacion() == antes
    # A day later the link has expired: Eliminar → Activar sends a new one.
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=25), tick=False):
        duenio = cliente_de(app, mundo, DUENO)
        duenio.post(f"/administracion/consulta/{rel}/eliminar", data={"csrf_token": token_csrf(duenio)})
        r = duenio.post(f"/administracion/consulta/{rel}/activar", data={"csrf_token": token_csrf(duenio)})
        assert r.status_code == 303
        assert "correo para activar su acceso" in duenio.get(r.headers["Location"]).get_data(as_text=True)
        assert correos_de_la_relacion() == antes + 1
        _rechaza_activacion(app, mundo.token_activacion, REEMPLAZADA, "tras reactivar con liga vencida")


def test_liga_de_restablecer_reemplazada_por_una_mas_reciente_usada(app, mundo):
    """Two reset links (asked a few minutes apart): using the newer one kills the older."""
    datos = {"curp": "HEGG560427MVZRRL04", "correo": "maria@correo.example"}
    inicio = datetime.now(timezone.utc)
    ligas = []
    for minutos in (0, 5):
        with time_machine.travel(inicio + timedelta(minutes=minutos), tick=False):
            client = app.test_client()
            r = client.post("/capturista/recuperar-contrasena", data={"csrf_token": token_csrf(client), **datos})
            assert r.status_code == 303
            ligas.append(_liga_de_correo(app, "restablecer"))
    vieja, nueva = ligas
    assert vieja != nueva
    with time_machine.travel(inicio + timedelta(minutes=10), tick=False):
        assert _restablecer(app.test_client(), nueva).status_code == 303
        _rechaza_restablecer(app, vieja, RESTABLECER_INVALIDA, "más antigua tras usar la nueva")
        _rechaza_restablecer(app, nueva, RESTABLECER_INVALIDA, "la nueva ya usada")


def test_f01b_activar_con_la_liga_de_otro_contratista_no_toca_la_relacion_de_a(app, mundo):
    """F01(b). The same person pending at A and at B; B activates through B's own link. A's relation
    stays pending and A's link stays valid (it used to become Activo and "ya se utilizó"); the
    usuario B's link created cannot work for A, and cannot accept A's relation without A's link."""
    with app.app_context():
        from services.tokens import token_activacion

        pendiente_a = db.session.get(RelacionCapturista, mundo.a.relaciones["pendiente"])
        persona = pendiente_a.capturista
        rel_b = RelacionCapturista(contratista_id=mundo.b.id, capturista_id=persona.id, telefono="5511111111",
                                   correo="atacante@correo.example", estatus="pendiente", token_version=1)
        rel_b.copiar_datos_de(persona)
        db.session.add(rel_b)
        db.session.commit()
        token_b = token_activacion(rel_b)
        db.session.remove()
    assert activar(app.test_client(), f"/activacion/{token_b}", "misma.persona", CLAVE_NUEVA).status_code == 303
    assert _relacion(app, mundo.a.relaciones["pendiente"])[:2] == ("pendiente", 1)
    # A's link still opens; it no longer creates a usuario (the person has one): it asks to log in.
    r = app.test_client().get(f"/activacion/{mundo.token_activacion}")
    assert r.status_code == 200 and "Iniciar sesión para aceptar" in r.get_data(as_text=True)
    r = activar(app.test_client(), f"/activacion/{mundo.token_activacion}", "otro.usuario", CLAVE_NUEVA)
    assert r.status_code == 403
    # Whoever holds the usuario B's link created: A is not among its contractors, and A's relation
    # cannot be accepted as an invitation (it is not one).
    atacante = app.test_client()
    r = atacante.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(atacante),
                                                          "usuario": "misma.persona", "password": CLAVE_NUEVA})
    assert r.status_code == 303
    r = atacante.post("/capturista/contratistas", data={"csrf_token": token_csrf(atacante), "contratista_id": mundo.a.id})
    assert r.status_code == 404
    r = atacante.post(f"/capturista/invitaciones/{mundo.a.relaciones['pendiente']}/aceptar",
                      data={"csrf_token": token_csrf(atacante)})
    assert r.status_code == 404
    assert _relacion(app, mundo.a.relaciones["pendiente"])[:2] == ("pendiente", 1)


# --- another contractor's link --------------------------------------------------------------------------

def test_liga_de_otro_contratista_solo_activa_su_relacion(app, mundo):
    """B's activation link creates the usuario of B's capturista and touches nothing of A."""
    with app.app_context():
        from services.tokens import token_activacion

        token_b = token_activacion(db.session.get(RelacionCapturista, mundo.b.relaciones["pendiente"]))
        db.session.remove()
    antes_a = foto(app, mundo.a.id)
    assert activar(app.test_client(), f"/activacion/{token_b}", "capturista.beta", CLAVE_NUEVA).status_code == 303
    assert not diferencias(antes_a, foto(app, mundo.a.id)), "activar con la liga de B cambió datos de A"
    assert _relacion(app, mundo.b.relaciones["pendiente"])[0] == "activo"
    assert _relacion(app, mundo.a.relaciones["pendiente"]) == ("pendiente", 1, None)
    # A's own link is still good, and still only for A's capturista.
    assert app.test_client().get(f"/activacion/{mundo.token_activacion}").status_code == 200
    # The new capturista works for B only.
    client = app.test_client()
    r = client.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(client),
                                                        "usuario": "capturista.beta", "password": CLAVE_NUEVA})
    assert r.status_code == 303
    for ajeno, esperado in ((mundo.a.id, 404), (mundo.b.id, 303)):
        r = client.post("/capturista/contratistas", data={"csrf_token": token_csrf(client), "contratista_id": ajeno})
        assert r.status_code == esperado


def test_activar_no_reactiva_relaciones_dadas_de_baja_por_otro_contratista(app, mundo):
    """A person pending at A and in baja at B: A's link activates A's relation, B's baja stays."""
    with app.app_context():
        persona = db.session.get(RelacionCapturista, mundo.a.relaciones["pendiente"]).capturista
        rel_b = RelacionCapturista(contratista_id=mundo.b.id, capturista_id=persona.id, telefono="5511111111",
                                   correo="baja.en.b@correo.example", estatus="baja", token_version=3,
                                   baja_en=datetime.now(timezone.utc))
        rel_b.copiar_datos_de(persona)
        db.session.add(rel_b)
        db.session.commit()
        rel_b_id = rel_b.id
        db.session.remove()
    r = activar(app.test_client(), f"/activacion/{mundo.token_activacion}", "persona.doble", CLAVE_NUEVA)
    assert r.status_code == 303
    assert _relacion(app, mundo.a.relaciones["pendiente"])[0] == "activo"
    assert _relacion(app, rel_b_id)[0] == "baja"
    client = app.test_client()
    r = client.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(client),
                                                        "usuario": "persona.doble", "password": CLAVE_NUEVA})
    assert r.status_code == 303
    r = client.post("/capturista/contratistas", data={"csrf_token": token_csrf(client), "contratista_id": mundo.b.id})
    assert r.status_code == 404


def test_restablecer_solo_cambia_la_contrasena_de_su_capturista(app, mundo):
    with app.app_context():
        otro = db.session.scalar(select(Capturista).where(Capturista.usuario == "jose.beta"))
        otro_id, hash_otro = otro.id, otro.password_hash
        db.session.remove()
    assert _restablecer(app.test_client(), mundo.token_restablecer).status_code == 303
    assert _hash_de(app, otro_id) == hash_otro
    client = app.test_client()
    for password, esperado in ((CLAVE_CAPTURISTA, 422), (CLAVE_NUEVA, 303)):
        r = client.post("/capturista/iniciar-sesion", data={"csrf_token": token_csrf(client),
                                                            "usuario": USUARIO_CAPTURISTA, "password": password})
        assert r.status_code == esperado
