"""The panel registry: id -> panel class, read by the window, the export and the bench.

A new panel is one module and one line here.
"""

from __future__ import annotations

from explorer.panels.base import Check, Panel
from explorer.panels.loss import LossPanel

PANELS: dict[str, type[Panel]] = {
    LossPanel.id: LossPanel,
}

__all__ = ["PANELS", "Check", "Panel"]
