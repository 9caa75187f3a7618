"""All models, importable from one place (``from models import Contratista``)."""
from models.capturista import (
    Bitacora,
    Capturista,
    CargaCapturistas,
    CorreoSaliente,
    FilaCargaCapturistas,
    PersonaPadron,
    RelacionCapturista,
    ValidacionCurp,
)
from models.contratista import Contratista, DatosGenerales
from models.exportacion import Exportacion
from models.informativa import Acuse, CargaTrabajadores, Contratante, Contrato, FolioAnual, Informativa, Trabajador
from models.recordatorio import RecordatorioEnviado

__all__ = [
    "Acuse", "Bitacora", "CargaCapturistas", "CargaTrabajadores", "Capturista", "Contratante", "Contratista",
    "Contrato", "CorreoSaliente", "DatosGenerales", "Exportacion", "FilaCargaCapturistas", "FolioAnual", "Informativa",
    "PersonaPadron", "RecordatorioEnviado", "RelacionCapturista", "Trabajador", "ValidacionCurp",
]
