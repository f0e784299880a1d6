"""French order and accent-blind matching of names, the same on PostgreSQL and SQLite.

Two collations under one name on both databases (ADR 0240):

- ``FRENCH`` (``urne_fr``): the order of a French list of names — BÉNARD before BRUNET, then
  unaccented before accented, lower case before upper case. PostgreSQL: the ICU collation
  ``fr-FR`` (created by the migration ``elections.0003``); SQLite: ``french_sort_key``,
  registered on every connection.
- ``FRENCH_PRIMARY`` (``urne_fr_primary``): letters only, blind to accents and case ("benard"
  equals "BÉNARD"). PostgreSQL: ICU ``fr-FR-u-ks-level1``, non-deterministic; SQLite:
  ``primary_key``. PostgreSQL 15 refuses LIKE under a non-deterministic collation, so a prefix
  search is a range: ``q <= name < q + MAX_CHAR`` (U+FFFF has the highest primary weight in
  ICU's root collation, and sorts last in Python too).
"""

import functools
import unicodedata
from typing import Any

from django.db.models import Expression, F, Q, Value
from django.db.models.functions import Collate, Concat
from django.db.models.lookups import GreaterThanOrEqual, LessThan

FRENCH = "urne_fr"
FRENCH_PRIMARY = "urne_fr_primary"
MAX_CHAR = "\uffff"
# Ligatures ICU expands at the primary level ("Œuvre" files as "oeuvre").
_EXPANSIONS = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def primary_key(text: str) -> str:
    """What ICU compares at its first level: base letters, no accent, no case."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXPANSIONS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def french_sort_key(text: str) -> tuple[str, str, str]:
    """ICU's French order, level by level: base letters, then accents (first difference
    decides, unaccented first), then case (lower case first)."""
    return (
        primary_key(text),
        unicodedata.normalize("NFD", text.translate(_EXPANSIONS).casefold()),
        text.swapcase(),
    )


def _compare(key: Any, a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    return (ka > kb) - (ka < kb)


def sqlite_register(connection: Any) -> None:
    """The two collations on one SQLite connection (`connection_created`)."""
    connection.create_collation(FRENCH, functools.partial(_compare, french_sort_key))
    connection.create_collation(FRENCH_PRIMARY, functools.partial(_compare, primary_key))


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        sqlite_register(connection.connection)


def french(field: str) -> Collate:
    """``field`` in French order, for ``order_by``."""
    return Collate(F(field), FRENCH)


def full_name_starts_with(last_name: str, first_name: str, query: str) -> Q:
    """Names whose "last first" or "first last" starts with ``query``, blind to accents and
    case: "leroux amandine", "amandine ler", "bénard" and "BENARD" all find Amandine BÉNARD."""
    query = " ".join(query.split())

    def starts(expression: Expression) -> Q:
        name = Collate(expression, FRENCH_PRIMARY)
        return Q(GreaterThanOrEqual(name, Value(query))) & Q(
            LessThan(name, Value(query + MAX_CHAR))
        )

    last_first = Concat(F(last_name), Value(" "), F(first_name))
    first_last = Concat(F(first_name), Value(" "), F(last_name))
    return starts(last_first) | starts(first_last)
