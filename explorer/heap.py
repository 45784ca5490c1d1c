"""Python's cycle collector, paused while the app starts and told what lives for good afterwards.

Importing PySide6, numpy and pyqtgraph and building the panels create a few hundred thousand
objects that live until the app quits. The cycle collector walks all of them again and again
while they are being made (a third of the start-up time here), and afterwards every full
collection walks them once more, which shows up as an occasional slow control change.

So the launcher calls :func:`pause` before importing anything, and :func:`settle` runs after
the window and each panel are built: it moves every object alive at that moment to the
collector's permanent generation (``gc.freeze``) and turns collection back on. Garbage made
later is collected as usual, and the garbage made while starting is collected once the last
panel is built. Library use (the tests, ``import explorer``) never calls :func:`pause`, so
there :func:`settle` does nothing and the collector is untouched.
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


def settle(collect: bool = False) -> None:
    """Freeze what is alive now and collect again; a no-op unless :func:`pause` was called.

    With ``collect``, first thaw everything and collect it once: the garbage the start-up made
    (parser frames, tracebacks, a few pictures) would otherwise stay frozen for good. The
    window asks for that once, after its last panel is built, when a pause costs nobody.
    """
    if not _managed:
        return
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    gc.enable()
