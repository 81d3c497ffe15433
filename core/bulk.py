"""Inserting many new rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

Intake writes up to 500 needs and their transition rows per request. ``bulk_create`` builds one
``INSERT`` with a parameter per field per row (about 40 × 500 for needs) and spends most of
its time in Django's SQL compiler and PostgreSQL's parser; ``COPY`` streams the same values as
rows. Measured on 500 needs: Python CPU 60 → 13 ms, wall time 90–160 → 40 ms
(bench/bench_intake.py measures the whole intake).

Same result as ``bulk_create``: the instances get their primary keys and count as saved;
``auto_now``/``auto_now_add`` fields are set; database-generated fields are left to load on
first access, as after ``save()``. Check and unique constraints apply as with ``INSERT``; a
violation raises ``IntegrityError`` and, inside ``atomic()``, rolls back the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connections, models, router


def insert_new(objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` (new instances of one model) and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_create(objs)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated and not field.primary_key]
    stamped = [
        field
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    encoders = {field.attname: field.encoder for field in fields if isinstance(field, models.JSONField)}
    generated = [field.attname for field in meta.concrete_fields if field.generated]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_new")
        for field in stamped:
            field.pre_save(obj, add=True)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(column) for column in [meta.pk.column] + [field.column for field in fields])
    with connection.cursor() as cursor:
        # Identities first, from the table's own sequence, so the rows can carry them.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # The raw psycopg cursor: Django's wrapper has no copy(); errors still become Django's.
        copying = cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN")
        with connection.wrap_database_errors, copying as copy:
            for pk, obj in zip(ids, objs, strict=True):
                row = [pk]
                for field in fields:
                    value = getattr(obj, field.attname)
                    if field.attname in encoders and value is not None:
                        value = json.dumps(value, cls=encoders[field.attname])
                    row.append(value)
                copy.write_row(row)
    for pk, obj in zip(ids, objs, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
        for attname in generated:
            obj.__dict__.pop(attname, None)
