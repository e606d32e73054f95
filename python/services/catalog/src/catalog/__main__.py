"""``python -m catalog``: see ``catalog.entrypoints.cli``."""

from catalog.entrypoints.cli import main

raise SystemExit(main())
