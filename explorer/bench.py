"""``python -m explorer.bench``: how fast every control of every panel answers; start-up and more.

A change must feel instant: a drag (slider, plot handle, scroll bar) repaints within one 60 Hz
frame and a click or typed value within 100 ms, at the 95th percentile, on this machine. The
bench finds every control a student can operate the way ``tests/test_monkey.py`` finds them,
makes realistic changes through the signals a student's action sends, and times each change
from the action to the repainted window. Beside each panel's worst control it prints the
panel's *floor* (repainting what a change repaints, with no model work) and twice it.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The budgets, 95th percentile, milliseconds: a drag within one 60 Hz frame, a click or a
#: typed value within 100 ms.
DRAG, CLICK = "drag", "click/typed"
BUDGET_MS = {DRAG: 1000 / 60, CLICK: 100.0}
#: How often a student's actions come: a drag sends a move every frame; clicks and typed
#: values come no faster than ten a second. Work the app does between them (throttled checks,
#: a result from a worker thread) runs in the gaps, as it would; if it overruns into the next
#: action's time, that action waited, and the wait is part of its time.
PACE_S = {DRAG: 1 / 60, CLICK: 0.1}
#: A panel's worst change may cost at most this many times its floor.
FLOOR_FACTOR = 2.0
STARTUP_TARGET = 1.3
MISSED_FRAMES_TARGET = 0.01
SIZE = (1280, 800)
#: A CNN layer edit at a 3 × 1024 × 1024 input repaints the table and diagram within a frame
#: (95th percentile, milliseconds); its maps follow from a worker thread.
CNN_LARGE_TARGET_MS = 1000 / 60
_BARE_WINDOW = r"""
import sys, time
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
window = pg.PlotWidget()
window.plot(np.linspace(0, 1, 801), np.sin(np.linspace(0, 10, 801)))
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType() \
                and watched.window() is window:
            app.removeEventFilter(self)
            QTimer.singleShot(0, self.report)
        return False
    def report(self):
        print(f"first-paint {time.time():.6f}", flush=True)
        window.close()
        app.quit()
f = FirstPaint()
app.installEventFilter(f)
window.resize(1280, 800)
window.show()
app.exec()
"""

_MEMORY_PROBE = r"""
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from explorer.main_window import MainWindow, application
from PySide6.QtCore import QSettings
app = application()
settings = QSettings(os.path.join(os.environ["NN_BENCH_TMP"], "s.ini"), QSettings.Format.IniFormat)
window = MainWindow(settings=settings)
window.resize(1280, 800)
window.show()
for panel_id in window.panels:
    window.show_panel(panel_id)
    for _ in range(5):
        app.processEvents()
with open("/proc/self/status") as status:
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
print(f"rss-kib {rss}")
window.close()
"""

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- timing ------------------------------------------------------------------------------------
def _idle_until(app, due: float) -> None:
    """Run the event loop (timers, results from threads, repaints) until ``due``."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    remaining = due - time.perf_counter()
    if remaining > 0.002:
        loop = QEventLoop()
        timer = QTimer(loop)
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(loop.quit)
        timer.start(int(remaining * 1000))
        loop.exec()
    while time.perf_counter() < due:
        app.processEvents()


def _time_changes(app, change: Callable[[int], None], count: int, pace: float = 0.0,
                  prepare: Callable[[int], None] | None = None) -> list[float]:
    """Seconds from each ``change(i)`` to the end of its repaint, one change every ``pace`` s.

    The repaint is what one ``processEvents`` after the change does, as in the event loop.
    ``prepare(i)`` is bench work (putting the panel back, say) done untimed before change i.
    Between changes the event loop runs; when that work runs past the moment the next change
    is due, the change is timed from that moment: a student's action would have waited.
    """
    times = []
    last_end = time.perf_counter() - pace
    for i in range(count):
        if prepare is not None:
            prepare(i)
            app.processEvents()
        due = max(time.perf_counter(), last_end + pace)
        _idle_until(app, due)
        change(i)
        app.processEvents()  # the repaint happens here, as it would in the event loop
        end = time.perf_counter()
        times.append(end - due)
        last_end = end
    return times


def _repaints_of(app, change: Callable[[int], None], first: int, cycle: int = 12,
                 prepare: Callable[[int], None] | None = None) -> list[list[tuple]]:
    """The widgets, and their regions, that each of ``cycle`` changes ``change(i)`` repaints.

    Twelve changes cover every panel's cycle of ``bench_change`` kinds (2, 3, 4 or 6 long).
    """
    from PySide6.QtCore import QEvent, QObject

    painted: list[tuple] = []

    class Recorder(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                painted.append((watched, event.region()))
            return False

    recorder = Recorder()
    repaints = []
    for i in range(first, first + cycle):
        if prepare is not None:
            prepare(i)
            app.processEvents()
        painted.clear()
        app.installEventFilter(recorder)
        try:
            change(i)
            app.processEvents()
        finally:
            app.removeEventFilter(recorder)
        repaints.append(list(painted))
    return repaints


def _replay(repaints: list[list[tuple]]) -> Callable[[int], None]:
    """A change that only repaints what a real change repainted: no model work, no new data.

    Its time is the floor under the panel's update time while it shows what it shows.
    """
    from shiboken6 import isValid

    def replay(i: int) -> None:
        for widget, region in repaints[i % len(repaints)]:
            if isValid(widget):
                widget.update(region)
    return replay


def _summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": 1e3 * statistics.median(times), "p95_ms": 1e3 * _percentile(times, 0.95)}


# -- controls ----------------------------------------------------------------------------------
@dataclass(eq=False)
class Control:
    """One thing a student can operate, and how the bench operates it.

    ``action`` says how: "slider", "scroll bar", "handle" (a movable line in a painted plot),
    "box" (a combo box), "tabs", "check box", "button", "spin box", "field" (a line edit),
    "text" (a plain-text editor), "table" (editable cells) or "item" (a clickable item in a
    pyqtgraph view).
    """

    name: str
    action: str
    widget: object
    #: The plot of a handle, the view of an item, the editable cells of a table.
    extra: object = None
    #: (tab widget, index) of the tab the control is on, if it is on one.
    tab: tuple | None = None

    @property
    def kind(self) -> str:
        """DRAG or CLICK: which budget applies."""
        return DRAG if self.action in ("slider", "scroll bar", "handle") else CLICK

    @property
    def budget_ms(self) -> float:
        """The 95th percentile this control's changes must stay under."""
        return BUDGET_MS[self.kind]


def _readable(text: str, limit: int = 48) -> str:
    """A label's text as a name: no mnemonic ampersands, one line, not too long."""
    text = re.sub(r"&(.)", r"\1", text or "")
    text = " ".join(text.split()).strip(" :")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_clause(text: str) -> str:
    return re.split(r"[.;:,(\n]| — ", text or "", maxsplit=1)[0]


def _words(class_name: str) -> str:
    """``CheckYourself`` -> ``Check yourself``."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", class_name)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else class_name


def _skip_reason(button) -> str | None:
    """Why a button is left out, or None: it would leave the panel, open a dialog or reset."""
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit

    text = _readable(button.text())
    if isinstance(button.parentWidget(), QLineEdit):
        return "part of its text field (clears it)"
    if isinstance(button.parentWidget(), QAbstractItemView):
        return "a table's select-all corner: selects cells, changes nothing shown"
    if text.endswith(("…", "...")):
        return "opens a file dialog"
    if text.startswith("Copy"):
        return "copies to the clipboard; changes nothing shown"
    if text == "Reset":
        return "puts the whole panel back to the homework's example, image included"
    return None


def find_controls(panel) -> tuple[list[Control], list[dict[str, str]]]:
    """Every control a student can operate while ``panel`` shows, and those left out (why).

    Looks in the panel's window, so a bar the window shows under the panel (Check yourself)
    counts too. Controls on other tabs of a tab widget are found by showing each tab in turn
    (and the tab shown first is shown again). A widget that is hidden is no control.
    """
    root = panel.window()
    found: list[Control] = []
    skipped: list[dict[str, str]] = []
    seen: set[int] = set()
    _collect(panel, root, None, found, skipped, seen)
    for tabs in [c.widget for c in found if c.action == "tabs"]:
        shown = tabs.currentIndex()
        for index in range(tabs.count()):
            if index != shown and tabs.isTabEnabled(index):
                tabs.setCurrentIndex(index)
                _collect(panel, root, (tabs, index), found, skipped, seen)
        tabs.setCurrentIndex(shown)
    _name_apart(found)
    return found, skipped


def _collect(panel, root, tab, found: list[Control], skipped: list[dict[str, str]],
             seen: set[int]) -> None:
    import pyqtgraph as pg
    from PySide6.QtCore import Qt, SignalInstance
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractScrollArea,
        QAbstractSlider,
        QAbstractSpinBox,
        QCheckBox,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QScrollBar,
        QTableWidget,
        QTabWidget,
    )

    from explorer.widgets.painted_plot import PaintedLine, PaintedPlot

    buddies = {id(label.buddy()): label.text() for label in root.findChildren(QLabel)
               if label.buddy() is not None}

    def label_of(widget) -> str:
        return (widget.accessibleName() or buddies.get(id(widget), "")
                or _first_clause(widget.toolTip()))

    def outside(widget) -> str:
        """'Check yourself: ' for a control of a bar the window shows beside the panel."""
        if panel.isAncestorOf(widget):
            return ""
        parent = widget.parentWidget()
        while parent is not None and parent.parentWidget() is not root \
                and parent.parentWidget() is not None and not parent.objectName():
            parent = parent.parentWidget()
        return f"{_words(type(parent).__name__)}: " if parent is not None else ""

    def on_tab() -> str:
        """'2-D: ' for a control on tab "2-D: stride, padding, dilation"."""
        return f"{_first_clause(tab[0].tabText(tab[1]))}: " if tab is not None else ""

    def add(widget, action: str, name: str, extra=None) -> None:
        seen.add(id(widget))
        name = outside(widget) + on_tab() + _readable(name) + f" {action}"
        if not widget.isEnabled():
            skipped.append({"name": name, "reason": "disabled here"})
            return
        found.append(Control(name, action, widget, extra, tab))

    def skip(widget, name: str, reason: str) -> None:
        seen.add(id(widget))
        skipped.append({"name": outside(widget) + _readable(name), "reason": reason})

    def visible(widget) -> bool:
        # The window's other panels are hidden pages of its stack: their widgets are too.
        return id(widget) not in seen and widget.isVisible()

    for widget in root.findChildren(QAbstractSlider):
        if not visible(widget):
            continue
        if isinstance(widget, QScrollBar):
            area = widget.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            what = _area_name(area) if area is not None else "page"
            direction = "vertical" if widget.orientation() == Qt.Orientation.Vertical \
                else "horizontal"
            name = f"{what} ({direction})"
            if widget.maximum() == widget.minimum():
                skip(widget, f"{name} scroll bar", "nothing to scroll")
            else:
                add(widget, "scroll bar", name)
        else:
            add(widget, "slider", label_of(widget))
    for widget in root.findChildren(QAbstractSpinBox):
        if visible(widget):
            add(widget, "spin box", label_of(widget))
    for widget in root.findChildren(QComboBox):
        if visible(widget):
            add(widget, "box", label_of(widget))
    for widget in root.findChildren(QTabWidget):
        if visible(widget):
            add(widget, "tabs", widget.tabBar().accessibleName()
                or " / ".join(widget.tabText(i) for i in range(widget.count())))
    for widget in root.findChildren(QLineEdit):
        if not visible(widget) or isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
            continue
        if widget.isReadOnly():
            skip(widget, f"{label_of(widget)} field", "read-only")
        else:
            add(widget, "field", label_of(widget) or widget.placeholderText())
    for widget in root.findChildren(QPlainTextEdit):
        if visible(widget):
            if widget.isReadOnly():
                skip(widget, f"{label_of(widget)} text", "read-only")
            else:
                add(widget, "text", label_of(widget))
    for widget in root.findChildren(QTableWidget):
        if not visible(widget):
            continue
        cells = [(r, c) for r in range(widget.rowCount()) for c in range(widget.columnCount())
                 if not widget.isRowHidden(r) and widget.item(r, c) is not None
                 and widget.item(r, c).flags() & widget.item(r, c).flags().ItemIsEditable]
        triggers = widget.editTriggers()
        if not cells or triggers == QAbstractItemView.EditTrigger.NoEditTriggers:
            skip(widget, f"{label_of(widget)} table", "no cell can be edited")
        else:
            add(widget, "table", label_of(widget), cells)
    for widget in root.findChildren(QAbstractButton):
        if not visible(widget):
            continue
        name = widget.accessibleName() or widget.text() or _first_clause(widget.toolTip())
        if isinstance(widget.parentWidget(), QAbstractItemView):
            name = f"{_first_clause(label_of(widget.parentWidget()))}: corner"
        reason = _skip_reason(widget)
        action = "check box" if isinstance(widget, QCheckBox) else "button"
        if reason is not None:
            skip(widget, f"{name} {action}", reason)
        else:
            add(widget, action, name)
    for plot in root.findChildren(PaintedPlot):
        if not visible(plot):
            continue
        lines = [layer for layer in plot.layers()
                 if isinstance(layer, PaintedLine) and layer.movable and layer.isVisible()]
        title = plot.getPlotItem().titleLabel.text
        for line in lines:
            if id(line) in seen:
                continue
            name = title if len(lines) == 1 else f"{title}: {_first_clause(line.toolTip())}"
            seen.add(id(line))
            name = outside(plot) + on_tab() + _readable(name, 64) + " handle"
            found.append(Control(name, "handle", line, plot, tab))
    for view in root.findChildren(pg.GraphicsView):
        if not visible(view):
            continue
        items = [item for item in view.scene().items()
                 if item.isVisible() and isinstance(getattr(item, "clicked", None), SignalInstance)]
        what = view.accessibleName() or _first_clause(view.toolTip()) or _words(
            type(view).__name__)
        for number, item in enumerate(sorted(items, key=lambda i: i.sceneBoundingRect().top()),
                                      start=1):
            if id(item) not in seen:
                seen.add(id(item))
                name = f"{outside(view)}{on_tab()}{_readable(what)}, row {number}: a pixel clicked"
                found.append(Control(name, "item", item, view, tab))


def _area_name(area) -> str:
    """What a scroll area shows: its name or tooltip, the first titled box in it, its kind."""
    from PySide6.QtWidgets import QGroupBox

    inner = area.widget() if hasattr(area, "widget") else None
    boxes = inner.findChildren(QGroupBox) if inner is not None else []
    titled = [box.title() for box in boxes if box.title()]
    kinds = [type(w).__name__ for w in (area, area.parentWidget(), inner) if w is not None]
    own = [k for k in kinds if not k.startswith("Q")]
    return (area.accessibleName() or _first_clause(area.toolTip())
            or (f"column with {titled[0]!r}" if titled else "")
            or (_words(own[0]) if own else "page"))


def _name_apart(controls: list[Control]) -> None:
    """Number controls that would share a name ("… #2")."""
    counts = Counter(c.name for c in controls)
    numbers: Counter = Counter()
    for control in controls:
        if counts[control.name] > 1:
            numbers[control.name] += 1
            if numbers[control.name] > 1:
                control.name = f"{control.name} #{numbers[control.name]}"


# -- operating a control -----------------------------------------------------------------------
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def typed_text(original: str, i: int) -> str:
    """What a student types the ``i``-th time into a field that held ``original``.

    Even ``i``: ``original`` with one number nudged (the ``i // 2``-th, cycling through them):
    a whole number up by one, a decimal by one in its last place, one with an exponent by 10 %.
    Odd ``i``: ``original`` again, so every second value puts the panel back. Text without a
    number becomes "1".
    """
    if i % 2:
        return original
    numbers = list(_NUMBER.finditer(original))
    if not numbers:
        return "1" if original.strip() != "1" else "2"
    match = numbers[(i // 2) % len(numbers)]
    token = match.group()
    if "e" in token.lower():
        nudged = f"{float(token) * 1.1:g}"
    elif "." in token:
        decimals = len(token.split(".")[1])
        nudged = f"{float(token) + 10.0 ** -decimals:.{decimals}f}"
    else:
        nudged = str(int(token) + 1)
    return original[: match.start()] + nudged + original[match.end():]


def _sweep(start: float, low: float, high: float, count: int, whole: bool) -> list[float]:
    """``count`` positions from ``start``, bouncing between ``low`` and ``high``.

    The step is such that half of them cross the whole range: a drag back and forth.
    """
    span = high - low
    if span <= 0 or count <= 0:
        return [start] * max(count, 1)
    step = span / max(1, count // 2)
    if whole:
        step = max(1, math.ceil(step))
    positions, position, direction = [], start, 1 if start < high else -1
    for _ in range(count):
        target = position + direction * step
        if not low <= target <= high:
            end = high if direction > 0 else low
            if position != end:
                target = end  # all the way to the end, as a drag that means it
            else:
                direction = -direction
                target = min(max(position + direction * step, low), high)
        positions.append(target)
        position = target
    return positions


class _Drive:
    """Operates one control: ``begin``, per change ``prepare(i)`` then ``act(i)``, ``end``.

    Only ``act`` is timed. Every change goes through the signals a student's action sends.
    """

    def __init__(self, control: Control, panel, count: int) -> None:
        self.control, self.panel, self.widget, self.count = control, panel, control.widget, count

    def begin(self) -> None:
        """Get ready (a drag presses its handle here)."""

    def prepare(self, i: int) -> None:
        """Bench work before change ``i``, not timed."""

    def act(self, i: int) -> None:
        """Change ``i``."""
        raise NotImplementedError

    def end(self) -> None:
        """Finish (a drag releases its handle here)."""


class _Slide(_Drive):
    """A slider or scroll bar dragged back and forth over its range."""

    def begin(self) -> None:
        w = self.widget
        self.positions = [int(p) for p in _sweep(w.value(), w.minimum(), w.maximum(),
                                                 self.count, whole=True)]
        w.setSliderDown(True)  # held, as in a drag: it emits sliderMoved and valueChanged

    def act(self, i: int) -> None:
        self.widget.setSliderPosition(self.positions[i % len(self.positions)])

    def end(self) -> None:
        self.widget.setSliderDown(False)


class _Drag(_Drive):
    """A movable line of a painted plot, pressed, moved within the plot's range, released."""

    def _point(self, value: float):
        import numpy as np
        from PySide6.QtCore import QPointF

        plot, line = self.control.extra, self.widget
        rect = plot.view_rect()
        along = sum(line.span) / 2
        if line.angle == 0:
            _, y = plot.to_widget(np.zeros(1), np.array([value]))
            return QPointF(rect.left() + along * rect.width(), float(y[0]))
        x, _ = plot.to_widget(np.array([value]), np.zeros(1))
        return QPointF(float(x[0]), rect.bottom() - along * rect.height())

    def _send(self, kind, point, button) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        plot = self.control.extra
        held = Qt.MouseButton.NoButton if kind == kind.MouseButtonRelease \
            else Qt.MouseButton.LeftButton
        event = QMouseEvent(kind, point, plot.mapToGlobal(point), button, held,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(plot, event)

    def begin(self) -> None:
        from PySide6.QtCore import QEvent, Qt

        plot, line = self.control.extra, self.widget
        (x0, x1), (y0, y1) = plot.view_range()
        low, high = (y0, y1) if line.angle == 0 else (x0, x1)
        margin = 0.1 * (high - low)
        low, high = low + margin, high - margin
        self.values = _sweep(min(max(line.value(), low), high), low, high, self.count,
                             whole=False)
        self.point = self._point(line.value())
        self._send(QEvent.Type.MouseButtonPress, self.point, Qt.MouseButton.LeftButton)

    def prepare(self, i: int) -> None:
        self.point = self._point(self.values[i % len(self.values)])

    def act(self, i: int) -> None:
        from PySide6.QtCore import QEvent, Qt

        self._send(QEvent.Type.MouseMove, self.point, Qt.MouseButton.NoButton)

    def end(self) -> None:
        from PySide6.QtCore import QEvent, Qt

        self._send(QEvent.Type.MouseButtonRelease, self.point, Qt.MouseButton.LeftButton)


class _Pick(_Drive):
    """A combo box's items, or a tab widget's tabs, picked in turn (a refused one counts)."""

    def begin(self) -> None:
        self.start = self.widget.currentIndex()

    def _pick(self, index: int) -> None:
        from PySide6.QtWidgets import QComboBox

        w = self.widget
        w.setCurrentIndex(index)
        if isinstance(w, QComboBox):  # what a choice from the list sends besides
            w.activated.emit(index)
            w.textActivated.emit(w.itemText(index))

    def act(self, i: int) -> None:
        self._pick((self.start + 1 + i) % max(1, self.widget.count()))

    def end(self) -> None:
        if self.widget.currentIndex() != self.start:
            self._pick(self.start)


class _Step(_Drive):
    """A spin box's arrows clicked, up to its end and back down."""

    def begin(self) -> None:
        self.start = self.widget.value()
        self.direction = 1

    def act(self, i: int) -> None:
        w = self.widget
        if (self.direction > 0 and w.value() >= w.maximum()) or \
                (self.direction < 0 and w.value() <= w.minimum()):
            self.direction = -self.direction
        w.stepBy(self.direction)

    def end(self) -> None:
        self.widget.setValue(self.start)


class _Click(_Drive):
    """A button clicked.

    A check box or checkable button toggles back and forth. A button that adds something
    ("+ Conv") alternates with the removal of what it added (a button named "Remove …" that
    the add showed), so the panel stays comparable. Any other button acts on the panel as it
    was: what a click changed is put back (untimed) before the next, and a playback button
    starts from the middle step, so that each click moves it.
    """

    def begin(self) -> None:
        w = self.widget
        self.toggles = w.isCheckable()
        self.adds = _readable(w.text()).startswith("+")
        self.saved = _state_of(self.panel)
        playback = getattr(self.panel, "playback", None)
        self.playback = playback if playback is not None and playback.isAncestorOf(w) else None
        self.target = w
        self.before: set[int] = set()

    def _buttons(self) -> list:
        from PySide6.QtWidgets import QAbstractButton

        return [b for b in self.panel.findChildren(QAbstractButton)
                if b.isVisible() and b.isEnabled()]

    def prepare(self, i: int) -> None:
        self.target = self.widget
        if self.toggles:
            return
        if self.adds and i % 2 == 1:
            added = [b for b in self._buttons() if id(b) not in self.before and (
                b.accessibleName() or b.toolTip()).startswith("Remove")]
            if added:
                self.target = added[-1]
                return
        _put_back(self.panel, self.saved)
        if self.adds:
            self.before = {id(b) for b in self._buttons()}
        if self.playback is not None:
            self.playback.seek(self.playback.count() // 2)

    def act(self, i: int) -> None:
        self.target.click()


class _Type(_Drive):
    """A text field: a value derived from the one it held typed, then Enter."""

    def begin(self) -> None:
        self.original = self.widget.text()

    def _enter(self, text: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.widget.setText(text)
        QTest.keyClick(self.widget, Qt.Key.Key_Return)

    def act(self, i: int) -> None:
        self._enter(typed_text(self.original, i))

    def end(self) -> None:
        if self.widget.text() != self.original:
            self._enter(self.original)


class _TypeText(_Drive):
    """A plain-text editor (a matrix): one number nudged, then Ctrl+Enter, which applies it."""

    def begin(self) -> None:
        self.original = self.widget.toPlainText()

    def _enter(self, text: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.widget.setPlainText(text)
        QTest.keyClick(self.widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    def act(self, i: int) -> None:
        self._enter(typed_text(self.original, i))

    def end(self) -> None:
        if self.widget.toPlainText() != self.original:
            self._enter(self.original)


class _TypeCell(_Drive):
    """An editable table: one cell's number nudged, then put back; the next cell, and so on."""

    def begin(self) -> None:
        self.typed: dict[tuple[int, int], str] = {}

    def act(self, i: int) -> None:
        cells = self.control.extra
        cell = cells[(i // 2) % len(cells)]
        item = self.widget.item(*cell)
        if i % 2 == 0:
            self.typed[cell] = item.text()
        item.setText(typed_text(self.typed[cell], i))


class _ClickItem(_Drive):
    """A clickable item of a pyqtgraph view (a feature map): pixels clicked all over it."""

    def prepare(self, i: int) -> None:
        from PySide6.QtCore import QPointF

        item, view = self.widget, self.control.extra
        rect = item.boundingRect()
        fx, fy = (0.3 + 0.618 * i) % 1.0, (0.5 + 0.382 * i) % 1.0
        scene = item.mapToScene(QPointF(rect.left() + fx * rect.width(),
                                        rect.top() + fy * rect.height()))
        self.point = view.mapFromScene(scene)

    def act(self, i: int) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.mouseClick(self.control.extra.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, self.point)


DRIVES: dict[str, type[_Drive]] = {
    "slider": _Slide, "scroll bar": _Slide, "handle": _Drag, "box": _Pick, "tabs": _Pick,
    "spin box": _Step, "check box": _Click, "button": _Click, "field": _Type,
    "text": _TypeText, "table": _TypeCell, "item": _ClickItem,
}


def _state_of(panel) -> dict | None:
    try:
        return panel.state_dict()
    except NotImplementedError:
        return None


def _put_back(panel, saved: dict | None) -> None:
    """Stop a playing animation and load ``saved`` if the panel's state moved from it."""
    playback = getattr(panel, "playback", None)
    if playback is not None and playback.is_playing():
        playback.pause()
    if saved is not None and _state_of(panel) != saved:
        panel.load_state_dict(saved)


def _settle(app, panel, seconds: float = 0.15) -> None:
    """Let the panel finish: its throttled checks, and any work it does in the background."""
    _idle_until(app, time.perf_counter() + seconds)
    deadline = time.perf_counter() + 10
    while panel.checks_pending() and time.perf_counter() < deadline:
        _idle_until(app, time.perf_counter() + 0.02)


def _on_tab(control: Control):
    """Show the tab ``control`` is on; returns what puts the tab shown before back."""
    if control.tab is None:
        return None
    tabs, index = control.tab
    shown = tabs.currentIndex()
    tabs.setCurrentIndex(index)
    return tabs, shown


def measure_control(app, panel, control: Control, count: int) -> dict:
    """Time ``count`` changes of ``control`` (rounded up to even: toggles end where they began).

    The panel's state, and the tab shown, are put back afterwards.
    """
    count += count % 2
    saved = _state_of(panel)
    back = _on_tab(control)
    if back is not None:
        _settle(app, panel)
    drive = DRIVES[control.action](control, panel, count)
    drive.begin()
    app.processEvents()
    times = _time_changes(app, drive.act, count, PACE_S[control.kind], drive.prepare)
    drive.end()
    _put_back(panel, saved)
    if back is not None:
        back[0].setCurrentIndex(back[1])
    _settle(app, panel)
    return {"name": control.name, "kind": control.kind, "action": control.action,
            **_summary(times), "budget_ms": control.budget_ms,
            "over_budget": 1e3 * _percentile(times, 0.95) > control.budget_ms,
            "times_ms": [round(1e3 * t, 3) for t in times]}


def control_floor(app, panel, control: Control, count: int) -> dict[str, float]:
    """The floor under ``control``: repainting what its changes repaint, at its pace."""
    saved = _state_of(panel)
    back = _on_tab(control)
    drive = DRIVES[control.action](control, panel, 12)
    drive.begin()
    app.processEvents()
    repaints = _repaints_of(app, drive.act, 0, 12, drive.prepare)
    drive.end()
    _put_back(panel, saved)
    _settle(app, panel)
    times = _time_changes(app, _replay(repaints), count, PACE_S[control.kind])
    if back is not None:
        back[0].setCurrentIndex(back[1])
    _settle(app, panel)
    return _summary(times)


def panel_floor(app, panel, count: int) -> dict[str, float]:
    """The panel's floor: what its ``bench_change`` cycle repaints, repainted a frame apart."""
    saved = _state_of(panel)
    repaints = _repaints_of(app, panel.bench_change, 0, 12)
    _put_back(panel, saved)
    _settle(app, panel)
    times = _time_changes(app, _replay(repaints), count, PACE_S[DRAG])
    row = _summary(times)
    row["repainted_widgets"] = statistics.median(len({id(w) for w, _ in r}) for r in repaints)
    return row


def _worst(rows: list[dict]) -> dict:
    """The row whose p95 takes the largest share of its budget."""
    return max(rows, key=lambda row: row["p95_ms"] / row["budget_ms"])


def open_window(tmp: str):
    """The app's window at :data:`SIZE`, every panel built, settings in ``tmp``."""
    from PySide6.QtCore import QSettings

    from explorer.main_window import MainWindow, application
    from explorer.panels import PANELS

    app = application()
    window = MainWindow(settings=QSettings(os.path.join(tmp, "bench.ini"),
                                           QSettings.Format.IniFormat))
    window.resize(*SIZE)
    window.show()
    for panel_id in PANELS:
        window.panels[panel_id]  # noqa: B018 - builds it, as the window soon does anyway
    for _ in range(5):
        app.processEvents()
    return app, window


def show(app, window, panel_id: str):
    """Show panel ``panel_id`` laid out, its formulas typeset and its work done; return it."""
    window.show_panel(panel_id)
    panel = window.panels[panel_id]
    for _ in range(5):
        app.processEvents()
    panel.prepare_export()
    _settle(app, panel)
    return panel


def bench_panel(app, panel, count: int) -> dict:
    """Every control of a shown panel, its floor, its worst control's own floor, its animation."""
    controls, skipped = find_controls(panel)
    rows = [measure_control(app, panel, control, count) for control in controls]
    worst = _worst(rows)
    result = {"controls": rows, "skipped": skipped, "worst": worst["name"],
              "floor": panel_floor(app, panel, count)}
    control = next(c for c in controls if c.name == worst["name"])
    result["worst_floor"] = control_floor(app, panel, control, count)
    if panel.animated:
        saved = _state_of(panel)
        frames = _time_changes(app, _frame_of(panel), count, PACE_S[DRAG])
        result["frames"] = {**_summary(frames), "budget_ms": BUDGET_MS[DRAG],
                            "missed": _missed_frames(app, panel)}
        _put_back(panel, saved)
        _settle(app, panel)
    return result


def bench_controls(count: int, panel_ids: list[str], tmp: str) -> dict[str, dict]:
    """:func:`bench_panel` for each panel, in one window."""
    app, window = open_window(tmp)
    try:
        return {panel_id: bench_panel(app, show(app, window, panel_id), count)
                for panel_id in panel_ids}
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def _frame_of(panel):
    def frame(_i: int) -> None:
        panel.advance()
    return frame


def _missed_frames(app, panel, frames: int = 600) -> float:
    """Share of frames late by more than half a frame when the animation plays at 60 fps."""
    from PySide6.QtCore import QEventLoop, QTimer

    stamps: list[float] = []
    loop = QEventLoop()

    def frame() -> None:
        panel.advance()
        stamps.append(time.perf_counter())
        if len(stamps) >= frames:
            loop.quit()

    timer = QTimer(panel)
    timer.setTimerType(timer.timerType().PreciseTimer)
    timer.setInterval(16)
    timer.timeout.connect(frame)
    timer.start()
    loop.exec()
    timer.stop()
    timer.deleteLater()
    period = 1 / 60
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return sum(gap > 1.5 * period for gap in gaps) / max(1, len(gaps))


# -- start-up, a large CNN, export, memory --------------------------------------------------------
def _env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = tmp  # a fresh settings file: the app opens at its first panel
    env["NN_BENCH_TMP"] = tmp
    return env


def _first_paint_seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    for line in out.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"no first paint from {command}: {out.stderr.strip()[-300:]}")


def bench_startup(runs: int, tmp: str) -> dict[str, float]:
    """Start-up to the first painted frame: the app against a bare PlotWidget, interleaved."""
    env = _env(tmp)
    app_env = dict(env, NN_EXPLORER_REPORT_FIRST_PAINT="1")
    app_py = str(Path(__file__).resolve().parents[1] / "app.py")
    # An installed app starts from compiled bytecode (pip compiles on install); an editable
    # checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module each start.
    compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=1)
    app_times, bare_times = [], []
    for _ in range(runs):
        bare_times.append(_first_paint_seconds([sys.executable, "-c", _BARE_WINDOW], env))
        app_times.append(_first_paint_seconds([sys.executable, app_py], app_env))
    app_median, bare_median = statistics.median(app_times), statistics.median(bare_times)
    return {"app_s": app_median, "bare_s": bare_median, "ratio": app_median / bare_median}


def bench_cnn_large(count: int = 30, side: int = 1024) -> dict[str, float]:
    """A CNN layer edit at a ``3 × side × side`` input, eight layers deep.

    Times, per edit, the control change to the repainted table and diagram (one
    ``processEvents``, as :func:`bench_updates` does), to the new maps set (they come from the
    worker thread), and to the checks shown after them. The edits cycle the kernel size (3
    and 5) of layers 1, 4 and 7, so passes start at the first, the middle and the last
    convolution.
    """
    from PySide6.QtCore import QEventLoop

    from explorer.main_window import application
    from explorer.model.cnn import Conv2d, MaxPool2d, ReLU
    from explorer.panels.cnn import CnnPanel
    from explorer.views.cnn import layer_values

    stack = (Conv2d(16, 5, 2, 2), ReLU(), MaxPool2d(2), Conv2d(32, 3, 1, 1), ReLU(),
             MaxPool2d(2), Conv2d(64, 3, 1, 1), ReLU())
    app = application()
    panel = CnnPanel()
    panel.resize(*SIZE)
    panel.show()
    layers = [{"kind": kind, **values} for kind, values in map(layer_values, stack)]
    panel.load_state_dict({"input_shape": [3, side, side], "layers": layers,
                           "selection": None, "seed": 0})
    panel.finish_forward()
    for _ in range(5):
        app.processEvents()
    loop = QEventLoop()
    arrivals: dict[str, float] = {}

    def maps_shown(_generation: int) -> None:
        arrivals["maps"] = time.perf_counter()

    def checks_shown(_generation: int) -> None:
        arrivals["checks"] = time.perf_counter()
        loop.quit()

    panel.mapsChanged.connect(maps_shown)
    panel.forwardFinished.connect(checks_shown)

    def edit(i: int) -> None:
        row = panel.layer_rows()[(0, 3, 6)[i % 3]]
        kernel = row.line_edit("kernel_size")
        kernel.setText("5" if kernel.text() == "3" else "3")
        row.commit()

    warm_up = 3
    repainted, maps, checks = [], [], []
    for i in range(warm_up + count):
        arrivals.clear()
        start = time.perf_counter()
        edit(i)
        app.processEvents()
        shown = time.perf_counter()
        if "checks" not in arrivals:
            loop.exec()
        app.processEvents()  # the last repaint
        if i >= warm_up:
            repainted.append(shown - start)
            maps.append(arrivals["maps"] - start)
            checks.append(arrivals["checks"] - start)
    panel.close()
    panel.deleteLater()
    app.processEvents()
    return {"side": side, "edits": count,
            "repaint_median_ms": 1e3 * statistics.median(repainted),
            "repaint_p95_ms": 1e3 * _percentile(repainted, 0.95),
            "maps_median_ms": 1e3 * statistics.median(maps),
            "maps_p95_ms": 1e3 * _percentile(maps, 0.95),
            "checks_median_ms": 1e3 * statistics.median(checks),
            "checks_p95_ms": 1e3 * _percentile(checks, 0.95),
            "target_ms": CNN_LARGE_TARGET_MS}


def bench_export(tmp: str) -> float:
    """Seconds for ``python app.py --export`` of every panel, in a fresh process."""
    app_py = str(Path(__file__).resolve().parents[1] / "app.py")
    start = time.perf_counter()
    subprocess.run([sys.executable, app_py, "--export", os.path.join(tmp, "shots")],
                   env=_env(tmp), check=True, capture_output=True, timeout=300)
    return time.perf_counter() - start


def bench_memory(tmp: str) -> float:
    """Resident memory (MiB) after the window has shown every panel."""
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], env=_env(tmp), check=True,
                         capture_output=True, text=True, timeout=300)
    kib = next(int(line.split()[1]) for line in out.stdout.splitlines()
               if line.startswith("rss-kib"))
    return kib / 1024


def bench_model() -> dict[str, float]:
    """Model-only timings that an issue asks for on their own (median of 20, milliseconds)."""
    results: dict[str, float] = {}
    try:
        import numpy as np

        from explorer.model import cnn
    except ImportError:
        return results
    if hasattr(cnn, "SEED_NETWORK") and hasattr(cnn, "default_weights"):
        shape = getattr(cnn, "SEED_INPUT_SHAPE", (3, 128, 128))
        weights = cnn.default_weights(shape, cnn.SEED_NETWORK)
        image = np.random.default_rng(0).random(shape)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            cnn.forward(image, cnn.SEED_NETWORK, weights)
            times.append(time.perf_counter() - start)
        results["cnn_forward_ms"] = 1e3 * statistics.median(times)
    return results


# -- reports -------------------------------------------------------------------------------------
def _mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def controls_table(panels: dict[str, dict], every: bool = False) -> list[str]:
    """The worst control of each panel against its budget and against twice the panel's floor.

    With ``every``, every control of every panel follows, worst first.
    """
    budgets = ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in BUDGET_MS.items())
    lines = [f"Every control of every panel, p95 of its changes against its budget ({budgets}); "
             f"floor: p95 of repainting what the panel's changes repaint",
             f"{'panel':<12} {'controls':>8} {'misses':>6}  {'worst control':<48} "
             f"{'kind':<11} {'median':>7} {'p95':>7} {'budget':>7} {'':4} {'floor':>6} "
             f"{'2×floor':>7} {'':4} {'own floor':>9}"]
    for panel_id, result in panels.items():
        rows = result["controls"]
        worst = next(row for row in rows if row["name"] == result["worst"])
        twice = FLOOR_FACTOR * result["floor"]["p95_ms"]
        lines.append(
            f"{panel_id:<12} {len(rows):>8} {sum(r['over_budget'] for r in rows):>6}  "
            f"{worst['name'][:48]:<48} {worst['kind']:<11} {worst['median_ms']:>7.1f} "
            f"{worst['p95_ms']:>7.1f} {worst['budget_ms']:>7.1f} "
            f"{_mark(not worst['over_budget']):<4} {result['floor']['p95_ms']:>6.1f} "
            f"{twice:>7.1f} {_mark(worst['p95_ms'] <= twice):<4} "
            f"{result['worst_floor']['p95_ms']:>9.1f}")
    lines.append("own floor: p95 of repainting what the worst control's changes repaint")
    misses = [(panel_id, row) for panel_id, result in panels.items()
              for row in result["controls"] if row["over_budget"]]
    if misses:
        lines.append("over budget:")
        lines += [f"  {panel_id:<12} {row['name']:<56} p95 {row['p95_ms']:6.1f} ms "
                  f"> {row['budget_ms']:.1f} ms" for panel_id, row in misses]
    for panel_id, result in panels.items():
        if result["skipped"]:
            left = "; ".join(f"{s['name']} ({s['reason']})" for s in result["skipped"])
            lines.append(f"left out of {panel_id}: {left}")
    for panel_id, result in panels.items():
        frames = result.get("frames")
        if frames:
            lines.append(
                f"{panel_id} animation frame: {frames['median_ms']:.1f} ms median, "
                f"{frames['p95_ms']:.1f} ms p95 (budget {frames['budget_ms']:.1f}) "
                f"{_mark(frames['p95_ms'] <= frames['budget_ms'])}; "
                f"missed at 60 fps {100 * frames['missed']:.1f}% "
                f"{_mark(frames['missed'] <= MISSED_FRAMES_TARGET)}")
    if every:
        for panel_id, result in panels.items():
            lines += ["", f"{panel_id}: every control, worst first",
                      f"  {'control':<60} {'kind':<11} {'median':>7} {'p95':>7} {'budget':>7}"]
            for row in sorted(result["controls"], key=lambda r: -r["p95_ms"] / r["budget_ms"]):
                lines.append(f"  {row['name'][:60]:<60} {row['kind']:<11} "
                             f"{row['median_ms']:>7.1f} {row['p95_ms']:>7.1f} "
                             f"{row['budget_ms']:>7.1f} {_mark(not row['over_budget'])}")
    return lines


def _report_startup(s: dict) -> str:
    return (f"start-up to first frame: app {s['app_s']:.3f} s, bare PlotWidget "
            f"{s['bare_s']:.3f} s, ratio {s['ratio']:.2f} (target <= {STARTUP_TARGET}) "
            f"{_mark(s['ratio'] <= STARTUP_TARGET)}")


def _report_cnn_large(large: dict) -> str:
    return (f"cnn layer edit at 3 × {large['side']} × {large['side']}, 8 layers: table and "
            f"diagram {large['repaint_median_ms']:.1f} ms median, {large['repaint_p95_ms']:.1f} "
            f"ms p95 (target p95 <= {large['target_ms']:.1f}) "
            f"{_mark(large['repaint_p95_ms'] <= large['target_ms'])}; maps "
            f"{large['maps_median_ms']:.0f} ms median, {large['maps_p95_ms']:.0f} ms p95; "
            f"checks {large['checks_median_ms']:.0f} ms median, {large['checks_p95_ms']:.0f} "
            "ms p95")


def _screen(tmp: str) -> None:
    """Without a display, Qt's offscreen platform, with a screen a 1280 × 800 window fits on.

    Its own screen is 800 × 800, which squeezes the window (and so every panel) to fit.
    """
    platform = os.environ.get("QT_QPA_PLATFORM")
    if platform is None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        platform = "offscreen"
    if platform == "offscreen":
        config = Path(tmp) / "screen.json"
        config.write_text(json.dumps({"screens": [{
            "name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080,
            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print a table (and JSON with ``--json PATH``); always exit 0."""
    parser = argparse.ArgumentParser(prog="python -m explorer.bench", description=__doc__)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--changes", type=int, default=30, help="changes per control")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each side")
    parser.add_argument("--panel", action="append", help="only these panels")
    parser.add_argument("--controls-only", action="store_true",
                        help="only the controls: no start-up, large CNN, export or memory")
    parser.add_argument("--all", action="store_true", help="print every control of every panel")
    args = parser.parse_args(argv)
    from explorer.panels import PANELS

    ids = args.panel or list(PANELS)
    with tempfile.TemporaryDirectory(prefix="nn-bench-") as tmp:
        _screen(tmp)
        report = {"startup": None if args.controls_only else bench_startup(args.runs, tmp),
                  "changes": args.changes,
                  "panels": bench_controls(args.changes, ids, tmp)}
        if not args.controls_only:
            report["cnn_large"] = bench_cnn_large() if "cnn" in ids else None
            report["model"] = bench_model()
            report["export_all_s"] = bench_export(tmp)
            report["memory_mib"] = bench_memory(tmp)
        print("\n".join(_report(report, args.all)))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


def _report(report: dict, every: bool) -> list[str]:
    lines = []
    if report["startup"] is not None:
        lines += [_report_startup(report["startup"]), ""]
    lines += controls_table(report["panels"], every)
    if report.get("cnn_large") is not None:
        lines.append(_report_cnn_large(report["cnn_large"]))
    if "model" in report:
        lines.append("")
        lines += [f"{name}: {value:.2f}" for name, value in report["model"].items()]
        lines.append(f"export of all panels: {report['export_all_s']:.2f} s")
        lines.append(f"resident memory after visiting every panel: {report['memory_mib']:.0f} MiB")
    return lines


if __name__ == "__main__":
    sys.exit(main())
