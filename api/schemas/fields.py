"""The only fields request schemas use: each one bounded (domain/bounds.py), so that every
value the API accepts can be stored and projected on both stores, and documented in the
OpenAPI text (maxLength, maximum, and `x-earliest`/`x-latest` for times).

tests/api/test_bounds.py walks every request schema and fails on a field of any other kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import marshmallow as ma

from domain import bounds
from domain.errors import InvalidValue
from domain.values import normalise_email


class Bounded:
    """Marks a field whose every accepted value is storable on both stores."""

    metadata: Any  # marshmallow declares a read-only Mapping; each field keeps its own dict

    def document(self, entries: dict[str, Any], overwrite: bool = False) -> None:
        """Add `entries` to the field's OpenAPI text (unless the schema already says them,
        or `overwrite`)."""
        for key, value in entries.items():
            if overwrite or key not in self.metadata:
                self.metadata[key] = value


def _check_storable(value: str) -> None:
    problem = bounds.unstorable_text(value)
    if problem is not None:
        raise ma.ValidationError(f"Text {problem}.")


class Text(ma.fields.String, Bounded):
    """Text of at most `max_length` characters, without NUL or lone surrogates. Stored as
    sent; the domain strips surrounding blanks from names, reasons and notes."""

    def __init__(self, max_length: int = 10_000, min_length: int = 1, **kwargs: Any) -> None:
        validators = [ma.validate.Length(min=min_length, max=max_length)]
        validators += list(kwargs.pop("validate", None) or [])
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        _check_storable(text)
        return text


class Choice(ma.fields.String, Bounded):
    """One of a fixed set of words (an enum's values)."""

    def __init__(self, choices: type[Enum] | Iterable[str], **kwargs: Any) -> None:
        values = ([str(m.value) for m in choices] if isinstance(choices, type)
                  else list(choices))
        error = kwargs.pop("error", None)
        super().__init__(validate=ma.validate.OneOf(values, error=error), **kwargs)


class Email(ma.fields.String, Bounded):
    """An email address, at most 254 characters (RFC 5321), as mail systems compare it:
    see domain.values.normalise_email."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.Length(min=3, max=254), **kwargs)
        self.document({"format": "email"})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        _check_storable(text)
        try:
            normalise_email(text)
        except InvalidValue:
            raise ma.ValidationError("Not a valid email address.") from None
        return text


def _time_range() -> dict[str, str]:
    return {"x-earliest": bounds.EARLIEST.isoformat(), "x-latest": bounds.LATEST.isoformat()}


class Moment(ma.fields.AwareDateTime, Bounded):
    """A time with its offset (ISO 8601), within domain.bounds' EARLIEST and LATEST (in UTC)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document(_time_range())
        description = self.metadata.get("description")
        bounds_text = (f"ISO 8601 with offset, from {bounds.EARLIEST:%Y-%m-%d} to "
                       f"{bounds.LATEST:%Y-%m-%d} in UTC")
        self.document({"description": f"{description} ({bounds_text})" if description
                       else bounds_text}, overwrite=True)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str):
            _check_storable(value)
        moment = super()._deserialize(value, attr, data, **kwargs)
        problem = bounds.out_of_range_moment(moment)
        if problem is not None:
            raise ma.ValidationError(f"The time {problem}.")
        return moment


class Day(ma.fields.Date, Bounded):
    """A calendar date (YYYY-MM-DD) within domain.bounds' FIRST_DAY and LAST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document({"x-earliest": bounds.FIRST_DAY.isoformat(),
                       "x-latest": bounds.LAST_DAY.isoformat()})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, str):
            _check_storable(value)
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = bounds.out_of_range_day(day)
        if problem is not None:
            raise ma.ValidationError(f"The date {problem}.")
        return day


class Count(ma.fields.Integer, Bounded):
    """A whole number from `minimum` to `maximum` (JSON numbers only, never "3" or 3.0)."""

    def __init__(self, minimum: int, maximum: int, **kwargs: Any) -> None:
        if maximum > bounds.MAX_INT64:
            raise ValueError("no column of either store holds that")
        super().__init__(strict=True, validate=ma.validate.Range(minimum, maximum), **kwargs)


class QueryCount(ma.fields.Integer, Bounded):
    """A whole number in a query string (text, so not strict) from `minimum` to `maximum`."""

    def __init__(self, minimum: int, maximum: int, **kwargs: Any) -> None:
        if maximum > bounds.MAX_INT64:
            raise ValueError("no column of either store holds that")
        super().__init__(validate=ma.validate.Range(minimum, maximum), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and len(value) > 25:  # int() of a huge string is slow
            raise ma.ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Money(ma.fields.Decimal, Bounded):
    """An exact amount: more than 0, at most domain.bounds.MAX_SALARY, at most
    SALARY_PLACES decimal places."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # the range is checked in _deserialize, documented here
        self.document({"minimum": 0, "exclusiveMinimum": True, "maximum": int(bounds.MAX_SALARY),
                       "multipleOf": float(Decimal(1).scaleb(-bounds.SALARY_PLACES))},
                      overwrite=True)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, str) and len(value) > 40:
            raise ma.ValidationError("Not a valid number.")
        amount = super()._deserialize(value, attr, data, **kwargs)
        problem = bounds.out_of_range_salary(amount)
        if problem is not None:
            raise ma.ValidationError(f"The amount {problem}.")
        return amount


class Flag(ma.fields.Boolean, Bounded):
    """true or false only: 1, 0 and "yes" are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ma.ValidationError("Not a valid boolean: send true or false.")
        return value


class Id(ma.fields.UUID, Bounded):
    """A UUID (36 characters)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) > 45:
            raise ma.ValidationError("Not a valid UUID.")
        return super()._deserialize(value, attr, data, **kwargs)


class Items(ma.fields.List, Bounded):
    """A list of at most `max_items` bounded values."""

    def __init__(self, item: ma.fields.Field, min_items: int, max_items: int,
                 **kwargs: Any) -> None:
        super().__init__(item, validate=ma.validate.Length(min=min_items, max=max_items),
                         **kwargs)


class Mapping(ma.fields.Dict, Bounded):
    """An object of at most `max_items` bounded keys and values."""

    def __init__(self, keys: ma.fields.Field, values: ma.fields.Field, max_items: int,
                 **kwargs: Any) -> None:
        super().__init__(keys=keys, values=values,
                         validate=ma.validate.Length(max=max_items), **kwargs)
        self.document({"maxProperties": max_items})


class Object(ma.fields.Nested, Bounded):
    """A nested object whose own fields are bounded."""
