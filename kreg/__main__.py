"""``python -m kreg``: the kreg command line (see :mod:`kreg.cli`)."""

import sys

from kreg.cli import main

if __name__ == "__main__":
    sys.exit(main())
