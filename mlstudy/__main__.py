"""Allow ``python -m mlstudy``."""

from mlstudy.cli import main

raise SystemExit(main())
