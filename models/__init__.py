"""All models, importable from one place (``from models import Contratista``)."""
from models.contratista import Contratista, DatosGenerales

__all__ = ["Contratista", "DatosGenerales"]
