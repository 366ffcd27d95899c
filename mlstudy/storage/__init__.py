"""SQLite storage through SQLAlchemy 2: schema, migrations, queries, backups."""
