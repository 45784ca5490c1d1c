"""Example budgets of the model property tests: their own normally, the profile's under fuzz."""

from __future__ import annotations

import os

from hypothesis import settings


def examples(n: int) -> settings:
    """Settings running ``n`` examples normally and the loaded profile's count under ``make fuzz``.

    A test that pins ``max_examples`` would otherwise keep its small count in the long profile.
    """
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        return settings(deadline=None, max_examples=n)
    return settings(deadline=None)
