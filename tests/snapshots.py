"""Copies of the test database, taken once per test session and put back when a test asks.

The demo city takes half a minute to build; tests that read it (the demo loader's, the
crawler's, the browser's) restore a copy instead. SQLite copies with its online backup API,
PostgreSQL with ``CREATE DATABASE … TEMPLATE``. A snapshot holds the rows only: the media
files the demo wrote are copied separately (see ``tests/conftest.py``).
"""

import sqlite3

from django.db import connection, connections


class Snapshot:
    """One copy of the test database, named ``label``."""

    def __init__(self, label: str):
        self.label = label
        self.database = connection.settings_dict["NAME"]
        if connection.vendor == "postgresql":
            self.copy = f"{self.database}_{label}"[:63]
        else:
            self.copy = f"{self.database}.{label}"

    # --- PostgreSQL: whole databases, copied from a template -------------------------------

    def _admin(self):
        """A connection to the server's ``postgres`` database (autocommit; CREATE DATABASE
        may not run inside a transaction)."""
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params["dbname"] = "postgres"
        return psycopg.connect(autocommit=True, **params)

    def _pg_clone(self, source: str, target: str) -> None:
        connections.close_all()
        with self._admin() as admin:
            # Nobody may be connected to a template while it is copied; a worker thread of
            # a finished test may still hold a connection.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')

    # --- SQLite: page by page into the open connection ---------------------------------------

    def _sqlite_copy(self, source, target) -> None:
        source.backup(target)

    # --- what tests call ---------------------------------------------------------------------

    def take(self) -> "Snapshot":
        if connection.vendor == "postgresql":
            self._pg_clone(self.database, self.copy)
        else:
            connection.ensure_connection()
            with sqlite3.connect(self.copy) as copy:
                self._sqlite_copy(connection.connection, copy)
            copy.close()
        return self

    def restore(self) -> None:
        if connection.vendor == "postgresql":
            self._pg_clone(self.copy, self.database)
        else:
            connection.ensure_connection()
            with sqlite3.connect(self.copy) as copy:
                self._sqlite_copy(copy, connection.connection)
            copy.close()

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')
        else:
            import os

            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.copy + suffix):
                    os.remove(self.copy + suffix)
