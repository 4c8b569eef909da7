"""Bounds: the range of every kind of value hirelog accepts, in one place.

Every value a command accepts must be storable and projectable on both stores (SQLite and
PostgreSQL): a time must convert to UTC (an offset can push 9999-12-31 past `datetime.max`),
an integer must fit the read models' columns (PostgreSQL's INTEGER is 32 bits), and text
must be encodable as UTF-8 and storable by PostgreSQL (which refuses NUL). The API's fields
(api/schemas/fields.py) and the domain's own checks both use these, so the edge refuses what
the stores cannot keep, and the domain refuses it again if another entry point sends it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.errors import InvalidValue

# Times (due dates, interviews, offer expiries, and the times a query asks about), in UTC.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
# Calendar dates (start dates).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)

# Integers: the columns they are stored in.
MAX_INT32 = 2**31 - 1  # PostgreSQL INTEGER (versions, counts, minutes)
MAX_INT64 = 2**63 - 1  # PostgreSQL BIGINT and SQLite INTEGER (log positions, read ids)
MAX_HEADCOUNT = 10_000  # hires for one position
MAX_ASSESSMENT_MINUTES = 10_080  # a week
MAX_VERSION = MAX_INT32

# Money: salaries in a currency's units, exactly.
MAX_SALARY = Decimal("999999999999999")  # 15 digits: enough for any currency's yearly pay
SALARY_PLACES = 4  # ISO 4217 minor units go to 4 places (CLF)

# Text: PostgreSQL cannot store NUL; a lone surrogate cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character (U+0000)"
    return f"must not contain a lone surrogate (U+{ord(found.group()):04X})"


def check_text(text: str, field: str) -> str:
    problem = unstorable_text(text)
    if problem is not None:
        raise InvalidValue(f"{field} {problem}", field)
    return text


def out_of_range_moment(moment: datetime) -> str | None:
    """Why `moment` is outside the accepted range of times, or None when it is inside.

    Comparing aware datetimes never overflows, even where converting them to UTC would."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "must carry a time zone offset"
    if not EARLIEST <= moment <= LATEST:
        return (f"must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()} "
                "(in UTC, after applying its offset)")
    return None


def check_moment(moment: datetime, field: str) -> datetime:
    problem = out_of_range_moment(moment)
    if problem is not None:
        raise InvalidValue(f"{field} {problem}", field)
    return moment


def out_of_range_day(day: date) -> str | None:
    if not FIRST_DAY <= day <= LAST_DAY:
        return f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
    return None


def check_day(day: date, field: str) -> date:
    problem = out_of_range_day(day)
    if problem is not None:
        raise InvalidValue(f"{field} {problem}", field)
    return day


def out_of_range_salary(amount: Decimal) -> str | None:
    if not amount.is_finite():
        return "must be a number"
    if amount <= 0:
        return "must be more than zero"
    if amount > MAX_SALARY:
        return f"must be at most {MAX_SALARY}"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SALARY_PLACES and amount != amount.quantize(
            Decimal(1).scaleb(-SALARY_PLACES)):
        return f"must have at most {SALARY_PLACES} decimal places"
    return None
