"""``python -m explorer``: the same as ``python app.py``."""

import sys

from explorer.cli import main

sys.exit(main())
