"""``python -m explorer``: the same as ``python app.py``."""

import sys

from explorer import heap

heap.pause()  # until the window is built: see explorer/heap.py

from explorer.cli import main  # noqa: E402 - after the pause, which is the point

sys.exit(main())
