"""Render resources/nn-explorer.svg to the PNG sizes beside it (``make icons``)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication  # noqa: E402 - after choosing the platform

from explorer.app_icon import render  # noqa: E402
from explorer.assets import ICON_SIZES  # noqa: E402

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def main() -> int:
    """Write ``nn-explorer-<size>.png`` for every size; print each path."""
    _app = QGuiApplication(sys.argv[:1])  # QPainter needs one
    svg = (RESOURCES / "nn-explorer.svg").read_bytes()
    for size in ICON_SIZES:
        path = RESOURCES / f"nn-explorer-{size}.png"
        if not render(svg, size).save(str(path), "PNG"):
            print(f"render_icons: cannot write {path}", file=sys.stderr)
            return 1
        print(path.relative_to(RESOURCES.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
