"""The panel registry: id -> panel class, read by the window, the export and the bench.

A new panel is one module and one entry here. Entries carry the title and question numbers
so the window can list every panel while importing only the one it opens on: a panel module
is imported the first time its class is looked up (start-up pays for one panel, not six).
A test checks that each entry's title and questions equal its class's.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from explorer.panels.base import Panel


class PanelEntry(NamedTuple):
    """Where a panel class lives, and what the navigation shows for it before it is imported."""

    module: str
    class_name: str
    title: str
    questions: str


class PanelRegistry(Mapping[str, type[Panel]]):
    """Panel classes by id, in navigation order, imported on first lookup."""

    def __init__(self, entries: dict[str, PanelEntry]) -> None:
        self._entries = entries
        self._classes: dict[str, type[Panel]] = {}

    def __getitem__(self, panel_id: str) -> type[Panel]:
        if panel_id not in self._classes:
            entry = self._entries[panel_id]  # KeyError for an unknown id, as a dict would
            module = importlib.import_module(entry.module)
            self._classes[panel_id] = getattr(module, entry.class_name)
        return self._classes[panel_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, panel_id: object) -> bool:
        return panel_id in self._entries

    def entry(self, panel_id: str) -> PanelEntry:
        """Title, questions and location of ``panel_id``, without importing it."""
        return self._entries[panel_id]


PANELS = PanelRegistry({
    "loss": PanelEntry("explorer.panels.loss", "LossPanel", "Loss functions", "1.1–1.7"),
    "softmax": PanelEntry("explorer.panels.softmax", "SoftmaxPanel", "Softmax", "2.1–2.4"),
    "equivalence": PanelEntry("explorer.panels.equivalence", "EquivalencePanel",
                              "Sigmoid ⇄ tanh networks", "3"),
    "convolution": PanelEntry("explorer.panels.convolution", "ConvolutionPanel", "Convolution",
                              "4.3, 5"),
    "cnn": PanelEntry("explorer.panels.cnn", "CnnPanel", "CNN shapes", "4.1–4.2"),
    "backprop": PanelEntry("explorer.panels.backprop", "BackpropPanel",
                           "Backprop through convolution", "5.1–5.6"),
})

__all__ = ["PANELS", "Panel", "PanelEntry", "PanelRegistry"]
