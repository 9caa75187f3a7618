"""All models, importable from one place (``from models import Contratista``)."""
from models.capturista import Bitacora, Capturista, CorreoSaliente, PersonaPadron, RelacionCapturista, ValidacionCurp
from models.contratista import Contratista, DatosGenerales
from models.exportacion import Exportacion

__all__ = [
    "Bitacora", "Capturista", "Contratista", "CorreoSaliente", "DatosGenerales", "Exportacion",
    "PersonaPadron", "RelacionCapturista", "ValidacionCurp",
]
