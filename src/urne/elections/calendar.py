"""The election's calendar: its phases, each feature's window, and whether a voter may vote
now (docs/product.md, "The calendar": profile and rolls from date A, candidate lists from date
B, complaints until date C, vote from D to E, a new voter identifier from B until E; Paris
time, stored in UTC; ADRs 0220, 0322, 0324, 0610).

Every part asks here: the back office (the phase), the portal (each feature's window), the
booth (may the voter start voting, may they cast now, the grace period included) and the
public board (is the vote over, grace period included). The polling station's states
(ADR 0770: a suspension, an extension of the close after one, an earlier close, the freeze)
are the election's own columns, read here: `vote_end` is the close in force, `vote_refusal`
the one question every other vote question goes through.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Election

#: Late casts after the close, for voters already in the booth before it (seconds;
#: setting ``URNE_CAST_GRACE_SECONDS``).
GRACE_SECONDS = 30 * 60


#: The latest close the bureau may set after a suspension: this many days after the
#: calendar's (setting ``URNE_VOTE_EXTENSION_DAYS``; ADR 0770).
EXTENSION_DAYS = 8


class VoteDates(Protocol):
    """What the vote questions read: an `Election`, or the cast's context read in SQL."""

    @property
    def vote_opens(self) -> datetime | None: ...

    @property
    def vote_closes(self) -> datetime | None: ...

    @property
    def vote_suspended_at(self) -> datetime | None: ...

    @property
    def vote_closed_at(self) -> datetime | None: ...

    @property
    def vote_extended_to(self) -> datetime | None: ...

    @property
    def vote_frozen_at(self) -> datetime | None: ...


def vote_end(election: VoteDates) -> datetime | None:
    """The close in force: the calendar's (date E), or the bureau's extension after a
    suspension, or the bureau's earlier close, whichever comes first of the last two."""
    end = election.vote_extended_to or election.vote_closes
    closed = election.vote_closed_at
    if closed is not None and (end is None or closed < end):
        return closed
    return end


class Phase(StrEnum):
    SETUP = "setup"
    ROLLS = "rolls"
    LISTS = "lists"
    VOTE = "vote"
    CLOSED = "closed"


def election_phase(election: "Election", now: datetime | None = None) -> Phase:
    """The calendar phase at `now`: setup (before A), rolls (from A), lists (from B), vote
    (from D), closed (from E)."""
    now = now or timezone.now()
    end = vote_end(election)
    if end and now >= end:
        return Phase.CLOSED
    if election.vote_opens and now >= election.vote_opens:
        return Phase.VOTE
    if election.lists_from and now >= election.lists_from:
        return Phase.LISTS
    if election.rolls_from and now >= election.rolls_from:
        return Phase.ROLLS
    return Phase.SETUP


class Feature(StrEnum):
    PROFILE = "profile"
    ROLLS = "rolls"
    LISTS = "lists"
    COMPLAINTS = "complaints"
    VOTE = "vote"
    # "Demander un nouvel identifiant électeur" (2018 style): from date B until the close
    # (seed 002, "jusqu'au 6 décembre 2018 avant 17h").
    REPLACEMENT = "replacement"


class State(StrEnum):
    UNSET = "unset"  # the manager has not fixed the date yet
    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


def paris(moment: datetime) -> str:
    """A moment as the seeds write it: "jeudi 1er décembre 2022 à 08h00" (Paris time), or in
    English "Thursday 1 December 2022, 08:00". French writes the first of the month as an
    ordinal ("1er"), the other days as cardinals."""
    local = timezone.localtime(moment)
    wording = _("l j F Y à H\\hi")
    if local.day == 1 and get_language() == "fr":
        wording = wording.replace("j", "\\1\\e\\r", 1)
    return date_format(local, wording)


@dataclass(frozen=True)
class Window:
    """A feature's window; outside it the portal's page says when it opens (or that it has
    closed)."""

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
        if self.has_closed(now):
            return State.AFTER
        return State.OPEN

    def has_closed(self, now: datetime | None = None) -> bool:
        """Whether the window's closing date has passed (whether or not it ever opened)."""
        return self.closes is not None and (now or timezone.now()) >= self.closes

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


def window(election: "Election", feature: Feature) -> Window:
    match feature:
        case Feature.PROFILE | Feature.ROLLS:
            return Window(feature, election.rolls_from, None)
        case Feature.LISTS:
            return Window(feature, election.lists_from, None)
        case Feature.COMPLAINTS:
            # Voters contest what they can see: from date A until date C.
            return Window(feature, election.rolls_from, election.complaints_until)
        case Feature.VOTE:
            return Window(feature, election.vote_opens, vote_end(election))
        case Feature.REPLACEMENT:
            # The 2018 request of a new identifier: from date B until the close in force.
            return Window(feature, election.lists_from, vote_end(election))
    raise ValueError(feature)  # pragma: no cover


def complaints_closed(election: "Election", now: datetime | None = None) -> bool:
    """Whether the complaint deadline (date C) has passed: no complaint may be filed, by a
    voter or by staff on a voter's behalf, from C on (the portal's window closes then too)."""
    return window(election, Feature.COMPLAINTS).has_closed(now)


def windows(election: "Election") -> dict[str, Window]:
    return {f.value: window(election, f) for f in Feature}


def grace_period() -> timedelta:
    """How long after the close a voter who entered the booth before it may still cast."""
    return timedelta(seconds=getattr(settings, "URNE_CAST_GRACE_SECONDS", GRACE_SECONDS))


def extension_limit(election: VoteDates) -> datetime | None:
    """The latest close an extension may set: ``EXTENSION_DAYS`` after the calendar's."""
    if election.vote_closes is None:
        return None
    days = getattr(settings, "URNE_VOTE_EXTENSION_DAYS", EXTENSION_DAYS)
    return election.vote_closes + timedelta(days=days)


def extension_refusal(*, election: VoteDates, until: datetime, now: datetime) -> str | None:
    """None if the close may be moved to ``until`` at ``now``, else why not: ``frozen``, or
    ``extension_too_early`` (not after the close in force, or already past), or
    ``extension_too_late`` (beyond ``extension_limit``). That the vote was suspended first is
    the bureau's rule (`urne.bureau.control`), which asks here for the dates."""
    if election.vote_frozen_at is not None:
        return "frozen"
    end, limit = vote_end(election), extension_limit(election)
    if limit is None or (end is not None and until <= end) or until <= now:
        return "extension_too_early"
    if until > limit:
        return "extension_too_late"
    return None


def vote_refusal(*, election: VoteDates, now: datetime) -> str | None:
    """None if voting is open in `election` at `now` (a voter may enter the booth and have
    their code confirmed), else why not, as the booth's error code: ``closed`` once the
    bureau has frozen the urns, ``not_open`` (no opening date yet, or before it),
    ``suspended`` while the bureau has suspended the vote, ``closed`` from the close in force
    on (`vote_end`; no grace period here). Every vote question (`cast_refusal`, the booth's
    pages) goes through this function; it reads only the election's columns."""
    if election.vote_frozen_at is not None:
        return "closed"
    if election.vote_opens is None or now < election.vote_opens:
        return "not_open"
    if election.vote_suspended_at is not None:
        return "suspended"
    end = vote_end(election)
    if end is not None and now >= end:
        return "closed"
    return None


def cast_refusal(
    *,
    election: VoteDates,
    now: datetime,
    entered_at: Callable[[], datetime | None],
) -> str | None:
    """None if a voter may cast a ballot in `election` at `now`, else the cast's error code
    (``not_open``, ``suspended``, ``closed``): while voting is open (`vote_refusal`), and
    after the close in force during the grace period for a voter who entered the booth before
    it (never during a suspension, never once frozen). `entered_at` gives that voter's first
    entry in the scrutin's booth (None: never); it is asked only during the grace period, so
    the common cast reads nothing more."""
    refused = vote_refusal(election=election, now=now)
    end = vote_end(election)
    if refused != "closed" or end is None or election.vote_frozen_at is not None:
        return refused
    if now < end + grace_period():
        entered = entered_at()
        if entered is not None and entered < end:
            return None
    return "closed"


def calendar_change_refusal(election: "Election") -> str | None:
    """None if the election's calendar may still change, else why not: ``sealed`` from the
    seal on (ADR 0750: the dates are among what the bureau sealed; a later extension of the
    close is the bureau's recorded decision, not a change of the calendar)."""
    from urne.bureau.seal import election_sealed

    if election.pk is not None and election_sealed(election):
        return "sealed"
    return None


def vote_over(*, election: VoteDates, now: datetime | None = None) -> bool:
    """Whether no ballot can come in any more: frozen, or past the close in force and the
    grace period of the voters already in the booth, and not suspended (a suspended vote may
    still be resumed and its close extended). The public board then publishes its list and
    archive; the count may open."""
    if election.vote_frozen_at is not None:
        return True
    end = vote_end(election)
    if end is None or election.vote_suspended_at is not None:
        return False
    return (now or timezone.now()) >= end + grace_period()


def vote_frozen(*, election_id: int) -> bool:
    """Whether the election's urns and émargements are frozen (read now from the database,
    for a write that must not happen after the freeze: a code replacement)."""
    from .models import Election

    return Election.objects.filter(pk=election_id, vote_frozen_at__isnull=False).exists()
