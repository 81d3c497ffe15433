"""The facet values become words of the full-text vector (PostgreSQL), so that a query and its
facet filters are one GIN match.

``search_vector`` gains, besides the title's (A) and the text's (B) words, one lexeme per facet
value: ``k:need`` (kind), ``r:420100`` (region), ``t:medical`` (type), ``y:2026`` (year). The
query's words can never look like them: ``search.segment`` drops ``:`` from every token. A
search for 洪山区 医疗 in 武汉市 in 2026 is then ``'洪山区' & '医疗' & 'r:420100' & 'y:2026'``
answered by the GIN index alone, instead of a GIN scan ANDed with the region's B-tree bitmap.
SQLite and other vendors are untouched.
"""

from django.db import migrations

VECTOR = """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
        || array_to_tsvector(ARRAY[
            'k:' || kind, 'r:' || region, 't:' || type, 'y:' || coalesce(year::text, '')
        ])
    ) STORED
"""
OLD_VECTOR = """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
    ) STORED
"""
DROP = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]
INDEX = "CREATE INDEX search_entry_vector ON search_searchentry USING GIN (search_vector)"
POSTGRES = [*DROP, VECTOR, INDEX, "ANALYZE search_searchentry"]
POSTGRES_REVERSE = [
    *DROP,
    OLD_VECTOR,
    INDEX,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_REVERSE))]
