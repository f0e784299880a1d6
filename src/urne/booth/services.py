"""The cast (docs/architecture.md, "The vote code and the cast"; ADR 0320-0322).

A ballot and its émargement live in two stores (urn, voter store) and must both exist or
neither. The cast writes, in this order:

1. *claim*: the voter store's émargement row, state *pending*, holding the ballot's tracker
   (committed before anything reaches the urn);
2. under that row's lock: the ballot appended to the urn (one urn transaction: records,
   event, tracker and credential index, running tally), then the row set *voted* and the
   tracker erased.

A crash after 1 leaves a pending row: `emargement_recover` settles it from the urn (the
tracker is there: voted; it is not: the row goes, nothing was cast). Every append for a row
happens under its lock, so two tabs, two devices or a resend cannot both append, and a
resend of the same ballot returns the same receipt.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from urne.accounts.models import VoterAccount
from urne.accounts.secret_failures import secret_failure_record, secret_success_record
from urne.accounts.session import SessionClaim, session_claim_valid
from urne.audit.services import audit_append
from urne.authority.selectors import credential_status
from urne.authority.services import credentials_confirm
from urne.bureau.models import ParticipationTick
from urne.bureau.participation import participation_tick
from urne.crypto.ballot import BallotError, check_ballot, parse_ballot
from urne.crypto.encoding import FormatError, sha256_b64
from urne.crypto.group import GROUP
from urne.elections.calendar import cast_refusal
from urne.elections.eligibility import (
    ROLL_FACTS_COLUMNS,
    roll_decide,
    roll_facts_row,
    roll_facts_sql,
    voter_scrutins,
)
from urne.elections.models import Scrutin, Voter
from urne.site.hot_sql import hot_cursor
from urne.urn.faults import fault_point
from urne.urn.selectors import urn_election, urn_tracker_exists
from urne.urn.services import UrnError, urn_ballot_append

from .models import BoothEntry, Emargement

TICKS = ParticipationTick._meta.db_table

log = logging.getLogger(__name__)

#: The largest ballot accepted (a 9-list + blank ballot is about 6 kB).
MAX_BALLOT_BYTES = 256 * 1024


class CastError(Exception):
    """A cast refused; ``code`` is stable (JSON ``code``), the message is in `errors`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Receipt:
    scrutin_uuid: str
    tracker: str
    # True when this ballot was already in the urn (a resend): nothing new was written.
    resent: bool = False
    # The scrutin as the voter knows it (body name and perimeter), for the e-mail.
    label: str = ""
    # The voter, for the receipt e-mail (read with the cast, no other query).
    voter_id: int | None = None
    email: str = ""
    first_name: str = ""


def booth_enter(*, voter_id: int, scrutin_id: int, now: datetime | None = None) -> datetime:
    """Record when the voter first entered the scrutin's booth (idempotent); the time decides
    the grace period after the close. Returns the first entry time."""
    entry, _ = BoothEntry.objects.get_or_create(
        voter_id=voter_id, scrutin_id=scrutin_id, defaults={"entered_at": now or timezone.now()}
    )
    return entry.entered_at


@dataclass(frozen=True)
class CodeConfirmation:
    """What the vote-code check found: the scrutins whose booth the code opens, or why the
    code was refused (``wrong_code``, ``revoked``; ``no_scrutin`` when none of the scrutins
    sent is the voter's)."""

    confirmed: list[str]
    refusal: str | None = None


def vote_code_confirm(*, voter: Voter, credentials: dict[str, str]) -> CodeConfirmation:
    """The vote-code check, once the voter is known and their CAPTCHA or password checked: the
    authority confirms which of the public credentials derived from the typed code (scrutin
    uuid → hex) are the voter's active ones, and the booth of each confirmed scrutin records
    the voter's entry (for the grace period at the close). A refused code is a failure on the
    voter's secret, a confirmed one a success (`accounts.secret_failures`, ADR 0500)."""
    mine = {s.uuid: s for s in voter_scrutins(voter)}
    wanted = {u: c.strip().lower() for u, c in credentials.items() if u in mine}
    if not wanted:
        return CodeConfirmation(confirmed=[], refusal="no_scrutin")
    confirmed = [
        u for u, ok in credentials_confirm(voter=voter, public_credentials=wanted).items() if ok
    ]
    account = VoterAccount.objects.filter(voter_id=voter.pk).first()
    if not confirmed:
        if account is not None:
            secret_failure_record(account=account, kind="vote_code")
        return CodeConfirmation(confirmed=[], refusal=_code_refusal(voter, wanted))
    if account is not None:
        secret_success_record(account=account)
    for uuid in confirmed:
        booth_enter(voter_id=voter.pk, scrutin_id=mine[uuid].pk)
    return CodeConfirmation(confirmed=confirmed)


def _code_refusal(voter: Voter, credentials: dict[str, str]) -> str:
    """Why a code was refused: the voter's own replaced code, or else ``wrong_code``, one
    answer for every other code (another voter's, a spare, a typo, a guess), so that the
    check tells a voter nothing about codes that are not theirs (ADR 0521)."""
    for uuid, cred in credentials.items():
        status = credential_status(voter_id=voter.pk, scrutin_uuid=uuid, public_credential=cred)
        if status == "revoked":
            return "revoked"
    return "wrong_code"


def _entered_at(voter_id: int, scrutin_id: int) -> datetime | None:
    return (
        BoothEntry.objects.filter(voter_id=voter_id, scrutin_id=scrutin_id)
        .values_list("entered_at", flat=True)
        .first()
    )


@dataclass(frozen=True, slots=True)
class CastContext:
    scrutin_id: int
    label: str
    vote_opens: datetime | None
    vote_closes: datetime | None
    # The polling station's states (`calendar.vote_refusal`, ADR 0770).
    vote_suspended_at: datetime | None
    vote_closed_at: datetime | None
    vote_extended_to: datetime | None
    vote_frozen_at: datetime | None
    voter_exists: bool
    on_roll: bool
    emargement: str | None
    # Read with the account (``account_id`` given): the voter and what the receipt e-mail
    # needs, and the stored password hash the session's claim is checked against.
    voter_id: int | None = None
    email: str = ""
    first_name: str = ""
    password: str | None = None


def _aware(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):  # SQLite without declared-type conversion
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def cast_context(
    *, voter_id: int | None = None, account_id: int | None = None, scrutin_uuid: str
) -> CastContext | None:
    """Everything the cast reads from the voter store, in one query: the scrutin and its
    calendar, whether the voter is on its roll (`eligibility.roll_facts_sql`) and their émargement
    state; with ``account_id`` instead of ``voter_id``, the voter is that account's, read in
    the same query with the account's password hash (ADR 0330). None when the scrutin does
    not exist."""
    t = {
        "a": VoterAccount._meta.db_table,
        "s": Scrutin._meta.db_table,
        "b": Scrutin._meta.get_field("body").related_model._meta.db_table,
        "e": Scrutin._meta.get_field("election").related_model._meta.db_table,
        "v": Voter._meta.db_table,
        "em": Emargement._meta.db_table,
    }
    if account_id is not None:
        who = f"LEFT JOIN {t['a']} a ON a.id = %s LEFT JOIN {t['v']} v ON v.id = a.voter_id"
        extra = "a.password, v.email, v.first_name"
    else:
        who, extra = f"LEFT JOIN {t['v']} v ON v.id = %s", "NULL, NULL, NULL"
    sql = (
        f"SELECT s.id, b.name, s.perimeter, e.vote_opens, e.vote_closes, "  # noqa: S608
        "e.vote_suspended_at, e.vote_closed_at, e.vote_extended_to, e.vote_frozen_at, v.id, "
        f"{extra}, {roll_facts_sql(voter='v', scrutin='s', election='e')}, "
        f"(SELECT em.state FROM {t['em']} em WHERE em.voter_id = v.id AND em.scrutin_id = s.id) "
        f"FROM {t['s']} s JOIN {t['e']} e ON e.id = s.election_id "
        f"JOIN {t['b']} b ON b.id = s.body_id "
        f"{who} WHERE s.uuid = %s"
    )
    with hot_cursor("default") as cur:
        cur.execute(sql, [account_id if account_id is not None else voter_id, scrutin_uuid])
        row = cur.fetchone()
    if row is None:
        return None
    (sid, body, perimeter, opens, closes, suspended, closed, extended, frozen) = row[:9]
    (vid, password, email, first_name) = row[9:13]
    facts, state = row[13 : 13 + ROLL_FACTS_COLUMNS], row[13 + ROLL_FACTS_COLUMNS]
    return CastContext(
        scrutin_id=sid,
        label=f"{body} {perimeter}".strip(),
        vote_opens=_aware(opens),
        vote_closes=_aware(closes),
        vote_suspended_at=_aware(suspended),
        vote_closed_at=_aware(closed),
        vote_extended_to=_aware(extended),
        vote_frozen_at=_aware(frozen),
        voter_exists=vid is not None,
        on_roll=vid is not None and roll_decide(roll_facts_row(facts)),
        emargement=state,
        voter_id=vid,
        email=email or "",
        first_name=first_name or "",
        password=password,
    )


def cast_submit(
    *,
    voter_id: int | None = None,
    claim: SessionClaim | None = None,
    scrutin_uuid: str,
    ballot: str,
    now: datetime | None = None,
) -> Receipt:
    """Check and record one ballot of voter ``voter_id`` in scrutin ``scrutin_uuid``; or, with
    ``claim`` (a voter session's claim, ADR 0330), of that session's account once the claim is
    checked against the account's password hash (refused: ``not_logged_in``).

    Raises CastError; the same ballot sent again returns the same receipt (``resent``)."""
    now = now or timezone.now()
    if claim is not None:
        ctx = cast_context(account_id=claim.account_id, scrutin_uuid=scrutin_uuid)
        if ctx is None:
            _claim_check(claim)
        elif not session_claim_valid(claim, ctx.password) or ctx.voter_id is None:
            raise CastError("not_logged_in")
        else:
            voter_id = ctx.voter_id
    if len(ballot) > MAX_BALLOT_BYTES:
        raise CastError("invalid_ballot")
    if claim is None:
        ctx = cast_context(voter_id=voter_id, scrutin_uuid=scrutin_uuid)
    if ctx is None:
        raise CastError("unknown_scrutin")
    if voter_id is None or not ctx.on_roll:
        raise CastError("not_eligible")
    try:
        parsed = parse_ballot(ballot)
    except (BallotError, FormatError, ValueError) as exc:
        raise CastError("invalid_ballot") from exc
    if parsed.election_uuid != scrutin_uuid:
        raise CastError("foreign_ballot")
    # parse_ballot accepts only the canonical form, so this is parsed.tracker without
    # serialising the ballot again (docs/protocol.md §5: b64 SHA-256 of the ballot string).
    tracker = sha256_b64(ballot)
    status = credential_status(
        voter_id=voter_id,
        scrutin_uuid=scrutin_uuid,
        public_credential=GROUP.element_to_string(parsed.credential),
    )
    if status is None:
        raise CastError("wrong_credential")
    if ctx.emargement == Emargement.State.VOTED:
        return _already_voted(scrutin_uuid, tracker)
    refused = cast_refusal(
        election=ctx, now=now, entered_at=lambda: _entered_at(voter_id, ctx.scrutin_id)
    )
    if refused:
        if ctx.vote_frozen_at is not None:
            # After the freeze nothing may change; an attempt is shown to the bureau.
            audit_append(
                actor="system", action="booth.cast_refused_frozen", data={"scrutin": scrutin_uuid}
            )
        raise CastError(refused)
    election = urn_election(scrutin_uuid=scrutin_uuid)
    if election is None:
        raise CastError("not_open")
    if status != "active":
        raise CastError("revoked_credential" if status == "revoked" else "wrong_credential")
    try:
        check_ballot(election, parsed)
    except BallotError as exc:
        log.info("cast refused: ballot check %s failed", exc.check)
        raise CastError("invalid_ballot") from exc
    row_id = _claim(voter_id, ctx.scrutin_id, scrutin_uuid, tracker, now)
    fault_point("claimed")
    receipt = _append(row_id, scrutin_uuid, parsed, ballot, tracker, now)
    fault_point("voted")
    return dataclasses.replace(
        receipt, label=ctx.label, voter_id=voter_id, email=ctx.email, first_name=ctx.first_name
    )


def _claim_check(claim: SessionClaim) -> None:
    """The session's claim checked on its own (the scrutin is unknown): not logged in first."""
    password = (
        VoterAccount.objects.filter(pk=claim.account_id).values_list("password", flat=True).first()
    )
    if not session_claim_valid(claim, password):
        raise CastError("not_logged_in")


def _already_voted(scrutin_uuid: str, tracker: str) -> Receipt:
    # A resend of the ballot that was cast gets its receipt again; anything else is refused.
    if urn_tracker_exists(scrutin_uuid=scrutin_uuid, tracker=tracker):
        return Receipt(scrutin_uuid=scrutin_uuid, tracker=tracker, resent=True)
    raise CastError("already_voted")


def _settle_voted(row: Emargement) -> None:
    row.state = Emargement.State.VOTED
    row.pending_tracker = ""
    row.voted_at = row.voted_at or timezone.now()
    row.save(update_fields=["state", "pending_tracker", "voted_at"])
    participation_tick(voter_id=row.voter_id, scrutin_id=row.scrutin_id, voted_at=row.voted_at)


def _claim(voter_id: int, scrutin_id: int, scrutin_uuid: str, tracker: str, now: datetime) -> int:
    """Step 1: a committed pending row holding ``tracker``; returns its id."""
    conn = connections["default"]
    with hot_cursor("default") as cur:  # the common case, one statement: no row yet
        cur.execute(
            f"INSERT INTO {Emargement._meta.db_table} "  # noqa: S608
            "(voter_id, scrutin_id, state, pending_tracker, created_at) "
            "VALUES (%s, %s, 'pending', %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [voter_id, scrutin_id, tracker, conn.ops.adapt_datetimefield_value(now)],
        )
        row = cur.fetchone()
    if row is not None:
        return int(row[0])
    for _attempt in range(3):
        with transaction.atomic():
            row = (
                Emargement.objects.select_for_update()
                .filter(voter_id=voter_id, scrutin_id=scrutin_id)
                .first()
            )
            if row is None:
                try:
                    with transaction.atomic():
                        row = Emargement.objects.create(
                            voter_id=voter_id, scrutin_id=scrutin_id, pending_tracker=tracker
                        )
                except IntegrityError:
                    continue  # another request created it first: read it again
                return row.pk
            if row.state == Emargement.State.VOTED:
                _already_voted(scrutin_uuid, tracker)
                return row.pk  # pragma: no cover - _already_voted returned: same ballot
            if row.pending_tracker == tracker:
                return row.pk
            # Another ballot's attempt left this row pending. Every append for the row holds
            # its lock, which we hold: if that ballot is not in the urn now, it never will be.
            if not urn_tracker_exists(scrutin_uuid=scrutin_uuid, tracker=row.pending_tracker):
                row.pending_tracker = tracker
                row.save(update_fields=["pending_tracker"])
                return row.pk
            _settle_voted(row)  # committed below, then refused
        raise CastError("already_voted")
    raise CastError("in_progress")


def _append(
    row_id: int, scrutin_uuid: str, parsed: object, ballot: str, tracker: str, now: datetime
) -> Receipt:
    """Step 2, under the row's lock: the ballot to the urn, then the row voted."""
    conn = connections["default"]
    table = Emargement._meta.db_table
    lock = " FOR UPDATE" if conn.features.has_select_for_update else ""
    # The settle (this transaction's UPDATE) needs no flush of its own on PostgreSQL: the
    # claim was committed durably before the urn was touched and the urn's commit is
    # durable, so a settle lost in a crash leaves a pending row holding a tracker that is in
    # the urn, which `emargement_recover` sets voted (ADR 0321, 0332). The receipt rests on
    # the urn's commit only.
    relaxed = (
        ", set_config('synchronous_commit', 'off', true)" if conn.vendor == "postgresql" else ""
    )
    with transaction.atomic(), hot_cursor("default") as cur:
        cur.execute(
            f"SELECT state, pending_tracker{relaxed} FROM {table} WHERE id = %s{lock}",  # noqa: S608
            [row_id],
        )
        found = cur.fetchone()
        if found is None:
            raise CastError("in_progress")  # the recovery job dropped a stale claim: resend
        if found[0] == Emargement.State.VOTED:
            return _already_voted(scrutin_uuid, tracker)
        if found[1] != tracker:
            raise CastError("in_progress")  # another tab or device took the claim over
        try:
            appended = urn_ballot_append(
                scrutin_uuid=scrutin_uuid,
                ballot=parsed,  # type: ignore[arg-type]
                ballot_text=ballot,
            )
        except UrnError as exc:
            if exc.code == "urn_closed":
                raise CastError("closed") from exc
            if exc.code != "credential_used":
                raise
            # This voter's credential already cast another ballot: the voter has voted.
            appended = None
        else:
            fault_point("urn_committed")
        # The row voted and the participation counters' tick (ADR 0771) in one statement on
        # PostgreSQL (a data-modifying CTE: no round trip more than before), two elsewhere.
        voted_at = conn.ops.adapt_datetimefield_value(now)
        if conn.vendor == "postgresql":
            cur.execute(
                f"WITH u AS (UPDATE {table} SET state = 'voted', pending_tracker = '', "  # noqa: S608
                "voted_at = %s WHERE id = %s RETURNING scrutin_id, voter_id, voted_at) "
                f"INSERT INTO {TICKS} (scrutin_id, voter_id, voted_at) "
                "SELECT scrutin_id, voter_id, voted_at FROM u",
                [voted_at, row_id],
            )
        else:
            cur.execute(
                f"UPDATE {table} SET state = 'voted', pending_tracker = '', "  # noqa: S608
                "voted_at = %s WHERE id = %s",
                [voted_at, row_id],
            )
            cur.execute(
                f"INSERT INTO {TICKS} (scrutin_id, voter_id, voted_at) "  # noqa: S608
                f"SELECT scrutin_id, voter_id, voted_at FROM {table} WHERE id = %s",
                [row_id],
            )
    if appended is None:
        raise CastError("already_voted")
    return Receipt(scrutin_uuid=scrutin_uuid, tracker=tracker, resent=not appended.new)


@dataclass(frozen=True, slots=True)
class Recovery:
    voted: int = 0
    dropped: int = 0
    busy: int = 0
    # Pending rows of a frozen election: left as they are (nothing changes after the freeze).
    frozen: int = 0


def emargement_recover(*, older_than: timedelta = timedelta(minutes=2)) -> Recovery:
    """Settle pending émargements from the urn: the tracker is in the urn, the row is voted
    (tracker erased); it is not, the row goes (nothing was cast; the voter may vote).
    Rows younger than ``older_than`` are left to the cast in progress; rows locked by one
    are skipped; rows of an election whose urns are frozen are left and the attempt audited
    (the freeze settles every row first, so none should be there). Idempotent."""
    cutoff = timezone.now() - older_than
    voted = dropped = busy = frozen = 0
    # (election id, scrutin uuid) -> [voted, dropped]: one audit event per scrutin settled,
    # so the bureau's journal of interventions shows each recovery (ADR 0702).
    settled: dict[tuple[int, str], list[int]] = {}
    pending = Emargement.objects.filter(
        state=Emargement.State.PENDING, created_at__lte=cutoff
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            row = (
                Emargement.objects.select_for_update(skip_locked=True)
                .select_related("scrutin__election")
                .filter(pk=pk, state=Emargement.State.PENDING)
                .first()
            )
            if row is None:
                busy += 1
                continue
            if row.scrutin.election.vote_frozen_at is not None:
                audit_append(
                    actor="system",
                    action="booth.recovery_refused_frozen",
                    obj=row.scrutin,
                    data={"scrutin": row.scrutin.uuid},
                )
                frozen += 1
                continue
            counts = settled.setdefault((row.scrutin.election_id, row.scrutin.uuid), [0, 0])
            if row.pending_tracker and urn_tracker_exists(
                scrutin_uuid=row.scrutin.uuid, tracker=row.pending_tracker
            ):
                _settle_voted(row)
                voted += 1
                counts[0] += 1
            else:
                row.delete()
                dropped += 1
                counts[1] += 1
    if voted or dropped:
        log.info("émargement recovery: %d voted, %d dropped", voted, dropped)
    for (election_id, uuid), (v, d) in sorted(settled.items()):
        audit_append(
            actor="system",
            action="booth.emargement_recover",
            data={"election": election_id, "scrutin": uuid, "voted": v, "dropped": d},
        )
    return Recovery(voted=voted, dropped=dropped, busy=busy, frozen=frozen)


_channels = threading.local()


def _channel() -> Any:
    """This thread's mail channel (``urne.messaging``, chosen by URNE_MAIL_CHANNEL): one per
    thread, so an SMTP channel keeps its connection across casts."""
    from urne.messaging.channels import channel_get

    channel = getattr(_channels, "channel", None)
    if channel is None:
        channel = _channels.channel = channel_get()
    return channel


#: The outbox template of the cast's receipt: its row is the note of the e-mail sent with the
#: cast, or the e-mail waiting for its retry (ADR 0586).
TEMPLATE_RECEIPT = "cast_receipt"


def scrutin_label(scrutin: Scrutin) -> str:
    """The scrutin as the voter knows it (body name and perimeter)."""
    return f"{scrutin.body.name} {scrutin.perimeter}".strip()


def receipt_board_url(*, scrutin_uuid: str, tracker: str) -> str:
    """The public board's address showing ``tracker`` (the receipt e-mail's link)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from urne.site.public_url import public_url

    return public_url(reverse("urn:board", args=[scrutin_uuid]) + "?" + urlencode({"q": tracker}))


def _receipt_email(
    *, who: Any, to: str, tracker: str, scrutin_label: str, url: str, recorded_at: datetime
) -> Any:
    from django.template.loader import render_to_string
    from django.utils.translation import gettext

    from urne.elections.calendar import paris
    from urne.messaging.channels import Email

    context = {
        "voter": who,
        "receipt": {"tracker": tracker},
        "scrutin_label": scrutin_label,
        "url": url,
        "recorded_at": paris(recorded_at),
    }
    return Email(
        to=to,
        subject=gettext("Accusé de réception de votre vote"),
        text=render_to_string("cast/receipt_email.txt", context),
        keep=False,  # it ties the voter to their ballot's tracker: no channel keeps a copy
    )


def receipt_send(
    *, receipt: Receipt, scrutin_label: str, url: str, voter: Voter | None = None
) -> bool:
    """E-mail the receipt (the tracker) to the voter's address, now, through the messaging
    app's channel. The body is composed here and kept nowhere; the outbox gets a metadata row
    (template, voter, scrutin, state). A failed send does not undo the vote: the receipt is on
    screen and printable (ADR 0321), and the row waits in the outbox for the retry sweep,
    which composes the e-mail again from the stores (``receipt_compose``, ADR 0586). Without
    ``voter``, the receipt's voter fields (read with the cast) are used."""
    who: Any = voter or {"first_name": receipt.first_name, "email": receipt.email}
    voter_id = voter.pk if voter is not None else receipt.voter_id
    # Sent as the cast returns: the moment of sending is the moment of recording to the minute.
    email = _receipt_email(
        who=who,
        to=voter.email if voter is not None else receipt.email,
        tracker=receipt.tracker,
        scrutin_label=scrutin_label,
        url=url,
        recorded_at=timezone.now(),
    )
    error = ""
    try:
        _channel().send(email)
    except Exception as exc:  # the vote stands; only the class of the error is logged
        log.warning("receipt e-mail not sent: %s", type(exc).__name__)
        _channels.channel = None
        error = type(exc).__name__
    _outbox_note(voter_id, receipt.scrutin_uuid, error)
    return not error


def receipt_compose(message: Any) -> Any:
    """The receipt e-mail of an outbox row waiting for its retry (the messaging app's
    composer of ``TEMPLATE_RECEIPT``): the tracker is read again, never kept in the voter
    store: the voter's credentials in the scrutin (authority), the ballot cast with one of
    them (urn). The moment of recording is the row's, written right after the cast."""
    from django.utils import translation

    from urne.authority.selectors import voter_credentials
    from urne.urn.selectors import urn_tracker_of

    scrutin_uuid = str(message.metadata.get("scrutin", ""))
    voter = message.voter
    tracker = urn_tracker_of(
        scrutin_uuid=scrutin_uuid,
        credentials=voter_credentials(voter_id=voter.pk, scrutin_uuid=scrutin_uuid),
    )
    if tracker is None:
        raise LookupError("no ballot of this voter in the scrutin")
    scrutin = Scrutin.objects.select_related("body").get(uuid=scrutin_uuid)
    with translation.override(message.language):
        return _receipt_email(
            who=voter,
            to=voter.email,
            tracker=tracker,
            scrutin_label=scrutin_label(scrutin),
            url=receipt_board_url(scrutin_uuid=scrutin_uuid, tracker=tracker),
            recorded_at=message.created_at,
        )


def _outbox_note(voter_id: int | None, scrutin_uuid: str, error: str) -> None:
    """The receipt's outbox row: sent, or waiting for the retry sweep (``error``: the class
    of the send's error)."""
    if voter_id is None:  # a receipt with no voter to note it against
        return
    from django.utils.translation import get_language

    from urne.messaging.models import OutboxMessage
    from urne.messaging.services import retry_at

    now = timezone.now()
    note = OutboxMessage(
        template=TEMPLATE_RECEIPT,  # hidden from staff during the vote: PARTICIPATION_TEMPLATES
        voter_id=voter_id,
        language=(get_language() or "fr")[:8],
        metadata={"scrutin": scrutin_uuid},
        state=OutboxMessage.State.READY if error else OutboxMessage.State.SENT,
        attempts=1,
        next_attempt_at=retry_at(1, now) if error else None,
        sent_at=None if error else now,
        last_error=error[:200],
    )
    # The ORM's insert, without its query building (ADR 0333): every concrete field, with
    # its defaults and auto_now_add, prepared by the field itself.
    alias = router.db_for_write(OutboxMessage)
    conn = connections[alias]
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(note, True), conn) for f in fields]
    columns = ", ".join(conn.ops.quote_name(str(f.column)) for f in fields)
    with hot_cursor(alias) as cur:
        cur.execute(
            f"INSERT INTO {conn.ops.quote_name(OutboxMessage._meta.db_table)} "  # noqa: S608
            f"({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
            values,
        )
