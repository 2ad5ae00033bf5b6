from django.db import migrations

# SQLite has had these since 0001: a sorted page of a broad search walks the sort's index and tests each
# document against the query, instead of sorting tens of thousands of matches.
POSTGRESQL = [
    "CREATE INDEX IF NOT EXISTS search_document_price ON search_searchdocument (sort_price)",
    "CREATE INDEX IF NOT EXISTS search_document_newest ON search_searchdocument (created_at)",
    "CREATE INDEX IF NOT EXISTS search_document_sales ON search_searchdocument (sales, created_at)",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS search_document_price", "DROP INDEX IF EXISTS search_document_newest",
                      "DROP INDEX IF EXISTS search_document_sales"]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE)),
    ]
