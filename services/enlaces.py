"""Absolute links for e-mail (activation, reset, confirmation): BASE_URL + the route."""
from flask import current_app, url_for


def url_externa(endpoint: str, **valores) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **valores)
