"""Absolute links for e-mail (activation, reset, confirmation, reminders): BASE_URL + the route."""
from flask import current_app, has_request_context, url_for


def url_externa(endpoint: str, **valores) -> str:
    """Also outside a request (the Huey worker, the CLI): the route is then built in a request
    context of its own, since BASE_URL gives the scheme and host either way."""
    if not has_request_context():
        with current_app.test_request_context():
            return url_externa(endpoint, **valores)
    return current_app.config["BASE_URL"] + url_for(endpoint, **valores)
