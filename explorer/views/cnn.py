"""Question 4's panel, worked out from its state.

The layer stack's shapes, parameter counts and multiply-adds (the table, its Markdown and CSV),
the output-size formulas, the selected map pixel and its receptive field, and the forward pass
itself with its checks: pure numpy, which the panel runs in a worker thread.
"""

from __future__ import annotations

import csv
import html
import io
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from explorer.model import cnn
from explorer.model.checks import Check
from explorer.model.cnn import Conv2d, MaxPool2d, ReLU
from explorer.views.fields import FieldError, number_value

Layer = Conv2d | MaxPool2d | ReLU

# What fits on screen and stays interactive; the panel says so instead of clamping.
MAX_LAYERS = 8
MAX_SETTING = 4096
MAX_CHANNELS = 64
MAX_SIDE = 1024
#: The forward pass runs in the background up to this many multiply-adds (a few seconds) ...
MAX_FORWARD_MACS = 4_000_000_000
#: ... while no single array (an unfolded convolution input or an output) holds more numbers
#: than this (256 MB of float64) ...
MAX_FORWARD_VALUES = 32_000_000
#: ... and the maps of all layers together hold at most this many (512 MB).
MAX_FORWARD_TOTAL = 64_000_000
#: The input's sides, in the order of its shape, and the most each may be.
SIDES = ("channels", "height", "width")
SIDE_LIMITS = {"channels": MAX_CHANNELS, "height": MAX_SIDE, "width": MAX_SIDE}
#: Maps shown per layer (the first channels): one row of the panel's feature-map grid.
MAPS_SHOWN = 8

COLUMNS = ("Layer", "Output C × H × W", "Weights", "Biases", "Activations", "MACs")
KIND_NAMES = {"conv": "Conv2d", "maxpool": "MaxPool2d", "relu": "ReLU"}
#: The layer each kind starts as when it is added (or a row's kind is changed).
NEW_LAYERS: dict[str, Layer] = {"conv": Conv2d(16, 3, padding=1), "maxpool": MaxPool2d(2),
                                "relu": ReLU()}


@dataclass(frozen=True)
class CnnState:
    """Everything the CNN panel shows is a function of these values (and the picture).

    A layer may hold a setting the model refuses (stride 0, a kernel larger than its input):
    the stack is then shown up to that layer, and the layer's row says why.
    """

    input_shape: tuple[int, int, int] = cnn.SEED_INPUT_SHAPE
    layers: tuple[Layer, ...] = cnn.SEED_NETWORK
    #: The feature-map pixel whose receptive field is shown: (layer, channel, row, col), 0-based;
    #: None (or a pixel the stack no longer has) shows the centre of the last layer's first map.
    selection: tuple[int, int, int, int] | None = None
    seed: int = 0

    @property
    def channels(self) -> int:
        """C of the input."""
        return self.input_shape[0]

    @property
    def height(self) -> int:
        """H of the input."""
        return self.input_shape[1]

    @property
    def width(self) -> int:
        """W of the input."""
        return self.input_shape[2]

    def with_side(self, name: str, value: int) -> CnnState:
        """The input with ``name`` (channels, height or width) set to ``value``."""
        shape = list(self.input_shape)
        shape[SIDES.index(name)] = value
        return replace(self, input_shape=tuple(shape))


@dataclass(frozen=True, eq=False)
class ForwardResult:
    """What the model computed for the valid part of the stack, and the checks of it.

    From the last convolution on (index ``tail``) only the channels the maps show are computed:
    ``run_layers``/``run_weights`` are the stack with that convolution cut to its first
    :data:`MAPS_SHOWN` kernels (the layers after it work channel by channel, so their first
    channels are exact). ``tail`` is None when nothing was cut. ``cache`` pairs every
    activation with the key it is reused under by the next pass.
    """

    layers: tuple[Layer, ...]
    weights: list[Any] | None
    activations: list[np.ndarray] | None
    note: str
    run_layers: tuple[Layer, ...] = ()
    run_weights: list[Any] | None = None
    tail: int | None = None
    checks: tuple[Check, ...] = ()
    cache: tuple[tuple[tuple, np.ndarray], ...] = ()


@dataclass(frozen=True, eq=False)
class ForwardJob:
    """One forward pass and its checks, prepared in the GUI thread for the worker thread.

    The worker only reads it: the arrays in it are never written again, the layers are frozen.
    ``source`` is what the picture and the weights depend on (it keys the reused outputs);
    ``selection`` and ``box`` are the selected map pixel and its receptive field, or None.
    """

    generation: int
    image: np.ndarray
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]
    seed: int
    source: tuple
    cache: tuple[tuple[tuple, np.ndarray], ...]
    selection: tuple[int, int, int, int] | None
    box: tuple[int, int, int, int] | None
    #: Set when a newer job replaces this one: the worker stops at the next layer.
    cancelled: threading.Event = field(default_factory=threading.Event)


def _run_layers(x: np.ndarray, layers: tuple[Layer, ...], weights: list[Any],
                cancelled: threading.Event | None = None,
                progress: Callable[[int], None] | None = None,
                first: int = 0) -> list[np.ndarray] | None:
    """``cnn.forward`` one layer at a time, so a superseded pass stops early (then None)."""
    out = []
    for i, (layer, weight) in enumerate(zip(layers, weights, strict=True)):
        if cancelled is not None and cancelled.is_set():
            return None
        if progress is not None:
            progress(first + i)
        x = cnn.forward(x, (layer,), (weight,))[0]
        x.flags.writeable = False  # shared with the GUI thread and the next pass
        out.append(x)
    return out


def full_activations_of(result: ForwardResult, image: np.ndarray,
                        cancelled: threading.Event | None = None) -> list[np.ndarray] | None:
    """Every layer's whole output: ``result``'s maps plus the channels they leave out."""
    r = result
    if r.activations is None or r.tail is None:
        return r.activations
    x = image if r.tail == 0 else r.activations[r.tail - 1]
    rest = _run_layers(x, r.layers[r.tail:], r.weights[r.tail:], cancelled)
    return None if rest is None else r.activations[: r.tail] + rest


def forward_checks(result: ForwardResult, job: ForwardJob) -> list[Check] | None:
    """Shapes and counts against the arrays themselves; the receptive field by perturbation.

    None if ``job`` is cancelled meanwhile.
    """
    full = full_activations_of(result, job.image, job.cancelled)
    if full is None:
        return None
    shown = np.concatenate([a[:MAPS_SHOWN].ravel() for a in result.activations]) \
        if full else np.zeros(0)
    whole = np.concatenate([a[:MAPS_SHOWN].ravel() for a in full]) if full else np.zeros(0)
    scale = max(1.0, float(np.abs(whole).max())) if whole.size else 1.0
    checks = [
        Check.compare("shapes match forward",
                      np.array(cnn.infer_shapes(job.input_shape, result.layers), float)
                      .reshape(-1, 3),
                      np.array([a.shape for a in full], float).reshape(-1, 3),
                      0.0),
        Check.compare("maps match full pass", shown / scale, whole / scale, 1e-9),
        Check.compare("counts match weights",
                      cnn.param_counts(job.input_shape, result.layers),
                      [0 if w is None else (w[0].size + w[1].size if isinstance(w, tuple)
                                            else w.size) for w in result.weights],
                      0.0),
    ]
    del full, whole
    if job.selection is not None and job.box is not None:
        layer, channel, row, col = job.selection
        r0, r1, c0, c1 = job.box
        noise = np.random.default_rng(1).standard_normal(job.image.shape)
        noise[:, r0:r1, c0:c1] = 0.0
        noise += job.image
        moved = _run_layers(noise, result.run_layers[: layer + 1],
                            result.run_weights[: layer + 1], job.cancelled)
        if moved is None:
            return None
        checks.append(Check.compare("field covers all inputs", moved[-1][channel, row, col],
                                    result.activations[layer][channel, row, col], 1e-9))
    return checks


def run_forward(job: ForwardJob, progress: Callable[[int], None] | None = None,
                maps_ready: Callable[[ForwardResult], None] | None = None
                ) -> ForwardResult | None:
    """The forward pass of ``job`` and its checks; None if a newer job replaced it meanwhile.

    Pure numpy (the worker thread runs it; numpy releases the GIL). The outputs of the layers
    above the first changed one are taken from ``job.cache``. ``progress(i)`` is called before
    layer ``i`` (from 0) is computed, and with ``len(job.layers)`` before the checks;
    ``maps_ready`` with the result, its checks still empty, as soon as the maps are computed.
    """
    valid = job.layers
    weights = cnn.default_weights(job.input_shape, valid, job.seed)
    run_layers, run_weights, tail = display_stack(valid, weights)
    # default_weights is prefix-stable (a layer's weights depend only on the layers up to
    # it), so layer i's output is a function of the picture, valid[:i + 1] and whether it
    # was cut: the outputs of the layers above an edit are reused.
    keys = [(job.source, valid[: i + 1], tail is not None and i >= tail)
            for i in range(len(valid))]
    start = 0
    while start < len(keys) and start < len(job.cache) and job.cache[start][0] == keys[start]:
        start += 1
    reused = [a for _, a in job.cache[:start]]
    x = job.image if start == 0 else reused[-1]
    fresh = _run_layers(x, run_layers[start:], run_weights[start:], job.cancelled, progress,
                        start)
    if fresh is None:
        return None
    activations = reused + fresh
    result = ForwardResult(valid, weights, activations, "", run_layers, run_weights, tail,
                           cache=tuple(zip(keys, activations, strict=True)))
    if maps_ready is not None:
        maps_ready(result)
    if progress is not None:
        progress(len(valid))
    checks = forward_checks(result, job)
    if checks is None:
        return None
    return replace(result, checks=tuple(checks))


def display_stack(layers: tuple[Layer, ...], weights: list[Any]
                  ) -> tuple[tuple[Layer, ...], list[Any], int | None]:
    """Cut the last convolution to the kernels whose maps are shown (see :class:`ForwardResult`).

    Nothing after the last convolution mixes channels, so its first channels, and those of every
    layer after it, are exactly the first channels of the full forward pass at a fraction of the
    cost; the checks compare the two.
    """
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, Conv2d)]
    if not convs or layers[convs[-1]].out_channels <= MAPS_SHOWN:
        return layers, weights, None
    tail = convs[-1]
    entry = weights[tail]
    cut = (entry[0][:MAPS_SHOWN], entry[1][:MAPS_SHOWN]) if isinstance(entry, tuple) \
        else entry[:MAPS_SHOWN]
    run_layers = (*layers[:tail], replace(layers[tail], out_channels=MAPS_SHOWN),
                  *layers[tail + 1:])
    return run_layers, [*weights[:tail], cut, *weights[tail + 1:]], tail


def layer_values(layer: Layer) -> tuple[str, dict[str, object]]:
    """The kind and editable fields of ``layer``, as the layer row shows them."""
    if isinstance(layer, Conv2d):
        return "conv", {"out_channels": layer.out_channels, "kernel_size": layer.kernel_size,
                        "stride": layer.stride, "padding": layer.padding,
                        "dilation": layer.dilation, "bias": layer.bias}
    if isinstance(layer, MaxPool2d):
        return "maxpool", {"kernel_size": layer.kernel_size, "stride": layer.stride}
    return "relu", {}


def layer_from_values(values: dict[str, object]) -> Layer:
    """Build the model's layer from a row's values (the model checks them later)."""
    kind = values["kind"]
    if kind == "conv":
        return Conv2d(values["out_channels"], values["kernel_size"], values["stride"],
                      values["padding"], values["dilation"], bool(values["bias"]))
    if kind == "maxpool":
        return MaxPool2d(values["kernel_size"], values["stride"])
    return ReLU()


def too_large(values: dict[str, object]) -> str | None:
    """Why a layer row's number is too large to be a setting at all, or None."""
    for name, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and abs(value) > MAX_SETTING:
            return f"{name.replace('_', ' ')} {value:g} is too large: use at most {MAX_SETTING}"
    return None


def shape_text(shape: tuple[int, int, int]) -> str:
    """``3 × 128 × 128``."""
    return " × ".join(map(str, shape))


def summary_rows(input_shape: tuple[int, int, int], details: list[dict[str, Any]],
                 error: tuple[int, str] | None) -> list[dict[str, Any]]:
    """The table as data: an input row, one row per valid layer, the bad layer, the totals.

    Numbers are the model's (``layer_details``); the totals add up the rows shown.
    """
    c, h, w = input_shape
    rows: list[dict[str, Any]] = [{
        "layer": "Input", "output": shape_text(input_shape), "weights": None, "biases": None,
        "activations": c * h * w, "macs": None,
        "note": "The image: channels × height × width", "error": None}]
    for d in details:
        rows.append({
            "layer": f"{d['index'] + 1}  {d['label']}", "output": shape_text(d["output_shape"]),
            "weights": d["weights"], "biases": d["biases"], "activations": d["activations"],
            "macs": d["macs"], "note": d["macs_note"], "error": None})
    if error is not None:
        index, message = error
        rows.append({"layer": f"{index + 1}  ✗", "output": message, "weights": None,
                     "biases": None, "activations": None, "macs": None, "note": message,
                     "error": message})
    if error is None:
        label = "Total"
    elif details:
        label = f"Total (layers 1–{len(details)})" if len(details) > 1 else "Total (layer 1)"
    else:
        label = "Total (no valid layer yet)"
    rows.append({
        "layer": label, "output": "",
        "weights": sum(d["weights"] for d in details),
        "biases": sum(d["biases"] for d in details),
        "activations": sum(d["activations"] for d in details),
        "macs": sum(d["macs"] for d in details),
        "note": "Sums over the layers (activations: every layer's output, input excluded)",
        "error": None})
    return rows


def cell_text(value: object) -> str:
    """A table cell: thousands separators, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def rows_to_markdown(rows: list[dict[str, Any]]) -> str:
    """A GitHub-flavoured Markdown table of ``rows`` (numbers with thousands separators)."""
    keys = ("layer", "output", "weights", "biases", "activations", "macs")
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join([":---", ":---"] + ["---:"] * 4) + "|"]
    for row in rows:
        cells = [cell_text(row[k]).replace("|", "\\|") for k in keys]
        if row["error"] is not None:
            cells = [cells[0], cells[1], "", "", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """``rows`` as CSV with plain integers (no separators), ready for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["layer", "output_shape", "weights", "biases", "activations", "macs"])
    for row in rows:
        writer.writerow([row["layer"], row["output"]] + [
            "" if row[k] is None else row[k]
            for k in ("weights", "biases", "activations", "macs")])
    return buffer.getvalue()


def formula_line(d: dict[str, Any]) -> str:
    """One line of the formula box: the output size with its numbers and what the floor drops."""
    head = f"<b>{d['index'] + 1} {KIND_NAMES[d['kind']]}</b>&nbsp; "
    if d["kind"] == "relu":
        return head + f"{d['formula']}"
    body = d["formula"] if d["formula_h"] == d["formula_w"] else (
        f"H: {d['formula_h']}; &nbsp;W: {d['formula_w']}")
    notes = []
    for axis, dropped, unread, edge in (("row", d["dropped_rows"], d["unread_rows"], "bottom"),
                                        ("column", d["dropped_cols"], d["unread_cols"], "right")):
        if dropped:
            notes.append(f"the floor drops {dropped} {axis}{'s' if dropped > 1 else ''} at the "
                         f"{edge} that no window reaches")
        gaps = unread - dropped
        if gaps > 0:
            notes.append(f"{gaps} {axis}{'s' if gaps > 1 else ''} fall between windows")
    if not notes:
        note = "every input row and column is read"
        color = "#2e6b3f"
    else:
        note = "; ".join(notes)
        color = "#9a3d00"
    return head + f"{body} &nbsp;<span style='color:{color}'>({note})</span>"




def side_rule(name: str):
    """The rule of the input's ``name`` (channels, height or width): a FieldError if broken."""
    most = SIDE_LIMITS[name]

    def check(value: float) -> None:
        shape = [1, 1, 1]
        shape[SIDES.index(name)] = value
        error = cnn.infer_shapes_partial(tuple(shape), []).error
        if error is not None:
            raise FieldError(name, error.removeprefix("input shape: "))
        if value > most:
            raise FieldError(name, f"{name} {value:g} is more than this panel shows: use at "
                                   f"most {most}")
    return check


def forward_limit(input_shape: tuple[int, int, int], details: list[dict[str, Any]]
                  ) -> str | None:
    """Why the forward pass of these layers does not run here (too large), or None."""
    c, h, w = input_shape
    for d in details:
        unfolded = d["macs"] // max(1, d["output_shape"][0]) if d["kind"] == "conv" else 0
        biggest = max(unfolded, d["activations"], c * h * w)
        if biggest > MAX_FORWARD_VALUES:
            return (f"Forward pass paused: layer {d['index'] + 1} would hold "
                    f"{biggest / 1e6:,.1f} million numbers at once (limit "
                    f"{MAX_FORWARD_VALUES // 10**6} million). Shapes and counts are exact.")
    held = sum(d["activations"] for d in details)
    if held > MAX_FORWARD_TOTAL:
        return (f"Forward pass paused: the outputs of the {len(details)} layers would "
                f"hold {held / 1e6:,.1f} million numbers together (limit "
                f"{MAX_FORWARD_TOTAL // 10**6} million). Shapes and counts are exact.")
    total = sum(d["macs"] for d in details)
    if total > MAX_FORWARD_MACS:
        return (f"Forward pass paused: this stack needs {total / 1e6:,.0f} million "
                f"multiply-adds; the panel runs up to {MAX_FORWARD_MACS // 10**6:,} million "
                "(a few seconds in the background). Shapes and counts above are exact.")
    return None


@dataclass(frozen=True, eq=False)
class CnnView:
    """What the model says about a :class:`CnnState`, before the forward pass.

    The forward pass and its checks run in the background (:func:`run_forward`); everything
    here is shown at once.
    """

    state: CnnState
    #: The stack's shapes up to its first bad layer, and that layer's index and message.
    check: cnn.ShapeCheck
    #: The layers up to the first bad one, and what the model says about each.
    valid: tuple[Layer, ...]
    details: list[dict[str, Any]]
    #: Why the forward pass does not run ("" when it runs).
    note: str
    #: The map pixel whose receptive field is shown and that field (half-open), or None.
    selection: tuple[int, int, int, int] | None
    box: tuple[int, int, int, int] | None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The table as data (see :func:`summary_rows`)."""
        check = self.check
        error = None if check.error is None else (check.failing_index, check.error)
        return summary_rows(self.state.input_shape, self.details, error)

    def formulas(self) -> str:
        """The output-size formula of every valid layer, and the bad one's message (HTML)."""
        lines = [formula_line(d) for d in self.details]
        if self.check.error is not None:
            lines.append(f"<span style='color:#c0392b'>✗ {html.escape(self.check.error)}</span>")
        if not lines:
            lines.append("Add a layer to see its output size.")
        return "<br>".join(lines)

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The shape table as shown, and every layer's settings with its output shape."""
        keys = ("weights", "biases", "activations", "macs")
        summary = [[row["layer"], row["output"], *("" if row[k] is None else row[k]
                                                   for k in keys)] for row in self.rows]
        fields = ("out_channels", "kernel_size", "stride", "padding", "dilation", "bias")
        layers = []
        for i, layer in enumerate(self.state.layers):
            kind, values = layer_values(layer)
            if kind == "maxpool" and values["stride"] is None:
                values["stride"] = values["kernel_size"]  # the model's default
            shape = self.details[i]["output_shape"] if i < len(self.details) else ("", "", "")
            layers.append([i + 1, kind, *(values.get(name, "") for name in fields), *shape])
        return {
            "shape table": (["layer", "output shape", "weights", "biases", "activations",
                             "MACs"], summary),
            f"layers (input {shape_text(self.state.input_shape)})": (
                ["layer", "kind", "out channels", "kernel", "stride", "padding", "dilation",
                 "bias", "output C", "output H", "output W"], layers),
        }


def _selected(state: CnnState, details: list[dict[str, Any]]
              ) -> tuple[int, int, int, int] | None:
    """The selected map pixel, or the centre of the last layer's first map if it is gone."""
    if not details:
        return None
    if state.selection is not None:
        layer, channel, row, col = state.selection
        if 0 <= layer < len(details):
            c, h, w = details[layer]["output_shape"]
            if 0 <= channel < min(c, MAPS_SHOWN) and 0 <= row < h and 0 <= col < w:
                return state.selection
    layer = len(details) - 1
    _, h, w = details[layer]["output_shape"]
    return (layer, 0, h // 2, w // 2)


def compute(state: CnnState, previous: CnnView | None = None) -> CnnView:
    """The view of ``state``; a FieldError for an input shape the panel does not take."""
    for name, value in zip(SIDES, state.input_shape, strict=True):
        side_rule(name)(value)
    if len(state.layers) > MAX_LAYERS:
        raise FieldError("layers", f"the stack holds at most {MAX_LAYERS} layers")
    check = cnn.infer_shapes_partial(state.input_shape, state.layers)
    valid = state.layers[: len(check.shapes)]
    details = cnn.layer_details(state.input_shape, valid)
    note = forward_limit(state.input_shape, details) or ""
    selection = None if note else _selected(state, details)
    box = None
    if selection is not None:
        layer, _, row, col = selection
        box = cnn.receptive_field(valid, layer, row, col, state.input_shape)
    return CnnView(state, check, valid, details, note, selection, box)


# -- saving: a layer is written with its kind, so it can be read back --------------------------
def state_to_json(state: CnnState) -> dict:
    """``state`` as plain JSON data; each layer as its kind and settings."""
    layers = [{"kind": kind, **values} for kind, values in map(layer_values, state.layers)]
    return {"input_shape": list(state.input_shape), "layers": layers,
            "selection": None if state.selection is None else list(state.selection),
            "seed": state.seed}


def _whole(value: object, path: str, low: int, high: int) -> int:
    number = number_value(value, path)
    if not number.is_integer() or not low <= number <= high:
        raise ValueError(f"{path} must be a whole number from {low} to {high}, got {number:g}")
    return int(number)


def _layer_from_json(entry: object, path: str) -> Layer:
    """A saved layer: any number a row accepts (the row then shows the model's message)."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{path} must be a JSON object with the layer's kind and settings")
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in NEW_LAYERS:
        raise ValueError(f"{path}.kind must be one of {', '.join(NEW_LAYERS)}, got "
                         f"{str(kind)[:30]!r}")
    values: dict[str, object] = {"kind": kind}
    for name in layer_values(NEW_LAYERS[kind])[1]:  # the settings a layer of this kind has
        where = f"{path}.{name}"
        if name not in entry:
            raise ValueError(f"{where} is missing")
        value = entry[name]
        if name == "bias":
            if not isinstance(value, bool):
                raise ValueError(f"{where} must be true or false")
        elif not (name == "stride" and kind == "maxpool" and value is None):
            value = number_value(value, where)
            problem = too_large({name: value})
            if problem is not None:
                raise ValueError(f"{where}: {problem}")
            value = int(value) if value.is_integer() else value
        values[name] = value
    return layer_from_values(values)


def state_from_json(data: object) -> CnnState:
    """Read :func:`state_to_json`'s data back, every value checked; ValueError if not.

    As for every panel (see :func:`explorer.views.fields.from_json`): every field must be
    there but the selection, and keys that are no field are ignored.
    """
    if not isinstance(data, Mapping):
        raise ValueError("the saved state must be a JSON object")
    for name in ("input_shape", "layers", "seed"):
        if name not in data:
            raise ValueError(f"{name} is missing")
    sides = data["input_shape"]
    if not isinstance(sides, list) or len(sides) != 3:
        raise ValueError("input_shape must be a list of 3 numbers: channels, height, width")
    shape = tuple(_whole(v, f"input_shape[{i}]", 1, SIDE_LIMITS[name])
                  for i, (name, v) in enumerate(zip(SIDES, sides, strict=True)))
    stack = data["layers"]
    if not isinstance(stack, list) or len(stack) > MAX_LAYERS:
        raise ValueError(f"layers must be a list of at most {MAX_LAYERS} layers")
    layers = tuple(_layer_from_json(entry, f"layers[{i}]") for i, entry in enumerate(stack))
    selection = data.get("selection")
    if selection is not None:
        if not isinstance(selection, list) or len(selection) != 4:
            raise ValueError("selection must be null or 4 numbers: layer, channel, row, col")
        selection = tuple(_whole(v, f"selection[{i}]", 0, 2**31 - 1)
                          for i, v in enumerate(selection))
    return CnnState(shape, layers, selection, _whole(data["seed"], "seed", 0, 2**32 - 1))
