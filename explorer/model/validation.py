"""Argument checks shared by the model modules, each raising ValueError a student can act on."""

from __future__ import annotations

import numpy as np


def finite_array(value: object, name: str, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a new float64 array, or raise ValueError saying what is wrong.

    Parameters
    ----------
    value : array_like
        Numbers (any shape unless ``ndim`` is given).
    name : str
        How the message refers to the argument, e.g. ``"kernel"``.
    ndim : int, optional
        Required number of dimensions.

    Returns
    -------
    array : ndarray of float64
        A copy, so callers may never mutate their caller's data.
    """
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must contain only numbers") from exc
    if ndim is not None and array.ndim != ndim:
        shape = "a vector" if ndim == 1 else f"a {ndim}-D array"
        raise ValueError(f"{name} must be {shape}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: give at least one number")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf: every entry must be a finite number")
    return array


def finite_vector(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a non-empty finite float64 vector ``(n,)``, or raise ValueError."""
    return finite_array(value, name, ndim=1)


def positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise ValueError naming the valid range."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value}")
    return value


def finite_result(array: np.ndarray, what: str = "the result") -> np.ndarray:
    """Return ``array`` if every entry is finite, else raise ValueError.

    Finite inputs can still overflow (``1e308 * 10``); the model promises no inf or NaN out,
    so such a result is reported as an invalid argument instead.
    """
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} overflows float64 (beyond ±1.8e308): use smaller numbers")
    return array
