"""The public results (ADR 0803) and the procès-verbaux (ADR 0804) over HTTP: nothing before a
scrutin is proclaimed (a clear page, 404 for the scrutin's page, PV and downloads); after,
the figures of the bureau's count on the pages, in the CSV and the JSON, the totals per body
and the representativeness; the charts are accessible SVG with the table beside; French and
English; the PV's text holds the archive's Result, the checks, the decryptions and the
signature block; the seal, suspension and journal events of the polling station show in it."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from factories.count import count_world_make, holder_bundle
from factories.elections import staff_make
from urne.audit.services import audit_append
from urne.count.models import ScrutinCount
from urne.count.recount import archive_counts
from urne.count.services import count_open, decryptions_upload, result_proclaim
from urne.elections.models import CandidateList, ListUnion, Union
from urne.urn.selectors import urn_archive_bytes, urn_head

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _url(name, *args, lang="fr"):
    with translation.override(lang):
        return reverse(name, args=args)


def _counted(world, *, proclaim=True):
    """Open, the three holders' uploads, and (unless told not to) every proclamation."""
    holders = [staff_make("bureau"), staff_make("delegate"), staff_make("delegate")]
    holders[0].first_name, holders[0].last_name = "Claire", "Président"
    holders[0].save()
    count_open(election=world.election, actor=holders[0])
    for n, holder in enumerate(holders):
        decryptions_upload(election=world.election, actor=holder, content=holder_bundle(world, n))
    if proclaim:
        for i in range(len(world.setup.scrutins)):
            result_proclaim(scrutin=world.scrutin(i), actor=holders[0], seed="graine-17")
    return holders


def _fr(percent):
    """A percentage as the French pages and PV write it (decimal comma)."""
    return percent.replace(".", ",") if percent is not None else "—"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_nothing_is_public_before_the_proclamation():
    world = count_world_make(voters=4, lists=2, scrutins=2)
    client = Client()
    uuid = world.scrutin(0).uuid
    pages = [
        _url("count:result_page", uuid),
        _url("count:result_pv", uuid),
        _url("count:result_json", uuid),
        _url("count:result_csv", uuid),
        _url("count:national_pv"),
        _url("count:national_json"),
        _url("count:national_csv"),
    ]

    def nothing_shows():
        index = client.get(_url("count:results"))
        assert index.status_code == 200
        body = index.content.decode()
        assert "pas encore proclamés" in body
        assert "Votants" not in body and "<svg" not in body  # no participation (ADR 0531)
        for url in pages:
            assert client.get(url).status_code == 404, url

    nothing_shows()
    _counted(world, proclaim=False)  # results computed, not proclaimed
    nothing_shows()
    assert "pas encore proclamés" in client.get(pages[0]).content.decode()


def test_after_the_proclamation_the_figures_are_public_in_pages_csv_and_json():
    world = count_world_make(voters=5, lists=3, scrutins=2)
    _counted(world)
    client = Client()
    for i in range(2):
        scrutin = world.scrutin(i)
        count = ScrutinCount.objects.get(scrutin=scrutin)
        choices = world.choices[scrutin.uuid]
        blank, lists = count.counts[0], count.counts[1:]
        assert blank == choices.count(0)
        assert lists == [choices.count(k) for k in range(1, 4)]
        page = client.get(_url("count:result_page", scrutin.uuid))
        assert page.status_code == 200
        body = page.content.decode()
        registered = count.figures["pv"]["registered"]
        for label, value in (
            ("Électeurs inscrits", registered),
            ("Votants", 5),
            ("Bulletins blancs", blank),
            ("Suffrages valablement exprimés", 5 - blank),
        ):
            assert re.search(rf"{label}</th><td>{value}</td>", body), label
        for lst in count.figures["lists"]:
            assert re.search(
                rf"<th scope=\"row\">{re.escape(lst['name'])}</th><td>{lst['votes']}</td>"
                rf"<td>{_fr(lst['share_percent'])}</td><td>{lst['seats']}</td>",
                body,
            )
        data = json.loads(client.get(_url("count:result_json", scrutin.uuid)).content)
        assert (data["registered"], data["voters"], data["blank"], data["valid"]) == (
            registered,
            5,
            blank,
            5 - blank,
        )
        assert [lst["votes"] for lst in data["lists"]] == lists
        assert sum(lst["seats"] for lst in data["lists"]) == scrutin.titular_seats
        assert data["counts"] == count.counts
    national = json.loads(client.get(_url("count:national_json")).content)
    assert len(national["scrutins"]) == 2 and national["pending"] == 0
    lines = list(
        csv.reader(
            io.StringIO(client.get(_url("count:national_csv")).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert lines[0][:4] == ["Instance", "Scrutin", "Inscrits", "Votants"]
    assert len(lines) == 1 + 2 * 3
    assert {line[0] for line in lines[1:]} == {"CTM", "CTA"}


def test_totals_per_body_and_representativeness_split_a_joint_list():
    world = count_world_make(voters=6, lists=3, scrutins=2)
    e = world.election
    unions = [
        Union.objects.create(election=e, name=f"Union {n}", acronym=f"U{n}") for n in (1, 2, 3)
    ]
    for scrutin in (world.scrutin(0), world.scrutin(1)):
        lists = list(CandidateList.objects.filter(scrutin=scrutin).order_by("pk"))
        ListUnion.objects.create(candidate_list=lists[0], union=unions[0])
        ListUnion.objects.create(candidate_list=lists[1], union=unions[1])
        # A joint list of U2 and U3, no declared basis: its votes split equally.
        ListUnion.objects.create(candidate_list=lists[2], union=unions[1])
        ListUnion.objects.create(candidate_list=lists[2], union=unions[2])
    _counted(world)
    national = json.loads(Client().get(_url("count:national_json")).content)
    ctm = ScrutinCount.objects.get(scrutin=world.scrutin(0))
    a, b, c = ctm.counts[1:]
    rep = {o["name"]: o["votes"] for o in national["representativeness"]["organisations"]}
    assert national["representativeness"]["body"] == "CTM"
    from fractions import Fraction

    assert {k: Fraction(v) for k, v in rep.items()} == {
        "U1": a,
        "U2": b + Fraction(c, 2),
        "U3": Fraction(c, 2),
    }
    seats = {lst["name"]: lst["seats"] for lst in ctm.figures["lists"]}
    by_org = {o["name"]: o for o in national["representativeness"]["organisations"]}
    a_name, b_name, c_name = (lst["name"] for lst in ctm.figures["lists"])
    # The joint list's seats are shown apart for each of its organisations, never as theirs.
    assert (by_org["U1"]["seats"], by_org["U1"]["joint_list_seats"]) == (seats[a_name], 0)
    assert (by_org["U2"]["seats"], by_org["U2"]["joint_list_seats"]) == (
        seats[b_name],
        seats[c_name],
    )
    assert (by_org["U3"]["seats"], by_org["U3"]["joint_list_seats"]) == (0, seats[c_name])
    bodies = {b_["code"]: b_ for b_ in national["bodies"]}
    assert bodies["CTA"]["voters"] == 6 and bodies["CTA"]["scrutins"] == 1
    index = Client().get(_url("count:results")).content.decode()
    assert "Représentativité nationale" in index and 'id="chart-representativeness-t"' in index


def test_the_charts_are_accessible_svg_beside_their_table_in_french_and_english():
    world = count_world_make(voters=4, lists=2, scrutins=1)
    _counted(world)
    uuid = world.scrutin(0).uuid
    for lang, words in (("fr", "part des suffrages exprimés"), ("en", "share of the valid votes")):
        body = Client().get(_url("count:result_page", uuid, lang=lang)).content.decode()
        svg = re.search(r"<svg[^>]*>(.*?)</svg>", body, re.S)
        assert svg is not None
        tag = svg.group(0)[: svg.group(0).index(">")]
        assert 'role="img"' in tag and "aria-labelledby" in tag
        title = re.search(r"<title id=\"([^\"]+)\">([^<]+)</title>", svg.group(1))
        desc = re.search(r"<desc id=\"([^\"]+)\">([^<]+)</desc>", svg.group(1))
        assert title and desc and words in title.group(2)
        assert f"{title.group(1)} {desc.group(1)}" in tag
        assert "<table" in body[svg.end() :]  # the same figures in the table beside
        assert "style=" not in svg.group(0)  # presentation attributes only (CSP)
    english = Client().get(_url("count:results", lang="en")).content.decode()
    assert "National representativeness" in english


def test_the_pv_holds_the_archives_result_the_checks_and_the_polling_stations_events():
    world = count_world_make(voters=5, lists=3, scrutins=1)
    scrutin = world.scrutin(0)
    e = world.election
    t0 = timezone.now()
    # The polling station's events as its pages write them (the seal, the control of the
    # vote, the journal): a check names its seal, whose fingerprint an earlier event gave.
    seal = {"seal": 7, "election": e.pk}
    audit_append(
        actor="bureau", action="bureau.seal_made", obj=e, data={**seal, "fingerprint": "ab" * 32}
    )
    audit_append(
        actor="bureau", action="bureau.vote_suspend", obj=e, data={"reason": "panne réseau"}
    )
    audit_append(actor="bureau", action="bureau.vote_resume", obj=e, data={"reason": "réparé"})
    audit_append(
        actor="system", action="system.restart", data={"election": e.pk, "reason": "mise à jour"}
    )
    audit_append(
        actor="bureau",
        action="journal.incident",
        obj=scrutin,
        data={"text": "Un électeur signale une page blanche."},
    )
    audit_append(actor="bureau", action="bureau.seal_check", obj=e, data={**seal, "ok": True})
    from urne.authority.models import CodeSlot

    CodeSlot.objects.filter(voter_id=world.setup.voters[0].pk, index=1).update(status="active")
    CodeSlot.objects.filter(voter_id=world.setup.voters[0].pk, index=0).update(status="revoked")
    _counted(world)
    assert timezone.now() - t0 < timedelta(hours=1)
    pdf = Client().get(_url("count:result_pv", scrutin.uuid))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _text(pdf.content)
    flat = " ".join(text.split())
    _answers, counts, published = archive_counts(urn_archive_bytes(scrutin_uuid=scrutin.uuid))
    assert published == counts
    count = ScrutinCount.objects.get(scrutin=scrutin)
    # The PV's numbers are the archive's: blank, voters and each list's votes.
    assert f"Bulletins blancs {counts[0]}" in flat
    assert f"Votants {sum(counts)}" in flat
    for lst, votes in zip(count.figures["lists"], counts[1:], strict=True):
        assert f"{lst['name']} {votes} {_fr(lst['share_percent'])} {lst['seats']}" in flat
    assert (
        f"Votes décomptés (suffrages exprimés et blancs) : {sum(counts)} ; émargements : 5 ; "
        "bulletins dans l'urne : 5. Résultat du contrôle : conforme." in flat
    )
    head = urn_head(scrutin_uuid=scrutin.uuid)
    for fingerprint in ("ab" * 32, head.last_event, head.election_hash, count.tally_hash):
        assert fingerprint in text.replace("\n", ""), fingerprint
    assert "made" in flat and "check" in flat and "conforme" in flat
    assert text.replace("\n", "").count("ab" * 32) == 2  # the check shows its seal's too
    assert "panne réseau" in flat and "Durée totale des suspensions" in flat
    assert "Un électeur signale une page blanche." in flat
    assert "system.restart system mise à jour" in flat
    assert "Codes de remplacement délivrés aux électeurs de ce scrutin : 1." in flat
    assert "1 (président) Claire Président" in flat
    assert "(délégué 1)" in flat and "(délégué 2)" in flat
    assert "Graine du tirage au sort : graine-17." in flat
    assert "Signatures des membres du bureau de vote électronique" in flat
    national = _text(Client().get(_url("count:national_pv")).content)
    assert "Procès-verbal récapitulatif national" in national
    assert str(scrutin) in national and "Représentativité nationale" in national


def test_a_pv_without_the_polling_stations_events_says_so_in_english():
    world = count_world_make(voters=3, lists=2, scrutins=1)
    _counted(world)
    flat = " ".join(
        _text(
            Client().get(_url("count:result_pv", world.scrutin(0).uuid, lang="en")).content
        ).split()
    )
    # Never sealed before the vote, the election still has the freeze's seal (made at the
    # freeze, before any count): the PV gives it with its fingerprint.
    assert re.search(r"Seal and fingerprints .* freeze [0-9a-f]{64}", flat)
    assert "The vote was not suspended." in flat
    assert "Signatures of the members of the electronic polling station" in flat


def test_the_portal_leads_to_the_results():
    count_world_make(voters=1, lists=2, scrutins=1)
    home = Client().get(_url("portal:home")).content.decode()
    assert _url("count:results") in home and "Accéder aux résultats" in home


def test_a_tie_drawn_by_lot_shows_its_seed_on_the_page_and_in_the_pv():
    # 4 voters: blank, A, B, C; 2 seats. B has the most candidates (3) and takes the first;
    # A and C tie on votes and candidates (2 each): the second goes by lot from the seed.
    world = count_world_make(voters=4, lists=3, scrutins=1)
    _counted(world)
    scrutin = world.scrutin(0)
    count = ScrutinCount.objects.get(scrutin=scrutin)
    (draw,) = count.figures["draws"]
    assert draw["seed"] == "graine-17" and sorted(draw["names"]) == [
        "Liste A – Union 1",
        "Liste C – Union 3",
    ]
    page = Client().get(_url("count:result_page", scrutin.uuid)).content.decode()
    assert "départagée par tirage au sort (graine du bureau : graine-17)" in page
    flat = " ".join(_text(Client().get(_url("count:result_pv", scrutin.uuid)).content).split())
    assert "Tirages au sort" in flat and "graine-17" in flat
    assert f"Liste A – Union 1, Liste C – Union 3 graine-17 {draw['winner']}" in flat


def test_a_scrutin_not_yet_proclaimed_adds_nothing_and_stays_hidden():
    world = count_world_make(voters=4, lists=2, scrutins=2)
    holders = _counted(world, proclaim=False)
    result_proclaim(scrutin=world.scrutin(1), actor=holders[0], seed="")
    client = Client()
    national = json.loads(client.get(_url("count:national_json")).content)
    assert [s["scrutin"] for s in national["scrutins"]] == [world.scrutin(1).uuid]
    assert national["pending"] == 1
    assert national["representativeness"] is None  # the CTM is the one not proclaimed
    assert [b["code"] for b in national["bodies"]] == ["CTA"]
    assert client.get(_url("count:result_page", world.scrutin(0).uuid)).status_code == 404
    index = client.get(_url("count:results")).content.decode()
    assert "1 scrutin n&#x27;est pas encore proclamé." in index or "1 scrutin n'est pas" in index
    assert "Le scrutin du comité national n&#x27;est pas encore proclamé." in index or (
        "Le scrutin du comité national n'est pas encore proclamé." in index
    )
    summary = " ".join(_text(client.get(_url("count:national_pv")).content).split())
    assert "1 scrutin(s) proclamé(s) ; 1 en attente de proclamation." in summary
