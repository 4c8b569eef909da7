"""Clients: companies the agency recruits for."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict


class ClientCreateSchema(Strict):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class ClientSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
