"""API tokens: shown once at creation, never again."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict
from api.schemas.fields import Choice, Id, Text
from storage.tokens import TOKEN_ROLES


class TokenCreateSchema(Strict):
    name = Text(200, required=True)
    role = Choice(TOKEN_ROLES, required=True)
    client_id = Id(metadata={"description": "required for (and only for) role client"})

    @ma.validates_schema
    def client_tokens_name_their_client(self, data: dict, **_: object) -> None:
        if (data.get("role") == "client") != (data.get("client_id") is not None):
            raise ma.ValidationError("a client token needs client_id, and only a client token",
                                     field_name="client_id")


class TokenSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    client_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class NewTokenSchema(ma.Schema):
    id = ma.fields.String(required=True)
    token = ma.fields.String(required=True, metadata={"description": "shown once; keep it"})
