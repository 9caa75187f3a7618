"""Reminders of the informativa's deadline: who gets them, on which days, at most once (also with two
workers at the same moment), what they say once delivered over SMTP, the CLI and the Huey schedule."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from domain.recordatorios import recordatorios_del_dia
from extensions import db
from models import CorreoSaliente, Informativa, RecordatorioEnviado
from services import recordatorios as srv
from tests.ayudantes import a_la_vez, entregar_correos
from tests.factories import crear_capturista_activo, crear_contratista, crear_informativa, crear_persona, crear_relacion

# 2026/2 (mayo–agosto) is due on jueves 17 de septiembre de 2026 (a business day).
SIETE_ANTES = date(2026, 9, 10)
DOS_ANTES = date(2026, 9, 15)


@dataclass(frozen=True)
class Mundo:
    a: int
    b: int
    correo_a: str
    correo_b: str


MARIA = "maria@correo.example"    # active capturista of A and of B
PEDRO = "pedro@correo.example"    # active capturista of B only
ANA = "ana@correo.example"        # A's capturista, dado de baja
LUIS = "luis@correo.example"      # invited by A, never activated
SIN_USUARIO = "sin.usuario@correo.example"  # an active relation whose person has no usuario


@pytest.fixture
def mundo(app) -> Mundo:
    """Two contractors that must file (A, B), one unverified and one without Datos Generales, and
    capturistas in every situation."""
    with app.app_context():
        a = crear_contratista(razon_social="Limpieza Industrial del Bajío, S.A. de C.V.")
        b = crear_contratista(razon_social="Vigilancia del Norte, S.A.")
        crear_contratista(sin_verificar=True)
        crear_contratista(con_datos=False)
        crear_capturista_activo(a, b, correo=MARIA)
        crear_capturista_activo(b, usuario="pedro.soto", curp="SOPP800101HDFTDR01", correo=PEDRO)
        ana = crear_persona("RUAA800101MDFZNN02", "ANA", "RUIZ", "ÁLVAREZ", usuario="ana.ruiz")
        ana.correo = ANA
        crear_relacion(a, ana, correo=ANA, estatus="baja")
        crear_relacion(a, crear_persona("SOML800101HDFTRS03", "LUIS", "SOTO"), correo=LUIS)
        sin_usuario = crear_persona("OCHJ800101HDFCRN04", "JUAN", "OCHOA")
        sin_usuario.correo = SIN_USUARIO
        crear_relacion(a, sin_usuario, correo=SIN_USUARIO, estatus="activo")
        db.session.commit()
        return Mundo(a.id, b.id, a.correo, b.correo)


def _salientes(app) -> list[tuple[str, int]]:
    """(destinatario, contratista_id) of every reminder in the outbox, sorted."""
    with app.app_context():
        filas = db.session.execute(select(CorreoSaliente.destinatario, CorreoSaliente.contratista_id)
                                   .where(CorreoSaliente.tipo == srv.TIPO)).all()
        db.session.remove()
    return sorted(tuple(f) for f in filas)


def _enviar(app, hoy: date | None = None) -> int:
    with app.app_context():
        try:
            return srv.enviar_recordatorios(hoy)
        finally:
            db.session.remove()


def _todos(m: Mundo) -> list[tuple[str, int]]:
    return sorted([(m.correo_a, m.a), (MARIA, m.a), (m.correo_b, m.b), (MARIA, m.b), (PEDRO, m.b)])


def _solo_b(m: Mundo) -> list[tuple[str, int]]:
    return sorted([(m.correo_b, m.b), (MARIA, m.b), (PEDRO, m.b)])


def _marcar(app, contratista_id: int, estado: str, *, tipo: str = Informativa.NORMAL, numero: int = 0) -> None:
    with app.app_context():
        db.session.add(Informativa(contratista_id=contratista_id, anio=2026, periodo=2, numero=numero, tipo=tipo,
                                   estado=estado, creado_por="prueba"))
        db.session.commit()


# --- who and when -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hoy, dias", [(SIETE_ANTES, 7), (DOS_ANTES, 2)])
def test_siete_y_dos_dias_antes_al_contratista_y_sus_capturistas_activos(app, mundo, hoy, dias):
    """Verified contractors with Datos Generales and their active, activated capturistas; not a
    capturista in baja, one who never activated, nor another contractor's. María works for both
    contractors: one e-mail for each."""
    assert _enviar(app, hoy) == 5
    assert _salientes(app) == _todos(mundo)
    with app.app_context():
        marcas = db.session.execute(select(RecordatorioEnviado.contratista_id, RecordatorioEnviado.anio,
                                           RecordatorioEnviado.periodo, RecordatorioEnviado.dias,
                                           RecordatorioEnviado.correos)).all()
    assert sorted(tuple(m) for m in marcas) == [(mundo.a, 2026, 2, dias, 2), (mundo.b, 2026, 2, dias, 3)]


@pytest.mark.parametrize("hoy", [date(2026, 9, 9), date(2026, 9, 11), date(2026, 9, 14), date(2026, 9, 16),
                                 date(2026, 9, 17), date(2026, 9, 18), date(2026, 8, 31), date(2026, 5, 10)])
def test_ningun_otro_dia(app, mundo, hoy):
    assert _enviar(app, hoy) == 0
    assert _salientes(app) == []


@pytest.mark.parametrize("hoy, enviados", [(date(2026, 5, 11), 5), (date(2026, 5, 16), 5), (date(2026, 5, 10), 0),
                                           (date(2026, 5, 15), 0)])
def test_cuenta_desde_el_vencimiento_recorrido(app, mundo, hoy, enviados):
    """2026/1's 17th is a Sunday: it is due on lunes 18 de mayo, so its reminders go on the 11th and
    the 16th (calendar days, a Saturday included), not on the 10th and the 15th."""
    assert _enviar(app, hoy) == enviados


@pytest.mark.parametrize("tipo, numero", [(Informativa.NORMAL, 0), (Informativa.SIN_INFORMACION, 0),
                                          (Informativa.NORMAL, 1)])
def test_no_si_el_periodo_esta_presentado(app, mundo, tipo, numero):
    """Any presented informativa of the period (any tipo, any numero) means there is nothing to remind."""
    _marcar(app, mundo.a, Informativa.PRESENTADA, tipo=tipo, numero=numero)
    assert _enviar(app, SIETE_ANTES) == 3
    assert _salientes(app) == _solo_b(mundo)


def test_otro_periodo_presentado_no_cuenta(app, mundo):
    with app.app_context():
        db.session.add(Informativa(contratista_id=mundo.a, anio=2026, periodo=1, estado=Informativa.PRESENTADA,
                                   creado_por="prueba"))
        db.session.commit()
    assert _enviar(app, SIETE_ANTES) == 5


def test_seleccion_deja_fuera_lo_presentado_y_lo_ya_recordado(app, mundo):
    """The run's starting list: only A and B, without what is presented or already reminded (each
    transaction checks both again, below)."""
    [recordatorio] = recordatorios_del_dia(SIETE_ANTES, (7, 2))
    with app.app_context():
        assert srv.contratistas_por_recordar(recordatorio) == [mundo.a, mundo.b]
    _marcar(app, mundo.a, Informativa.PRESENTADA)
    with app.app_context():
        assert srv.contratistas_por_recordar(recordatorio) == [mundo.b]
        db.session.add(RecordatorioEnviado(contratista_id=mundo.b, anio=2026, periodo=2, dias=7))
        db.session.commit()
        assert srv.contratistas_por_recordar(recordatorio) == []
        # The 2-day reminder is another one.
        [dos] = recordatorios_del_dia(DOS_ANTES, (7, 2))
        assert srv.contratistas_por_recordar(dos) == [mundo.b]


def test_presentada_despues_de_la_seleccion(app, mundo, monkeypatch):
    """The contractor signs while the run is under way: its reminder is not sent."""
    seleccion = srv.contratistas_por_recordar

    def seleccion_y_luego_firma(recordatorio):
        ids = seleccion(recordatorio)
        db.session.commit()  # SQLite: this thread's write lock, before the signing takes it
        _marcar(app, mundo.a, Informativa.PRESENTADA)
        return ids

    monkeypatch.setattr(srv, "contratistas_por_recordar", seleccion_y_luego_firma)
    assert _enviar(app, SIETE_ANTES) == 3
    assert _salientes(app) == _solo_b(mundo)
    with app.app_context():
        assert db.session.scalars(select(RecordatorioEnviado.contratista_id)).all() == [mundo.b]


# --- at most once -------------------------------------------------------------------------------------


def test_una_sola_vez_aunque_corra_dos_veces(app, mundo):
    assert _enviar(app, SIETE_ANTES) == 5
    assert _enviar(app, SIETE_ANTES) == 0
    assert _salientes(app) == _todos(mundo)
    # The 2-day reminder is another one.
    assert _enviar(app, DOS_ANTES) == 5
    assert _enviar(app, DOS_ANTES) == 0
    assert len(_salientes(app)) == 10


def test_recordatorio_ya_registrado_no_se_repite(app, mundo):
    with app.app_context():
        db.session.add(RecordatorioEnviado(contratista_id=mundo.a, anio=2026, periodo=2, dias=7))
        db.session.commit()
    assert _enviar(app, SIETE_ANTES) == 3
    assert _salientes(app) == _solo_b(mundo)


def test_otro_trabajador_lo_envio_despues_de_la_seleccion(app, mundo, monkeypatch):
    """A run that chose its contractors before another run committed A's reminder: the unique key stops
    it, and it goes on with B."""
    seleccion = srv.contratistas_por_recordar

    def seleccion_y_luego_el_otro(recordatorio):
        ids = seleccion(recordatorio)
        db.session.commit()  # SQLite: this thread's write lock, before the other worker takes it
        with app.app_context():  # the other worker: its own session and transaction
            db.session.add(RecordatorioEnviado(contratista_id=mundo.a, anio=2026, periodo=2, dias=7))
            db.session.commit()
            db.session.remove()
        return ids

    monkeypatch.setattr(srv, "contratistas_por_recordar", seleccion_y_luego_el_otro)
    assert _enviar(app, SIETE_ANTES) == 3
    assert _salientes(app) == _solo_b(mundo)


def test_dos_trabajadores_a_la_vez_envian_una_vez(app, mundo, monkeypatch):
    """Two workers both choose the same contractors (a barrier makes sure of it) and then send: each
    reminder goes once, whichever gets it."""
    seleccion = srv.contratistas_por_recordar
    barrera = threading.Barrier(2, timeout=30)

    def seleccion_a_la_vez(recordatorio):
        ids = seleccion(recordatorio)
        db.session.commit()  # SQLite: leave the write lock before waiting for the other one
        barrera.wait()
        return ids

    monkeypatch.setattr(srv, "contratistas_por_recordar", seleccion_a_la_vez)
    resultados = a_la_vez([lambda: _enviar(app, SIETE_ANTES), lambda: _enviar(app, SIETE_ANTES)])
    assert sum(resultados) == 5
    assert _salientes(app) == _todos(mundo)
    with app.app_context():
        assert db.session.scalar(select(func.count(RecordatorioEnviado.id))) == 2


# --- what they say -----------------------------------------------------------------------------------


def _cuerpos(mensaje) -> tuple[str, str]:
    return mensaje.get_body(("plain",)).get_content(), mensaje.get_body(("html",)).get_content()


def test_llegan_por_smtp_con_periodo_plazo_estado_y_liga(app, mundo, smtp):
    _marcar(app, mundo.b, Informativa.ENVIADA)
    assert _enviar(app, SIETE_ANTES) == 5
    assert entregar_correos(app) == 5
    por_destino = {}
    for mensaje in smtp.mensajes:
        por_destino.setdefault(mensaje["To"], []).append(mensaje)
    assert sorted(por_destino) == sorted([mundo.correo_a, mundo.correo_b, MARIA, PEDRO])

    # The contractor without an informativa yet.
    [a] = por_destino[mundo.correo_a]
    texto, html = _cuerpos(a)
    periodo = "segundo cuatrimestre de 2026 (mayo–agosto)"
    assert a["Subject"] == f"Faltan 7 días para presentar la informativa del {periodo}"
    assert "Hola, Limpieza Industrial del Bajío, S.A. de C.V.:" in texto
    assert f"la informativa del {periodo} todavía no se ha presentado: vence el jueves 17 de septiembre de 2026, " \
           "faltan 7 días" in texto
    assert "Todavía no se ha iniciado la informativa de este periodo." in texto
    assert "Estado de la informativa" not in texto
    assert "http://localhost/informativas" in texto and 'href="http://localhost/informativas"' in html

    # The contractor whose informativa waits for its signature.
    [b] = por_destino[mundo.correo_b]
    texto, html = _cuerpos(b)
    assert "Estado de la informativa: Enviada a firma." in texto
    assert "Ya está lista para tu firma" in texto and "<strong>Enviada a firma</strong>" in html

    # María gets one for each contractor, each naming it, with the link to her workspace.
    asuntos = sorted(m["Subject"] for m in por_destino[MARIA])
    assert asuntos == [f"Faltan 7 días para presentar la informativa del {periodo} de Limpieza Industrial del Bajío, "
                       "S.A. de C.V.", f"Faltan 7 días para presentar la informativa del {periodo} de Vigilancia del "
                       "Norte, S.A."]
    for mensaje in por_destino[MARIA]:
        texto, html = _cuerpos(mensaje)
        assert texto.startswith("Hola, GUADALUPE HERNÁNDEZ GARCÍA:")
        assert "http://localhost/capturista/" in texto and 'href="http://localhost/capturista/"' in html
    [de_b] = [m for m in por_destino[MARIA] if "Vigilancia" in m["Subject"]]
    assert "solo falta que Vigilancia del Norte, S.A. la firme y la presente" in _cuerpos(de_b)[0]


@pytest.mark.parametrize("estado, frase", [
    (Informativa.BORRADOR, "Tus usuarios capturistas la están preparando"),
    (Informativa.DEVUELTA, "La devolviste para corrección"),
])
def test_dice_el_estado_de_la_informativa(app, mundo, estado, frase):
    _marcar(app, mundo.a, estado)
    assert _enviar(app, DOS_ANTES) == 5
    with app.app_context():
        texto = db.session.scalar(select(CorreoSaliente.cuerpo_texto).where(
            CorreoSaliente.destinatario == mundo.correo_a))
    assert f"Estado de la informativa: {Informativa.ETIQUETAS[estado]}." in texto
    assert frase in texto and "faltan 2 días" in texto


def test_la_razon_social_va_escapada_en_el_html(app, smtp):
    with app.app_context():
        crear_contratista(razon_social="Obras & Servicios <del Bajío>, S.A.")
    assert _enviar(app, SIETE_ANTES) == 1
    entregar_correos(app)
    texto, html = _cuerpos(smtp.mensajes[0])
    assert "Hola, Obras & Servicios <del Bajío>, S.A.:" in texto
    assert "Obras &amp; Servicios &lt;del Bajío&gt;, S.A." in html and "<del Bajío>" not in html


def test_con_una_informativa_real_en_borrador(app, mundo):
    """An informativa built as the capturistas do (the factory's): still a reminder."""
    with app.app_context():
        from models import Contratista

        crear_informativa(db.session.get(Contratista, mundo.a), periodo=(2026, 2))
    assert _enviar(app, SIETE_ANTES) == 5


# --- today, the CLI and the Huey schedule ---------------------------------------------------------------


@pytest.mark.parametrize("instante, enviados", [
    (datetime(2026, 9, 10, 5, 59, tzinfo=timezone.utc), 0),   # still 9 de septiembre in Mexico City
    (datetime(2026, 9, 10, 6, 0, tzinfo=timezone.utc), 5),    # 00:00 of the 10th there
    (datetime(2026, 9, 11, 5, 59, tzinfo=timezone.utc), 5),   # 23:59 of the 10th there
])
def test_hoy_es_la_fecha_de_la_ciudad_de_mexico(app, mundo, instante, enviados):
    with time_machine.travel(instante, tick=False):
        assert _enviar(app) == enviados


def test_comando_con_fecha(app, mundo, runner):
    resultado = runner.invoke(args=["recordatorios", "enviar", "--fecha", "2026-09-10"])
    assert resultado.exit_code == 0, resultado.output
    assert "Correos de recordatorio encolados: 5" in resultado.output
    assert "encolados: 0" in runner.invoke(args=["recordatorios", "enviar", "--fecha", "2026-09-10"]).output
    assert "encolados: 0" in runner.invoke(args=["recordatorios", "enviar", "--fecha", "2026-09-11"]).output
    assert _salientes(app) == _todos(mundo)


def test_comando_rechaza_una_fecha_mal_escrita(runner):
    resultado = runner.invoke(args=["recordatorios", "enviar", "--fecha", "10/09/2026"])
    assert resultado.exit_code == 2 and "--fecha" in resultado.output


def test_tarea_periodica_a_las_seis_de_la_ciudad_de_mexico():
    """Huey checks its periodic tasks each minute with a naive UTC time: 12:00 UTC is 06:00 there."""
    import tareas

    def toca(*fecha):
        return any(isinstance(t, tareas.enviar_recordatorios.task_class)
                   for t in tareas.huey.read_periodic(datetime(*fecha)))

    assert toca(2026, 9, 10, 12, 0) and toca(2026, 1, 5, 12, 0)
    assert not any(toca(2026, 9, 10, h, m) for h, m in [(6, 0), (11, 59), (12, 1), (18, 0), (0, 0)])
    assert sum(toca(2026, 9, 10, h, m) for h in range(24) for m in range(60)) == 1  # once a day


def test_tarea_periodica_encola_los_del_dia(app, mundo):
    import tareas

    tareas.usar_app(app)
    try:
        with time_machine.travel(datetime(2026, 9, 10, 12, 0, tzinfo=timezone.utc), tick=False):
            tareas.enviar_recordatorios.call_local()
            tareas.enviar_recordatorios.call_local()
    finally:
        tareas.usar_app(None)
    assert _salientes(app) == _todos(mundo)
