"""Sigmoid and tanh two-layer networks computing the same function (homework question 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.model.activations import sigmoid, tanh
from explorer.model.validation import finite_array, positive_int

ACTIVATIONS = ("sigmoid", "tanh")

#: The wrong conversions a panel can show next to the right one, with what each forgets.
WRONG_MAPPINGS: dict[str, str] = {
    "no_bias_correction": (
        "halves W1, b1 and W2 but leaves b2 unchanged: every output k is off by the constant "
        "-0.5 * sum_j W2[k, j], the mean that sigmoid = 0.5 tanh(a/2) + 0.5 adds"
    ),
    "weights_only": (
        "halves W1 and W2 and corrects b2 but forgets to halve b1: the hidden units see "
        "tanh(W1 x / 2 + b1) instead of tanh((W1 x + b1) / 2), so the error depends on x"
    ),
}


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class TwoLayerNet:
    """A 2-layer network ``y(x) = W2 act(W1 x + b1) + b2`` (question 3).

    The arrays are validated, copied to float64 and made read-only, so a network never changes
    after it is built; derive a new one with the conversion functions or ``dataclasses.replace``.
    Two networks compare equal when all four arrays are equal.

    Parameters
    ----------
    W1 : (M, D) array_like
        First-layer weights, ``W1[j, i]`` = omega^(1)_ji from input i to hidden unit j.
    b1 : (M,) array_like
        First-layer biases omega^(1)_j0.
    W2 : (K, M) array_like
        Second-layer weights, ``W2[k, j]`` = omega^(2)_kj from hidden unit j to output k.
    b2 : (K,) array_like
        Output biases omega^(2)_k0.

    Raises
    ------
    ValueError
        If an array is empty, not numeric, non-finite, or the shapes do not fit together.
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray

    def __post_init__(self) -> None:
        W1 = finite_array(self.W1, "W1", ndim=2)
        b1 = finite_array(self.b1, "b1", ndim=1)
        W2 = finite_array(self.W2, "W2", ndim=2)
        b2 = finite_array(self.b2, "b2", ndim=1)
        hidden = W1.shape[0]
        if b1.shape[0] != hidden:
            raise ValueError(
                f"b1 has {b1.shape[0]} entries but W1 has {hidden} rows (one per hidden unit): "
                f"give b1 {hidden} entries"
            )
        if W2.shape[1] != hidden:
            raise ValueError(
                f"W2 has {W2.shape[1]} columns but there are {hidden} hidden units (rows of W1): "
                f"W2 must have shape (K, {hidden})"
            )
        if b2.shape[0] != W2.shape[0]:
            raise ValueError(
                f"b2 has {b2.shape[0]} entries but W2 has {W2.shape[0]} rows (one per output): "
                f"give b2 {W2.shape[0]} entries"
            )
        for name, array in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
            object.__setattr__(self, name, _readonly(array))

    @property
    def input_size(self) -> int:
        """Number of inputs D."""
        return int(self.W1.shape[1])

    @property
    def hidden_size(self) -> int:
        """Number of hidden units M."""
        return int(self.W1.shape[0])

    @property
    def output_size(self) -> int:
        """Number of outputs K."""
        return int(self.W2.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwoLayerNet):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in ("W1", "b1", "W2", "b2")
        )

    def __hash__(self) -> int:
        # + 0.0 turns -0.0 into 0.0 so that equal networks hash equally.
        return hash(
            tuple(
                (array.shape, (array + 0.0).tobytes())
                for array in (self.W1, self.b1, self.W2, self.b2)
            )
        )


def _checked_net(net: object) -> TwoLayerNet:
    if not isinstance(net, TwoLayerNet):
        raise ValueError(f"net must be a TwoLayerNet, got {type(net).__name__}")
    return net


def _finite_net(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> TwoLayerNet:
    """Build the converted network, or explain that its weights overflowed float64."""
    for name, array in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        if not np.all(np.isfinite(array)):
            raise ValueError(
                f"converting overflows float64 in {name}: the weights are too large "
                "(near 1e308); scale the network down first"
            )
    return TwoLayerNet(W1, b1, W2, b2)


def forward(net: TwoLayerNet, X: object, activation: str) -> np.ndarray:
    """Compute the outputs ``Y = act(X W1^T + b1) W2^T + b2`` of a network, one row per input.

    Parameters
    ----------
    net : TwoLayerNet
        Weights ``W1 (M, D)``, ``b1 (M,)``, ``W2 (K, M)``, ``b2 (K,)``.
    X : (N, D) array_like
        Finite inputs, one per row (a single input is ``x.reshape(1, -1)``).
    activation : {"sigmoid", "tanh"}
        Hidden-layer nonlinearity.

    Returns
    -------
    Y : (N, K) array
        ``Y[n, k] = sum_j W2[k, j] act(sum_i W1[j, i] X[n, i] + b1[j]) + b2[k]``.

    Raises
    ------
    ValueError
        If ``X`` is not a finite (N, D) array matching the network, ``activation`` is unknown, or
        a pre-activation or output overflows float64.
    """
    net = _checked_net(net)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be 'sigmoid' or 'tanh', got {activation!r}")
    X = finite_array(X, "X", ndim=2)
    if X.shape[1] != net.input_size:
        raise ValueError(
            f"X has {X.shape[1]} columns but the network takes {net.input_size} inputs: "
            f"X must have shape (N, {net.input_size})"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        A = X @ net.W1.T + net.b1
    if not np.all(np.isfinite(A)):
        raise ValueError("hidden pre-activations overflow float64: use smaller inputs or weights")
    H = sigmoid(A) if activation == "sigmoid" else tanh(A)
    with np.errstate(over="ignore", invalid="ignore"):
        Y = H @ net.W2.T + net.b2
    if not np.all(np.isfinite(Y)):
        raise ValueError("outputs overflow float64: use smaller second-layer weights or biases")
    return Y


def sigmoid_to_tanh(net: TwoLayerNet) -> TwoLayerNet:
    """Convert a sigmoid network to the tanh network computing the same function (question 3).

    From ``sigmoid(a) = tanh(a / 2) / 2 + 1 / 2``:
    ``W1' = W1 / 2``, ``b1' = b1 / 2``, ``W2' = W2 / 2``, ``b2' = b2 + sum_j W2[:, j] / 2``.

    Parameters
    ----------
    net : TwoLayerNet
        Network used with ``activation="sigmoid"``; ``W1 (M, D)``, ``b1 (M,)``, ``W2 (K, M)``,
        ``b2 (K,)``.

    Returns
    -------
    tanh_net : TwoLayerNet
        Same shapes; ``forward(tanh_net, X, "tanh") == forward(net, X, "sigmoid")`` up to
        rounding.

    Raises
    ------
    ValueError
        If ``net`` is not a TwoLayerNet or the corrected bias overflows float64.
    """
    net = _checked_net(net)
    half_W2 = net.W2 / 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        b2 = net.b2 + half_W2.sum(axis=1)
    return _finite_net(net.W1 / 2.0, net.b1 / 2.0, half_W2, b2)


def tanh_to_sigmoid(net: TwoLayerNet) -> TwoLayerNet:
    """Convert a tanh network to the sigmoid network computing the same function.

    This is the inverse of :func:`sigmoid_to_tanh`. From ``tanh(u) = 2 sigmoid(2 u) - 1``:
    ``W1 = 2 W1'``, ``b1 = 2 b1'``, ``W2 = 2 W2'``, ``b2 = b2' - sum_j W2'[:, j]``.
    The weights come back bit for bit (halving and doubling are exact in binary); ``b2`` up to
    one rounding of the sum.

    Parameters
    ----------
    net : TwoLayerNet
        Network used with ``activation="tanh"``; ``W1 (M, D)``, ``b1 (M,)``, ``W2 (K, M)``,
        ``b2 (K,)``.

    Returns
    -------
    sigmoid_net : TwoLayerNet
        Same shapes; ``forward(sigmoid_net, X, "sigmoid") == forward(net, X, "tanh")`` up to
        rounding.

    Raises
    ------
    ValueError
        If ``net`` is not a TwoLayerNet or doubling a weight overflows float64.
    """
    net = _checked_net(net)
    with np.errstate(over="ignore", invalid="ignore"):
        W1 = net.W1 * 2.0
        b1 = net.b1 * 2.0
        W2 = net.W2 * 2.0
        b2 = net.b2 - net.W2.sum(axis=1)
    return _finite_net(W1, b1, W2, b2)


def wrong_mapping(net: TwoLayerNet, kind: str) -> TwoLayerNet:
    """Apply a plausible but wrong sigmoid-to-tanh conversion, to show what each step is for.

    Parameters
    ----------
    net : TwoLayerNet
        Network used with ``activation="sigmoid"``.
    kind : {"no_bias_correction", "weights_only"}
        ``"no_bias_correction"``: ``W1 / 2, b1 / 2, W2 / 2, b2`` (the ``+ sum_j W2[:, j] / 2``
        is forgotten), so with tanh output k is off by exactly ``-sum_j W2[k, j] / 2`` for every
        input. ``"weights_only"``: ``W1 / 2, b1, W2 / 2, b2 + sum_j W2[:, j] / 2`` (``b1`` is
        not halved), so the error varies with the input. See :data:`WRONG_MAPPINGS`.

    Returns
    -------
    wrong_net : TwoLayerNet
        Same shapes as ``net``; with ``activation="tanh"`` it does NOT reproduce ``net``.

    Raises
    ------
    ValueError
        If ``net`` is not a TwoLayerNet, ``kind`` is unknown, or a bias overflows float64.
    """
    net = _checked_net(net)
    if kind not in WRONG_MAPPINGS:
        raise ValueError(f"kind must be one of {sorted(WRONG_MAPPINGS)}, got {kind!r}")
    right = sigmoid_to_tanh(net)
    if kind == "no_bias_correction":
        return TwoLayerNet(right.W1, right.b1, right.W2, net.b2)
    return TwoLayerNet(right.W1, net.b1, right.W2, right.b2)


def random_net(D: int, M: int, K: int, seed: int = 0, *, scale: float = 1.0) -> TwoLayerNet:
    """Build a reproducible random network with entries uniform in ``[-scale, scale)``.

    Parameters
    ----------
    D, M, K : int
        Inputs, hidden units and outputs, each ``>= 1``.
    seed : int
        Seed for ``numpy.random.default_rng``, ``>= 0``; the same seed gives the same network.
    scale : float
        Positive, finite bound on the magnitude of every weight and bias.

    Returns
    -------
    net : TwoLayerNet
        ``W1 (M, D)``, ``b1 (M,)``, ``W2 (K, M)``, ``b2 (K,)``.

    Raises
    ------
    ValueError
        If a size is not a whole number ``>= 1``, ``seed`` is negative, or ``scale`` is not a
        positive finite number.
    """
    D = positive_int(D, "D")
    M = positive_int(M, "M")
    K = positive_int(K, "K")
    seed = positive_int(seed, "seed", minimum=0)
    try:
        scale = float(scale)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scale must be a positive number, got {scale!r}") from exc
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale}")
    rng = np.random.default_rng(seed)
    return TwoLayerNet(
        W1=rng.uniform(-scale, scale, size=(M, D)),
        b1=rng.uniform(-scale, scale, size=M),
        W2=rng.uniform(-scale, scale, size=(K, M)),
        b2=rng.uniform(-scale, scale, size=K),
    )
