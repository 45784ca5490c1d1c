"""Question 1: cross-entropy and squared error of a sigmoid output, and their gradients in a."""

from __future__ import annotations

import math

import numpy as np

from explorer.model.activations import sigmoid, softplus
from explorer.model.validation import finite_array


def _inputs(a: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    a = finite_array(a, "a")
    y = finite_array(y, "y")
    if np.any((y < 0.0) | (y > 1.0)):
        raise ValueError("y must lie in [0, 1] (0 or 1 for a hard label)")
    try:
        np.broadcast_shapes(a.shape, y.shape)
    except ValueError as exc:
        raise ValueError(f"a {a.shape} and y {y.shape} have shapes that do not broadcast") from exc
    return a, y


def _error(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``f - y`` without cancellation: for a >= 0, ``f - y = (1 - y) - sigmoid(-a)``."""
    return np.where(a < 0.0, sigmoid(a) - y, (1.0 - y) - sigmoid(-a))


def bce(a: object, y: object) -> np.ndarray:
    """Binary cross-entropy of ``f = sigmoid(a)`` against ``y``.

    ``-(y log f + (1 - y) log(1 - f))`` rewritten with ``-log f = softplus(-a)`` and
    ``-log(1 - f) = softplus(a)``, so it stays exact where f rounds to 0 or 1.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.
    y : (...) array_like
        Targets in [0, 1], broadcast against ``a``.

    Returns
    -------
    loss : (...) array
    """
    a, y = _inputs(a, y)
    return y * softplus(-a) + (1.0 - y) * softplus(a)


def mse(a: object, y: object) -> np.ndarray:
    """Squared error ``(y - f)**2`` of ``f = sigmoid(a)``.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.
    y : (...) array_like
        Targets in [0, 1], broadcast against ``a``.

    Returns
    -------
    loss : (...) array
    """
    a, y = _inputs(a, y)
    return _error(a, y) ** 2


def bce_grad(a: object, y: object) -> np.ndarray:
    """Derivative of :func:`bce` with respect to ``a``: ``f - y``.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.
    y : (...) array_like
        Targets in [0, 1], broadcast against ``a``.

    Returns
    -------
    grad : (...) array
    """
    a, y = _inputs(a, y)
    return _error(a, y)


def mse_grad(a: object, y: object) -> np.ndarray:
    """Derivative of :func:`mse` with respect to ``a``: ``-2 (y - f) f (1 - f)``.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.
    y : (...) array_like
        Targets in [0, 1], broadcast against ``a``.

    Returns
    -------
    grad : (...) array
        Tends to 0 when the unit saturates, whichever side it saturates on.
    """
    a, y = _inputs(a, y)
    # f (1 - f) == sigmoid(a) sigmoid(-a); the product form keeps precision when f is near 1.
    return 2.0 * _error(a, y) * sigmoid(a) * sigmoid(-a)


LOSSES = {"bce": (bce, bce_grad), "mse": (mse, mse_grad)}


def gradient_ratio(a: object) -> np.ndarray:
    """Ratio of the MSE gradient to the cross-entropy gradient, ``2 f (1 - f)``.

    Wherever ``f != y`` the ratio ``mse_grad / bce_grad`` does not depend on ``y``: dividing
    ``-2 (y - f) f (1 - f)`` by ``f - y`` leaves ``2 f (1 - f)``, at most 1/2 (at a = 0) and
    vanishing as the unit saturates.

    Parameters
    ----------
    a : (...) array_like
        Finite pre-activations.

    Returns
    -------
    ratio : (...) array
        Values in [0, 1/2].
    """
    a = finite_array(a, "a")
    return 2.0 * sigmoid(a) * sigmoid(-a)


def stall_mask(a: object, y: float, threshold: float = 0.01) -> np.ndarray:
    """Where squared error barely learns although the prediction is wrong.

    Parameters
    ----------
    a : (n,) array_like
        Finite pre-activations.
    y : float
        Target in [0, 1].
    threshold : float
        The MSE gradient counts as stalled below ``threshold`` times the CE gradient.

    Returns
    -------
    mask : (n,) bool array
        True where ``|mse_grad| < threshold |bce_grad|`` and ``f`` lies on the other side of 1/2
        from ``y`` (for ``y = 1/2`` no prediction is wrong, so the mask is all False).
    """
    a, y_arr = _inputs(a, y)
    if y_arr.ndim != 0:
        raise ValueError("y must be a single number here")
    f = sigmoid(a)
    wrong = (f - 0.5) * (float(y_arr) - 0.5) < 0.0
    return wrong & (np.abs(mse_grad(a, y_arr)) < threshold * np.abs(bce_grad(a, y_arr)))


def curves(a: object, y: float, threshold: float = 0.01) -> dict[str, np.ndarray]:
    """Both losses, both gradients and the stall mask over ``a`` at once, as the plots need them.

    Each entry equals what its own function returns, bit for bit (:func:`bce`, :func:`mse`,
    :func:`bce_grad`, :func:`mse_grad`, :func:`stall_mask`): the same expressions, with the
    arguments checked once and ``f - y`` and the sigmoids computed once instead of five times.

    Parameters
    ----------
    a : (n,) array_like
        Finite pre-activations.
    y : float
        Target in [0, 1].
    threshold : float
        As in :func:`stall_mask`.

    Returns
    -------
    curves : dict of (n,) arrays
        ``bce``, ``mse``, ``bce_grad``, ``mse_grad`` and the bool ``stall``.
    """
    a, y_arr = _inputs(a, y)
    if y_arr.ndim != 0:
        raise ValueError("y must be a single number here")
    error = _error(a, y_arr)
    f, one_minus_f = sigmoid(a), sigmoid(-a)
    ce_grad = error
    mse_grad_ = 2.0 * error * f * one_minus_f
    wrong = (f - 0.5) * (float(y_arr) - 0.5) < 0.0
    return {
        "bce": y_arr * softplus(-a) + (1.0 - y_arr) * softplus(a),
        "mse": error ** 2,
        "bce_grad": ce_grad,
        "mse_grad": mse_grad_,
        "stall": wrong & (np.abs(mse_grad_) < threshold * np.abs(ce_grad)),
    }


def train_unit(
    x: float, y: float, w: float, b: float, lr: float, steps: int, loss: str
) -> dict[str, np.ndarray]:
    """Plain SGD on one sigmoid unit ``f = sigmoid(w x + b)`` and one example ``(x, y)``.

    Parameters
    ----------
    x : float
        The input.
    y : float
        The target in [0, 1].
    w, b : float
        Starting weight and bias.
    lr : float
        Learning rate, > 0.
    steps : int
        Number of updates, >= 1.
    loss : {"bce", "mse"}
        Which loss is minimised.

    Returns
    -------
    history : dict of (steps + 1,) arrays
        ``w``, ``b``, ``a`` (the pre-activation), ``f`` and ``loss`` before each update and after
        the last one.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be 'bce' or 'mse', got {loss!r}")
    x, y, w, b, lr = (float(finite_array(v, n)) for v, n in
                      zip((x, y, w, b, lr), ("x", "y", "w", "b", "learning rate"), strict=True))
    if not 0.0 <= y <= 1.0:
        raise ValueError("y must lie in [0, 1] (0 or 1 for a hard label)")
    if lr <= 0.0:
        raise ValueError(f"learning rate must be > 0, got {lr:g}")
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number ≥ 1, got {steps!r}")
    loss_fn, _ = LOSSES[loss]
    ws = [w]
    bs = [b]
    # Scalar arithmetic: the updates are sequential, and per-step array calls would cost ~100x.
    for _ in range(steps):
        a_t = ws[-1] * x + bs[-1]
        if not math.isfinite(a_t):
            raise ValueError("the weights overflowed: use a smaller learning rate or input")
        f, one_minus_f = _sigmoid_pair(a_t)
        error = f - y if a_t < 0 else (1.0 - y) - one_minus_f
        g = error if loss == "bce" else 2.0 * error * f * one_minus_f
        ws.append(ws[-1] - lr * g * x)
        bs.append(bs[-1] - lr * g)
    ws_arr, bs_arr = np.array(ws), np.array(bs)
    with np.errstate(over="ignore", invalid="ignore"):
        a = ws_arr * x + bs_arr
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(ws_arr)) and np.all(np.isfinite(bs_arr))):
        raise ValueError("the weights overflowed: use a smaller learning rate or input")
    return {"w": ws_arr, "b": bs_arr, "a": a, "f": sigmoid(a), "loss": loss_fn(a, y)}


def _sigmoid_pair(a: float) -> tuple[float, float]:
    """``(sigmoid(a), sigmoid(-a))`` for one finite float, each without cancellation."""
    e = math.exp(-abs(a))
    big, small = 1.0 / (1.0 + e), e / (1.0 + e)
    return (big, small) if a >= 0 else (small, big)


#: Question 1.7's story as a default: a unit that is confidently wrong (a = w x + b = -6, y = 1).
SEED_TARGET = 1.0
SEED_INPUT = 1.0
SEED_WEIGHT = -6.0
SEED_BIAS = 0.0
SEED_LEARNING_RATE = 0.5
SEED_STEPS = 60
#: The MSE gradient counts as stalled below this fraction of the CE gradient.
STALL_FRACTION = 0.01
