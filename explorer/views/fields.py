"""A panel state's fields: JSON for saving it, reading it back checked, and errors that name them.

A state is a frozen dataclass of numbers, strings, booleans, tuples of numbers (vectors, rows)
and nested states. :func:`to_json` writes one as plain JSON data; :func:`from_json` reads such
data back into the dataclass, checking every value's form against the field's type, and raises
a ValueError that names the field and says what a valid value looks like. Whether the values
make sense together is the panel's ``compute``'s to say; it raises :class:`FieldError`.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

import numpy as np

from explorer.model.validation import positive_int


class FieldError(ValueError):
    """A value the panel cannot use, and the state field it belongs to (a dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def located(self) -> str:
        """The message with its field in front, for a reader who sees no control ("y: …")."""
        return f"{self.field}: {self}"


def grid_rule(field: str, most: int, what: str):
    """The rule of a grid field: at most ``most`` rows and columns (``what`` names it)."""
    def check(values: object) -> None:
        rows, cols = np.shape(values)
        if max(rows, cols) > most:
            raise FieldError(field, f"{what} is {rows} × {cols}; at most {most} × {most} fit "
                                    "on screen")
    return check


def whole_rule(field: str, minimum: int, most: int):
    """The rule of a whole-number field from ``minimum`` to ``most`` (named by its last part)."""
    name = field.rpartition(".")[2]

    def check(value: float) -> None:
        try:
            value = positive_int(value, name, minimum=minimum)
        except ValueError as exc:
            raise FieldError(field, str(exc)) from None
        if value > most:
            raise FieldError(field, f"{name} must be at most {most} here, got {value}")
    return check


def as_tuple(values: object) -> tuple:
    """A vector as a tuple of floats, a grid as a tuple of such rows: a state field's form."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        return tuple(float(v) for v in array)
    return tuple(tuple(float(v) for v in row) for row in array)


def field_value(state: Any, path: str) -> Any:
    """The value of the field at ``path`` ("mode", or "one.mode" in a nested state)."""
    for name in path.split("."):
        state = getattr(state, name)
    return state


def with_field(state: Any, path: str, value: Any) -> Any:
    """A copy of ``state`` with the field at ``path`` set to ``value``."""
    name, _, rest = path.partition(".")
    if rest:
        value = with_field(getattr(state, name), rest, value)
    return dataclasses.replace(state, **{name: value})


def to_json(state: Any) -> Any:
    """``state`` (a dataclass, tuple or plain value) as plain JSON data."""
    if dataclasses.is_dataclass(state):
        return {f.name: to_json(getattr(state, f.name)) for f in dataclasses.fields(state)}
    if isinstance(state, tuple | list):
        return [to_json(v) for v in state]
    return state


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def number_value(value: object, path: str) -> float:
    """``value`` from a file as a finite number; a ValueError naming ``path`` if it is not."""
    # bool is an int in Python, but true/false for a number is garbage in a file.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{path} must be a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{path} is too large: it must be a finite number") from None
    if not math.isfinite(number):
        raise ValueError(f"{path} must be a finite number, got {number}")
    return number


def _read(kind: Any, value: object, path: str) -> Any:
    """``value`` read as the type ``kind`` of the field at ``path``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _read(next(a for a in args if a is not type(None)), value, path)
    if dataclasses.is_dataclass(kind):
        return from_json(kind, value, path)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{path} must be true or false, got {_describe(value)}")
        return value
    if kind is int:
        number = number_value(value, path)
        if not number.is_integer():
            raise ValueError(f"{path} must be a whole number, got {number:g}")
        return int(number)
    if kind is float:
        return number_value(value, path)
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{path} must be text, got {_describe(value)}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{path} must be a list, got {_describe(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise ValueError(f"{path} must be a list of {len(args)}, got {len(value)} entries")
        return tuple(_read(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value,
                                                                               strict=True)))
    raise TypeError(f"{path}: fields of type {kind!r} are not readable")  # a programming error


def _optional(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType) \
        and type(None) in typing.get_args(kind)


def from_json(cls: type, data: object, path: str = "") -> Any:
    """Read ``data`` (from :func:`to_json`) into the dataclass ``cls``, every value checked.

    Every field must be there, except one that may be None (missing, it is None). Keys that
    are no field are ignored: a newer version may have written them.

    Raises
    ------
    ValueError
        Naming the first field whose value is missing or has the wrong form.
    """
    if not isinstance(data, Mapping):
        where = path or "the saved state"
        raise ValueError(f"{where} must be a JSON object, got {_describe(data)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        name = f"{path}.{f.name}" if path else f.name
        if f.name in data:
            values[f.name] = _read(hints[f.name], data[f.name], name)
        elif _optional(hints[f.name]):
            values[f.name] = None
        else:
            raise ValueError(f"{name} is missing")
    return cls(**values)
