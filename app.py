"""Launch NN Explorer: ``python app.py --help``."""

import sys

from explorer.cli import main

if __name__ == "__main__":
    sys.exit(main())
