"""Positions: open, read, revise the rubric, change the status."""

from __future__ import annotations

from uuid import UUID

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.consistency import from_cursor, read_model
from api.representations import position_state
from api.schemas.common import ReceiptSchema, VersionQuerySchema
from api.schemas.positions import (
    PositionCreateSchema,
    PositionSchema,
    RubricRevisionSchema,
    StatusChangeSchema,
)
from api.schemas.reads import (
    PipelineSchema,
    PositionListQuerySchema,
    PositionPageSchema,
    ReadQuerySchema,
    ShortlistQuerySchema,
    ShortlistSchema,
)
from api.security import ALL_ROLES, allow, caller, scope
from api.services import recruitment
from domain.values import Skill
from projections.candidates_queries import pipeline, position_row
from projections.directory_queries import decode_key, position_page
from projections.reads import View
from projections.shortlist_queries import shortlist

blp = Blueprint("positions", __name__, url_prefix="/api/v1/positions",
                description="A client's openings and their skill rubrics")


def visible_position(view: View, position_id: UUID) -> dict:
    """The position's row, or 404 (also for another client's position)."""
    row = position_row(view, str(position_id))
    if row is None:
        abort(404, message=f"no position with id {position_id}")
    assert row is not None  # abort() raises; flask_smorest does not say so in types
    return row


def skills(body: dict) -> list[Skill]:
    return [Skill(s["name"], s["weight"], s["required"]) for s in body["skills"]]


@blp.route("")
class Positions(MethodView):
    @allow(*ALL_ROLES)
    @blp.arguments(PositionListQuerySchema, location="query")
    @blp.response(200, PositionPageSchema)
    @blp.alt_response(400, response="BAD_REQUEST", description="not a cursor from this API")
    @blp.alt_response(404, response="NOT_FOUND",
                      description="a client token asked for another client's")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self, query: dict) -> dict:
        """The positions this token may see (a client token: its own client's), oldest
        opened first, by client, status or part of the title; page with `next_cursor`."""
        with read_model("candidates", query.get("min_position")) as view:
            return position_page(
                view, limit=query["limit"],
                after=from_cursor(query.get("cursor"), decode_key, None),
                client_id=str(query["client_id"]) if "client_id" in query else None,
                status=query.get("status"), q=query.get("q"))

    @allow("admin", "recruiter")
    @blp.arguments(PositionCreateSchema)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body: dict) -> tuple:
        """Open a position for a client, with its rubric and assessment."""
        receipt = recruitment().open_position(
            client_id=body["client_id"], title=body["title"], headcount=body["headcount"],
            skills=skills(body), assessment_name=body["assessment"]["name"],
            assessment_minutes=body["assessment"]["duration_minutes"], caller=caller())
        return receipt, {"Location": url_for("positions.Position", position_id=receipt.id)}


@blp.route("/<uuid:position_id>")
class Position(MethodView):
    @allow(*ALL_ROLES)
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, PositionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query: dict, position_id: UUID) -> tuple:
        """A position with its current rubric and every earlier revision."""
        position = recruitment().get_position(position_id, scope(), query.get("version"),
                                              as_of=query.get("as_of"))
        return position_state(position), {"ETag": f'"{position.version}"'}


@blp.route("/<uuid:position_id>/rubric", methods=["POST"])
@allow("admin", "recruiter")
@blp.arguments(RubricRevisionSchema)
@blp.response(200, ReceiptSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
def revise_rubric(body: dict, position_id: UUID) -> object:
    """Record a new rubric revision; earlier revisions are kept."""
    return recruitment().revise_rubric(position_id, skills(body), caller())


@blp.route("/<uuid:position_id>/status", methods=["POST"])
@allow("admin", "recruiter")
@blp.arguments(StatusChangeSchema)
@blp.response(200, ReceiptSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
def change_status(body: dict, position_id: UUID) -> object:
    """Open, put on hold, mark filled or close the position."""
    return recruitment().change_position_status(position_id, body["status"], caller(),
                                                reason=body.get("reason"))


@blp.route("/<uuid:position_id>/pipeline")
@allow(*ALL_ROLES)
@blp.arguments(ReadQuerySchema, location="query")
@blp.response(200, PipelineSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def position_pipeline(query: dict, position_id: UUID) -> dict:
    """For each stage in order, how many candidates and who."""
    with read_model("candidates", query.get("min_position")) as view:
        return pipeline(view, visible_position(view, position_id), recruitment().clock())


@blp.route("/<uuid:position_id>/shortlist")
@allow(*ALL_ROLES)
@blp.arguments(ShortlistQuerySchema, location="query")
@blp.response(200, ShortlistSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def position_shortlist(query: dict, position_id: UUID) -> dict:
    """Recommended candidates still in the process (`show=all`: everyone ever recommended),
    ranked by weighted score, with their per-skill grades as graded (against the rubric
    revision of their assessment)."""
    with read_model("candidates", query.get("min_position")) as view:
        visible_position(view, position_id)
    with read_model("shortlist", query.get("min_position")) as view:
        return {"position_id": str(position_id),
                "candidates": shortlist(view, str(position_id),
                                        in_process_only=query["show"] == "in_process")}
