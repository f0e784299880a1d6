"""Least privilege in the stores (docs/operations.md, "Least privilege"; ADR 0570).

Each store has a runtime role, the one the web processes and the worker connect with, granted
on each of its tables only what the code does there; the tables belong to another role (the
owner, who runs `migrate`), so the runtime role can never change the schema nor grant itself
more. The rules of the tables that must not change:

- the urn's log (records, events, ballots) is appended to and read, never updated or deleted:
  a ballot once in the urn stays as it was; only the head (height, last event, running tally)
  moves with each cast, and no row of the urn is ever deleted;
- the authority's credentials are written when they are generated (again from scratch until
  a setup is frozen) and read; a code slot's only change is its status (a replacement); a
  public credential is never rewritten; a setup once written stays;
- the voter store's audit log and the admin's history are appended to, never changed; the
  content types and permissions are the migrations' only.

Every other table of a store gets its store's default: the voter store's are worked by the
whole application (DML, never TRUNCATE); the authority's and the urn's are read only unless
named here, so a new table there is refused to the runtime role until this module says
otherwise. `manage.py store_grants` turns this into SQL.
"""

from __future__ import annotations

from django.apps import apps

from .router import store_for_app

READ = ("SELECT",)
APPEND = ("SELECT", "INSERT")
DML = ("SELECT", "INSERT", "UPDATE", "DELETE")

#: A table of a store not named in PRIVILEGES gets this.
STORE_DEFAULTS: dict[str, tuple[str, ...]] = {"default": DML, "authority": READ, "urn": READ}

#: By model label: what the runtime role of the model's store may do on its table.
PRIVILEGES: dict[str, tuple[str, ...]] = {
    "urn.UrnScrutin": ("SELECT", "INSERT", "UPDATE"),
    "urn.UrnRecord": APPEND,
    "urn.UrnEvent": APPEND,
    "urn.UrnBallot": APPEND,
    "authority.CredentialSet": ("SELECT", "INSERT", "UPDATE"),
    "authority.CodeSlot": ("SELECT", "INSERT", "DELETE", "UPDATE (status, changed_at)"),
    "authority.PublicCredential": ("SELECT", "INSERT", "DELETE"),
    "authority.ScrutinSetup": APPEND,
    "audit.AuditEvent": APPEND,
    "admin.LogEntry": APPEND,
    "contenttypes.ContentType": READ,
    "auth.Permission": READ,
}

#: Tables without a model, by store (granted when they exist): the database cache of the
#: production settings (`createcachetable`).
EXTRA_TABLES: dict[str, dict[str, tuple[str, ...]]] = {"default": {"urne_cache": DML}}


def store_privileges(alias: str, existing: set[str]) -> dict[str, tuple[str, ...]]:
    """Table name -> privileges of the runtime role of store ``alias``, for every model
    table of the store, and the extra tables among ``existing``."""
    tables: dict[str, tuple[str, ...]] = {}
    for model in apps.get_models(include_auto_created=True):
        if store_for_app(model._meta.app_label) != alias or not model._meta.managed:
            continue
        tables[model._meta.db_table] = PRIVILEGES.get(model._meta.label, STORE_DEFAULTS[alias])
    for table, privileges in EXTRA_TABLES.get(alias, {}).items():
        if table in existing:
            tables[table] = privileges
    return tables


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grants_sql(*, alias: str, role: str, database: str, existing: set[str]) -> list[str]:
    """The statements that leave ``role`` with exactly the store's privileges: it may
    connect and use the schema, everything it had on the tables and sequences is revoked,
    then each table's privileges are granted. Identity columns need no sequence grant."""
    statements = [
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {_ident(role)}",
        f"GRANT USAGE ON SCHEMA public TO {_ident(role)}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {_ident(role)}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {_ident(role)}",
    ]
    for table, privileges in sorted(store_privileges(alias, existing).items()):
        statements.append(f"GRANT {', '.join(privileges)} ON {_ident(table)} TO {_ident(role)}")
    return statements
