"""Clients: companies the agency recruits for."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict
from api.schemas.fields import Text


class ClientCreateSchema(Strict):
    name = Text(200, required=True)


class ClientSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
