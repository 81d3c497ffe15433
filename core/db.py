"""Database helpers no domain owns: a cursor that prepares the statements it runs often, and
fixed statements for the rows of a hot write path.

``preparing_cursor`` is for hot reads on PostgreSQL that run the same few statements with their
values written in (``marketplace.needs.selectors`` uses it for the public need list, behind
``DATABASE_PREPARED_STATEMENTS``). Check ``can_prepare(connection)`` first; elsewhere use
Django's own cursor.

``row_get``, ``row_insert``, ``row_update`` and ``fixed_query`` are for a path that writes a few
rows per request under load (the claim, ``marketplace.claims.services.claims``): each
statement's SQL is composed once per model, field list and database and kept, instead of being
compiled by the ORM at every call (~1–2 ms of Python each), and on PostgreSQL it runs with its
values bound server-side through ``preparing_cursor``, so the server plans it once per
connection too. They do what ``Model.objects.get``/``save()`` do for such rows (field
preparation and conversion, ``auto_now``/``auto_now_add``, database errors as Django's), but send
no model signals: use them only for models nothing listens to (no change log, no receivers).
Many new rows at once: ``core.bulk.insert_new``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

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
    # As ``connection.cursor()``: in the query log when the connection keeps one (DEBUG, tests).
    logged = connection.queries_logged
    wrapped = connection.make_debug_cursor(cursor) if logged else connection.make_cursor(cursor)
    with wrapped:
        yield wrapped


# --- fixed statements for hot rows ---------------------------------------------------------------

# (database alias, what, model, field names) → (sql, fields or converters): composed once.
_STATEMENTS: dict[tuple, tuple] = {}


@contextmanager
def fixed_cursor(connection) -> Iterator:
    """``preparing_cursor`` (server-side parameters, prepared once) where it works, else
    Django's cursor; both take ``%s`` placeholders and count in the test query log."""
    if can_prepare(connection):
        with preparing_cursor(connection) as cursor:
            yield cursor
    else:
        with connection.cursor() as cursor:
            yield cursor


def _reader(connection, field):
    """What the ORM applies to a value of ``field`` read from ``connection`` (decimals on SQLite,
    JSON…), as ``SQLCompiler.get_converters`` finds them: a function of the raw value."""
    column = field.get_col(field.model._meta.db_table)
    converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]

    def read(value):
        if value is None:
            return None
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return read


def fixed_query(sql: str, params: Sequence = (), *, using: str = "default") -> list[tuple]:
    """Run ``sql`` (``%s`` placeholders), a statement that returns rows (a ``SELECT``), and
    return its rows, through ``fixed_cursor``. (Not asking for ``cursor.description`` first:
    psycopg builds it column by column, a fifth of a millisecond for a wide row.)"""
    from django.db import connections

    connection = connections[using]
    with fixed_cursor(connection) as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def convert_value(model, field_name: str, value, *, using: str = "default"):
    """A raw value of ``model.field_name`` read by ``fixed_query``, as the ORM would give it."""
    from django.db import connections

    connection = connections[using]
    key = (using, "convert", model, field_name)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = ("", _reader(connection, model._meta.get_field(field_name)))
    return _STATEMENTS[key][1](value)


def row_get(model, pk, fields: Sequence[str], *, lock: bool = False, using: str = "default") -> dict | None:
    """The values of ``fields`` of ``model``'s row ``pk`` by attribute name (None: no such row),
    locked ``FOR UPDATE`` with ``lock`` where the database has row locks."""
    from django.db import connections

    connection = connections[using]
    key = (using, "get", model, tuple(fields), lock)
    if key not in _STATEMENTS:
        meta = model._meta
        qn = connection.ops.quote_name
        chosen = [meta.get_field(name) for name in fields]
        sql = "SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608 - names from the model's meta
            ", ".join(qn(field.column) for field in chosen), qn(meta.db_table), qn(meta.pk.column)
        )
        if lock and connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        _STATEMENTS[key] = (sql, [(field.attname, _reader(connection, field)) for field in chosen])
    sql, chosen = _STATEMENTS[key]
    with fixed_cursor(connection) as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    return {attname: read(value) for (attname, read), value in zip(chosen, row, strict=True)}


def select_list(model, alias: str, *, fields: Sequence[str] | None = None, using: str = "default") -> str:
    """``model``'s concrete columns (or those of ``fields``, by name) as ``alias.column, …``
    (composed once), to read rows that ``instance_from`` turns into instances; for a fixed
    statement that joins several tables."""
    return _select(model, alias, fields, using)[0]


def instance_from(model, values: Sequence, *, fields: Sequence[str] | None = None, using: str = "default"):
    """An instance of ``model`` from the values of its ``select_list`` (converted as the ORM
    converts them), built as a query builds it (``Model.from_db``: not adding, no signal). With
    ``fields``, the other fields are deferred, as after ``only()``: read when first used."""
    _sql, readers = _select(model, "", fields, using)
    return model.from_db(
        using,
        [attname for attname, _read in readers],
        [read(value) for (_name, read), value in zip(readers, values, strict=True)],
    )


def _select(model, alias: str, fields: Sequence[str] | None, using: str) -> tuple[str, list]:
    from django.db import connections

    key = (using, "select", model, alias, tuple(fields or ()))
    if key not in _STATEMENTS:
        connection = connections[using]
        qn = connection.ops.quote_name
        chosen = [model._meta.get_field(name) for name in fields] if fields else model._meta.concrete_fields
        prefix = f"{qn(alias)}." if alias else ""
        _STATEMENTS[key] = (
            ", ".join(f"{prefix}{qn(field.column)}" for field in chosen),
            [(field.attname, _reader(connection, field)) for field in chosen],
        )
    return _STATEMENTS[key]


def row_insert(obj, *, using: str = "default") -> None:
    """Insert the new instance ``obj`` (all its concrete fields, ``auto_now_add`` set) and set
    its primary key; it counts as saved, as after ``save()``. Raises ``IntegrityError`` as
    ``save()`` does."""
    rows_insert([obj], using=using)


@dataclass(frozen=True)
class Pending:
    """An outbox flag: the boolean field ``field`` of the saved row ``obj``, set while some
    work on the row (its announcement…) is still to be done; see ``rows_insert``."""

    obj: Any
    field: str


def rows_insert(objs: Sequence, *, clearing: Pending | None = None, using: str = "default") -> bool:
    """``row_insert`` for a few new instances of one model in one statement (one per count of
    rows, composed once): the handful of notifications an event sends. Many rows:
    ``core.bulk.insert_new``.

    ``clearing``: the rows are the work that outbox flag stands for. They are written only if
    the flag is still set, and it is cleared in the same step (on PostgreSQL one statement,
    elsewhere one transaction), so that two workers doing the same work write it once; the
    flag is cleared even when ``objs`` is empty. Returns whether the rows were written (with
    ``clearing``, whether this call cleared the flag, which it then clears on ``clearing.obj``
    too); True without ``clearing``.
    """
    from django.db import connections, transaction

    connection = connections[using]
    if clearing is not None:
        if connection.vendor == "postgresql":
            return _insert_clearing(objs, clearing, connection)
        with transaction.atomic(using=using):  # no UPDATE in a WITH clause here: one transaction
            return _clear(clearing, connection) and rows_insert(objs, using=using)
    if not objs:
        return True
    if len(objs) > 1 and not connection.features.can_return_rows_from_bulk_insert:
        for obj in objs:  # no keys back from a many-row insert: one statement each
            rows_insert([obj], using=using)
        return True
    sql, fields = _insert_statement(type(objs[0]), len(objs), connection)
    with fixed_cursor(connection) as cursor:
        cursor.execute(sql, _insert_params(objs, fields, connection))
        if connection.features.can_return_columns_from_insert:
            pks = [row[0] for row in cursor.fetchall()]
        else:  # no RETURNING (neither PostgreSQL nor SQLite): one row, its key from the cursor
            pks = [cursor.lastrowid]
    _saved(objs, pks, connection.alias)
    return True


def _insert_fields(model) -> list:
    """The fields an insert of ``model`` writes: all concrete ones but the key and generated ones."""
    return [field for field in model._meta.concrete_fields if not field.generated and not field.primary_key]


def _insert_statement(model, rows: int, connection) -> tuple[str, list]:
    key = (connection.alias, "insert", model, rows)
    if key not in _STATEMENTS:
        meta = model._meta
        qn = connection.ops.quote_name
        fields = _insert_fields(model)
        row = "({})".format(", ".join(["%s"] * len(fields)))
        sql = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 - names from the model's meta
            qn(meta.db_table), ", ".join(qn(field.column) for field in fields), ", ".join([row] * rows)
        )
        if connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {qn(meta.pk.column)}"
        _STATEMENTS[key] = (sql, fields)
    return _STATEMENTS[key]


def _insert_params(objs: Sequence, fields: list, connection) -> list:
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="row_insert")
        params += [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
    return params


def _saved(objs: Sequence, pks: Sequence, alias: str) -> None:
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _clear_sql(pending: Pending, connection) -> str:
    key = (connection.alias, "clear", type(pending.obj), pending.field)
    if key not in _STATEMENTS:
        meta = type(pending.obj)._meta
        qn = connection.ops.quote_name
        column = qn(meta.get_field(pending.field).column)
        table, pk = qn(meta.db_table), qn(meta.pk.column)
        sql = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608 - names from the model's meta
        _STATEMENTS[key] = (sql, None)
    return _STATEMENTS[key][0]


def _clear(pending: Pending, connection) -> bool:
    """Clear the flag if it is still set; whether this did."""
    with fixed_cursor(connection) as cursor:
        cursor.execute(_clear_sql(pending, connection), [False, pending.obj.pk, True])
        cleared = cursor.rowcount == 1
    if cleared:
        setattr(pending.obj, pending.field, False)
    return cleared


def _insert_clearing(objs: Sequence, pending: Pending, connection) -> bool:
    """PostgreSQL: ``WITH cleared AS (UPDATE … RETURNING) INSERT … SELECT … WHERE EXISTS
    (cleared)``. A second statement on the same flag waits for the first one's row lock, then
    finds the flag clear and writes nothing. The values are cast to their columns' types, as a
    plain ``VALUES`` list would take them (text stays text: a value too long for its column is
    refused, not cut)."""
    qn = connection.ops.quote_name
    flag = type(pending.obj)._meta
    if objs:
        model = type(objs[0])
        key = (connection.alias, "insert-clearing", model, len(objs), type(pending.obj), pending.field)
        if key not in _STATEMENTS:
            meta = model._meta
            fields = _insert_fields(model)
            text = (models.CharField, models.TextField)
            casts = ["text" if isinstance(field, text) else field.db_type(connection) for field in fields]
            row = "({})".format(", ".join(f"CAST(%s AS {cast})" for cast in casts))
            table, columns = qn(meta.db_table), ", ".join(qn(field.column) for field in fields)
            values = ", ".join([row] * len(objs))
            sql = (
                f"WITH cleared AS ({_clear_sql(pending, connection)} RETURNING 1) "  # noqa: S608 - names from the models' meta, values bound
                f"INSERT INTO {table} ({columns}) SELECT * FROM (VALUES {values}) AS v "
                f"WHERE EXISTS (SELECT 1 FROM cleared) RETURNING {qn(meta.pk.column)}"
            )
            _STATEMENTS[key] = (sql, fields)
        sql, fields = _STATEMENTS[key]
        params = [False, flag.pk.get_db_prep_value(pending.obj.pk, connection), True]
        params += _insert_params(objs, fields, connection)
        with fixed_cursor(connection) as cursor:
            cursor.execute(sql, params)
            pks = [row[0] for row in cursor.fetchall()]
        if not pks:
            return False
        _saved(objs, pks, connection.alias)
        setattr(pending.obj, pending.field, False)
        return True
    return _clear(pending, connection)


def row_update(obj, fields: Sequence[str], *, using: str = "default") -> None:
    """``obj.save(update_fields=fields)`` for a model nothing listens to: ``auto_now`` fields
    among ``fields`` are set. Raises ``DatabaseError`` when the row is gone, as ``save()``."""
    from django.db import DatabaseError, connections

    connection = connections[using]
    model = type(obj)
    key = (using, "update", model, tuple(fields))
    if key not in _STATEMENTS:
        meta = model._meta
        qn = connection.ops.quote_name
        chosen = [meta.get_field(name) for name in fields]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model's meta
            qn(meta.db_table), ", ".join(f"{qn(field.column)} = %s" for field in chosen), qn(meta.pk.column)
        )
        _STATEMENTS[key] = (sql, chosen)
    sql, chosen = _STATEMENTS[key]
    params = [field.get_db_prep_save(field.pre_save(obj, add=False), connection) for field in chosen]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection))
    with fixed_cursor(connection) as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
