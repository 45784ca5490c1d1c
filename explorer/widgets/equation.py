"""A label showing a typeset formula, rendered by matplotlib's mathtext off the start-up path."""

from __future__ import annotations

import io
from functools import lru_cache

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget


@lru_cache(maxsize=512)
def _render_png(tex: str, points: float, color: str, dpi: int) -> bytes:
    # Imported here: matplotlib costs a few hundred milliseconds and must not delay the first frame.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(0.01, 0.01), dpi=dpi)
    FigureCanvasAgg(figure)
    figure.text(0, 0, tex, fontsize=points, color=color, math_fontfamily="dejavusans")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, transparent=True, bbox_inches="tight",
                   pad_inches=0.02)
    return buffer.getvalue()


#: Typeset formulas by (tex, points, colour, dpi), decoded (QImage: no tie to the application).
_images: dict[tuple, QImage] = {}


class EquationView(QLabel):
    r"""A typeset formula.

    Until it is first painted the label shows its plain-text fallback; the typeset image replaces
    it right after, so importing matplotlib never delays the window's first frame.

    Parameters
    ----------
    tex : str
        Mathtext, e.g. ``r"$\frac{\partial L}{\partial a} = f - y$"``; text outside ``$`` is
        allowed.
    fallback : str
        Plain text shown until the formula is rendered (and as the tooltip).
    points : float
        Font size in points.
    """

    def __init__(self, tex: str, fallback: str = "", points: float = 12.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(fallback or tex, parent)
        self._tex = tex
        self._points = points
        self._rendered_key: tuple | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setToolTip(fallback or tex)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def tex(self) -> str:
        """The mathtext source."""
        return self._tex

    def set_tex(self, tex: str, fallback: str = "") -> None:
        """Show another formula (rendered at the next paint)."""
        if tex == self._tex:
            return
        self._tex = tex
        self._rendered_key = None
        if fallback:
            self.setToolTip(fallback)
        if self.isVisible():
            QTimer.singleShot(0, self, self._render_later)

    def _key(self) -> tuple:
        color = self.palette().color(self.foregroundRole()).name()
        ratio = max(1.0, self.devicePixelRatioF())
        return (self._tex, self._points, color, int(round(100 * ratio)))

    def _render_later(self) -> None:
        # PySide can still deliver a deferred call whose context widget has just been deleted
        # (seen when a test's last reference outlives qtbot's teardown): skip it then.
        if shiboken6.isValid(self):
            self.render_now()

    def render_now(self) -> None:
        """Typeset the formula now (export calls this before grabbing)."""
        key = self._key()
        if key == self._rendered_key:
            return
        image = _images.get(key)
        if image is None:
            tex, points, color, dpi = key
            image = QImage.fromData(_render_png(tex, points, color, dpi), "PNG")
            if image.isNull():
                return
            # Decoding the PNG cost more than the rest of an edit that changes a formula (the
            # backprop lengths): keep the decoded pictures of the formulas shown so far.
            if len(_images) >= 256:
                _images.pop(next(iter(_images)))
            _images[key] = image
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(key[3] / 100.0)
        # Typesetting allocates enough for Python's garbage collector to run, and that may free
        # the last reference to a closed top-level panel, deleting this view mid-call.
        if not shiboken6.isValid(self):
            return
        self.setPixmap(pixmap)
        self._rendered_key = key

    def paintEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().paintEvent(event)
        if self._rendered_key != self._key():
            QTimer.singleShot(0, self, self._render_later)

    def changeEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().changeEvent(event)
        # Re-typeset in the new text colour when the theme changes.
        if event.type() == event.Type.PaletteChange and self._rendered_key is not None:
            self._rendered_key = None
            self.update()

