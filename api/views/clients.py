"""Clients: POST /clients, GET /clients (a list), GET /clients/{id}."""

from __future__ import annotations

from uuid import UUID

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.consistency import from_cursor, read_model
from api.representations import client_state
from api.schemas.clients import ClientCreateSchema, ClientSchema
from api.schemas.common import ReceiptSchema, VersionQuerySchema
from api.schemas.reads import (
    ClientListQuerySchema,
    ClientPageSchema,
    DashboardSchema,
    ReadQuerySchema,
)
from api.security import ALL_ROLES, allow, caller, scope
from api.services import recruitment
from projections.candidates_queries import client_known, dashboard
from projections.directory_queries import client_page, decode_key

blp = Blueprint("clients", __name__, url_prefix="/api/v1/clients",
                description="Companies the agency recruits for")


@blp.route("")
class Clients(MethodView):
    @allow("admin", "recruiter")
    @blp.arguments(ClientCreateSchema)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body: dict) -> tuple:
        """Register a client."""
        receipt = recruitment().register_client(body["name"], caller())
        return receipt, {"Location": url_for("clients.Client", client_id=receipt.id)}

    @allow(*ALL_ROLES)
    @blp.arguments(ClientListQuerySchema, location="query")
    @blp.response(200, ClientPageSchema)
    @blp.alt_response(400, response="BAD_REQUEST", description="not a cursor from this API")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self, query: dict) -> dict:
        """The clients this token may see (a client token: its own), by name; page with
        `next_cursor` (a client registered meanwhile before the cursor's name is not on the
        next pages)."""
        with read_model("candidates", query.get("min_position")) as view:
            return client_page(view, limit=query["limit"], q=query.get("q"),
                               after=from_cursor(query.get("cursor"), decode_key, None))


@blp.route("/<uuid:client_id>")
class Client(MethodView):
    @allow(*ALL_ROLES)
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, ClientSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query: dict, client_id: UUID) -> tuple:
        """A client (a client token sees only its own)."""
        client = recruitment().get_client(client_id, scope(), query.get("version"),
                                          as_of=query.get("as_of"))
        return client_state(client), {"ETag": f'"{client.version}"'}


@blp.route("/<uuid:client_id>/dashboard")
@allow(*ALL_ROLES)
@blp.arguments(ReadQuerySchema, location="query")
@blp.response(200, DashboardSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def client_dashboard(query: dict, client_id: UUID) -> dict:
    """Open positions with counts per stage, interviews in the next 14 days, picks and
    decisions the client still owes, offers awaiting an answer."""
    with read_model("candidates", query.get("min_position")) as view:
        if not client_known(view, str(client_id)):
            abort(404, message=f"no client with id {client_id}")
        return dashboard(view, str(client_id), recruitment().clock())
