"""The election calendar (`urne.elections.calendar`): the portal's windows, every phase, the
vote and its grace period, for every caller (back office, portal, booth, cast, board)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from urne.elections.calendar import (
    Feature,
    Phase,
    State,
    Window,
    cast_refusal,
    election_phase,
    extension_refusal,
    grace_period,
    paris,
    vote_end,
    vote_over,
    vote_refusal,
    window,
)

T = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08h00 in Paris
H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("now", "state"),
    [(T - H, State.BEFORE), (T, State.OPEN), (T + 9 * H, State.OPEN), (T + 10 * H, State.AFTER)],
)
def test_window_bounds(now, state):
    w = Window(Feature.VOTE, T, T + 10 * H)
    assert w.state(now) is state
    assert w.is_open(now) is (state is State.OPEN)


def test_unbounded_and_unset():
    assert Window(Feature.ROLLS, T, None).state(T + 1000 * H) is State.OPEN
    assert Window(Feature.ROLLS, None, None).state(T) is State.UNSET
    assert Window(Feature.COMPLAINTS, None, T, needs_opening=False).state(T - H) is State.OPEN


def test_paris_time_wording():
    with translation.override("fr"):
        assert paris(T) == "mardi 1er décembre 2026 à 08h00"
        assert "ouvrira le mardi 1er décembre 2026 à 08h00 (heure de Paris)" in Window(
            Feature.VOTE, T, T + H
        ).message(T - H)
        assert "fermée depuis le mardi 1er décembre 2026 à 09h00" in Window(
            Feature.VOTE, T, T + H
        ).message(T + 2 * H)
    with translation.override("en"):
        assert paris(T) == "Tuesday 1 December 2026, 08:00"
        assert "opens on Tuesday 1 December 2026, 08:00 (Paris time)" in Window(
            Feature.VOTE, T, T + H
        ).message(T - H)


def test_summer_time():
    summer = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    with translation.override("fr"):
        assert paris(summer).endswith("à 08h00")


# --- The phases, the vote and the grace period, for every caller --------------------------

S = timedelta(seconds=1)
OPENS, CLOSES = T, T + 10 * H


@dataclass
class Dates:
    vote_opens: datetime | None = OPENS
    vote_closes: datetime | None = CLOSES
    rolls_from: datetime | None = T - 30 * 24 * H
    lists_from: datetime | None = T - 20 * 24 * H
    complaints_until: datetime | None = T - 10 * 24 * H
    # The polling station's states (ADR 0770): none by default.
    vote_suspended_at: datetime | None = None
    vote_closed_at: datetime | None = None
    vote_extended_to: datetime | None = None
    vote_frozen_at: datetime | None = None


def _never() -> datetime | None:
    raise AssertionError("the booth entry is read only during the grace period")


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        (T - 30 * 24 * H - S, Phase.SETUP),
        (T - 30 * 24 * H, Phase.ROLLS),
        (T - 20 * 24 * H - S, Phase.ROLLS),
        (T - 20 * 24 * H, Phase.LISTS),
        (OPENS - S, Phase.LISTS),
        (OPENS, Phase.VOTE),
        (CLOSES - S, Phase.VOTE),
        (CLOSES, Phase.CLOSED),
    ],
)
def test_every_phase_boundary(now, phase):
    assert election_phase(Dates(), now) is phase  # type: ignore[arg-type]


def test_phase_without_dates_is_setup():
    assert election_phase(Dates(None, None, None, None, None), T) is Phase.SETUP  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "refused"),
    [(OPENS - S, "not_open"), (OPENS, None), (CLOSES - S, None), (CLOSES, "closed")],
)
def test_vote_refusal_at_the_boundaries_agrees_with_the_portal_window(now, refused):
    dates = Dates()
    assert vote_refusal(election=dates, now=now) == refused
    portal = window(dates, Feature.VOTE).state(now)  # type: ignore[arg-type]
    assert portal is {None: State.OPEN, "not_open": State.BEFORE, "closed": State.AFTER}[refused]
    # Up to the close, the cast answers as the booth's entry (the booth entry is not read).
    if refused != "closed":
        assert cast_refusal(election=dates, now=now, entered_at=_never) == refused


def test_vote_dates_not_fixed():
    assert vote_refusal(election=Dates(None, None), now=T) == "not_open"
    assert vote_refusal(election=Dates(OPENS, None), now=T + 1000 * H) is None
    assert cast_refusal(election=Dates(OPENS, None), now=T + 1000 * H, entered_at=_never) is None
    assert not vote_over(election=Dates(OPENS, None), now=T + 1000 * H)


def test_grace_period_for_a_voter_in_the_booth_before_the_close():
    dates, grace = Dates(), grace_period()
    assert grace == timedelta(minutes=30)
    before, at_close = CLOSES - 5 * 60 * S, CLOSES
    for now in (CLOSES, CLOSES + grace - S):
        assert cast_refusal(election=dates, now=now, entered_at=lambda: before) is None
        assert cast_refusal(election=dates, now=now, entered_at=lambda: at_close) == "closed"
        assert cast_refusal(election=dates, now=now, entered_at=lambda: None) == "closed"
        assert vote_refusal(election=dates, now=now) == "closed"  # no new entry
        assert not vote_over(election=dates, now=now)  # the board stays secret
    end = CLOSES + grace
    assert cast_refusal(election=dates, now=end, entered_at=_never) == "closed"
    assert vote_over(election=dates, now=end)


def test_grace_period_from_the_setting(settings):
    settings.URNE_CAST_GRACE_SECONDS = 60
    dates = Dates()
    assert cast_refusal(election=dates, now=CLOSES + 59 * S, entered_at=lambda: OPENS) is None
    assert cast_refusal(election=dates, now=CLOSES + 60 * S, entered_at=_never) == "closed"
    assert not vote_over(election=dates, now=CLOSES + 59 * S)
    assert vote_over(election=dates, now=CLOSES + 60 * S)


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_every_caller_follows_the_calendar():
    """The back office's phase, the portal's window, the booth's pages and cast, and the
    board all answer from the calendar, at the same boundaries."""
    from factories.booth import ballot_make, cast_setup_make
    from urne.booth.services import CastError, booth_enter, cast_context, cast_submit
    from urne.booth.views_pages import _window
    from urne.urn.views import board_published

    setup = cast_setup_make(voters=3, scrutins=1, seed="calendar")
    cs, (early, late, absent) = setup.scrutins[0], setup.voters
    election = cs.scrutin.election
    now = timezone.now()
    election.vote_opens, election.vote_closes = now + H, now + 2 * H
    election.save()
    scrutin = cs.scrutin

    def cast(voter, at):
        try:
            cast_submit(
                voter_id=voter.pk,
                scrutin_uuid=scrutin.uuid,
                ballot=ballot_make(cs, voter.pk),
                now=at,
            )
        except CastError as exc:
            return exc.code
        return None

    opens, closes = election.vote_opens, election.vote_closes
    ctx = cast_context(voter_id=early.pk, scrutin_uuid=scrutin.uuid)
    assert (ctx.vote_opens, ctx.vote_closes) == (opens, closes)  # the cast's SQL reads them
    assert election.phase(opens - S) == "setup" and election.phase(opens) == "vote"
    assert election.phase(closes) == "closed"
    assert _window(election, opens - S) == "before"
    assert cast(early, opens - S) == "not_open"
    assert _window(election, opens) == "open"
    booth_enter(voter_id=early.pk, scrutin_id=scrutin.pk, now=closes - S)
    booth_enter(voter_id=late.pk, scrutin_id=scrutin.pk, now=closes)
    assert _window(election, closes) == "after"
    assert window(election, Feature.VOTE).state(closes) is State.AFTER
    assert not board_published(scrutin, closes + grace_period() - S)
    assert cast(late, closes) == "closed"
    assert cast(absent, closes) == "closed"
    assert cast(early, closes + grace_period() - S) is None
    assert cast(late, closes + grace_period()) == "closed"
    assert board_published(scrutin, closes + grace_period())
    assert not board_published(None, closes + grace_period())


@pytest.mark.django_db
def test_complaints_close_at_date_c_for_staff_and_voters_alike():
    from django.core.exceptions import ValidationError

    from factories.elections import election_make
    from urne.elections.calendar import Feature, complaints_closed, window
    from urne.elections.services import complaint_file

    c = datetime(2026, 12, 1, 12, tzinfo=UTC)
    election = election_make(rolls_from=c - timedelta(days=30), complaints_until=c)
    before = c - timedelta(seconds=1)
    assert not complaints_closed(election, before)
    assert complaints_closed(election, c)
    assert window(election, Feature.COMPLAINTS).is_open(before)
    assert not window(election, Feature.COMPLAINTS).is_open(c)  # the portal agrees at C
    complaint_file(election=election, voter=None, scrutin=None, subject="s", text="t", now=before)
    with pytest.raises(ValidationError, match="close"):
        complaint_file(election=election, voter=None, scrutin=None, subject="s", text="t", now=c)


def test_only_the_first_of_the_month_is_an_ordinal():
    """French writes "1er décembre" but "2 décembre"; English keeps cardinals."""
    second = T + timedelta(days=1)
    with translation.override("fr"):
        assert paris(second) == "mercredi 2 décembre 2026 à 08h00"
        assert paris(datetime(2027, 1, 1, 7, 0, tzinfo=UTC)) == "vendredi 1er janvier 2027 à 08h00"
    with translation.override("en"):
        assert paris(second) == "Wednesday 2 December 2026, 08:00"


# --- the polling station's states (ADR 0770) ------------------------------------------------


def test_a_suspension_refuses_voting_and_casts_even_in_the_grace():
    suspended = Dates(vote_suspended_at=OPENS + H)
    assert vote_refusal(election=suspended, now=OPENS + 2 * H) == "suspended"
    assert cast_refusal(election=suspended, now=OPENS + 2 * H, entered_at=_never) == "suspended"
    assert cast_refusal(election=suspended, now=CLOSES + H, entered_at=lambda: OPENS) == "suspended"
    assert vote_over(election=suspended, now=CLOSES + 24 * H) is False


def test_the_close_in_force_is_the_extension_or_the_bureau_s_earlier_close():
    extended = Dates(vote_extended_to=CLOSES + 24 * H)
    assert vote_end(extended) == CLOSES + 24 * H
    assert vote_refusal(election=extended, now=CLOSES + H) is None
    closed = Dates(vote_closed_at=OPENS + H, vote_extended_to=CLOSES + 24 * H)
    assert vote_end(closed) == OPENS + H
    assert vote_refusal(election=closed, now=OPENS + 2 * H) == "closed"
    # The grace counts from the bureau's close, for the voters in the booth before it.
    assert cast_refusal(election=closed, now=OPENS + 80 * M, entered_at=lambda: OPENS) is None
    assert cast_refusal(election=closed, now=OPENS + 80 * M, entered_at=lambda: OPENS + 2 * H)
    assert vote_over(election=closed, now=OPENS + H + 31 * M) is True


def test_after_the_freeze_everything_is_closed_without_grace():
    frozen = Dates(vote_frozen_at=CLOSES + H)
    assert vote_refusal(election=frozen, now=OPENS + H) == "closed"
    assert cast_refusal(election=frozen, now=CLOSES + M, entered_at=_never) == "closed"
    assert vote_over(election=frozen, now=OPENS) is True


def test_an_extension_stays_within_eight_days_of_the_calendar_s_close():
    e = Dates()
    assert extension_refusal(election=e, until=CLOSES + 8 * 24 * H, now=CLOSES) is None
    assert extension_refusal(election=e, until=CLOSES + 8 * 24 * H + M, now=CLOSES)
    assert extension_refusal(election=e, until=CLOSES, now=OPENS) == "extension_too_early"
    assert extension_refusal(election=Dates(vote_frozen_at=CLOSES), until=CLOSES + H, now=CLOSES)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (T - 20 * 24 * H - S, State.BEFORE),
        (T - 20 * 24 * H, State.OPEN),  # date B (seed 001: "à partir du 5 novembre")
        (CLOSES - S, State.OPEN),  # until the close (seed 002: "avant 17h")
        (CLOSES, State.AFTER),
    ],
)
def test_new_identifier_from_date_b_until_the_close(now, state):
    assert window(Dates(), Feature.REPLACEMENT).state(now) is state  # type: ignore[arg-type]
