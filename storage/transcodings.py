"""How hirelog's value objects are stored in events. The names are a permanent contract."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

from domain.values import Actor, Skill


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, Any]:
        return {"id": obj.id, "name": obj.name, "role": obj.role,
                "client_id": str(obj.client_id) if obj.client_id else None}

    def decode(self, data: dict[str, Any]) -> Actor:
        client_id = data.get("client_id")
        return Actor(data["id"], data["name"], data["role"],
                     UUID(client_id) if client_id else None)


class SkillAsDict(Transcoding):
    type = Skill
    name = "skill"

    def encode(self, obj: Skill) -> dict[str, Any]:
        return {"name": obj.name, "weight": obj.weight, "required": obj.required}

    def decode(self, data: dict[str, Any]) -> Skill:
        return Skill(data["name"], data["weight"], data["required"])


ALL = (DateAsISO(), ActorAsDict(), SkillAsDict())
