"""API tokens, managed by admins."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.idempotent import answer_of, once
from api.problems import problem
from api.schemas.tokens import NewTokenSchema, TokenCreateSchema, TokenSchema
from api.security import actor, allow
from api.services import services
from storage.tables import Cursor

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens",
                description="API tokens (admin only); a secret is shown once")


@blp.route("")
class Tokens(MethodView):
    @allow("admin")
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body: dict) -> tuple:
        """Create a token; its secret is in this answer and nowhere else."""
        info, secret = services().tokens.create(
            name=body["name"], role=body["role"], client_id=body.get("client_id"),
            created_by=actor().id, also=repeat_answer())
        return {"id": info.id, "token": secret}, {
            "Location": url_for("tokens.Token", token_id=info.id)}

    @allow("admin")
    @blp.response(200, TokenSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    def get(self) -> object:
        """Every token, without secrets."""
        return services().tokens.list()


def repeat_answer() -> Callable[[Cursor, str], None] | None:
    """With an Idempotency-Key: what a repeat gets, written with the token. A secret is shown
    once and stored nowhere, so a repeat learns the token's id, not its secret (a 409)."""
    claim = once()
    if claim is None:
        return None

    def write(cursor: Cursor, token_id: str) -> None:
        location = url_for("tokens.Token", token_id=token_id)
        refusal = problem(409, f"this request already created token {token_id}; its secret is "
                               "shown only once", kind="token-already-created",
                          headers={"Location": location})
        claim.write(cursor, answer_of(refusal))

    return write


@blp.route("/<uuid:token_id>")
class Token(MethodView):
    @allow("admin")
    @blp.response(200, TokenSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, token_id: UUID) -> object:
        """One token, without its secret."""
        return services().tokens.get(str(token_id))

    @allow("admin")
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, token_id: UUID) -> None:
        """Revoke a token: refused from the next request on."""
        services().tokens.revoke(str(token_id))
