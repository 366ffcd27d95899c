"""Settings and view state stored as JSON values in the ``settings`` and ``view_state`` tables."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mlstudy.storage.schema import Setting, ViewState


def read_settings(conn: Connection) -> dict[str, Any]:
    """Every stored setting, decoded."""
    return {
        key: json.loads(value) for key, value in conn.execute(select(Setting.key, Setting.value))
    }


def read_raw_settings(conn: Connection) -> dict[str, str]:
    """Every stored setting as its JSON text, undecoded (a damaged value is the caller's)."""
    return {str(key): str(value) for key, value in conn.execute(select(Setting.key, Setting.value))}


def write_settings(conn: Connection, values: dict[str, Any]) -> None:
    """Insert or replace settings."""
    for key, value in values.items():
        statement = sqlite_insert(Setting).values(key=key, value=json.dumps(value))
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[Setting.key], set_={"value": statement.excluded.value}
            )
        )


def read_view_state(conn: Connection, key: str) -> Any:
    """A stored view-state value (window geometry, splitter sizes), or None."""
    value = conn.execute(select(ViewState.value).where(ViewState.key == key)).scalar()
    return json.loads(value) if value is not None else None


def write_view_state(conn: Connection, key: str, value: Any) -> None:
    """Insert or replace a view-state value."""
    statement = sqlite_insert(ViewState).values(key=key, value=json.dumps(value))
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[ViewState.key], set_={"value": statement.excluded.value}
        )
    )
