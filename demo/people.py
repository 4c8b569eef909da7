"""The cast and the words of the demo data set: clients, positions, recruiters, names, reasons.

Pure data; demo.history decides who does what, and when.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.values import Actor, Skill


@dataclass(frozen=True)
class ClientSpec:
    key: str
    name: str
    currency: str
    office: str
    manager: str  # the hiring manager: picks candidates for interviews, decides
    interviewers: tuple[str, ...]


@dataclass(frozen=True)
class PositionSpec:
    key: str
    client: str
    title: str
    headcount: int
    skills: tuple[Skill, ...]
    assessment: str
    minutes: int
    recruiter: int  # index into RECRUITERS
    opened: date
    share: int  # relative number of candidates
    salary: tuple[int, int]  # yearly, in the client's currency
    revision: tuple[date, tuple[Skill, ...]] | None = None
    hold: tuple[date, str] | None = None
    filled_by_first_hire: bool = False


RECRUITERS = (
    Actor("demo-rec-mara", "Mara Lindqvist", "recruiter"),
    Actor("demo-rec-tomasz", "Tomasz Wójcik", "recruiter"),
    Actor("demo-rec-priya", "Priya Raman", "recruiter"),
)
ADMIN = Actor("demo-admin-ada", "Ada Okafor", "admin")
CAREERS_SITE = Actor("demo-careers-site", "Careers site", "system")

CLIENTS = (
    ClientSpec("quillpay", "Quillpay Ltd", "GBP", "Quillpay office, 12 Leonard St, London",
               "Hannah Whitfield", ("Hannah Whitfield", "Oliver Grant", "Sana Qureshi",
                                    "Marcus Bell")),
    ClientSpec("northwind", "Northwind Analytics GmbH", "EUR",
               "Northwind office, Torstrasse 109, Berlin", "Jan Petersen",
               ("Jan Petersen", "Lea Hoffmann", "Emre Yilmaz", "Katrin Vogel")),
    ClientSpec("helio", "Helio Robotics", "EUR", "Helio lab, Parkring 4, Munich",
               "Sophie Brandt", ("Sophie Brandt", "Felix Maier", "Aiko Tanaka",
                                 "Lukas Steiner")),
    ClientSpec("larkspur", "Larkspur Health Inc.", "USD",
               "Larkspur HQ, 200 Clarendon St, Boston", "Dana Morales",
               ("Dana Morales", "Kevin O'Brien", "Mei Chen", "Tyrell Jackson")),
)

S = Skill
POSITIONS = (
    PositionSpec(
        "backend", "quillpay", "Senior Backend Engineer (Python)", 4,
        (S("Python", 5, True), S("API design", 4), S("SQL and data modelling", 4, True),
         S("Testing", 3), S("Distributed systems", 2)),
        "Take-home: payments ledger service", 240, 0, date(2026, 5, 4), 9, (75_000, 95_000),
        revision=(date(2026, 7, 20), (
            S("Python", 5, True), S("API design", 3), S("SQL and data modelling", 4, True),
            S("Testing", 4, True), S("Distributed systems", 3), S("Observability", 2)))),
    PositionSpec(
        "ios", "quillpay", "Mobile Engineer (iOS)", 1,
        (S("Swift", 5, True), S("SwiftUI and UIKit", 4), S("Testing", 2), S("Accessibility", 2)),
        "Live pairing: SwiftUI feature", 90, 0, date(2026, 5, 4), 4, (65_000, 80_000),
        filled_by_first_hire=True),
    PositionSpec(
        "analyst", "northwind", "Data Analyst", 3,
        (S("SQL", 5, True), S("Statistics", 4), S("Data visualisation", 3),
         S("Communication", 3)),
        "SQL and dashboard exercise", 45, 1, date(2026, 5, 5), 9, (55_000, 70_000)),
    PositionSpec(
        "data-eng", "northwind", "Staff Data Engineer", 2,
        (S("Data modelling", 5, True), S("Python or Scala", 4, True), S("System design", 4),
         S("Stream processing", 4), S("Cloud infrastructure", 3), S("Mentoring", 2)),
        "Take-home: streaming pipeline design", 360, 1, date(2026, 5, 11), 9, (95_000, 120_000)),
    PositionSpec(
        "embedded", "helio", "Embedded C++ Engineer", 2,
        (S("Modern C++", 5, True), S("RTOS", 4), S("Hardware debugging", 3),
         S("Control systems", 2), S("Code review", 2)),
        "Take-home: motor controller firmware", 300, 2, date(2026, 6, 1), 6, (70_000, 88_000)),
    PositionSpec(
        "writer", "helio", "Technical Writer (API docs)", 1,
        (S("Technical writing", 5, True), S("API literacy", 3), S("Editing", 3),
         S("Docs tooling", 2)),
        "Writing sample: document an endpoint", 75, 2, date(2026, 6, 15), 3, (50_000, 62_000)),
    PositionSpec(
        "frontend", "larkspur", "Frontend Engineer (React)", 2,
        (S("TypeScript", 5, True), S("React", 4, True), S("Accessibility", 3), S("Testing", 3)),
        "Take-home: patient intake form", 120, 0, date(2026, 5, 18), 6, (120_000, 145_000),
        hold=(date(2026, 9, 1), "Budget freeze until the next funding round")),
    PositionSpec(
        "sre", "larkspur", "Site Reliability Engineer", 2,
        (S("Linux", 4, True), S("Kubernetes", 4), S("Incident response", 3), S("Terraform", 3),
         S("Scripting", 3)),
        "Incident simulation and on-call exercise", 180, 2, date(2026, 7, 6), 5,
        (135_000, 160_000)),
)

FIRST_NAMES = (
    "Aaliyah", "Adebayo", "Aisha", "Alejandro", "Amara", "Anders", "Ananya", "Arjun", "Astrid",
    "Bao", "Beatriz", "Camille", "Chidi", "Chloé", "Daniel", "Dmitri", "Elif", "Emma", "Farah",
    "Finn", "Gabriel", "Hana", "Hiroshi", "Ines", "Ingrid", "Isaac", "Jamal", "Javier", "Jin",
    "Julia", "Kai", "Karim", "Kofi", "Laila", "Lars", "Leila", "Lucas", "Maja", "Mateo", "Maya",
    "Mohammed", "Nadia", "Niamh", "Nikolai", "Noah", "Olga", "Omar", "Paula", "Rafael", "Rania",
    "Rohan", "Sakura", "Samuel", "Sofia", "Tariq", "Thea", "Tobias", "Valentina", "Wei", "Yara",
    "Yusuf", "Zara", "Zoë", "Ethan",
)
LAST_NAMES = (
    "Abara", "Almeida", "Andersson", "Bakker", "Banerjee", "Becker", "Brennan", "Castillo",
    "Chen", "Costa", "Dąbrowski", "Demir", "Dubois", "Eriksen", "Fernández", "Fischer",
    "Gallagher", "García", "Haddad", "Hansen", "Ivanova", "Jansen", "Kaur", "Kim", "Kowalski",
    "Larsen", "Lefebvre", "Mendes", "Moreau", "Müller", "Nakamura", "Nguyen", "Novak",
    "Nowak", "Okonkwo", "Olsen", "Park", "Patel", "Petrov", "Popescu", "Reyes", "Rossi",
    "Said", "Santos", "Schmidt", "Silva", "Singh", "Sørensen", "Suzuki", "Tan", "Torres",
    "Usman", "Van Dijk", "Varga", "Wagner", "Weber", "Yamamoto", "Zhang", "Zielinski",
)
EMAIL_DOMAINS = ("gmail.com", "proton.me", "outlook.com", "fastmail.com", "posteo.de",
                 "hey.com", "icloud.com")

SOURCES = ("referral", "sourced", "job_board", "agency_network", "inbound", "other")
SOURCE_WEIGHTS = (12, 28, 22, 14, 18, 6)
CHANNELS = {
    "referral": ("referral by a former placement", "referral by a client engineer"),
    "sourced": ("LinkedIn", "GitHub", "Stack Overflow profile"),
    "job_board": ("Otta", "Welcome to the Jungle", "Indeed", "Hacker News: Who is hiring"),
    "agency_network": ("agency talent pool", "agency newsletter", "alumni meetup"),
    "inbound": ("careers page", "email to the agency"),
    "other": ("conference talk", "hackathon", "open-source contribution"),
}
APPLY_NOTES = ("CV and GitHub link received", "Applied with CV; available in 4 weeks",
               "Applied; open to hybrid work", None, None)

ABANDON_REASONS = ("too_long", "schedule_conflict", "not_representative", "no_response", "other")
# weights for the shortest and the longest assessment; lengths between are interpolated
ABANDON_WEIGHTS_SHORT = (5, 25, 30, 30, 10)
ABANDON_WEIGHTS_LONG = (45, 32, 10, 8, 5)
ABANDON_NOTES = {
    "too_long": "Said the take-home would cost a full weekend",
    "schedule_conflict": "No free evening before the deadline; currently on a release crunch",
    "not_representative": "Felt the exercise does not show what they do day to day",
    "no_response": "No answer to two reminders",
    "other": "Personal reasons",
}
RESCHEDULE_REASONS = ("Candidate travelling for a family event", "Candidate asked for a weekend",
                      "Candidate is ill this week", "Release week at their current job")
SCREEN_OUT = ("Needs visa sponsorship the client cannot offer",
              "Salary expectations far above the band", "Not willing to relocate or go hybrid",
              "Less than the required years of professional experience")
WITHDRAW_REASONS = ("Accepted another offer", "Decided to stay after a counter-offer",
                    "Not looking to move right now", "Relocating abroad for family reasons",
                    "Role turned out to be less senior than expected")
CLIENT_PASSES = ("Prefers candidates with more production experience",
                 "Strong profile, but another candidate fits the team better",
                 "Not enough depth in the required domain")
REJECT_REASONS = ("Mixed interview feedback on system design",
                  "Team felt the collaboration style was not a fit",
                  "Another finalist was stronger on the required skills")
HEADCOUNT_FILLED = "Strong finalist, but the headcount went to other finalists"
HIRE_REASONS = ("Unanimous yes from the panel", "Strong design round and great team fit",
                "Best finalist on the required skills")
DECLINE_REASONS = ("Accepted a counter-offer", "Salary below expectations",
                   "Start date too early", None)
LOCATIONS = ("Video call", "Video call", "On site")
NOTICE = "Thank you for your time; the client decided not to continue with your application."


_ASCII: dict[str, str | int | None] = {"ø": "o", "ł": "l", " ": "", "'": ""}


def ascii_name(text: str) -> str:
    """Lower-case ASCII for email addresses and ids: "Sørensen" -> "sorensen"."""
    text = text.lower().translate(str.maketrans(_ASCII))
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def person(rng: random.Random, seen: set[str]) -> tuple[str, str]:
    """A plausible name (unique while names last) and an email address no one else has."""
    for _ in range(20):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if f"{first} {last}" not in seen:
            break
    local, n = f"{ascii_name(first)}.{ascii_name(last)}", 1
    while f"{local}{n}" in seen:
        n += 1
    seen.update((f"{first} {last}", f"{local}{n}"))
    return f"{first} {last}", f"{local}{'' if n == 1 else n}@{rng.choice(EMAIL_DOMAINS)}"
