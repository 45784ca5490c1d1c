"""Reading a panel's saved parameters back: every field checked, with a one-line reason.

A panel's :meth:`~explorer.panels.base.Panel.state_dict` is plain JSON (numbers, strings,
booleans, lists, nested objects). These readers take one field out of such a dict and return it
in the type the panel's state dataclass uses, or raise ValueError naming the field and what a
valid value looks like. They check form only (types, finiteness, lengths, ranges a control
enforces); whether the model accepts the combination is asked of the model by the panel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Prefix the message of a ValueError raised inside with ``prefix`` (a section's name)."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(f"{prefix}: {exc}") from None


def section(state: object, key: str | None = None) -> Mapping[str, Any]:
    """``state`` itself (``key`` None) or its field ``key``, which must be a JSON object."""
    value = state if key is None else field(state, key)
    if not isinstance(value, Mapping):
        what = "the saved state" if key is None else key
        raise ValueError(f"{what} must be a JSON object, got {_describe(value)}")
    return value


def field(state: Mapping[str, Any], key: str) -> object:
    """The raw value of ``key``; ValueError if it is missing."""
    try:
        return state[key]
    except KeyError:
        raise ValueError(f"{key} is missing") from None


def _as_number(value: object, name: str) -> float:
    # bool is an int in Python, but true/false for a number is garbage in a settings file.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large: it must be a finite number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def number(state: Mapping[str, Any], key: str,
           check: Callable[[float], object] | None = None) -> float:
    """A finite number; ``check`` (a panel's control validator) may refuse it with ValueError."""
    value = _as_number(field(state, key), key)
    if check is not None:
        try:
            check(value)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return value


def whole(state: Mapping[str, Any], key: str, low: int, high: int) -> int:
    """A whole number in ``low … high`` (a float such as 3.0 counts as 3)."""
    value = _as_number(field(state, key), key)
    if not value.is_integer() or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number from {low} to {high}, got {value:g}")
    return int(value)


def flag(state: Mapping[str, Any], key: str) -> bool:
    """A JSON true or false."""
    value = field(state, key)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, got {_describe(value)}")
    return value


def choice(state: Mapping[str, Any], key: str, choices: Collection[str]) -> str:
    """One of ``choices``."""
    value = field(state, key)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{key} must be one of {', '.join(choices)}, got {_describe(value)}")
    return value


def vector(state: Mapping[str, Any], key: str, low: int = 1,
           high: int | None = None) -> tuple[float, ...]:
    """A list of ``low`` to ``high`` finite numbers."""
    value = field(state, key)
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key} must be a list of numbers, got {_describe(value)}")
    if len(value) < low or (high is not None and len(value) > high):
        most = "" if high is None else f" to {high}"
        raise ValueError(f"{key} must have {low}{most} numbers, got {len(value)}")
    return tuple(_as_number(v, f"{key}[{i}]") for i, v in enumerate(value))


def matrix(state: Mapping[str, Any], key: str, high: int | None = None
           ) -> tuple[tuple[float, ...], ...]:
    """Rows of equal length (at least 1 × 1, at most ``high`` rows and columns) of numbers."""
    value = field(state, key)
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"{key} must be a non-empty list of rows, got {_describe(value)}")
    rows = tuple(vector({f"{key}[{i}]": row}, f"{key}[{i}]", 1, high)
                 for i, row in enumerate(value))
    if high is not None and len(rows) > high:
        raise ValueError(f"{key} must have at most {high} rows, got {len(rows)}")
    if len({len(row) for row in rows}) != 1:
        raise ValueError(f"{key}: every row must have the same length")
    return rows
