"""Questions 4.1–4.2: a CNN's tensor shapes as a block diagram, a table and a real forward pass."""

from __future__ import annotations

import html
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRectF,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageIOHandler,
    QImageReader,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGraphicsRectItem,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import assets
from explorer.model import cnn
from explorer.model.checks import Check
from explorer.model.cnn import Conv2d, MaxPool2d
from explorer.model.quiz import Question, cnn_questions
from explorer.panels.base import Panel
from explorer.views.cnn import (
    COLUMNS,
    KIND_NAMES,
    MAPS_SHOWN,
    MAX_LAYERS,
    MAX_SIDE,
    NEW_LAYERS,
    SIDES,
    CnnState,
    CnnView,
    ForwardJob,
    ForwardResult,
    Layer,
    cell_text,
    compute,
    full_activations_of,
    layer_from_values,
    layer_values,
    rows_to_csv,
    rows_to_markdown,
    run_forward,
    side_rule,
    state_from_json,
    state_to_json,
    too_large,
)
from explorer.widgets import file_dialogs
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.feature_maps import FeatureMapGrid
from explorer.widgets.images import rgb_array
from explorer.widgets.layer_row import LayerRow
from explorer.widgets.number_input import NumberInput
from explorer.widgets.page import Page, WrappedLabel, fixed_text
from explorer.widgets.plot import OKABE_ITO, make_plot
from explorer.widgets.tensor_diagram import Arrow, Block, TensorDiagram
from explorer.widgets.theme import qcolor, set_html, set_rich_text, set_style_sheet, theme_signals

assert FeatureMapGrid.MAPS_PER_ROW == MAPS_SHOWN  # one row of maps per layer

SAMPLE_IMAGE = assets.SAMPLE_PHOTO
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"
IMAGE_KINDS = "PNG, JPEG, BMP, GIF, WebP or TIFF"

#: A picture larger than this on a side is scaled down while it is read: the input is at
#: most MAX_SIDE on a side, and twice that leaves detail for any crop of it.
MAX_READ_SIDE = 2 * MAX_SIDE
#: Memory a picture may take while it is decoded, in MB (Qt's default is 256). PNG, BMP, TIFF
#: and WebP are decoded at full size before they are scaled down: 1024 MB holds 268
#: megapixels of 8-bit RGBA, more than phones and cameras make. JPEG is decoded scaled down.
MAX_READ_MB = 1024

#: Room around a header's and a cell's text (the style's margins and a little air), in pixels.
_HEADER_PADDING = 16
_CELL_PADDING = 14
#: "Computing…" over the maps and "Checks running…" over the badges: neither pass nor fail.
_STATUS_STYLE = ("QLabel { background: #f2f2f2; color: #333333; border: 1px solid #aaaaaa;"
                 " border-radius: 4px; padding: 2px 8px; }")


def _explanation() -> str:
    """The text beside the controls; its numbers come from the model, for the homework's stack."""
    shapes = cnn.infer_shapes(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK)
    counts = cnn.param_counts(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK)
    last = cnn.SEED_NETWORK[-1]
    with_bias = cnn.param_counts(cnn.SEED_INPUT_SHAPE,
                                 [*cnn.SEED_NETWORK[:-1], replace(last, bias=True)])
    details = cnn.layer_details(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK)

    def shape(s: tuple[int, int, int]) -> str:
        return " × ".join(map(str, s))

    c, h, w = cnn.SEED_INPUT_SHAPE
    first = cnn.SEED_NETWORK[0]
    return f"""
<h3>Question 4 — a {h} × {w} colour image through a small CNN</h3>
<p><b>4.1 Shapes.</b> A convolution slides each of its kernels over the zero-padded input and
writes one number per position, so every kernel makes one output channel. Along each axis the
number of positions is the formula below. The first layer ({first.out_channels} kernels of
{first.kernel_size} × {first.kernel_size}, stride {first.stride}, padding {first.padding}) turns
{shape(cnn.SEED_INPUT_SHAPE)} into <b>{shape(shapes[0])}</b>: {details[0]['formula']}. The
2 × 2 max-pool keeps the channels and halves each side: <b>{shape(shapes[1])}</b>. The
3 × 3 convolution with padding 1 keeps the sides and makes {shapes[2][0]} channels:
<b>{shape(shapes[2])}</b>, that is {details[2]['activations']:,} numbers per image.</p>
<p><b>4.2 Parameters.</b> Each kernel of the last layer reaches through all
{shapes[1][0]} input channels, so it holds {shapes[1][0]} × {last.kernel_size} ×
{last.kernel_size} weights; {last.out_channels} of them make <b>{counts[2]:,}</b>. With one bias
per kernel: <b>{with_bias[2]:,}</b>. Max-pool and ReLU learn nothing.</p>
<p><b>The forward pass</b> is real: the photo below goes through the stack with numpy. The first
convolution starts as a bank of oriented edge filters, so its maps light up along edges; later
layers have random weights. Click a pixel of any feature map to see which input pixels it
depends on (its receptive field).</p>
<p><b>Try:</b> give the max-pool stride 3 and read which rows it never looks at; set a kernel
larger than its padded input; tick “bias” on the last layer; add a ReLU and compare its maps;
drop your own picture on the panel.</p>
"""


class ForwardWorker(QObject):
    """Runs :func:`run_forward` jobs in one background thread and reports back by signals.

    The signals cross to the GUI thread queued. The worker is its own object, not the panel,
    so a job that outlives a panel deleted without being closed emits into no connection
    instead of into a deleted object.
    """

    #: (generation, layer): the job of ``generation`` starts that layer (len(layers): checks).
    progress = Signal(int, int)
    #: (generation, ForwardResult without checks): the maps are computed, the checks start.
    mapsReady = Signal(int, object)
    #: (generation, ForwardResult) of a job that ran to the end.
    finished = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, job: ForwardJob) -> Future:
        """Queue ``job`` behind the running one; returns its future."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnn-forward")
        return self._pool.submit(self._run, job)

    def _run(self, job: ForwardJob) -> ForwardResult | None:
        def progress(layer: int) -> None:
            self.progress.emit(job.generation, layer)

        def maps_ready(result: ForwardResult) -> None:
            self.mapsReady.emit(job.generation, result)

        try:
            result = run_forward(job, progress, maps_ready)
        except (ValueError, MemoryError) as exc:
            # The model refused (an output too large to be finite), or the machine did.
            reason = str(exc) if isinstance(exc, ValueError) else "not enough memory"
            result = ForwardResult(job.layers, None, None, f"Forward pass stopped: {reason}. "
                                   "Shapes and counts above are exact.")
        except Exception as exc:
            # A bug: the panel says so instead of computing forever; waiting re-raises it.
            self.finished.emit(job.generation, ForwardResult(
                job.layers, None, None, f"Forward pass failed: {exc!r}"))
            raise
        if result is not None:
            self.finished.emit(job.generation, result)
        return result

    def shut_down(self) -> None:
        """Drop queued jobs and wait for the running one (it stops at its next layer)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _arrow(detail: dict[str, Any], layer: Layer) -> Arrow:
    """The two lines written at a layer's arrow, and the window drawn on its input."""
    if isinstance(layer, Conv2d):
        extras = [f"stride {layer.stride}", f"pad {layer.padding}"]
        if layer.dilation != 1:
            extras.append(f"dil {layer.dilation}")
        if layer.bias:
            extras.append("bias")
        return Arrow((f"Conv {layer.kernel_size}×{layer.kernel_size} → {layer.out_channels}",
                      " · ".join(extras)), int(detail["window"]))
    if isinstance(layer, MaxPool2d):
        stride = layer.kernel_size if layer.stride is None else layer.stride
        return Arrow((f"MaxPool {layer.kernel_size}×{layer.kernel_size}", f"stride {stride}"),
                     int(detail["window"]))
    return Arrow(("ReLU", "max(x, 0)"), None)


def read_picture(path: str) -> tuple[QImage, str]:
    """The picture at ``path``, upright, scaled down while it is read if larger than needed.

    Returns the image and, if it was scaled down, its size and the size read
    ("12000 × 9000, read at 2048 × 1536"; else ""). Raises ValueError with the file's name,
    the reader's reason and what would work, if it cannot be read.
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # a phone's portrait photo stands upright
    reader.setAllocationLimit(MAX_READ_MB)
    size = reader.size()
    scaled = size.isValid() and max(size.width(), size.height()) > MAX_READ_SIDE
    if scaled:
        reader.setScaledSize(size.scaled(MAX_READ_SIDE, MAX_READ_SIDE,
                                         Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ValueError(f"Could not read “{Path(path).name}”: {_unreadable(reader, size)}")
    if not scaled:
        return image, ""
    width, height = size.width(), size.height()
    if (image.width() > image.height()) != (width > height):  # turned upright
        width, height = height, width
    return image, f"{width} × {height}, read at {image.width()} × {image.height()}"


def _unreadable(reader: QImageReader, size) -> str:
    """Why ``reader`` read no picture (its own reason first), and what would work."""
    reason = reader.errorString()
    reason = reason[:1].lower() + reason[1:]
    error = QImageReader.ImageReaderError
    kind = reader.error()
    if kind == error.InvalidDataError and size.isValid():
        # Qt refuses a picture whose decoding would take more than the allocation limit;
        # formats decoded at full size reach it first.
        decoded = size if not reader.supportsOption(
            QImageIOHandler.ImageOption.ScaledSize) else reader.scaledSize()
        bits = max(32, QImage.toPixelFormat(reader.imageFormat()).bitsPerPixel())
        needed = decoded.width() * decoded.height() * bits / 8 / 2**20
        if needed > MAX_READ_MB:
            return (f"at {size.width():,} × {size.height():,} pixels it needs "
                    f"{needed:,.0f} MB to decode, more than the {MAX_READ_MB:,} MB a picture "
                    "may take here. Save a smaller copy, or a JPEG (it is decoded scaled "
                    "down), and open that.")
    if kind == error.UnsupportedFormatError:
        return f"{reason}. Open a {IMAGE_KINDS} picture."
    if kind == error.InvalidDataError:
        return (f"{reason}: the file may be damaged or cut short. Save it again from the "
                "program that made it, or open another picture.")
    if kind == error.FileNotFoundError:
        return f"{reason}. Check that it is still there."
    if kind == error.DeviceError:
        return f"{reason}. Check that you may read it."
    return f"{reason}. Open a {IMAGE_KINDS} picture."


def fit_image(image: QImage, height: int, width: int) -> QImage:
    """Centre-crop ``image`` to the aspect ``width : height``, then scale it to that size."""
    w, h = image.width(), image.height()
    if w * height > h * width:  # too wide: crop the sides
        crop_w = max(1, round(h * width / height))
        image = image.copy((w - crop_w) // 2, 0, crop_w, h)
    elif w * height < h * width:  # too tall: crop top and bottom
        crop_h = max(1, round(w * height / width))
        image = image.copy(0, (h - crop_h) // 2, w, crop_h)
    if image.width() != width or image.height() != height:
        image = image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


class _Overlay(QLabel):
    """A label over its parent, outside its layout (showing it moves nothing).

    It covers the whole parent (``cover``), or sits at the top of it, centred.
    """

    def __init__(self, text: str, parent: QWidget, cover: bool) -> None:
        super().__init__(text, parent)
        self._cover = cover
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        parent.installEventFilter(self)

    def setText(self, text: str) -> None:  # noqa: D102 - Qt override, keeps its place
        super().setText(text)
        self._place()

    def _place(self) -> None:
        room = self.parentWidget().rect()
        if self._cover:
            self.setGeometry(room)
        else:
            self.adjustSize()
            self.move(max(0, (room.width() - self.width()) // 2), 8)

    def eventFilter(self, watched, event) -> bool:  # noqa: D102 - Qt override
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False


@dataclass(eq=False)
class _Pending:
    """The forward pass on its way: its job, the view it is for, its future once submitted."""

    job: ForwardJob
    forward_key: tuple
    details: list[dict[str, Any]]
    future: Future | None = None
    maps_shown: bool = False  # its checks still run


#: Posted to the panel to hand the pending pass to the worker (see _start_forward).
_SUBMIT_EVENT = QEvent.Type(QEvent.registerEventType())


class LayerList(QScrollArea):
    """The layer rows, scrolling on their own so the buttons under them stay in reach.

    It asks for the height of every row, and gives up all but :attr:`MIN_ROWS` of them before
    the column around it has to scroll.
    """

    MIN_ROWS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        host = QWidget(self)
        self.rows = QVBoxLayout(host)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(4)
        self.setWidget(host)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the rows' fields
        host.installEventFilter(self)

    def _height(self, rows: int) -> int:
        shown = [self.rows.itemAt(i).widget() for i in range(self.rows.count())]
        shown = [w for w in shown if w is not None and not w.isHidden()][:rows]
        return (sum(w.sizeHint().height() for w in shown)
                + self.rows.spacing() * max(0, len(shown) - 1))

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(self.minimumSizeHint().width(), self._height(MAX_LAYERS))

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        width = (self.widget().minimumSizeHint().width()
                 + self.verticalScrollBar().sizeHint().width())
        return QSize(width, self._height(self.MIN_ROWS))

    def eventFilter(self, watched, event) -> bool:  # noqa: D102 - Qt override
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # rows were added, removed, shown or hidden
        return super().eventFilter(watched, event)


class CnnPanel(Panel):
    """Question 4's network: edit the stack, read shapes and counts, watch a real forward pass."""

    id = "cnn"
    title = "CNN shapes"
    questions = "4.1–4.2"
    #: Emitted with its generation when a forward pass's maps are shown (its checks run on).
    mapsChanged = Signal(int)
    #: Emitted with its generation when a forward pass's maps and checks are shown.
    forwardFinished = Signal(int)

    State = CnnState

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LayerRow] = []
        self._source: QImage | None = None
        self._source_name = ""
        #: Whether the input is the sample photo (a student's own file may share its name).
        self._is_sample = False
        self._source_size = ""  # the picture's size and the size read, if it was scaled down
        self._source_missing = ""  # why there is no picture, when there is none
        self._source_key = 0
        self._image_cache: tuple | None = None
        self._maps_shown: list[object] = []
        self._maps_compact = False
        self._readout_html = ""
        self._formulas_html = ""
        self._table_rows = 0
        self._table_shown: list[dict[str, Any]] = []
        self._width_fonts: tuple | None = None  # _fit_number_columns measures per font
        self._table_error_row: int | None = None
        self._table_style: tuple | None = None
        # The forward pass runs in a worker thread. Every pass started gets the next
        # generation; the result shown is the last one that arrived (``_result``, computed for
        # ``_result_key`` with ``_result_details``); ``_pending`` is the job on its way, whose
        # results alone are shown when they arrive.
        self._worker = ForwardWorker()
        self._worker.progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self._worker.mapsReady.connect(self._maps_ready, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._forward_finished, Qt.ConnectionType.QueuedConnection)
        self._generation = 0
        self._pending: _Pending | None = None
        self._job_key: tuple | None = None
        self._result = ForwardResult((), None, None, "")
        self._result_key: tuple | None = None
        self._result_details: list[dict[str, Any]] = []
        self._note = ""  # why the forward pass does not run, when it does not
        self._forward_key: tuple | None = None  # what the maps of the state shown depend on
        # The selected map pixel and its receptive field, as shown (None once a pass failed).
        self._selection: tuple[int, int, int, int] | None = None
        self._box: tuple[int, int, int, int] | None = None
        self._input_shown_for: tuple | None = None
        self._build()
        self._load_sample(update=False)
        self.set_state(self.state)
        theme_signals().changed.connect(self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Table text and signed feature maps in the theme's colours (the rest follows)."""
        self._table_style = None
        self._table_shown = []
        self._update_table(self.view)
        self._maps_shown = []  # a dark theme has its own zero colour for signed maps
        self._update_maps()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.setAcceptDrops(True)
        controls = self
        formulas = [EquationView(tex, plain, points=10.5, parent=self) for tex, plain in (
            (r"$H_{out} = \lfloor (H + 2p - d\,(k-1) - 1)\,/\,s \rfloor + 1$",
             "convolution: H_out = floor((H + 2p - d(k-1) - 1) / s) + 1"),
            (r"$H_{out} = \lfloor (H - k)\,/\,s \rfloor + 1$",
             "max-pool: H_out = floor((H - k) / s) + 1"),
            (r"$\mathrm{weights} = C_{out}\, C_{in}\, k^2,\quad \mathrm{biases} = C_{out}$",
             "weights = C_out C_in k^2; biases = C_out"),
            (r"$\mathrm{MACs} = C_{out} H_{out} W_{out} \cdot C_{in}\, k^2$",
             "multiply-adds = C_out H_out W_out C_in k^2"),
        )]

        image_box = QGroupBox("Input", controls)
        image_layout = QVBoxLayout(image_box)
        shape_row = QHBoxLayout()
        self.channels_input = NumberInput(
            "C", 3, decimals=0, validate=side_rule("channels"),
            tooltip="Channels of the input: 3 = RGB, 1 = grey; more repeat R, G, B")
        self.height_input = NumberInput(
            "H", 128, decimals=0, validate=side_rule("height"),
            tooltip="Height of the input in pixels (the picture is scaled to it)")
        self.width_input = NumberInput(
            "W", 128, decimals=0, validate=side_rule("width"),
            tooltip="Width of the input in pixels (the picture is scaled to it)")
        for widget in (self.channels_input, self.height_input, self.width_input):
            widget.line_edit().setMaximumWidth(56)
            shape_row.addWidget(widget)
        image_layout.addLayout(shape_row)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open image…", image_box)
        self.open_button.setToolTip("Use your own picture (it is cropped and scaled to H × W); "
                                    "you can also drop an image file on the panel")
        self.sample_button = QPushButton("Sample photo", image_box)
        self.sample_button.setToolTip("Back to the shipped photo (NASA, public domain)")
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sample_button)
        image_layout.addLayout(buttons)
        self.image_status = WrappedLabel("", image_box)
        self.image_status.setToolTip("The picture fed to the network")
        image_layout.addWidget(self.image_status)

        layers_box = QGroupBox("Layers (first to last)", controls)
        self._rows_layout = QVBoxLayout(layers_box)
        self._rows_layout.setSpacing(4)
        self._rows_layout.setContentsMargins(6, 6, 6, 6)
        self.layer_list = LayerList(layers_box)
        self._rows_host = self.layer_list.rows
        self._rows_layout.addWidget(self.layer_list)
        add_row = QHBoxLayout()
        self.add_buttons: dict[str, QPushButton] = {}
        for kind, label, tip in (("conv", "+ Conv", "Append a 3 × 3 convolution"),
                                 ("maxpool", "+ Pool", "Append a 2 × 2 max-pool"),
                                 ("relu", "+ ReLU", "Append a ReLU")):
            button = QPushButton(label, layers_box)
            button.setToolTip(tip)
            button.setProperty("kind", kind)
            button.clicked.connect(self._add_clicked)
            add_row.addWidget(button)
            self.add_buttons[kind] = button
        self.reset_button = QPushButton("Reset", layers_box)
        self.reset_button.setToolTip("Back to question 4's network and the sample photo")
        add_row.addWidget(self.reset_button)
        self._rows_layout.addLayout(add_row)
        self.stack_note = WrappedLabel("", layers_box)
        set_style_sheet(self.stack_note, "color: #555555;")
        self._rows_layout.addWidget(self.stack_note)

        # Right: diagram, table and formulas, forward pass.
        self.diagram = TensorDiagram(self)
        self.diagram.setToolTip("Each tensor as a block: face height × width, depth = channels "
                                "(square-root scales); the purple square is the window each "
                                "layer slides over its input, drawn at its first position")
        diagram_box = self._titled(
            "Tensors through the stack (sides and depth on a square-root scale)", self.diagram)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Layer summary")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setToolTip("Per layer, like torchinfo: output shape, learned weights and "
                              "biases, output scalars and multiply-adds")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(COLUMNS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Fixed)  # fitted to the texts
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.copy_markdown_button = QPushButton("Copy as Markdown", self)
        self.copy_markdown_button.setToolTip("Copy the table to the clipboard as a Markdown table")
        self.copy_csv_button = QPushButton("Copy as CSV", self)
        self.copy_csv_button.setToolTip("Copy the table to the clipboard as comma-separated values")
        self.formulas = fixed_text(self, 66)
        self.formulas.setToolTip("Output size of every layer with its numbers, and the input "
                                 "rows or columns the floor leaves out")
        table_box = QWidget(self)
        table_layout = QVBoxLayout(table_box)
        # The box is never taller than its (fixed-height) contents: spare height goes to the maps.
        table_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinAndMaxSize)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(3)
        table_head = QHBoxLayout()
        table_head.addWidget(self._heading("Layer summary"))
        table_head.addStretch(1)
        table_head.addWidget(self.copy_markdown_button)
        table_head.addWidget(self.copy_csv_button)
        table_layout.addLayout(table_head)
        table_layout.addWidget(self.table)
        table_layout.addWidget(self.formulas)

        self.input_plot = make_plot("Input", "column", "row")
        # Tall enough that the photo reads as a photo: the page scrolls to it on a laptop.
        self.input_plot.setMinimumSize(180, 240)
        self.input_plot.setMaximumWidth(250)
        self.input_plot.getPlotItem().invertY(True)
        self.input_plot.getPlotItem().setAspectLocked(True)
        self.input_plot.setMouseEnabled(False, False)
        self.input_plot.setToolTip("The picture as the network sees it; the orange box is the "
                                   "receptive field of the selected feature-map pixel")
        self.input_image = pg.ImageItem(axisOrder="row-major")
        self.input_plot.addItem(self.input_image)
        pen = QPen(QColor(OKABE_ITO["vermillion"]), 2)
        pen.setCosmetic(True)
        self.field_box = QGraphicsRectItem()
        self.field_box.setPen(pen)
        self.field_box.setZValue(10)
        self.input_plot.addItem(self.field_box)
        self.maps = FeatureMapGrid(self)
        self.maps.setToolTip("The first channels of every layer's output, each scaled to its own "
                             "range; click a pixel to see its receptive field on the input")
        # Not a QLabel: a word-wrapped label asks for a relayout at every new text, and that
        # repaints the whole panel at every click and edit.
        self.readout = fixed_text(self, 40)
        self.readout.setToolTip("The clicked feature-map pixel, its value and its receptive field")
        forward_box = QWidget(self)
        forward_layout = QVBoxLayout(forward_box)
        forward_layout.setContentsMargins(0, 0, 0, 0)
        forward_layout.setSpacing(3)
        self.forward_heading = self._heading(
            "Forward pass: feature maps (blue &lt; 0 &lt; red; after ReLU black = 0, white = "
            "largest; each map scaled to its own range)")
        forward_layout.addWidget(self.forward_heading)
        pictures = QHBoxLayout()
        pictures.addWidget(self.input_plot)
        maps_scroll = QScrollArea(self)
        maps_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the maps inside
        maps_scroll.setWidget(self.maps)
        maps_scroll.setWidgetResizable(True)
        maps_scroll.setFrameShape(QFrame.Shape.NoFrame)
        maps_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        maps_scroll.setMinimumHeight(FeatureMapGrid.MIN_ROW_HEIGHT * 2)
        # Over the maps while a forward pass computes (the old maps stay, dimmed, under it).
        # A child of the viewport: it stays in view when the maps scroll, and showing it
        # moves nothing.
        self.maps_status = _Overlay("", maps_scroll.viewport(), cover=False)
        set_style_sheet(self.maps_status, _STATUS_STYLE)
        self.maps_status.hide()
        pictures.addWidget(maps_scroll, 1)
        forward_layout.addLayout(pictures, 1)
        forward_layout.addWidget(self.readout)

        self.checks_strip = CheckStrip(self)
        # Over the badges while the checks of a forward pass run: they stay in place under it,
        # so nothing moves (a relayout repaints every view of the panel).
        self.checks_status = _Overlay("Checks running…", self.checks_strip, cover=True)
        set_style_sheet(self.checks_status, _STATUS_STYLE)
        self.checks_status.setToolTip("The checks run with the forward pass, in the background")
        self.checks_status.hide()
        # One row of badges high even with none (a paused pass): the cover shows then too.
        self.checks_status.ensurePolished()
        self.checks_strip.setMinimumHeight(self.checks_status.sizeHint().height())
        views = QWidget(self)
        views_layout = QVBoxLayout(views)
        views_layout.setContentsMargins(0, 0, 0, 0)
        # The table box keeps the height of its rows, the diagram its preferred height (less
        # when room is short); the maps take the rest.
        views_layout.addWidget(diagram_box, 0)
        views_layout.addWidget(table_box, 0)
        views_layout.addWidget(forward_box, 1)
        self.page = Page(self, explanation=_explanation(), side=[*formulas, image_box, layers_box],
                         content=views, checks=self.checks_strip)

        for name, widget in zip(SIDES, (self.channels_input, self.height_input,
                                        self.width_input), strict=True):
            self.bind(name, widget, lambda s, v, name=name: s.with_side(name, v))
        self.open_button.clicked.connect(self._open_clicked)
        self.sample_button.clicked.connect(self._sample_clicked)
        self.reset_button.clicked.connect(self.reset)
        self.copy_markdown_button.clicked.connect(self.copy_markdown)
        self.copy_csv_button.clicked.connect(self.copy_csv)
        self.maps.cellClicked.connect(self._cell_clicked)

    def _heading(self, text: str) -> QLabel:
        label = WrappedLabel(f"<b>{text}</b>", self)
        return label

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._heading(title))
        layout.addWidget(widget, 1)
        return box

    _tab_kinds: tuple[str, ...] = ()
    _tab_order_stale = False

    def _ensure_rows(self, count: int) -> None:
        """Create layer rows only when the stack grows past the rows made so far."""
        changed = False
        while len(self._rows) < count:
            changed = True
            row = LayerRow(self)
            row.edited.connect(self._layer_edited)
            row.kindChanged.connect(self._kind_changed)
            row.moveRequested.connect(self._move_layer)
            row.removeRequested.connect(self._remove_layer)
            self._rows_host.addWidget(row)
            self._rows.append(row)
        for i, row in enumerate(self._rows):
            if row.isVisibleTo(self) != (i < count):
                changed = True
                row.setVisible(i < count)
        if changed:
            self._tab_order_stale = True

    # -- control -> state -----------------------------------------------------------------------
    def _set_layers(self, layers: list[Layer], source: QWidget) -> None:
        self._offer(replace(self.state, layers=tuple(layers)), source)

    def _is_row(self, index: int) -> bool:
        """Whether ``index`` names a layer (a hidden spare row can still finish an edit)."""
        return 0 <= index < len(self.state.layers)

    def _layer_edited(self, index: int, values: dict[str, object]) -> None:
        if not self._is_row(index):
            return
        problem = too_large(values)
        if problem is not None:
            self._rows[index].show_error(problem)
            return
        layers = list(self.state.layers)
        layers[index] = layer_from_values(values)
        if tuple(layers) == self.state.layers:
            self._show_row_errors()  # clears a stale "not a number" message
            return
        self._set_layers(layers, self._rows[index])

    def _kind_changed(self, index: int, kind: str) -> None:
        if not self._is_row(index):
            return
        layers = list(self.state.layers)
        layers[index] = NEW_LAYERS[kind]
        self._set_layers(layers, self._rows[index])

    def _move_layer(self, index: int, step: int) -> None:
        if not self._is_row(index):
            return
        target = index + step
        layers = list(self.state.layers)
        if 0 <= target < len(layers):
            layers[index], layers[target] = layers[target], layers[index]
            self._set_layers(layers, self._rows[index])

    def _remove_layer(self, index: int) -> None:
        if not self._is_row(index):
            return
        layers = list(self.state.layers)
        del layers[index]
        self._set_layers(layers, self._rows[index])

    def _add_clicked(self) -> None:
        self.add_layer(self.sender().property("kind"))

    def add_layer(self, kind: str) -> None:
        """Append a default layer of ``kind`` ("conv", "maxpool" or "relu")."""
        if len(self.state.layers) >= MAX_LAYERS:
            self.stack_note.setText(f"The stack holds at most {MAX_LAYERS} layers: remove one "
                                    "to add another.")
            return
        self._set_layers([*self.state.layers, NEW_LAYERS[kind]], self.add_buttons[kind])
        # Once the list has laid the new row out: scrolled into view there.
        QTimer.singleShot(0, self, self._show_last_row)

    def _show_last_row(self) -> None:
        self.layer_list.ensureWidgetVisible(self._rows[len(self.state.layers) - 1])

    def _cell_clicked(self, row: int, channel: int, pixel_row: int, pixel_col: int) -> None:
        self.select_cell(row, channel, pixel_row, pixel_col)

    def select_cell(self, layer: int, channel: int, row: int, col: int) -> None:
        """Show the receptive field of ``layer``'s map ``channel`` at (``row``, ``col``)."""
        self._offer(replace(self.state, selection=(layer, channel, row, col)), self.maps)

    def _open_clicked(self) -> None:
        path = file_dialogs.open_file(self, "images", "Open an image", IMAGE_FILTER)
        if path:
            self.load_image(path)

    def _sample_clicked(self) -> None:
        self._load_sample()

    def _load_sample(self, update: bool = True) -> None:
        try:
            image = QImage.fromData(assets.read_bytes(SAMPLE_IMAGE))
            if image.isNull():
                raise assets.MissingResource(SAMPLE_IMAGE, str(assets.folder()),
                                             "is not a readable image")
        except assets.MissingResource as exc:
            # No picture: the input shows black, and the status says why instead of a name.
            self._source_missing = f"The sample photo {exc}. Open or drop a picture instead."
            self._use_source(None, "", update)
            return
        self._use_source(image, SAMPLE_IMAGE, update, sample=True)

    def load_image(self, path: str, update: bool = True) -> bool:
        """Feed the picture at ``path`` to the network; False (and a message) if unreadable.

        A picture larger than the panel needs is scaled down while it is read (see
        :func:`read_picture`): a camera's 12000 × 9000 PNG loads in a second or two.
        """
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            image, size = read_picture(path)
        except ValueError as exc:
            set_rich_text(self.image_status, "<span style='color:#c0392b'>"
                          f"{html.escape(str(exc))}</span>")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._use_source(image, Path(path).name, update, size)
        return True

    def picture(self) -> tuple[str, QImage] | None:
        """The picture a student gave the network, and its name; None for the sample photo."""
        if self._source is None or self._is_sample:
            return None
        return self._source_name, self._source

    def use_picture(self, picture: tuple[str, QImage] | None) -> None:
        """Feed ``picture`` (a name and an image) to the network; None: the sample photo."""
        if picture is None:
            if not self._is_sample:
                self._load_sample()
        else:
            self._use_source(picture[1], picture[0], update=True)

    def _use_source(self, image: QImage | None, name: str, update: bool,
                    size: str = "", sample: bool = False) -> None:
        self._source = None if image is None else image.convertToFormat(
            QImage.Format.Format_RGB888)
        self._source_name = name
        self._is_sample = sample
        self._source_size = size
        self._source_key += 1
        if update:
            self.show_view(self.view, None)

    def dragEnterEvent(self, event) -> None:  # noqa: D102 - Qt override
        # A setup (.json) goes on to the window, which opens it.
        if any(url.isLocalFile() and not url.toLocalFile().lower().endswith(".json")
               for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: D102 - Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load_image(files[0])

    # -- state -> controls (never emits) --------------------------------------------------------
    def sync_controls(self) -> None:
        """The bound input sides, and a row per layer showing it (the model's message if bad)."""
        super().sync_controls()
        s = self.state
        count = len(s.layers)
        self._ensure_rows(count)
        kinds = []
        for i, layer in enumerate(s.layers):
            kind, values = layer_values(layer)
            self._rows[i].set_layer(i, count, kind, values)
            kinds.append(kind)
        # A new or re-shown row, or a row showing other fields (a new kind, a moved layer),
        # puts its fields in Tab's order after the rows above it. Only then: sorting every
        # focusable widget costs more than an edit's whole repaint.
        if tuple(kinds) != self._tab_kinds:
            self._tab_kinds = tuple(kinds)
            self._tab_order_stale = True
        if self._tab_order_stale and self.isVisible():
            self._tab_order_stale = False
            QTimer.singleShot(0, self, self.tidy_tab_order)
        full = count >= MAX_LAYERS
        for button in self.add_buttons.values():
            button.setEnabled(not full)
        self.stack_note.setText(f"{count} of at most {MAX_LAYERS} layers." if not full else
                                f"{MAX_LAYERS} layers, the most the stack holds.")
        self._show_row_errors()

    def _show_row_errors(self) -> None:
        check = self.view.check
        for i, row in enumerate(self._rows[: len(self.state.layers)]):
            if check.failing_index == i:
                row.show_error(check.error)
            else:
                row.clear_error()

    # -- state -> model -> view -----------------------------------------------------------------
    def compute(self, state: CnnState, previous: CnnView | None) -> CnnView:
        """See :func:`explorer.views.cnn.compute`."""
        return compute(state, previous)

    def show_view(self, view: CnnView, previous: CnnView | None) -> None:
        """Shapes, table, formulas, diagram, input picture and receptive field show at once.

        The forward pass and its checks start in the background, and the maps and badges say
        so until they arrive.
        """
        self._note = view.note
        self._selection, self._box = view.selection, view.box
        self._update_table(view)
        self._update_formulas(view)
        self._update_diagram(view)
        self._update_input()
        self._start_forward()
        self._update_maps()
        self._update_selection()

    def _start_forward(self) -> None:
        """Start the forward pass and checks of the state shown, unless they run or show already.

        A newer pass cancels the one on its way (it stops at its next layer, and whatever it
        still sends is dropped): only the last generation's maps are ever shown.
        """
        s = self.state
        if self._note:
            self._cancel_forward()
            self._job_key = self._result_key = self._forward_key = None
            self._result = ForwardResult(self.view.valid, None, None, self._note)
            self._result_details = []
            self._set_checks([])
            return
        source = (self._source_key, s.input_shape, s.seed)
        self._forward_key = (source, self.view.valid)
        job_key = (self._forward_key, self._selection, self._box)
        if job_key == self._job_key:
            return  # on its way, or shown already
        self._cancel_forward()
        self._generation += 1
        job = ForwardJob(self._generation, self._network_input(), s.input_shape, self.view.valid,
                         s.seed, source, self._result.cache, self._selection, self._box)
        self._pending = _Pending(job, self._forward_key, self.view.details)
        # The worker gets it once this edit has been painted: the event is low priority, and
        # comes after Qt's own (low-priority) request to repaint. Started at once, the pass's
        # first steps (weights, shape checks: Python) would take turns at the GIL with the
        # update and repaint here, and double their time.
        QCoreApplication.postEvent(self, QEvent(_SUBMIT_EVENT),
                                   Qt.EventPriority.LowEventPriority.value)
        self._job_key = job_key
        self._show_progress(self._generation, -1)
        self._set_checks([])

    def customEvent(self, event: QEvent) -> None:  # noqa: D102 - Qt override
        if event.type() == _SUBMIT_EVENT:
            self._submit_forward()

    def _submit_forward(self) -> None:
        """Hand the pending pass to the worker, unless it has it (or a newer one replaced it)."""
        pending = self._pending
        if pending is not None and pending.future is None:
            pending.future = self._worker.submit(pending.job)

    def _cancel_forward(self) -> None:
        if self._pending is not None:
            self._pending.job.cancelled.set()
            self._pending = None

    def _maps_current(self) -> bool:
        """Whether the maps shown are those of the state shown."""
        return (self._result_key is not None and self._result_key == self._forward_key
                and self._result.activations is not None)

    def _show_progress(self, generation: int, layer: int) -> None:
        """Say what the pass on its way is doing (``layer`` -1: queued; len(layers): checks)."""
        pending = self._pending
        if pending is None or generation != pending.job.generation:
            return  # a superseded pass
        count = len(pending.job.layers)
        if layer >= count:
            return  # the checks: the maps are shown by now
        self.maps_status.setText("Computing the forward pass…" if layer < 0 else
                                 f"Computing the forward pass: layer {layer + 1} of {count}…")

    def _maps_ready(self, generation: int, result: ForwardResult) -> None:
        pending = self._pending
        if pending is None or generation != pending.job.generation:
            return  # superseded, or shown already by finish_forward()
        self._show_maps(pending, result)

    def _forward_finished(self, generation: int, result: ForwardResult) -> None:
        pending = self._pending
        if pending is None or generation != pending.job.generation:
            return  # superseded, or shown already by finish_forward()
        self._show_result(pending, result)

    def _show_maps(self, pending: _Pending, result: ForwardResult) -> None:
        """Show the maps of ``pending`` (its checks may still run)."""
        if result.activations is None:  # the pass stopped: say why instead of the maps
            self._note = result.note
            self._selection = self._box = None
            self._job_key = None  # the next update tries again (and says so again)
        pending.maps_shown = True
        self._result = result
        self._result_details = pending.details
        self._result_key = pending.forward_key
        self._update_maps()  # the layers shown already are not drawn again
        self._update_selection()
        self.mapsChanged.emit(pending.job.generation)

    def _show_result(self, pending: _Pending, result: ForwardResult) -> None:
        """Show the maps and checks of ``pending``: the pass is done."""
        self._pending = None
        if pending.maps_shown and result.activations is not None:
            self._result = result  # the maps shown, with their checks now
        else:
            self._show_maps(pending, result)
        self._set_checks(list(result.checks))
        self.forwardFinished.emit(pending.job.generation)

    def _set_checks(self, checks: list[Check]) -> None:
        """Show ``checks``; while a pass is on its way, none ("Checks running…" covers badges)."""
        running = self._pending is not None
        if running:
            self.checks_status.raise_()  # over badges made after it
        else:
            self.checks_strip.set_checks(checks)
        self.checks_status.setVisible(running)
        self._last_checks = checks
        self.checksChanged.emit(checks)

    def refresh_checks(self) -> None:
        """Nothing to schedule: the checks come with the forward pass (see :meth:`_set_checks`)."""

    def checks_pending(self) -> bool:
        """Whether the checks of the state shown are still running (the status bar asks)."""
        return self._pending is not None

    def forward_pending(self) -> bool:
        """Whether a forward pass is on its way."""
        return self._pending is not None

    def finish_forward(self) -> None:
        """Wait for the forward pass on its way, then show its maps and checks.

        For exports and tests, which must show finished maps; the panel itself never waits.
        It blocks on the worker (processing no events meanwhile); the queued delivery of the
        same pass is dropped when it comes.
        """
        pending = self._pending
        if pending is None:
            return
        self._submit_forward()
        result = pending.future.result()
        if result is not None and self._pending is pending:
            self._show_result(pending, result)

    def prepare_export(self) -> None:
        """Finish the forward pass, then the base's deferred rendering."""
        self.finish_forward()
        super().prepare_export()

    def closeEvent(self, event) -> None:  # noqa: D102 - Qt override
        # No worker thread outlives the panel: a running pass stops at its next layer.
        self._cancel_forward()
        self._job_key = None
        self._worker.shut_down()
        self.checks_status.hide()
        super().closeEvent(event)

    def full_activations(self) -> list[np.ndarray] | None:
        """Every layer's whole output (the shown ones plus the channels the maps leave out)."""
        self.finish_forward()
        return full_activations_of(self._result, self._network_input())

    def _network_input(self) -> np.ndarray:
        c, h, w = self.state.input_shape
        key = (self._source_key, c, h, w)
        if self._image_cache is None or self._image_cache[0] != key:
            if self._source is None:
                rgb = np.zeros((h, w, 3), np.uint8)
            else:
                rgb = rgb_array(fit_image(self._source, h, w))
            network_input = cnn.image_to_input(rgb, c)
            shown = rgb if c != 1 else np.repeat(
                np.round(network_input[0] * 255).astype(np.uint8)[:, :, None], 3, axis=2)
            self._image_cache = (key, network_input, shown)
        return self._image_cache[1]

    def _update_table(self, view: CnnView) -> None:
        rows = view.rows
        if rows == self._table_shown:
            return
        self._table_shown = rows
        error = view.check.error
        table = self.table
        if len(rows) != self._table_rows:
            table.setRowCount(len(rows))
            for r in range(self._table_rows, len(rows)):
                for c in range(len(COLUMNS)):
                    item = QTableWidgetItem()
                    align = Qt.AlignmentFlag.AlignVCenter | (
                        Qt.AlignmentFlag.AlignRight if c >= 2 else Qt.AlignmentFlag.AlignLeft)
                    item.setTextAlignment(align)
                    table.setItem(r, c, item)
            self._table_rows = len(rows)
            # Every row: the page scrolls when they do not fit, the table never does.
            height = table.horizontalHeader().sizeHint().height() + 22 * len(rows)
            table.setFixedHeight(height + 2 * table.frameWidth() + 1)
        error_row = len(rows) - 2 if error is not None else None
        if error_row != self._table_error_row:
            if self._table_error_row is not None and self._table_error_row < len(rows):
                table.setSpan(self._table_error_row, 1, 1, 1)
            if error_row is not None:
                table.setSpan(error_row, 1, 1, len(COLUMNS) - 1)
            self._table_error_row = error_row
        keys = ("layer", "output", "weights", "biases", "activations", "macs")
        style = (len(rows), error_row)
        restyle = style != self._table_style  # fonts and colours change only with the layout
        self._table_style = style
        bold = table.font()
        bold.setBold(True)
        for r, row in enumerate(rows):
            is_error = row["error"] is not None
            is_total = r == len(rows) - 1
            for c, key in enumerate(keys):
                item = table.item(r, c)
                text = cell_text(row[key]) if not (is_error and c > 1) else ""
                if key == "output" and not row[key]:
                    text = ""
                item.setText(text)
                item.setToolTip(row["layer"] if c == 0 else row["note"])
                if restyle:
                    item.setForeground(qcolor("#c0392b") if is_error else qcolor("#222222"))
                    item.setFont(bold if is_total else table.font())
        self._fit_number_columns(rows, error_row)

    def _fit_number_columns(self, rows: list[dict[str, Any]], error_row: int | None) -> None:
        """Each number column as wide as its widest text, so the Layer column gets the rest.

        Fixed widths were sized for the largest numbers and cut the layer names short in the
        default window ("Conv2d 32 × 8×…").
        """
        table = self.table
        header = table.horizontalHeader()
        fonts = (table.font().toString(), header.font().toString())
        if self._width_fonts != fonts:  # measured once per font: the numbers repeat a lot
            self._width_fonts = fonts
            bold = QFont(table.font())
            bold.setBold(True)
            self._metrics = (QFontMetrics(table.font()), QFontMetrics(bold))
            header_metrics = QFontMetrics(header.font())
            self._header_widths = [header_metrics.horizontalAdvance(name) + _HEADER_PADDING
                                   for name in COLUMNS]
            self._text_widths = {}
        widths = self._text_widths
        if len(widths) > 4096:
            widths.clear()
        last = len(rows) - 1
        for c in range(1, len(COLUMNS)):
            widest = self._header_widths[c]
            for r in range(len(rows)):
                if r == error_row:
                    continue  # the error message spans these columns
                key = (table.item(r, c).text(), r == last)  # the total row is bold
                width = widths.get(key)
                if width is None:
                    width = widths[key] = self._metrics[r == last].horizontalAdvance(key[0])
                widest = max(widest, width + _CELL_PADDING)
            if header.sectionSize(c) != widest:
                header.resizeSection(c, widest)

    def _update_formulas(self, view: CnnView) -> None:
        lines = view.formulas()
        text = f"<div style='line-height:130%'>{lines}</div>"
        if text != self._formulas_html:
            self._formulas_html = text
            set_html(self.formulas, text)
        # Room for every line (the page scrolls). Resized only when the count changes.
        height = 12 + 19 * (lines.count("<br>") + 1)
        if height != self.formulas.height():
            self.formulas.setFixedHeight(height)

    def _update_diagram(self, view: CnnView) -> None:
        blocks = [Block(view.state.input_shape, "input", "input")]
        arrows = []
        for d, layer in zip(view.details, view.state.layers, strict=False):
            blocks.append(Block(d["output_shape"], f"layer {d['index'] + 1}", d["kind"]))
            arrows.append(_arrow(d, layer))
        check = view.check
        error = None if check.error is None else f"✗ layer {check.failing_index + 1}: see table"
        self.diagram.set_stack(blocks, arrows, error)

    def _update_input(self) -> None:
        c, h, w = self.state.input_shape
        self._network_input()  # cached: builds the picture only for a new shape or file
        key = self._image_cache[0]
        if key == self._input_shown_for:
            return
        self._input_shown_for = key
        self.input_image.setImage(self._image_cache[2], levels=(0, 255))
        self.input_plot.setXRange(0, w, padding=0.02)
        self.input_plot.setYRange(0, h, padding=0.02)
        self.input_plot.getPlotItem().setTitle(f"Input {c} × {h} × {w}", size="10pt")
        if self._source is None:
            set_rich_text(self.image_status, "<span style='color:#c0392b'>"
                          f"{html.escape(self._source_missing)}</span>")
            return
        kind = {1: "grey (luminance)", 3: "RGB"}.get(c, "R, G, B repeated")
        name = self._source_name + (f" ({self._source_size})" if self._source_size else "")
        set_rich_text(self.image_status, f"{html.escape(name)}, cropped and scaled "
                      f"to {h} × {w}, {kind}. Drop a picture on the panel to use it.")

    def _update_maps(self) -> None:
        stale = self._pending is not None and not self._maps_current()
        # The old maps stay, dimmed, under "Computing…" until the new ones arrive.
        self.maps.ci.setOpacity(0.3 if stale else 1.0)
        self.maps_status.setVisible(stale)
        result = self._result
        acts = result.activations
        if acts is None:
            self.maps.set_rows(0)
            self._maps_shown = []
            return
        compact = len(acts) > 4  # three-line captions need taller rows than 5+ rows leave
        if compact != self._maps_compact:
            self._maps_compact = compact
            self._maps_shown = []
        self.maps.set_rows(len(acts))
        shown = list(self._maps_shown) + [None] * max(0, len(acts) - len(self._maps_shown))
        for i, (activation, d) in enumerate(zip(acts, self._result_details, strict=True)):
            if shown[i] is activation:
                continue  # an unchanged prefix: the images already show it
            channels = d["output_shape"][0]
            count = min(MAPS_SHOWN, channels)
            shape = "×".join(map(str, d["output_shape"]))
            name = f"{d['index'] + 1} {KIND_NAMES[d['kind']]}"
            caption = (f"<b>{name}</b> {shape}" if compact else
                       f"<b>{name}</b><br>{shape}<br>maps 1–{count} of {channels}")
            self.maps.set_maps(i, activation[:count], caption)
            shown[i] = activation
        self._maps_shown = shown[: len(acts)]

    def _set_readout(self, html: str) -> None:
        if html != self._readout_html:
            self._readout_html = html
            set_html(self.readout, html)

    def readout_text(self) -> str:
        """The selection readout as plain text, once the forward pass has arrived."""
        self.finish_forward()
        return self.readout.toPlainText()

    def _update_selection(self) -> None:
        selection = self._selection
        if selection is None:
            self.maps.set_selection(None)
            self.field_box.hide()
            if self._note:
                note = self._note
            elif self.state.layers:
                note = "Fix the marked layer to run the forward pass through it."
            else:
                note = "Add a layer to run the forward pass."
            self._set_readout(f"<span style='color:#9a3d00'>{html.escape(note)}</span>")
            return
        layer, channel, row, col = selection
        r0, r1, c0, c1 = self._box
        if self._maps_current():
            self.maps.set_selection(layer, channel, row, col)
            value = f"{float(self._result.activations[layer][channel, row, col]):.4g}"
        else:  # the maps shown are an older stack's: no ring on them, no value yet
            self.maps.set_selection(None)
            value = "… (computing)"
        where = (f"layer {layer + 1}, channel {channel + 1}, pixel (row {row}, col {col}) "
                 f"= {value}")
        if r1 > r0 and c1 > c0:
            self.field_box.setRect(QRectF(c0, r0, c1 - c0, r1 - r0))
            self.field_box.show()
            self._set_readout(
                f"<b>Selected:</b> {where}. It depends on input rows {r0}–{r1 - 1} and columns "
                f"{c0}–{c1 - 1} only: a <b>{r1 - r0} × {c1 - c0}</b> box (outlined on the "
                "input; rows and columns count from 0).")
        else:
            self.field_box.hide()
            self._set_readout(f"<b>Selected:</b> {where}. Its windows cover only zero "
                              "padding: no input pixel reaches it.")

    # -- what tests and the export read ---------------------------------------------------------
    def layer_rows(self) -> list[LayerRow]:
        """The visible layer editor rows."""
        return self._rows[: len(self.state.layers)]

    def summary(self) -> list[dict[str, Any]]:
        """The table's rows as data."""
        return self.view.rows

    def shown_activations(self) -> list[np.ndarray] | None:
        """What the maps show, once the forward pass has arrived: every layer's output.

        Cut to the shown channels: from the last convolution on only the first channels are
        computed. None when the forward pass is paused or impossible.
        """
        self.finish_forward()
        return self._result.activations

    def network_input(self) -> np.ndarray:
        """The (C, H, W) array fed to the first layer."""
        return self._network_input()

    def selection(self) -> tuple[int, int, int, int] | None:
        """The feature-map pixel whose receptive field is shown."""
        return self._selection

    def field(self) -> tuple[int, int, int, int] | None:
        """The receptive field shown, as the model's half-open box."""
        return self._box

    def markdown(self) -> str:
        """The table as Markdown."""
        return rows_to_markdown(self.view.rows)

    def csv(self) -> str:
        """The table as CSV."""
        return rows_to_csv(self.view.rows)

    def copy_markdown(self) -> None:
        """Put the table on the clipboard as Markdown."""
        QApplication.clipboard().setText(self.markdown())

    def copy_csv(self) -> None:
        """Put the table on the clipboard as CSV."""
        QApplication.clipboard().setText(self.csv())

    # -- Panel contract ---------------------------------------------------------------------------
    def bench_change(self, i: int) -> None:
        """Edit the last convolution (the layer question 4.2 counts) as a student would.

        The cycle retypes its out channels and padding and ticks its bias; the layers above are
        unchanged, so their outputs are reused and the forward pass reruns only this layer.
        """
        index = max(j for j, layer in enumerate(self.state.layers) if isinstance(layer, Conv2d))
        out, padding, bias = ((48, 1, False), (64, 1, True), (32, 0, False), (64, 1, False))[i % 4]
        row = self._rows[index]
        row.line_edit("out_channels").setText(str(out))
        row.line_edit("padding").setText(str(padding))
        with QSignalBlocker(row.bias_box()):
            row.bias_box().setChecked(bias)
        row.commit()

    def reset(self) -> None:
        """Back to question 4's network, its 3 × 128 × 128 input and the sample photo."""
        if not self._is_sample:
            self._load_sample(update=False)
        super().reset()

    def state_dict(self) -> dict:
        """The input shape, the layer stack (each with its kind), the selection and the seed.

        The picture is not part of it: a restart shows the sample photo.
        """
        return state_to_json(self.state)

    def load_state_dict(self, data: dict) -> None:
        """Show a saved :meth:`state_dict`; ValueError (nothing changes) if it is not valid.

        A layer may hold any number a row accepts (the row then shows the model's message,
        as it did when the number was typed); the input shape must be one the panel takes.
        """
        self.set_state(state_from_json(data))

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the valid layers: a shape, a parameter count, a size."""
        return cnn_questions(self.state.input_shape, self.state.layers, seed)

    def checks(self) -> list[Check]:
        """Shapes and counts against the arrays themselves; the receptive field by perturbation.

        They run with the forward pass, in the background (see :func:`forward_checks`); this
        waits for the pass on its way. None (an empty list) while the pass is paused.
        """
        self.finish_forward()
        return list(self._result.checks)
