"""A lost key (ADR 0701) and the bureau's journal of interventions (ADR 0702) over HTTP.

Before the seal the president records the loss and the ceremony is to be run again; after
it, the page says whether the president's key and the remaining delegates' shares still reach
the urns' threshold (t = 2 of 3 here). The journal lists every staff and system action on the
election from the audit log (a code replaced, a recovery, a count opened, a reset, a lost
key), not another election's, paginated, with French and English labels."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from factories.bureau import member_make
from factories.count import count_world_make
from factories.elections import election_make, scrutin_make, staff_login, voter_make
from urne.audit.services import audit_append
from urne.backoffice.labels import AUDIT_ACTIONS
from urne.bureau.keyloss import ceremony_reset_at, key_state
from urne.bureau.models import KeyLoss

pytestmark = pytest.mark.django_db(databases="__all__")


def _client(member):
    client = Client()
    staff_login(client, member.user)
    return client


def _text(response):
    return html.unescape(response.content.decode())


def _declare(client, election, holder, present, reason="Clé introuvable"):
    return client.post(
        reverse("bureau:key_loss", args=[election.pk]),
        {"holder": holder.pk, "present": [m.pk for m in present], "reason": reason},
    )


def test_before_the_seal_a_lost_key_means_the_ceremony_again():
    election = election_make()  # no vote dates: before the opening, so before the seal
    scrutin_make(election, "CTM")
    president = member_make(election, "president")
    delegates = [member_make(election, "delegate") for _ in range(3)]
    url = reverse("bureau:key_loss", args=[election.pk])
    client = _client(president)
    assert "aucune clé n'est encore installée" in _text(client.get(url))

    # Only the president records it, present, and only a key holder's key.
    assert _declare(_client(delegates[0]), election, delegates[1], delegates).status_code == 400
    assert _declare(client, election, delegates[1], delegates[:2]).status_code == 400
    secretary = member_make(election, "secretary")
    assert _declare(client, election, secretary, [president]).status_code == 400
    assert _declare(client, election, delegates[1], [president], reason=" ").status_code == 400
    assert not KeyLoss.objects.exists()

    done = _declare(client, election, delegates[1], [president, delegates[0]])
    assert done.status_code == 302
    loss = KeyLoss.objects.get()
    assert loss.phase == "before_seal" and ceremony_reset_at(president.bureau) == loss.recorded_at
    page = _text(client.get(url))
    assert "la cérémonie des clés est à refaire" in page and "Clé introuvable" in page
    assert "the key ceremony must be run again" in _text(client.get("/en" + url))
    # The other members see it; a member of no bureau here does not.
    assert _client(delegates[2]).get(url).status_code == 200
    assert (
        _client(member_make(election_make(name="Autre"), "president")).get(url).status_code == 403
    )


def test_after_the_seal_the_threshold_decides_what_the_count_can_do():
    world = count_world_make(voters=2, lists=2, scrutins=1, over=False)  # t = 2 of 3, open
    election = world.election
    president = member_make(election, "president")
    delegates = [member_make(election, "delegate") for _ in range(3)]
    everyone = [president, *delegates]
    client = _client(president)
    url = reverse("bureau:key_loss", args=[election.pk])
    state = key_state(bureau=president.bureau)
    assert state.sealed and (state.threshold, state.shares) == (2, 3)
    assert state.verdict == "count_possible"

    assert _declare(client, election, delegates[0], everyone).status_code == 302
    page = _text(client.get(url))
    assert "2 part(s) de délégués restent, le seuil est de 2" in page
    assert "Le dépouillement reste possible." in page
    assert _declare(client, election, delegates[0], everyone).status_code == 400  # already
    assert _declare(client, election, delegates[1], everyone).status_code == 302
    page = _text(client.get(url))
    assert "1 part(s) de délégués restent, moins que le seuil de 2" in page
    assert key_state(bureau=president.bureau).verdict == "count_impossible"
    assert "fewer than the threshold of 2" in _text(client.get("/en" + url))


def test_after_the_seal_the_presidents_key_lost_is_fatal():
    world = count_world_make(voters=2, lists=2, scrutins=1, over=False)
    president = member_make(world.election, "president")
    delegates = [member_make(world.election, "delegate") for _ in range(3)]
    client = _client(president)
    assert _declare(client, world.election, president, [president, *delegates]).status_code == 302
    state = key_state(bureau=president.bureau)
    assert state.president_lost and state.verdict == "count_impossible"
    page = _text(client.get(reverse("bureau:key_loss", args=[world.election.pk])))
    assert "la clé du président est perdue" in page


def test_the_journal_lists_every_intervention_on_the_election_only():
    election, other = election_make(), election_make(name="Autre")
    scrutin = scrutin_make(election, "CTM")
    voter, stranger = voter_make(election), voter_make(other)
    president = member_make(election, "president")
    audit_append(actor="helpdesk7", action="authority.code_replaced", obj=voter, data={})
    audit_append(actor="helpdesk7", action="accounts.opening_resend", obj=voter)
    audit_append(actor="helpdesk7", action="authority.code_replaced", obj=stranger, data={})
    audit_append(actor="bureau1", action="count.open", obj=scrutin, data={"scrutin": scrutin.uuid})
    audit_append(actor=None, action="system.restart", data={"election": election.pk})
    audit_append(actor=None, action="system.restart", data={"election": other.pk})
    audit_append(actor="x", action="seal.check", data={"election": election.pk, "status": "ok"})
    url = reverse("bureau:journal", args=[election.pk])
    client = _client(president)
    page = _text(client.get(url))
    # Each kind by its name in the one mapping of audit actions (backoffice.labels).
    for action in (
        "authority.code_replaced",
        "accounts.opening_resend",
        "count.open",
        "system.restart",
        "seal.check",
    ):
        assert str(AUDIT_ACTIONS[action]) in page, action
    replaced, restart = str(AUDIT_ACTIONS["authority.code_replaced"]), "Redémarrage du service"
    assert page.count(replaced) == 1  # not the other election's voter
    assert page.count(restart) == 1
    english = _text(client.get("/en" + url))
    assert "Vote code replaced" in english and "Service restart" in english

    for n in range(60):
        audit_append(actor="m", action="rules.set", obj=election, data={"changes": n})
    first = _text(client.get(url))
    assert "page 1 sur 2" in first
    assert first.count(str(AUDIT_ACTIONS["rules.set"])) == 50
    second = _text(client.get(url + "?page=2"))
    assert second.count(str(AUDIT_ACTIONS["rules.set"])) == 10
    assert "Redémarrage du service" in second
    assert client.get(url + "?page=zzz").status_code == 200  # the first page, never a 500


def test_the_journal_shows_the_recovery_of_an_interrupted_cast():
    """``booth.services.emargement_recover`` settles a cast interrupted between the
    émargement and the urn: one audit event per scrutin, which the journal lists."""
    from datetime import timedelta

    from urne.booth.models import Emargement
    from urne.booth.services import emargement_recover

    election = election_make()
    scrutin = scrutin_make(election, "CTM")
    Emargement.objects.create(voter=voter_make(election), scrutin=scrutin, pending_tracker="t" * 43)
    assert emargement_recover(older_than=timedelta(0)).dropped == 1
    page = _text(
        _client(member_make(election, "president")).get(
            reverse("bureau:journal", args=[election.pk])
        )
    )
    assert "Émargements d'un vote interrompu régularisés" in page
    assert "écartés (rien dans l'urne) : 1" in page and "system" in page
