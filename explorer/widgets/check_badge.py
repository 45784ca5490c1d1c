"""Small badges that show a panel's live checks: green when they pass, red when they fail."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from explorer.model.checks import Check
from explorer.widgets.flow_layout import FlowLayout
from explorer.widgets.theme import set_style_sheet

_PASS_STYLE = ("QLabel { background: #e3f4ea; color: #14532d; border: 1px solid #7cc49b;"
               " border-radius: 8px; padding: 2px 8px; }")
_FAIL_STYLE = ("QLabel { background: #fde8e8; color: #7f1d1d; border: 1px solid #e08a8a;"
               " border-radius: 8px; padding: 2px 8px; }")


class CheckBadge(QLabel):
    """One check as a rounded label: "✓ name, max error 2e-10"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._check: Check | None = None

    def set_check(self, check: Check) -> None:
        """Show ``check``."""
        restyle = self._check is None or self._check.passed != check.passed
        self._check = check
        mark = "✓" if check.passed else "✗"
        self.setText(f"{mark} {check.summary()}")
        if restyle:  # re-polishing a style sheet is costly; do it only when the verdict flips
            set_style_sheet(self, _PASS_STYLE if check.passed else _FAIL_STYLE)
        self.setToolTip(
            f"{check.name}\nlargest |shown − reference| = {check.max_abs_error:.3e}\n"
            f"tolerance {check.tolerance:.0e}: {'passes' if check.passed else 'FAILS'}"
        )

    def check(self) -> Check | None:
        """The check shown."""
        return self._check


class CheckStrip(QWidget):
    """Rows of badges, wrapped to the strip's width; reuses its labels (no widget creation).

    Like a :class:`~explorer.widgets.page.WrappedLabel` it asks for the height its badges need at
    its present width instead of having a height-for-width, so a page lays out at its minimum.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self._badges: list[CheckBadge] = []
        self._needed = 0
        self._fitted_width = -1
        self.setToolTip("Live checks: each value on screen compared with an independent oracle")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def hasHeightForWidth(self) -> bool:  # noqa: D102 - Qt override
        return False

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(self._layout.minimumSize().width(), self._needed)

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return self.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # At one width the strip only grows: new numbers that wrap a badge differently must not
        # make the plots above it jump by a row on every change. A new width fits it anew.
        needed = self._layout.heightForWidth(max(1, self.width()))
        if self.width() == self._fitted_width:
            needed = max(needed, self._needed)
        self._fitted_width = self.width()
        if needed != self._needed:
            self._needed = needed
            self.updateGeometry()

    def set_checks(self, checks: Sequence[Check]) -> None:
        """Show ``checks``, one badge each."""
        while len(self._badges) < len(checks):
            badge = CheckBadge(self)
            self._layout.addWidget(badge)
            self._badges.append(badge)
        for badge, check in zip(self._badges, checks, strict=False):
            badge.set_check(check)
            badge.show()
        for badge in self._badges[len(checks):]:
            badge.hide()
        self._fit()

    def badges(self) -> list[CheckBadge]:
        """The visible badges."""
        return [b for b in self._badges if not b.isHidden()]
