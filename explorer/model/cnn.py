"""Questions 4.1/4.2: CNN layer specs, shape arithmetic, parameter counts and a real forward pass.

Layers follow PyTorch's semantics: square kernels, zero padding, cross-correlation (no kernel
flip, as deep-learning frameworks compute it), output size
``floor((H + 2p - d(k - 1) - 1) / s) + 1`` for a convolution and ``floor((H - k) / s) + 1`` for a
max-pool. Layer specs are plain frozen dataclasses that accept any value, so that an editor can
hold a half-typed stack; every function that uses them checks them and names the first bad layer
(1-based) in its ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from explorer.model.validation import finite_result

__all__ = [
    "SEED_INPUT_SHAPE",
    "SEED_NETWORK",
    "Conv2d",
    "MaxPool2d",
    "ReLU",
    "ShapeCheck",
    "default_weights",
    "forward",
    "image_to_input",
    "infer_shapes",
    "infer_shapes_partial",
    "layer_details",
    "param_counts",
    "receptive_field",
]

Shape = tuple[int, int, int]


@dataclass(frozen=True)
class Conv2d:
    """A 2-D convolution (cross-correlation) with ``out_channels`` square kernels.

    Parameters
    ----------
    out_channels : int
        Number of kernels, i.e. channels of the output (>= 1).
    kernel_size : int
        Side ``k`` of each square kernel (>= 1).
    stride : int
        Step between window positions (>= 1).
    padding : int
        Zeros added on each border (>= 0).
    dilation : int
        Spacing between kernel taps (>= 1); the kernel spans ``dilation * (k - 1) + 1`` pixels.
    bias : bool
        Whether each output channel adds a learned bias.
    """

    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    bias: bool = False


@dataclass(frozen=True)
class MaxPool2d:
    """A max-pool over square windows, no padding.

    Parameters
    ----------
    kernel_size : int
        Side of the window (>= 1).
    stride : int or None
        Step between windows; ``None`` means ``kernel_size`` (non-overlapping windows).
    """

    kernel_size: int
    stride: int | None = None


@dataclass(frozen=True)
class ReLU:
    """The elementwise rectifier ``max(x, 0)``; it keeps the shape and has no parameters."""


SEED_INPUT_SHAPE: Shape = (3, 128, 128)
"""Question 4's input: a 128 x 128 RGB image, as (channels, height, width)."""

SEED_NETWORK: tuple[Conv2d | MaxPool2d | ReLU, ...] = (
    Conv2d(32, 8, stride=2, padding=3),
    MaxPool2d(2),
    Conv2d(64, 3, stride=1, padding=1),
)
"""Question 4's three layers; no biases, as question 4.2 counts them (18,432 in the last)."""


class ShapeCheck(NamedTuple):
    """What :func:`infer_shapes_partial` found: the shapes that worked, and the first error.

    Attributes
    ----------
    shapes : list of (C, H, W)
        Output shape of every layer before the first bad one (all layers when ``error`` is None).
    error : str or None
        The message :func:`infer_shapes` would raise, starting with ``"layer N:"`` (1-based), or
        ``"input shape ..."`` when the input shape itself is invalid.
    failing_index : int or None
        0-based index of the bad layer; None when every layer is valid or the input shape is bad.
    """

    shapes: list[Shape]
    error: str | None
    failing_index: int | None


# --------------------------------------------------------------------------------------------
# checking specs


@dataclass(frozen=True)
class _Spec:
    """A checked layer: plain ints, and the same geometry fields for every kind of layer."""

    kind: str  # "conv", "maxpool" or "relu"
    out_channels: int = 0
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    bias: bool = False

    @property
    def span(self) -> int:
        """Pixels the (dilated) window covers along one axis."""
        return self.dilation * (self.kernel - 1) + 1


def _whole(value: object, what: str, prefix: str, minimum: int) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise ValueError naming the nearest valid one.

    ``prefix`` starts the message (e.g. ``"layer 2: "``); ``what`` names the setting.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | np.integer | float | np.floating
    ):
        raise ValueError(f"{prefix}{what} must be a whole number ≥ {minimum}, got {value!r}")
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(
                f"{prefix}{what} must be a whole number ≥ {minimum}, got {number}: "
                f"use {what} {minimum}"
            )
        if not number.is_integer():
            low, high = max(minimum, math.floor(number)), max(minimum, math.ceil(number))
            nearest = f"{low}" if low == high else f"{low} or {high}"
            raise ValueError(
                f"{prefix}{what} must be a whole number, got {number:g}: use {what} {nearest}"
            )
    whole = int(value)
    if whole < minimum:
        raise ValueError(f"{prefix}{what} must be ≥ {minimum}, got {whole}: use {what} {minimum}")
    return whole


def _spec(layer: object, number: int) -> _Spec:
    """Check one layer's own settings (not yet against its input)."""
    prefix = f"layer {number}: "
    if isinstance(layer, Conv2d):
        if not isinstance(layer.bias, bool | np.bool_):
            raise ValueError(f"{prefix}bias must be True or False, got {layer.bias!r}")
        return _Spec(
            kind="conv",
            out_channels=_whole(layer.out_channels, "out channels", prefix, 1),
            kernel=_whole(layer.kernel_size, "kernel size", prefix, 1),
            stride=_whole(layer.stride, "stride", prefix, 1),
            padding=_whole(layer.padding, "padding", prefix, 0),
            dilation=_whole(layer.dilation, "dilation", prefix, 1),
            bias=bool(layer.bias),
        )
    if isinstance(layer, MaxPool2d):
        kernel = _whole(layer.kernel_size, "pool size", prefix, 1)
        stride = kernel if layer.stride is None else _whole(layer.stride, "stride", prefix, 1)
        return _Spec(kind="maxpool", kernel=kernel, stride=stride)
    if isinstance(layer, ReLU):
        return _Spec(kind="relu")
    raise ValueError(f"{prefix}expected Conv2d, MaxPool2d or ReLU, got {type(layer).__name__}")


def _input_shape(input_shape: object) -> Shape:
    """Check an input shape ``(C, H, W)``."""
    try:
        entries = tuple(input_shape)  # type: ignore[arg-type]
    except TypeError:
        entries = None
    if entries is None or len(entries) != 3:
        raise ValueError(
            f"input shape must be (channels, height, width), e.g. (3, 128, 128), "
            f"got {input_shape!r}"
        )
    names = ("channels", "height", "width")
    return tuple(  # type: ignore[return-value]
        _whole(value, name, "input shape: ", 1) for value, name in zip(entries, names, strict=True)
    )


def _layer_list(layers: object) -> list[object]:
    """Check that ``layers`` is a sequence of layers (an empty stack is allowed)."""
    if isinstance(layers, Conv2d | MaxPool2d | ReLU) or not isinstance(layers, Sequence):
        raise ValueError(
            "layers must be a list of Conv2d, MaxPool2d or ReLU, e.g. [Conv2d(8, 3), ReLU()]"
        )
    return list(layers)


def _output_size(size: int, spec: _Spec) -> int:
    """Torch's output length along one axis (may be <= 0 for an impossible layer)."""
    return (size + 2 * spec.padding - spec.span) // spec.stride + 1


def _output_shape(spec: _Spec, shape: Shape, number: int) -> Shape:
    """Shape after one checked layer, or a ValueError naming the nearest valid setting."""
    channels, height, width = shape
    if spec.kind == "relu":
        return shape
    smaller = min(height, width)
    side = "height" if height <= width else "width"
    if spec.kind == "maxpool":
        if spec.kernel > smaller:
            raise ValueError(
                f"layer {number}: max-pool window {spec.kernel} is larger than its input "
                f"{height} × {width}: use pool size ≤ {smaller}"
            )
    else:
        padded = smaller + 2 * spec.padding
        if spec.span > padded:
            hints = [
                f"kernel ≤ {(padded - 1) // spec.dilation + 1}",
                f"padding ≥ {math.ceil((spec.span - smaller) / 2)}",
            ]
            dilated = f" (dilated {spec.span})" if spec.span != spec.kernel else ""
            widest_dilation = (padded - 1) // (spec.kernel - 1)
            if spec.dilation > 1 and widest_dilation >= 1:
                hints.insert(1, f"dilation ≤ {widest_dilation}")
            raise ValueError(
                f"layer {number}: kernel {spec.kernel}{dilated} is larger than the "
                f"padded input {padded} ({side} {smaller} + 2·{spec.padding}): "
                f"use {' or '.join(hints)}"
            )
    out_h, out_w = _output_size(height, spec), _output_size(width, spec)
    if out_h <= 0 or out_w <= 0:  # unreachable after the checks above; kept as a guard
        raise ValueError(f"layer {number}: output size {out_h} × {out_w} is not positive")
    out_c = spec.out_channels if spec.kind == "conv" else channels
    return (out_c, out_h, out_w)


def _walk(input_shape: object, layers: object) -> tuple[list[_Spec], list[Shape], ShapeCheck]:
    """Check a stack layer by layer; stop at the first problem."""
    try:
        shape = _input_shape(input_shape)
        items = _layer_list(layers)
    except ValueError as exc:
        return [], [], ShapeCheck([], str(exc), None)
    specs: list[_Spec] = []
    inputs: list[Shape] = []
    shapes: list[Shape] = []
    for index, layer in enumerate(items):
        try:
            spec = _spec(layer, index + 1)
            out = _output_shape(spec, shape, index + 1)
        except ValueError as exc:
            return specs, inputs, ShapeCheck(shapes, str(exc), index)
        specs.append(spec)
        inputs.append(shape)
        shapes.append(out)
        shape = out
    return specs, inputs, ShapeCheck(shapes, None, None)


def _checked(input_shape: object, layers: object) -> tuple[list[_Spec], list[Shape], list[Shape]]:
    """Specs, input shapes and output shapes of a valid stack, or ValueError."""
    specs, inputs, check = _walk(input_shape, layers)
    if check.error is not None:
        raise ValueError(check.error)
    return specs, inputs, check.shapes


# --------------------------------------------------------------------------------------------
# shapes and counts


def infer_shapes_partial(
    input_shape: tuple[int, int, int], layers: Sequence[Conv2d | MaxPool2d | ReLU]
) -> ShapeCheck:
    """Shapes of a stack up to its first bad layer, for a UI that shows the rows above it.

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
        Shape of the input image.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        The stack, first layer first.

    Returns
    -------
    check : ShapeCheck
        ``(shapes, error, failing_index)``: never raises for bad layers or a bad input shape.
    """
    return _walk(input_shape, layers)[2]


def infer_shapes(
    input_shape: tuple[int, int, int], layers: Sequence[Conv2d | MaxPool2d | ReLU]
) -> list[Shape]:
    """Output shape ``(C, H, W)`` of every layer.

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
        Shape of the input image.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        The stack, first layer first.

    Returns
    -------
    shapes : list of (C, H, W) tuples
        ``shapes[i]`` is the shape after ``layers[i]``.

    Raises
    ------
    ValueError
        For the first bad layer, with a message starting ``"layer N:"`` (1-based) that names the
        nearest valid setting.
    """
    return _checked(input_shape, layers)[2]


def param_counts(
    input_shape: tuple[int, int, int], layers: Sequence[Conv2d | MaxPool2d | ReLU]
) -> list[int]:
    """Learned parameters of every layer.

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
        Shape of the input image.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        The stack.

    Returns
    -------
    counts : list of int
        ``out * in * k * k (+ out with bias)`` for a convolution, 0 for max-pool and ReLU.
    """
    specs, inputs, _ = _checked(input_shape, layers)
    return [
        _weight_count(spec, shape[0]) + _bias_count(spec)
        for spec, shape in zip(specs, inputs, strict=True)
    ]


def _weight_count(spec: _Spec, in_channels: int) -> int:
    if spec.kind != "conv":
        return 0
    return spec.out_channels * in_channels * spec.kernel * spec.kernel


def _bias_count(spec: _Spec) -> int:
    return spec.out_channels if spec.kind == "conv" and spec.bias else 0


# --------------------------------------------------------------------------------------------
# forward pass


def _conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, spec: _Spec) -> np.ndarray:
    """Cross-correlate ``x (C, H, W)`` with ``weight (O, C, k, k)`` in one tensordot."""
    if spec.padding:
        p = spec.padding
        x = np.pad(x, ((0, 0), (p, p), (p, p)))
    s, d = spec.stride, spec.dilation
    # (C, H', W', span, span) -> every s-th window start, every d-th tap: (C, Ho, Wo, k, k)
    windows = sliding_window_view(x, (spec.span, spec.span), axis=(1, 2))[:, ::s, ::s, ::d, ::d]
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.tensordot(weight, windows, axes=([1, 2, 3], [0, 3, 4]))  # (O, Ho, Wo)
        if bias is not None:
            out += bias[:, None, None]
    return finite_result(out, "a convolution's output")


def _maxpool2d(x: np.ndarray, spec: _Spec) -> np.ndarray:
    """Max over ``k x k`` windows every ``s`` pixels of ``x (C, H, W)``."""
    k, s = spec.kernel, spec.stride
    _, height, width = x.shape
    out_h, out_w = (height - k) // s + 1, (width - k) // s + 1
    # One whole-array maximum per kernel tap (k * k of them, not one per pixel): ~20x faster than
    # reducing a sliding_window_view or a reshape over its small window axes.
    out = x[:, : s * (out_h - 1) + 1 : s, : s * (out_w - 1) + 1 : s].copy()
    for u in range(k):
        for v in range(k):
            if u or v:
                tap = x[:, u : u + s * (out_h - 1) + 1 : s, v : v + s * (out_w - 1) + 1 : s]
                np.maximum(out, tap, out=out)
    return out


def _finite(value: object, what: str) -> np.ndarray:
    """``value`` as a float64 array (no copy when it already is one: callers only read it)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{what} must contain only numbers") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contains NaN or inf: every entry must be a finite number")
    return array


def _layer_weights(
    entry: object, spec: _Spec, in_channels: int, number: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Check ``weights[i]`` against its layer; return ``(W, b)`` as float64 arrays."""
    prefix = f"layer {number}: "
    if spec.kind != "conv":
        if entry is not None:
            name = "max-pool" if spec.kind == "maxpool" else "ReLU"
            raise ValueError(
                f"{prefix}{name} has no weights: give None, got {type(entry).__name__}"
            )
        return None, None
    expected = (spec.out_channels, in_channels, spec.kernel, spec.kernel)
    if spec.bias:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise ValueError(
                f"{prefix}this convolution has a bias: give (W, b) with W of shape {expected} "
                f"and b of shape ({spec.out_channels},)"
            )
        raw_weight, raw_bias = entry
    else:
        if isinstance(entry, tuple) or entry is None:
            raise ValueError(
                f"{prefix}this convolution has no bias: give W alone, of shape {expected}"
            )
        raw_weight, raw_bias = entry, None
    weight = _finite(raw_weight, f"{prefix}W")
    if weight.shape != expected:
        raise ValueError(
            f"{prefix}W has shape {weight.shape}, expected {expected} "
            f"(out channels, in channels, kernel, kernel)"
        )
    if raw_bias is None:
        return weight, None
    bias = _finite(raw_bias, f"{prefix}b")
    if bias.shape != (spec.out_channels,):
        raise ValueError(
            f"{prefix}b has shape {bias.shape}, expected ({spec.out_channels},): one per kernel"
        )
    return weight, bias


def forward(
    image: np.ndarray,
    layers: Sequence[Conv2d | MaxPool2d | ReLU],
    weights: Sequence[Any],
) -> list[np.ndarray]:
    """Run an image through the stack.

    Parameters
    ----------
    image : (C, H, W) array
        Finite numbers; channels first.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        The stack.
    weights : sequence, one entry per layer
        ``W (out, in, k, k)`` for a Conv2d without bias, ``(W, b)`` with ``b (out,)`` for one
        with bias, ``None`` for MaxPool2d and ReLU.

    Returns
    -------
    activations : list of (C_i, H_i, W_i) float64 arrays
        The output of every layer; their shapes equal :func:`infer_shapes`.
    """
    x = _finite(image, "image")
    if x.ndim != 3:
        hint = ": add a channel axis, e.g. image[None]" if x.ndim == 2 else ""
        raise ValueError(
            f"image must be a (channels, height, width) array, got shape {x.shape}{hint}"
        )
    if x.size == 0:
        raise ValueError(f"image is empty (shape {x.shape}): give at least one pixel")
    specs, inputs, _ = _checked(x.shape, layers)
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
        raise ValueError("weights must be a list with one entry per layer (None for max-pool/ReLU)")
    if len(weights) != len(specs):
        raise ValueError(
            f"weights has {len(weights)} entries but there are {len(specs)} layers: give one per "
            f"layer (None for max-pool and ReLU)"
        )
    checked = [
        _layer_weights(entry, spec, shape[0], index + 1)
        for index, (entry, spec, shape) in enumerate(zip(weights, specs, inputs, strict=True))
    ]
    activations = []
    for spec, (weight, bias) in zip(specs, checked, strict=True):
        if spec.kind == "conv":
            x = _conv2d(x, weight, bias, spec)  # type: ignore[arg-type]
        elif spec.kind == "maxpool":
            x = _maxpool2d(x, spec)
        else:
            x = np.maximum(x, 0.0)
        activations.append(x)
    return activations


def image_to_input(rgb: np.ndarray, channels: int = 3) -> np.ndarray:
    """Turn an RGB picture into a network input with ``channels`` channels, values in [0, 1].

    Parameters
    ----------
    rgb : (H, W, 3) array
        Pixels as image files store them: ``uint8`` values 0-255 (divided by 255 here), or
        floats already in [0, 1].
    channels : int
        Channels of the input: 1 gives the luminance ``0.299 R + 0.587 G + 0.114 B`` (ITU-R
        BT.601), 3 gives R, G, B; any other count repeats R, G, B in turn (channel ``c`` is colour
        ``c mod 3``).

    Returns
    -------
    image : (channels, H, W) float64 array
        Channels first, as :func:`forward` takes it.
    """
    count = _whole(channels, "channels", "image: ", 1)
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"image must be an (H, W, 3) RGB array, got shape {array.shape}")
    if array.dtype == np.uint8:
        values = array.astype(np.float64) / 255.0
    else:
        values = _finite(array, "image")
        if values.min() < 0.0 or values.max() > 1.0:
            raise ValueError(
                f"image values must lie in [0, 1] (or be uint8 0-255), got "
                f"{values.min():g} … {values.max():g}"
            )
    planes = np.moveaxis(values, 2, 0)  # (3, H, W)
    if count == 1:
        return np.tensordot(np.array([0.299, 0.587, 0.114]), planes, axes=1)[None]
    return np.ascontiguousarray(planes[np.arange(count) % 3])


# --------------------------------------------------------------------------------------------
# what the panel shows


def _formula(size: int, spec: _Spec, out: int) -> str:
    """Write the output-size formula with its numbers, e.g. ``⌊(128 + 2·3 − 8)/2⌋ + 1 = 64``."""
    padding = f" + 2·{spec.padding}" if spec.padding else ""
    text = f"⌊({size}{padding} − {spec.span})/{spec.stride}⌋ + 1 = {out}"
    if spec.dilation > 1 and spec.kernel > 1:
        # Name the dilated span first so the line still ends with the output size.
        text = f"dilated kernel {spec.dilation}·({spec.kernel} − 1) + 1 = {spec.span};  {text}"
    return text


def _read_positions(out_size: int, spec: _Spec) -> np.ndarray:
    """Padded-input positions (along one axis) that some kernel tap reads."""
    starts = np.arange(out_size) * spec.stride
    return np.unique(starts[:, None] + spec.dilation * np.arange(spec.kernel)[None, :])


@lru_cache(maxsize=256)
def _axis_details(size: int, out: int, spec: _Spec) -> tuple[str, int, int]:
    """Return the formula, the input lines the floor drops at the far edge, and those never read.

    Cached: a panel describes the same unchanged layers again after every edit of another one.
    """
    if spec.kind == "relu":
        return f"{size} (unchanged)", 0, 0
    last_read = (out - 1) * spec.stride + spec.span - 1  # in padded coordinates
    dropped = max(0, spec.padding + size - 1 - last_read)
    read = _read_positions(out, spec) - spec.padding
    unread = size - int(np.count_nonzero((read >= 0) & (read < size)))
    return _formula(size, spec, out), dropped, unread


def _label(spec: _Spec) -> str:
    if spec.kind == "relu":
        return "ReLU"
    k = f"{spec.kernel}×{spec.kernel}"
    if spec.kind == "maxpool":
        return f"MaxPool2d {k}, stride {spec.stride}"
    text = f"Conv2d {spec.out_channels} × {k}, stride {spec.stride}, padding {spec.padding}"
    if spec.dilation > 1:
        text += f", dilation {spec.dilation}"
    return text + (", bias" if spec.bias else "")


def layer_details(
    input_shape: tuple[int, int, int], layers: Sequence[Conv2d | MaxPool2d | ReLU]
) -> list[dict[str, Any]]:
    """Everything a torchinfo-style table shows about each layer.

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
        Shape of the input image.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        A valid stack (use :func:`infer_shapes_partial` and pass ``layers[:n]`` to describe the
        rows above a bad layer).

    Returns
    -------
    details : list of dict, one per layer, with keys
        ``index`` (0-based), ``kind`` ("conv", "maxpool", "relu"), ``label``, ``input_shape``,
        ``output_shape``, ``weights``, ``biases``, ``params`` (weights + biases), ``activations``
        (C * H * W of the output), ``macs`` (multiply-adds: out elements * in channels * k * k
        for a convolution, 0 otherwise), ``macs_note`` (how ``macs`` was counted),
        ``window`` (pixels one window spans along each axis: the dilated kernel, the pool size,
        0 for ReLU), ``formula_h``, ``formula_w``, ``formula`` (both, or one when they agree),
        ``dropped_rows``, ``dropped_cols`` (input rows/columns past the last window, dropped by the
        floor), ``unread_rows``, ``unread_cols`` (input rows/columns no kernel tap ever reads: the
        dropped ones plus gaps left by a stride larger than the window or by dilation).

    Raises
    ------
    ValueError
        As :func:`infer_shapes`.
    """
    specs, inputs, outputs = _checked(input_shape, layers)
    details = []
    for index, (spec, shape_in, shape_out) in enumerate(zip(specs, inputs, outputs, strict=True)):
        formula_h, dropped_rows, unread_rows = _axis_details(shape_in[1], shape_out[1], spec)
        formula_w, dropped_cols, unread_cols = _axis_details(shape_in[2], shape_out[2], spec)
        if spec.kind == "relu":
            formula = f"{' × '.join(map(str, shape_out))} (elementwise: shape unchanged)"
        elif formula_h == formula_w:
            formula = formula_h
        else:
            formula = f"H: {formula_h};  W: {formula_w}"
        weights = _weight_count(spec, shape_in[0])
        biases = _bias_count(spec)
        activations = shape_out[0] * shape_out[1] * shape_out[2]
        if spec.kind == "conv":
            macs = activations * shape_in[0] * spec.kernel * spec.kernel
            note = (
                f"{activations:,} outputs × {shape_in[0]} in channels × {spec.kernel}·{spec.kernel}"
            )
        elif spec.kind == "maxpool":
            macs, note = 0, "max-pool compares, no multiply-adds"
        else:
            macs, note = 0, "ReLU clamps at 0, no multiply-adds"
        details.append(
            {
                "index": index,
                "kind": spec.kind,
                "label": _label(spec),
                "input_shape": shape_in,
                "output_shape": shape_out,
                "weights": weights,
                "biases": biases,
                "params": weights + biases,
                "activations": activations,
                "macs": macs,
                "macs_note": note,
                "window": 0 if spec.kind == "relu" else spec.span,
                "formula_h": formula_h,
                "formula_w": formula_w,
                "formula": formula,
                "dropped_rows": dropped_rows,
                "dropped_cols": dropped_cols,
                "unread_rows": unread_rows,
                "unread_cols": unread_cols,
            }
        )
    return details


def _sources(positions: np.ndarray, spec: _Spec, size: int | None) -> np.ndarray:
    """Input positions along one axis that the given output positions read."""
    if spec.kind == "relu":
        return positions
    taps = positions[:, None] * spec.stride - spec.padding + spec.dilation * np.arange(spec.kernel)
    taps = np.unique(taps)
    keep = taps >= 0 if size is None else (taps >= 0) & (taps < size)
    return taps[keep]


def receptive_field(
    layers: Sequence[Conv2d | MaxPool2d | ReLU],
    layer_index: int,
    row: int,
    col: int,
    input_shape: tuple[int, int, int] | None = None,
) -> tuple[int, int, int, int]:
    """Find the box of input pixels that one output cell depends on.

    Parameters
    ----------
    layers : sequence of Conv2d, MaxPool2d or ReLU
        The stack.
    layer_index : int
        0-based index of the layer whose output cell is asked about.
    row, col : int
        The cell in that layer's output.
    input_shape : (C, H, W) tuple of int, optional
        Shape of the input. Give it (the panel should): then the box is clipped to the image at
        every layer and ``row``/``col`` are checked against the output size. Without it the box
        is clipped only at 0.

    Returns
    -------
    row0, row1, col0, col1 : int
        Half-open box: the cell reads ``image[:, row0:row1, col0:col1]``. It is the bounding box of
        the pixels some kernel tap reaches (tight even with dilation); empty (``row0 == row1`` or
        ``col0 == col1``) when the cell sees only zero padding.
    """
    if input_shape is None:
        items = _layer_list(layers)
        specs = [_spec(layer, number) for number, layer in enumerate(items, start=1)]
        inputs = None
        outputs = None
    else:
        specs, inputs, outputs = _checked(input_shape, layers)
    index = _whole(layer_index, "layer index", "receptive field: ", 0)
    if not specs:
        raise ValueError("receptive field: the stack has no layers: add a layer first")
    if index >= len(specs):
        raise ValueError(
            f"receptive field: layer index {index} is past the last layer: "
            f"use 0 to {len(specs) - 1}"
        )
    cell_row = _whole(row, "row", f"layer {index + 1}: ", 0)
    cell_col = _whole(col, "col", f"layer {index + 1}: ", 0)
    if outputs is not None:
        _, out_h, out_w = outputs[index]
        if cell_row >= out_h or cell_col >= out_w:
            raise ValueError(
                f"layer {index + 1}: cell ({cell_row}, {cell_col}) is outside the output "
                f"{out_h} × {out_w}: use row < {out_h} and col < {out_w}"
            )
    rows = np.array([cell_row])
    cols = np.array([cell_col])
    for i in range(index, -1, -1):
        height = None if inputs is None else inputs[i][1]
        width = None if inputs is None else inputs[i][2]
        rows = _sources(rows, specs[i], height)
        cols = _sources(cols, specs[i], width)

    def box(positions: np.ndarray) -> tuple[int, int]:
        if positions.size == 0:
            return 0, 0
        return int(positions.min()), int(positions.max()) + 1

    return (*box(rows), *box(cols))


# --------------------------------------------------------------------------------------------
# weights that make the feature maps mean something


def _gabor_bank(
    out_channels: int, in_channels: int, kernel: int, rng: np.random.Generator
) -> np.ndarray:
    """Oriented edge detectors: 8 orientations x (odd, even) phase x two wavelengths, cycled."""
    orientations = min(8, out_channels)
    centre = (kernel - 1) / 2.0
    yy, xx = np.mgrid[0:kernel, 0:kernel] - centre
    sigma = max(kernel / 4.0, 0.5)
    # All filters at once (one array op per step, not one per filter): the panel rebuilds the
    # bank after every layer edit.
    o = np.arange(out_channels)
    theta = (np.pi * (o % orientations) / orientations)[:, None, None]
    group = o // orientations
    phase = np.where(group % 2 == 0, 0.5 * np.pi, 0.0)[:, None, None]  # odd (edge), then even
    wavelength = (max(kernel, 2.0) * np.where((group // 2) % 2 == 0, 1.0, 0.5))[:, None, None]
    u = xx * np.cos(theta) + yy * np.sin(theta)
    envelope = np.exp(-(xx**2 + yy**2) / (2.0 * sigma**2))
    g = envelope * np.cos(2.0 * np.pi * u / wavelength + phase)
    g -= g.mean(axis=(1, 2), keepdims=True)  # respond to edges, not to overall brightness
    norms = np.linalg.norm(g, axis=(1, 2))
    for index in np.flatnonzero(norms < 1e-8):
        # A 1x1 kernel, or a filter that cancels out: no orientation to show. Drawn in filter
        # order so the bank does not depend on how many filters came before.
        g[index] = rng.standard_normal((kernel, kernel))
        norms[index] = np.linalg.norm(g[index])
    # The same spatial filter on every channel acts on brightness; unit norm per kernel.
    unit = g / norms[:, None, None]
    return np.repeat(unit[:, None, :, :] / math.sqrt(in_channels), in_channels, axis=1)


def default_weights(
    input_shape: tuple[int, int, int],
    layers: Sequence[Conv2d | MaxPool2d | ReLU],
    seed: int = 0,
) -> list[Any]:
    """Deterministic weights for :func:`forward`: a Gabor bank first, then He-scaled noise.

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
        Shape of the input image.
    layers : sequence of Conv2d, MaxPool2d or ReLU
        A valid stack.
    seed : int
        Seed of the random layers.

    Returns
    -------
    weights : list
        Per layer: ``W (out, in, k, k)``, or ``(W, zeros(out))`` for a convolution with bias,
        ``None`` for max-pool and ReLU. The first convolution is a bank of oriented Gabor / edge
        filters (zero mean, unit L2 norm per kernel); later convolutions are Gaussian with
        standard deviation ``sqrt(2 / (in * k * k))``.
    """
    specs, inputs, _ = _checked(input_shape, layers)
    rng = np.random.default_rng(seed)
    weights: list[Any] = []
    first = True
    for spec, shape in zip(specs, inputs, strict=True):
        if spec.kind != "conv":
            weights.append(None)
            continue
        in_channels = shape[0]
        if first:
            w = _gabor_bank(spec.out_channels, in_channels, spec.kernel, rng)
            first = False
        else:
            fan_in = in_channels * spec.kernel * spec.kernel
            size = (spec.out_channels, in_channels, spec.kernel, spec.kernel)
            w = rng.standard_normal(size) * math.sqrt(2.0 / fan_in)
        weights.append((w, np.zeros(spec.out_channels)) if spec.bias else w)
    return weights
