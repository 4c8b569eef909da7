"""API tokens, managed by admins."""

from __future__ import annotations

from uuid import UUID

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.schemas.tokens import NewTokenSchema, TokenCreateSchema, TokenSchema
from api.security import actor, allow
from api.services import services

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
            created_by=actor().id)
        return {"id": info.id, "token": secret}, {
            "Location": url_for("tokens.Token", token_id=info.id)}

    @allow("admin")
    @blp.response(200, TokenSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    def get(self) -> object:
        """Every token, without secrets."""
        return services().tokens.list()


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
