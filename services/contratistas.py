"""The contractor's own records: its Datos Generales."""
from __future__ import annotations

from extensions import db
from models import Contratista, DatosGenerales

CAMPOS_DATOS_GENERALES = ("razon_social", "registro_patronal", "registro_repse", "calle", "numero", "colonia",
                          "codigo_postal", "municipio", "entidad", "telefono", "correo_contacto")


def guardar_datos_generales(contratista: Contratista, datos: dict) -> DatosGenerales:
    """Create or update the contractor's Datos Generales from validated values. Commits."""
    registro = contratista.datos_generales or DatosGenerales(contratista=contratista)
    for campo in CAMPOS_DATOS_GENERALES:
        setattr(registro, campo, datos[campo])
    db.session.add(registro)
    db.session.commit()
    return registro
