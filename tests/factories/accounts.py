"""Voter-account factories and `voter_client_login` for functional tests (contract)."""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from urne.accounts.models import VoterAccount
from urne.accounts.session import ACCOUNT_KEY, HASH_KEY, SEEN_KEY, SINCE_KEY, session_hash
from urne.elections.models import Voter

PASSWORD_2018 = "Motdepasse1"  # noqa: S105 - test password meeting the 2018 policy
PASSWORD_2022 = "Mot-de-passe-2022!"  # noqa: S105 - test password meeting the 2022 policy


def account_make(voter: Voter, *, password: str | None = None, activated: bool = True) -> Any:
    """The voter's account, with a password meeting its election's policy, activated."""
    if password is None:
        password = PASSWORD_2022 if voter.election.style == "2022" else PASSWORD_2018
    account, _ = VoterAccount.objects.get_or_create(
        voter=voter, defaults={"election": voter.election, "email": voter.email.lower()}
    )
    if activated:
        account.password = make_password(password)
        account.password_changed_at = account.activated_at = timezone.now()
        account.save()
    return account


def voter_client_login(client: Client, voter: Voter) -> VoterAccount:
    """Log `voter` into the test client's session (creating an activated account if needed)."""
    account = VoterAccount.objects.filter(voter=voter).first() or account_make(voter)
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    session = engine.SessionStore()
    now = int(time.time())
    session[ACCOUNT_KEY] = account.pk
    session[HASH_KEY] = session_hash(account)
    session[SINCE_KEY] = now
    session[SEEN_KEY] = now
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return account


def mail_outbox() -> list[Any]:
    """E-mails sent through the test settings' MemoryChannel."""
    from urne.messaging.channels import MemoryChannel

    return MemoryChannel.outbox


def mail_clear() -> None:
    mail_outbox().clear()


def link_path(email: Any) -> str:
    """The path of the first portal link in an e-mail's text (scheme and host dropped), with
    its fragment (an account link's token)."""
    import re

    match = re.search(r"https?://[^/\s]+(/\S+)", email.text)
    assert match, email.text
    return match.group(1)


def link_token(email: Any) -> str:
    """The single-use token of an account e-mail's link: its fragment."""
    path, _, token = link_path(email).partition("#")
    assert token, path
    return token


def voter_with_email(election: Any, email: str, **kw: Any) -> Voter:
    """A voter (factories.elections.voter_make) with a chosen professional e-mail."""
    from factories.elections import voter_make

    voter = voter_make(election, **kw)
    Voter.objects.filter(pk=voter.pk).update(email=email)
    voter.email = email
    return voter


def link_follow(client: Client, email: Any) -> str:
    """Open the e-mail's link like a browser: the link page's script posts the fragment's
    token, kept (as a digest) in the session, and the client is sent to the form's URL,
    which is returned."""
    path, _, token = link_path(email).partition("#")
    response = client.post(path, {"lien": token})
    assert response.status_code == 302, response.status_code
    return str(response["Location"])


class SmtpRecorder:
    """aiosmtpd handler keeping every envelope; `refuse` makes RCPT answer 550 for addresses
    in it, `busy` makes DATA answer 451 (temporary)."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()
        self.busy = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            return "451 4.3.0 try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[Any]:
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server_start(settings: Any) -> tuple[Any, SmtpRecorder]:
    """A real SMTP server (aiosmtpd) on a free local port; settings point the SMTP channel at
    it. Returns (controller, recorder); stop the controller when done."""
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.URNE_MAIL_CHANNEL = "urne.messaging.channels.SmtpChannel"
    settings.URNE_SMTP = {"host": "127.0.0.1", "port": port, "timeout": 10}
    return controller, recorder
