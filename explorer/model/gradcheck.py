"""Central finite differences: the independent oracle for every derivative the explorer shows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def derivative(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Elementwise derivative of an elementwise function by central differences.

    Parameters
    ----------
    f : callable
        Maps an array to an array of the same shape, entry by entry (e.g. a loss as a function
        of the pre-activation ``a``).
    x : (...) array
        Points at which to differentiate.
    h : float
        Relative step; the step used at ``x`` is ``h * max(1, |x|)``.

    Returns
    -------
    df : (...) array
        ``(f(x + s) - f(x - s)) / (2 s)``.
    """
    x = np.asarray(x, dtype=np.float64)
    step = h * np.maximum(1.0, np.abs(x))
    return (f(x + step) - f(x - step)) / (2.0 * step)


def jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Jacobian of a vector function by central differences.

    Parameters
    ----------
    f : callable
        Maps ``(n,)`` to ``(m,)``.
    x : (n,) array
        Point at which to differentiate.
    h : float
        Step.

    Returns
    -------
    J : (m, n) array
        ``J[i, j] = d f_i / d x_j``.
    """
    x = np.asarray(x, dtype=np.float64)
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        columns.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2.0 * h))
    return np.stack(columns, axis=-1)


def gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of a scalar function by central differences.

    Parameters
    ----------
    f : callable
        Maps ``(n,)`` to a scalar.
    x : (n,) array
        Point at which to differentiate.
    h : float
        Step.

    Returns
    -------
    g : (n,) array
        ``g[j] = d f / d x_j``.
    """
    return jacobian(lambda v: np.atleast_1d(f(v)), x, h)[0]
