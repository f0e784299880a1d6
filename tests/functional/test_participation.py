"""The bureau's live participation (ADR 0771): the counters follow every émargement set voted
(the cast, the recovery), the figures equal the émargements, and only the bureau and the
delegates see the pages, during the vote and after it."""

import json
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from factories.accounts import mail_clear, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.control import bureau_make
from factories.elections import staff_login, staff_make
from urne.audit.models import AuditEvent
from urne.booth.models import Emargement
from urne.booth.services import emargement_recover
from urne.bureau.models import ParticipationTick
from urne.bureau.participation import participation_compact, participation_overview
from urne.crypto.ballot import parse_ballot
from urne.elections.eligibility import roll_voters
from urne.urn.services import urn_ballot_append

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    mail_clear()
    w = cast_setup_make(voters=4, lists=3, scrutins=2)
    w.election = w.voters[0].election
    w.bureau = bureau_make(w.election)
    yield w
    mail_clear()


def cast(voter, cs):
    client = Client()
    voter_client_login(client, voter)
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk)})
    r = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert r.status_code == 200, r.content


def votes(world):
    """Three voters in the first scrutin, one in the second; the fourth voter's ballot in the
    first reached the urn but the cast stopped before the émargement was settled (the
    recovery settles it)."""
    first, second = world.scrutins
    for v in world.voters[:2]:
        cast(v, first)
    cast(world.voters[0], second)
    ballot = ballot_make(first, world.voters[3].pk)
    urn_ballot_append(
        scrutin_uuid=first.scrutin.uuid, ballot=parse_ballot(ballot), ballot_text=ballot
    )
    Emargement.objects.create(
        voter=world.voters[3], scrutin=first.scrutin, pending_tracker=parse_ballot(ballot).tracker
    )
    from datetime import timedelta

    assert emargement_recover(older_than=timedelta(0)).voted == 1


def test_the_figures_equal_the_emargements(world):
    votes(world)
    assert ParticipationTick.objects.count() == 4  # one per émargement set voted
    overview = participation_overview(election=world.election)
    assert not ParticipationTick.objects.exists()  # compacted
    voted = Emargement.objects.filter(state="voted")
    assert overview.total.voted == voted.count() == 4
    by_scrutin = Counter(voted.values_list("scrutin_id", flat=True))
    assert {line.key: line.voted for line in overview.scrutins} == {
        cs.scrutin.pk: by_scrutin[cs.scrutin.pk] for cs in world.scrutins
    }
    registered = {cs.scrutin.pk: roll_voters(cs.scrutin).count() for cs in world.scrutins}
    assert {line.key: line.registered for line in overview.scrutins} == registered
    by_academie = Counter(voted.values_list("voter__academie", flat=True))
    assert {line.key: line.voted for line in overview.academies} == dict(by_academie)
    by_category = Counter(voted.values_list("voter__category_id", flat=True))
    assert {line.key: line.voted for line in overview.categories} == dict(by_category)
    assert overview.hours[-1].cumulative == 4
    first = next(line for line in overview.scrutins if line.key == world.scrutins[0].scrutin.pk)
    assert first.turnout == round(100 * 3 / registered[first.key], 1)
    # A second compaction and the scrutin's own view count nothing twice.
    assert participation_compact() == 0
    one = participation_overview(election=world.election, scrutin=world.scrutins[1].scrutin)
    assert one.total.voted == 1 and [line.voted for line in one.scrutins] == [1]


def test_the_bureau_sees_the_pages_the_emargement_list_and_its_export(world):
    votes(world)
    first = world.scrutins[0].scrutin
    for member in [world.bureau.president, world.bureau.delegates[0]]:
        client = Client()
        staff_login(client, member.user)
        page = client.get(reverse("bureau:participation", args=[world.election.pk]))
        assert page.status_code == 200
        assert '<svg role="img"' in page.content.decode()
        page = client.get(reverse("bureau:participation_scrutin", args=[first.pk]))
        text = page.content.decode()
        for v in [*world.voters[:2], world.voters[3]]:
            assert v.numen in text
        assert world.voters[2].numen not in text  # did not vote
    client = Client()
    staff_login(client, world.bureau.user)
    url = reverse("bureau:participation_scrutin", args=[first.pk])
    found = client.get(url, {"q": world.voters[1].last_name[:4]}).content.decode()
    assert world.voters[1].numen in found
    found = client.get(url, {"q": world.voters[0].numen}).content.decode()
    assert world.voters[0].numen in found and world.voters[1].numen not in found
    assert client.get(url, {"page": "9999"}).status_code == 200
    export = client.get(reverse("bureau:emargements_csv", args=[first.pk]))
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3
    assert AuditEvent.objects.filter(action="bureau.emargements_export").count() == 1


@pytest.mark.parametrize("role", ["manager", "helpdesk", "auditor", None])
def test_no_one_else_sees_participation(world, role):
    votes(world)
    first = world.scrutins[0].scrutin
    urls = [
        reverse("bureau:participation", args=[world.election.pk]),
        reverse("bureau:participation_scrutin", args=[first.pk]),
        reverse("bureau:emargements_csv", args=[first.pk]),
    ]
    client = Client()
    if role:
        staff_login(client, staff_make(role))
    else:
        voter_client_login(client, world.voters[0])
    for url in urls:
        r = client.get(url)
        assert r.status_code == (403 if role else 302), url
        if r.status_code == 302:
            assert "/backoffice/" in r["Location"]
        assert world.voters[1].numen not in r.content.decode()
