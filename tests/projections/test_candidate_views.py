"""The candidates and shortlist read models against a small scripted history (issue 4).

Two clients: Acme (Backend P1, Data P2, Frontend P4 which goes on hold) and Globex (SRE P3).
Sixteen candidates, two recruiters (Rita, Rob). Every figure below is computed by hand from
the script; the arithmetic is in the comments. Day n is FakeClock's start (Monday 2026-01-05
09:00 UTC) plus n days; the reads are made on day 30 (2026-02-04 09:00) unless noted.

The script includes a rubric revision of P1 between two assessments (day 5), a withdrawal
mid-interview (Fay), an abandoned long assessment (Ivy, 480 minutes), a rejection notice sent
ten days late (Eve), a hire (Ann), an open offer (Jo), an interview in the next 14 days (Cat,
day 35) and one in 20 days (Hal, day 50), an overdue assessment (Gus).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.application import Recruitment
from domain.scope import AGENCY
from domain.stages import Stage
from domain.values import Actor, Skill
from hirelog import bootstrap
from projections.candidates_queries import (
    candidate_page,
    dashboard,
    decode_cursor,
    notices_due,
    pipeline,
    position_row,
    recruiters,
)
from projections.projector import Projector
from projections.reads import ReadSide, View
from projections.registry import MODELS
from projections.shortlist_queries import shortlist
from tests.databases import store_of_its_own
from tests.fakes import RECRUITER, FakeClock, by
from tests.readmodels import dump, project_all

DAY0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # FakeClock's start
RITA = RECRUITER  # Actor(id="tok-rita", name="Rita Recruiter")
ROB = Actor(id="tok-rob", name="Rob Recruiter", role="recruiter")
OWNERS = {"rita": RITA, "rob": ROB}

P1_REV1 = [Skill("python", 5, True), Skill("sql", 2)]
P1_REV2 = [Skill("python", 4, True), Skill("sql", 2), Skill("docker", 2)]
P2_RUBRIC = [Skill("spark", 3, True), Skill("sql", 3)]
P3_RUBRIC = [Skill("linux", 4, True)]
P4_RUBRIC = [Skill("css", 3)]


def day(n: int, hour: int = 9, minute: int = 0) -> datetime:
    return DAY0 + timedelta(days=n, hours=hour - 9, minutes=minute)


NOW = day(30)  # 2026-02-04 09:00
STAGES = [s.value for s in Stage]


def counts(**nonzero: int) -> dict[str, int]:
    """Counts for every stage, in stage order; zero unless given."""
    return {stage: nonzero.get(stage, 0) for stage in STAGES}


# Every candidate as of day 30, in the order of first contact (the list's order):
# (name, position, owner, source, stage, stage_since, days_in_stage, score, failed required,
#  last_activity). days_in_stage = whole days from stage_since to day 30 09:00.
EXPECTED = [
    # Ann: contacted d0 ... hired d15; 30 - 15 = 15 days. Score (rev 1): python strong_yes
    # 5*4 + sql yes 2*3 = 26 of (5+2)*4 = 28 -> 92.857 -> 92.9.
    ("Ann Archer", "P1", "rita", "referral", "hired", day(15), 15, 92.9, [], day(15)),
    # Ben: recommended d4, no move since; 26 days. Rev 1: python no 5*1 + sql strong_yes 2*4
    # = 13 of 28 -> 46.43 -> 46.4; python (required) graded "no" -> failed.
    ("Ben Baker", "P1", "rita", "job_board", "recommended", day(4), 26, 46.4, ["python"],
     day(4)),
    # Eve: rejected d10 (20 days), told d20 (last activity). Rev 1: python yes 5*3 + sql no
    # 2*1 = 17 of 28 -> 60.71 -> 60.7.
    ("Eve Evans", "P1", "rob", "inbound", "rejected", day(10), 20, 60.7, [], day(20)),
    # Fay: withdrew d11 while her interview (d12) was scheduled; 19 days. Rev 1: python
    # mixed 5*2 + sql mixed 2*2 = 14 of 28 -> 50.0.
    ("Fay Fox", "P1", "rita", "agency_network", "withdrawn", day(11), 19, 50.0, [], day(11)),
    # Max: contacted d1 for P4, P4 put on hold d2, Max withdrew d3; 27 days; never assessed.
    ("Max Moss", "P4", "rita", "other", "withdrawn", day(3), 27, None, [], day(3)),
    # Cat: interview scheduled d9 (for d35); 21 days. Rev 2: python yes 4*3 + sql mixed
    # 2*2 + docker strong_yes 2*4 = 24 of (4+2+2)*4 = 32 -> 75.0.
    ("Cat Cole", "P1", "rob", "sourced", "interview_scheduled", day(9), 21, 75.0, [], day(9)),
    # Dan: disqualified d7 21:00; 22.5 days -> 22 whole days. Rev 2: python strong_no 4*0 +
    # sql yes 2*3 + docker no_decision (not counted) = 6 of (4+2)*4 = 24 -> 25.0; python
    # failed.
    ("Dan Dunn", "P1", "rita", "referral", "disqualified", day(7, 21), 22, 25.0, ["python"],
     day(7, 21)),
    # Ned: applied d3; 27 days.
    ("Ned Nash", "P3", "rob", "referral", "applied", day(3), 27, None, [], day(3)),
    # Oz: disqualified d8 straight from contacted; 22 days.
    ("Oz Owen", "P3", "rita", "other", "disqualified", day(8), 22, None, [], day(8)),
    # Pam: interview scheduled d10 (for d33); 20 days. linux yes 4*3 = 12 of 16 -> 75.0.
    ("Pam Park", "P3", "rob", "inbound", "interview_scheduled", day(10), 20, 75.0, [], day(10)),
    # Ivy: abandoned the 480-minute assessment d6 (too long); 24 days.
    ("Ivy Irwin", "P2", "rob", "job_board", "abandoned", day(6), 24, None, [], day(6)),
    # Hal: interview scheduled d10 (for d50); 20 days. spark strong_yes 3*4 + sql
    # strong_yes 3*4 = 24 of 24 -> 100.0.
    ("Hal Hart", "P2", "rita", "sourced", "interview_scheduled", day(10), 20, 100.0, [],
     day(10)),
    # Jo: offered d16 (expires d40, unanswered); 14 days. spark yes 9 + sql yes 9 = 18 of 24
    # -> 75.0.
    ("Jo Jones", "P2", "rob", "referral", "offered", day(16), 14, 75.0, [], day(16)),
    # Kit: interviewed since d25 (Hank's feedback); Iris's feedback d27 keeps the stage, so
    # 5 days in stage, last activity d27. spark mixed 3*2 + sql yes 3*3 = 15 of 24 -> 62.5.
    ("Kit Kane", "P2", "rob", "inbound", "interviewed", day(25), 5, 62.5, [], day(27)),
    # Lou: interview scheduled d20 for d26, no feedback since; 10 days. spark yes 9 + sql
    # mixed 6 = 15 of 24 -> 62.5 (a tie with Kit).
    ("Lou Lamb", "P2", "rita", "referral", "interview_scheduled", day(20), 10, 62.5, [],
     day(20)),
    # Gus: assessment assigned d21, due d25, not done; 9 days.
    ("Gus Grant", "P1", "rita", "referral", "assessment_assigned", day(21), 9, None, [],
     day(21)),
]
NAMES = [row[0] for row in EXPECTED]


def email_of(name: str) -> str:
    if name == "Ned Nash":
        return "ned_nash@example.org"  # an underscore, and another domain, for q
    return name.lower().replace(" ", ".") + "@example.com"


ON_BEHALF = {"request_interview": "requested_by", "decide": "decided_by"}


@dataclass
class History:
    app: Recruitment
    clock: FakeClock
    clients: dict[str, UUID] = field(default_factory=dict)
    positions: dict[str, UUID] = field(default_factory=dict)
    ids: dict[str, UUID] = field(default_factory=dict)  # first name -> candidate id
    snapshots: dict[str, Any] = field(default_factory=dict)

    def at(self, n: int, hour: int = 9, minute: int = 0) -> None:
        moment = day(n, hour, minute)
        assert moment >= self.clock.now, "the script must move forward"
        self.clock.now = moment

    def contact(self, name: str, position: str, owner: str, source: str) -> None:
        receipt = self.app.contact_candidate(
            position_id=self.positions[position], name=name, email=email_of(name),
            source=source, caller=by(OWNERS[owner]))
        self.ids[name.split()[0]] = receipt.id

    def do(self, first_name: str, command: str, **args: Any) -> None:
        if command in ON_BEHALF:  # the recruiter records the client's step: who at the client
            args.setdefault(ON_BEHALF[command], "Hank Hiring")
        getattr(self.app, command)(self.ids[first_name], by(), **args)

    def assess(self, first_name: str, **grades: str) -> None:
        self.do(first_name, "record_assessment", grades=grades)

    def interview(self, first_name: str, when: datetime, *interviewers: str) -> None:
        self.do(first_name, "schedule_interview", scheduled_at=when,
                interviewers=list(interviewers or ["Hank"]))

    def feedback(self, first_name: str, interviewer: str, rating: str) -> None:
        self.do(first_name, "record_interview_feedback", interviewer=interviewer, rating=rating)

    def view(self, name: str = "candidates") -> Any:
        return ReadSide(self.app.tables).view(name, AGENCY)


def script(app: Recruitment, clock: FakeClock) -> History:
    """The history; the read models are projected at three checkpoints on the way (days 4, 5
    and 15) and once at the end (day 30)."""
    h = History(app, clock)
    rita = by(RITA)
    clock.now = day(0, hour=8)  # nothing has happened yet: setup before the day starts
    h.clients["acme"] = app.register_client("Acme", rita).id
    h.clients["globex"] = app.register_client("Globex", rita).id
    for minute, (key, client, title, rubric, assessment, minutes) in enumerate((
            ("P1", "acme", "Backend developer", P1_REV1, "Take-home", 120),
            ("P2", "acme", "Data engineer", P2_RUBRIC, "Pipeline build", 480),
            ("P3", "globex", "SRE", P3_RUBRIC, "Shell quiz", 60),
            ("P4", "acme", "Frontend developer", P4_RUBRIC, "UI kata", 90)), start=1):
        h.at(0, hour=8, minute=minute)  # opened 08:01, 08:02, 08:03, 08:04
        h.positions[key] = app.open_position(
            client_id=h.clients[client], title=title, headcount=3, skills=rubric,
            assessment_name=assessment, assessment_minutes=minutes, caller=rita).id

    h.at(0)
    h.contact("Ann Archer", "P1", "rita", "referral")
    h.contact("Ben Baker", "P1", "rita", "job_board")
    h.at(1)
    h.contact("Eve Evans", "P1", "rob", "inbound")
    h.contact("Fay Fox", "P1", "rita", "agency_network")
    h.contact("Max Moss", "P4", "rita", "other")
    for first in ("Ann", "Ben"):
        h.do(first, "apply")
        h.do(first, "assign_assessment", due_at=day(8))
    h.do("Eve", "apply")
    h.do("Fay", "apply")
    h.at(2)
    app.change_position_status(h.positions["P4"], "on_hold", rita, reason="budget freeze")
    h.contact("Cat Cole", "P1", "rob", "sourced")
    h.contact("Dan Dunn", "P1", "rita", "referral")
    h.contact("Ned Nash", "P3", "rob", "referral")
    h.contact("Oz Owen", "P3", "rita", "other")
    h.contact("Pam Park", "P3", "rob", "inbound")
    h.do("Eve", "assign_assessment", due_at=day(9))
    h.do("Fay", "assign_assessment", due_at=day(9))
    h.at(3)
    h.assess("Ann", python="strong_yes", sql="yes")  # rev 1: 92.9
    h.assess("Ben", python="no", sql="strong_yes")  # rev 1: 46.4, python failed
    h.contact("Ivy Irwin", "P2", "rob", "job_board")
    h.contact("Hal Hart", "P2", "rita", "sourced")
    h.contact("Jo Jones", "P2", "rob", "referral")
    h.contact("Kit Kane", "P2", "rob", "inbound")
    h.contact("Lou Lamb", "P2", "rita", "referral")
    for first in ("Cat", "Dan"):
        h.do(first, "apply")
        h.do(first, "assign_assessment", due_at=day(10))
    for first in ("Ned", "Pam", "Ivy", "Hal", "Jo", "Kit", "Lou"):
        h.do(first, "apply")
    h.do("Max", "withdraw", reason="the position is on hold")
    h.at(4)
    h.do("Ann", "recommend", summary="Strong Python, solid SQL")
    h.do("Ben", "recommend", summary="Great SQL, Python needs work")
    h.assess("Eve", python="yes", sql="no")  # rev 1: 60.7
    h.do("Eve", "recommend", summary="Good Python")
    h.assess("Fay", python="mixed", sql="mixed")  # rev 1: 50.0
    h.do("Fay", "recommend", summary="Balanced")
    for first in ("Ivy", "Hal", "Jo", "Kit", "Lou", "Pam"):
        h.do(first, "assign_assessment", due_at=day(11))
    checkpoint(h, "before revision")

    h.at(5)
    app.revise_rubric(h.positions["P1"], P1_REV2, rita)  # revision 2 of P1
    checkpoint(h, "after revision")
    h.do("Ann", "request_interview")
    h.do("Eve", "request_interview")
    h.assess("Hal", spark="strong_yes", sql="strong_yes")  # 100.0
    h.assess("Jo", spark="yes", sql="yes")  # 75.0
    h.assess("Kit", spark="mixed", sql="yes")  # 62.5
    h.assess("Lou", spark="yes", sql="mixed")  # 62.5
    h.assess("Pam", linux="yes")  # 75.0
    h.at(6)
    h.assess("Cat", python="yes", sql="mixed", docker="strong_yes")  # rev 2: 75.0
    h.assess("Dan", python="strong_no", sql="yes", docker="no_decision")  # rev 2: 25.0
    h.interview("Ann", day(10))
    h.interview("Eve", day(9))
    h.do("Ivy", "abandon_assessment", reason="too_long", note="eight hours is too much")
    for first in ("Hal", "Jo", "Kit", "Lou", "Pam"):  # Kit before Lou: the tie-break
        h.do(first, "recommend", summary=f"{first} recommended")
    h.do("Pam", "request_interview")
    h.at(7)
    h.do("Cat", "recommend", summary="Docker expert")
    for first in ("Hal", "Jo", "Kit", "Lou", "Fay"):
        h.do(first, "request_interview")
    h.at(7, hour=21)
    h.do("Dan", "disqualify", reason="python below the bar")
    h.at(8)
    h.do("Cat", "request_interview")
    h.do("Oz", "disqualify", reason="no on-call experience")
    h.interview("Jo", day(12), "Iris")
    h.interview("Fay", day(12))
    h.at(9)
    h.feedback("Eve", "Hank", "no")
    h.interview("Cat", day(35))  # 5 days after day 30: within 14 days
    h.at(10)
    h.feedback("Ann", "Hank", "yes")
    h.do("Eve", "decide", outcome="reject", reason="python depth")
    h.interview("Hal", day(50), "Iris")  # 20 days after day 30: not within 14
    h.interview("Pam", day(33), "Quinn")
    h.at(11)
    h.do("Fay", "withdraw", reason="accepted another offer")  # mid-interview
    h.at(12)
    h.do("Ann", "decide", outcome="hire", reason="great interview")
    h.feedback("Jo", "Iris", "strong_yes")
    h.at(13)
    h.do("Ann", "send_offer", salary=Decimal("85000"), currency="EUR",
         start_date=date(2026, 3, 2), expires_at=day(20))
    h.at(14)
    h.do("Ann", "respond_to_offer", accepted=True)
    h.do("Jo", "decide", outcome="hire", reason="excellent")
    h.at(15)
    h.do("Ann", "hire", start_date=date(2026, 3, 2))
    checkpoint(h, "day 15")
    h.at(16)
    h.do("Jo", "send_offer", salary=Decimal("90000"), currency="EUR",
         start_date=date(2026, 4, 1), expires_at=day(40))
    h.at(20)
    h.do("Eve", "send_rejection", message="Thank you for your time")  # 10 days late
    h.contact("Gus Grant", "P1", "rita", "referral")
    h.do("Gus", "apply")
    h.interview("Kit", day(25), "Hank", "Iris")
    h.interview("Lou", day(26))
    h.at(21)
    h.do("Gus", "assign_assessment", due_at=day(25))
    h.at(25)
    h.feedback("Kit", "Hank", "yes")  # interviewed from day 25
    h.at(27)
    h.feedback("Kit", "Iris", "yes")  # still interviewed
    h.at(30)
    assert project_all(app) > 0
    return h


def checkpoint(h: History, label: str) -> None:
    project_all(h.app)
    with h.view("shortlist") as view:
        h.snapshots[label, "shortlist P1"] = shortlist(view, str(h.positions["P1"]))
    with h.view() as view:
        h.snapshots[label, "P1 row"] = position_row(view, str(h.positions["P1"]))
        h.snapshots[label, "notices"] = notices_due(view, h.clock())
        h.snapshots[label, "recruiters"] = recruiters(view, h.clock())


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def history(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """The history, built once per store for this whole module: every test here only reads
    it (the read models, the snapshots taken on the way, the aggregates)."""
    with store_of_its_own(request.param, tmp_path_factory.mktemp("views")) as settings:
        clock = FakeClock()
        app = bootstrap.event_store(settings, clock=clock)
        try:
            yield script(app, clock)
        finally:
            app.close()


@contextmanager
def candidates(h: History) -> Iterator[View]:
    with h.view() as view:
        yield view


def all_pages(h: History, limit: int, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item of every page (following next_cursor), and how many pages it took."""
    items: list[dict[str, Any]] = []
    after, pages = 0, 0
    while True:
        with candidates(h) as view:
            page = candidate_page(view, h.clock(), limit=limit, after=after, **filters)
        pages += 1
        assert len(page["items"]) <= limit
        items += page["items"]
        if page["next_cursor"] is None:
            return items, pages
        after = decode_cursor(page["next_cursor"])
        assert pages < 100


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


# --- the candidate list --------------------------------------------------------------------

def test_the_candidate_list_has_every_candidate_with_stage_score_and_days_in_stage(
        history: History) -> None:
    items, pages = all_pages(history, limit=50)
    assert pages == 1
    assert names(items) == NAMES  # oldest first contact first
    clients = {"P1": "acme", "P2": "acme", "P4": "acme", "P3": "globex"}
    for item, (name, position, _owner, source, stage, since, days, score, failed,
               last) in zip(items, EXPECTED, strict=True):
        expected = {
            "id": str(history.ids[name.split()[0]]), "name": name, "email": email_of(name),
            "position_id": str(history.positions[position]),
            "client_id": str(history.clients[clients[position]]), "source": source,
            "stage": stage, "stage_since": since, "days_in_stage": days, "score": score,
            "failed_required_skills": failed, "last_activity": last}
        assert item == expected, name


def test_days_in_stage_count_from_entering_the_stage_like_the_candidate(
        history: History) -> None:
    # Kit entered "interviewed" on day 25 (Hank); Iris's feedback on day 27 keeps the stage.
    kit = history.app.get_candidate(history.ids["Kit"], AGENCY)
    assert (kit.stage, kit.stage_since) == ("interviewed", day(25))
    with candidates(history) as view:
        [item] = candidate_page(view, NOW, limit=5, q="kit kane")["items"]
    assert (item["stage_since"], item["days_in_stage"]) == (day(25), 5)  # 30 - 25


@pytest.mark.parametrize("limit, expected_pages", [
    (1, 16), (5, 4), (15, 2), (16, 1), (200, 1)])  # 16 candidates: ceil(16 / limit) pages
def test_paging_returns_every_candidate_exactly_once(history: History, limit: int,
                                                     expected_pages: int) -> None:
    items, pages = all_pages(history, limit=limit)
    assert names(items) == NAMES
    assert pages == expected_pages


def test_paging_with_filters_returns_every_match_exactly_once(history: History) -> None:
    # Acme: 16 minus Globex's Ned, Oz, Pam = 13 -> pages of 3, 3, 3, 3, 1
    acme = str(history.clients["acme"])
    items, pages = all_pages(history, limit=3, client_id=acme)
    assert names(items) == [n for n in NAMES if n not in ("Ned Nash", "Oz Owen", "Pam Park")]
    assert pages == 5


@pytest.mark.parametrize("filters, expected", [
    ({"position": "P2"}, ["Ivy Irwin", "Hal Hart", "Jo Jones", "Kit Kane", "Lou Lamb"]),
    ({"position": "P4"}, ["Max Moss"]),
    ({"client": "globex"}, ["Ned Nash", "Oz Owen", "Pam Park"]),
    ({"stage": "interview_scheduled"}, ["Cat Cole", "Pam Park", "Hal Hart", "Lou Lamb"]),
    ({"stage": "interview_scheduled", "client": "acme"}, ["Cat Cole", "Hal Hart", "Lou Lamb"]),
    ({"stage": "disqualified"}, ["Dan Dunn", "Oz Owen"]),
    ({"stage": "offer_declined"}, []),
    ({"source": "inbound"}, ["Eve Evans", "Pam Park", "Kit Kane"]),
    ({"source": "referral", "client": "acme"},
     ["Ann Archer", "Dan Dunn", "Jo Jones", "Lou Lamb", "Gus Grant"]),
    ({"source": "referral", "position": "P1", "stage": "disqualified"}, ["Dan Dunn"]),
    ({"q": "ARCHER"}, ["Ann Archer"]),  # case-insensitive, on the name
    ({"q": "@example.org"}, ["Ned Nash"]),  # on the email
    ({"q": "zzz"}, []),
])
def test_the_candidate_list_filters(history: History, filters: dict[str, str],
                                    expected: list[str]) -> None:
    query = dict(filters)
    if "position" in query:
        query["position_id"] = str(history.positions[query.pop("position")])
    if "client" in query:
        query["client_id"] = str(history.clients[query.pop("client")])
    items, _ = all_pages(history, limit=2, **query)
    assert names(items) == expected


def test_q_finds_an_email_with_an_underscore(history: History) -> None:
    items, _ = all_pages(history, limit=5, q="ned_nash@example.org")
    assert names(items) == ["Ned Nash"]


# --- the pipeline --------------------------------------------------------------------------

def test_the_pipeline_counts_each_stage_in_stage_order(history: History) -> None:
    with candidates(history) as view:
        p1 = pipeline(view, position_row(view, str(history.positions["P1"])), NOW)
        p2 = pipeline(view, position_row(view, str(history.positions["P2"])), NOW)
        p4 = pipeline(view, position_row(view, str(history.positions["P4"])), NOW)
    assert [s["stage"] for s in p1["stages"]] == STAGES
    # P1: Ann hired, Ben recommended, Eve rejected, Fay withdrawn, Cat interview scheduled,
    # Dan disqualified, Gus assessment assigned: 7 candidates.
    assert {s["stage"]: s["count"] for s in p1["stages"]} == counts(
        assessment_assigned=1, disqualified=1, recommended=1, interview_scheduled=1,
        rejected=1, hired=1, withdrawn=1)
    assert {s["stage"]: names(s["candidates"]) for s in p1["stages"] if s["count"]} == {
        "assessment_assigned": ["Gus Grant"], "disqualified": ["Dan Dunn"],
        "recommended": ["Ben Baker"], "interview_scheduled": ["Cat Cole"],
        "rejected": ["Eve Evans"], "hired": ["Ann Archer"], "withdrawn": ["Fay Fox"]}
    assert (p1["title"], p1["status"]) == ("Backend developer", "open")
    # P2: Ivy abandoned, Hal and Lou interview scheduled (in contact order), Kit
    # interviewed, Jo offered: 5 candidates.
    assert {s["stage"]: names(s["candidates"]) for s in p2["stages"] if s["count"]} == {
        "abandoned": ["Ivy Irwin"], "interview_scheduled": ["Hal Hart", "Lou Lamb"],
        "interviewed": ["Kit Kane"], "offered": ["Jo Jones"]}
    assert sum(s["count"] for s in p2["stages"]) == 5
    # P4 is on hold; its one candidate withdrew.
    assert (p4["status"], {s["stage"]: s["count"] for s in p4["stages"]}) == (
        "on_hold", counts(withdrawn=1))


# --- the shortlist -------------------------------------------------------------------------

def graded(rubric: list[Skill], **grades: str) -> list[dict[str, Any]]:
    return [{"name": s.name, "weight": s.weight, "required": s.required,
             "grade": grades[s.name]} for s in rubric]


def test_the_shortlist_ranks_by_score_with_grades_flags_and_rubric_revision(
        history: History) -> None:
    with history.view("shortlist") as view:
        p1 = shortlist(view, str(history.positions["P1"]), in_process_only=False)
        p2 = shortlist(view, str(history.positions["P2"]), in_process_only=False)
        p3 = shortlist(view, str(history.positions["P3"]), in_process_only=False)
        in_process = shortlist(view, str(history.positions["P1"]))
    # P1: Ann 92.9 > Cat 75.0 > Eve 60.7 > Fay 50.0 > Ben 46.4; Dan was never recommended.
    # Ann, Eve, Fay and Ben were graded on revision 1, Cat on revision 2 (after day 5).
    assert [(e["rank"], e["name"], e["score"], e["rubric_revision"], e["stage"])
            for e in p1] == [
        (1, "Ann Archer", 92.9, 1, "hired"),
        (2, "Cat Cole", 75.0, 2, "interview_scheduled"),
        (3, "Eve Evans", 60.7, 1, "rejected"),
        (4, "Fay Fox", 50.0, 1, "withdrawn"),
        (5, "Ben Baker", 46.4, 1, "recommended")]
    # by default only who is still in the process, ranked among themselves
    assert [(e["rank"], e["name"], e["stage"]) for e in in_process] == [
        (1, "Cat Cole", "interview_scheduled"), (2, "Ben Baker", "recommended")]
    assert [{k: v for k, v in e.items() if k != "rank"} for e in in_process] == [
        {k: v for k, v in e.items() if k != "rank"} for e in p1
        if e["name"] in ("Cat Cole", "Ben Baker")]
    by_name = {e["name"]: e for e in p1}
    assert by_name["Ann Archer"]["grades"] == graded(P1_REV1, python="strong_yes", sql="yes")
    assert by_name["Cat Cole"]["grades"] == graded(P1_REV2, python="yes", sql="mixed",
                                                   docker="strong_yes")
    assert by_name["Ben Baker"]["grades"] == graded(P1_REV1, python="no", sql="strong_yes")
    assert {n: e["failed_required_skills"] for n, e in by_name.items()} == {
        "Ann Archer": [], "Cat Cole": [], "Eve Evans": [], "Fay Fox": [],
        "Ben Baker": ["python"]}
    assert (by_name["Cat Cole"]["summary"], by_name["Cat Cole"]["recommended_at"]) == (
        "Docker expert", day(7))
    assert by_name["Ann Archer"]["candidate_id"] == str(history.ids["Ann"])
    # P2: Hal 100.0 > Jo 75.0 > Kit 62.5 = Lou 62.5 (Kit was recommended first).
    assert [(e["rank"], e["name"], e["score"], e["rubric_revision"]) for e in p2] == [
        (1, "Hal Hart", 100.0, 1), (2, "Jo Jones", 75.0, 1), (3, "Kit Kane", 62.5, 1),
        (4, "Lou Lamb", 62.5, 1)]
    assert p2[3]["grades"] == graded(P2_RUBRIC, spark="yes", sql="mixed")
    # P3: only Pam, on Globex's own shortlist; P4 has none.
    assert [(e["name"], e["score"]) for e in p3] == [("Pam Park", 75.0)]
    with history.view("shortlist") as view:
        assert shortlist(view, str(history.positions["P4"])) == []


def test_the_shortlist_handed_out_before_the_rubric_revision_stays_as_it_was(
        history: History) -> None:
    before = history.snapshots["before revision", "shortlist P1"]
    # Day 4: Ann 92.9, Eve 60.7, Fay 50.0, Ben 46.4, all graded on revision 1.
    assert [(e["name"], e["score"], e["rubric_revision"], e["stage"]) for e in before] == [
        ("Ann Archer", 92.9, 1, "recommended"), ("Eve Evans", 60.7, 1, "recommended"),
        ("Fay Fox", 50.0, 1, "recommended"), ("Ben Baker", 46.4, 1, "recommended")]
    # Right after revision 2 (python weight 5 -> 4, docker added): not a thing changed.
    assert history.snapshots["before revision", "P1 row"]["rubric_revision"] == 1
    assert history.snapshots["after revision", "P1 row"]["rubric_revision"] == 2
    assert history.snapshots["after revision", "shortlist P1"] == before
    # Day 30: the same grades, skills, scores and revisions; only the stages moved on.
    with history.view("shortlist") as view:
        now = {e["candidate_id"]: e for e in shortlist(view, str(history.positions["P1"]),
                                                          in_process_only=False)}
    frozen = ("candidate_id", "name", "score", "rubric_revision", "grades",
              "failed_required_skills", "summary", "recommended_at")
    for entry in before:
        assert {k: now[entry["candidate_id"]][k] for k in frozen} == {
            k: entry[k] for k in frozen}
    assert before[3]["grades"] == graded(P1_REV1, python="no", sql="strong_yes")


# --- the client dashboard ------------------------------------------------------------------

def test_the_dashboard_of_acme(history: History) -> None:
    with candidates(history) as view:
        board = dashboard(view, str(history.clients["acme"]), NOW)
    assert board["client_id"] == str(history.clients["acme"])
    # Open positions only (P4 is on hold), in the order they were opened (08:01, 08:02).
    assert [(p["position_id"], p["title"], p["counts"]) for p in board["open_positions"]] == [
        (str(history.positions["P1"]), "Backend developer", counts(
            assessment_assigned=1, disqualified=1, recommended=1, interview_scheduled=1,
            rejected=1, hired=1, withdrawn=1)),
        (str(history.positions["P2"]), "Data engineer", counts(
            abandoned=1, interview_scheduled=2, interviewed=1, offered=1))]
    # Interviews from day 30 to day 44: Cat's (day 35) only; Hal's is on day 50 (20 days),
    # Lou's was on day 26 (past), Pam's is Globex's.
    assert [(i["name"], i["interview_at"]) for i in board["interviews_next_14_days"]] == [
        ("Cat Cole", day(35))]
    assert names(board["picks_owed"]) == ["Ben Baker"]  # recommended, not yet picked
    assert names(board["decisions_owed"]) == ["Kit Kane"]  # interviewed, no decision
    # Jo's offer (expires day 40) is unanswered; Ann's was accepted.
    assert [(o["name"], o["offer_expires_at"]) for o in board["offers_awaiting_answer"]] == [
        ("Jo Jones", day(40))]


def test_the_dashboard_of_globex(history: History) -> None:
    with candidates(history) as view:
        board = dashboard(view, str(history.clients["globex"]), NOW)
    assert [(p["title"], p["counts"]) for p in board["open_positions"]] == [
        ("SRE", counts(applied=1, disqualified=1, interview_scheduled=1))]
    assert [(i["name"], i["interview_at"]) for i in board["interviews_next_14_days"]] == [
        ("Pam Park", day(33))]  # day 33: 3 days ahead
    assert board["picks_owed"] == board["decisions_owed"] == []
    assert board["offers_awaiting_answer"] == []


# --- notices due ---------------------------------------------------------------------------

def test_notices_due_lists_who_was_not_told_and_how_long_they_waited(
        history: History) -> None:
    with candidates(history) as view:
        due = notices_due(view, NOW)
        acme = notices_due(view, NOW, str(history.clients["acme"]))
    # Longest wait first. Ivy abandoned day 6 09:00: 30 - 6 = 24.0 days. Dan disqualified
    # day 7 21:00: 22 days 12 hours = 22.5. Oz disqualified day 8: 22.0. Eve was told on
    # day 20 (late), Fay and Max withdrew (nobody owes them a notice).
    assert [(n["name"], n["stage"], n["waiting_days"]) for n in due] == [
        ("Ivy Irwin", "abandoned", 24.0), ("Dan Dunn", "disqualified", 22.5),
        ("Oz Owen", "disqualified", 22.0)]
    assert [n["name"] for n in acme] == ["Ivy Irwin", "Dan Dunn"]


def test_the_late_rejection_notice_was_due_until_it_was_sent(history: History) -> None:
    # Day 15: Eve rejected on day 10 and not told yet: 5.0 days. Ivy 15 - 6 = 9.0,
    # Dan 15 d 09:00 - 7 d 21:00 = 7.5, Oz 15 - 8 = 7.0.
    day15 = history.snapshots["day 15", "notices"]
    assert [(n["name"], n["waiting_days"]) for n in day15] == [
        ("Ivy Irwin", 9.0), ("Dan Dunn", 7.5), ("Oz Owen", 7.0), ("Eve Evans", 5.0)]
    rob = {r["recruiter"]: r for r in history.snapshots["day 15", "recruiters"]}["Rob Recruiter"]
    assert ("Eve Evans", "decision not told for 3 days") in [
        (o["name"], o["overdue"]) for o in rob["overdue"]]
    # Day 30: told on day 20, so no longer due (nor overdue).
    with candidates(history) as view:
        assert "Eve Evans" not in names(notices_due(view, NOW))


# --- the recruiters report -----------------------------------------------------------------

def test_the_recruiters_report_counts_open_candidates_and_overdue_steps(
        history: History) -> None:
    with candidates(history) as view:
        report = recruiters(view, NOW)
    assert [(r["recruiter_id"], r["recruiter"], r["open_candidates"]) for r in report] == [
        # Rita contacted Ann (hired), Ben (recommended), Fay, Max (withdrawn), Dan, Oz
        # (disqualified), Hal, Lou (interview scheduled), Gus (assessment assigned):
        # open = Ben, Hal, Lou, Gus = 4.
        ("tok-rita", "Rita Recruiter", 4),
        # Rob contacted Eve (rejected), Cat (interview scheduled), Ned (applied), Pam
        # (interview scheduled), Ivy (abandoned), Jo (offered), Kit (interviewed):
        # open = Cat, Ned, Pam, Jo, Kit = 5.
        ("tok-rob", "Rob Recruiter", 5)]
    rita, rob = report
    # Rita, in contact order: Dan and Oz not told for more than 3 days (since days 7 and 8);
    # Lou's interview (day 26) is more than a day past with no feedback; Gus's assessment
    # was due on day 25.
    assert [(o["name"], o["overdue"]) for o in rita["overdue"]] == [
        ("Dan Dunn", "decision not told for 3 days"),
        ("Oz Owen", "decision not told for 3 days"),
        ("Lou Lamb", "interview held, no feedback"),
        ("Gus Grant", "assessment past due")]
    # Rob: only Ivy (abandoned day 6, not told). Eve was told; Cat's and Pam's interviews
    # are ahead; Jo's offer expires on day 40; Kit is waiting for a decision (not overdue).
    assert [(o["name"], o["overdue"]) for o in rob["overdue"]] == [
        ("Ivy Irwin", "decision not told for 3 days")]


# --- exactly once --------------------------------------------------------------------------

def test_projecting_again_applies_nothing_and_changes_nothing(history: History) -> None:
    before = dump(history.app)
    assert project_all(history.app) == 0
    assert Projector(history.app, MODELS).run_once() == 0  # a fresh projector too
    assert dump(history.app) == before
    # Every candidate once in the model (the log has 16 Contacted events).
    assert len(before["candidates"]["candidates"]) == 16
    assert len(before["shortlist"]["shortlist"]) == 10  # 5 on P1, 4 on P2, 1 on P3


def test_each_model_followed_the_log_to_its_head(history: History) -> None:
    head = history.app.recorder.max_notification_id()
    positions = ReadSide(history.app.tables).positions()
    assert positions["candidates"] == positions["shortlist"] == head
