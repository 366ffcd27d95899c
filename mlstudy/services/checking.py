"""``check-content`` without opening (or creating) a library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlstudy import paths
from mlstudy.services.content import CheckReport, check
from mlstudy.storage.database import UPGRADED_EXAM, create_db_engine, schema_version
from mlstudy.storage.settings import read_settings


def check_content(targets: Sequence[Path], data_dir: str | None) -> CheckReport:
    """Validate the given paths, or the bundled packs plus the user's deck folders."""
    for target in targets:
        if not target.exists():
            from mlstudy.errors import UserError

            raise UserError(f"{target}: no such file or folder")
    folder = paths.resolve_data_dir(data_dir)
    user_folders = [paths.user_decks_dir(folder)]
    database = paths.database_path(folder)
    deck_exam: str | None = None
    if database.is_file():
        engine = create_db_engine(database)
        try:
            with engine.connect() as conn:
                stored = read_settings(conn)
                version = schema_version(conn)
            user_folders += [Path(p) for p in stored.get("deck_folders", [])]
            # User decks that name no exam belong to the library's deck exam (MLS-C01
            # in a library not yet upgraded to exam packs).
            deck_exam = stored.get("deck_exam") or (UPGRADED_EXAM if version < 9 else None)
        except Exception:  # an unreadable library must not stop a content check
            pass
        finally:
            engine.dispose()
    if targets:
        return check(list(targets), paths.content_dir(), default_exam=deck_exam)
    return check([], paths.content_dir(), user_folders, deck_exam)
