"""POST /candidates/{id}/<step>: one route per command of the hiring process."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint

from api.representations import STEP_OF_COMMAND
from api.schemas import steps as s
from api.schemas.common import CandidateReceiptSchema
from api.security import allow, caller
from api.services import recruitment

blp = Blueprint("steps", __name__, url_prefix="/api/v1/candidates",
                description="The steps of the hiring process, one command each")

STAFF = ("admin", "recruiter")
STAFF_AND_CLIENT = ("admin", "recruiter", "client")

# command: (body schema, roles allowed, summary)
STEPS: dict[str, tuple[type, tuple[str, ...], str]] = {
    "apply": (s.ApplicationSchema, STAFF, "The candidate applied."),
    "assign_assessment": (s.AssessmentAssignmentSchema, STAFF,
                          "Assign the position's assessment, due at a time."),
    "reschedule_assessment": (s.AssessmentRescheduleSchema, STAFF,
                              "Move the assessment's due time to fit the candidate."),
    "record_assessment": (s.AssessmentResultSchema, STAFF,
                          "Grade every rubric skill of the assessment."),
    "abandon_assessment": (s.AbandonmentSchema, STAFF, "The candidate dropped the assessment."),
    "recommend": (s.RecommendationSchema, STAFF, "Put the candidate on the client's shortlist."),
    "disqualify": (s.DisqualificationSchema, STAFF, "The recruiter does not go on."),
    "request_interview": (s.InterviewRequestSchema, STAFF_AND_CLIENT,
                          "The client picks the candidate for a final interview."),
    "schedule_interview": (s.InterviewScheduleSchema, STAFF, "Schedule the final interview."),
    "record_interview_feedback": (s.InterviewFeedbackSchema, STAFF_AND_CLIENT,
                                  "One interviewer's rating of the interview."),
    "decide": (s.DecisionRequestSchema, STAFF_AND_CLIENT, "The client's decision: hire or reject."),
    "send_offer": (s.OfferSchema, STAFF, "Send the client's offer to a hire."),
    "send_rejection": (s.RejectionNoticeSchema, STAFF,
                       "Tell the candidate the client's negative decision."),
    "respond_to_offer": (s.OfferResponseSchema, STAFF, "The candidate accepted or declined."),
    "hire": (s.PlacementSchema, STAFF, "The placement: link the new hire to the client."),
    "withdraw": (s.WithdrawalSchema, STAFF, "The candidate withdrew."),
    "correct_contact_details": (s.ContactCorrectionSchema, STAFF,
                                "Correct the name, email or channel recorded in error, in any "
                                "stage (409 if the corrected email is another candidacy's "
                                "for this position)."),
    "correct_assessment": (s.AssessmentCorrectionSchema, STAFF,
                           "Correct grades recorded in error (every skill of the rubric "
                           "revision they were given on), while the candidate is in the "
                           "process: the score follows, what was presented stays as shown."),
    "reopen": (s.ReopeningSchema, STAFF,
               "Undo a decision (a hire before any offer, or a rejection) or a "
               "disqualification made in error, before the candidate was told: back to the "
               "stage before it."),
    "present": (s.PresentationRequestSchema, STAFF,
                "Show the candidate to the client again, as they stand now (a new "
                "presentation; earlier ones stay as shown)."),
}


def _register(command: str, schema: type, roles: tuple[str, ...], summary: str) -> None:
    step = STEP_OF_COMMAND[command]

    def step_view(body: dict[str, Any], candidate_id: UUID) -> Any:
        return getattr(recruitment(), command)(candidate_id, caller(), **body)

    step_view.__name__ = command
    step_view.__doc__ = (f"{summary}\n\nAnswers the candidate's new version and stage. "
                         "If-Match: \"<version>\" refuses the step (412) if the candidate "
                         "moved on.")
    view = allow(*roles)(
        blp.alt_response(409, response="CONFLICT",
                         description="not allowed in the current stage")(
        blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(404, response="NOT_FOUND")(
        blp.alt_response(403, response="FORBIDDEN")(
        blp.response(200, CandidateReceiptSchema)(
        blp.arguments(schema)(step_view)))))))
    blp.route(f"/<uuid:candidate_id>/{step}", methods=["POST"], endpoint=command)(view)


for _command, (_schema, _roles, _summary) in STEPS.items():
    _register(_command, _schema, _roles, _summary)
