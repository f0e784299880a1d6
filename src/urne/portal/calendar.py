"""The election calendar as the portal applies it (docs/product.md, "The calendar": profile and
rolls from date A, candidate lists from date B, complaints until date C, vote from D to E,
Paris time).

Each feature is a window; outside it the page says when it opens (or that it has closed).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from urne.elections.models import Election


class Feature(StrEnum):
    PROFILE = "profile"
    ROLLS = "rolls"
    LISTS = "lists"
    COMPLAINTS = "complaints"
    VOTE = "vote"


class State(StrEnum):
    UNSET = "unset"  # the manager has not fixed the date yet
    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


def paris(moment: datetime) -> str:
    """A moment as the seeds write it: "jeudi 1 décembre 2022 à 08h00" (Paris time)."""
    return date_format(timezone.localtime(moment), _("l j F Y à H\\hi"))


@dataclass(frozen=True)
class Window:
    feature: Feature
    opens: datetime | None
    closes: datetime | None
    # Whether the window needs an opening date at all (complaints are open from the start).
    needs_opening: bool = True

    def state(self, now: datetime | None = None) -> State:
        now = now or timezone.now()
        if self.needs_opening and self.opens is None:
            return State.UNSET
        if self.opens is not None and now < self.opens:
            return State.BEFORE
        if self.closes is not None and now >= self.closes:
            return State.AFTER
        return State.OPEN

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) is State.OPEN

    def message(self, now: datetime | None = None) -> str:
        """What the page says about the window now (empty while it is open and unbounded)."""
        state = self.state(now)
        if state is State.UNSET:
            return _("Cette rubrique ouvrira à une date qui n'est pas encore fixée.")
        if state is State.BEFORE and self.opens is not None:
            return _("Cette rubrique ouvrira le %(date)s (heure de Paris).") % {
                "date": paris(self.opens)
            }
        if state is State.AFTER and self.closes is not None:
            return _("Cette rubrique est fermée depuis le %(date)s (heure de Paris).") % {
                "date": paris(self.closes)
            }
        if self.closes is not None:
            return _("Ouvert jusqu'au %(date)s (heure de Paris).") % {"date": paris(self.closes)}
        return ""


def window(election: Election, feature: Feature) -> Window:
    match feature:
        case Feature.PROFILE | Feature.ROLLS:
            return Window(feature, election.rolls_from, None)
        case Feature.LISTS:
            return Window(feature, election.lists_from, None)
        case Feature.COMPLAINTS:
            # Voters contest what they can see: from date A until date C.
            return Window(feature, election.rolls_from, election.complaints_until)
        case Feature.VOTE:
            return Window(feature, election.vote_opens, election.vote_closes)
    raise ValueError(feature)  # pragma: no cover


def windows(election: Election) -> dict[str, Window]:
    return {f.value: window(election, f) for f in Feature}
