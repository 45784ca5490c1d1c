"""1-D and 2-D convolution (questions 4.3 and 5): modes, kernel flipping and step-by-step traces."""

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
    "Step",
    "Step2d",
    "conv_full",
    "conv_valid",
    "convolve",
    "convolve2d",
    "flip",
    "grey_crop",
    "output_length",
    "output_shape2d",
    "pad_widths",
    "padded_length",
    "padded_input2d",
    "padded_signal",
    "preset2d",
    "same_padding",
    "trace",
    "trace2d",
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
                f"kernel ({k}) is longer than the input ({d}): valid mode needs k <= d"
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
            f"use top <= {height - size} and left <= {width - size}"
        )
    crop = image[top : top + size, left : left + size]
    return np.rint(crop @ np.array([0.299, 0.587, 0.114]))
