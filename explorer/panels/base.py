"""The Panel base every topic panel derives from."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QTimer, Signal
from PySide6.QtWidgets import QWidget

from explorer.model.checks import Check

#: Widgets whose centres are less than this far apart vertically sit in one row (for Tab).
ROW_SPAN = 12


class Panel(QWidget):
    """One topic of the homework: controls, plots and live checks.

    Subclasses set ``id``, ``title`` and ``questions``, build their plot items once, and funnel
    every change through one update path that ends by emitting :attr:`changed`.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    questions: ClassVar[str]
    #: Emitted after the panel has redrawn.
    changed = Signal()
    #: Emitted with the fresh list of checks after :meth:`refresh_checks` has run them.
    checksChanged = Signal(list)
    #: Checks run at most this often (ms) while a control is being dragged: a badge cannot be
    #: read at 60 frames per second, and the finite differences need not cost every frame.
    CHECK_INTERVAL_MS = 60

    def refresh_checks(self) -> None:
        """Run :meth:`checks` soon (throttled) and show them; call at the end of each update."""
        timer = getattr(self, "_check_timer", None)
        if timer is None:
            timer = self._check_timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(self.CHECK_INTERVAL_MS)
            timer.timeout.connect(self.run_checks)
        if not timer.isActive():
            timer.start()

    def run_checks(self) -> list[Check]:
        """Run the checks now, show them in the panel's ``checks_strip`` and announce them."""
        timer = getattr(self, "_check_timer", None)
        if timer is not None:
            timer.stop()
        result = self.checks()
        strip = getattr(self, "checks_strip", None)
        if strip is not None:
            strip.set_checks(result)
        self._last_checks = result
        self.checksChanged.emit(result)
        return result

    def checks_pending(self) -> bool:
        """Whether checks are on their way (run in the background); none are, by default."""
        return False

    def last_checks(self) -> list[Check]:
        """The checks as last shown (runs them if they never ran)."""
        checks = getattr(self, "_last_checks", None)
        return checks if checks is not None else self.run_checks()

    def reset(self) -> None:
        """Go back to the homework's own example."""
        raise NotImplementedError

    def checks(self) -> list[Check]:
        """Verify what the panel shows right now against independent references."""
        raise NotImplementedError

    # ``state`` is each panel's dataclass attribute, hence the ``_dict`` in these names.
    def state_dict(self) -> dict:
        """The parameters the student set, as plain JSON data (the window saves it on exit)."""
        raise NotImplementedError

    def load_state_dict(self, state: dict) -> None:
        """Show ``state`` (from :meth:`state_dict`) through the panel's usual update path.

        Every field is checked before anything changes; keys it does not know are ignored.

        Raises
        ------
        ValueError
            With a one-line reason, if a field is missing, of the wrong type, not finite, or
            not accepted by the model; the panel is then left exactly as it was.
        """
        raise NotImplementedError

    def explanation(self) -> str:
        """The panel's explanation as HTML (F1 shows it): its longest text browser's contents."""
        from PySide6.QtWidgets import QTextBrowser

        browsers = self.findChildren(QTextBrowser)
        if not browsers:
            return f"<h3>{self.title}</h3>"
        return max(browsers, key=lambda b: len(b.toPlainText())).toHtml()

    def bench_change(self, i: int) -> None:
        """Make the ``i``-th of a cycle of representative control changes.

        It goes through the same path a student's edit takes; ``python -m explorer.bench``
        times these.
        """
        raise NotImplementedError

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

    def tidy_tab_order(self) -> None:
        """Put Tab's order in reading order: column by column, each top to bottom, left to right.

        Qt's default order is creation order, which puts a playback bar built early before the
        controls above it and rows added later (a new CNN layer) after everything else.
        """
        from PySide6.QtCore import Qt
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
        playback = getattr(self, "playback", None)
        if playback is None or not playback.handle_key(event):
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:  # noqa: D102 - Qt override
        playback = getattr(self, "playback", None)
        if playback is not None:
            playback.pause()
        super().closeEvent(event)

    # -- animation and data, for the exports ------------------------------------------------
    def is_animated(self) -> bool:
        """Whether the panel has an animation (a ``playback`` bar driving ``advance()``)."""
        return getattr(self, "playback", None) is not None

    def animation_steps(self) -> int:
        """Number of steps in the animation's full sequence (0 for a panel without one)."""
        return self.playback.count() if self.is_animated() else 0

    def animation_step(self) -> int:
        """The step the animation shows, from 0."""
        if not self.is_animated():
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
        if not self.is_animated():
            raise ValueError(f"the {self.title} panel has no animation")
        if not 0 <= step < count:
            raise ValueError(f"step {step} is outside the animation's steps 0 … {count - 1}")
        self.playback.seek(step)

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The numbers the panel shows as named tables: ``{name: (header, rows)}``.

        Cells are numbers or short strings; File ▸ Export data as CSV writes them. Panels
        override this; the base has none.
        """
        return {}
