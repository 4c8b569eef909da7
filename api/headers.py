"""Security headers on every response: nothing is sniffed as another type, nothing is cached
(the API answers personal data: names, emails, notes), and nothing may frame it. The API
answers JSON, so its policy allows nothing at all; Swagger UI (/docs) needs its scripts and
styles (served by this origin, api/docs.py) and the OpenAPI document of this origin. Swagger
UI's own files, the same for everyone, may be cached."""

from __future__ import annotations

from flask import Flask, Response, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' "
               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def install(app: Flask, docs_path: str, assets_path: str) -> None:
    static = (assets_path, "/favicon.ico")

    def secure(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        if not (request.path.startswith(static) and response.status_code in (200, 304)):
            headers["Cache-Control"] = "no-store"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if request.path == docs_path:
            headers["Content-Security-Policy"] = DOCS_POLICY
        else:
            headers["Content-Security-Policy"] = API_POLICY
        return response

    app.after_request(secure)
