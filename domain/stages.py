"""The stages of a candidacy and which commands each stage allows: the order of the process."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    CONTACTED = "contacted"
    APPLIED = "applied"
    ASSESSMENT_ASSIGNED = "assessment_assigned"
    ASSESSED = "assessed"
    ABANDONED = "abandoned"
    DISQUALIFIED = "disqualified"
    RECOMMENDED = "recommended"
    INTERVIEW_REQUESTED = "interview_requested"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWED = "interviewed"
    HIRE_DECIDED = "hire_decided"
    REJECTED = "rejected"
    OFFERED = "offered"
    OFFER_DECLINED = "offer_declined"
    HIRED = "hired"
    WITHDRAWN = "withdrawn"


# Stages where the process ended for the candidate without a hire: the candidate is owed the
# decision (a RejectionSent). A withdrawn candidate ended it themselves, so owes nothing is
# reported for them, though a closing message may still be recorded once.
OWED_A_NOTICE = frozenset({Stage.ABANDONED, Stage.DISQUALIFIED, Stage.REJECTED})
# Stages the candidate can no longer leave by withdrawing (the process is over for them).
CLOSED = frozenset({Stage.ABANDONED, Stage.DISQUALIFIED, Stage.REJECTED, Stage.HIRED,
                    Stage.WITHDRAWN})
# Stages in which the candidate left the process without a hire (the funnel's drops).
DROPPED = CLOSED - {Stage.HIRED}
# Stages nobody works on: the closed ones, and a declined offer (it waits for the client to
# make a new one, if ever). The recruiters' report counts every other candidate as open.
NOT_OPEN = CLOSED | {Stage.OFFER_DECLINED}

# Commands each stage allows, before conditions that depend on more than the stage
# (an offer still open, a notice not yet sent, grades to correct): see
# Candidate.allowed_steps.
ALLOWED: dict[Stage, tuple[str, ...]] = {
    Stage.CONTACTED: ("apply", "disqualify"),
    Stage.APPLIED: ("assign_assessment", "disqualify"),
    Stage.ASSESSMENT_ASSIGNED: ("reschedule_assessment", "record_assessment",
                                "abandon_assessment"),
    Stage.ASSESSED: ("recommend", "disqualify"),
    Stage.ABANDONED: ("send_rejection",),
    Stage.DISQUALIFIED: ("send_rejection", "reopen"),
    Stage.RECOMMENDED: ("request_interview", "decide", "present"),
    Stage.INTERVIEW_REQUESTED: ("schedule_interview", "decide", "present"),
    Stage.INTERVIEW_SCHEDULED: ("schedule_interview", "record_interview_feedback", "decide",
                                "present"),
    Stage.INTERVIEWED: ("schedule_interview", "record_interview_feedback", "decide",
                        "present"),
    Stage.HIRE_DECIDED: ("send_offer", "present", "reopen"),
    Stage.REJECTED: ("send_rejection", "reopen"),
    Stage.OFFERED: ("respond_to_offer", "hire", "present"),
    Stage.OFFER_DECLINED: ("send_offer", "present"),
    Stage.HIRED: (),
    Stage.WITHDRAWN: ("send_rejection",),
}

# Corrections accepted in every stage (so no stage lists them): see Candidate.
ANY_STAGE: tuple[str, ...] = ("correct_contact_details",)

COMMANDS: tuple[str, ...] = (
    "apply", "assign_assessment", "reschedule_assessment", "record_assessment",
    "abandon_assessment", "recommend", "disqualify", "request_interview", "schedule_interview",
    "record_interview_feedback", "decide", "send_offer", "send_rejection", "respond_to_offer",
    "hire", "withdraw", "present", "reopen", "correct_assessment",
)
