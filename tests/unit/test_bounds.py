"""The domain's own bounds (a second line behind the API's fields) and how emails compare."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain import bounds
from domain.errors import InvalidValue
from domain.values import normalise_email, require_text

FAR = timezone(-timedelta(hours=23, minutes=59))
EAST = timezone(timedelta(hours=23, minutes=59))


@pytest.mark.parametrize("moment", [
    bounds.EARLIEST, bounds.LATEST,
    bounds.EARLIEST.astimezone(EAST), bounds.LATEST.astimezone(FAR),
    datetime(2026, 5, 4, 9, 30, tzinfo=UTC)])
def test_times_inside_the_range_are_accepted_and_convert_to_utc(moment: datetime) -> None:
    assert bounds.check_moment(moment, "due_at") is moment
    moment.astimezone(UTC)  # what the read models do with it


@pytest.mark.parametrize("moment", [
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=FAR),  # past datetime.max in UTC
    datetime(1, 1, 1, tzinfo=EAST),  # before datetime.min in UTC
    bounds.LATEST + timedelta(microseconds=1),
    bounds.EARLIEST - timedelta(microseconds=1),
    datetime(2199, 12, 31, 23, 59, tzinfo=FAR)])  # inside as written, outside in UTC
def test_times_outside_the_range_are_refused_naming_the_field(moment: datetime) -> None:
    with pytest.raises(InvalidValue, match="due_at must lie between") as refused:
        bounds.check_moment(moment, "due_at")
    assert refused.value.field == "due_at"


def test_a_time_without_offset_is_refused() -> None:
    with pytest.raises(InvalidValue, match="time zone"):
        bounds.check_moment(datetime(2026, 5, 4), "scheduled_at")


@pytest.mark.parametrize("day", [date(1969, 12, 31), date(2200, 1, 1), date.max, date.min])
def test_days_outside_the_range_are_refused(day: date) -> None:
    with pytest.raises(InvalidValue, match="start_date must lie between"):
        bounds.check_day(day, "start_date")


@pytest.mark.parametrize(("amount", "problem"), [
    (Decimal("0"), "more than zero"), (Decimal("-1"), "more than zero"),
    (Decimal("NaN"), "a number"), (Decimal("Infinity"), "a number"),
    (bounds.MAX_SALARY + 1, "at most"), (Decimal("1E+30"), "at most"),
    (Decimal("1.00001"), "decimal places"), (Decimal("1E-1000000"), "decimal places")])
def test_salaries_outside_the_bounds_are_refused(amount: Decimal, problem: str) -> None:
    assert problem in (bounds.out_of_range_salary(amount) or "")


@pytest.mark.parametrize("amount", [Decimal("0.0001"), bounds.MAX_SALARY,
                                    Decimal("1.50000"), Decimal("65000")])
def test_salaries_inside_the_bounds_are_accepted(amount: Decimal) -> None:
    assert bounds.out_of_range_salary(amount) is None


@pytest.mark.parametrize(("text", "problem"), [
    ("Ann\x00Lee", "NUL"), ("\ud800", "lone surrogate (U+D800)"),
    ("ok \udfff", "lone surrogate (U+DFFF)")])
def test_unstorable_text_is_refused(text: str, problem: str) -> None:
    with pytest.raises(InvalidValue, match=re.escape(problem)):
        require_text(text, "name")


def test_any_other_text_is_kept_as_sent_apart_from_surrounding_blanks() -> None:
    sent = "  Zoë 李 \U0001F600\u200b\x01\ufeff x "
    assert require_text(sent, "name") == sent.strip()


@pytest.mark.parametrize("variant", [
    "ann@example.com", " Ann@Example.COM ", "\uff41\uff4e\uff4e@example.com",
    "ann\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d"])
def test_one_mailbox_in_its_compatibility_forms_is_one_address(variant: str) -> None:
    assert normalise_email(variant) == "ann@example.com"


@pytest.mark.parametrize("variant", [
    "ann@bücher.example", "ann@BÜCHER.example", "ann@xn--bcher-kva.example",
    "ANN@XN--BCHER-KVA.EXAMPLE"])
def test_an_internationalised_domain_is_one_domain_in_unicode_or_punycode(variant: str) -> None:
    assert normalise_email(variant) == "ann@xn--bcher-kva.example"


@pytest.mark.parametrize("bad", ["ann", "ann@", "@example.com", "ann@example",
                                 "a b@example.com", "ann@exa mple.com", "ann@-x-.com",
                                 "ann\x00@example.com", "a" * 250 + "@example.com"])
def test_what_is_not_an_address_is_refused(bad: str) -> None:
    with pytest.raises(InvalidValue, match="not an email address"):
        normalise_email(bad)
