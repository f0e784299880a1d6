"""Reads: the helpdesk's voter search and voter state (rolls: `eligibility`)."""

from typing import Any

from django.db.models import Q, QuerySet

from .eligibility import voter_scrutins
from .models import Complaint, Election, RollEntry, Voter


def voter_search(*, election: Election, query: str) -> QuerySet[Voter]:
    """Helpdesk search: by NUMEN, e-mail or last name (prefix), at most 50 results."""
    query = query.strip()
    base = Voter.objects.filter(election=election).select_related("category")
    if not query:
        return base.none()
    return base.filter(
        # NUMEN and e-mail are stored normalised (upper / lower case): exact, indexed lookups.
        Q(numen=query.upper()) | Q(email=query.lower()) | Q(last_name__istartswith=query)
    )[:50]


def voter_state(voter: Voter) -> dict[str, Any]:
    """What the helpdesk may see of a voter: identity, assignment, published roll lines,
    complaints. Never a secret (there is none in this store)."""
    return {
        "scrutins": voter_scrutins(voter),
        "published_in": list(RollEntry.objects.filter(voter=voter).select_related("scrutin__body")),
        "complaints": list(Complaint.objects.filter(voter=voter)),
    }
