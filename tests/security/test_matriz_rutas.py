"""Route × role matrix: every route of ``app.url_map`` (but ``static``) with every role.

Roles: anonymous, contractor A (owner of every id in the URLs), contractor B (another tenant),
an activated capturista of A, and a contractor without Datos Generales. For each route and method
the expected outcome is in ``tests/security/rutas.py::MATRIZ``; a route missing from it fails
``test_cada_ruta_esta_clasificada`` (future routes must be classified).
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.security.estadisticas import ESTADISTICAS, contar
from tests.security.mundo import (
    AJENO,
    ANONIMO,
    CAPTURISTA,
    DUENO,
    ROLES,
    SIN_DATOS,
    cliente_de,
    crear_mundo,
    diferencias,
    foto,
    token_csrf,
)
from tests.security.rutas import (
    CON_TOKEN,
    DATOS_GENERALES,
    LOGIN,
    MATRIZ,
    NO_EXISTE,
    celdas_de_la_app,
    construir_url,
    reglas_de_la_app,
)

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tamano_de_la_matriz(app) -> dict[str, int]:
    reglas = reglas_de_la_app(app)
    celdas = celdas_de_la_app(app)
    return {"reglas": len(reglas), "roles": len(ROLES), "reglas_x_roles": len(reglas) * len(ROLES),
            "regla_metodo": len(celdas), "casos": len(celdas) * len(ROLES)}


def test_cada_ruta_esta_clasificada(app):
    celdas = celdas_de_la_app(app)
    sin_clasificar = sorted(celdas - set(MATRIZ))
    assert not sin_clasificar, (
        "Rutas nuevas sin clasificar en tests/security/rutas.py::MATRIZ (agrega qué obtiene cada rol): "
        f"{sin_clasificar}")
    obsoletas = sorted(set(MATRIZ) - celdas)
    assert not obsoletas, f"La matriz clasifica rutas que ya no existen: {obsoletas}"
    for celda, por_rol in MATRIZ.items():
        assert set(por_rol) == set(ROLES), celda
    _politicas_de_la_matriz(app)
    tamano = tamano_de_la_matriz(app)
    # The matrix the role tests walk: each (rule, method) once per role.
    assert tamano["casos"] == len(MATRIZ) * len(ROLES)
    assert tamano["reglas_x_roles"] == len({e for e, _ in MATRIZ}) * len(ROLES)
    print(f"\nMatriz de rutas × roles: {tamano['reglas']} rutas × {tamano['roles']} roles = "
          f"{tamano['reglas_x_roles']}; por método: {tamano['regla_metodo']} × {tamano['roles']} = "
          f"{tamano['casos']} casos")
    ESTADISTICAS.update({f"matriz_{k}": v for k, v in tamano.items()})


# Pages anybody may open (brief: login pages, registro, activation links, recuperar / restablecer).
PUBLICAS = {"auth.login", "auth.login_efirma", "auth.registro", "auth.registro_enviado", "auth.confirmar", "auth.logout", "auth.recuperar",
            "auth.restablecer", "capturista.login", "capturista.recuperar", "capturista.restablecer",
            "activacion.activar", "activacion.nueva_liga", "activacion.liga_enviada"}


def _politicas_de_la_matriz(app):
    """The rules a classification must follow, so a new route cannot be classified loosely."""
    for regla in reglas_de_la_app(app):
        for metodo in regla.methods - {"HEAD", "OPTIONS"}:
            por_rol = MATRIZ[(regla.endpoint, metodo)]
            donde = f"{metodo} {regla.rule}"
            if regla.endpoint not in PUBLICAS:
                assert por_rol[ANONIMO].denegado, f"{donde}: el anónimo debe ir a iniciar sesión"
            if regla.rule.startswith(("/administracion", "/informativas")):
                assert por_rol[SIN_DATOS] is DATOS_GENERALES, f"{donde}: sin Datos Generales → datos-generales"
                assert por_rol[CAPTURISTA] is LOGIN and por_rol[ANONIMO] is LOGIN, donde
            ids = {"relacion_id", "exportacion_id", "carga_capturistas_id"} & set(regla.arguments)
            if regla.rule.startswith("/informativas"):
                ids |= {"informativa_id"} & set(regla.arguments)
            if regla.rule.startswith("/capturista") and ids:
                # A capturista's routes with ids: another person's relation is a 404 for the capturista.
                assert por_rol[CAPTURISTA] is NO_EXISTE, f"{donde}: relación ajena → 404"
            elif ids or regla.endpoint == "alta_usuarios.alta":
                assert por_rol[AJENO] is NO_EXISTE, f"{donde}: B con ids de A → 404"


def _texto(respuesta) -> str:
    """What a person would see: the page, or the cells of a downloaded workbook."""
    if respuesta.mimetype == MIME_XLSX and respuesta.status_code == 200 and respuesta.data[:2] == b"PK":
        try:
            libro = load_workbook(io.BytesIO(respuesta.data), read_only=True)
        except Exception:  # not a real workbook (the fixture's fake file): its bytes
            return respuesta.data.decode("latin-1")
        return "\n".join(str(v) for hoja in libro.worksheets for fila in hoja.iter_rows(values_only=True)
                         for v in fila if v is not None)
    return respuesta.get_data(as_text=True)


@pytest.mark.parametrize("rol", ROLES)
def test_matriz_por_rol(app, rol):
    mundo = crear_mundo(app)
    client = cliente_de(app, mundo, rol)
    token = token_csrf(client)
    fallos: list[str] = []
    casos = 0
    for (endpoint, metodo), por_rol in MATRIZ.items():
        esperado = por_rol[rol]
        url = construir_url(app, endpoint, mundo)
        antes = foto(app) if esperado.denegado else None
        antes_a = foto(app, mundo.a.id) if rol == AJENO else None
        if metodo == "GET":
            r = client.get(url)
        else:
            r = client.post(url, data={"csrf_token": token})
        casos += 1
        donde = f"[{rol}] {metodo} {url} ({endpoint})"
        if r.status_code >= 500:
            fallos.append(f"{donde}: error {r.status_code}")
            continue
        problema = esperado.problema(r)
        if problema:
            fallos.append(f"{donde}: {problema}")
        if rol == ANONIMO and esperado.denegado and "/iniciar-sesion" not in r.headers.get("Location", ""):
            fallos.append(f"{donde}: el anónimo no va a una página de inicio de sesión")
        if antes is not None and (cambios := diferencias(antes, foto(app))):
            fallos.append(f"{donde}: una petición rechazada cambió la base de datos: {cambios}")
        if rol == AJENO:
            if cambios := diferencias(antes_a, foto(app, mundo.a.id)):
                fallos.append(f"{donde}: B cambió datos de A: {cambios}")
            if endpoint not in CON_TOKEN:
                visto = _texto(r)
                fugas = [m for m in mundo.a.marcadores if m in visto]
                if fugas:
                    fallos.append(f"{donde}: B ve datos de A: {fugas}")
        if endpoint == "consulta.consulta" and r.status_code == 200:
            propio = {DUENO: mundo.a, AJENO: mundo.b}[rol]
            curp = next(m for m in propio.marcadores if len(m) == 18 and m.isalnum() and m.isupper())
            if curp not in r.get_data(as_text=True):
                fallos.append(f"{donde}: la Consulta no muestra a los capturistas propios")
    contar("matriz_casos_revisados", casos)
    assert casos == len(MATRIZ)
    assert not fallos, "\n".join(fallos)
