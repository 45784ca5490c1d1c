"""The Panel base every topic panel derives from."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QPoint,
    QRect,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox, QWidget

from explorer.model.checks import Check
from explorer.model.quiz import Question
from explorer.views.fields import FieldError, field_value, from_json, to_json, with_field
from explorer.widgets.callout import ErrorCallout
from explorer.widgets.matrix_input import MatrixInput
from explorer.widgets.number_input import NumberInput, VectorInput
from explorer.widgets.playback import PlaybackBar

#: Widgets whose centres are less than this far apart vertically sit in one row (for Tab).
ROW_SPAN = 12


def control_value(control: QWidget, field: str, state) -> object:
    """What a bound control says the field should be, in the field's type."""
    if isinstance(control, NumberInput):
        value = control.value()
        # A whole-number field gets an int; 2.5 stays 2.5, for compute to refuse (no rounding).
        current = field_value(state, field)
        whole = isinstance(current, int) and not isinstance(current, bool)
        return int(value) if whole and float(value).is_integer() else value
    if isinstance(control, VectorInput):
        return tuple(float(v) for v in control.value())
    if isinstance(control, MatrixInput):
        return tuple(tuple(float(v) for v in row) for row in control.value())
    if isinstance(control, QComboBox):
        data = control.currentData()
        return data if data is not None else control.currentText()
    if isinstance(control, QCheckBox):
        return control.isChecked()
    return control.value()  # QSpinBox


def show_value(control: QWidget, value: object) -> None:
    """Put a bound control on ``value`` without a change signal (a no-op if it shows it)."""
    if isinstance(control, NumberInput):
        if control.value() != value or control.error():
            control.set_value(value)
    elif isinstance(control, VectorInput | MatrixInput):
        shown = np.asarray(control.value())
        wanted = np.asarray(value, dtype=np.float64)
        if shown.shape != wanted.shape or not np.array_equal(shown, wanted) or control.error():
            control.set_value(wanted)
    elif isinstance(control, QComboBox):
        index = control.findData(value)
        if index < 0:
            index = control.findText(str(value))
        if index != control.currentIndex():
            with QSignalBlocker(control):
                control.setCurrentIndex(index)
    elif isinstance(control, QCheckBox):
        if control.isChecked() != value:
            with QSignalBlocker(control):
                control.setChecked(bool(value))
    elif control.value() != value:  # QSpinBox
        with QSignalBlocker(control):
            control.setValue(value)


class Panel(QWidget):
    """One topic of the homework: controls, plots and live checks, on one path of change.

    A panel declares its ``State`` (a frozen dataclass whose default is the homework's own
    example) and implements three things:

    - :meth:`compute` — the pure step, in ``explorer/views/<id>.py``: check a candidate state
      and work out everything the panel shows, or raise ValueError (a
      :class:`~explorer.views.fields.FieldError` names the field at fault);
    - :meth:`show_view` — move the panel's widgets to a computed view (never touching the
      state or the controls);
    - :meth:`bind` — declare which control shows which state field, once, while building.

    Every change goes through :meth:`set_state`: compute from the candidate, commit only if
    that succeeded, otherwise show the error at the control that caused it; then put every
    bound control on the new state, show the view, run the checks, emit :attr:`changed`.
    Saving and restoring (:meth:`state_dict`, :meth:`load_state_dict`) read the dataclass's
    fields. The Check yourself bar asks :meth:`quiz`; an animated panel has a :attr:`playback`
    bar and an :meth:`advance`.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    questions: ClassVar[str]
    #: The state's dataclass; ``State()`` is the homework's own example.
    State: ClassVar[type]
    #: Whether the panel has an animation: a :attr:`playback` bar driving :meth:`advance`.
    animated: ClassVar[bool] = False
    #: The playback bar of an animated panel (None for a still one).
    playback: PlaybackBar | None = None
    #: Emitted after the panel has redrawn.
    changed = Signal()
    #: Emitted with the fresh list of checks after :meth:`refresh_checks` has run them.
    checksChanged = Signal(list)
    #: Checks run at most this often (ms) while a control is being dragged: a badge cannot be
    #: read at 60 frames per second, and the finite differences need not cost every frame.
    CHECK_INTERVAL_MS = 60

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = self.State()
        #: What :meth:`compute` made of :attr:`state` (None until the first :meth:`set_state`).
        self.view = None
        self._bindings: dict[str, QWidget] = {}
        self._fields: dict[int, tuple] = {}  # id(control) -> (field, setter)
        self._refused: set[QWidget] = set()
        #: Why the last change of a control without a message line of its own (a box, a
        #: table, a plot handle) was refused; it floats under that control.
        self.refusal = ErrorCallout(self)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(self.CHECK_INTERVAL_MS)
        self._check_timer.timeout.connect(self.run_checks)
        self._last_checks: list[Check] | None = None

    # -- what each panel provides ----------------------------------------------------------
    def compute(self, state, previous):
        """The view of ``state`` (``previous``: the view shown, to reuse); ValueError if not.

        Pure: no widget is touched, so a refused state changes nothing on screen.
        """
        raise NotImplementedError

    def show_view(self, view, previous) -> None:
        """Move the panel's widgets to ``view`` (``previous`` is the one they showed, or None)."""
        raise NotImplementedError

    def checks(self) -> list[Check]:
        """Verify what the panel shows right now against independent references.

        The view's ``checks()``: they are worked out with it, without Qt.
        """
        return self.view.checks()

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions about what the panel shows now (the bar asks these)."""
        return []

    def advance(self) -> None:
        """One animation step (animated panels; the playback bar's timer calls it)."""

    def bench_change(self, i: int) -> None:
        """Make the ``i``-th of a cycle of representative control changes.

        It goes through the same path a student's edit takes; ``python -m explorer.bench``
        times these.
        """
        raise NotImplementedError

    # -- the one path of change ------------------------------------------------------------
    def bind(self, field: str, control: QWidget, setter=None) -> None:
        """Let ``control`` show state ``field`` (a dotted path for a nested state) and set it.

        A student's change of the control becomes a candidate state for :meth:`set_state`:
        ``setter(state, value)`` if given (for a field that is a property of the state, such
        as a count derived from a vector), else the state with the field replaced. Every
        committed state puts the control back on the field's value (:meth:`sync_controls`).
        """
        self._bindings[field] = control
        self._fields[id(control)] = (field, setter)
        if isinstance(control, NumberInput | VectorInput | MatrixInput):
            control.valueChanged.connect(self._control_changed)
        elif isinstance(control, QComboBox):
            control.currentIndexChanged.connect(self._control_changed)
        elif isinstance(control, QCheckBox):
            control.toggled.connect(self._control_changed)
        elif isinstance(control, QSpinBox):
            control.valueChanged.connect(self._control_changed)
        else:
            raise TypeError(f"cannot bind a {type(control).__name__}")

    def _candidate(self, state, control: QWidget):
        """``state`` with the value ``control`` shows in its field."""
        field, setter = self._fields[id(control)]
        value = control_value(control, field, state)
        return setter(state, value) if setter is not None else with_field(state, field, value)

    def _control_changed(self, _value: object) -> None:
        control = self.sender()
        try:
            state = self._candidate(self.state, control)
        except ValueError as exc:  # a setter that cannot make a state of it (no photo)
            self._refuse(control, exc)
            return
        self._offer(state, control)

    def edit(self, source: QWidget | None, **changes: object) -> bool:
        """Set fields (``one__mode`` for ``one.mode``) as ``source`` asks; whether shown.

        A refusal is shown at ``source`` (see :meth:`set_state`). A value typed into one of
        these fields and refused no longer waits: the value set here replaces it.
        """
        state = self.state
        for key, value in changes.items():
            field = key.replace("__", ".")
            state = with_field(state, field, value)
            # A value typed into this field and waiting is replaced by the one set here.
            control = self._bindings.get(field)
            if control in self._refused:
                control.clear_error()
                self._refused.discard(control)
        return self._offer(state, source)

    def _offer(self, state, source: QWidget | None) -> bool:
        """:meth:`set_state`, trying first with the values that wait in refused fields.

        A value typed into a field and refused (d = 3 with a kernel too long for it) stays
        there as typed; the change that makes it acceptable (a shorter kernel) applies it too.
        """
        waiting = state
        try:
            for control in self._refused:
                if control is not source:
                    waiting = self._candidate(waiting, control)
            view = self.compute(waiting, self.view) if waiting != state else None
        except ValueError:
            view = None  # they still do not fit: the change alone, below
        if view is not None:
            self._commit(waiting, view)
            return True
        return self.set_state(state, source)

    def set_state(self, state, source: QWidget | None = None) -> bool:
        """Show ``state``, or leave everything as it is and say why at ``source``.

        Parameters
        ----------
        state
            A candidate :attr:`State`.
        source : QWidget, optional
            The control whose change made the candidate: a refusal is shown there (or at the
            control bound to the field a FieldError names). Without one (a reset, a loaded
            state) a refusal is raised instead, and the view is drawn afresh, as on a new
            panel (``show_view`` gets no previous view: ranges fit the new numbers).

        Returns
        -------
        bool
            Whether the state was shown.
        """
        try:
            view = self.compute(state, self.view)
        except ValueError as exc:
            if source is None:
                if isinstance(exc, FieldError):
                    raise ValueError(exc.located()) from None
                raise
            self._refuse(source, exc)
            return False
        self._commit(state, view, fresh=source is None)
        return True

    def _commit(self, state, view, fresh: bool = False) -> None:
        """Make ``state`` the panel's and show ``view`` (``fresh``: redraw everything)."""
        previous, old, self.state, self.view = self.view, self.state, state, view
        # A refused field whose value the new state holds, or whose field changed, is settled;
        # the others keep their text and message, waiting.
        for control in list(self._refused):
            field = self._fields[id(control)][0]
            try:
                held = self._candidate(state, control) == state
            except ValueError:
                held = False
            if fresh or held or field_value(old, field) != field_value(state, field):
                control.clear_error()
                self._refused.discard(control)
        self.refusal.clear()
        self.sync_controls()
        self.show_view(view, None if fresh else previous)
        self.refresh_checks()
        self.changed.emit()

    def _refuse(self, source: QWidget, exc: ValueError) -> None:
        """Show why a change was refused, at the control that made it (or the field's)."""
        target = source
        if isinstance(exc, FieldError) and exc.field in self._bindings \
                and id(source) not in self._fields:
            target = self._bindings[exc.field]
        if hasattr(target, "show_error"):
            target.show_error(str(exc))  # a text field keeps what was typed, beside it
            self._refused.add(target)
        else:
            self.refusal.show_message(str(exc), target)
        # Every other control goes back to what the panel still shows.
        self.sync_controls()

    def sync_controls(self) -> None:
        """Put every bound control on the state's value (without a change signal)."""
        for field, control in self._bindings.items():
            if control in self._refused:
                continue  # a refused text stays until it is corrected or replaced
            show_value(control, field_value(self.state, field))

    def reset(self) -> None:
        """Go back to the homework's own example."""
        if self.playback is not None:
            self.playback.pause()
        self.set_state(self.State())

    # ``state`` is each panel's dataclass attribute, hence the ``_dict`` in these names.
    def state_dict(self) -> dict:
        """The parameters the student set, as plain JSON data (the window saves them)."""
        return to_json(self.state)

    def load_state_dict(self, data: dict) -> None:
        """Show ``data`` (from :meth:`state_dict`) through :meth:`set_state`.

        Every field is read and checked, and the whole state computed, before anything
        changes.

        Raises
        ------
        ValueError
            With a one-line reason naming the field, if a value is missing, has the wrong form
            or is not accepted; the panel is then left exactly as it was.
        """
        self.set_state(from_json(self.State, data))

    # -- checks ------------------------------------------------------------------------------
    def refresh_checks(self) -> None:
        """Run :meth:`checks` soon (throttled) and show them; call at the end of each update."""
        if not self._check_timer.isActive():
            self._check_timer.start()

    def run_checks(self) -> list[Check]:
        """Run the checks now, show them in the panel's ``checks_strip`` and announce them."""
        self._check_timer.stop()
        result = self.checks()
        self.checks_strip.set_checks(result)
        self._last_checks = result
        self.checksChanged.emit(result)
        return result

    def checks_pending(self) -> bool:
        """Whether checks are on their way (run in the background); none are, by default."""
        return False

    def last_checks(self) -> list[Check]:
        """The checks as last shown (runs them if they never ran)."""
        return self._last_checks if self._last_checks is not None else self.run_checks()

    def explanation(self) -> str:
        """The panel's explanation as HTML (F1 shows it)."""
        return self.page.explanation.browser.toHtml()

    def prepare_export(self) -> None:
        """Finish any deferred rendering (typeset formulas) before the panel is grabbed."""
        from explorer.widgets.equation import EquationView
        from explorer.widgets.painted_plot import PaintedPlot

        for view in self.findChildren(EquationView):
            view.render_now()
        # Typeset formulas change label heights; each layout pass can request the next.
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        # Legends placed after a resize or a change wait for the event loop: place them now.
        for plot in self.findChildren(PaintedPlot):
            plot.flush_legend()

    def thicken_lines(self, width: float = 2.0) -> None:
        """Draw the panel's thin curves ``width`` pixels wide, for a picture of it (an export).

        On screen the plots use 1-pixel pens, which Qt repaints about four times faster; a
        picture for a slide or a handout is drawn once and reads better with bolder lines.
        """
        import pyqtgraph as pg

        from explorer.widgets.painted_plot import PaintedPlot

        for view in self.findChildren(pg.PlotWidget):
            for item in view.getPlotItem().listDataItems():
                pen = item.opts.get("pen")
                if pen is None:
                    continue
                pen = pg.mkPen(pen)
                if pen.style() != Qt.PenStyle.NoPen and pen.widthF() <= 1.0:
                    pen.setWidthF(width)
                    item.setPen(pen)
        for plot in self.findChildren(PaintedPlot):
            plot.thicken_curves(width)

    def tidy_tab_order(self) -> None:
        """Put Tab's order in reading order: column by column, each top to bottom, left to right.

        Qt's default order is creation order, which puts a playback bar built early before the
        controls above it and rows added later (a new CNN layer) after everything else.
        """
        from PySide6.QtWidgets import QScrollArea

        column = self.page.side.widget()

        def place(widget: QWidget) -> tuple[int, int, int, int]:
            """(side, top, inner top, left): where a reader meets ``widget``."""
            # The controls column first, then the rest of the page.
            frame = column if column.isAncestorOf(widget) else self
            # A scroll area reads as one block at its place (the CNN layer list, the page's
            # content), what it holds from top to bottom within it, wherever it is scrolled.
            areas, parent = [], widget.parentWidget()
            while parent is not None and parent is not frame:
                if isinstance(parent, QScrollArea):
                    areas.append(parent)
                parent = parent.parentWidget()
            side = int(frame is self)
            if not areas:
                centre = widget.mapTo(frame, widget.rect().center())
                return side, centre.y(), 0, centre.x()
            block, inner = areas[-1], areas[:-1]
            # Within the block, the part of the widget that scroll areas inside it show.
            rect = QRect(widget.mapTo(block.widget(), QPoint(0, 0)), widget.size())
            for area in inner:
                viewport = area.viewport()
                rect &= QRect(viewport.mapTo(block.widget(), QPoint(0, 0)), viewport.size())
            centre = rect.center()
            return side, block.mapTo(frame, QPoint(0, 0)).y(), centre.y(), centre.x()

        # A widget that hands its focus to a proxy (a tab widget, a spin box) is not a stop of
        # its own: its proxy is in the list.
        focusable = [w for w in self.findChildren(QWidget)
                     if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(self)
                     and w.isEnabled() and not w.isWindow() and w.focusProxy() is None]
        # Rows top to bottom (centres less than a row apart share one), each left to right.
        places = sorted(((place(w), w) for w in focusable), key=lambda entry: entry[0][:3])
        rows: list[list[tuple[tuple[int, int, int, int], QWidget]]] = []
        for entry in places:
            first = rows[-1][0][0] if rows else None
            if (first is None or first[0] != entry[0][0] or entry[0][1] - first[1] >= ROW_SPAN
                    or entry[0][2] - first[2] >= ROW_SPAN):
                rows.append([])
            rows[-1].append(entry)
        focusable = [w for row in rows for _, w in sorted(row, key=lambda e: e[0][3])]
        # Chained from the panel itself, whose place in the chain is where Tab enters it. Qt
        # links only focusable widgets, so a panel without focus is made focusable meanwhile.
        policy = self.focusPolicy()
        if policy == Qt.FocusPolicy.NoFocus:
            self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        for first, second in zip([self, *focusable], focusable, strict=False):
            QWidget.setTabOrder(first, second)
        self.setFocusPolicy(policy)

    def showEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        # Laid out by now, so positions are real; a deferred call lets the layouts settle.
        QTimer.singleShot(0, self, self.tidy_tab_order)

    def keyPressEvent(self, event) -> None:  # noqa: D102 - Qt override
        # Animated panels own a ``playback`` bar: Space, arrows, Home and End drive it.
        if self.playback is None or not self.playback.handle_key(event):
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self.playback is not None:
            self.playback.pause()
        super().closeEvent(event)

    # -- animation and data, for the exports ------------------------------------------------
    def animation_steps(self) -> int:
        """Number of steps in the animation's full sequence (0 for a panel without one)."""
        return self.playback.count() if self.animated else 0

    def animation_step(self) -> int:
        """The step the animation shows, from 0."""
        if not self.animated:
            raise ValueError(f"the {self.title} panel has no animation")
        return self.playback.position()

    def seek(self, step: int) -> None:
        """Show animation step ``step`` (from 0), exactly as dragging the step slider there.

        Raises
        ------
        ValueError
            If the panel has no animation or ``step`` is outside 0 … animation_steps() − 1.
        """
        count = self.animation_steps()
        if not self.animated:
            raise ValueError(f"the {self.title} panel has no animation")
        if not 0 <= step < count:
            raise ValueError(f"step {step} is outside the animation's steps 0 … {count - 1}")
        self.playback.seek(step)

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The numbers the panel shows as named tables: ``{name: (header, rows)}``.

        Cells are numbers or short strings; File ▸ Export data as CSV writes them. They are the
        view's ``tables()``, worked out with it.
        """
        return self.view.tables()
