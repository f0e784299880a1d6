"""The MIME form of an e-mail (`Email.as_message`): what a mail client reads back."""

from email import policy
from email.parser import BytesParser

import pytest

from urne.messaging.channels import Email


def _read(email: Email):  # type: ignore[no-untyped-def]
    return BytesParser(policy=policy.default).parsebytes(email.as_message().as_bytes())


def test_french_text_and_headers_read_back_unchanged(settings):
    settings.URNE_MAIL_FROM = ("Élections", "elections@example.fr")
    email = Email(
        to="camille.martin@ac-lyon.fr",
        subject="Accusé de réception de votre vote",
        text="Bonjour Camille,\n\nVotre bulletin « CTM » a bien été enregistré.\n" * 5,
        from_name="Élection Professionnelle 2022",
        headers={"X-Urne-Template": "cast_receipt"},
    )
    message = _read(email)
    assert message["Subject"] == "Accusé de réception de votre vote"
    assert message["From"].addresses[0].display_name == "Élection Professionnelle 2022"
    assert message["From"].addresses[0].addr_spec == "elections@example.fr"
    assert message["To"] == "camille.martin@ac-lyon.fr"
    assert message["X-Urne-Template"] == "cast_receipt"
    assert message["Message-ID"].endswith("@example.fr>")
    assert message.get_body(preferencelist=("plain",)).get_content() == email.text
    assert email.as_message().as_bytes().isascii()  # 7-bit: any relay carries it


def test_html_alternative(settings):
    email = Email(to="a@ac-lyon.fr", subject="Ouverture", text="Texte é", html="<p>HTML é</p>")
    message = _read(email)
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(preferencelist=("plain",)).get_content() == "Texte é"
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML é</p>"


@pytest.mark.parametrize("field", ["to", "subject", "from_name"])
def test_a_line_break_in_a_header_is_refused(field):
    values = {"to": "a@ac-lyon.fr", "subject": "Objet", "text": "x", "from_name": ""}
    values[field] = "x\r\nBcc: victim@example.org"
    with pytest.raises(ValueError, match="line break"):
        Email(**values).as_message()
