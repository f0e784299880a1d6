"""The manager removes a member or corrects their address (ADR 0703), over HTTP: before the
ceremony freely; a key holder of the ceremony only once the bureau has recorded the loss of
their key and the president has cancelled it; never a key holder after the seal. A removed
member's sessions and invitation end; both changes are in the bureau's journal. The
invitation is e-mailed in the member's language (French or English)."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.accounts import mail_clear, mail_outbox
from factories.ceremony import ceremony_client, ceremony_run, ceremony_world_make
from factories.elections import staff_login, staff_make
from factories.seal import seal_record_make
from urne.audit.models import AuditEvent
from urne.bureau.models import Invitation, Member

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def world():
    mail_clear()
    w = ceremony_world_make(delegates=3, voters=1)
    w.manager = Client()
    staff_login(w.manager, staff_make("manager"))
    w.url = reverse("bureau:members_manage", args=[w.election.pk])
    yield w
    mail_clear()


def _post(w, action, member, **data):
    return w.manager.post(w.url, {"action": action, "member": member.pk, **data})


def _text(response):
    return html.unescape(response.content.decode())


def _journal(w):
    page = ceremony_client(w.president).get(reverse("bureau:journal", args=[w.election.pk]))
    return _text(page)


def test_before_the_ceremony_a_member_is_removed_sessions_and_invitation_ended(world):
    w = world
    secretary = ceremony_client(w.secretary)
    home = reverse("bureau:home", args=[w.election.pk])
    assert secretary.get(home).status_code == 200
    delegate = w.delegates[2]
    Invitation.objects.create(
        member=delegate,
        digest="0" * 64,
        created_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(days=1),
        sent_by="manager",
    )
    # A reason is needed; a helpdesk or auditor account may not.
    assert _post(w, "remove", w.secretary, reason=" ").status_code == 400
    for role in ("helpdesk", "auditor"):
        other = Client()
        staff_login(other, staff_make(role))
        response = other.post(w.url, {"action": "remove", "member": w.secretary.pk, "reason": "x"})
        assert response.status_code == 403
    assert _post(w, "remove", w.secretary, reason="Mutation").status_code == 302
    assert _post(w, "remove", delegate, reason="Nouveau délégué de l'union").status_code == 302
    assert not Member.objects.filter(pk__in=[w.secretary.pk, delegate.pk]).exists()
    assert Member.everyone.filter(pk=w.secretary.pk, removed_at__isnull=False).exists()
    assert Invitation.objects.get(member=delegate).revoked_at is not None
    # The removed secretary's session ends at its next request; the account cannot log in.
    response = secretary.get(home)
    assert response.status_code == 302 and "login" in response["Location"]
    w.secretary.user.refresh_from_db()
    assert not w.secretary.user.is_active and not w.secretary.user.has_usable_password()
    assert not w.secretary.user.groups.exists()
    # The role can be filled again; the journal shows both removals with their reasons.
    again = w.manager.post(
        w.url,
        {"action": "add", "role": "secretary", "name": "Nouvelle Secrétaire", "email": "n@ac.fr"},
    )
    assert again.status_code == 302
    journal = _journal(w)
    assert journal.count("Membre retiré du bureau") == 2
    assert "Mutation" in journal and "Nouveau délégué de l'union" in journal
    assert "Sam Secrétaire" in journal


def test_a_key_holder_of_the_ceremony_only_after_the_loss_and_the_cancel(world):
    w = world
    ceremony_run(w)
    holder = w.delegates[1]
    refused = _post(w, "remove", holder, reason="Départ")
    assert refused.status_code == 400 and "constate d'abord la perte" in _text(refused)
    president = ceremony_client(w.president)
    declared = president.post(
        reverse("bureau:key_loss", args=[w.election.pk]),
        {"holder": holder.pk, "present": [w.president.pk], "reason": "Départ, clé non remise"},
    )
    assert declared.status_code == 302
    assert _post(w, "remove", holder, reason="Départ").status_code == 400
    cancel = president.post(reverse("bureau:ceremony_cancel", args=[w.election.pk]))
    assert cancel.status_code == 302
    assert _post(w, "remove", holder, reason="Départ").status_code == 302
    assert not Member.objects.filter(pk=holder.pk).exists()


def test_after_the_seal_a_key_holder_stays_the_secretary_may_go(world):
    w = world
    ceremony_run(w)
    seal_record_make(w.election)
    refused = _post(w, "remove", w.delegates[0], reason="Départ")
    assert refused.status_code == 400 and "Après le scellement" in _text(refused)
    assert _post(w, "remove", w.president, reason="Départ").status_code == 400
    assert _post(w, "remove", w.secretary, reason="Départ").status_code == 302


LINK = re.compile(r"https?://\S+/backoffice/bureau/invitation/#([A-Za-z0-9_-]{40,})")


def test_the_address_is_corrected_before_the_access_and_the_invitation_in_english():
    mail_clear()
    w = ceremony_world_make(delegates=2, voters=1)
    manager = Client()
    staff_login(manager, staff_make("manager"))
    url = reverse("bureau:members_manage", args=[w.election.pk])
    # The role is filled: remove its holder first (no key: a secretary).
    manager.post(url, {"action": "remove", "member": w.secretary.pk, "reason": "Remplacé"})
    added = manager.post(
        url,
        {
            "action": "add",
            "role": "secretary",
            "name": "Alex Secretary",
            "email": "alex@wrong.fr",
            "language": "en",
        },
    )
    assert added.status_code == 302
    alex = Member.objects.get(name="Alex Secretary")
    assert manager.post(url, {"action": "invite", "member": alex.pk}).status_code == 302
    (first,) = mail_outbox()
    assert "electronic polling station" in first.text and "Bonjour" not in first.text
    assert "Secretary" in first.text and "polling station" in first.subject
    old_token = LINK.search(first.text)[1]

    mail_clear()
    fixed = manager.post(
        url, {"action": "edit", "member": alex.pk, "email": "Alex@AC-Lyon.fr", "language": "en"}
    )
    assert fixed.status_code == 302
    alex.refresh_from_db()
    assert alex.email == "alex@ac-lyon.fr"
    # The link sent to the wrong address no longer opens anything.
    stale = Client().post(reverse("bureau:invitation"), {"lien": old_token})
    assert stale.status_code == 410
    event = AuditEvent.objects.get(action="bureau.member_email_change")
    assert event.data["previous"] == "alex@wrong.fr" and event.data["email"] == "alex@ac-lyon.fr"
    journal = html.unescape(
        ceremony_client(w.president)
        .get(reverse("bureau:journal", args=[w.election.pk]))
        .content.decode()
    )
    assert "Courriel d'un membre modifié" in journal and "alex@wrong.fr" in journal
    assert manager.post(url, {"action": "invite", "member": alex.pk}).status_code == 302
    (second,) = mail_outbox()
    assert second.to == "alex@ac-lyon.fr" and "polling station" in second.text

    # A member who made their access: their address is their login, a reset comes first.
    refused = manager.post(
        url, {"action": "edit", "member": w.president.pk, "email": "p2@ac-lyon.fr"}
    )
    assert refused.status_code == 400 and "réinitialisez d'abord" in html.unescape(
        refused.content.decode()
    )
    # French by default.
    mail_clear()
    manager.post(url, {"action": "reset", "member": w.president.pk, "reason": "Téléphone perdu"})
    (french,) = mail_outbox()
    assert "Bonjour" in french.text
