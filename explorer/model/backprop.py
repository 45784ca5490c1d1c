"""Question 5: the two-layer 1-D convolution chain, its Jacobian and its backward pass."""

from __future__ import annotations

from typing import Final

import numpy as np

from explorer.model import gradcheck
from explorer.model.conv import Step, conv_full, conv_valid, flip, trace
from explorer.model.validation import finite_array, finite_result, finite_vector, positive_int

__all__ = [
    "BACKWARD_MODE",
    "KINDS",
    "ROLES",
    "SEED",
    "SEED_D",
    "SEED_K1",
    "SEED_K2",
    "SEED_KIND",
    "chain_rule",
    "chain_shapes",
    "forward_chain",
    "grad_a2_target",
    "grad_h1",
    "grad_h1_trace",
    "grad_w2",
    "jacobian_a2_h1",
    "jacobian_a2_w2",
    "jacobian_taps",
    "numeric_grad_h1",
    "numeric_grad_h1_target",
    "numeric_grad_w2",
    "numeric_grad_w2_target",
    "seeded_chain",
    "seeded_vector",
    "target_loss",
]

KINDS: Final = ("valid", "full")
#: The backward pass of a layer uses the other convolution: a valid layer is undone by a full
#: convolution with the flipped kernel (Q5.3), a full layer by a valid one (Q5.6).
BACKWARD_MODE: Final = {"valid": "full", "full": "valid"}

# The homework gives no numbers for question 5: a short input and two 3-tap kernels keep every
# cell of the panel readable, and the valid chain is the one questions 5.1-5.3 start with.
SEED_D: Final = 8
SEED_K1: Final = 3
SEED_K2: Final = 3
SEED_KIND: Final = "valid"
#: Seed of the default example's small integers (`seeded_chain`): the first seed for which the ReLU
#: zeroes part of a1, the taps of w2 are distinct and non-zero and grad_a2 has both signs.
SEED: Final = 32

#: What `seeded_vector` can draw, with the range of its integers: the input, the two kernels,
#: an upstream gradient and a target for L = 1/2 ||a2 - t||^2.
ROLES: Final = {"x": 3, "w1": 2, "w2": 2, "grad_a2": 2, "t": 3}

# L = grad_a2 . a2 is linear in h1 and in w2, so central differences carry no truncation error
# and a large step only shrinks the rounding error (about eps |L| / step).
_LINEAR_STEP: Final = 1e-3
# L = 1/2 ||a2 - t||^2 is quadratic in h1 and in w2: central differences are again exact but
# for rounding.
_QUADRATIC_STEP: Final = 1e-3


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
        raise ValueError(f"valid chain needs k₁ ≤ d, got k₁ = {k1} and d = {d}")
    if k1 + k2 > d + 1:
        raise ValueError(
            f"valid chain needs k₁ + k₂ ≤ d + 1 (so a² keeps at least one entry), got "
            f"k₁ + k₂ = {k1 + k2} and d + 1 = {d + 1}"
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


def jacobian_taps(k2: int, len_h1: int, kind: str) -> np.ndarray:
    """Which tap of ``w2`` sits in each entry of the Jacobian ``d a2 / d h1``.

    Parameters
    ----------
    k2 : int
        Length of the second kernel, >= 1.
    len_h1 : int
        Length of ``h1``, >= 1 (and >= ``k2`` for the valid chain).
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    taps : (len_a2, len_h1) int array
        0-based ``j`` with ``d a2_i / d h1_n = w2[j]``, or -1 where the entry is 0 (outside the
        band). Valid: ``j = n - i`` (1-based ``n - i + 1``, Q5.2), ``len_a2 = len_h1 - k2 + 1``.
        Full: ``j = n - i + k2 - 1`` (1-based ``n - i + k2``, Q5.5), ``len_a2 = len_h1 + k2 - 1``.
    """
    k2 = positive_int(k2, "kernel length k2")
    len_h1 = positive_int(len_h1, "length of h1")
    kind = _check_kind(kind)
    if kind == "valid":
        if k2 > len_h1:
            raise ValueError(
                f"kernel w2 ({k2}) is longer than h1 ({len_h1}): the valid chain needs k2 ≤ |h1|"
            )
        len_a2, offset = len_h1 - k2 + 1, 0
    else:
        len_a2, offset = len_h1 + k2 - 1, k2 - 1
    tap = np.arange(len_h1)[None, :] - np.arange(len_a2)[:, None] + offset
    return np.where((tap >= 0) & (tap < k2), tap, -1)


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
        Zero elsewhere (see `jacobian_taps`).
    """
    w2 = finite_vector(w2, "kernel w2")
    taps = jacobian_taps(w2.size, len_h1, kind)
    return np.where(taps >= 0, w2[np.maximum(taps, 0)], 0.0)


def chain_rule(jacobian: object, grad_a2: object) -> np.ndarray:
    """Backpropagate through any layer with its Jacobian: ``J.T @ grad_a2`` (Q5.3's first line).

    Parameters
    ----------
    jacobian : (len_a2, m) array_like
        ``d a2_i / d v_n`` for the layer's input or parameters ``v``.
    grad_a2 : (len_a2,) array_like
        Gradient of the loss with respect to ``a2``.

    Returns
    -------
    (m,) array
        ``sum_i grad_a2[i] * jacobian[i, n]`` for every ``n``.
    """
    jacobian = finite_array(jacobian, "Jacobian", ndim=2)
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    if jacobian.shape[0] != grad_a2.size:
        raise ValueError(
            f"the Jacobian has {jacobian.shape[0]} rows (one per entry of a2) but grad_a2 has "
            f"{grad_a2.size} entries"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(jacobian.T @ grad_a2, "the gradient")


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
                "shortens its input, so |a2| ≤ |h1|"
            )
        return conv_valid(h1, grad_a2)
    if grad_a2.size < h1.size:
        raise ValueError(
            f"grad_a2 ({grad_a2.size}) is shorter than h1 ({h1.size}); a full layer "
            "lengthens its input, so |a2| ≥ |h1|"
        )
    return flip(conv_valid(grad_a2, h1))


def _check_pairing(
    h1: np.ndarray, w2: np.ndarray, grad_a2: np.ndarray, kind: str, name: str = "grad_a2"
) -> None:
    len_a2 = h1.size - w2.size + 1 if kind == "valid" else h1.size + w2.size - 1
    if kind == "valid" and w2.size > h1.size:
        raise ValueError(
            f"kernel w2 ({w2.size}) is longer than h1 ({h1.size}): the valid chain needs k2 ≤ |h1|"
        )
    if grad_a2.size != len_a2:
        raise ValueError(
            f"{name} must have |a2| = {len_a2} entries for h1 ({h1.size}) and w2 ({w2.size}) "
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


def jacobian_a2_w2(h1: object, k2: int, kind: str) -> np.ndarray:
    """Matrix of ``d a2_i / d w2_j``: how each output of layer 2 depends on each kernel tap.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    k2 : int
        Length of the second kernel, >= 1 (``<= len_h1`` for the valid chain).
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (len_a2, k2) array
        Valid: ``h1[i + j]``. Full: ``h1[i + j - k2 + 1]``, 0 where that index is outside ``h1``.
        ``J.T @ grad_a2`` is the gradient with respect to ``w2`` (`grad_w2`).
    """
    h1 = finite_vector(h1, "h1")
    k2 = positive_int(k2, "kernel length k2")
    kind = _check_kind(kind)
    if kind == "valid" and k2 > h1.size:
        raise ValueError(
            f"kernel w2 ({k2}) is longer than h1 ({h1.size}): the valid chain needs k2 ≤ |h1|"
        )
    len_a2 = h1.size - k2 + 1 if kind == "valid" else h1.size + k2 - 1
    offset = 0 if kind == "valid" else k2 - 1
    index = np.arange(len_a2)[:, None] + np.arange(k2)[None, :] - offset
    inside = (index >= 0) & (index < h1.size)
    return np.where(inside, h1[np.clip(index, 0, h1.size - 1)], 0.0)


def grad_h1_trace(grad_a2: object, w2: object, kind: str) -> list[Step]:
    """The backward pass of `grad_h1` as a kernel sliding over the zero-padded ``grad_a2``.

    Parameters
    ----------
    grad_a2 : (len_a2,) array_like
        Gradient of the loss with respect to ``a2``.
    w2 : (k2,) array_like
        Second kernel (it slides flipped).
    kind : {"valid", "full"}
        Convolution of the second layer; the backward pass uses ``BACKWARD_MODE[kind]``.

    Returns
    -------
    list of Step
        One per entry ``n`` of the gradient with respect to ``h1``: the positions of
        ``grad_a2`` under ``flip(w2)`` (negative or ``>= len_a2`` are padding zeros), the
        products and their total, ``grad_h1(grad_a2, w2, kind)[n]``.
    """
    grad_a2 = finite_vector(grad_a2, "grad_a2")
    w2 = finite_vector(w2, "kernel w2")
    kind = _check_kind(kind)
    if kind == "full" and w2.size > grad_a2.size:
        grad_h1(grad_a2, w2, kind)  # raises the message that explains the sizes
    # Q5's convolutions never flip; the flip is explicit in flip(w2).
    return trace(grad_a2, flip(w2), BACKWARD_MODE[kind], flip=False)


def target_loss(a2: object, t: object) -> float:
    """Return ``L = 1/2 ||a2 - t||^2``, a loss that makes the upstream gradient concrete.

    Parameters
    ----------
    a2 : (len_a2,) array_like
        Output of the second layer.
    t : (len_a2,) array_like
        Target.

    Returns
    -------
    float
        The loss.
    """
    a2, t = _same_length(a2, t)
    return float(0.5 * np.sum((a2 - t) ** 2))


def grad_a2_target(a2: object, t: object) -> np.ndarray:
    """Return the gradient of `target_loss` with respect to ``a2``: ``a2 - t``.

    Parameters
    ----------
    a2 : (len_a2,) array_like
        Output of the second layer.
    t : (len_a2,) array_like
        Target.

    Returns
    -------
    (len_a2,) array
        ``a2 - t``.
    """
    a2, t = _same_length(a2, t)
    return a2 - t


def _same_length(a2: object, t: object) -> tuple[np.ndarray, np.ndarray]:
    a2 = finite_vector(a2, "a2")
    t = finite_vector(t, "target t")
    if a2.size != t.size:
        raise ValueError(f"target t must have |a2| = {a2.size} entries, got {t.size}")
    return a2, t


def numeric_grad_h1_target(h1: object, w2: object, t: object, kind: str) -> np.ndarray:
    """Finite-difference gradient of ``L = 1/2 ||a2(h1) - t||^2`` with respect to ``h1``.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    w2 : (k2,) array_like
        Second kernel.
    t : (len_a2,) array_like
        Target.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (len_h1,) array
        Central differences of the actual loss, rerunning the layer for every perturbed entry.
    """
    h1 = finite_vector(h1, "h1")
    w2 = finite_vector(w2, "kernel w2")
    t = finite_vector(t, "target t")
    kind = _check_kind(kind)
    _check_pairing(h1, w2, t, kind, "target t")
    return gradcheck.gradient(lambda v: target_loss(_layer(v, w2, kind), t), h1,
                              h=_QUADRATIC_STEP)


def numeric_grad_w2_target(h1: object, w2: object, t: object, kind: str) -> np.ndarray:
    """Finite-difference gradient of ``L = 1/2 ||a2(w2) - t||^2`` with respect to ``w2``.

    Parameters
    ----------
    h1 : (len_h1,) array_like
        Input of the second layer.
    w2 : (k2,) array_like
        Second kernel (the point of differentiation).
    t : (len_a2,) array_like
        Target.
    kind : {"valid", "full"}
        Convolution of the second layer.

    Returns
    -------
    (k2,) array
        Central differences of the actual loss.
    """
    h1 = finite_vector(h1, "h1")
    w2 = finite_vector(w2, "kernel w2")
    t = finite_vector(t, "target t")
    kind = _check_kind(kind)
    _check_pairing(h1, w2, t, kind, "target t")
    return gradcheck.gradient(lambda v: target_loss(_layer(h1, v, kind), t), w2,
                              h=_QUADRATIC_STEP)


def seeded_vector(seed: int, role: str, length: int) -> np.ndarray:
    """Small random integers for one vector of the chain, reproducible from ``seed``.

    Each role draws from its own stream, so resizing one vector never changes the others.

    Parameters
    ----------
    seed : int
        Seed, >= 0.
    role : {"x", "w1", "w2", "grad_a2", "t"}
        Which vector (sets the range, see `ROLES`).
    length : int
        Number of entries, >= 1.

    Returns
    -------
    (length,) array
        Integers in ``[-ROLES[role], ROLES[role]]``, as float64.
    """
    seed = positive_int(seed, "seed", minimum=0)
    length = positive_int(length, f"length of {role}")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    rng = np.random.default_rng([seed, list(ROLES).index(role)])
    bound = ROLES[role]
    return rng.integers(-bound, bound + 1, length).astype(np.float64)


def seeded_chain(d: int, k1: int, k2: int, kind: str, seed: int) -> dict[str, np.ndarray]:
    """Every vector of a chain of these sizes, drawn by `seeded_vector`.

    Parameters
    ----------
    d, k1, k2 : int
        Input and kernel lengths (see `chain_shapes`).
    kind : {"valid", "full"}
        Convolution of both layers.
    seed : int
        Seed, >= 0.

    Returns
    -------
    dict
        ``x`` (d,), ``w1`` (k1,), ``w2`` (k2,), and ``grad_a2`` and ``t`` (len_a2,).
    """
    shapes = chain_shapes(d, k1, k2, kind)
    lengths = {"x": d, "w1": k1, "w2": k2, "grad_a2": shapes["len_a2"],
               "t": shapes["len_a2"]}
    return {role: seeded_vector(seed, role, n) for role, n in lengths.items()}
