"""The development mail channel (FileChannel) keeps no secret in clear: no file holds a
cast receipt (it ties the voter to their ballot's tracker), and the bodies it keeps (link
tokens) are sealed; the DEBUG mailbox still opens them."""

import threading
from email import policy
from email.parser import BytesParser

import pytest
from django.urls import reverse

from factories.accounts import link_token, mail_clear, mail_outbox, voter_with_email
from factories.elections import election_make, staff_login, staff_make
from urne.booth.services import Receipt, receipt_send
from urne.crypto.encoding import sha256_b64

pytestmark = pytest.mark.django_db

FILE_CHANNEL = "urne.messaging.channels.FileChannel"


def _everything_in(folder):
    """Every file's bytes, and each one's text as a mail reader would decode it."""
    parser = BytesParser(policy=policy.default)
    out = []
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            out.append(raw.decode("latin-1"))
            message = parser.parsebytes(raw)
            for part in message.walk():
                if not part.is_multipart():
                    out.append(str(part.get_content()))
    return "\n".join(out)


def test_the_file_channel_keeps_no_receipt(settings, tmp_path):
    settings.URNE_MAIL_DIR = tmp_path
    settings.URNE_MAIL_CHANNEL = FILE_CHANNEL
    tracker = sha256_b64(b"a ballot")
    receipt = Receipt(scrutin_uuid="u", tracker=tracker, email="anne@ac-lyon.fr", first_name="A")
    # The booth keeps one channel per thread: a new thread takes the one set here.
    sender = threading.Thread(
        target=receipt_send,
        kwargs={"receipt": receipt, "scrutin_label": "CTM", "url": "https://x.fr/?q=" + tracker},
    )
    sender.start()
    sender.join()
    kept = _everything_in(tmp_path)
    assert tracker not in kept
    assert "anne@ac-lyon.fr" not in kept


def test_the_file_channel_seals_link_tokens_and_the_mailbox_opens_them(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from urne.accounts.services import opening_send

    settings.URNE_MAIL_DIR = tmp_path
    voter = voter_with_email(election_make(name="E"), "anne@ac-lyon.fr")
    # The same e-mail through the memory channel (to read the token), then the file one.
    mail_clear()
    with django_capture_on_commit_callbacks(execute=True):
        opening_send(voter=voter)
    token_elsewhere = link_token(mail_outbox()[0])
    settings.URNE_MAIL_CHANNEL = FILE_CHANNEL
    with django_capture_on_commit_callbacks(execute=True):
        opening_send(voter=voter)
    assert list(tmp_path.iterdir())
    settings.DEBUG = True
    staff_login(client, staff_make("manager"))
    page = client.get(reverse("messaging:mailbox")).text
    assert "Ouverture du portail" in page and "/compte/ouverture/" in page
    token = page.split("/compte/ouverture/lien/#", 1)[1][:43]
    assert token != token_elsewhere  # a fresh link each time
    kept = _everything_in(tmp_path)
    assert token not in kept
    assert "/compte/ouverture/" not in kept
