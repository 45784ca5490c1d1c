"""Question 5: the two-layer 1-D convolution chain, its Jacobian and its backward pass."""

from __future__ import annotations

from typing import Final

import numpy as np

from explorer.model import gradcheck
from explorer.model.conv import conv_full, conv_valid, flip
from explorer.model.validation import finite_vector, positive_int

__all__ = [
    "KINDS",
    "chain_shapes",
    "forward_chain",
    "grad_h1",
    "grad_w2",
    "jacobian_a2_h1",
    "numeric_grad_h1",
    "numeric_grad_w2",
]

KINDS: Final = ("valid", "full")

# L = grad_a2 . a2 is linear in h1 and in w2, so central differences carry no truncation error
# and a large step only shrinks the rounding error (about eps |L| / step).
_LINEAR_STEP: Final = 1e-3


def _check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'valid' or 'full' (the chain's convolution), got {kind!r}")
    return str(kind)


def _layer(x: np.ndarray, w: np.ndarray, kind: str) -> np.ndarray:
    """Apply one layer of the chain: Q5's ``x * w`` (valid) or ``x ~* w`` (full), no flip."""
    return conv_valid(x, w) if kind == "valid" else conv_full(x, w)


def chain_shapes(d: int, k1: int, k2: int, kind: str) -> dict[str, int]:
    """Return the lengths of the pre-activations of the two-layer chain.

    Parameters
    ----------
    d : int
        Input length, >= 1.
    k1, k2 : int
        Kernel lengths of layers 1 and 2, >= 1.
    kind : {"valid", "full"}
        Convolution used by both layers.

    Returns
    -------
    dict
        ``len_a1`` and ``len_a2``: ``d - k1 + 1`` and ``d - k1 - k2 + 2`` (valid, Q5.1), or
        ``d + k1 - 1`` and ``d + k1 + k2 - 2`` (full, Q5.4). ``h1``/``h2`` have the same lengths.

    Raises
    ------
    ValueError
        For a valid chain whose kernels do not fit: ``k1 <= d`` and ``k1 + k2 <= d + 1``.
    """
    d = positive_int(d, "input length d")
    k1 = positive_int(k1, "kernel length k1")
    k2 = positive_int(k2, "kernel length k2")
    kind = _check_kind(kind)
    if kind == "full":
        return {"len_a1": d + k1 - 1, "len_a2": d + k1 + k2 - 2}
    if k1 > d:
        raise ValueError(f"valid chain needs k1 <= d, got k1 = {k1} and d = {d}")
    if k1 + k2 > d + 1:
        raise ValueError(
            f"valid chain needs k1 + k2 <= d + 1 (so a2 keeps at least one entry), got "
            f"k1 + k2 = {k1 + k2} and d + 1 = {d + 1}"
        )
    return {"len_a1": d - k1 + 1, "len_a2": d - k1 - k2 + 2}


def forward_chain(x: object, w1: object, w2: object, kind: str) -> dict[str, np.ndarray]:
    """Run Q5's chain: ``a1 = x (*) w1``, ``h1 = ReLU(a1)``, ``a2 = h1 (*) w2``, ``h2 = ReLU(a2)``.

    Parameters
    ----------
    x : (d,) array_like
        Input.
    w1 : (k1,) array_like
        First kernel.
    w2 : (k2,) array_like
        Second kernel.
    kind : {"valid", "full"}
        ``(*)`` is `conv_valid` (eqs. 6 and 8) or `conv_full` (Q5.4 onwards); neither flips.

    Returns
    -------
    dict
        ``a1``, ``h1`` of length ``len_a1`` and ``a2``, ``h2`` of length ``len_a2``
        (see `chain_shapes`).
    """
    x = finite_vector(x, "input x")
    w1 = finite_vector(w1, "kernel w1")
    w2 = finite_vector(w2, "kernel w2")
    chain_shapes(x.size, w1.size, w2.size, kind)
    a1 = _layer(x, w1, kind)
    h1 = np.maximum(a1, 0.0)
    a2 = _layer(h1, w2, kind)
    h2 = np.maximum(a2, 0.0)
    return {"a1": a1, "h1": h1, "a2": a2, "h2": h2}


def jacobian_a2_h1(w2: object, len_h1: int, kind: str) -> np.ndarray:
    """Matrix of ``d a2_i / d h1_n`` for the second layer (Q5.2 and Q5.5).

    Parameters
    ----------
    w2 : (k2,) array_like
        Second kernel.
    len_h1 : int
        Length of ``h1``, >= 1 (and >= ``k2`` for the valid chain).
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    J : (len_a2, len_h1) array
        Banded. Valid: ``J[i, n] = w2[n - i]`` when ``0 <= n - i < k2`` (1-based: ``w_{n-i+1}``),
        ``len_a2 = len_h1 - k2 + 1``. Full: ``J[i, n] = w2[n - i + k2 - 1]`` when
        ``0 <= n - i + k2 - 1 < k2`` (1-based: ``w_{n-i+k2}``), ``len_a2 = len_h1 + k2 - 1``.
        Zero elsewhere.
    """
    w2 = finite_vector(w2, "kernel w2")
    len_h1 = positive_int(len_h1, "length of h1")
    kind = _check_kind(kind)
    k2 = w2.size
    if kind == "valid":
        if k2 > len_h1:
            raise ValueError(
                f"kernel w2 ({k2}) is longer than h1 ({len_h1}): the valid chain needs k2 <= |h1|"
            )
        len_a2, offset = len_h1 - k2 + 1, 0
    else:
        len_a2, offset = len_h1 + k2 - 1, k2 - 1
    tap = np.arange(len_h1)[None, :] - np.arange(len_a2)[:, None] + offset
    inside = (tap >= 0) & (tap < k2)
    return np.where(inside, w2[np.clip(tap, 0, k2 - 1)], 0.0)


def grad_h1(grad_a2: object, w2: object, kind: str) -> np.ndarray:
    """Backpropagate through the second layer: the gradient of the loss with respect to ``h1``.

    Parameters
    ----------
    grad_a2 : (len_a2,) array_like
        Gradient of the loss with respect to ``a2``.
    w2 : (k2,) array_like
        Second kernel.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (len_h1,) array
        Valid chain (Q5.3): ``conv_full(grad_a2, flip(w2))``, length ``len_a2 + k2 - 1``.
        Full chain (Q5.6): ``conv_valid(grad_a2, flip(w2))``, length ``len_a2 - k2 + 1``.
        Both equal ``jacobian_a2_h1(w2, len_h1, kind).T @ grad_a2``.
    """
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    w2 = finite_vector(w2, "kernel w2")
    kind = _check_kind(kind)
    if kind == "valid":
        return conv_full(grad_a2, flip(w2))
    if w2.size > grad_a2.size:
        raise ValueError(
            f"grad_a2 has {grad_a2.size} entries but a full layer with kernel w2 ({w2.size}) "
            f"gives at least {w2.size}: pass the gradient of the full chain's a2"
        )
    return conv_valid(grad_a2, flip(w2))


def grad_w2(h1: object, grad_a2: object, kind: str) -> np.ndarray:
    """Gradient of the loss with respect to the second kernel ``w2``.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    grad_a2 : (len_a2,) array_like
        Gradient of the loss with respect to ``a2``.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (k2,) array
        Valid: ``a2_i = sum_j h1[i + j] w2[j]``, so ``dL/dw2_j = sum_i g_i h1[i + j]``, i.e.
        ``conv_valid(h1, grad_a2)`` with ``k2 = len_h1 - len_a2 + 1``. Full:
        ``a2_i = sum_j h1[i + j - k2 + 1] w2[j]``, so ``dL/dw2_j = sum_m h1[m] g[m + k2 - 1 - j]``,
        i.e. ``flip(conv_valid(grad_a2, h1))`` with ``k2 = len_a2 - len_h1 + 1``.
    """
    h1 = finite_vector(h1, "h1")
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    kind = _check_kind(kind)
    if kind == "valid":
        if grad_a2.size > h1.size:
            raise ValueError(
                f"grad_a2 ({grad_a2.size}) is longer than h1 ({h1.size}); a valid layer "
                "shortens its input, so |a2| <= |h1|"
            )
        return conv_valid(h1, grad_a2)
    if grad_a2.size < h1.size:
        raise ValueError(
            f"grad_a2 ({grad_a2.size}) is shorter than h1 ({h1.size}); a full layer "
            "lengthens its input, so |a2| >= |h1|"
        )
    return flip(conv_valid(grad_a2, h1))


def _check_pairing(h1: np.ndarray, w2: np.ndarray, grad_a2: np.ndarray, kind: str) -> None:
    len_a2 = h1.size - w2.size + 1 if kind == "valid" else h1.size + w2.size - 1
    if kind == "valid" and w2.size > h1.size:
        raise ValueError(
            f"kernel w2 ({w2.size}) is longer than h1 ({h1.size}): the valid chain needs k2 <= |h1|"
        )
    if grad_a2.size != len_a2:
        raise ValueError(
            f"grad_a2 must have |a2| = {len_a2} entries for h1 ({h1.size}) and w2 ({w2.size}) "
            f"in a {kind} layer, got {grad_a2.size}"
        )


def numeric_grad_h1(h1: object, w2: object, grad_a2: object, kind: str) -> np.ndarray:
    """Finite-difference gradient of ``L = grad_a2 . a2(h1)`` with respect to ``h1``.

    The independent check of `grad_h1`: it perturbs ``h1``, reruns the actual layer and never
    uses the Jacobian or any flipped kernel.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    w2 : (k2,) array_like
        Second kernel.
    grad_a2 : (len_a2,) array_like
        Upstream gradient; fixes ``L`` so that ``dL/da2 = grad_a2``.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (len_h1,) array
        Central differences of ``L``.
    """
    h1 = finite_vector(h1, "h1")
    w2 = finite_vector(w2, "kernel w2")
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    kind = _check_kind(kind)
    _check_pairing(h1, w2, grad_a2, kind)
    return gradcheck.gradient(lambda v: grad_a2 @ _layer(v, w2, kind), h1, h=_LINEAR_STEP)


def numeric_grad_w2(h1: object, w2: object, grad_a2: object, kind: str) -> np.ndarray:
    """Finite-difference gradient of ``L = grad_a2 . a2(w2)`` with respect to ``w2``.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    w2 : (k2,) array_like
        Second kernel (the point of differentiation).
    grad_a2 : (len_a2,) array_like
        Upstream gradient; fixes ``L`` so that ``dL/da2 = grad_a2``.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (k2,) array
        Central differences of ``L``; the check of `grad_w2`.
    """
    h1 = finite_vector(h1, "h1")
    w2 = finite_vector(w2, "kernel w2")
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    kind = _check_kind(kind)
    _check_pairing(h1, w2, grad_a2, kind)
    return gradcheck.gradient(lambda v: grad_a2 @ _layer(h1, v, kind), w2, h=_LINEAR_STEP)
