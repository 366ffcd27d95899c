"""Every path mlstudy uses: bundled resources and content, and the user's data dir.

Source and frozen (PyInstaller) mode find bundled files the same way; nothing is
ever written inside the bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "mlstudy"
APP_AUTHOR = "mlstudy"
DATA_DIR_ENV = "MLSTUDY_DATA_DIR"
DATABASE_FILE = "mlstudy.sqlite3"


def bundle_root() -> Path:
    """The folder holding ``content/`` and ``resources/``: the repo or the frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The bundled exam packs (one folder per exam)."""
    return bundle_root() / "content"


def resources_dir() -> Path:
    """Icons and other bundled resources."""
    return bundle_root() / "resources"


def app_icon_path() -> Path:
    """The window icon (256 px PNG; resources/make_icons.py renders it from the SVG)."""
    return resources_dir() / "icons" / "mlstudy-256.png"


def default_data_dir() -> Path:
    """The platform's user data dir for mlstudy (created by the caller when needed)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: ``--data-dir``, else ``$MLSTUDY_DATA_DIR``, else the platform default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def database_path(data_dir: Path) -> Path:
    """The SQLite file inside a data dir."""
    return data_dir / DATABASE_FILE


def user_decks_dir(data_dir: Path) -> Path:
    """The user's own decks inside a data dir."""
    return data_dir / "decks"


def backups_dir(data_dir: Path) -> Path:
    """Automatic and manual backups of the database."""
    return data_dir / "backups"


def cache_dir(data_dir: Path) -> Path:
    """Derived data that can always be rebuilt from the database (safe to delete)."""
    return data_dir / "cache"


def log_path(data_dir: Path) -> Path:
    """The application log."""
    return data_dir / "mlstudy.log"


def fault_log_path(data_dir: Path) -> Path:
    """Where ``faulthandler`` writes the Python stacks of a hard crash (segfault, abort)."""
    return data_dir / "mlstudy-faults.log"
