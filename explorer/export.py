"""Headless export of panels to PNG or SVG, each file written atomically."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget

from explorer.panels import PANELS, Panel
from explorer.setups import Setup, SetupError, apply
from explorer.widgets.images import rgb_array

FORMATS = ("png", "svg")
DEFAULT_SIZE = (1280, 800)
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")


class ExportError(Exception):
    """An export that could not be done; the message is one line for the user."""


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``"1280x800"``; sides from 320 to 8000 pixels."""
    match = _SIZE.match(text)
    if not match:
        raise ExportError(f"bad size '{text}': use WIDTHxHEIGHT, e.g. 1280x800")
    width, height = int(match.group(1)), int(match.group(2))
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise ExportError(f"bad size '{text}': width 320–8000 and height 240–8000 pixels")
    return width, height


def check_ids(ids: Iterable[str] | None) -> list[str]:
    """The requested panel ids (all when none), or ExportError naming the unknown one."""
    ids = list(ids) if ids else list(PANELS)
    for panel_id in ids:
        if panel_id not in PANELS:
            raise ExportError(f"unknown panel '{panel_id}': choose from {', '.join(PANELS)}")
    return list(dict.fromkeys(ids))


def prepare_directory(directory: Path) -> Path:
    """Create ``directory`` if needed and prove it is writable, or raise ExportError."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError(f"cannot export to {directory}: a file is in the way") from None
    except OSError as exc:
        raise ExportError(f"cannot create {directory}: {exc.strerror or exc}") from None
    if not directory.is_dir():
        raise ExportError(f"cannot export to {directory}: it is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".nn-explorer-probe-"):
            pass
    except OSError as exc:
        raise ExportError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    return directory


def lay_out(widget: QWidget, size: tuple[int, int]) -> None:
    """Give ``widget`` its export size and let it lay out and finish deferred rendering."""
    needed = widget.minimumSizeHint()
    if needed.width() > size[0] or needed.height() > size[1]:
        raise ExportError(f"size {size[0]}x{size[1]} is too small for this panel: it needs at "
                          f"least {needed.width()}x{needed.height()}")
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    if isinstance(widget, Panel):
        widget.prepare_export()
    # Typeset formulas change label heights; let every layout they touch settle (each pass can
    # post the next layout request) before the picture is taken.
    for _ in range(3):
        QApplication.processEvents()
        if widget.layout() is not None:
            widget.layout().activate()


def write_widget(widget: QWidget, path: Path, fmt: str) -> Path:
    """Render a laid-out ``widget`` to ``path`` atomically (temporary file, then rename).

    Raises
    ------
    ExportError
        When the file cannot be written; no partial file is left behind.
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}': use png or svg")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if fmt == "png":
            if not widget.grab().save(temporary, "PNG"):
                raise ExportError(f"could not write {path}")
        else:
            from PySide6.QtSvg import QSvgGenerator

            generator = QSvgGenerator()
            generator.setFileName(temporary)
            generator.setSize(widget.size())
            generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
            generator.setTitle(getattr(widget, "title", "NN Explorer"))
            painter = QPainter(generator)
            try:
                widget.render(painter, QPoint(0, 0))
            finally:
                painter.end()
            if os.path.getsize(temporary) == 0:
                raise ExportError(f"could not write {path}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def export_panels(directory: Path, ids: Iterable[str] | None = None,
                  size: tuple[int, int] = DEFAULT_SIZE, fmt: str = "png",
                  gif: bool = False, setup: Setup | None = None) -> list[Path]:
    """Build each requested panel (only those), lay it out at ``size`` and write DIR/<id>.<fmt>.

    With ``gif`` each animated panel also gets DIR/<id>.gif (see :func:`write_gif`); Pillow and
    at least one animated panel are checked for before anything is written. With ``setup``
    each panel shows its part of it (every part is applied before anything is written: a bad
    one raises ExportError). A QApplication must exist. Returns the paths written.
    """
    ids = check_ids(ids)
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}': use png or svg")
    animated = set()
    if gif:
        require_pillow()
        animated = set(animated_ids(ids))
        if not animated:
            raise ExportError(f"--gif: no animated panel among {', '.join(ids)} (the animated "
                              f"ones: {', '.join(animated_ids(PANELS))})")
    panels = {panel_id: PANELS[panel_id]() for panel_id in ids}
    written = []
    try:
        if setup is not None:
            parts = {k: v for k, v in setup.parts.items() if k in panels}
            try:
                apply(Setup(setup.panel, setup.theme, parts), panels.__getitem__)
            except SetupError as exc:
                raise ExportError(f"the setup: {exc}") from None
        directory = prepare_directory(directory)
        for panel_id, panel in panels.items():
            lay_out(panel, size)
            panel.thicken_lines()
            QApplication.processEvents()
            written.append(write_widget(panel, directory / f"{panel_id}.{fmt}", fmt))
            if panel_id in animated:
                written.append(write_gif(panel, directory / f"{panel_id}.gif", size))
    finally:
        for panel in panels.values():
            panel.close()
            panel.deleteLater()
        QApplication.processEvents()
    return written


# -- animated GIF and CSV ------------------------------------------------------------------
#: How to get the optional GIF support (Pillow), said whenever it is missing.
GIF_HINT = "pip install 'nn-explorer[gif]' (in a checkout: .venv/bin/pip install Pillow)"
#: Frames × pixels a GIF may hold while it is written: Pillow keeps every frame (one byte a
#: pixel) until the file is complete, so 250 frames at 1280 x 800 take about 256 MB.
GIF_PIXEL_BUDGET = 256 * 2**20
#: How long the last frame stays before the GIF starts again (ms), so the result can be read.
GIF_HOLD_MS = 1500


def require_pillow():
    """Pillow's ``Image`` module, or ExportError saying how to install the optional extra."""
    try:
        from PIL import Image
    except ImportError:
        raise ExportError(f"GIF export needs Pillow, which is not installed: {GIF_HINT}") from None
    return Image


def animated_ids(ids: Iterable[str]) -> list[str]:
    """Those of ``ids`` whose panel is animated, in order."""
    return [panel_id for panel_id in ids if PANELS[panel_id].animated]


def _finish(temporary: str, path: Path) -> None:
    """Give a finished temporary file the usual permissions and move it to ``path``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    os.replace(temporary, path)


def _frame(panel: QWidget, size: tuple[int, int]) -> np.ndarray:
    """The panel as it paints now, ``size`` pixels, as an (H, W, 3) uint8 array."""
    image = panel.grab().toImage()
    if (image.width(), image.height()) != tuple(size):
        # A panel inside the window (or on a 2x screen) is grabbed as it is and scaled.
        image = image.scaled(QSize(*size), Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return rgb_array(image)


class _NearestColour:
    """Maps RGB frames onto one palette, each pixel to the nearest palette colour.

    Pillow's own palette mapping is approximate (a large grey background can come out a shade
    off). An animation has a few thousand distinct colours; each is looked up once and kept in
    a table over all 2²⁴ colours, so a frame costs one table lookup.
    """

    def __init__(self, palette: np.ndarray) -> None:
        self.palette = palette.astype(np.int32)
        self._table = np.full(1 << 24, -1, dtype=np.int16)

    def __call__(self, rgb: np.ndarray, image_module):
        keys = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) \
            | rgb[..., 2]
        index = self._table[keys]
        if (index < 0).any():
            new = np.unique(keys[index < 0])
            colours = np.stack([new >> 16, (new >> 8) & 255, new & 255], 1)
            distance = ((colours[:, None, :] - self.palette[None, :, :]) ** 2).sum(axis=2)
            self._table[new] = np.argmin(distance, axis=1)
            index = self._table[keys]
        image = image_module.fromarray(index.astype(np.uint8), "P")
        image.putpalette(self.palette.astype(np.uint8).ravel().tolist())
        return image


def write_gif(panel: Panel, path: Path, size: tuple[int, int] | None = None) -> Path:
    """Write the panel's animation, every step once from the first, as a looping GIF.

    The frame count equals ``panel.animation_steps()``; each frame lasts one step at the
    playback speed the panel is set to, the last a little longer. The panel ends on the step
    (and in the playing or paused state) it was in. The file is written atomically.

    Parameters
    ----------
    panel : Panel
        An animated panel.
    path : Path
        Where the GIF goes.
    size : (int, int), optional
        Frame width and height. A panel of its own (the headless export) is laid out at this
        size; a panel inside the window is grabbed as it is and its frames scaled. Default: the
        panel's size.

    Raises
    ------
    ExportError
        Pillow is missing, the panel has no animation, the GIF would be too large, or the file
        cannot be written; no partial file is left behind.
    """
    image_module = require_pillow()
    path = Path(path)
    if not panel.animated:
        raise ExportError(f"the {panel.title} panel has no animation to save as a GIF")
    if size is None:
        # Every pixel the screen has (2x on a high-density screen), so nothing is scaled.
        ratio = panel.devicePixelRatioF()
        size = (round(panel.width() * ratio), round(panel.height() * ratio))
    elif panel.isWindow() and (panel.width(), panel.height()) != tuple(size):
        lay_out(panel, size)
    width, height = size
    count = panel.animation_steps()
    if count * width * height > GIF_PIXEL_BUDGET:
        most = GIF_PIXEL_BUDGET // (width * height)
        raise ExportError(f"a GIF of {count} steps at {width}x{height} is too large (at most "
                          f"{most} steps at this size): use fewer steps or a smaller size")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None
    os.close(handle)
    try:
        frames = _animation_frames(panel, size, image_module)
        interval = max(20, panel.playback.timer().interval())
        durations = [interval] * len(frames)
        durations[-1] = max(interval, GIF_HOLD_MS)
        # Pillow merges a frame identical to the one before into it; none is, since the step
        # counter under the animation changes with every step.
        try:
            frames[0].save(temporary, "GIF", save_all=True, append_images=frames[1:],
                           duration=durations, loop=0)
        except OSError as exc:
            raise ExportError(f"could not write {path}: {exc.strerror or exc}") from None
        _finish(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _animation_frames(panel: Panel, size: tuple[int, int], image_module) -> list:
    """Every step of the panel's animation as a palette image; the panel ends as it was."""
    count = panel.animation_steps()
    playback = panel.playback
    playing, start = playback.is_playing(), panel.animation_step()
    playback.pause()
    frames = []
    try:
        # One palette for every frame, from the first and last steps: what stays put keeps its
        # colour index, so Pillow stores only the part of each frame that moved.
        panel.seek(0)
        first = _frame(panel, size)
        panel.seek(count - 1)
        both = image_module.fromarray(np.concatenate([first, _frame(panel, size)]), "RGB")
        palette = both.quantize(256, method=image_module.Quantize.MEDIANCUT,
                                dither=image_module.Dither.NONE).getpalette()
        nearest = _NearestColour(np.array(palette, dtype=np.uint8).reshape(-1, 3))
        for step in range(count):
            panel.seek(step)
            frames.append(nearest(_frame(panel, size), image_module))
    finally:
        panel.seek(start)
        if playing:
            playback.play()
    return frames


def _csv_cell(value: object) -> object:
    """A cell as a spreadsheet reads it: floats in full (shortest round-trip) precision."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return "" if value is None else str(value)


def tables_to_csv(title: str, tables: dict[str, tuple[list[str], list[list]]]) -> str:
    """One CSV text holding every table: a ``# name`` line, the header, the rows, a blank line.

    A spreadsheet opens it as one sheet with the tables one under the other.
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"# NN Explorer: {title}"])
    for name, (header, rows) in tables.items():
        writer.writerow([])
        writer.writerow([f"# {name}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue()


def write_text_file(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically: whole, or not at all (an old file stays as it was).

    Raises
    ------
    ExportError
        The file cannot be written, or the text cannot be encoded; no partial file is left.
    """
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        _finish(temporary, path)
    except (OSError, UnicodeEncodeError) as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"could not write {path}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_csv(panel: Panel, path: Path) -> Path:
    """Write the panel's :meth:`~explorer.panels.Panel.tables` to ``path`` as CSV, atomically.

    Raises
    ------
    ExportError
        The panel has no tables, or the file cannot be written (no partial file is left).
    """
    path = Path(path)
    tables = panel.tables()
    if not tables:
        raise ExportError(f"the {panel.title} panel has no data to export")
    text = tables_to_csv(f"{panel.title} (questions {panel.questions})", tables)
    # The byte-order mark makes spreadsheets read the Greek letters as UTF-8.
    write_text_file(path, text, encoding="utf-8-sig")
    return path
