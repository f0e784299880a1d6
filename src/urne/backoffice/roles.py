"""Staff roles as Django groups of permissions, installed after every migrate.

manager: election setup, voters, rules, lists, complaints, on the back office's own pages;
administrator: the Django admin's plain records only (ADR 0160);
helpdesk: find a voter and see their state, never a secret; bureau member and union
delegate: their bureau's pages (later issue); auditor: read-only, audit log."""

from typing import Any

from django.contrib.auth.models import Group, Permission

from .permissions import (
    ADMINISTER,
    BUREAU_PAGES,
    FIND_VOTER,
    MANAGE_ELECTION,
    VIEW_AUDIT,
    VIEW_ELECTION,
)

ELECTION_MODELS = [
    "election",
    "body",
    "scrutin",
    "votercategory",
    "voter",
    "rolladjustment",
    "union",
    "candidatelist",
    "candidate",
    "complaint",
    "importjob",
]

ROLES: dict[str, dict[str, Any]] = {
    "manager": {
        "label": "Gestionnaire",
        "perms": [
            VIEW_ELECTION,
            MANAGE_ELECTION,
            FIND_VOTER,
            VIEW_AUDIT,
            "audit.view_auditevent",
        ]
        + [f"elections.{a}_{m}" for m in ELECTION_MODELS for a in ("add", "change", "view")],
    },
    # The Django admin and its plain records, nothing of the back office's pages (ADR 0160).
    "administrator": {
        "label": "Administrateur",
        "perms": [ADMINISTER, "audit.view_auditevent"]
        + [f"elections.{a}_{m}" for m in ELECTION_MODELS for a in ("add", "change", "view")],
    },
    "helpdesk": {"label": "Assistance", "perms": [FIND_VOTER]},
    "bureau": {"label": "Membre du bureau de vote", "perms": [BUREAU_PAGES]},
    "delegate": {"label": "Délégué de liste", "perms": [BUREAU_PAGES]},
    "auditor": {
        "label": "Auditeur",
        "perms": [VIEW_ELECTION, VIEW_AUDIT, "audit.view_auditevent"]
        + [f"elections.view_{m}" for m in ELECTION_MODELS],
    },
}


def roles_install() -> None:
    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for dotted in role["perms"]:
            app_label, codename = dotted.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def roles_install_on_migrate(using: str = "default", **kwargs: Any) -> None:
    if using == "default":
        roles_install()
