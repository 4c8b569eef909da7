"""Swagger UI at /docs, from this server alone: its scripts and styles are served from the
pinned swagger-ui-bundle package (no CDN), so the page works with no internet, and the
version shown is the one in the lock files."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets/"
ASSETS = Path(str(swagger_ui_path))
# What flask-smorest's page loads (and the source maps browsers ask for beside them).
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "swagger-ui.css.map", "swagger-ui-bundle.js.map",
                    "swagger-ui-standalone-preset.js.map", "favicon-16x16.png",
                    "favicon-32x32.png"})

blp = Blueprint("docs_assets", __name__)


@blp.route(f"{ASSETS_PATH}<name>")
def asset(name: str) -> Response:
    """One of Swagger UI's files; anything else is a 404."""
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=86400)


@blp.route("/favicon.ico")
def favicon() -> Response:
    """What browsers ask every origin for: Swagger UI's icon."""
    return send_from_directory(ASSETS, "favicon-32x32.png", max_age=86400,
                               mimetype="image/png")


def install(app: Flask) -> None:
    """Serve the assets and point flask-smorest's Swagger UI page at them."""
    app.config.update(OPENAPI_SWAGGER_UI_PATH=DOCS_PATH.lstrip("/"),
                      OPENAPI_SWAGGER_UI_URL=ASSETS_PATH)
    app.register_blueprint(blp)
