"""The French collations of ``urne.elections.collation`` on PostgreSQL (ICU), and the index
that keeps a roll's first page an index walk in that order (ADR 0225, ADR 0240). SQLite
registers the same names on each connection instead (``elections.apps``)."""

from django.db import migrations

CREATE = [
    "CREATE COLLATION IF NOT EXISTS urne_fr (provider = icu, locale = 'fr-FR')",
    "CREATE COLLATION IF NOT EXISTS urne_fr_primary "
    "(provider = icu, locale = 'fr-FR-u-ks-level1', deterministic = false)",
    "CREATE INDEX IF NOT EXISTS elections_voter_french_order ON elections_voter "
    '(election_id, last_name COLLATE "urne_fr", first_name COLLATE "urne_fr", id)',
]
DROP = [
    "DROP INDEX IF EXISTS elections_voter_french_order",
    "DROP COLLATION IF EXISTS urne_fr_primary",
    "DROP COLLATION IF EXISTS urne_fr",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("elections", "0002_import_hash_and_limits")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
