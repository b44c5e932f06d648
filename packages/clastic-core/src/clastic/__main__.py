"""``python -m clastic``: the ``clastic`` command line."""

from clastic.cli import main

raise SystemExit(main())
