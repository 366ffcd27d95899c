"""The script PyInstaller freezes (kept outside ``mlstudy/`` so no module there is
seen as a top-level one during analysis)."""

from mlstudy.cli import main

raise SystemExit(main())
