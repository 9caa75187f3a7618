"""Password policy shared by contractors and capturistas."""
from __future__ import annotations

MINIMO = 10


def problemas(contrasena: str, prohibidas: tuple[str, ...] = ()) -> list[str]:
    """Spanish messages for each rule the password breaks (empty list: acceptable)."""
    errores: list[str] = []
    if len(contrasena) < MINIMO:
        errores.append(f"La contraseña debe tener al menos {MINIMO} caracteres.")
    if not any(c.isalpha() for c in contrasena) or not any(c.isdigit() for c in contrasena):
        errores.append("La contraseña debe combinar letras y números.")
    baja = contrasena.casefold()
    for texto in prohibidas:
        if texto and texto.casefold() in baja:
            errores.append("La contraseña no puede contener tu RFC, CURP ni tu usuario.")
            break
    return errores
