"""A refused change of an informativa (409: someone changed it first, it was already sent, a rule
fails): nothing is saved, and the answer leads back to the page as it is now."""
from flask import Response, flash, render_template, request

from extensions import db


def rechazo(mensaje: str, volver: str, status: int = 409):
    """A plain form gets a page that says why, with a link to reload ``volver``. An htmx request,
    whatever element it came from, navigates to ``volver`` with the message: the part of the page it
    would swap may no longer exist there (a row of an informativa that is now read-only)."""
    db.session.rollback()
    if request.headers.get("HX-Request") == "true":
        flash(mensaje, "error")
        return Response(status=status, headers={"HX-Redirect": volver})
    return render_template("rechazo.html", mensaje=mensaje, volver=volver,
                           volver_texto="Volver a cargar la informativa"), status
