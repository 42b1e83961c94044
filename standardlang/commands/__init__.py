"""One module per command of the ``standardlang`` command line (see :mod:`standardlang.cli`)."""
