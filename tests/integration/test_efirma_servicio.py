"""services/efirma.py: the trusted CAs come from EFIRMA_CA_DIR at each use, and wrong passwords are
throttled (5 → wait 15 minutes): per contractor when signing, per (certificate, client) when logging
in; only wrong passwords count."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine

from domain.efirma import EfirmaInvalida
from services import efirma as srv
from tests.efirma import autoridad, der, fiel, pem
from tests.factories import crear_contratista

MALA = "NoEsLaClave2026"


def _rechazo(abrir, *args) -> EfirmaInvalida:
    with pytest.raises(EfirmaInvalida) as exc:
        abrir(*args)
    return exc.value


def test_firmar_con_la_efirma_del_contratista(app, efirma_de):
    with app.app_context():
        contratista = crear_contratista()
        firma = srv.abrir_para_firmar(contratista, *efirma_de(contratista))
        assert firma.firmante.rfc == contratista.rfc
        otro = crear_contratista()
        exc = _rechazo(srv.abrir_para_firmar, contratista, *efirma_de(otro))
        assert exc.mensaje.startswith(f"Esta e.firma pertenece al RFC {otro.rfc}, no al RFC {contratista.rfc}")


def test_cinco_contrasenas_incorrectas_hacen_esperar_15_minutos(app, efirma_de):
    with app.app_context():
        contratista, otro = crear_contratista(), crear_contratista()
        cer, key, password = efirma_de(contratista)
        inicio = datetime.now(timezone.utc)
        with time_machine.travel(inicio, tick=False):
            for _ in range(4):
                exc = _rechazo(srv.abrir_para_firmar, contratista, cer, key, MALA)
                assert exc.mensaje == "La contraseña de la clave privada es incorrecta." and exc.contrasena_incorrecta
            exc = _rechazo(srv.abrir_para_firmar, contratista, cer, key, MALA)
            assert "demasiadas veces" in exc.mensaje and "espera 15 minutos" in exc.mensaje
            assert exc.campo == "password"
            # While it waits, even the right password is refused...
            exc = _rechazo(srv.abrir_para_firmar, contratista, cer, key, password)
            assert "espera 15 minutos" in exc.mensaje and not exc.contrasena_incorrecta
            # ...and another contractor is not affected.
            assert srv.abrir_para_firmar(otro, *efirma_de(otro)).firmante.rfc == otro.rfc
        with time_machine.travel(inicio + timedelta(minutes=16), tick=False):
            assert srv.abrir_para_firmar(contratista, cer, key, password).firmante.rfc == contratista.rfc


def test_la_espera_dice_los_minutos_configurados(app, efirma_de):
    app.config.update(EFIRMA_FALLOS_MAXIMOS=2, EFIRMA_ESPERA_MINUTOS=7)
    with app.app_context():
        contratista = crear_contratista()
        cer, key, _ = efirma_de(contratista)
        _rechazo(srv.abrir_para_firmar, contratista, cer, key, MALA)
        assert "espera 7 minutos" in _rechazo(srv.abrir_para_firmar, contratista, cer, key, MALA).mensaje


def test_solo_cuentan_las_contrasenas_incorrectas(app, efirma_de, efirma_ca):
    """Other refusals (a damaged key, another RFC, a CSD, an expired e.firma) never make anybody wait."""
    with app.app_context():
        contratista, otro = crear_contratista(), crear_contratista()
        cer, key, password = efirma_de(contratista)
        vencida = efirma_de(contratista, desde=datetime.now(timezone.utc) - timedelta(days=9),
                            hasta=datetime.now(timezone.utc) - timedelta(days=1))
        for _ in range(3):
            for intento in [(cer, b"danado", password), efirma_de(otro), fiel(efirma_ca, rfc=contratista.rfc, csd=True),
                            (vencida[0], vencida[1], MALA), (cer, key, "")]:
                assert not _rechazo(srv.abrir_para_firmar, contratista, *intento).contrasena_incorrecta
        assert srv.abrir_para_firmar(contratista, cer, key, password)


def test_entrar_cuenta_por_certificado_y_cliente(app, efirma_de):
    with app.app_context():
        rfc = crear_contratista().rfc
        cer, key, password = efirma_de(rfc)
        for _ in range(4):
            assert _rechazo(srv.abrir_para_entrar, cer, key, MALA, "203.0.113.9").contrasena_incorrecta
        assert "espera 15 minutos" in _rechazo(srv.abrir_para_entrar, cer, key, MALA, "203.0.113.9").mensaje
        assert "espera 15 minutos" in _rechazo(srv.abrir_para_entrar, cer, key, password, "203.0.113.9").mensaje
        # The owner, from another machine, still enters; another certificate from that client too.
        assert srv.abrir_para_entrar(cer, key, password, "198.51.100.7").firmante.rfc == rfc
        otra = efirma_de(crear_contratista())
        assert srv.abrir_para_entrar(*otra, "203.0.113.9")
        # Signing keeps its own count.
        contratista = crear_contratista()
        assert srv.abrir_para_firmar(contratista, *efirma_de(contratista))


def test_entrar_el_mismo_certificado_en_pem_no_da_intentos_nuevos(app, efirma_de):
    """The count follows the certificate's number, not the file's bytes."""
    from cryptography import x509

    with app.app_context():
        cer, key, _ = efirma_de(crear_contratista())
        cer_pem = pem(x509.load_der_x509_certificate(cer))
        for i in range(5):
            _rechazo(srv.abrir_para_entrar, cer if i % 2 else cer_pem, key, MALA, "203.0.113.9")
        assert "espera" in _rechazo(srv.abrir_para_entrar, cer, key, MALA, "203.0.113.9").mensaje


# --- The CAs of EFIRMA_CA_DIR ---------------------------------------------------------------------------

def test_sin_autoridades_no_se_acepta_ninguna_y_se_registra(app, caplog):
    ca = autoridad()
    with app.app_context(), caplog.at_level(logging.ERROR, logger="services.efirma"):
        contratista = crear_contratista()
        exc = _rechazo(srv.abrir_para_firmar, contratista, *fiel(ca, rfc=contratista.rfc))
    assert "no tiene configuradas las autoridades certificadoras" in exc.mensaje
    assert "EFIRMA_CA_DIR" in caplog.text and "no se acepta ninguna" in caplog.text


def test_una_autoridad_instalada_sirve_sin_reiniciar(app):
    ca = autoridad()
    with app.app_context():
        contratista = crear_contratista()
        efirma = fiel(ca, rfc=contratista.rfc)
        _rechazo(srv.abrir_para_firmar, contratista, *efirma)
        (Path(app.config["EFIRMA_CA_DIR"]) / "AC4_SAT.crt").write_bytes(pem(ca[0]))
        assert srv.abrir_para_firmar(contratista, *efirma).firmante.emisor == "AC de pruebas"


def test_carpeta_relativa_a_la_carpeta_de_instancia(app, tmp_path):
    ca = autoridad()
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance" / "ac_sat").mkdir(parents=True)
    (tmp_path / "instance" / "ac_sat" / "ac.cer").write_bytes(der(ca[0]))
    app.config["EFIRMA_CA_DIR"] = "ac_sat"
    with app.app_context():
        assert [c.subject for c in srv.autoridades()] == [ca[0].subject]


def test_un_archivo_danado_en_la_carpeta_se_registra(app, efirma_ca, caplog):
    (Path(app.config["EFIRMA_CA_DIR"]) / "descarga_incompleta.cer").write_bytes(b"<html>404</html>")
    with app.app_context(), caplog.at_level(logging.ERROR, logger="services.efirma"):
        assert srv.autoridades() == []
    assert "descarga_incompleta.cer" in caplog.text
