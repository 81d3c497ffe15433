"""The full-text part of the index, per database vendor (see ``search.models``).

PostgreSQL: a stored generated tsvector column (``simple`` configuration: the words are already
segmented by jieba and stored space-separated) and a GIN index on it. SQLite: an FTS5 virtual
table whose rowid is the entry's id; the backend writes it beside each entry (no triggers: a
later migration that rebuilds ``search_searchentry`` on SQLite would drop them silently).
Other vendors get nothing and the backend falls back to substring matching.
"""

from django.db import migrations

POSTGRES = [
    """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
    ) STORED
    """,
    "CREATE INDEX search_entry_vector ON search_searchentry USING GIN (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]
SQLITE = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title_tokens, body_tokens, tokenize='unicode61')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_entry_fts"]


def _run(statements_of):
    def run(apps, schema_editor):
        for statement in statements_of.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
