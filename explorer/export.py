"""Headless export of panels to PNG or SVG, each file written atomically."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget

from explorer.panels import PANELS, Panel

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


def thicken_lines(widget: QWidget, width: float = 2.0) -> None:
    """Draw the curves of a panel that is only being exported with ``width``-pixel lines.

    On screen the panels use 1-pixel pens, which Qt repaints about four times faster; a picture
    for a slide or a handout is drawn once and reads better with bolder lines.
    """
    import pyqtgraph as pg

    for view in widget.findChildren(pg.PlotWidget):
        for item in view.getPlotItem().listDataItems():
            pen = item.opts.get("pen")
            if pen is None:
                continue
            pen = pg.mkPen(pen)
            if pen.style() != Qt.PenStyle.NoPen and pen.widthF() <= 1.0:
                pen.setWidthF(width)
                item.setPen(pen)
    QApplication.processEvents()


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
                  size: tuple[int, int] = DEFAULT_SIZE, fmt: str = "png") -> list[Path]:
    """Build each requested panel (only those), lay it out at ``size`` and write DIR/<id>.<fmt>.

    A QApplication must exist. Returns the paths written.
    """
    ids = check_ids(ids)
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}': use png or svg")
    directory = prepare_directory(directory)
    written = []
    for panel_id in ids:
        panel = PANELS[panel_id]()
        try:
            lay_out(panel, size)
            thicken_lines(panel)
            written.append(write_widget(panel, directory / f"{panel_id}.{fmt}", fmt))
        finally:
            panel.close()
            panel.deleteLater()
    QApplication.processEvents()
    return written


def minimum_size() -> QSize:
    """Smallest size the export accepts."""
    return QSize(320, 240)
