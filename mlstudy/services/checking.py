"""``check-content`` without opening (or creating) a library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlstudy import paths
from mlstudy.services.content import CheckReport, check
from mlstudy.storage.database import create_db_engine
from mlstudy.storage.settings import read_settings


def check_content(targets: Sequence[Path], data_dir: str | None) -> CheckReport:
    """Validate the given paths, or the bundled packs plus the user's deck folders."""
    for target in targets:
        if not target.exists():
            from mlstudy.errors import UserError

            raise UserError(f"{target}: no such file or folder")
    if targets:
        return check(list(targets), paths.content_dir())
    folder = paths.resolve_data_dir(data_dir)
    user_folders = [paths.user_decks_dir(folder)]
    database = paths.database_path(folder)
    if database.is_file():
        engine = create_db_engine(database)
        try:
            with engine.connect() as conn:
                stored = read_settings(conn).get("deck_folders", [])
            user_folders += [Path(p) for p in stored]
        except Exception:  # an unreadable library must not stop a content check
            pass
        finally:
            engine.dispose()
    return check([], paths.content_dir(), user_folders)
