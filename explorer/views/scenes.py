"""The pictures of a sliding kernel, as data: what the cell views draw, worked out by a view.

A scene holds every number and label one picture shows; the widgets in ``explorer/widgets``
(``cell_row``, ``cell_grid``, ``cell_matrix``) draw it and compute nothing themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class RowScene:
    """What a :class:`CellRowView` draws; every number comes from ``explorer.model``.

    Attributes
    ----------
    cells : (m,) array
        The input as the kernel sees it, padding included.
    ghost : (m,) bool array
        True for padding cells (drawn as dashed "ghost" zeros).
    cell_labels : tuple of str, length m
        Index label under each cell ("" for none).
    kernel : (k,) array
        The kernel as applied (already flipped if the caller flips it).
    windows : (n, k) int array
        ``windows[i]`` are the cells under the kernel for output ``i``, in kernel order.
    products : (n, k) array
        ``products[i, t] == cells[windows[i, t]] * kernel[t]``, from the model's trace.
    outputs : (n,) array
        The outputs (``outputs[i] == products[i].sum()``, computed by the model).
    output_labels : tuple of str, length n
        Name of each output cell, also used in the caption (``"y₄"``).
    input_name, kernel_name, products_name, output_name : str
        Row titles drawn on the left.
    """

    cells: np.ndarray
    ghost: np.ndarray
    cell_labels: tuple[str, ...]
    kernel: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    outputs: np.ndarray
    output_labels: tuple[str, ...]
    input_name: str = "input"
    kernel_name: str = "kernel"
    products_name: str = "products"
    output_name: str = "output"

    def __post_init__(self) -> None:
        m, (n, k) = len(self.cells), np.shape(self.windows)
        if not (len(self.ghost) == len(self.cell_labels) == m and len(self.kernel) == k
                and np.shape(self.products) == (n, k)
                and len(self.outputs) == len(self.output_labels) == n and n >= 1):
            raise ValueError("RowScene: cells, ghost, labels, kernel, windows, products and "
                             "outputs must have matching lengths")
        windows = np.asarray(self.windows)
        if windows.size and (windows.min() < 0 or windows.max() >= m):
            raise ValueError("RowScene: a window points outside the cells")


@dataclass(frozen=True, eq=False)
class GridScene:
    """What a :class:`CellGridView` draws; every number comes from the caller's model.

    Attributes
    ----------
    cells : (R, C) array
        The input as the kernel sees it, padding included.
    ghost : (R, C) bool array
        True for padding cells.
    kernel : (kh, kw) array
        The kernel as applied.
    rows : (n, kh) int array
        Rows of ``cells`` under the kernel for output ``i`` (outputs in row-major order).
    cols : (n, kw) int array
        Columns of ``cells`` under the kernel for output ``i``.
    outputs : (oh, ow) array
        The outputs; ``n == oh * ow``.
    output_labels : tuple of str, length n
        Name of each output in the caption (``"y₁,₂"``).
    input_name, kernel_name, output_name : str
        Titles drawn above the three grids.
    shade : bool
        Fill the input cells and the filled outputs with grey levels of their values, so an
        image crop looks like an image.
    """

    cells: np.ndarray
    ghost: np.ndarray
    kernel: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    outputs: np.ndarray
    output_labels: tuple[str, ...]
    input_name: str = "input"
    kernel_name: str = "kernel"
    output_name: str = "output"
    shade: bool = False

    def __post_init__(self) -> None:
        n = np.size(self.outputs)
        kh, kw = np.shape(self.kernel)
        if not (np.shape(self.ghost) == np.shape(self.cells) and np.ndim(self.cells) == 2
                and np.shape(self.rows) == (n, kh) and np.shape(self.cols) == (n, kw)
                and len(self.output_labels) == n and n >= 1):
            raise ValueError("GridScene: cells, ghost, kernel, rows, cols and outputs must "
                             "have matching shapes")
        r, c = np.shape(self.cells)
        if (np.min(self.rows) < 0 or np.max(self.rows) >= r or np.min(self.cols) < 0
                or np.max(self.cols) >= c):
            raise ValueError("GridScene: a window points outside the cells")


@dataclass(frozen=True, eq=False)
class MatrixScene:
    """What a :class:`CellMatrixView` draws.

    Attributes
    ----------
    values : (r, c) array
        The matrix.
    band : (r, c) bool array
        True for entries that are structurally non-zero (drawn solid); the others are drawn
        as faint zeros.
    row_labels, col_labels : tuple of str
        A short name per row (left of the cells) and per column (above them).
    tooltip : callable
        ``tooltip(i, n)`` is the text shown while the mouse rests on cell ``(i, n)``; asked
        only then, so a scene costs nothing for the cells nobody points at.
    captions : tuple of str, length c
        Line shown under the matrix while column ``n`` is lit.
    title : str
        Line above the matrix.
    """

    values: np.ndarray
    band: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    tooltip: Callable[[int, int], str]
    captions: tuple[str, ...]
    title: str = ""
    #: Every how many columns a label is written (1: all of them).
    label_every: int = 1

    def __post_init__(self) -> None:
        shape = np.shape(self.values)
        if (len(shape) != 2 or shape[0] < 1 or shape[1] < 1 or np.shape(self.band) != shape
                or len(self.row_labels) != shape[0] or len(self.col_labels) != shape[1]
                or len(self.captions) != shape[1]):
            raise ValueError("MatrixScene: values, band, labels and captions must have "
                             "matching shapes")


@dataclass(frozen=True, eq=False)
class StampScene:
    """What a :class:`CellStampView` draws: input cells each stamping the kernel onto an output.

    Attributes
    ----------
    inputs : (h, w) array
        The cells that stamp, one per animation step (row-major).
    kernel : (kh, kw) array
        The kernel each input cell stamps, scaled by its value.
    canvas : (int, int)
        Rows and columns of the uncropped result the stamps land on.
    crop : (int, int)
        Rows and columns cut from the top and the left of the canvas (the padding); the output
        is the ``outputs.shape`` block from there, and the canvas cells around it are cut away.
    rows : (n, kh) int array
        Canvas rows of step ``i``'s stamp.
    cols : (n, kw) int array
        Canvas columns of step ``i``'s stamp.
    products : (n, kh, kw) array
        ``inputs.flat[i] * kernel``: what step ``i`` adds, computed by the model.
    partials : (n, oh, ow) array
        The output after steps ``0 … i``.
    reached : (n, oh, ow) bool array
        Which output cells steps ``0 … i`` have added to.
    outputs : (oh, ow) array
        The output (``partials[-1]``).
    input_labels, captions : tuple of str, length n
        Each input cell's name, and the line shown while it is the step.
    input_name, kernel_name, output_name : str
        Titles drawn above the three grids.
    shade : bool
        Fill the output cells with grey levels of their values (a pattern reads at a glance).
    """

    inputs: np.ndarray
    kernel: np.ndarray
    canvas: tuple[int, int]
    crop: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    products: np.ndarray
    partials: np.ndarray
    reached: np.ndarray
    outputs: np.ndarray
    input_labels: tuple[str, ...]
    captions: tuple[str, ...]
    input_name: str = "input"
    kernel_name: str = "kernel"
    output_name: str = "output"
    shade: bool = False

    def __post_init__(self) -> None:
        n, (kh, kw), shape = np.size(self.inputs), np.shape(self.kernel), np.shape(self.outputs)
        if not (n >= 1 and np.shape(self.rows) == (n, kh) and np.shape(self.cols) == (n, kw)
                and np.shape(self.products) == (n, kh, kw)
                and np.shape(self.partials) == np.shape(self.reached) == (n, *shape)
                and len(self.input_labels) == len(self.captions) == n):
            raise ValueError("StampScene: inputs, kernel, rows, cols, products, partials and "
                             "labels must have matching shapes")
        (top, left), (r, c) = self.crop, self.canvas
        if top + shape[0] > r or left + shape[1] > c or min(top, left) < 0:
            raise ValueError("StampScene: the output does not lie on the canvas")
        if (np.min(self.rows) < 0 or np.max(self.rows) >= r or np.min(self.cols) < 0
                or np.max(self.cols) >= c):
            raise ValueError("StampScene: a stamp lands outside the canvas")
