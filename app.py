"""Launch NN Explorer: ``python app.py --help``."""

import sys

from explorer import heap

heap.pause()  # until the window is built: see explorer/heap.py

from explorer.cli import main  # noqa: E402 - after the pause, which is the point

if __name__ == "__main__":
    sys.exit(main())
