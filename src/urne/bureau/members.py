"""The bureau's members and their access (ADR 0700): the manager names them and invites them;
each member makes their own password and second factor from the invitation, which nobody else
ever sees or sets; the manager may reset a member's access (a lost phone, a departure), which
the bureau's journal shows.

- **Members.** A president, a secretary, and one delegate per union that has a list in the
  election (``member_add``); the scrutins the bureau covers (``bureau_scrutins_set``, none
  chosen = all).
- **Invitation.** ``member_invite`` makes a single-use token, keeps its SHA-256 only
  (``Invitation.digest``) and e-mails the link with the token in its fragment (ADR 0532),
  straight through the mail channel (``messaging.channels``): the outbox's rows belong to
  voters. A newer invitation revokes the older ones; one expires after
  ``INVITATION_LIFETIME``.
- **Acceptance.** ``invitation_accept`` spends the invitation and sets the password the
  member typed on their own staff account (login name: their e-mail), in the role's group
  (``bureau`` or ``delegate``), with no second-factor device: the back office's enrolment
  (ADR 0511) follows at once, in the member's own browser.
- **Reset.** ``member_access_reset`` makes the account's password unusable, deletes its
  devices (its sessions end at their next request: the password hash and the device are
  gone) and sends a new invitation; audited, so the journal shows it.

Every write is audited with ``data["election"]``, the key ``urne.bureau.journal`` reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from urne.accounts.tokens import token_digest, token_new
from urne.audit.services import audit_append
from urne.elections.models import Election, Scrutin, Union
from urne.messaging.channels import PermanentError, TemporaryError, channel_get
from urne.messaging.registry import email_render
from urne.site.public_url import public_url

from .models import Bureau, Invitation, Member

log = logging.getLogger(__name__)

#: How long an invitation's link works.
INVITATION_LIFETIME = timedelta(days=3)

#: The staff role (group) each member's account is given.
ROLE_GROUP = {
    Member.Role.PRESIDENT: "bureau",
    Member.Role.SECRETARY: "bureau",
    Member.Role.DELEGATE: "delegate",
}


class MemberError(Exception):
    """A refused change of the bureau's members; nothing is stored."""

    MESSAGES: ClassVar[dict[str, Any]] = {
        "union_needed": _("Un délégué représente une organisation syndicale : choisissez-la."),
        "union_not_for_role": _("Seul un délégué représente une organisation syndicale."),
        "union_without_list": _(
            "Cette organisation syndicale n'a déposé aucune liste à cette élection : elle n'a "
            "pas de délégué."
        ),
        "taken": _(
            "Ce rôle est déjà pourvu dans le bureau (un président, un secrétaire, un "
            "délégué par organisation syndicale)."
        ),
        "already_joined": _(
            "Ce membre a déjà créé son accès : réinitialisez-le d'abord s'il doit le refaire."
        ),
        "not_joined": _("Ce membre n'a pas encore créé son accès : renvoyez-lui l'invitation."),
        "login_taken": _(
            "Un autre compte du back office porte déjà cette adresse : l'invitation ne peut pas "
            "être acceptée. Contactez le gestionnaire de l'élection."
        ),
        "invitation_invalid": _(
            "Cette invitation n'est pas valable : elle a déjà servi, a expiré ou a été "
            "remplacée par une plus récente. Demandez-en une nouvelle au gestionnaire."
        ),
        "reason_needed": _("Indiquez le motif de la réinitialisation."),
        "scrutin_other_election": _("Ce scrutin n'appartient pas à cette élection."),
        "holder_in_ceremony": _(
            "Ce membre détient une clé de la cérémonie des clés : le bureau constate d'abord la "
            "perte de sa clé, puis le président annule la cérémonie (ADR 0701) ; le membre peut "
            "ensuite être retiré et remplacé."
        ),
        "holder_sealed": _(
            "Après le scellement, la clé de ce membre fait partie de ce qui a été scellé : il ne "
            "peut plus être retiré. S'il ne peut plus déchiffrer, le bureau constate la perte de "
            "sa clé ; le dépouillement reste possible tant que le seuil est atteint."
        ),
        "removal_reason_needed": _("Indiquez le motif du retrait."),
        "email_needed": _("Indiquez le nouveau courriel professionnel."),
        "email_joined": _(
            "Ce membre a déjà créé son accès avec cette adresse : réinitialisez d'abord son "
            "accès, puis modifiez son courriel et invitez-le de nouveau."
        ),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])


def bureau_of(election: Election) -> Bureau:
    """The election's bureau, made on first use."""
    bureau, _created = Bureau.objects.get_or_create(election=election)
    return bureau


def unions_with_a_list(election: Election) -> QuerySet[Union]:
    """The unions that have a list in the election: each has one delegate (R211-503 ff.)."""
    return Union.objects.filter(election=election, lists__isnull=False).distinct().order_by("pk")


def _member_audit(actor: Any, action: str, member: Member, **data: Any) -> None:
    audit_append(
        actor=actor,
        action=action,
        obj=member,
        data={
            "election": member.bureau.election_id,
            "member": member.pk,
            "role": member.role,
            "name": member.name,
            **data,
        },
    )


def member_add(
    *,
    actor: Any,
    election: Election,
    role: str,
    name: str,
    email: str,
    union: Union | None = None,
    language: str = "fr",
) -> Member:
    """Name a member of the election's bureau. A delegate represents a union that has a list;
    the president and the secretary represent none; each role once (a delegate per union)."""
    if role == Member.Role.DELEGATE:
        if union is None:
            raise MemberError("union_needed")
        if not unions_with_a_list(election).filter(pk=union.pk).exists():
            raise MemberError("union_without_list")
    elif union is not None:
        raise MemberError("union_not_for_role")
    bureau = bureau_of(election)
    try:
        with transaction.atomic():
            member = Member.objects.create(
                bureau=bureau,
                role=role,
                union=union,
                name=name,
                email=email.strip().lower(),
                language=language,
            )
            _member_audit(actor, "bureau.member_add", member, union=union.acronym if union else "")
    except IntegrityError as exc:
        raise MemberError("taken") from exc
    return member


def bureau_scrutins_set(*, actor: Any, bureau: Bureau, scrutins: list[Scrutin]) -> None:
    """The scrutins the bureau covers (none = every scrutin of the election)."""
    if any(s.election_id != bureau.election_id for s in scrutins):
        raise MemberError("scrutin_other_election")
    with transaction.atomic():
        bureau.scrutins.set(scrutins)
        audit_append(
            actor=actor,
            action="bureau.scrutins_set",
            obj=bureau,
            data={"election": bureau.election_id, "scrutins": sorted(s.uuid for s in scrutins)},
        )


# --- the invitation ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """An invitation made, and whether its e-mail left (the token lives in that e-mail only:
    an e-mail that did not leave is sent again by a new invitation)."""

    invitation: Invitation
    delivered: bool


def _invitation_email(member: Member, token: str, expires_at: datetime) -> Any:
    """The invitation in the member's language (``Member.language``, the manager's choice;
    rendered under ``translation.override`` like every e-mail, ``messaging.registry``)."""
    link = public_url(reverse("bureau:invitation") + "#" + token)
    return email_render(
        base="bureau/email/invitation",
        to=member.email,
        language=member.language,
        context={
            "member": member,
            "election": member.bureau.election,
            "link": link,
            "expires_at": expires_at,
        },
    )


def member_invite(*, actor: Any, member: Member, now: datetime | None = None) -> Sent:
    """A new invitation for a member who has no access yet (older ones revoked), e-mailed once
    the rows are written."""
    now = now or timezone.now()
    token, digest = token_new()
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("bureau").get(pk=member.pk)
        if member.joined_at is not None:
            raise MemberError("already_joined")
        Invitation.objects.filter(member=member, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            member=member,
            digest=digest,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
            sent_by=str(getattr(actor, "get_username", lambda: actor)()),
        )
        member.invited_at = now
        member.save(update_fields=["invited_at"])
        _member_audit(actor, "bureau.member_invite", member, invitation=invitation.pk)
    email = _invitation_email(member, token, invitation.expires_at)
    channel = channel_get()
    try:
        channel.send(email)
    except (PermanentError, TemporaryError, OSError) as error:
        # The class only: the message holds the link.
        log.warning("bureau invitation %s not sent: %s", invitation.pk, type(error).__name__)
        return Sent(invitation, delivered=False)
    finally:
        channel.close()
    return Sent(invitation, delivered=True)


def invitation_open(*, token: str, now: datetime | None = None) -> Invitation | None:
    """The invitation this link's token opens, if it still may (not used, revoked, expired)."""
    return invitation_valid(digest=token_digest(token), now=now)


def invitation_valid(*, digest: str, now: datetime | None = None) -> Invitation | None:
    now = now or timezone.now()
    return (
        Invitation.objects.select_related("member", "member__bureau__election")
        .filter(digest=digest, used_at=None, revoked_at=None, expires_at__gt=now)
        .first()
    )


def invitation_password_check(*, invitation: Invitation, password: str) -> None:
    """The staff password rules (``AUTH_PASSWORD_VALIDATORS``), with the member's name and
    e-mail as the similarity check's attributes; raises ``ValidationError``."""
    member = invitation.member
    user = member.user or get_user_model()(
        username=member.email, email=member.email, first_name=member.name
    )
    password_validation.validate_password(password, user)


def invitation_accept(*, digest: str, password: str, now: datetime | None = None) -> Any:
    """Spend the invitation: the member's own account (made, or the one a reset emptied)
    gets the password they typed, the role's group, and no device (they enrol next). Returns
    the account. Raises ``MemberError("invitation_invalid")`` or the password's
    ``ValidationError``."""
    now = now or timezone.now()
    User = get_user_model()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(digest=digest, used_at=None, revoked_at=None, expires_at__gt=now)
            .first()
        )
        if invitation is None:
            raise MemberError("invitation_invalid")
        member = (
            Member.objects.select_for_update().select_related("bureau").get(pk=invitation.member_id)
        )
        invitation_password_check(invitation=invitation, password=password)
        user = member.user
        taken = User.objects.filter(username__iexact=member.email)
        if user is None:
            if taken.exists():
                raise MemberError("login_taken")
            user = User(username=member.email, email=member.email, is_staff=True)
            user.first_name = member.name[:150]
        elif user.username.lower() != member.email:
            # The manager changed the address after a reset: the login name follows it.
            if taken.exclude(pk=user.pk).exists():
                raise MemberError("login_taken")
            user.username = user.email = member.email
        user.is_active = True
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=ROLE_GROUP[Member.Role(member.role)]))
        TOTPDevice.objects.filter(user=user).delete()
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        member.user = user
        member.joined_at = now
        member.save(update_fields=["user", "joined_at"])
        _member_audit(user, "bureau.member_joined", member, invitation=invitation.pk)
    return user


def member_access_reset(
    *, actor: Any, member: Member, reason: str, now: datetime | None = None
) -> Sent:
    """The manager ends a member's access (password unusable, second-factor devices deleted,
    hence their sessions) and invites them again; the journal shows it to the bureau."""
    reason = reason.strip()
    if not reason:
        raise MemberError("reason_needed")
    now = now or timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("bureau").get(pk=member.pk)
        if member.user_id is None or member.joined_at is None:
            raise MemberError("not_joined")
        user = member.user
        assert user is not None  # noqa: S101 - checked above
        user.set_unusable_password()
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).delete()
        member.joined_at = None
        member.save(update_fields=["joined_at"])
        _member_audit(actor, "bureau.member_access_reset", member, reason=reason)
    return member_invite(actor=actor, member=member, now=now)


def _holds_ceremony_key(member: Member) -> bool:
    """Whether the member is a holder of the bureau's live (or finished) ceremony."""
    from .models import CeremonyHolder

    return (
        CeremonyHolder.objects.filter(member=member).exclude(ceremony__phase="cancelled").exists()
    )


def member_remove(
    *, actor: Any, member: Member, reason: str, now: datetime | None = None
) -> Member:
    """The manager removes a member from the bureau (a departure, a union's new delegate;
    ADR 0703): their invitations revoked, their account closed (password unusable, devices
    deleted, groups left, inactive: every session ends at its next request). A key holder of
    the live ceremony only after the bureau's loss decision and the ceremony's cancel; never
    a key holder after the seal. The member stays in the record (``Member.everyone``)."""
    from .keyloss import sealed

    reason = reason.strip()
    if not reason:
        raise MemberError("removal_reason_needed")
    now = now or timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("bureau").get(pk=member.pk)
        if member.holds_key and sealed(member.bureau.election, now):
            raise MemberError("holder_sealed")
        if _holds_ceremony_key(member):
            raise MemberError("holder_in_ceremony")
        Invitation.objects.filter(member=member, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        user = member.user
        if user is not None:
            user.set_unusable_password()
            user.is_active = False
            user.save(update_fields=["password", "is_active"])
            user.groups.remove(*Group.objects.filter(name__in=set(ROLE_GROUP.values())))
            TOTPDevice.objects.filter(user=user).delete()
        member.removed_at = now
        member.save(update_fields=["removed_at"])
        _member_audit(actor, "bureau.member_remove", member, reason=reason)
    return member


def member_email_change(*, actor: Any, member: Member, email: str, language: str = "") -> Member:
    """The manager corrects a member's address before they make their access (after it, the
    address is their login: a reset first). Pending invitations are revoked (the link went
    to the old address); the manager invites again. In the journal with both addresses."""
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("bureau").get(pk=member.pk)
        if member.joined_at is not None:
            raise MemberError("email_joined")
        previous = member.email
        if language:
            member.language = language
        if email == previous:
            member.save(update_fields=["language"])
            return member
        Invitation.objects.filter(member=member, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        member.email = email
        member.save(update_fields=["email", "language"])
        _member_audit(actor, "bureau.member_email_change", member, email=email, previous=previous)
    return member


def member_state(member: Member, now: datetime | None = None) -> str:
    """``joined``, ``invited`` (a link still valid), ``expired`` (every link spent, revoked or
    expired) or ``not_invited``: what the manager and the bureau see of a member's access."""
    now = now or timezone.now()
    if member.joined_at is not None:
        return "joined"
    if member.invited_at is None:
        return "not_invited"
    live = member.invitations.filter(used_at=None, revoked_at=None, expires_at__gt=now)
    return "invited" if live.exists() else "expired"


MEMBER_STATES = {
    "joined": _("accès créé"),
    "invited": _("invité, en attente"),
    "expired": _("invitation expirée"),
    "not_invited": _("pas encore invité"),
}


def members_overview(bureau: Bureau) -> list[dict[str, Any]]:
    """Each member with the state of their access (``member_state``) and its label: the
    manager's members page and the bureau's home."""
    order = {Member.Role.PRESIDENT: 0, Member.Role.SECRETARY: 1, Member.Role.DELEGATE: 2}
    members = sorted(
        bureau.members.select_related("union"), key=lambda m: (order[Member.Role(m.role)], m.pk)
    )
    rows = []
    for member in members:
        state = member_state(member)
        rows.append({"member": member, "state": state, "state_label": MEMBER_STATES[state]})
    return rows
