"""Concord's server: the secretariat's pages, the REST API and the Word add-in, in one Flask app."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:  # loaded by create_app only: the command line's inspect and merge need no database
    from addin.store import Store


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask application (flaskr-style factory).

    Settings are read by ``addin.config.configure``; the instance folder (store, certificate,
    secret key) is ``CONCORD_INSTANCE`` if set, else Flask's ``instance/`` beside the package.
    """
    from addin import api, auth, config, secretariat, taskpane
    from addin.store import Store

    app = Flask(__name__, instance_relative_config=True, instance_path=config.instance_folder(test_config))
    os.makedirs(app.instance_path, exist_ok=True)
    config.configure(app, test_config)

    store = Store(app.config["DATABASE_URL"])
    store.fail_interrupted_jobs()
    app.extensions["concord_store"] = store

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(secretariat.bp)
    app.register_blueprint(taskpane.bp)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(Exception, _unexpected)
    # The submissions mailbox is polled only when CONCORD_IMAP_ENABLED is on (off by default).
    from addin.mail.mailbox import start_poller

    start_poller(app)
    return app


def get_store() -> Store:
    """The store of the running app (``addin.store.Store``)."""
    return current_app.extensions["concord_store"]


def _error(exc: HTTPException):
    """API errors are JSON ``{"error": <code name>, "message": <sentence>}``; pages get HTML."""
    if request.path.startswith("/api/"):
        response = jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description)
        response.status_code = exc.code or 500
        if exc.code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="concord"'
        return response
    return exc


def _unexpected(exc: Exception):
    """A bug, not the user's fault: logged with its traceback; the API still answers in JSON."""
    if isinstance(exc, HTTPException):
        return _error(exc)
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response = jsonify(error="internal_server_error",
                           message=f"the server failed ({type(exc).__name__}); the error is logged")
        response.status_code = 500
        return response
    return "Internal server error: the error is logged.", 500
