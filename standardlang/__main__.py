"""``python -m standardlang``: the command line."""

import sys

from standardlang.cli import main

sys.exit(main())
