"""1-D and 2-D convolution (questions 4.3 and 5): modes, flipping, traces, transposed convolution.

Transposed convolution (torch's ``conv_transpose1d``/``conv_transpose2d`` for one sample, groups
1, no bias), the contract panels and tests call:

- ``conv_transpose2d(x, w, stride=1, padding=0, dilation=1, output_padding=0)``: x (C_in, H, W),
  w (C_in, C_out, kH, kW) -> (C_out, H_out, W_out), or one channel x (H, W), w (kH, kW) ->
  (H_out, W_out); ``H_out = (H - 1)s - 2p + d(kH - 1) + output_padding + 1``. Each setting is an
  int or a (height, width) pair. ``output_padding >= max(stride, dilation)`` on an axis, or an
  output size <= 0, is a ValueError.
- ``conv_transpose1d(x, w, ...)``: x (C_in, L), w (C_in, C_out, k), or x (L,), w (k,).
- ``conv_transpose_output_size(size, kernel, stride, padding, dilation, output_padding)`` for one
  axis and ``conv_transpose_output_shape2d(input_shape, kernel_shape, ...)`` for two.
- The two pictures, one channel: ``transpose_scatter_trace2d`` (one `TransposeStep2d` per input
  cell stamping value * kernel onto the output), ``transpose_gather_input2d`` (the zero-inserted,
  bordered input that the flipped, dilated kernel at stride 1 turns into the same output) with
  ``transpose_gather_positions2d`` (where the input cells sit in it), and ``overlap_counts2d``
  (stamps per output cell: the checkerboard).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from explorer.model.validation import finite_array, finite_result, finite_vector, positive_int

__all__ = [
    "MODES",
    "PRESETS_2D",
    "SEED_GRID",
    "SEED_KERNEL",
    "SEED_KERNEL2D",
    "SEED_SIGNAL",
    "SEED_UPSTREAM2D",
    "Step",
    "Step2d",
    "TransposeStep2d",
    "conv_full",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose_output_shape2d",
    "conv_transpose_output_size",
    "conv_valid",
    "convolve",
    "convolve2d",
    "flip",
    "grey_crop",
    "output_length",
    "output_shape2d",
    "overlap_counts2d",
    "pad_widths",
    "padded_length",
    "padded_input2d",
    "padded_signal",
    "preset2d",
    "same_padding",
    "trace",
    "trace2d",
    "transpose_gather_input2d",
    "transpose_gather_positions2d",
    "transpose_scatter_trace2d",
]

MODES: Final = ("full", "valid", "same")

SEED_SIGNAL: Final = np.array([1.0, 2.0, 3.0, 4.0])
SEED_SIGNAL.flags.writeable = False
SEED_KERNEL: Final = np.array([2.0, 0.0, 1.0])
SEED_KERNEL.flags.writeable = False

#: A 5 x 5 grid of small integers and a 3 x 3 kernel for the 2-D animation (the homework has no
#: 2-D example; these are the ones of Dumoulin & Visin's "guide to convolution arithmetic").
SEED_GRID: Final = np.array(
    [
        [3.0, 3.0, 2.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 3.0, 1.0],
        [3.0, 1.0, 2.0, 2.0, 3.0],
        [2.0, 0.0, 0.0, 2.0, 2.0],
        [2.0, 0.0, 0.0, 0.0, 1.0],
    ]
)
SEED_GRID.flags.writeable = False
SEED_KERNEL2D: Final = np.array([[0.0, 1.0, 2.0], [2.0, 2.0, 0.0], [0.0, 1.0, 2.0]])
SEED_KERNEL2D.flags.writeable = False
#: An upstream gradient of the shape of that grid's 3 x 3 output, for the transposed
#: convolution that carries it back to a 5 x 5 gradient of the input.
SEED_UPSTREAM2D: Final = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [-1.0, 0.0, 2.0]])
SEED_UPSTREAM2D.flags.writeable = False

#: The classic 2-D cases, each changing one thing from "no padding, unit stride".
PRESETS_2D: Final = (
    "no padding, unit stride",
    "half padding",
    "full padding",
    "stride 2",
    "dilation 2",
)


def _frozen(array: np.ndarray) -> np.ndarray:
    """Return ``array`` marked read-only, so a frozen Step really cannot change."""
    array = np.array(array)
    array.flags.writeable = False
    return array


def _check_mode(mode: object) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    return str(mode)


def _check_flip(flip_kernel: object) -> bool:
    if not isinstance(flip_kernel, bool | np.bool_):
        raise ValueError(
            f"flip must be True (convolution) or False (correlation), got {flip_kernel!r}"
        )
    return bool(flip_kernel)


def pad_widths(d: int, k: int, mode: str) -> tuple[int, int]:
    """Count the zeros added on each side of the input before the kernel slides over it.

    Every mode is "pad, then slide the kernel over every full window of the padded input".

    Parameters
    ----------
    d : int
        Input length, >= 1.
    k : int
        Kernel length, >= 1.
    mode : {"full", "valid", "same"}
        ``"full"`` pads ``k - 1`` on both sides; ``"valid"`` pads nothing (and needs ``k <= d``);
        ``"same"`` pads ``k - 1`` in total, ``(k - 1) // 2`` on the right and the rest on the left.

    Returns
    -------
    left, right : int
        Number of zeros before and after the input.

    Notes
    -----
    For an even kernel the ``k - 1`` zeros of "same" cannot be split evenly: the extra zero goes
    on the left. That is where numpy (``np.convolve``/``np.correlate``, ``k <= d``) and
    ``scipy.signal.convolve``/``correlate`` (any ``k``) put it: "same" keeps the full result's
    entries ``(k - 1) // 2`` to ``(k - 1) // 2 + d - 1``.
    """
    d = positive_int(d, "input length d")
    k = positive_int(k, "kernel length k")
    mode = _check_mode(mode)
    if mode == "full":
        return k - 1, k - 1
    if mode == "valid":
        if k > d:
            raise ValueError(
                f"kernel ({k}) is longer than the input ({d}): valid mode needs k ≤ d"
            )
        return 0, 0
    right = (k - 1) // 2
    return k - 1 - right, right


def same_padding(d: int, k: int) -> tuple[int, int]:
    """Zeros ``(left, right)`` that "same" mode adds; for even ``k`` the left side gets one more.

    Parameters
    ----------
    d : int
        Input length, >= 1.
    k : int
        Kernel length, >= 1.

    Returns
    -------
    left, right : int
        ``left = k - 1 - (k - 1) // 2`` and ``right = (k - 1) // 2``; equal for odd ``k``.
    """
    return pad_widths(d, k, "same")


def padded_length(d: int, k: int, mode: str) -> int:
    """Return the length of the zero-padded input the kernel slides over: ``d + left + right``.

    Parameters
    ----------
    d, k : int
        Input and kernel lengths, >= 1.
    mode : {"full", "valid", "same"}
        Convolution mode.

    Returns
    -------
    int
        ``d + 2 (k - 1)`` (full), ``d`` (valid) or ``d + k - 1`` (same).
    """
    left, right = pad_widths(d, k, mode)
    return int(d) + left + right


def output_length(d: int, k: int, mode: str) -> int:
    """Count the outputs: ``d + k - 1`` (full), ``d - k + 1`` (valid) or ``d`` (same).

    Parameters
    ----------
    d, k : int
        Input and kernel lengths, >= 1.
    mode : {"full", "valid", "same"}
        Convolution mode.

    Returns
    -------
    int
        ``padded_length(d, k, mode) - k + 1``.
    """
    return padded_length(d, k, mode) - int(k) + 1


def padded_signal(x: object, k: int, mode: str) -> np.ndarray:
    """Return the input with the zeros of ``mode`` added, as the kernel sees it.

    Parameters
    ----------
    x : (d,) array_like
        Input signal.
    k : int
        Kernel length, >= 1.
    mode : {"full", "valid", "same"}
        Convolution mode.

    Returns
    -------
    padded : (padded_length(d, k, mode),) array
        ``x`` with ``pad_widths(d, k, mode)`` zeros before and after.
    """
    x = finite_vector(x, "input")
    return np.pad(x, pad_widths(x.size, k, mode))


def flip(w: object) -> np.ndarray:
    """Reverse a kernel: ``flip(w)[j] = w[k - 1 - j]`` (Q5's ``flip(w)_j = w_{k-j+1}``).

    Parameters
    ----------
    w : (k,) array_like
        Kernel.

    Returns
    -------
    (k,) array
        A new array; ``w`` is not changed.
    """
    return finite_vector(w, "kernel")[::-1].copy()


def _windows_and_kernel(
    x: object, w: object, mode: str, flip_kernel: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and prepare the pieces shared by `convolve` and `trace`.

    Returns the windows ``(n_out, k)`` of the padded input, the kernel as applied ``(k,)`` and
    the padded-input start index (relative to the input) of every window ``(n_out,)``.
    """
    x = finite_vector(x, "input")
    w = finite_vector(w, "kernel")
    mode = _check_mode(mode)
    flip_kernel = _check_flip(flip_kernel)
    left, right = pad_widths(x.size, w.size, mode)
    windows = sliding_window_view(np.pad(x, (left, right)), w.size)
    applied = w[::-1] if flip_kernel else w
    starts = np.arange(windows.shape[0]) - left
    return windows, applied, starts


def convolve(x: object, w: object, mode: str = "full", flip: bool = True) -> np.ndarray:
    """1-D convolution (``flip=True``) or cross-correlation (``flip=False``) in one of three modes.

    Parameters
    ----------
    x : (d,) array_like
        Input signal.
    w : (k,) array_like
        Kernel.
    mode : {"full", "valid", "same"}
        ``"full"``: every overlap, length ``d + k - 1``. ``"valid"``: only windows inside the
        input, length ``d - k + 1``; ``k > d`` is a ValueError (numpy would silently swap the
        arguments). ``"same"``: length ``d``, the full result's entries ``(k - 1) // 2`` onwards.
    flip : bool
        True slides the reversed kernel (true convolution, ``np.convolve``); False slides the
        kernel as written (cross-correlation, ``np.correlate``).

    Returns
    -------
    out : (output_length(d, k, mode),) array
        ``out[n] = sum_m padded[n + m] * applied[m]``, with ``padded = padded_signal(x, k, mode)``
        and ``applied = w[::-1]`` if ``flip`` else ``w``.

    Notes
    -----
    For ``k <= d`` this equals ``np.convolve(x, w, mode)`` / ``np.correlate(x, w, mode)``. For
    ``k > d`` in "same" mode numpy returns ``k`` values; here the result keeps length ``d``,
    centred like ``scipy.signal.convolve(x, w, "same")`` / ``scipy.signal.correlate(x, w,
    "same")``: the full result from index ``(k - 1) // 2``.
    """
    windows, applied, _ = _windows_and_kernel(x, w, mode, flip)
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(windows @ applied, "the convolution")


def conv_valid(x: object, w: object) -> np.ndarray:
    """Q5 eq. (4), valid convolution without flipping: ``(x * w)_n = sum_j x_{n+j-1} w_j``.

    Parameters
    ----------
    x : (d,) array_like
        Input.
    w : (k,) array_like
        Kernel, ``k <= d``.

    Returns
    -------
    (d - k + 1,) array
        0-based: ``out[n] = sum_j x[n + j] w[j]``.
    """
    return convolve(x, w, "valid", flip=False)


def conv_full(x: object, w: object) -> np.ndarray:
    """Q5 eq. (5), full convolution without flipping: ``(x ~* w)_n = sum_j x_{n+j-k} w_j``.

    Parameters
    ----------
    x : (d,) array_like
        Input; entries indexed outside ``0..d-1`` count as 0.
    w : (k,) array_like
        Kernel, any length >= 1 (Q5's backward pass needs ``k > d`` here).

    Returns
    -------
    (d + k - 1,) array
        0-based: ``out[n] = sum_j x[n + j - (k - 1)] w[j]``.
    """
    return convolve(x, w, "full", flip=False)


@dataclass(frozen=True, eq=False)
class Step:
    """One output of a 1-D convolution, spelled out term by term.

    Attributes
    ----------
    index : int
        Output index ``n``.
    positions : (k,) int array
        Input indices under the kernel, ascending; negative or ``>= d`` are padding zeros.
    kernel : (k,) array
        Kernel values as applied, aligned with ``positions`` (reversed when flipping).
    products : (k,) array
        ``values * kernel``.
    total : float
        The output ``convolve(x, w, mode, flip)[index]``.
    values : (k,) array
        Input values at ``positions`` (0 for padding).
    """

    index: int
    positions: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    values: np.ndarray

    # numpy fields make the generated __eq__ ambiguous, so compare them element by element.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
        )

    __hash__ = None  # type: ignore[assignment]


def trace(x: object, w: object, mode: str = "full", flip: bool = True) -> list[Step]:
    """Every output of `convolve` as the sum of products that produces it.

    Parameters
    ----------
    x : (d,) array_like
        Input signal.
    w : (k,) array_like
        Kernel.
    mode : {"full", "valid", "same"}
        Convolution mode, as in `convolve`.
    flip : bool
        True for convolution, False for cross-correlation.

    Returns
    -------
    list of Step
        One per output, in order; ``step.total == convolve(x, w, mode, flip)[step.index]``.
    """
    windows, applied, starts = _windows_and_kernel(x, w, mode, flip)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = finite_result(windows @ applied, "the convolution")
        products = finite_result(windows * applied, "a product of input and kernel")
    k = applied.size
    kernel = _frozen(applied)
    return [
        Step(
            index=n,
            positions=_frozen(np.arange(start, start + k)),
            kernel=kernel,
            products=_frozen(products[n]),
            total=float(totals[n]),
            values=_frozen(windows[n]),
        )
        for n, start in enumerate(starts.tolist())
    ]


def _check_2d(
    x: object, w: object, stride: object, padding: object, dilation: object
) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    x = finite_array(x, "input", ndim=2)
    w = finite_array(w, "kernel", ndim=2)
    stride = positive_int(stride, "stride")
    padding = positive_int(padding, "padding", minimum=0)
    dilation = positive_int(dilation, "dilation")
    span = tuple(dilation * (size - 1) + 1 for size in w.shape)
    padded = tuple(size + 2 * padding for size in x.shape)
    if span[0] > padded[0] or span[1] > padded[1]:
        dilated = f" (dilated to {span[0]}x{span[1]})" if dilation > 1 else ""
        raise ValueError(
            f"kernel ({w.shape[0]}x{w.shape[1]}){dilated} is larger than the padded input "
            f"({padded[0]}x{padded[1]}): use a smaller kernel or dilation, or more padding"
        )
    return x, w, stride, padding, dilation


def output_shape2d(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> tuple[int, int]:
    """Output size of `convolve2d` per axis: ``floor((H + 2p - dil (k - 1) - 1) / s) + 1``.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)``.
    kernel_shape : (int, int)
        ``(kh, kw)``.
    stride, padding, dilation : int
        As in `convolve2d`.

    Returns
    -------
    (int, int)
        ``(out_h, out_w)``.
    """
    h, wd = (positive_int(v, "input size") for v in input_shape)
    kh, kw = (positive_int(v, "kernel size") for v in kernel_shape)
    _, _, s, p, dil = _check_2d(np.zeros((h, wd)), np.zeros((kh, kw)), stride, padding, dilation)
    return (h + 2 * p - dil * (kh - 1) - 1) // s + 1, (wd + 2 * p - dil * (kw - 1) - 1) // s + 1


def _windows2d(
    x: object, w: object, stride: object, padding: object, dilation: object, flip_kernel: object
) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """Return windows ``(out_h, out_w, kh, kw)`` of the padded input, applied kernel, s, p, dil."""
    x, w, s, p, dil = _check_2d(x, w, stride, padding, dilation)
    applied = w[::-1, ::-1] if _check_flip(flip_kernel) else w
    span = (dil * (w.shape[0] - 1) + 1, dil * (w.shape[1] - 1) + 1)
    windows = sliding_window_view(np.pad(x, p), span)[::s, ::s, ::dil, ::dil]
    return windows, applied, s, p, dil


def convolve2d(
    x: object,
    w: object,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    flip: bool = False,
) -> np.ndarray:
    """Single-channel 2-D convolution layer as CNNs compute it (cross-correlation by default).

    Parameters
    ----------
    x : (H, W) array_like
        Input image.
    w : (kh, kw) array_like
        Kernel; may be rectangular.
    stride : int
        Step between windows, >= 1.
    padding : int
        Zeros added on every border, >= 0.
    dilation : int
        Spacing between kernel taps, >= 1.
    flip : bool
        True flips the kernel on both axes (true convolution); False (the default, like CNN
        layers) slides it as written.

    Returns
    -------
    out : (out_h, out_w) array
        ``out[i, j] = sum_{a,b} padded[i s + a dil, j s + b dil] * applied[a, b]`` with
        ``out_h = floor((H + 2p - dil (kh - 1) - 1) / s) + 1`` (likewise ``out_w``).
    """
    windows, applied, *_ = _windows2d(x, w, stride, padding, dilation, flip)
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(np.einsum("ijab,ab->ij", windows, applied), "the convolution")


@dataclass(frozen=True, eq=False)
class Step2d:
    """One output of `convolve2d`, spelled out term by term.

    Attributes
    ----------
    output : (int, int)
        Output ``(row, col)``.
    rows : (kh,) int array
        Rows of the padded input under the kernel (subtract ``padding`` for input rows).
    cols : (kw,) int array
        Columns of the padded input under the kernel.
    kernel : (kh, kw) array
        Kernel as applied (flipped on both axes when flipping).
    products : (kh, kw) array
        ``values * kernel``.
    total : float
        The output ``convolve2d(...)[row, col]``.
    values : (kh, kw) array
        Padded-input values under the kernel (0 on the padding).
    """

    output: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    values: np.ndarray

    __eq__ = Step.__eq__
    __hash__ = None  # type: ignore[assignment]


def trace2d(
    x: object,
    w: object,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    flip: bool = False,
) -> list[Step2d]:
    """Every output of `convolve2d` as the sum of products that produces it, row by row.

    Parameters
    ----------
    x : (H, W) array_like
        Input image.
    w : (kh, kw) array_like
        Kernel.
    stride, padding, dilation : int
        As in `convolve2d`.
    flip : bool
        As in `convolve2d`.

    Returns
    -------
    list of Step2d
        ``out_h * out_w`` steps in row-major order;
        ``step.total == convolve2d(...)[step.output]``.
    """
    windows, applied, s, _, dil = _windows2d(x, w, stride, padding, dilation, flip)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = finite_result(np.einsum("ijab,ab->ij", windows, applied), "the convolution")
        finite_result(windows * applied, "a product of input and kernel")
    kernel = _frozen(applied)
    kh, kw = applied.shape
    steps = []
    for i in range(totals.shape[0]):
        rows = _frozen(i * s + dil * np.arange(kh))
        for j in range(totals.shape[1]):
            steps.append(
                Step2d(
                    output=(i, j),
                    rows=rows,
                    cols=_frozen(j * s + dil * np.arange(kw)),
                    kernel=kernel,
                    products=_frozen(windows[i, j] * applied),
                    total=float(totals[i, j]),
                    values=_frozen(windows[i, j]),
                )
            )
    return steps


def preset2d(name: str, kernel_shape: tuple[int, int]) -> tuple[int, int, int]:
    """Stride, padding and dilation of one of the classic 2-D cases in `PRESETS_2D`.

    Parameters
    ----------
    name : str
        One of `PRESETS_2D`.
    kernel_shape : (int, int)
        ``(kh, kw)``; the paddings use ``k = max(kh, kw)`` because `convolve2d` pads every border
        alike.

    Returns
    -------
    stride, padding, dilation : int
        ``(1, 0, 1)`` for no padding; half padding ``p = k // 2`` (keeps the size for odd ``k``);
        full padding ``p = k - 1`` (every partial overlap); ``(2, 0, 1)`` and ``(1, 0, 2)``.
    """
    kh, kw = (positive_int(v, "kernel size") for v in kernel_shape)
    k = max(kh, kw)
    presets = {
        "no padding, unit stride": (1, 0, 1),
        "half padding": (1, k // 2, 1),
        "full padding": (1, k - 1, 1),
        "stride 2": (2, 0, 1),
        "dilation 2": (1, 0, 2),
    }
    if name not in presets:
        raise ValueError(f"preset must be one of {', '.join(PRESETS_2D)}; got {name!r}")
    return presets[name]


def padded_input2d(x: object, padding: int) -> np.ndarray:
    """Return the 2-D input with ``padding`` zeros on every border, as the kernel sees it.

    Parameters
    ----------
    x : (H, W) array_like
        Input image.
    padding : int
        Zeros per border, >= 0.

    Returns
    -------
    (H + 2 padding, W + 2 padding) array
        A new array; the rows and columns of `Step2d` index into it.
    """
    x = finite_array(x, "input", ndim=2)
    return np.pad(x, positive_int(padding, "padding", minimum=0))


def grey_crop(image: object, top: int, left: int, size: int) -> np.ndarray:
    """Grey levels of a square crop of an RGB image, rounded to whole numbers 0-255.

    Parameters
    ----------
    image : (H, W, 3) array_like
        RGB values in 0-255.
    top, left : int
        Corner of the crop, >= 0.
    size : int
        Side of the crop, >= 1; the crop must lie inside the image.

    Returns
    -------
    (size, size) array
        ``round(0.299 R + 0.587 G + 0.114 B)`` (the ITU-R BT.601 luma weights) per pixel.
    """
    image = finite_array(image, "image", ndim=3)
    if image.shape[2] != 3:
        raise ValueError(f"image must have 3 colour channels (RGB), got {image.shape[2]}")
    top = positive_int(top, "crop top", minimum=0)
    left = positive_int(left, "crop left", minimum=0)
    size = positive_int(size, "crop size")
    height, width = image.shape[:2]
    if top + size > height or left + size > width:
        raise ValueError(
            f"a {size}x{size} crop at ({top}, {left}) leaves the {height}x{width} image: "
            f"use top ≤ {height - size} and left ≤ {width - size}"
        )
    crop = image[top : top + size, left : left + size]
    return np.rint(crop @ np.array([0.299, 0.587, 0.114]))


# --- transposed convolution ------------------------------------------------------------------


def _per_axis(value: object, name: str, minimum: int, axes: tuple[str, ...]) -> tuple[int, ...]:
    """Return ``value`` (an int, or one int per axis like torch) as one int per axis.

    The message names the axis only when the caller gave a separate value for each.
    """
    if isinstance(value, int | float | np.integer | np.floating | str | bool | np.bool_):
        return (positive_int(value, name, minimum=minimum),) * len(axes)
    try:
        entries = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        entries = ()
    if len(entries) != len(axes):
        form = (
            "(or a 1-tuple of one, like torch)" if len(axes) == 1 else "or a pair (height, width)"
        )
        raise ValueError(f"{name} must be a whole number ≥ {minimum} {form}, got {value!r}")
    return tuple(
        positive_int(entry, f"{name} ({axis})" if len(axes) > 1 else name, minimum=minimum)
        for entry, axis in zip(entries, axes, strict=True)
    )


def _transpose_size(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    output_padding: int,
    axis: str,
) -> int:
    """Checked output size along one axis of checked whole numbers; ``axis`` names it."""
    on = f" for the {axis}" if axis else ""
    widest = max(stride, dilation)
    if output_padding >= widest:
        allowed = "0" if widest == 1 else f"0 to {widest - 1}"
        raise ValueError(
            f"output_padding ({output_padding}) must be smaller than max(stride, dilation) = "
            f"{widest}{on}: use output_padding {allowed}"
        )
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if out <= 0:
        room = (size - 1) * stride + dilation * (kernel - 1) + output_padding
        raise ValueError(
            f"the output {axis or 'length'} would be ({size} - 1)·{stride} - 2·{padding} + "
            f"{dilation}·({kernel} - 1) + {output_padding} + 1 = {out}, not positive: "
            f"use padding ≤ {room // 2}{on}"
        )
    return out


def conv_transpose_output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """Output length of a transposed convolution along one axis, as torch computes it.

    Parameters
    ----------
    size : int
        Input length along the axis, >= 1.
    kernel : int
        Kernel length along the axis, >= 1.
    stride, dilation : int
        >= 1.
    padding : int
        Rows cropped from each end of the full result, >= 0.
    output_padding : int
        Rows added at the end, ``0 <= output_padding < max(stride, dilation)``.

    Returns
    -------
    int
        ``(size - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1``, >= 1
        (anything else is a ValueError).
    """
    size = positive_int(size, "input size")
    kernel = positive_int(kernel, "kernel size")
    stride = positive_int(stride, "stride")
    padding = positive_int(padding, "padding", minimum=0)
    dilation = positive_int(dilation, "dilation")
    output_padding = positive_int(output_padding, "output_padding", minimum=0)
    return _transpose_size(size, kernel, stride, padding, dilation, output_padding, "")


@dataclass(frozen=True)
class _Geometry:
    """Checked settings of a transposed convolution, one entry per spatial axis."""

    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    output_padding: tuple[int, ...]
    out: tuple[int, ...]


def _geometry(
    sizes: tuple[int, ...],
    kernels: tuple[int, ...],
    stride: object,
    padding: object,
    dilation: object,
    output_padding: object,
) -> _Geometry:
    axes = ("height", "width") if len(sizes) == 2 else ("length",)
    s = _per_axis(stride, "stride", 1, axes)
    p = _per_axis(padding, "padding", 0, axes)
    d = _per_axis(dilation, "dilation", 1, axes)
    op = _per_axis(output_padding, "output_padding", 0, axes)
    names = axes if len(axes) > 1 else ("",)
    out = tuple(
        _transpose_size(*args) for args in zip(sizes, kernels, s, p, d, op, names, strict=True)
    )
    return _Geometry(s, p, d, op, out)


def conv_transpose_output_shape2d(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> tuple[int, int]:
    """Output ``(H_out, W_out)`` of `conv_transpose2d`.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)``.
    kernel_shape : (int, int)
        ``(kH, kW)``.
    stride, padding, dilation, output_padding : int or (int, int)
        As in `conv_transpose2d`: one value for both axes or a ``(height, width)`` pair.

    Returns
    -------
    (int, int)
        `conv_transpose_output_size` of each axis.
    """
    sizes = _per_axis(input_shape, "input size", 1, ("height", "width"))
    kernels = _per_axis(kernel_shape, "kernel size", 1, ("height", "width"))
    out_h, out_w = _geometry(sizes, kernels, stride, padding, dilation, output_padding).out
    return out_h, out_w


def _transpose_arrays(x: object, w: object, spatial: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Check ``x`` and ``w``; return them as ``(C_in, *spatial)``, ``(C_in, C_out, *kernel)``.

    The third value is True when the caller gave one channel without channel axes.
    """
    dims = "H, W" if spatial == 2 else "L"
    kdims = "kH, kW" if spatial == 2 else "k"
    x = finite_array(x, "input")
    if x.ndim not in (spatial, spatial + 1):
        raise ValueError(
            f"input must be (C_in, {dims}), or ({dims}) for one channel, got shape {x.shape}"
        )
    single = x.ndim == spatial
    name = "kernel" if single else "weight"
    w = finite_array(w, name)
    want = spatial if single else spatial + 2
    if w.ndim != want:
        expected = f"({kdims})" if single else f"(C_in, C_out, {kdims})"
        given = f"({dims})" if single else f"(C_in, {dims})"
        raise ValueError(f"{name} must be {expected} for a {given} input, got shape {w.shape}")
    if single:
        return x[None], w[None, None], True
    if w.shape[0] != x.shape[0]:
        raise ValueError(
            f"the input has {x.shape[0]} channels but the weight has {w.shape[0]} "
            f"(its shape is (C_in, C_out, {kdims}) = {w.shape}): give them the same C_in"
        )
    return x, w, False


def _checked_transpose(
    x: object,
    w: object,
    stride: object,
    padding: object,
    dilation: object,
    output_padding: object,
    spatial: int,
) -> tuple[np.ndarray, np.ndarray, bool, _Geometry]:
    x, w, single = _transpose_arrays(x, w, spatial)
    geometry = _geometry(x.shape[1:], w.shape[2:], stride, padding, dilation, output_padding)
    return x, w, single, geometry


def _scatter(x: np.ndarray, w: np.ndarray, g: _Geometry) -> np.ndarray:
    """Transposed convolution of ``x (C_in, H, W)`` with ``w (C_in, C_out, kH, kW)``.

    One tensordot per kernel tap (not per input cell): tap ``(a, b)`` adds ``w[:, :, a, b]``
    times the whole input onto the strided output grid shifted by ``(a dh, b dw)``.
    """
    (_, h, wd), (_, c_out, kh, kw) = x.shape, w.shape
    (sh, sw), (ph, pw), (dh, dw), (oph, opw) = g.stride, g.padding, g.dilation, g.output_padding
    # The uncropped result plus the output_padding rows/cols (zeros unless padding covers them).
    canvas = np.zeros(
        (c_out, (h - 1) * sh + dh * (kh - 1) + 1 + oph, (wd - 1) * sw + dw * (kw - 1) + 1 + opw)
    )
    with np.errstate(over="ignore", invalid="ignore"):
        for a in range(kh):
            for b in range(kw):
                rows = slice(a * dh, a * dh + (h - 1) * sh + 1, sh)
                cols = slice(b * dw, b * dw + (wd - 1) * sw + 1, sw)
                canvas[:, rows, cols] += np.tensordot(w[:, :, a, b], x, axes=(0, 0))
    out = canvas[:, ph : ph + g.out[0], pw : pw + g.out[1]].copy()
    return finite_result(out, "the transposed convolution")


def conv_transpose2d(
    x: object,
    w: object,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """2-D transposed convolution of one sample, like ``torch.nn.functional.conv_transpose2d``.

    The adjoint of the strided, padded, dilated `convolve2d`-style cross-correlation: every
    input cell stamps its value times the kernel onto the output (see
    `transpose_scatter_trace2d`), and the same result is a stride-1 convolution of the
    zero-inserted input (see `transpose_gather_input2d`). Groups are 1 and there is no bias.

    Parameters
    ----------
    x : (C_in, H, W) or (H, W) array_like
        Input; ``(H, W)`` is a convenience for one channel in and out.
    w : (C_in, C_out, kH, kW) or (kH, kW) array_like
        Weight in torch's layout for transposed convolution (the forward convolution's
        ``(C_out_fwd, C_in_fwd, kH, kW)``); ``(kH, kW)`` goes with an ``(H, W)`` input.
    stride : int or (int, int)
        Spacing of the stamps on the output, >= 1.
    padding : int or (int, int)
        Rows (columns) cropped from each border of the full result, >= 0.
    dilation : int or (int, int)
        Spacing between kernel taps, >= 1.
    output_padding : int or (int, int)
        Rows (columns) added at the bottom (right), ``0 <= output_padding < max(stride,
        dilation)`` per axis; they resolve which input size a strided forward convolution came
        from.

    Returns
    -------
    out : (C_out, H_out, W_out) or (H_out, W_out) array
        ``out[o, y, z] = sum x[c, i, j] w[c, o, a, b]`` over ``i s_h + a d_h - p_h = y`` and
        ``j s_w + b d_w - p_w = z``, with
        ``H_out = (H - 1) s_h - 2 p_h + d_h (kH - 1) + output_padding_h + 1`` (likewise
        ``W_out``); an output size <= 0 is a ValueError.
    """
    x, w, single, geometry = _checked_transpose(
        x, w, stride, padding, dilation, output_padding, spatial=2
    )
    out = _scatter(x, w, geometry)
    return out[0] if single else out


def conv_transpose1d(
    x: object,
    w: object,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    output_padding: int | tuple[int] = 0,
) -> np.ndarray:
    """1-D transposed convolution of one sample, like ``torch.nn.functional.conv_transpose1d``.

    Parameters
    ----------
    x : (C_in, L) or (L,) array_like
        Input; ``(L,)`` is a convenience for one channel in and out.
    w : (C_in, C_out, k) or (k,) array_like
        Weight in torch's layout; ``(k,)`` goes with an ``(L,)`` input.
    stride, padding, dilation, output_padding : int or (int,)
        As in `conv_transpose2d`, for the one axis.

    Returns
    -------
    out : (C_out, L_out) or (L_out,) array
        ``L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1``; equal to
        `conv_transpose2d` of the input as one row.
    """
    x, w, single, g = _checked_transpose(x, w, stride, padding, dilation, output_padding, spatial=1)
    # One row of the 2-D case: height 1, a 1-row kernel and neutral settings on that axis.
    row = _Geometry(
        (1, *g.stride), (0, *g.padding), (1, *g.dilation), (0, *g.output_padding), (1, *g.out)
    )
    out = _scatter(x[:, None, :], w[:, :, None, :], row)[:, 0, :]
    return out[0] if single else out


@dataclass(frozen=True, eq=False)
class TransposeStep2d:
    """What one input cell adds to the output of a single-channel `conv_transpose2d`.

    Attributes
    ----------
    input : (int, int)
        Input ``(i, j)``.
    value : float
        ``x[i, j]``.
    rows : (kH,) int array
        Output rows the kernel's rows land on, ``i s_h - p_h + a d_h``, before cropping (they
        may be negative or ``>= H_out``).
    cols : (kW,) int array
        Output columns, ``j s_w - p_w + b d_w``, before cropping.
    inside : (kH, kW) bool array
        Which stamped cells lie inside the output; the others are cropped away.
    kernel : (kH, kW) array
        The kernel, as written (a transposed convolution stamps it unflipped).
    products : (kH, kW) array
        ``value * kernel``, every one (cropped or not).
    output_shape : (int, int)
        ``(H_out, W_out)``.
    """

    input: tuple[int, int]
    value: float
    rows: np.ndarray
    cols: np.ndarray
    inside: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    output_shape: tuple[int, int]

    __eq__ = Step.__eq__
    __hash__ = None  # type: ignore[assignment]

    def contribution(self) -> np.ndarray:
        """Return this cell's stamp on the output: the products inside it, zeros elsewhere.

        Returns
        -------
        (H_out, W_out) array
            A new array; the contributions of all steps add up to `conv_transpose2d`.
        """
        out = np.zeros(self.output_shape)
        rows, cols = np.nonzero(self.inside)
        out[self.rows[rows], self.cols[cols]] = self.products[rows, cols]
        return out


def _single_channel(
    x: object,
    w: object,
    stride: object,
    padding: object,
    dilation: object,
    output_padding: object,
) -> tuple[np.ndarray, np.ndarray, _Geometry]:
    x = finite_array(x, "input")
    if x.ndim != 2:
        raise ValueError(
            f"input must be a 2-D array (H, W) (one channel; the pictures show one), "
            f"got shape {x.shape}"
        )
    x, w, _, geometry = _checked_transpose(
        x, w, stride, padding, dilation, output_padding, spatial=2
    )
    return x[0], w[0, 0], geometry


def transpose_scatter_trace2d(
    x: object,
    w: object,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> list[TransposeStep2d]:
    """The "scatter" picture: every input cell stamping ``value * kernel`` onto the output.

    Where stamps overlap they add (`overlap_counts2d` counts them); the parts that fall outside
    the output (cut by ``padding``) are dropped.

    Parameters
    ----------
    x : (H, W) array_like
        Input, one channel.
    w : (kH, kW) array_like
        Kernel.
    stride, padding, dilation, output_padding : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    list of TransposeStep2d
        ``H * W`` steps in row-major order; the sum of their ``contribution()`` is
        ``conv_transpose2d(x, w, ...)``.
    """
    x, w, g = _single_channel(x, w, stride, padding, dilation, output_padding)
    (sh, sw), (ph, pw), (dh, dw) = g.stride, g.padding, g.dilation
    (h_out, w_out), (kh, kw) = g.out, w.shape
    with np.errstate(over="ignore", invalid="ignore"):
        finite_result(x[:, :, None, None] * w, "a product of input and kernel")
    kernel = _frozen(w)
    steps = []
    for i in range(x.shape[0]):
        rows = i * sh - ph + dh * np.arange(kh)
        rows_in = (rows >= 0) & (rows < h_out)
        for j in range(x.shape[1]):
            cols = j * sw - pw + dw * np.arange(kw)
            cols_in = (cols >= 0) & (cols < w_out)
            steps.append(
                TransposeStep2d(
                    input=(i, j),
                    value=float(x[i, j]),
                    rows=_frozen(rows),
                    cols=_frozen(cols),
                    inside=_frozen(np.outer(rows_in, cols_in)),
                    kernel=kernel,
                    products=_frozen(x[i, j] * w),
                    output_shape=g.out,
                )
            )
    return steps


def _gather_positions(
    sizes: tuple[int, ...], kernels: tuple[int, ...], g: _Geometry
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the gather input holding the input cells.

    The border before the first is ``d (k - 1) - p`` (negative: a crop); the one after the last
    is that plus ``output_padding``, which goes at the end only.
    """
    rows, cols = (
        np.arange(sizes[axis]) * g.stride[axis]
        + g.dilation[axis] * (kernels[axis] - 1)
        - g.padding[axis]
        for axis in (0, 1)
    )
    return rows, cols


def transpose_gather_positions2d(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Where the input's rows and columns sit in `transpose_gather_input2d`.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)``.
    kernel_shape : (int, int)
        ``(kH, kW)``.
    stride, padding, dilation, output_padding : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    rows : (H,) int array
        ``i s_h + d_h (kH - 1) - p_h``; outside ``0 .. rows of the gather input - 1`` when that
        input row was cropped away (``padding > dilation (kH - 1)``).
    cols : (W,) int array
        Likewise for the columns. Every other cell of the gather input is a zero.
    """
    sizes = _per_axis(input_shape, "input size", 1, ("height", "width"))
    kernels = _per_axis(kernel_shape, "kernel size", 1, ("height", "width"))
    return _gather_positions(
        sizes, kernels, _geometry(sizes, kernels, stride, padding, dilation, output_padding)
    )


def transpose_gather_input2d(
    x: object,
    w: object,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """The "gather" picture: the input that a plain stride-1 convolution turns into the output.

    ``stride - 1`` zeros go between neighbouring inputs, a border of ``dilation (k - 1) -
    padding`` zeros on every side (when ``padding`` is larger this is negative: that many
    rows/columns are cropped instead) and ``output_padding`` more at the bottom and right.
    Sliding the flipped, dilated kernel over it (stride 1, no padding) gives
    ``conv_transpose2d(x, w, ...)``; for one ``dilation`` on both axes that is
    ``convolve2d(gather, w, dilation=dilation, flip=True)``, which `trace2d` spells out.

    Parameters
    ----------
    x : (H, W) array_like
        Input, one channel.
    w : (kH, kW) array_like
        Kernel (only its shape is used).
    stride, padding, dilation, output_padding : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    gather : (H_out + d_h (kH - 1), W_out + d_w (kW - 1)) array
        A new array; `transpose_gather_positions2d` says where the input's cells are.
    """
    x, w, g = _single_channel(x, w, stride, padding, dilation, output_padding)
    spans = tuple(g.dilation[axis] * (w.shape[axis] - 1) for axis in (0, 1))
    gather = np.zeros((g.out[0] + spans[0], g.out[1] + spans[1]))
    rows, cols = _gather_positions(x.shape, w.shape, g)
    # A negative border crops: keep the input cells that still land inside.
    keep_r = (rows >= 0) & (rows < gather.shape[0])
    keep_c = (cols >= 0) & (cols < gather.shape[1])
    gather[np.ix_(rows[keep_r], cols[keep_c])] = x[np.ix_(keep_r, keep_c)]
    return gather


def overlap_counts2d(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    output_padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """How many kernel stamps add into each output cell of `conv_transpose2d`.

    Uneven counts are the checkerboard artefact of transposed convolutions: with stride 2 and
    a 3 x 3 kernel, cells get 1, 2 or 4 stamps in a repeating pattern.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)``.
    kernel_shape : (int, int)
        ``(kH, kW)``.
    stride, padding, dilation, output_padding : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    counts : (H_out, W_out) int64 array
        The number of ``(i, j, a, b)`` with ``i s_h + a d_h - p_h = y`` and
        ``j s_w + b d_w - p_w = z``; equal to ``conv_transpose2d(ones(H, W), ones(kH, kW))``.
    """
    sizes = _per_axis(input_shape, "input size", 1, ("height", "width"))
    kernels = _per_axis(kernel_shape, "kernel size", 1, ("height", "width"))
    g = _geometry(sizes, kernels, stride, padding, dilation, output_padding)
    per_axis = []
    # The count factorises: (stamps hitting row y) x (stamps hitting column z).
    for axis in (0, 1):
        hits = (
            np.arange(sizes[axis])[:, None] * g.stride[axis]
            + np.arange(kernels[axis])[None, :] * g.dilation[axis]
            - g.padding[axis]
        ).ravel()
        hits = hits[(hits >= 0) & (hits < g.out[axis])]
        per_axis.append(np.bincount(hits, minlength=g.out[axis]))
    return np.outer(per_axis[0], per_axis[1]).astype(np.int64)
