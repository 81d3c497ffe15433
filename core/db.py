"""Database helpers no domain owns: a cursor that prepares the statements it runs often.

``preparing_cursor`` is for hot reads on PostgreSQL that run the same few statements with their
values written in (``marketplace.needs.selectors`` uses it for the public need list, behind
``DATABASE_PREPARED_STATEMENTS``). Check ``can_prepare(connection)`` first; elsewhere use
Django's own cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

# Prepared statements, per database connection: a statement is prepared (planned once) from
# its PREPARE_AFTER-th execution on a connection, and a connection keeps the PREPARED_MAX most
# recently used ones (psycopg's LRU; the server deallocates the others).
PREPARE_AFTER = 2
PREPARED_MAX = 512
_TIMESTAMPTZ_OID = 1184


def can_prepare(connection) -> bool:
    """Whether ``preparing_cursor`` may be used on ``connection``: PostgreSQL through psycopg 3,
    reached so that prepared statements survive (``DATABASE_PREPARED_STATEMENTS``: not through a
    transaction-mode pool that cannot keep them)."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


@contextmanager
def preparing_cursor(connection) -> Iterator:
    """A cursor on ``connection`` that prepares the statements it runs often (PostgreSQL).

    For reads that run the same few statements over and over and cost PostgreSQL more to plan
    than to run: the public need list's query takes ~0.4 ms to plan against ~0.2 ms to run on
    20 rows (~20 indexes and their partial conditions to weigh). Prepared, a statement is
    planned once per connection; its plan is redone by the server itself whenever the table's
    indexes or statistics change, and every execution reads the rows live. Give it statements
    with their values written in (no parameters, ``connection.ops.compose_sql``), so the plan
    is the one chosen for those values, partial indexes included.

    Django's own cursors bind client-side and never prepare; this one is a plain psycopg
    cursor, wrapped as Django wraps its own (database errors, execute wrappers).
    """
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    # What ``connection.cursor()`` does before it makes a cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    # psycopg prepares nothing while ``prepare_threshold`` is None, Django's default; only
    # cursors like this one (server-side binding) ever use these two settings.
    if raw.prepare_threshold != PREPARE_AFTER or raw.prepared_max != PREPARED_MAX:
        raw.prepare_threshold, raw.prepared_max = PREPARE_AFTER, PREPARED_MAX
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(raw)
    # As Django's ``create_cursor``: timestamps in the connection's time zone.
    tzloader = raw.adapters.get_loader(_TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
    if connection.timezone != tzloader.timezone:
        register_tzloader(connection.timezone, cursor)
    wrapped = connection.make_cursor(cursor)
    with wrapped:
        yield wrapped
