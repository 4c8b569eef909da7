"""Candidates: contact (create), current state, history; the steps are in views/steps.py."""

from __future__ import annotations

from uuid import UUID

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.consistency import from_cursor, read_model
from api.representations import candidate_state, history_entry, presented_candidate_state
from api.schemas.candidates import CandidateCreateSchema, CandidateSchema, HistoryEventSchema
from api.schemas.common import CandidateReceiptSchema, VersionQuerySchema
from api.schemas.reads import CandidateListQuerySchema, CandidatePageSchema
from api.security import ALL_ROLES, allow, caller, scope
from api.services import recruitment
from projections.candidates_queries import candidate_page, decode_cursor

blp = Blueprint("candidates", __name__, url_prefix="/api/v1/candidates",
                description="Candidacies: one person for one position, through every stage")


@blp.route("")
class Candidates(MethodView):
    @allow("admin", "recruiter")
    @blp.arguments(CandidateCreateSchema)
    @blp.response(201, CandidateReceiptSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT",
                      description="this email is already a candidate for this position")
    def post(self, body: dict) -> tuple:
        """Record the first contact with a candidate for a position."""
        receipt = recruitment().contact_candidate(caller=caller(), **body)
        return receipt, {"Location": url_for("candidates.Candidate", candidate_id=receipt.id)}

    @allow(*ALL_ROLES)
    @blp.arguments(CandidateListQuerySchema, location="query")
    @blp.response(200, CandidatePageSchema)
    @blp.alt_response(400, response="BAD_REQUEST", description="not a cursor from this API")
    @blp.alt_response(403, response="FORBIDDEN",
                      description="a client token filtered by source (staff only)")
    @blp.alt_response(404, response="NOT_FOUND",
                      description="a client token asked for another client's")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self, query: dict) -> dict:
        """Candidates with stage, score, days in stage and last activity, oldest contact
        first; page with `next_cursor` (a client token sees only those presented to it,
        without email or source, and `q` searches their names)."""
        if "source" in query and not scope().is_agency:
            abort(403, message="how the agency found a candidate is not shown to clients: "
                               "filtering by source is for the agency's staff")
        filters = {k: str(query[k]) if k.endswith("_id") else query[k]
                   for k in ("position_id", "client_id", "stage", "source", "q") if k in query}
        with read_model("candidates", query.get("min_position")) as view:
            return candidate_page(view, recruitment().clock(), limit=query["limit"],
                                  after=from_cursor(query.get("cursor"), decode_cursor, 0),
                                  **filters)


@blp.route("/<uuid:candidate_id>")
class Candidate(MethodView):
    @allow(*ALL_ROLES)
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, CandidateSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query: dict, candidate_id: UUID) -> tuple:
        """The candidate's current state; its ETag is the version to send in If-Match."""
        reader = scope()
        candidate = recruitment().get_candidate(candidate_id, reader, query.get("version"),
                                                as_of=query.get("as_of"))
        shown = candidate_state if reader.is_agency else presented_candidate_state
        return shown(candidate, recruitment().clock()), {"ETag": f'"{candidate.version}"'}


@blp.route("/<uuid:candidate_id>/history")
class History(MethodView):
    @allow("admin", "recruiter", "auditor")
    @blp.response(200, HistoryEventSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, candidate_id: UUID) -> list:
        """Every event of the candidate, in order, with who recorded it and in which request."""
        return [history_entry(e) for e in recruitment().candidate_history(candidate_id, scope())]
