"""The 2022 réassort by the challenge question (seed 004; ADR 0651): the voter gives their
secret answer and their NUMEN, and a personal channel — a mobile phone (SMS) or an e-mail
address other than the professional one — to which a single-use activation link is sent.
The link opens "Générer un code" (``authority.reassort_grants``). Neither the phone nor the
address is stored, not even as a hash: the e-mail is sent at once and kept by no channel;
the SMS waits in the SMS outbox with its number sealed, erased once the gateway takes it
(ADR 0601); the text and the link are written at send time."""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from urne.accounts.models import VoterAccount
from urne.accounts.services import answer_check
from urne.audit.services import audit_append
from urne.authority.models import ReassortGrant
from urne.authority.reassort_grants import reassort_grant_issue, reassort_grant_token
from urne.elections.models import Voter
from urne.elections.nir import nir_matches
from urne.messaging.channels import Email, channel_get
from urne.messaging.models import SmsMessage
from urne.messaging.services import sms_enqueue
from urne.site.public_url import public_url

SMS_KIND = "reassort_link"


def challenge_identifier(voter: Voter) -> str:
    """What the challenge asks beside the answer: ``nir`` (the social security number's first
    10 digits) where the election enables it and the voter's was imported (ADR 0652), else
    ``numen``."""
    return "nir" if voter.election.reassort_nir and voter.nir_digest else "numen"


class ChallengeError(Exception):
    """``answer`` (wrong secret answer), ``numen`` / ``nir`` (not the voter's), ``no_answer`` (the
    account was never activated), ``send`` (the e-mail could not be sent: try again)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _link(token: str, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("booth:reassort_link") + "#" + token)


def reassort_challenge_submit(
    *,
    voter: Voter,
    account: VoterAccount,
    answer: str,
    identifier: str,
    via: str,
    destination: str,
    language: str,
) -> None:
    """Check the answer (failures counted, ADR 0500) and the ``identifier`` typed (the NUMEN,
    or the NIR's first 10 digits: :func:`challenge_identifier`), then send the link to
    ``destination`` (a phone in international form, or an e-mail address) by ``via``."""
    if not account.challenge_answer:
        raise ChallengeError("no_answer")
    if not answer_check(account=account, answer=answer):
        audit_append(
            actor=f"voter:{voter.pk}", action="reassort.refused", obj=voter, data={"why": "answer"}
        )
        raise ChallengeError("answer")
    kind = challenge_identifier(voter)
    if kind == "nir":
        right = nir_matches(
            election_id=voter.election_id, typed=identifier, digest=voter.nir_digest
        )
    else:
        right = identifier.strip().upper() == voter.numen.upper()
    if not right:
        audit_append(
            actor=f"voter:{voter.pk}", action="reassort.refused", obj=voter, data={"why": kind}
        )
        raise ChallengeError(kind)
    grant, token = reassort_grant_issue(voter=voter, via=via)
    if via == ReassortGrant.Via.SMS:
        sms_enqueue(
            voter=voter,
            kind=SMS_KIND,
            phone=destination,
            metadata={"grant": grant.pk},
            language=language,
        )
        return
    with translation.override(language):
        email = Email(
            to=destination,
            subject=_("Réassort de votre code de vote"),
            text=_mail_text(voter, _link(token, language)),
            keep=False,  # the personal address and the link: no channel keeps a copy
        )
    try:
        channel_get().send(email)
    except Exception as exc:  # nothing kept: the voter asks again (the grant just expires)
        raise ChallengeError("send") from exc


def _mail_text(voter: Voter, link: str) -> str:
    return "\n\n".join(
        [
            _("Bonjour %(name)s,") % {"name": voter.first_name},
            _(
                "Vous avez demandé un réassort de votre code de vote. Pour obtenir votre "
                "nouveau code, ouvrez le lien ci-dessous dans les 30 minutes, puis cliquez "
                "sur « Générer un code » :"
            ),
            link,
            _(
                "Ce lien ne sert qu'une fois. Si vous n'êtes pas à l'origine de cette demande, "
                "ignorez ce message et contactez l'assistance."
            ),
            _("Cordialement,") + "\n" + _("L'équipe chargée des élections professionnelles"),
        ]
    )


def reassort_sms_compose(message: SmsMessage) -> str:
    """The SMS's text, written at send time (the token derived again from the grant)."""
    token = reassort_grant_token(grant_id=int(message.metadata["grant"]))
    with translation.override(message.language):
        return _("Réassort du code de vote : ouvrez ce lien (30 min, une fois) : %(link)s") % {
            "link": _link(token, message.language)
        }


def sms_kinds_register() -> None:
    from urne.messaging.registry import sms_kind_register

    sms_kind_register(SMS_KIND, reassort_sms_compose)
