"""Voter-account writes (ADR 0200-0203, 0500). Keyword-only, atomic; helpdesk actions audited.
No secret (password, answer, token) is logged or stored in clear.
"""

import secrets
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.audit.services import audit_append
from urne.elections.models import Election, Voter
from urne.messaging.channels import Email
from urne.messaging.models import OutboxMessage
from urne.messaging.registry import email_render, message_voter
from urne.messaging.services import message_enqueue
from urne.site.public_url import public_url

from .models import AccountPolicy, AccountToken, ChallengeQuestion, VoterAccount
from .secret_failures import secret_failure_record, secret_success_record
from .selectors import account_by_identifier
from .tokens import token_digest, token_new
from .validators import policy_validate

Purpose = AccountToken.Purpose
TEMPLATE_OPENING = "accounts.opening"
TEMPLATE_RESET = "accounts.reset"


class AccountError(Exception):
    """A refusal the page explains; `code` picks the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- accounts and tokens ----------------------------------------------------------------------


def account_ensure(*, voter: Voter) -> VoterAccount:
    """The voter's account, created on first need (identifier = professional e-mail)."""
    account = VoterAccount.objects.filter(voter=voter).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account, _ = VoterAccount.objects.get_or_create(
                voter=voter,
                defaults={"election_id": voter.election_id, "email": voter.email.lower()},
            )
    except IntegrityError as error:
        # Another voter of the election already has this e-mail as identifier: the voter file
        # must be corrected (the helpdesk sees the failed message).
        raise AccountError("duplicate_identifier") from error
    return account


def account_demo_open(*, voter: Voter) -> tuple[VoterAccount, str]:
    """Open and activate a voter's account with a fresh random password, for the demo only
    (``manage.py demo_setup`` prints it): the password follows the election's policy."""
    account = account_ensure(voter=voter)
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(14)) + "-7a"
        try:
            policy_validate(style=account.election.style, password=password, account=account)
        except ValidationError:
            continue
        break
    with transaction.atomic():
        _password_store(account, make_password(password), activate=True)
    return account, password


def accounts_prepare(voter_ids: list[int]) -> None:
    """Create the missing accounts of a campaign batch in one statement."""
    voters = Voter.objects.filter(pk__in=voter_ids, account__isnull=True).values_list(
        "pk", "election_id", "email"
    )
    VoterAccount.objects.bulk_create(
        [VoterAccount(voter_id=pk, election_id=e, email=email.lower()) for pk, e, email in voters],
        ignore_conflicts=True,
    )


def _policy(election_id: int) -> AccountPolicy:
    policy = AccountPolicy.objects.filter(election_id=election_id).first()
    return policy or AccountPolicy(election_id=election_id)


def token_issue(*, account: VoterAccount, purpose: str, policy: AccountPolicy | None = None) -> str:
    """A new single-use token (earlier unused ones of the same purpose are revoked); returns the
    raw token, which only the e-mail being composed will hold."""
    policy = policy or _policy(account.election_id)
    hours = policy.opening_link_hours if purpose == Purpose.OPENING else policy.reset_link_hours
    raw, digest = token_new()
    now = timezone.now()
    with transaction.atomic():
        AccountToken.objects.filter(account=account, purpose=purpose, used_at=None).update(
            used_at=now
        )
        AccountToken.objects.create(
            account=account, purpose=purpose, digest=digest, expires_at=now + timedelta(hours=hours)
        )
    return raw


def token_check(*, purpose: str, raw: str | None = None, digest: str | None = None) -> AccountToken:
    """The valid token behind `raw` (or its `digest`), else AccountError invalid / used /
    expired."""
    digest = digest if digest is not None else token_digest(raw or "")
    token = (
        AccountToken.objects.select_related("account", "account__voter", "account__election")
        .filter(digest=digest, purpose=purpose)
        .first()
    )
    if token is None:
        raise AccountError("link_invalid")
    if token.used_at is not None:
        raise AccountError("link_used")
    if token.expires_at <= timezone.now():
        raise AccountError("link_expired")
    return token


def _token_consume(token: AccountToken) -> None:
    updated = AccountToken.objects.filter(pk=token.pk, used_at=None).update(used_at=timezone.now())
    if not updated:
        raise AccountError("link_used")


# --- e-mails -----------------------------------------------------------------------------------


def _link(name: str, raw: str) -> str:
    """The e-mailed link: the token in the fragment, which browsers never send, so no access
    log, proxy or Referer holds it (ADR 0532); the page's script posts it."""
    return public_url(reverse(name) + "#" + raw)


def _compose_link_mail(
    message: OutboxMessage, *, purpose: Purpose, base: str, url: str, hours: Callable[[Any], int]
) -> Email:
    """A voter's e-mail carrying a fresh single-use link of ``purpose`` (composed at send time
    and not kept, ADR 0204); ``hours`` reads the link's lifetime from the style's policy."""
    voter = message_voter(message)
    account = account_ensure(voter=voter)
    policy = _policy(account.election_id)
    raw = token_issue(account=account, purpose=purpose, policy=policy)
    return email_render(
        base=base,
        to=voter.email,
        language=message.language,
        from_name=voter.election.name,
        context={"voter": voter, "link": _link(url, raw), "hours": hours(policy)},
    )


def compose_opening(message: OutboxMessage) -> Email:
    """Opening e-mail (seed 003: "Ouverture du portail élections professionnelles"), with a
    fresh single-use link."""
    return _compose_link_mail(
        message,
        purpose=Purpose.OPENING,
        base="accounts/email/opening",
        url="accounts:opening",
        hours=lambda policy: policy.opening_link_hours,
    )


def compose_reset(message: OutboxMessage) -> Email:
    """Forgotten password (seed 000: "Vous avez demandé à changer votre mot de passe…")."""
    return _compose_link_mail(
        message,
        purpose=Purpose.RESET,
        base="accounts/email/reset",
        url="accounts:reset",
        hours=lambda policy: policy.reset_link_hours,
    )


def opening_send(*, voter: Voter, language: str = "fr") -> OutboxMessage:
    """Queue the opening e-mail for one voter."""
    account_ensure(voter=voter)
    return message_enqueue(template=TEMPLATE_OPENING, voter=voter, language=language)


def opening_resend(*, actor: object, voter: Voter) -> OutboxMessage:
    """Helpdesk: send the opening e-mail again (a new link; older links revoked on sending)."""
    with transaction.atomic():
        message = opening_send(voter=voter)
        audit_append(actor=actor, action="accounts.opening_resend", obj=voter)
    return message


# --- identification, password, activation -----------------------------------------------------


@dataclass(frozen=True)
class Identification:
    outcome: str  # "password": ask the password; "link_sent": an e-mail may have been sent
    account: VoterAccount | None


def account_identify(
    *, election: Election, email: str, language: str = "fr", mail: bool = True
) -> Identification:
    """First step of the login (identifier = professional e-mail). An activated account goes on
    to its password. Otherwise the opening link is e-mailed when the voter exists (2018: "Un
    email contenant le lien pour créer votre mot de passe est envoyé"; 2022 after an "accès
    sans activation": invited again to create the password); an unknown address gets the same
    answer, so the page does not reveal who is a voter. ``mail`` False (the identifier's
    limit reached): the same answers, but no e-mail is sent."""
    email = (email or "").strip().lower()
    account = account_by_identifier(election=election, email=email)
    if account is None:
        voter = Voter.objects.filter(election=election, email__iexact=email).order_by("pk").first()
        if voter is None:
            return Identification("link_sent", None)
        account = account_ensure(voter=voter)
    if account.is_active:
        return Identification("password", account)
    if mail:
        opening_send(voter=account.voter, language=language)
    return Identification("link_sent", None)


def account_authenticate(
    *,
    account: VoterAccount,
    password: str,
    rehash: bool = True,
    address: str | None = None,
    success_counts: bool = True,
) -> VoterAccount:
    """Check the password. A failure is counted (`secret_failures`, ADR 0500: after a few,
    the CAPTCHA is asked, checked by the caller's form before this); the right password is
    never refused. Raises AccountError bad_password. ``success_counts`` False: the password
    is one part of an entry whose caller records the success (the 2018 booth: password and
    vote code together), so a right password does not wipe the count of wrong codes.

    A right password stored with other hasher parameters is re-hashed with the current ones
    (ADR 0206), unless `rehash` is False: the session keeps an HMAC of the stored hash, so a
    check made inside a voter's session (the 2018 booth's password) must not change it."""
    now = timezone.now()
    with transaction.atomic():
        account = VoterAccount.objects.select_for_update().get(pk=account.pk)
        fields = ["last_login_at"]

        def upgrade(raw: str) -> None:
            account.password = make_password(raw)
            fields.append("password")

        if account.is_active and check_password(
            password, account.password, setter=upgrade if rehash else None
        ):
            account.last_login_at = now
            account.save(update_fields=fields)
            if success_counts:
                secret_success_record(account=account)
            return account
        secret_failure_record(account=account, kind="password", address=address, now=now)
    raise AccountError("bad_password")


def account_failures_clear(*, actor: object, account: VoterAccount) -> None:
    """Helpdesk: start the count of failures again, so the CAPTCHA is no longer asked (for a
    voter who cannot solve it; audited). The total stays."""
    with transaction.atomic():
        VoterAccount.objects.filter(pk=account.pk).update(secret_failures=0)
        audit_append(actor=actor, action="accounts.failures_clear", obj=account.voter)


def password_check_policy(*, account: VoterAccount, password: str, confirmation: str) -> None:
    """ValidationError listing every broken rule of the election's policy, or a mismatch."""
    policy_validate(style=account.election.style, password=password, account=account)
    if password != confirmation:
        raise ValidationError(
            _("Les deux mots de passe ne sont pas identiques."), code="password_mismatch"
        )


def opening_password(*, digest: str, password: str) -> tuple[VoterAccount, str]:
    """Opening link + new password (already checked against the policy). The token is consumed.
    2018: the password is stored and the account activated. 2022: nothing is stored yet: the
    password's hash is returned for the activation step, which stores it with the challenge
    question, or drops it ("accès sans activation")."""
    with transaction.atomic():
        token = token_check(digest=digest, purpose=Purpose.OPENING)
        account = token.account
        _token_consume(token)
        hashed = make_password(password)
        if account.election.style == "2018":
            _password_store(account, hashed, activate=True)
    return account, hashed


def _password_store(account: VoterAccount, hashed: str, *, activate: bool) -> None:
    now = timezone.now()
    account.password = hashed
    account.password_changed_at = now
    account.secret_failures = 0
    fields = ["password", "password_changed_at", "secret_failures"]
    if activate and account.activated_at is None:
        account.activated_at = now
        fields.append("activated_at")
    account.save(update_fields=fields)


def answer_normalise(answer: str) -> str:
    """Case- and accent-insensitive form of a challenge answer: accents dropped, letters
    case-folded, punctuation (hyphens, apostrophes) and runs of spaces made one space."""
    decomposed = unicodedata.normalize("NFKD", answer or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def account_activate(
    *, account: VoterAccount, password_hash: str, question: str, answer: str, confirmation: str
) -> VoterAccount:
    """2022 activation: the challenge question and its answer (typed twice) are recorded, and
    the password of the previous step is kept for good."""
    if question not in ChallengeQuestion.values:
        raise AccountError("question_invalid")
    if not answer_normalise(answer):
        raise AccountError("answer_empty")
    if answer_normalise(answer) != answer_normalise(confirmation):
        raise AccountError("answer_mismatch")
    with transaction.atomic():
        account = VoterAccount.objects.select_for_update().get(pk=account.pk)
        account.challenge_question = question
        account.challenge_answer = make_password(answer_normalise(answer))
        account.save(update_fields=["challenge_question", "challenge_answer"])
        _password_store(account, password_hash, activate=True)
    return account


def answer_check(*, account: VoterAccount, answer: str) -> bool:
    """Does `answer` match the recorded challenge answer (case and accents ignored)? For the
    vote-code replacement request (booth). A right answer stored with other hasher parameters
    is re-hashed with the current ones (ADR 0206), like a password at login. Failures are
    counted like the password's (ADR 0500)."""
    if not account.challenge_answer:
        return False

    def upgrade(normalised: str) -> None:
        # Only over the hash just verified: an answer changed meanwhile is left alone.
        verified, account.challenge_answer = account.challenge_answer, make_password(normalised)
        VoterAccount.objects.filter(pk=account.pk, challenge_answer=verified).update(
            challenge_answer=account.challenge_answer
        )

    if check_password(answer_normalise(answer), account.challenge_answer, setter=upgrade):
        secret_success_record(account=account)
        return True
    secret_failure_record(account=account, kind="answer")
    return False


# --- forgotten password --------------------------------------------------------------------------


def password_reset_request(*, election: Election, email: str, language: str = "fr") -> None:
    """Seed 000: e-mail a single-use link to the professional address. Same outcome shown for
    any address; an account not yet activated gets the opening link instead."""
    account = account_by_identifier(election=election, email=email)
    if account is None:
        voter = Voter.objects.filter(election=election, email__iexact=email.strip()).first()
        if voter is None:
            return
        account = account_ensure(voter=voter)
    if account.is_active:
        message_enqueue(template=TEMPLATE_RESET, voter=account.voter, language=language)
    else:
        opening_send(voter=account.voter, language=language)


def password_reset(*, digest: str, password: str) -> VoterAccount:
    """Reset link + new password (policy already checked): stored, failures count reset, other
    sessions ended (the session hash follows the password)."""
    with transaction.atomic():
        token = token_check(digest=digest, purpose=Purpose.RESET)
        account = token.account
        _token_consume(token)
        _password_store(account, make_password(password), activate=True)
    return account
