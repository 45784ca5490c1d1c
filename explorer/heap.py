"""Python's cycle collector, paused while the app starts and told what lives for good afterwards.

Importing PySide6, numpy and pyqtgraph and building a panel create about a million objects that
live until the app quits. The cycle collector walks all of them again and again while they are
being made (a third of the start-up time here), and afterwards every full collection walks them
once more, which shows up as an occasional slow control change.

So the launcher calls :func:`pause` before importing anything, and :func:`settle` runs after
the window and each panel are built: it moves every object alive at that moment to the
collector's permanent generation (``gc.freeze``) and turns collection back on. Garbage made
later is collected as usual. Library use (the tests, ``import explorer``) never calls
:func:`pause`, so there :func:`settle` does nothing and the collector is untouched.
"""

from __future__ import annotations

import gc

_managed = False


def pause() -> None:
    """Stop cyclic collection until :func:`settle`; only the app's launcher calls this."""
    global _managed
    _managed = True
    gc.disable()


def managed() -> bool:
    """Whether :func:`pause` was called in this process."""
    return _managed


def settle() -> None:
    """Freeze what is alive now and collect again; a no-op unless :func:`pause` was called."""
    if not _managed:
        return
    gc.freeze()
    gc.enable()
