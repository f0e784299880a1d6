"""The bureau's members over HTTP (ADR 0700): the manager names and invites them; each member
makes their own password and second factor from the e-mailed link, which the manager can
neither see nor set; the link's token is single-use, expires, and is stored nowhere in clear;
a reset of a member's access ends it and appears in the bureau's journal (French, English)."""

import base64
import html
import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories.accounts import mail_clear, mail_outbox
from factories.bureau import member_make
from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make
from urne.accounts.tokens import token_digest
from urne.audit.models import AuditEvent
from urne.bureau.models import Invitation, Member

pytestmark = pytest.mark.django_db(databases="__all__")

PASSWORD = "Bureau-de-vote 2026 !"  # noqa: S105 - the test member's own password
LINK = re.compile(r"https?://\S+/backoffice/bureau/invitation/#([A-Za-z0-9_-]{40,})")


@pytest.fixture
def world():
    mail_clear()
    w = workflow_world_make()
    w.union = w.candidate_list.unions.first()
    w.manager = staff_make("manager")
    w.manager_client = Client()
    staff_login(w.manager_client, w.manager)
    w.url = reverse("bureau:members_manage", args=[w.election.pk])
    yield w
    mail_clear()


def _add(w, **data):
    return w.manager_client.post(w.url, {"action": "add", **data})


def _invite(w, member):
    mail_clear()
    response = w.manager_client.post(w.url, {"action": "invite", "member": member.pk})
    assert response.status_code == 302
    (mail,) = mail_outbox()
    assert mail.to == member.email
    return LINK.search(mail.text)[1]


def _accept(client, token, password=PASSWORD):
    """The member's own browser: the link's page posts the token, then the password, then
    the enrolment of their authenticator; returns the last response and the device's key."""
    response = client.post(reverse("bureau:invitation"), {"lien": token})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("bureau:invitation_password")
    assert client.get(response["Location"]).status_code == 200
    response = client.post(
        reverse("bureau:invitation_password"), {"password": password, "confirmation": password}
    )
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:otp_enrol")
    page = client.get(reverse("backoffice:otp_enrol"))
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.content.decode())[1]
    key = base64.b32decode(secret.replace(" ", ""))
    response = client.post(reverse("backoffice:otp_enrol"), {"code": f"{TOTP(key).token():06d}"})
    return response, key


def _all_text() -> str:
    """Every value of every row of every store, and every session decoded."""
    chunks = []
    for alias in connections:
        conn = connections[alias]
        with conn.cursor() as cursor:
            for table in conn.introspection.table_names(cursor):
                cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            chunks.append(bytes(value).hex())
                        else:
                            chunks.append(str(value))
    for session in Session.objects.all():
        chunks.append(str(SessionStore().decode(session.session_data)))
    return "\n".join(chunks)


def test_the_manager_names_the_members_one_per_role_and_per_union_with_a_list(world):
    w = world
    assert (
        _add(w, role="president", name="Paule Président", email="p@ac-lyon.fr").status_code == 302
    )
    assert _add(w, role="secretary", name="Sam Secrétaire", email="s@ac-lyon.fr").status_code == 302
    ok = _add(w, role="delegate", union=w.union.pk, name="Dana Délégué", email="d@ac-lyon.fr")
    assert ok.status_code == 302
    again = _add(w, role="president", name="Autre", email="x@ac-lyon.fr")
    assert again.status_code == 400 and "déjà pourvu" in html.unescape(again.content.decode())
    assert _add(w, role="delegate", name="Sans union", email="y@ac-lyon.fr").status_code == 400
    other = w.union.__class__.objects.create(election=w.election, name="Sans liste", acronym="SL")
    refused = _add(w, role="delegate", union=other.pk, name="Z", email="z@ac-lyon.fr")
    assert refused.status_code == 400  # a union without a list has no delegate
    assert Member.objects.filter(bureau__election=w.election).count() == 3
    assert AuditEvent.objects.filter(action="bureau.member_add").count() == 3
    # The auditor reads the list; only the manager changes it.
    auditor = Client()
    staff_login(auditor, staff_make("auditor"))
    assert auditor.get(w.url).status_code == 200
    assert auditor.post(w.url, {"action": "add", "role": "secretary"}).status_code == 403


def test_a_member_makes_their_own_access_and_sees_the_bureau(world, caplog):
    caplog.set_level(logging.DEBUG)
    w = world
    _add(w, role="president", name="Paule Président", email="paule@ac-lyon.fr")
    member = Member.objects.get(email="paule@ac-lyon.fr")
    token = _invite(w, member)
    invitation = Invitation.objects.get(member=member)
    assert invitation.digest == token_digest(token)
    assert invitation.expires_at - invitation.created_at == timedelta(days=3)

    client = Client()
    response, key = _accept(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("bureau:home", args=[w.election.pk])
    home = client.get(response["Location"])
    assert home.status_code == 200
    text = html.unescape(home.content.decode())
    assert "Paule Président" in text and "accès créé" in text
    member.refresh_from_db()
    assert member.user.username == "paule@ac-lyon.fr" and member.joined_at is not None
    assert member.user.groups.filter(name="bureau").exists()
    assert AuditEvent.objects.filter(action="bureau.member_joined").count() == 1

    # Single use: the same link again is refused, and the account keeps its password.
    again = Client().post(reverse("bureau:invitation"), {"lien": token})
    assert again.status_code == 410
    assert "a déjà servi" in html.unescape(again.content.decode())
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)

    # The token and the password are nowhere in clear: no row, no session, no log line.
    everything = _all_text()
    assert token not in everything and PASSWORD not in everything
    assert token not in caplog.text and PASSWORD not in caplog.text
    hex_key, b32_key = key.hex(), base64.b32encode(key).decode()

    # The manager can neither read nor set the member's secrets: their pages show none and
    # have no field for one; the admin's account and device pages are closed to them.
    for url in (w.url, reverse("backoffice:home"), reverse("backoffice:audit")):
        page = w.manager_client.get(url).content.decode()
        assert hex_key not in page and b32_key not in page and member.user.password not in page
    assert 'type="password"' not in w.manager_client.get(w.url).content.decode()
    before = member.user.password
    w.manager_client.post(
        w.url,
        {"action": "password", "member": member.pk, "password": "Choisi-par-le-gestionnaire1"},
    )
    for url in (
        reverse("admin:auth_user_change", args=[member.user.pk]),
        reverse("admin:auth_user_password_change", args=[member.user.pk]),
        reverse("admin:otp_totp_totpdevice_changelist"),
    ):
        assert w.manager_client.get(url).status_code == 403, url
        assert w.manager_client.post(url, {"password1": "x", "password2": "x"}).status_code == 403
    member.user.refresh_from_db()
    assert member.user.password == before
    assert TOTPDevice.objects.get(user=member.user).bin_key == key
    # Nor can they invite over a member who has joined (it would replace the access).
    assert (
        w.manager_client.post(w.url, {"action": "invite", "member": member.pk}).status_code == 400
    )


def test_an_invitation_expires_and_a_newer_one_replaces_it(world):
    w = world
    _add(w, role="secretary", name="Sam", email="sam@ac-lyon.fr")
    member = Member.objects.get(email="sam@ac-lyon.fr")
    first = _invite(w, member)
    second = _invite(w, member)
    assert Client().post(reverse("bureau:invitation"), {"lien": first}).status_code == 410
    Invitation.objects.filter(digest=token_digest(second)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client().post(reverse("bureau:invitation"), {"lien": second}).status_code == 410
    # Opened in time, expired before the password was sent: refused too.
    third = _invite(w, member)
    client = Client()
    assert client.post(reverse("bureau:invitation"), {"lien": third}).status_code == 302
    Invitation.objects.filter(digest=token_digest(third)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late = client.post(
        reverse("bureau:invitation_password"), {"password": PASSWORD, "confirmation": PASSWORD}
    )
    assert late.status_code == 410
    assert get_user_model().objects.filter(username="sam@ac-lyon.fr").count() == 0
    # A weak password is refused with the rules' message; the invitation stays usable.
    fourth = _invite(w, member)
    client = Client()
    client.post(reverse("bureau:invitation"), {"lien": fourth})
    weak = client.post(
        reverse("bureau:invitation_password"), {"password": "sam", "confirmation": "sam"}
    )
    assert weak.status_code == 400
    assert Invitation.objects.get(digest=token_digest(fourth)).used_at is None


def test_a_reset_ends_the_access_and_the_journal_shows_it(world):
    w = world
    _add(w, role="president", name="Paule", email="paule@ac-lyon.fr")
    _add(w, role="delegate", union=w.union.pk, name="Dana", email="dana@ac-lyon.fr")
    president = Member.objects.get(email="paule@ac-lyon.fr")
    delegate = Member.objects.get(email="dana@ac-lyon.fr")
    president_client, delegate_client = Client(), Client()
    _accept(president_client, _invite(w, president))
    _accept(delegate_client, _invite(w, delegate))
    home = reverse("bureau:home", args=[w.election.pk])
    assert delegate_client.get(home).status_code == 200

    # A reason is required.
    assert (
        w.manager_client.post(
            w.url, {"action": "reset", "member": delegate.pk, "reason": " "}
        ).status_code
        == 400
    )
    mail_clear()
    reset = w.manager_client.post(
        w.url, {"action": "reset", "member": delegate.pk, "reason": "Téléphone perdu"}
    )
    assert reset.status_code == 302
    # The delegate's session is over, the password and the device are gone, a new link left.
    response = delegate_client.get(home)
    assert response.status_code == 302 and reverse("backoffice:login") in response["Location"]
    delegate.refresh_from_db()
    assert not delegate.user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=delegate.user).exists()
    assert delegate.joined_at is None
    (mail,) = mail_outbox()
    token = LINK.search(mail.text)[1]

    # The bureau sees it: on its home and in its journal, in French and in English.
    text = html.unescape(president_client.get(home).content.decode())
    assert "1 réinitialisation d'accès d'un membre est inscrite au journal." in text
    journal = reverse("bureau:journal", args=[w.election.pk])
    text = html.unescape(president_client.get(journal).content.decode())
    assert "Accès d'un membre réinitialisé" in text and "Téléphone perdu" in text
    assert w.manager.get_username() in text
    text = html.unescape(president_client.get("/en" + journal).content.decode())
    assert "Member's access reset" in text
    # The manager does not read the bureau's pages.
    assert w.manager_client.get(journal).status_code == 403

    # The delegate makes a new access from the new link, with the same account.
    response, _key = _accept(Client(), token, password="Nouveau mot de passe 2026")  # noqa: S106
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.joined_at is not None
    assert Member.objects.get(pk=delegate.pk).user_id == delegate.user_id


def test_another_elections_member_sees_nothing_of_this_bureau(world):
    w = world
    other = workflow_world_make()
    stranger = member_make(other.election, "president").user
    client = Client()
    staff_login(client, stranger)
    for name in ("bureau:home", "bureau:journal", "bureau:key_loss"):
        assert client.get(reverse(name, args=[w.election.pk])).status_code == 403, name
    assert client.get(reverse("bureau:home", args=[other.election.pk])).status_code == 200
