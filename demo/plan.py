"""Planning the demo data set: every candidate's path through the six stages, drawn from a
seeded random generator, as time-stamped commands (run by demo.history.load_demo)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from demo import people as P
from domain.stages import CLOSED, Stage
from domain.values import GRADE_POINTS, Actor, Grade, failed_required_skills, weighted_score

NAMESPACE = UUID("5c0e8f8e-2f55-4b8e-9d3c-6a1f0b7d2e41")
END = datetime(2026, 10, 30, 17, 30, tzinfo=UTC)
EARLY = 8 * 60 + 15  # 08:15: position changes happen before the day's candidate steps
GRADES = (Grade.STRONG_NO, Grade.NO, Grade.MIXED, Grade.YES, Grade.STRONG_YES)
IN_PROGRESS = frozenset(s.value for s in Stage) - CLOSED - {Stage.OFFER_DECLINED}
# The first candidates are steered to one stage each, so even a small load shows every stage;
# the first one is the placement that fills the iOS position.
FORCED = (("hired", "ios"), ("contacted", "backend"), ("applied", "analyst"),
          ("assessment_assigned", "data-eng"), ("assessed", "backend"),
          ("recommended", "backend"), ("interview_requested", "embedded"),
          ("interview_scheduled", "sre"), ("interviewed", "backend"),
          ("hire_decided", "analyst"), ("offered", "data-eng"), ("offer_declined", "writer"),
          ("abandoned", "data-eng"), ("disqualified", "analyst"), ("rejected", "embedded"),
          ("withdrawn", "sre"))
SPECS = {spec.key: spec for spec in P.POSITIONS}
CLIENTS = {client.key: client for client in P.CLIENTS}


def client_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"client:{key}")


def position_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"position:{key}")


@dataclass
class Step:
    at: datetime
    rank: int  # 0: clients and positions, before candidates at the same instant
    actor: Actor
    command: str
    args: dict[str, Any]
    who: int | None = None
    stage: str | None = None


def _on(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), UTC) + timedelta(minutes=minutes)


def _workday(day: date, n: int = 0) -> date:
    """The n-th weekday after `day` (n=0: `day` itself, or the Monday after a weekend)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=3 if day.weekday() == 4 else 1)
    return day


def _later(rng: random.Random, t: datetime, lo: int, hi: int) -> datetime:
    """lo to hi workdays after t, between 08:30 and 17:30 UTC, and always after t."""
    at = _on(_workday(t.date(), rng.randint(lo, hi)), rng.randrange(510, 1050))
    return at if at > t else _on(_workday(t.date(), 1), rng.randrange(510, 1050))


def _deadline(t: datetime, days: int) -> datetime:
    return _on(t.date() + timedelta(days=days), 23 * 60 + 59)


def _client_actor(client: P.ClientSpec, name: str) -> Actor:
    return Actor(f"demo-{client.key}-{P.ascii_name(name)}", name, "client",
                 client_id(client.key))


def plan(seed: int, candidates: int) -> list[Step]:
    """Every command of the load, in the order it runs: by time, ties in planning order."""
    rng = random.Random(seed)
    steps = [Step(_on(date(2026, 5, 4), 8 * 60 + i), 0, P.ADMIN, "register_client",
                   {"name": c.name, "id": client_id(c.key)}) for i, c in enumerate(P.CLIENTS)]
    closes: dict[str, tuple[datetime, str]] = {}
    for i, spec in enumerate(P.POSITIONS):
        recruiter, pid = P.RECRUITERS[spec.recruiter], position_id(spec.key)
        steps.append(Step(_on(spec.opened, 9 * 60 + i), 0, recruiter, "open_position", dict(
            client_id=client_id(spec.client), title=spec.title, headcount=spec.headcount,
            skills=list(spec.skills), assessment_name=spec.assessment,
            assessment_minutes=spec.minutes, id=pid)))
        if spec.revision:
            steps.append(Step(_on(spec.revision[0], EARLY), 0, recruiter, "revise_rubric",
                               {"position_id": pid, "skills": list(spec.revision[1])}))
        if spec.hold:
            closes[spec.key] = (_on(spec.hold[0], EARLY), f"Position on hold: {spec.hold[1]}")
            steps.append(Step(closes[spec.key][0], 0, recruiter, "change_position_status",
                               {"position_id": pid, "status": "on_hold",
                                "reason": spec.hold[1]}))
    people: set[str] = set()
    hires: Counter[str] = Counter()
    for who in range(candidates):
        name, email = P.person(rng, people)
        forced = FORCED[who] if who < len(FORCED) else None
        if forced:
            spec, fraction = SPECS[forced[1]], rng.random()
            start, limit = _on(spec.opened + timedelta(days=1), 600), END
        else:
            windows = {k: (_on(s.opened + timedelta(days=1), 510),
                           closes.get(k, (END, ""))[0] - timedelta(days=4))
                       for k, s in SPECS.items()}
            weights = [SPECS[k].share * max(0, (b - a).days) for k, (a, b) in windows.items()]
            spec = SPECS[rng.choices(list(windows), weights)[0]]
            first, last = windows[spec.key]
            start, limit = first + (last - first) * rng.random(), END
            while start.weekday() >= 5:  # first contact on a workday
                start = first + (last - first) * rng.random()
            start = _later(rng, start, 0, 0)
        can_hire = hires[spec.key] < spec.headcount and (
            forced is not None or not spec.filled_by_first_hire)
        state = rng.getstate()
        path = _Path(rng, who, spec, start, forced and forced[0], can_hire)
        path.walk(name, email)
        if forced:  # move the path by whole weeks (weekdays stay weekdays) to its place in time
            room = max(0, (limit - path.steps[-1].at).days // 7)
            weeks = (max(0, room - int(3 * fraction)) if forced[0] in IN_PROGRESS
                     else int(fraction * (3 if spec.filled_by_first_hire else room + 1)))
            rng.setstate(state)
            path = _Path(rng, who, spec, start + timedelta(weeks=weeks), forced[0], can_hire)
            path.walk(name, email)
        elif spec.key in closes:
            path.close_out(*closes[spec.key])
        hires[spec.key] += path.hire_decided
        if spec.filled_by_first_hire and path.stage == "hired" and spec.key not in closes:
            # the hire filled the headcount (the position records that itself); the others
            # still in the process are closed out from the next workday
            closed = _on(_workday(path.t.date(), 1), EARLY)
            closes[spec.key] = (closed, "Position filled by another candidate")
        steps.extend(step for step in path.steps if step.at <= END)
    steps.sort(key=lambda step: (step.at, step.rank))  # stable: ties keep the plan's order
    return _no_contact_once_filled(steps)


def _no_contact_once_filled(steps: list[Step]) -> list[Step]:
    """The steps without the candidates a long plan would contact for a position after its
    hires filled its headcount (a filled position takes no new candidates)."""
    headcount = {position_id(spec.key): spec.headcount for spec in P.POSITIONS}
    hires: Counter[UUID] = Counter()
    position_of: dict[int, UUID] = {}
    kept = []
    for step in steps:
        if step.command == "contact_candidate" and step.who is not None:
            position = step.args["position_id"]
            if hires[position] >= headcount[position]:
                continue
            position_of[step.who] = position
        elif step.who is not None and step.who not in position_of:
            continue  # a candidate dropped above
        if step.command == "hire" and step.who is not None:
            hires[position_of[step.who]] += 1
        kept.append(step)
    return kept


class _Path:
    """One candidate's planned steps: the funnel, walked with this candidate's luck (or, when
    `force` names a stage, steered there; an in-progress stage then ends the walk)."""

    def __init__(self, rng: random.Random, who: int, spec: P.PositionSpec, t0: datetime,
                 force: str | None, can_hire: bool) -> None:
        self.rng, self.who, self.spec, self.t, self.force = rng, who, spec, t0, force
        self.can_hire, self.hire_decided = can_hire, False
        self.client, self.rec = CLIENTS[spec.client], P.RECRUITERS[spec.recruiter]
        self.manager = _client_actor(self.client, self.client.manager)
        self.steps: list[Step] = []
        self.stage = ""

    def add(self, at: datetime, command: str, actor: Actor, stage: str | None = None,
            **args: Any) -> bool:
        """Plan a step; True when the walk should stop here (the forced in-progress stage)."""
        self.t, self.stage = at, stage or self.stage
        self.steps.append(Step(at, 1, actor, command, args, self.who, self.stage))
        return self.force == self.stage and self.stage in IN_PROGRESS

    def later(self, lo: int, hi: int) -> datetime:
        return _later(self.rng, self.t, lo, hi)

    def branch(self, chance: float | bool, stage: str) -> bool:
        """Take the detour that ends in `stage`? Forced paths take it only towards `force`."""
        if self.force:
            return self.force == stage
        return chance if isinstance(chance, bool) else self.rng.random() < chance

    def end(self, lo: int, hi: int, command: str, actor: Actor, stage: str, **args: Any) -> None:
        """A bad ending: the candidate is owed a notice, sent soon, sent late, or still owed."""
        self.add(self.later(lo, hi), command, actor, stage, **args)
        luck = self.rng.random()
        if luck < 0.8:
            self.add(self.later(*((0, 3) if luck < 0.6 else (10, 25))), "send_rejection",
                     self.rec, message=P.NOTICE)

    def withdraw(self) -> None:
        reason = self.rng.choice(P.WITHDRAW_REASONS)
        self.end(1, 6, "withdraw", self.rec, "withdrawn", reason=reason)

    def points(self, quality: float) -> int:
        noise = 0.0 if self.force else self.rng.gauss(0, 0.8)
        return min(4, max(0, round(quality * 4 + noise)))

    def walk(self, name: str, email: str) -> None:
        rng, spec, rec, manager = self.rng, self.spec, self.rec, self.manager
        source = rng.choices(P.SOURCES, P.SOURCE_WEIGHTS)[0]
        message = (None if source == "inbound" else
                   f"Hi {name.split()[0]}, {self.client.name} is hiring a {spec.title}. Keen?")
        if self.add(self.t, "contact_candidate", rec, "contacted", position_id=position_id(
                spec.key), name=name, email=email, source=source,
                channel=rng.choice(P.CHANNELS[source]), message=message):
            return
        if self.branch(0.05, "withdrawn"):
            return self.withdraw()
        if self.branch(0.05, "disqualified"):
            return self.end(1, 5, "disqualify", rec, "disqualified",
                            reason=rng.choice(P.SCREEN_OUT))
        applicant = P.CAREERS_SITE if source in ("inbound", "job_board") else rec
        if self.add(self.later(1, 6), "apply", applicant, "applied",
                    note=rng.choice(P.APPLY_NOTES)):
            return
        length = (spec.minutes - 45) / (360 - 45)  # 0 for the shortest, 1 for the longest
        t = self.later(1, 3)
        if self.add(t, "assign_assessment", rec, "assessment_assigned",
                    due_at=_deadline(t, rng.randint(5, 9))):
            return
        if rng.random() < 0.06 + 0.2 * length:
            t = self.later(1, 3)
            self.add(t, "reschedule_assessment", rec, due_at=_deadline(t, rng.randint(4, 8)),
                     reason=rng.choice(P.RESCHEDULE_REASONS))
        if self.branch(0.05 + 0.4 * length, "abandoned"):
            weights = [s + (long - s) * length for s, long in
                       zip(P.ABANDON_WEIGHTS_SHORT, P.ABANDON_WEIGHTS_LONG, strict=True)]
            reason = rng.choices(P.ABANDON_REASONS, weights)[0]
            return self.end(2, 7, "abandon_assessment", rec, "abandoned", reason=reason,
                            note=P.ABANDON_NOTES[reason])
        if self.branch(0.03, "withdrawn"):
            return self.withdraw()
        t = self.later(2, 6)
        revised = spec.revision is not None and t >= _on(spec.revision[0], EARLY)
        rubric = spec.revision[1] if spec.revision and revised else spec.skills
        quality = 0.85 if self.force else rng.betavariate(4, 2)
        grades = {s.name: Grade.NO_DECISION.value if not (s.required or self.force)
                  and rng.random() < 0.04 else GRADES[self.points(quality)].value
                  for s in rubric}
        if self.add(t, "record_assessment", rec, "assessed", grades=grades,
                    notes=f"{spec.assessment}: graded against rubric revision {1 + revised}"):
            return
        score = weighted_score(grades, rubric) or 0.0
        failed = failed_required_skills(grades, rubric)
        if self.branch(bool(failed) or score < 60, "disqualified"):
            reason = (f"Required skill {failed[0]} graded {grades[failed[0]]}" if failed
                      else f"Weighted score {score:.0f}/100, below the bar of 60")
            return self.end(1, 3, "disqualify", rec, "disqualified", reason=reason)
        if self.branch(0.03, "withdrawn"):
            return self.withdraw()
        best = max(rubric, key=lambda s: (GRADE_POINTS.get(Grade(grades[s.name]), -1), s.weight))
        if self.add(self.later(1, 3), "recommend", rec, "recommended",
                    summary=f"Weighted score {score:.0f}/100; strongest in {best.name}"):
            return
        if self.branch(0.3, "rejected"):
            return self.end(2, 8, "decide", manager, "rejected", outcome="reject",
                            reason=rng.choice(P.CLIENT_PASSES))
        if self.branch(0.04, "withdrawn"):
            return self.withdraw()
        if self.add(self.later(2, 6), "request_interview", manager, "interview_requested",
                    note="One of our top picks"):
            return
        if self.branch(0.05, "withdrawn"):
            return self.withdraw()
        ratings = []
        for _ in range(1 if rng.random() < 0.8 else 2):  # a second round, now and then
            t = self.later(1, 3)
            names = rng.sample(self.client.interviewers, rng.randint(2, 3))
            location = rng.choice(P.LOCATIONS)
            if self.add(t, "schedule_interview", rec, "interview_scheduled",
                        scheduled_at=_later(rng, t + timedelta(days=1), 1, 7),
                        interviewers=names, location=(
                            self.client.office if location == "On site" else location)):
                return
            self.t = self.steps[-1].args["scheduled_at"]
            for interviewer in names:
                ratings.append(self.points(quality))
                self.add(self.later(0, 1), "record_interview_feedback",
                         _client_actor(self.client, interviewer), "interviewed",
                         interviewer=interviewer, rating=GRADES[ratings[-1]].value)
            if self.force == "interviewed":
                return
        if self.branch(0.05, "withdrawn"):
            return self.withdraw()
        good = sum(ratings) / len(ratings) >= 2.4
        if self.branch(not (good and self.can_hire), "rejected"):
            reason = P.HEADCOUNT_FILLED if good else rng.choice(P.REJECT_REASONS)
            return self.end(1, 5, "decide", manager, "rejected", outcome="reject", reason=reason)
        self.hire_decided = True
        if self.add(self.later(1, 5), "decide", manager, "hire_decided", outcome="hire",
                    reason=rng.choice(P.HIRE_REASONS)):
            return
        if self.branch(0.06, "withdrawn"):
            return self.withdraw()
        salary = rng.randrange(spec.salary[0], spec.salary[1] + 1, 1000)
        start = self.t.date() + timedelta(days=rng.randint(35, 63))
        start += timedelta(days=-start.weekday() % 7)  # a Monday
        for offer in (1, 2):
            t = self.later(1, 3)
            if self.add(t, "send_offer", rec, "offered", salary=Decimal(salary),
                        currency=self.client.currency, start_date=start,
                        expires_at=_deadline(t, rng.randint(8, 11))):
                return
            if offer == 2 or not self.branch(0.22, "offer_declined"):
                break
            self.add(self.later(1, 5), "respond_to_offer", rec, "offer_declined",
                     accepted=False, reason=rng.choice(P.DECLINE_REASONS))
            if not self.branch(0.45, "offered"):
                return
            salary = salary * 106 // 100 // 1000 * 1000
        self.add(self.later(1, 5), "respond_to_offer", rec, accepted=True)
        self.add(self.later(1, 4), "hire", rec, "hired", start_date=start)

    def close_out(self, at: datetime, why: str) -> None:
        """The position closed at `at`: a candidacy still open then ends (offers stand)."""
        kept = [step for step in self.steps if step.at < at]
        stage = kept[-1].stage if kept else ""
        if len(kept) == len(self.steps) or stage not in IN_PROGRESS - {"hire_decided", "offered"}:
            return
        self.steps, self.stage, self.t = kept, stage, at
        if stage in ("contacted", "applied", "assessed"):
            self.end(0, 2, "disqualify", self.rec, "disqualified", reason=why)
        elif stage == "assessment_assigned":
            self.end(0, 2, "withdraw", self.rec, "withdrawn", reason=why)
        else:
            self.end(0, 2, "decide", self.manager, "rejected", outcome="reject", reason=why)
