"""`hirelog demo` dates its history relative to today (issue 12 §5): the same six months of
the same steps, moved by whole weeks so that they end in the week before today (or
`--today`); `load_demo` without `today` keeps the plan's own dates (the tests rely on them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from audit.log_verify import notifications, verify_log
from cli.main import main
from demo.history import load_demo
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.databases import TEST_ID_KEY


def events_of(settings: Settings) -> list[tuple[str, int, str, datetime]]:
    app = open_recruitment(settings)
    try:
        assert verify_log(app.recorder).ok
        return [(str(n.originator_id), n.originator_version, n.topic,
                 app.mapper.to_domain_event(n).timestamp) for n in notifications(app.recorder)]
    finally:
        app.close()


def demo_cli(tmp_path: Path, name: str, *options: str) -> Settings:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/{name}.sqlite", id_key=TEST_ID_KEY)
    result = CliRunner().invoke(main, ["demo", "--candidates", "20", *options], env={
        "DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": TEST_ID_KEY})
    assert result.exit_code == 0, result.output
    return settings


def test_the_demo_ends_in_the_week_before_the_day_given_with_the_same_steps(
        tmp_path: Path) -> None:
    planned = Settings(database_url=f"sqlite:///{tmp_path}/planned.sqlite", id_key=TEST_ID_KEY)
    app = open_recruitment(planned)
    try:
        load_demo(app, seed=7, candidates=20)
    finally:
        app.close()
    original = events_of(planned)
    assert original[-1][3].date() <= date(2026, 10, 30)

    moved = events_of(demo_cli(tmp_path, "moved", "--today", "2027-03-10"))
    assert [e[:3] for e in moved] == [e[:3] for e in original]  # the same steps, in order
    shifts = {m[3] - o[3] for m, o in zip(moved, original, strict=True)}
    assert len(shifts) == 1
    [shift] = shifts
    assert shift.days % 7 == 0 and shift.seconds == 0  # whole weeks: weekdays kept
    assert date(2027, 3, 2) <= moved[-1][3].date() <= date(2027, 3, 9)


def test_by_default_the_demo_ends_in_the_week_before_today(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    events = events_of(demo_cli(tmp_path, "today"))
    assert today - timedelta(days=8) <= events[-1][3].date() < today
    assert all(e[3].date() < today for e in events)  # nothing dated in the future
