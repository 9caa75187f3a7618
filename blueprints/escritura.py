"""``@escribe``: a GET view that writes (a confirmation link, an expired download).

Read requests run without SQLite's write lock (extensions.py); a view marked here ends the read
transaction the request may have opened (loading the user) and writes in a BEGIN IMMEDIATE one.
"""
from functools import wraps

from flask import g

from extensions import db


def escribe(vista):
    @wraps(vista)
    def envoltura(*args, **kwargs):
        g.escribe = True
        db.session.rollback()  # nothing written yet: only ends the read snapshot
        return vista(*args, **kwargs)

    return envoltura
