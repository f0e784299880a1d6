"""Database router for the three stores (docs/architecture.md, "The three stores").

Each app lives in exactly one store (settings.URNE_STORES, default: the voter store). Relations
never cross stores, and an app's tables are created only in its own store, so a voter's
identity can never sit next to a ballot or a credential.
"""

from typing import Any

from django.conf import settings
from django.db.models import Model

VOTER_STORE = "default"


def store_for_app(app_label: str) -> str:
    stores: dict[str, str] = settings.URNE_STORES
    return stores.get(app_label, VOTER_STORE)


class StoreRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return store_for_app(model._meta.app_label)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return store_for_app(model._meta.app_label)

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return store_for_app(obj1._meta.app_label) == store_for_app(obj2._meta.app_label)

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return store_for_app(app_label) == db
