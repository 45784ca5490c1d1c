"""Softmax, its Jacobian and its reparameterisations (homework question 2)."""

from __future__ import annotations

from typing import Final

import numpy as np

from explorer.model.gradcheck import jacobian
from explorer.model.validation import finite_array, finite_vector

_FLOAT_MAX = float(np.finfo(np.float64).max)

#: Default logits for the softmax panel. Question 2 has no numeric example, so these are chosen
#: to be distinct, of both signs and unevenly spaced (K = 4).
SEED_LOGITS: Final = np.array([2.0, 1.0, 0.1, -1.0])
SEED_LOGITS.flags.writeable = False
#: Default temperature T of ``S(x / T)``: 1 is the plain softmax.
SEED_TEMPERATURE: Final = 1.0
#: Default shift c of ``S(x + c)``.
SEED_SHIFT: Final = 0.0
#: Step of the central differences that check the Jacobian. The error is about h**2 (truncation)
#: plus 1e-16 / h (rounding): 1e-5 balances both near 1e-10.
JACOBIAN_FD_STEP: Final = 1e-5


def _checked_axis(x: np.ndarray, axis: object) -> int:
    """Return ``axis`` as a non-negative axis index of ``x``, or raise ValueError."""
    if x.ndim == 0:
        raise ValueError("x must be a vector or an array of logits, got a single number")
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ValueError(f"axis must be a whole number, got {axis!r}")
    axis = int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"axis {axis} does not exist for x with {x.ndim} dimension(s) "
            f"(shape {x.shape}); use an axis from {-x.ndim} to {x.ndim - 1}"
        )
    return axis % x.ndim


def softmax(x: object, axis: int = -1) -> np.ndarray:
    """Softmax ``S(x)_i = exp(x_i) / sum_j exp(x_j)`` along one axis, stable for any finite x.

    The maximum along ``axis`` is subtracted first (question 2.1: ``S(x + c) = S(x)``), so every
    exponent is ``<= 0`` and nothing overflows; the largest entry contributes ``exp(0) = 1``, so
    the denominator is at least 1.

    Parameters
    ----------
    x : (..., K, ...) array_like
        Finite logits.
    axis : int
        Axis along which the probabilities sum to 1.

    Returns
    -------
    p : (..., K, ...) array
        Same shape as ``x``; entries in [0, 1] summing to 1 along ``axis``.

    Raises
    ------
    ValueError
        If ``x`` is empty, not numeric, contains NaN/inf, is a single number, or ``axis`` does
        not exist.
    """
    x = finite_array(x, "x")
    axis = _checked_axis(x, axis)
    # x - max <= 0. When the logits span more than the float64 range (e.g. +-1e308) the
    # difference rounds to -inf, whose exponential is exactly 0 as it should be; the overflow
    # warning is expected and silenced. No inf - inf can occur because max(x) is finite.
    with np.errstate(over="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(x: object) -> np.ndarray:
    """Jacobian of the softmax, ``J = Diag(p) - p p^T`` with ``p = S(x)`` (question 2.4).

    Parameters
    ----------
    x : (K,) array_like
        Finite logits, ``K >= 1``.

    Returns
    -------
    J : (K, K) array
        ``J[i, j] = dS_i / dx_j = p_i (1[i == j] - p_j)``. Symmetric, each row and column sums to
        0 (the softmax is unchanged by ``x + c``, so the derivative along ``(1, ..., 1)`` is 0).

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty vector of finite numbers.
    """
    x = finite_vector(x, "x")
    p = softmax(x)
    jac = -np.outer(p, p)
    # The diagonal p_i - p_i**2 loses all its digits when p_i is close to 1; p_i times the sum of
    # the other probabilities is the same number without the cancellation.
    others = np.where(np.eye(p.size, dtype=bool), 0.0, p).sum(axis=1)
    np.fill_diagonal(jac, p * others)
    return jac


def reduce_logits(x: object) -> np.ndarray:
    """Represent K logits with K - 1 numbers: ``S(x) == S([0, y_1, ..., y_{K-1}])`` (question 2.3).

    ``y_i = x_{i+1} - x_1``: subtracting the first logit from all of them leaves the softmax
    unchanged (translation invariance) and makes the first entry 0, so it need not be stored.

    Parameters
    ----------
    x : (K,) array_like
        Finite logits, ``K >= 2``.

    Returns
    -------
    y : (K - 1,) array
        ``x[1:] - x[0]``. A difference beyond the float64 range (logits spanning more than
        about 1.8e308) is clamped to +-1.8e308; the softmax is unchanged because such an entry
        has probability exactly 0 or 1 in float64 either way. Like any subtraction, each
        ``y_i`` is rounded to float64: when ``|x[0]|`` dwarfs the gaps between the other logits
        (say ``x = [-1e300, 5, 6]``), those gaps are lost and ``S([0, *y])`` shows it.

    Raises
    ------
    ValueError
        If ``x`` is not a vector of at least 2 finite numbers.
    """
    x = finite_vector(x, "x")
    if x.size < 2:
        raise ValueError(
            f"x needs at least 2 logits (K ≥ 2) to drop one parameter, got K = {x.size}"
        )
    with np.errstate(over="ignore"):
        y = x[1:] - x[0]
    return np.clip(y, -_FLOAT_MAX, _FLOAT_MAX)


def two_class_logit(x: object) -> float:
    """Return ``z`` with ``S(x) == [sigmoid(z), 1 - sigmoid(z)]`` for 2 logits (question 2.2).

    Dividing numerator and denominator of ``S(x)_1`` by ``exp(x_1)`` gives
    ``1 / (1 + exp(x_2 - x_1)) = sigmoid(x_1 - x_2)``, so ``z = x_1 - x_2``.

    Parameters
    ----------
    x : (2,) array_like
        Two finite logits.

    Returns
    -------
    z : float
        ``x[0] - x[1]``, clamped to +-1.8e308 if the difference overflows float64 (the
        probabilities are then exactly 0 and 1 either way).

    Raises
    ------
    ValueError
        If ``x`` is not a vector of exactly 2 finite numbers.
    """
    x = finite_vector(x, "x")
    if x.size != 2:
        raise ValueError(f"x must hold exactly 2 logits (one per class), got {x.size}")
    with np.errstate(over="ignore"):
        z = x[0] - x[1]
    return float(np.clip(z, -_FLOAT_MAX, _FLOAT_MAX))


def naive_exponentials(x: object) -> np.ndarray:
    """Deliberately naive ``exp(x)`` with no max subtraction, to show why softmax needs it.

    This is the textbook formula's numerator evaluated as written. It overflows to ``inf`` for
    ``x > 709.78`` (and underflows to 0 below about -745); the overflow warning is silenced
    because the ``inf`` is the point of the demonstration. Do not use it to compute
    probabilities: :func:`softmax` is the stable version.

    Parameters
    ----------
    x : (...) array_like
        Finite logits.

    Returns
    -------
    e : (...) array
        ``np.exp(x)``; may contain ``inf`` (this function alone is exempt from the model layer's
        "no inf out" rule).

    Raises
    ------
    ValueError
        If ``x`` is empty, not numeric or contains NaN/inf.
    """
    x = finite_array(x, "x")
    with np.errstate(over="ignore"):
        return np.exp(x)


def naive_softmax(x: object, axis: int = -1) -> np.ndarray:
    """Deliberately naive softmax ``exp(x) / sum(exp(x))``, to show how it breaks.

    With a logit above about 709.78 the numerator and denominator are both ``inf`` and the
    result is ``inf / inf = NaN``; with all logits below about -745 both underflow to 0 and
    the result is ``0 / 0 = NaN``. The warnings are silenced because the NaN is the point of the
    demonstration. :func:`softmax` is the stable version.

    Parameters
    ----------
    x : (..., K, ...) array_like
        Finite logits.
    axis : int
        Axis along which to normalise.

    Returns
    -------
    p : (..., K, ...) array
        Same shape as ``x``; may contain NaN (exempt from the "no NaN out" rule, on purpose).

    Raises
    ------
    ValueError
        If ``x`` is empty, not numeric, contains NaN/inf or ``axis`` does not exist.
    """
    x = finite_array(x, "x")
    axis = _checked_axis(x, axis)
    e = naive_exponentials(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return e / np.sum(e, axis=axis, keepdims=True)


def scale_logits(x: object, temperature: float) -> np.ndarray:
    """Divide logits by a temperature: ``S(x / T)`` is flatter for T > 1, sharper for T < 1.

    Parameters
    ----------
    x : (K,) array_like
        Finite logits.
    temperature : float
        Finite and > 0.

    Returns
    -------
    u : (K,) array
        ``x / T``.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty finite vector, ``T`` is not a finite number > 0, or ``x / T``
        exceeds the float64 range.
    """
    x = finite_vector(x, "x")
    t = _finite_scalar(temperature, "temperature T")
    if t <= 0:
        raise ValueError(f"temperature T must be > 0, got {t:g}")
    with np.errstate(over="ignore"):
        u = x / t
    if not np.all(np.isfinite(u)):
        raise ValueError(
            f"x / T overflows float64 (largest |x| = {np.max(np.abs(x)):.3g}, T = {t:.3g}): "
            "use a larger T or smaller logits"
        )
    return u


def shift_logits(x: object, c: float) -> np.ndarray:
    """Add the same constant to every logit: ``x + c`` (question 2.1).

    Parameters
    ----------
    x : (K,) array_like
        Finite logits.
    c : float
        Finite shift.

    Returns
    -------
    shifted : (K,) array
        ``x + c``, rounded to float64 like any sum.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty finite vector, ``c`` is not finite, or ``x + c`` exceeds the
        float64 range.
    """
    x = finite_vector(x, "x")
    c = _finite_scalar(c, "shift c")
    with np.errstate(over="ignore"):
        shifted = x + c
    if not np.all(np.isfinite(shifted)):
        raise ValueError("x + c overflows float64: use a smaller shift or smaller logits")
    return shifted


def stable_exponentials(x: object) -> np.ndarray:
    """The exponentials the stable softmax really takes: ``exp(x - max(x))``, each in (0, 1].

    ``S(x) = stable_exponentials(x) / stable_exponentials(x).sum()``: by question 2.1 subtracting
    the maximum changes nothing, and it turns every exponent into a number <= 0.

    Parameters
    ----------
    x : (K,) array_like
        Finite logits.

    Returns
    -------
    e : (K,) array
        In [0, 1]; the entry of the largest logit is exactly 1.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty finite vector.
    """
    x = finite_vector(x, "x")
    # As in softmax: a gap beyond the float64 range rounds to -inf and exp(-inf) is exactly 0.
    with np.errstate(over="ignore"):
        return np.exp(x - np.max(x))


def first_vs_rest_logit(x: object) -> float:
    """Return ``z`` with ``S(x)_1 == sigmoid(z)``: class 1 against all the others.

    ``S(x)_1 = 1 / (1 + sum_{j>1} exp(x_j - x_1)) = sigmoid(x_1 - log sum_{j>1} exp(x_j))``. For
    K = 2 this is :func:`two_class_logit`, ``z = x_1 - x_2`` (question 2.2); for K > 2 it says
    the probability of one class is a sigmoid of its logit against the log-sum-exp of the rest.

    Parameters
    ----------
    x : (K,) array_like
        Finite logits, ``K >= 2``.

    Returns
    -------
    z : float
        ``x[0] - logsumexp(x[1:])`` (exactly ``x[0] - x[1]`` for K = 2), clamped to +-1.8e308
        if the difference overflows float64.

    Raises
    ------
    ValueError
        If ``x`` is not a vector of at least 2 finite numbers.
    """
    x = finite_vector(x, "x")
    if x.size < 2:
        raise ValueError(f"x needs at least 2 logits (K ≥ 2), got K = {x.size}")
    rest = x[1:]
    top = np.max(rest)
    with np.errstate(over="ignore"):
        # log(sum) is log(1) = 0 for K = 2, so z is exactly x[0] - x[1] then.
        log_sum = top + np.log(np.sum(np.exp(rest - top)))
        z = x[0] - log_sum
    return float(np.clip(z, -_FLOAT_MAX, _FLOAT_MAX))


def softmax_jacobian_fd(x: object, h: float = JACOBIAN_FD_STEP) -> np.ndarray:
    """The softmax Jacobian by central differences: the independent check of question 2.4.

    The differences are taken at ``x - max(x)``: by question 2.1 the softmax, hence its
    Jacobian, is the same there, and logits near 0 make a step of ``h`` exact in float64 for
    every logit that matters (a logit far below the maximum has probability ~0 and a zero
    column both ways).

    Parameters
    ----------
    x : (K,) array_like
        Finite logits.
    h : float
        Finite step > 0.

    Returns
    -------
    J : (K, K) array
        ``J[i, j] ~ dS_i / dx_j``, within about 1e-10 of :func:`softmax_jacobian` for h = 1e-5.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty finite vector or ``h`` is not a finite number > 0.
    """
    x = finite_vector(x, "x")
    h = _finite_scalar(h, "step h")
    if h <= 0:
        raise ValueError(f"step h must be > 0, got {h:g}")
    with np.errstate(over="ignore"):
        centred = np.maximum(x - np.max(x), -_FLOAT_MAX)
    return jacobian(softmax, centred, h)


def _finite_scalar(value: object, name: str) -> float:
    """Return ``value`` as a finite float, or raise ValueError naming it."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number
