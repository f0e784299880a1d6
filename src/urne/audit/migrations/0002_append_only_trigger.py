"""On PostgreSQL, the database itself refuses to change or delete an audit event (a row
trigger), so that an application bug or a stolen application login cannot rewrite the log;
only the tables' owner can disable the trigger, and `audit_check` still detects what follows.
TRUNCATE is left to the owner (tests flush with it). SQLite (the demo) keeps the ORM's guard.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION urne_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER urne_audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION urne_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS urne_audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS urne_audit_append_only();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE uses %

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
