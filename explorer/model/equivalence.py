"""Sigmoid and tanh two-layer networks computing the same function (homework question 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.model.activations import sigmoid, tanh
from explorer.model.validation import finite_array, positive_int

ACTIVATIONS = ("sigmoid", "tanh")

# The homework gives no numeric network, so the panel's example is a seeded random one: one input
# (so y(x) is a curve), four hidden units, two outputs, weights uniform in [-2, 2), x in [-5, 5].
SEED_INPUTS = 1
SEED_HIDDEN = 4
SEED_OUTPUTS = 2
SEED_RANDOM_SEED = 0
SEED_SCALE = 2.0
SEED_RADIUS = 5.0

#: Inclusive (low, high) of each size or setting a panel may ask for.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "D": (1, 8),
    "M": (1, 32),
    "K": (1, 4),
    "seed": (0, 2**32 - 1),
}
#: Largest half-width R of the input range [-R, R].
MAX_RADIUS = 1000.0
#: Random inputs on which two networks with D > 1 inputs are compared.
SAMPLE_POINTS = 200

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


#: The conversion a panel applies: the right one, or one of :data:`WRONG_MAPPINGS`.
MAPPINGS = ("correct", *WRONG_MAPPINGS)

#: For each mapping, the rule that produces each parameter group of the tanh network.
RULES: dict[str, dict[str, str]] = {
    "correct": {"W1": "W¹ ÷ 2", "b1": "b¹ ÷ 2", "W2": "W² ÷ 2", "b2": "b²ₖ + ½ Σⱼ W²ₖⱼ"},
    "no_bias_correction": {
        "W1": "W¹ ÷ 2", "b1": "b¹ ÷ 2", "W2": "W² ÷ 2", "b2": "b²ₖ (not corrected)"
    },
    "weights_only": {
        "W1": "W¹ ÷ 2", "b1": "b¹ (not halved)", "W2": "W² ÷ 2", "b2": "b²ₖ + ½ Σⱼ W²ₖⱼ"
    },
}

PARAMETER_GROUPS = ("W1", "b1", "W2", "b2")


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


def seed_network() -> TwoLayerNet:
    """The panel's example network: ``random_net(1, 4, 2, seed=0, scale=2.0)``.

    Returns
    -------
    net : TwoLayerNet
        ``W1 (4, 1)``, ``b1 (4,)``, ``W2 (2, 4)``, ``b2 (2,)`` from :data:`SEED_INPUTS`,
        :data:`SEED_HIDDEN`, :data:`SEED_OUTPUTS`, :data:`SEED_RANDOM_SEED` and :data:`SEED_SCALE`.
    """
    return random_net(SEED_INPUTS, SEED_HIDDEN, SEED_OUTPUTS, SEED_RANDOM_SEED, scale=SEED_SCALE)


def sigmoid_via_tanh(a: object) -> np.ndarray:
    """The right-hand side of question 3's identity, ``tanh(a / 2) / 2 + 1 / 2``.

    Parameters
    ----------
    a : (...) array_like
        Finite inputs.

    Returns
    -------
    f : (...) array
        Equal to ``sigmoid(a)`` up to rounding, computed through tanh only.
    """
    return 0.5 * tanh(0.5 * finite_array(a, "a")) + 0.5


def convert(net: TwoLayerNet, mapping: str) -> TwoLayerNet:
    """Convert a sigmoid network to a tanh network by the right rule or a wrong one.

    Parameters
    ----------
    net : TwoLayerNet
        Network used with ``activation="sigmoid"``.
    mapping : {"correct", "no_bias_correction", "weights_only"}
        ``"correct"`` is :func:`sigmoid_to_tanh`; the others are :func:`wrong_mapping`.

    Returns
    -------
    tanh_net : TwoLayerNet
        Same shapes as ``net``.

    Raises
    ------
    ValueError
        If ``mapping`` is unknown, or as :func:`sigmoid_to_tanh`.
    """
    if mapping not in MAPPINGS:
        raise ValueError(f"mapping must be one of {', '.join(MAPPINGS)}, got {mapping!r}")
    return sigmoid_to_tanh(net) if mapping == "correct" else wrong_mapping(net, mapping)


def predicted_gap(net: TwoLayerNet, X: object, mapping: str) -> np.ndarray:
    """What a mapping's error should be, worked out from the rule rather than by running it.

    The gap is ``forward(convert(net, mapping), X, "tanh") - forward(net, X, "sigmoid")``:
    zero for ``"correct"``; the constant ``-sum_j W2[k, j] / 2`` on output k for
    ``"no_bias_correction"``; ``sum_j W2[k, j] / 2 * (tanh(s_j / 2 + b1_j) -
    tanh((s_j + b1_j) / 2))`` with ``s = W1 x`` for ``"weights_only"``.

    Parameters
    ----------
    net : TwoLayerNet
        The sigmoid network, ``W1 (M, D)``, ``b1 (M,)``, ``W2 (K, M)``, ``b2 (K,)``.
    X : (N, D) array_like
        Finite inputs, one per row.
    mapping : {"correct", "no_bias_correction", "weights_only"}
        The conversion whose error is predicted.

    Returns
    -------
    gap : (N, K) array

    Raises
    ------
    ValueError
        If an argument is invalid (as :func:`forward`) or ``mapping`` is unknown.
    """
    net = _checked_net(net)
    if mapping not in MAPPINGS:
        raise ValueError(f"mapping must be one of {', '.join(MAPPINGS)}, got {mapping!r}")
    X = finite_array(X, "X", ndim=2)
    if X.shape[1] != net.input_size:
        raise ValueError(
            f"X has {X.shape[1]} columns but the network takes {net.input_size} inputs: "
            f"X must have shape (N, {net.input_size})"
        )
    shape = (X.shape[0], net.output_size)
    if mapping == "correct":
        return np.zeros(shape)
    if mapping == "no_bias_correction":
        return np.broadcast_to(-0.5 * net.W2.sum(axis=1), shape).copy()
    with np.errstate(over="ignore", invalid="ignore"):
        S = X @ net.W1.T
        difference = np.tanh(0.5 * S + net.b1) - np.tanh(0.5 * (S + net.b1))
        gap = difference @ (0.5 * net.W2).T
    if not np.all(np.isfinite(gap)):
        raise ValueError("the predicted gap overflows float64: use smaller inputs or weights")
    return gap


def check_setting(name: str, value: object) -> int:
    """Check a size or seed a panel asks for against :data:`SETTING_LIMITS`.

    Parameters
    ----------
    name : {"D", "M", "K", "seed"}
        Which setting.
    value : int or whole float
        The requested value.

    Returns
    -------
    value : int

    Raises
    ------
    ValueError
        Saying which whole numbers are allowed, if ``value`` is not one of them.
    """
    if name not in SETTING_LIMITS:
        raise ValueError(f"unknown setting {name!r}: choose from {', '.join(SETTING_LIMITS)}")
    low, high = SETTING_LIMITS[name]
    message = f"{name} must be a whole number from {low} to {high}"
    try:
        whole = positive_int(value, name, minimum=low)
    except ValueError:
        shown = f"{value:g}" if isinstance(value, float | int) else repr(value)
        raise ValueError(f"{message}, got {shown}") from None
    if whole > high:
        raise ValueError(f"{message}, got {whole}")
    return whole


def check_radius(value: object) -> float:
    """Check the half-width R of the input range ``[-R, R]``.

    Parameters
    ----------
    value : float
        Requested R.

    Returns
    -------
    radius : float

    Raises
    ------
    ValueError
        If R is not a finite number with ``0 < R <= MAX_RADIUS``.
    """
    message = f"R must be a number with 0 < R ≤ {MAX_RADIUS:g}"
    try:
        radius = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{message}, got {value!r}") from None
    if not (np.isfinite(radius) and 0.0 < radius <= MAX_RADIUS):
        raise ValueError(f"{message}, got {radius:g}")
    return radius


def input_grid(radius: float, points: int) -> np.ndarray:
    """Evenly spaced single inputs over ``[-R, R]``, as a batch for :func:`forward`.

    Parameters
    ----------
    radius : float
        R, as accepted by :func:`check_radius`.
    points : int
        Number of inputs, ``>= 2``.

    Returns
    -------
    X : (points, 1) array
    """
    radius = check_radius(radius)
    points = positive_int(points, "points", minimum=2)
    return np.linspace(-radius, radius, points).reshape(-1, 1)


def sample_inputs(D: int, N: int, radius: float, seed: int = 0) -> np.ndarray:
    """Reproducible random inputs, uniform in the cube ``[-R, R]^D``.

    Parameters
    ----------
    D, N : int
        Inputs per point and number of points, each ``>= 1``.
    radius : float
        R, as accepted by :func:`check_radius`.
    seed : int
        Seed for ``numpy.random.default_rng``, ``>= 0``.

    Returns
    -------
    X : (N, D) array
    """
    D = positive_int(D, "D")
    N = positive_int(N, "N")
    radius = check_radius(radius)
    seed = positive_int(seed, "seed", minimum=0)
    return np.random.default_rng(seed).uniform(-radius, radius, size=(N, D))


def flatten(net: TwoLayerNet) -> np.ndarray:
    """All parameters in one vector: ``W1`` row by row, then ``b1``, ``W2`` row by row, ``b2``.

    Parameters
    ----------
    net : TwoLayerNet

    Returns
    -------
    theta : (M D + M + K M + K,) array
    """
    net = _checked_net(net)
    return np.concatenate([net.W1.ravel(), net.b1, net.W2.ravel(), net.b2])


def parameter_labels(net: TwoLayerNet) -> list[tuple[str, str]]:
    """Name and group of every entry of :func:`flatten`, indices counted from 1.

    Parameters
    ----------
    net : TwoLayerNet

    Returns
    -------
    labels : list of (label, group)
        E.g. ``("W¹[2,1]", "W1")`` for ``W1[1, 0]`` and ``("b²[1]", "b2")`` for ``b2[0]``;
        ``group`` is a key of :data:`RULES` entries.
    """
    net = _checked_net(net)
    M, D, K = net.hidden_size, net.input_size, net.output_size
    labels = [(f"W¹[{j},{i}]", "W1") for j in range(1, M + 1) for i in range(1, D + 1)]
    labels += [(f"b¹[{j}]", "b1") for j in range(1, M + 1)]
    labels += [(f"W²[{k},{j}]", "W2") for k in range(1, K + 1) for j in range(1, M + 1)]
    labels += [(f"b²[{k}]", "b2") for k in range(1, K + 1)]
    return labels


def with_parameter(net: TwoLayerNet, index: int, value: float) -> TwoLayerNet:
    """A copy of ``net`` with entry ``index`` of :func:`flatten` replaced by ``value``.

    Parameters
    ----------
    net : TwoLayerNet
    index : int
        Position in :func:`flatten`, ``0 <= index < number of parameters``.
    value : float
        Finite new value.

    Returns
    -------
    changed : TwoLayerNet

    Raises
    ------
    ValueError
        If ``index`` is out of range or ``value`` is not a finite number.
    """
    theta = flatten(net)
    index = positive_int(index, "index", minimum=0)
    if index >= theta.size:
        raise ValueError(
            f"index must be below {theta.size} (the number of parameters), got {index}"
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"value must be a finite number, got {number}")
    theta[index] = number
    M, D, K = net.hidden_size, net.input_size, net.output_size
    sizes = np.cumsum([M * D, M, K * M])
    W1, b1, W2, b2 = np.split(theta, sizes)
    return TwoLayerNet(W1.reshape(M, D), b1, W2.reshape(K, M), b2)


def ulp(values: object) -> float:
    """The spacing of float64 numbers at the largest magnitude in ``values``.

    One rounding can move a result by up to half of this, so differences of a few ulp between
    two ways of computing the same number are rounding, not a different function.

    Parameters
    ----------
    values : (...) array_like
        Finite numbers, at least one.

    Returns
    -------
    spacing : float
        ``numpy.spacing(max |values|)`` (about ``2.2e-16 * max |values|``).
    """
    array = finite_array(values, "values")
    return float(np.spacing(np.max(np.abs(array))))
