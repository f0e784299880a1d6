"""E-mail channels (ADR 0204): the outside service behind one interface, chosen by
`settings.URNE_MAIL_CHANNEL`. `SmtpChannel` for real mail, `FileChannel` for development (the
DEBUG mailbox page reads its folder; bodies sealed, receipts not kept: ADR 0532),
`ConsoleChannel` prints headers only (never a body: the body may hold a link with a token),
`MemoryChannel` for unit tests.
"""

import base64
import contextlib
import hashlib
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any, ClassVar, Protocol

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # The sender's display name; seed 003: the election's name ("Election Professionnelle 2022").
    from_name: str = ""
    # False: no channel may keep a copy (the cast receipt ties the voter to their ballot's
    # tracker); the file channel then writes nothing.
    keep: bool = True

    def as_message(self) -> Message:
        """The MIME message: UTF-8 text (and HTML) in quoted-printable, RFC 2047 headers.

        Built with the email package's compat32 classes: the default policy parses every
        header it is given (≈ 1 ms a message here, 1.5 ms with serialising), which was most
        of a receipt e-mail's CPU on the cast's path and of the opening campaign's per message.
        """
        for value in (self.to, self.subject, self.from_name, *self.headers.values()):
            if "\n" in value or "\r" in value:
                raise ValueError("a header value holds a line break")
        # The email package takes a Charset object or a name; its stubs say a name only.
        text = MIMEText(self.text, "plain", _UTF8)  # type: ignore[arg-type]
        message: Message = text
        if self.html:
            message = MIMEMultipart("alternative")
            message.attach(text)
            message.attach(MIMEText(self.html, "html", _UTF8))  # type: ignore[arg-type]
        name, address = settings.URNE_MAIL_FROM
        message["From"] = formataddr((self.from_name or name, address), charset="utf-8")
        message["To"] = self.to
        # A header value may be a Header (encoded words); the stubs say str only.
        message["Subject"] = _header(self.subject)  # type: ignore[assignment]
        message["Message-ID"] = make_msgid(domain=address.rsplit("@", 1)[-1])
        for key, value in self.headers.items():
            message[key] = _header(value)  # type: ignore[assignment]
        return message


# Bodies in quoted-printable: 7-bit safe and still readable in a message's source.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


class PermanentError(Exception):
    """The message can never be delivered (refused recipient, 5xx): no retry."""


class TemporaryError(Exception):
    """Try again later (connection lost, 4xx)."""


class Channel(Protocol):
    def send(self, email: Email) -> None: ...

    def close(self) -> None: ...


class SmtpChannel:
    """SMTP with one connection kept across sends (reopened when the server drops it)."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = settings.URNE_SMTP
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        o = self.options
        smtp = smtplib.SMTP(o["host"], o["port"], timeout=o.get("timeout", 30))
        if o.get("starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if o.get("user"):
            smtp.login(o["user"], o.get("password", ""))
        return smtp

    def send(self, email: Email) -> None:
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                self._smtp.send_message(email.as_message())
                return
            except smtplib.SMTPRecipientsRefused as error:
                raise PermanentError("SMTPRecipientsRefused") from error
            except smtplib.SMTPResponseException as error:
                self.close()
                if 500 <= error.smtp_code < 600:
                    raise PermanentError(f"SMTP {error.smtp_code}") from error
                raise TemporaryError(f"SMTP {error.smtp_code}") from error
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                self.close()
                if attempt == 2:
                    raise TemporaryError(type(error).__name__) from error

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

    def __del__(self) -> None:
        # A channel kept per thread (the cast's receipts) goes with its thread: close the
        # socket without a QUIT exchange, which could block a finaliser.
        smtp = getattr(self, "_smtp", None)
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()


def _seal() -> Fernet:
    key = hashlib.sha256(("urne.mailbox:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class FileChannel:
    """Development: each message as a file in `settings.URNE_MAIL_DIR`, sealed (encrypted
    under a key derived from the secret key: bodies hold single-use link tokens), opened by
    the DEBUG mailbox (`messages`). A message that may not be kept (`Email.keep`: the cast
    receipt) is not written at all (ADR 0532)."""

    SUFFIX = ".eml.sealed"

    def send(self, email: Email) -> None:
        if not email.keep:
            return
        folder = Path(settings.URNE_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}{self.SUFFIX}"
        (folder / name).write_bytes(_seal().encrypt(bytes(email.as_message())))

    def close(self) -> None:
        pass

    @classmethod
    def messages(cls, limit: int = 200) -> list[tuple[str, EmailMessage]]:
        """The newest ``limit`` messages written, as (name, message); a file sealed under
        another secret key is left out."""
        folder = Path(settings.URNE_MAIL_DIR)
        if not folder.is_dir():
            return []
        parser = BytesParser(policy=policy.default)
        out = []
        for path in sorted(folder.glob("*" + cls.SUFFIX), reverse=True)[:limit]:
            try:
                raw = _seal().decrypt(path.read_bytes())
            except InvalidToken:
                continue
            out.append((path.name.removesuffix(cls.SUFFIX), parser.parsebytes(raw)))
        return out


class ConsoleChannel:
    def send(self, email: Email) -> None:
        print(f"[mail] to={email.to} subject={email.subject!r} (body not shown)")

    def close(self) -> None:
        pass


class MemoryChannel:
    """Unit tests: sent e-mails kept in a class-level list."""

    outbox: ClassVar[list[Email]] = []

    def send(self, email: Email) -> None:
        MemoryChannel.outbox.append(email)

    def close(self) -> None:
        pass


def channel_get() -> Channel:
    return import_string(settings.URNE_MAIL_CHANNEL)()
