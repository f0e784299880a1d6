"""The ceremony again after a key lost before the seal (ADR 0701, 0703), over HTTP: only the
president cancels it, only after the bureau recorded the loss since the ceremony opened, and
only before the seal (after it, the page gives the threshold's rule instead); the covered
urns' setups are removed, the cancel is in the bureau's journal, a new ceremony refuses every
key of the cancelled one and writes the urns' setups with its own keys."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from factories.ceremony import (
    ToolHolder,
    ceremony_client,
    ceremony_open,
    ceremony_run,
    ceremony_send,
    ceremony_votes_cast,
    ceremony_world_make,
)
from factories.elections import staff_login, staff_make
from factories.seal import seal_record_make
from urne.audit.models import AuditEvent
from urne.authority.models import ScrutinSetup
from urne.bureau.keyloss import key_state
from urne.bureau.models import Ceremony, KeyLoss
from urne.crypto.encoding import loads
from urne.crypto.group import GROUP
from urne.crypto.trustees import parse_trustees
from urne.urn.selectors import urn_head, urn_trustees

pytestmark = pytest.mark.django_db(databases="__all__")


def _url(world, name="bureau:ceremony_cancel"):
    return reverse(name, args=[world.election.pk])


def _text(response):
    return html.unescape(response.content.decode())


def _declare(world, holder):
    response = ceremony_client(world.president).post(
        _url(world, "bureau:key_loss"),
        {
            "holder": holder.pk,
            "present": [world.president.pk, world.delegates[0].pk],
            "reason": "Poste du délégué réinstallé, fichier ID.key perdu",
        },
    )
    assert response.status_code == 302


def _urns_set_up(world):
    return [urn_head(scrutin_uuid=s.uuid) is not None for s in world.scrutins]


def test_a_loss_before_the_seal_the_president_cancels_and_the_new_keys_replace_the_old():
    world = ceremony_world_make(delegates=3)
    old, _clients = ceremony_run(world)
    assert _urns_set_up(world) == [True, True]
    president = ceremony_client(world.president)

    # No loss recorded since the ceremony opened: nothing to cancel.
    page = president.get(_url(world))
    assert page.status_code == 200 and "Aucune perte de clé" in _text(page)
    assert president.post(_url(world)).status_code == 400
    assert Ceremony.objects.get().phase == Ceremony.Phase.DONE

    _declare(world, world.delegates[1])
    assert key_state(bureau=world.bureau).verdict == "ceremony_again"
    page = president.get(_url(world))
    assert "Annuler la cérémonie et retirer les clés" in _text(page)

    # Only the president: not a delegate, the secretary, the manager or a superuser.
    manager = Client()
    staff_login(manager, staff_make("manager"))
    superuser = Client()
    root = staff_make(None)
    root.is_superuser = True
    root.save()
    staff_login(superuser, root)
    for client, status in (
        (ceremony_client(world.delegates[0]), 403),
        (ceremony_client(world.secretary), 403),
        (manager, 403),
        (superuser, 403),
    ):
        assert client.post(_url(world)).status_code == status
    assert Ceremony.objects.get().phase == Ceremony.Phase.DONE
    assert _urns_set_up(world) == [True, True]

    done = president.post(_url(world))
    assert done.status_code == 302 and done["Location"] == _url(world, "bureau:ceremony")
    cancelled = Ceremony.objects.get()
    assert cancelled.phase == Ceremony.Phase.CANCELLED and cancelled.cancelled_at
    assert cancelled.cancelled_by == world.president.user
    assert _urns_set_up(world) == [False, False]
    assert not ScrutinSetup.objects.exists()
    event = AuditEvent.objects.get(action="bureau.ceremony_cancel")
    assert event.data["election"] == world.election.pk
    assert sorted(event.data["scrutin"]) == sorted(s.uuid for s in world.scrutins)
    assert AuditEvent.objects.filter(action="authority.scrutin_setup_removed").count() == 2
    journal = _text(ceremony_client(world.delegates[2]).get(_url(world, "bureau:journal")))
    assert "Cérémonie des clés annulée après une perte de clé" in journal
    assert "Clés retirées d'une urne vide" in journal
    # Every step of the ceremony is the bureau's to see too.
    assert journal.count("Cérémonie : polynôme d'un délégué déposé (étape 3)") == 3
    assert "Cérémonie des clés ouverte" in journal
    # Once cancelled, there is nothing left to cancel until new keys are made.
    assert "Il n'y a ni cérémonie ni clé" in _text(president.get(_url(world)))

    # A new ceremony: the keys of the cancelled one are refused, at every first step.
    ceremony_open(world)
    old_key = cancelled.holders.get(position=0).pubkey
    refused = ceremony_send(president, world, old_key, status=400)
    assert "cérémonie annulée" in _text(refused)
    old_cert = cancelled.holders.get(position=1).cert
    assert old_cert == old[1].cert
    refused = ceremony_send(ceremony_client(world.delegates[0]), world, old_cert, status=400)
    assert "cérémonie annulée" in _text(refused)
    assert key_state(bureau=world.bureau).verdict == "no_keys"

    new, _clients = ceremony_run(world, opened=True)
    live = Ceremony.objects.exclude(phase=Ceremony.Phase.CANCELLED).get()
    assert live.phase == Ceremony.Phase.DONE and live.setups_written_at
    trustees = parse_trustees(loads(live.trustees_json))
    assert trustees[0].public_key == GROUP.mul_base(new[0].privkey)  # type: ignore[arg-type]
    for scrutin in world.scrutins:
        in_urn = urn_trustees(scrutin_uuid=scrutin.uuid)
        assert in_urn is not None and in_urn[0].public_key == trustees[0].public_key
        assert in_urn[0].public_key != parse_trustees(loads(cancelled.trustees_json))[0].public_key
    assert key_state(bureau=world.bureau).verdict == "keys_made"


@pytest.mark.parametrize("how", ["seal", "opening"])
def test_after_the_seal_no_cancel_the_threshold_decides(how):
    """After the seal's record, or from the vote's opening (which the seal precedes)."""
    world = ceremony_world_make(delegates=3, window="open" if how == "opening" else None)
    ceremony_run(world)
    _declare(world, world.delegates[1])
    if how == "seal":
        seal_record_make(world.election)
    president = ceremony_client(world.president)
    page = _text(president.get(_url(world)))
    assert "Après le scellement, aucune clé n'est refaite" in page
    assert "au moins 2 parts de délégués" in page
    refused = president.post(_url(world))
    assert refused.status_code == 400 and "au moins 2 parts" in _text(refused)
    assert Ceremony.objects.get().phase == Ceremony.Phase.DONE
    assert _urns_set_up(world) == [True, True]
    assert not AuditEvent.objects.filter(action="bureau.ceremony_cancel").exists()


def test_an_urn_with_ballots_keeps_its_keys():
    world = ceremony_world_make(delegates=3, voters=1)
    ceremony_run(world)
    ceremony_votes_cast(world)
    _declare(world, world.delegates[0])
    refused = ceremony_client(world.president).post(_url(world))
    assert refused.status_code == 400 and "contient déjà des bulletins" in _text(refused)
    assert Ceremony.objects.get().phase == Ceremony.Phase.DONE
    assert _urns_set_up(world) == [True, True]


def test_a_loss_before_any_ceremony_needs_none_cancelled_and_a_loss_is_kept():
    world = ceremony_world_make(delegates=2)
    _declare(world, world.delegates[0])
    page = _text(ceremony_client(world.president).get(_url(world)))
    assert "Il n'y a ni cérémonie ni clé" in page
    assert KeyLoss.objects.count() == 1
    # The ceremony opened after the decision is the new one: nothing to cancel in it.
    president = ceremony_open(world)
    ceremony_send(president, world, ToolHolder().single())
    assert "Aucune perte de clé" in _text(president.get(_url(world)))


def test_keys_from_the_managers_upload_are_removed_too():
    """No ceremony: the manager uploaded keys made offline; after the loss the president's
    cancel removes them from the empty urns (the audit's object is the bureau)."""
    from urne.authority.setup import trustees_setup
    from urne.crypto.trustees import TrusteePublicKey

    world = ceremony_world_make(delegates=2, voters=1)
    trustees = [TrusteePublicKey.of_json(loads(ToolHolder().single())) for _ in range(3)]
    trustees_setup(
        election=world.election, scrutins=world.scrutins, trustees=trustees, actor="manager"
    )
    assert _urns_set_up(world) == [True, True]
    _declare(world, world.delegates[0])
    done = ceremony_client(world.president).post(_url(world))
    assert done.status_code == 302
    assert _urns_set_up(world) == [False, False] and not Ceremony.objects.exists()
    event = AuditEvent.objects.get(action="bureau.ceremony_cancel")
    assert event.object_type == "bureau.Bureau" and event.data["ceremony"] is None
    assert key_state(bureau=world.bureau).verdict == "ceremony_again"
