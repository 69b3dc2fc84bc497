"""``python -m equitykit``: the same as the ``equitykit`` command."""
from .cli import main

raise SystemExit(main())
