from datetime import datetime, timedelta, timezone

from models import Contratista

AHORA = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def test_cinco_fallos_bloquean_quince_minutos():
    c = Contratista(rfc="X", correo="x", password_hash="", intentos_fallidos=0)
    for _ in range(4):
        c.registrar_fallo(AHORA, maximo=5, minutos=15)
        assert not c.bloqueado(AHORA)
    c.registrar_fallo(AHORA, maximo=5, minutos=15)
    assert c.bloqueado(AHORA)
    assert c.bloqueado(AHORA + timedelta(minutes=14, seconds=59))
    assert not c.bloqueado(AHORA + timedelta(minutes=15))


def test_acceso_correcto_reinicia_el_contador():
    c = Contratista(rfc="X", correo="x", password_hash="", intentos_fallidos=0)
    for _ in range(4):
        c.registrar_fallo(AHORA, maximo=5, minutos=15)
    c.registrar_acceso(AHORA)
    assert c.intentos_fallidos == 0
    c.registrar_fallo(AHORA, maximo=5, minutos=15)
    assert not c.bloqueado(AHORA)
