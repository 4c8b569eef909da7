"""Cases generated from the API's own request schemas: for every field, the values at its
documented bounds (which must be accepted, stored and projected) and values just past them
(which must be refused with a 422 naming the field).

A field of a kind this module does not know fails the generation, so a new kind of field
cannot go untested; tests/api/test_bounds.py checks that every field of every request schema
is one of api/schemas/fields.py's bounded kinds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import Flask

from api.schemas import fields as f
from domain import bounds

FAR_WEST = timezone(-timedelta(hours=23, minutes=59))
FAR_EAST = timezone(timedelta(hours=23, minutes=59))
# the latest accepted time, written with the offset that takes it furthest from UTC
LATEST = bounds.LATEST.astimezone(FAR_WEST).isoformat()
EARLIEST = bounds.EARLIEST.astimezone(FAR_EAST).isoformat()
LAST_DAY = bounds.LAST_DAY.isoformat()
# characters of every width: accented, CJK, astral (4 bytes in UTF-8), a control character
_SAMPLE = "Zoë李\U0001F600\u00e9\x01\u200bx"


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    location: str  # json or query
    schema: ma.Schema


def request_routes(app: Flask) -> Iterator[Route]:
    """Every (route, method) of the API with its request schema, from flask-smorest's docs."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            function = getattr(view_class, method.lower()) if view_class else view
            apidoc = getattr(function, "_apidoc", {})
            for parameter in apidoc.get("arguments", {}).get("parameters", []):
                schema = parameter["schema"]
                yield Route(rule.rule, method, parameter["in"],
                            schema() if isinstance(schema, type) else schema)


def leaf_fields(schema: ma.Schema, pointer: str = "") -> Iterator[tuple[str, ma.fields.Field]]:
    """(JSON Pointer, field) of every field, nested ones included (lists as item 0)."""
    for name, field in schema.fields.items():
        yield from _walk(f"{pointer}/{field.data_key or name}", field)


def _walk(pointer: str, field: ma.fields.Field) -> Iterator[tuple[str, ma.fields.Field]]:
    yield pointer, field
    if isinstance(field, ma.fields.Nested):
        yield from leaf_fields(field.schema, pointer)
    elif isinstance(field, ma.fields.List):
        yield from _walk(f"{pointer}/0", field.inner)


def long_text(length: int, seed: str = "") -> str:
    """Exactly `length` characters, no blank at either end, distinct per seed."""
    text = (seed + "-" if seed else "") + _SAMPLE * (length // len(_SAMPLE) + 1)
    text = text[:length]
    return text if length < 2 else text[:-1] + "x"


def _length(field: ma.fields.Field, kind: str) -> int:
    for validator in field.validators:
        if isinstance(validator, ma.validate.Length):
            value = getattr(validator, kind)
            if value is not None:
                return int(value)
    raise AssertionError(f"{field!r} has no {kind} length")


def _range(field: ma.fields.Field) -> ma.validate.Range:
    for validator in field.validators:
        if isinstance(validator, ma.validate.Range):
            return validator
    raise AssertionError(f"{field!r} has no range")


def maximal(field: ma.fields.Field, seed: str = "") -> Any:
    """A value at the field's upper bounds (longest text, latest time, largest number)."""
    if isinstance(field, f.Email):
        local = long_text(254 - len("@example.com") - 1, seed).replace("\U0001F600", "a")
        local = "".join(c for c in local if c.isalnum() or c in "-") or "a"
        return f"{local}@example.com"
    if isinstance(field, f.Choice):
        return _choices(field)[-1]
    if isinstance(field, f.Text):
        return long_text(_length(field, "max"), seed)
    if isinstance(field, f.Moment):
        return LATEST
    if isinstance(field, f.Day):
        return LAST_DAY
    if isinstance(field, (f.Count, f.QueryCount)):
        return int(_range(field).max)
    if isinstance(field, f.Money):
        return str(bounds.MAX_SALARY)
    if isinstance(field, f.Flag):
        return True
    if isinstance(field, f.Id):
        raise AssertionError("ids come from the scenario, not from the bounds")
    if isinstance(field, f.Items):
        return [maximal(field.inner, f"{seed}{i}") for i in range(_length(field, "max"))]
    if isinstance(field, f.Object):
        return {field_.data_key or name: maximal(field_, seed)
                for name, field_ in field.schema.fields.items()}
    raise AssertionError(f"no bounds known for {type(field).__name__}")


def _choices(field: ma.fields.Field) -> list[str]:
    for validator in field.validators:
        if isinstance(validator, ma.validate.OneOf):
            return [str(c) for c in validator.choices]
    raise AssertionError(f"{field!r} has no choices")


def beyond(field: ma.fields.Field) -> list[tuple[str, Any]]:
    """(what, value) pairs just past the field's bounds, or not storable: each a 422."""
    if isinstance(field, f.Email):
        return [("too long", "a" * 250 + "@example.com"), ("NUL", "a\x00b@example.com"),
                ("surrogate", "a\ud800@example.com"), ("not an address", "nobody")]
    if isinstance(field, f.Choice):
        return [("unknown", "no-such-choice"), ("NUL", "\x00")]
    if isinstance(field, f.Text):
        longest = _length(field, "max")
        cases = [("too long", long_text(longest + 1)), ("NUL", "a\x00b"),
                 ("lone surrogate", "a\ud800b"), ("low surrogate", "\udfff")]
        if _length(field, "min") >= 1:
            cases.append(("empty", ""))
        return cases
    if isinstance(field, f.Moment):
        return [("past datetime.max in UTC", "9999-12-31T23:59:59-23:59"),
                ("before datetime.min in UTC", "0001-01-01T00:00:00+23:59"),
                ("after the latest", (bounds.LATEST + timedelta(microseconds=1)).isoformat()),
                ("before the earliest",
                 (bounds.EARLIEST - timedelta(microseconds=1)).isoformat()),
                ("no offset", "2030-01-01T09:00:00"), ("NUL", "2030-01-01T09:00:00\x00Z"),
                ("year 10000", "10000-01-01T00:00:00Z")]
    if isinstance(field, f.Day):
        return [("after the last day", "2200-01-01"), ("before the first day", "1969-12-31"),
                ("not a date", "2030-02-30")]
    if isinstance(field, (f.Count, f.QueryCount)):
        limits = _range(field)
        cases = [("one more", int(limits.max) + 1), ("2**63", 2**63), ("10**20", 10**20),
                 ("one less", int(limits.min) - 1), ("digits", "9" * 5000)]
        if isinstance(field, f.Count):
            cases += [("fraction", 1.5), ("text", "3"), ("boolean", True)]
        return cases
    if isinstance(field, f.Money):
        return [("one more", str(bounds.MAX_SALARY + 1)), ("huge", "1e999999"),
                ("too precise", "1.00001"), ("zero", "0"), ("negative", "-1"),
                ("not a number", "NaN"), ("infinite", "Infinity")]
    if isinstance(field, f.Flag):
        return [("number", 1), ("text", "true")]
    if isinstance(field, f.Id):
        return [("not a uuid", "x"), ("NUL", "\x00"), ("long", "a" * 1000)]
    if isinstance(field, f.Items):
        return [("too many", [maximal(field.inner, str(i))
                              for i in range(_length(field, "max") + 1)])]
    if isinstance(field, f.Mapping):
        return [("too many", {long_text(20, str(i)): "yes"
                              for i in range(int(field.metadata["maxProperties"]) + 1)}),
                ("NUL in a key", {"a\x00b": "yes"}), ("surrogate in a key", {"\ud800": "yes"})]
    if isinstance(field, f.Object):
        return [("not an object", "x")]
    raise AssertionError(f"no bounds known for {type(field).__name__}")


def with_value(body: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """A deep copy of body with the value at a JSON Pointer replaced (lists: item 0)."""
    import copy

    copied = copy.deepcopy(body)
    parts = pointer.strip("/").split("/")
    target: Any = copied
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return copied


def query_cases(schema: ma.Schema) -> Iterator[tuple[str, str, str | bytes]]:
    """(pointer, what, value) past the bounds of each query parameter. A lone surrogate
    cannot be written in a URL as UTF-8: it comes as its raw bytes, percent-encoded (bytes)."""
    for pointer, field in leaf_fields(schema):
        for what, value in beyond(field):
            if isinstance(value, (dict, list, bool)):
                continue
            text = str(value)
            if any("\ud800" <= c <= "\udfff" for c in text):
                yield pointer, what, text.encode("utf-8", "surrogatepass")
            else:
                yield pointer, what, text


def at_max_query(schema: ma.Schema) -> dict[str, str]:
    """Every non-id query parameter at its upper bound (a valid query)."""
    params: dict[str, str] = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, f.Id):
            continue
        value = maximal(field)
        params[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if "from" in params and "to" in params:
        params["from"] = EARLIEST
    if "version" in params and "as_of" in params:
        del params["version"]
    params.pop("cursor", None)
    params.pop("min_position", None)  # a position past the head is a 422
    return params


def decimal_text(value: Decimal) -> str:
    return format(value, "f")
