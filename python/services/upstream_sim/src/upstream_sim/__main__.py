"""``python -m upstream_sim``: see ``upstream_sim.cli``."""

from upstream_sim.cli import main

raise SystemExit(main())
