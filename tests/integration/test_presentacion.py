"""Firma y presentación, the service (issue 15): a signed informativa becomes presented with an acuse whose
sello verifies against the cadena original rebuilt from the database; folios; immutability in the service
and in the database; Sin información; complementarias (Corrección, Sin efectos) and their limits."""
from __future__ import annotations

import base64
import re
from datetime import datetime, timezone

import pytest
import time_machine
from cryptography import x509
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from domain import efirma as efirma_dominio
from domain.periodos import Periodo
from extensions import db
from models import Acuse, Bitacora, Contrato, FolioAnual, Informativa, Trabajador
from models.types import ahora_utc
from services import informativas as srv
from services import presentacion
from tests.factories import crear_contratista, crear_informativa

ANIO = ahora_utc().year % 100


def enviada(contratista, **opciones) -> Informativa:
    """A complete informativa (2026-2 unless told) sent to signature."""
    informativa = db.session.get(Informativa, crear_informativa(contratista, **opciones))
    informativa.estado = Informativa.ENVIADA
    informativa.enviada_en = ahora_utc()
    db.session.commit()
    return informativa


def abrir(app, archivos, rfc: str, ahora: datetime | None = None) -> efirma_dominio.Efirma:
    cer, key, password = archivos
    return efirma_dominio.abrir(cer, key, password, rfc_esperado=rfc, ahora=ahora or ahora_utc(),
                                autoridades=efirma_dominio.cargar_autoridades(app.config["EFIRMA_CA_DIR"]))


@pytest.fixture
def contratista(app):
    with app.app_context():
        yield crear_contratista(razon_social="Alfa Servicios, S.A.")


@pytest.fixture
def firma(app, contratista, efirma_de):
    return abrir(app, efirma_de(contratista), contratista.rfc)


def presentar(informativa, contratista, firma) -> Acuse:
    return presentacion.presentar(informativa, contratista, firma, informativa.version, "contratista:" + contratista.rfc)


def test_firmar_presenta_la_informativa_con_su_acuse(app, contratista, firma):
    informativa = enviada(contratista, contratos=2, trabajadores=3)
    acuse = presentar(informativa, contratista, firma)

    assert informativa.estado == Informativa.PRESENTADA and informativa.presentada_en == acuse.fecha
    assert re.fullmatch(rf"N{ANIO:02d}\d{{6}}", acuse.folio)
    assert (acuse.contratos, acuse.trabajadores) == (2, 6)
    assert acuse.rfc == contratista.rfc and acuse.numero_certificado == firma.firmante.numero_certificado
    assert acuse.razon_social == "Alfa Servicios, S.A."
    assert acuse.en_tiempo is False  # 2026-2 closed on 17/09/2026; today is later
    # The sello is RSA-SHA256 over the cadena original, verifiable with the stored certificate alone.
    cadena = presentacion.texto_cadena(informativa).encode("utf-8")
    certificado = x509.load_der_x509_certificate(acuse.certificado)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    certificado.public_key().verify(base64.b64decode(acuse.sello), cadena, padding.PKCS1v15(), hashes.SHA256())
    assert cadena.startswith(f"||1|{acuse.folio}|".encode())
    assert presentacion.verificar(acuse.folio).valida
    entrada = db.session.scalars(select(Bitacora).where(Bitacora.accion == "presentacion")).one()
    assert entrada.detalle["folio"] == acuse.folio and entrada.informativa_id == informativa.id


def test_en_tiempo_hasta_el_vencimiento(app, contratista, efirma_de):
    archivos = efirma_de(contratista, desde=datetime(2026, 1, 1, tzinfo=timezone.utc))
    informativa = enviada(contratista)
    # 2026-2 (May–August) is due on Thursday 17 September 2026, until 23:59 Mexico City time.
    with time_machine.travel(datetime(2026, 9, 18, 5, 59, tzinfo=timezone.utc), tick=False):
        acuse = presentar(informativa, contratista, abrir(app, archivos, contratista.rfc))
    assert acuse.en_tiempo is True and str(acuse.vencimiento) == "2026-09-17"


def test_nada_se_presenta_antes_de_que_termine_su_periodo(app, contratista, firma):
    informativa = enviada(contratista, periodo=(2026, 3))  # September–December 2026: opens 1 January 2027
    with pytest.raises(srv.ErrorInformativa, match="a partir del 1/01/2027"):
        presentar(informativa, contratista, firma)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Acuse)) == 0


@pytest.mark.parametrize("estado", [Informativa.BORRADOR, Informativa.DEVUELTA])
def test_solo_se_firma_una_enviada(app, contratista, firma, estado):
    informativa = enviada(contratista)
    informativa.estado = estado
    db.session.commit()
    with pytest.raises(srv.ErrorInformativa) as exc:
        presentar(informativa, contratista, firma)
    assert exc.value.status == 409


def test_una_version_vieja_no_se_firma(app, contratista, firma):
    informativa = enviada(contratista)
    with pytest.raises(srv.Conflicto):
        presentacion.presentar(informativa, contratista, firma, informativa.version - 1, "x")


def test_los_folios_siguen_una_secuencia_por_anio_y_un_fallo_devuelve_su_numero(app, contratista, firma):
    primera = enviada(contratista, periodo=(2026, 1))
    segunda = enviada(contratista, periodo=(2026, 2))
    folio1 = presentar(primera, contratista, firma).folio

    class Rota:
        firmante = firma.firmante

        def firmar(self, digest):
            raise RuntimeError("el dispositivo de firma falló")

    with pytest.raises(RuntimeError):
        presentacion.presentar(segunda, contratista, Rota(), segunda.version, "x")
    db.session.rollback()
    folio2 = presentar(db.session.get(Informativa, segunda.id), contratista, firma).folio
    assert int(folio2[-6:]) == int(folio1[-6:]) + 1
    assert db.session.get(FolioAnual, ahora_utc().year).ultimo == int(folio2[-6:])


def test_una_presentada_no_cambia_por_el_servicio(app, contratista, firma):
    informativa = enviada(contratista)
    presentar(informativa, contratista, firma)
    contrato = db.session.scalars(select(Contrato).where(Contrato.informativa_id == informativa.id)).first()
    with pytest.raises(srv.NoEditable):
        srv.eliminar_contrato(informativa, contrato, contrato.version, "x")
    with pytest.raises(srv.ErrorInformativa):
        srv.devolver(informativa, "otra vez", "x")
    with pytest.raises(srv.ErrorInformativa):
        presentar(informativa, contratista, firma)


@pytest.mark.parametrize("sentencia", [
    "UPDATE trabajador SET sbc = 999 WHERE informativa_id = :i",
    "UPDATE contrato SET objeto = 'otro' WHERE informativa_id = :i",
    "UPDATE informativa SET tipo = 'sin_informacion' WHERE id = :i",
    "UPDATE acuse SET sello = 'x' WHERE informativa_id = :i",
    "INSERT INTO contrato (informativa_id, numero, rfc_contratante, nombre_contratante, correo_contratante, "
    "telefono_contratante, objeto, servicio, fecha_inicio, busqueda, version, creado_en, actualizado_en) "
    "SELECT informativa_id, 99, rfc_contratante, nombre_contratante, correo_contratante, telefono_contratante, "
    "objeto, servicio, fecha_inicio, busqueda, 1, creado_en, actualizado_en FROM contrato WHERE informativa_id = :i",
    "INSERT INTO trabajador (contrato_id, informativa_id, nss, curp, nombre, primer_apellido, segundo_apellido, sbc, "
    "nombre_orden, busqueda, version, creado_en) SELECT contrato_id, informativa_id, '00000000000', curp, nombre, "
    "primer_apellido, segundo_apellido, sbc, nombre_orden, busqueda, 1, creado_en FROM trabajador "
    "WHERE informativa_id = :i LIMIT 1",
])
def test_la_base_de_datos_rechaza_cambios_a_una_presentada(app, contratista, firma, sentencia):
    informativa = enviada(contratista)
    presentar(informativa, contratista, firma)
    with pytest.raises(DBAPIError, match="informativa presentada"):
        db.session.execute(text(sentencia), {"i": informativa.id})
    db.session.rollback()
    assert presentacion.verificar(informativa.acuse.folio).valida


def test_la_base_de_datos_deja_cambiar_una_que_no_esta_presentada(app, contratista):
    informativa = enviada(contratista)
    db.session.execute(text("UPDATE trabajador SET sbc = 999 WHERE informativa_id = :i"), {"i": informativa.id})
    db.session.commit()


def sin_candados(conexion):
    """What someone with the database's keys could do: drop the triggers, change a row, put them back."""
    class _Candados:
        def __enter__(self):
            if conexion.dialect.name == "postgresql":
                conexion.execute(text("ALTER TABLE trabajador DISABLE TRIGGER trabajador_de_presentada_no_cambia"))
            else:
                self.sql = conexion.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                                 "AND name = 'trabajador_de_presentada_no_cambia'")).scalar_one()
                conexion.execute(text("DROP TRIGGER trabajador_de_presentada_no_cambia"))

        def __exit__(self, *exc):
            if conexion.dialect.name == "postgresql":
                conexion.execute(text("ALTER TABLE trabajador ENABLE TRIGGER trabajador_de_presentada_no_cambia"))
            else:
                conexion.execute(text(self.sql))
    return _Candados()


def test_un_trabajador_cambiado_en_la_base_hace_fallar_la_verificacion(app, contratista, firma, runner):
    informativa = enviada(contratista, contratos=2, trabajadores=2)
    folio = presentar(informativa, contratista, firma).folio
    resultado = runner.invoke(args=["informativa", "verificar-acuse", folio])
    assert resultado.exit_code == 0 and "VÁLIDO" in resultado.output

    conexion = db.session.connection()
    with sin_candados(conexion):
        db.session.execute(update(Trabajador).where(Trabajador.informativa_id == informativa.id,
                                                    Trabajador.id == select(func.max(Trabajador.id)).scalar_subquery())
                           .values(sbc=Trabajador.sbc + 1).execution_options(synchronize_session=False))
    db.session.commit()

    verificacion = presentacion.verificar(folio)
    assert not verificacion.digest_coincide and not verificacion.sello_valido
    resultado = runner.invoke(args=["informativa", "verificar-acuse", folio])
    assert resultado.exit_code == 1 and "NO VÁLIDO" in resultado.output
    assert runner.invoke(args=["informativa", "verificar-acuse", "N99999999"]).exit_code != 0


def test_sin_informacion_se_presenta_directo(app, contratista, firma):
    ahora = ahora_utc()
    periodos = presentacion.periodos_para_sin_informacion(contratista.id, ahora)
    assert periodos[0] == Periodo(2026, 2)  # the one due last; 2026-3 is still in course
    acuse = presentacion.presentar_sin_informacion(contratista, Periodo(2026, 2), firma, "x")
    assert re.fullmatch(rf"SI{ANIO:02d}\d{{6}}", acuse.folio)
    assert (acuse.contratos, acuse.trabajadores) == (0, 0)
    assert acuse.informativa.tipo == Informativa.SIN_INFORMACION and acuse.informativa.presentada
    assert presentacion.verificar(acuse.folio).valida
    assert Periodo(2026, 2) not in presentacion.periodos_para_sin_informacion(contratista.id, ahora)
    with pytest.raises(srv.ErrorInformativa):
        presentacion.presentar_sin_informacion(contratista, Periodo(2026, 2), firma, "x")
    with pytest.raises(srv.ErrorInformativa):  # not open yet
        presentacion.presentar_sin_informacion(contratista, Periodo(2026, 3), firma, "x")


def test_correccion_copia_lo_presentado_y_lo_sustituye_al_firmarse(app, contratista, firma):
    original = enviada(contratista, contratos=2, trabajadores=3)
    folio_original = presentar(original, contratista, firma).folio
    correccion = presentacion.crear_correccion(original, "x")

    assert (correccion.numero, correccion.clase, correccion.estado) == (1, Informativa.CORRECCION, Informativa.BORRADOR)
    assert correccion.complementa_id == original.id
    resumen = srv.resumen(correccion)
    assert (resumen.contratos, resumen.trabajadores) == (2, 6)
    # The copy is the capturistas' to change; the original stays as filed.
    contrato = db.session.scalars(select(Contrato).where(Contrato.informativa_id == correccion.id)).first()
    srv.eliminar_contrato(correccion, contrato, contrato.version, "x")
    db.session.commit()
    assert srv.resumen(original).contratos == 2
    with pytest.raises(srv.ErrorInformativa, match="en captura"):
        presentacion.crear_correccion(original, "x")

    correccion.estado = Informativa.ENVIADA
    db.session.commit()
    acuse = presentar(correccion, contratista, firma)
    assert re.fullmatch(rf"C{ANIO:02d}\d{{6}}", acuse.folio)
    assert f"|1|correccion|normal|{folio_original}|1|3|" in presentacion.texto_cadena(correccion)
    serie = presentacion.serie_de(original)
    assert serie.vigente.id == correccion.id and serie.sustituta_de(original).id == correccion.id
    assert presentacion.verificar(folio_original).valida and presentacion.verificar(acuse.folio).valida
    with pytest.raises(srv.ErrorInformativa, match="vigente"):
        presentacion.crear_correccion(original, "x")


def test_a_lo_mas_cuatro_complementarias_por_periodo(app, contratista, firma):
    vigente = enviada(contratista)
    presentar(vigente, contratista, firma)
    for numero in range(1, 5):
        correccion = presentacion.crear_correccion(vigente, "x")
        assert correccion.numero == numero
        correccion.estado = Informativa.ENVIADA
        db.session.commit()
        presentar(correccion, contratista, firma)
        vigente = correccion
    serie = presentacion.serie_de(vigente)
    assert serie.motivo_sin_complementaria(vigente) == "Este periodo ya tiene 4 complementarias, el máximo permitido."
    with pytest.raises(srv.ErrorInformativa, match="máximo"):
        presentacion.crear_correccion(vigente, "x")
    with pytest.raises(srv.ErrorInformativa, match="máximo"):
        presentacion.presentar_sin_efectos(vigente, contratista, firma, "x")
    db.session.rollback()
    # The database holds the line too.
    with pytest.raises(DBAPIError):
        db.session.add(Informativa(contratista_id=contratista.id, anio=2026, periodo=2, numero=5, tipo="normal",
                                   creado_por="x"))
        db.session.flush()


def test_sin_efectos_cancela_la_vigente(app, contratista, firma):
    original = enviada(contratista)
    folio_original = presentar(original, contratista, firma).folio
    acuse = presentacion.presentar_sin_efectos(original, contratista, firma, "x")
    cancelacion = acuse.informativa
    assert (cancelacion.clase, cancelacion.numero, cancelacion.presentada) == (Informativa.SIN_EFECTOS, 1, True)
    assert re.fullmatch(rf"C{ANIO:02d}\d{{6}}", acuse.folio) and acuse.contratos == 0
    assert f"|sin_efectos|sin_informacion|{folio_original}|0|0||" in presentacion.texto_cadena(cancelacion)
    serie = presentacion.serie_de(original)
    assert serie.vigente is None and serie.sustituta_de(original).id == cancelacion.id
    with pytest.raises(srv.ErrorInformativa, match="vigente"):
        presentacion.crear_correccion(original, "x")
    with pytest.raises(srv.ErrorInformativa, match="vigente"):
        presentacion.presentar_sin_efectos(cancelacion, contratista, firma, "x")


def test_el_acuse_de_otro_contratista_no_se_alcanza(app, contratista, firma, efirma_de):
    otro = crear_contratista()
    mia = enviada(contratista)
    presentar(mia, contratista, firma)
    assert srv.de_contratista(otro.id, mia.id) is None


def test_el_pdf_del_acuse_dice_lo_que_se_presento(app, contratista, firma):
    import io

    from pypdf import PdfReader

    from services import acuse as acuse_srv

    informativa = enviada(contratista, contratos=1, trabajadores=2)
    acuse = presentar(informativa, contratista, firma)
    with app.test_request_context():
        lector = PdfReader(io.BytesIO(acuse_srv.pdf(acuse)))
    texto = " ".join(pagina.extract_text() for pagina in lector.pages)
    assert len(lector.pages) == 1
    for esperado in (acuse.folio, "Alfa Servicios, S.A.", contratista.rfc, acuse.numero_certificado, acuse.digest,
                     "Extemporánea", "Segundo cuatrimestre de 2026", "OCSP"):
        assert esperado in texto.replace("\n", " "), esperado
    # The sello is wrapped across lines: all of it is there.
    assert acuse.sello in re.sub(r"\s", "", texto)
