"""The sqlite3 connection under SQLAlchemy's, and rows straight from its cursor: for the
few reads and writes of a hundred thousand rows where SQLAlchemy's objects cost more
than the statement, and for settings SQLite only takes outside a transaction."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, Select


def driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under ``conn`` (statements on it bypass SQLAlchemy, its
    transaction handling included)."""
    connection = conn.connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


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
    return driver(conn).execute(statement, params).fetchall()
