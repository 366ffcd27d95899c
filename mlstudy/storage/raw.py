"""Rows straight from the sqlite3 cursor, for the few reads of a hundred thousand rows
where SQLAlchemy's result objects cost more than the query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select


def raw_rows(
    conn: Connection, statement: Select[Any] | str, params: tuple[object, ...] = ()
) -> list[tuple[Any, ...]]:
    """Plain tuples of a select (compiled here) or of SQL text with ``?`` parameters.

    Values come as SQLite holds them: booleans as 0 and 1, dates as text.
    """
    if not isinstance(statement, str):
        compiled = statement.compile(dialect=conn.dialect)
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        statement = str(compiled)
    cursor = conn.connection.driver_connection.execute(statement, params)  # type: ignore[union-attr]
    return list(cursor.fetchall())
