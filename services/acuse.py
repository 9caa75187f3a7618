"""What the acuse de presentación says (``renglones``, shared by its HTML page and its PDF) and the PDF
itself (fpdf2, one Letter page).

fpdf2's built-in Helvetica covers Spanish (Latin-1); anything outside Latin-1 in a contractor's data
is written as its closest Latin-1 letter, or "?", instead of failing the download.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from fpdf import FPDF

from domain.calendario import ZONA, dia_mes_anio
from domain.periodos import Periodo
from models import Acuse, Informativa
from services.presentacion import folio_complementado

AVISO_REVOCACION = ("La vigencia del certificado y su emisión por una autoridad certificadora de confianza se "
                    "verificaron al firmar. Su revocación (OCSP del SAT) no se consultó: este sistema la "
                    "verifica sin conexión.")


@dataclass(frozen=True)
class Renglon:
    etiqueta: str
    valor: str


def tipo_de(informativa: Informativa) -> str:
    if informativa.es_complementaria:
        return informativa.clase_etiqueta
    return informativa.tipo_etiqueta


def renglones(acuse: Acuse) -> list[Renglon]:
    """What the acuse says, in order."""
    informativa = acuse.informativa
    rfc_contratista = informativa.contratista.rfc
    complementada = folio_complementado(informativa)
    periodo = Periodo(informativa.anio, informativa.periodo)
    fecha = acuse.fecha.astimezone(ZONA)
    filas = [
        Renglon("Folio", acuse.folio),
        Renglon("Tipo de informativa", tipo_de(informativa)),
    ]
    if complementada:
        filas.append(Renglon("Complementa a", complementada))
    filas += [
        Renglon("Periodo", periodo.titulo),
        Renglon("Contratista", f"{acuse.razon_social} (RFC {rfc_contratista})"),
        Renglon("Contratos", f"{acuse.contratos:,}"),
        Renglon("Trabajadores", f"{acuse.trabajadores:,}"),
        Renglon("Fecha y hora de presentación", f"{dia_mes_anio(fecha.date())} {fecha:%H:%M:%S} (hora de la Ciudad de México)"),
        Renglon("Presentación", ("Presentada en tiempo" if acuse.en_tiempo else "Extemporánea")
                + f" (vencimiento: {dia_mes_anio(acuse.vencimiento)})"),
        Renglon("Firmada por", acuse.firmante + (f" (RFC {acuse.rfc_representante})" if acuse.rfc_representante else "")),
        Renglon("Número de certificado", acuse.numero_certificado),
        Renglon("Autoridad certificadora", acuse.emisor),
        Renglon("Digesto de la cadena original (SHA-256)", acuse.digest),
        Renglon("Sello digital", acuse.sello),
    ]
    return filas


def _latin1(texto: str) -> str:
    try:
        texto.encode("latin-1")
        return texto
    except UnicodeEncodeError:
        return "".join(c if ord(c) < 256 else (unicodedata.normalize("NFKD", c).encode("latin-1", "ignore")
                                               .decode("latin-1") or "?") for c in texto)


def pdf(acuse: Acuse) -> bytes:
    doc = FPDF(format="Letter")
    doc.set_title(_latin1(f"Acuse de presentación {acuse.folio}"))
    doc.set_author("Capturistas ICSOE")
    doc.set_creation_date(acuse.fecha)
    doc.set_margins(20, 20, 20)
    doc.add_page()
    doc.set_font("Helvetica", "B", 15)
    doc.multi_cell(0, 8, _latin1("Acuse de presentación de la informativa de contratos de servicios u obras "
                                 "especializadas (art. 15 A LSS)"), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    for r in renglones(acuse):
        doc.set_font("Helvetica", "B", 9)
        doc.multi_cell(0, 5, _latin1(r.etiqueta), new_x="LMARGIN", new_y="NEXT")
        largo = r.etiqueta in ("Sello digital", "Digesto de la cadena original (SHA-256)")
        doc.set_font("Courier" if largo else "Helvetica", "", 8 if largo else 11)
        # The sello is one 344-character word: wrap it anywhere.
        doc.multi_cell(0, 5 if largo else 6, _latin1(r.valor), new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        doc.ln(2)
    doc.ln(2)
    doc.set_font("Helvetica", "I", 8)
    doc.multi_cell(0, 4, _latin1(AVISO_REVOCACION + f" Verifique este acuse con: flask informativa verificar-acuse "
                                 f"{acuse.folio}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
