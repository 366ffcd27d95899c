"""The application API that the CLI and the GUI both call. Never imports Qt."""

from mlstudy.services.library import Library
from mlstudy.services.types import CardView, Changes, SyncReport, TodayCounts

__all__ = ["CardView", "Changes", "Library", "SyncReport", "TodayCounts"]
