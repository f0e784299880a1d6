"""`manage.py store_grants --database urn --role urne_urn_app [--create-role] [--dry-run]`:
give a store's runtime role exactly what urne.site.store_privileges says (ADR 0570).

Run with the store's owner credentials (the role that ran `migrate`), after every
`migrate`: a new table is the runtime role's only once granted. PostgreSQL only. The role's
password is set apart (`ALTER ROLE ... PASSWORD` in psql, or certificate authentication):
it never passes through a command line here."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction

from urne.site.store_privileges import grants_sql


class Command(BaseCommand):
    help = "Grant a store's runtime role what the code needs there, and nothing else."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", required=True, choices=["default", "authority", "urn"])
        parser.add_argument("--role", required=True)
        parser.add_argument(
            "--create-role", action="store_true", help="create the role (LOGIN) if missing"
        )
        parser.add_argument("--dry-run", action="store_true", help="print the SQL only")

    def handle(self, *args: Any, database: str, role: str, **opts: Any) -> None:
        conn = connections[database]
        if conn.vendor != "postgresql":
            raise CommandError("store roles are PostgreSQL's (URNE_DB=postgres)")
        existing = set(conn.introspection.table_names())
        statements = grants_sql(
            alias=database, role=role, database=conn.settings_dict["NAME"], existing=existing
        )
        if opts["create_role"]:
            # NOINHERIT, no CREATEDB/CREATEROLE: the role has what is granted to it by name.
            literal = role.replace("'", "''")
            ident = '"' + role.replace('"', '""') + '"'
            statements.insert(
                0,
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                f"'{literal}') THEN CREATE ROLE {ident} LOGIN NOINHERIT; END IF; END $$",
            )
        if opts["dry_run"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=database), conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        self.stdout.write(f"{role}: {len(statements)} statements on {database}")
