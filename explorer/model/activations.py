"""Sigmoid, tanh and softplus, numerically stable for any finite input."""

from __future__ import annotations

import numpy as np

from explorer.model.validation import finite_array


def sigmoid(a: object) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + exp(-a))``.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.

    Returns
    -------
    f : (...) array
        Values in [0, 1]; exp is only ever taken of a non-positive number, so nothing overflows.
    """
    a = finite_array(a, "a")
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(a: object) -> np.ndarray:
    """Hyperbolic tangent.

    Parameters
    ----------
    a : (...) array_like
        Finite inputs.

    Returns
    -------
    t : (...) array
        Values in [-1, 1].
    """
    return np.tanh(finite_array(a, "a"))


def softplus(a: object) -> np.ndarray:
    """Softplus ``log(1 + exp(a))`` computed as ``max(a, 0) + log1p(exp(-|a|))``.

    Parameters
    ----------
    a : (...) array_like
        Finite inputs.

    Returns
    -------
    s : (...) array
        Non-negative; equals ``a`` to full precision for large ``a`` and ``exp(a)`` for very
        negative ``a``.
    """
    a = finite_array(a, "a")
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))
