"""A whole election in Chromium, from the keys to the results: the key ceremony in the four
holders' browsers (the first delegate's files wrapped under a passphrase), the seal computed
and confirmed in the president's and two delegates' browsers, the vote opened, two voters in
the booth in both scrutins (one blank) and a third through the cast service, the close and
the freeze in the control page, the count opened in the page, the president and the first
delegate decrypting in their browsers and the second delegate with ``urne-trustee
decrypt-bureau``, the proclamation, the results pages and their charts, a PV downloaded and
its text read; then every archive passes urne-verify and belenios-tool 3.3. axe-core on every
page."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from booth_steps import booth_back, booth_code_enter, booth_scrutin_vote
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader
from staff_browsers import Holder, ceremony_in_browsers

from belenios_tools import belenios_tool
from factories.accounts import voter_client_login
from factories.ceremony import ceremony_world_make
from urne.authority.codes import credential_of_code
from urne.authority.models import CredentialSet
from urne.authority.services import code_derive
from urne.booth.services import cast_submit
from urne.bureau.models import Rehearsal
from urne.count.models import ScrutinCount
from urne.crypto.ballot import create_ballot
from urne.crypto.credentials import derive_secret
from urne.elections.services import rolls_publish
from urne.urn.selectors import urn_election
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])

PASSPHRASE = "Phrase de passe du délégué 1 ✓"  # noqa: S105 - a test passphrase


def _voter_page(chromium: Any, live_server: Any, voter: Any) -> Any:
    """A voter's own browser, logged in (the accounts tests cover the login form)."""
    context = chromium.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    client = Client()
    voter_client_login(client, voter)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context


def _label(scrutin: Any) -> str:
    return f"{scrutin.body.name} {scrutin.perimeter}".strip()


def test_a_whole_election_in_the_browser(
    chromium, live_server, assert_accessible, tmp_path, unlogged, settings
):
    settings.URNE_CAST_GRACE_SECONDS = 0
    world = ceremony_world_make(delegates=3, voters=3, window="before")
    election = world.election
    election.style = "2022"  # the vote code alone (seed 004); the 2018 booth: test_booth_vote
    election.save(update_fields=["style"])
    holders = [
        Holder(chromium, live_server, m.user, tmp_path / f"h{i}")
        for i, m in enumerate(world.holders)
    ]
    for h in holders:
        h.downloads.mkdir()
    president, d1, d2, d3 = holders
    cset = CredentialSet.objects.get(election_id=election.pk)
    codes = [code_derive(credential_set=cset, voter_id=v.pk, index=0) for v in world.voters]
    lists = {s.uuid: [cl.label for cl in s.lists.order_by("pk")] for s in world.scrutins}
    s0, s1 = world.scrutins
    # (voter, scrutin) -> the choice: the voters 0 and 1 in the booth, 2 through the service.
    picks = {
        (0, s0.uuid): lists[s0.uuid][0],
        (0, s1.uuid): "Vote blanc",
        (1, s0.uuid): lists[s0.uuid][1],
        (1, s1.uuid): lists[s1.uuid][0],
    }
    voter_contexts: list[Any] = []
    try:
        # The keys: the ceremony in the four holders' browsers.
        ceremony_in_browsers(
            president, [d1, d2, d3], election.pk, passphrase=PASSPHRASE, check=assert_accessible
        )

        # The seal: the rolls published and the rehearsal done, the president computes and
        # confirms the fingerprint, two delegates confirm it in their browsers.
        rolls_publish(actor="tests", election=election)
        now = timezone.now()
        Rehearsal.objects.create(election=election, started_at=now, wiped_at=now)
        seal_url = f"/backoffice/bureau/{election.pk}/scellement/"
        president.goto(seal_url)
        president.page.get_by_role("button", name="Calculer l'empreinte").click()
        president.page.get_by_role("button", name="Je confirme cette empreinte").click()
        assert_accessible(president.page, "scellement-confirme-par-le-president")
        for d in (d1, d2):
            d.goto(seal_url)
            d.page.get_by_role("button", name="Je confirme cette empreinte").click()
        president.goto(seal_url)
        expect(president.page.get_by_role("heading", level=3)).to_contain_text("effectif le")
        assert_accessible(president.page, "scellement-effectif")

        # The vote opens (its date reached); two voters vote in the booth, one blank.
        election.vote_opens = timezone.now() - timedelta(minutes=1)
        election.save(update_fields=["vote_opens"])
        for n in (0, 1):
            context = _voter_page(chromium, live_server, world.voters[n])
            voter_contexts.append(context)
            page = context.new_page()
            page.goto(live_server.url + "/vote/")
            booth_code_enter(page, codes[n])
            if n == 0:
                assert_accessible(page, "mes-scrutins")
            for s in world.scrutins:
                check = assert_accessible if n == 0 and s == s1 else None
                booth_scrutin_vote(page, _label(s), picks[(n, s.uuid)], check=check)
                booth_back(page)
            expect(page.locator("#scrutin-list")).to_contain_text(
                "Vous avez voté à tous vos scrutins"
            )
        # The third voter through the cast service (list 1 in the first scrutin, 2 in the
        # second), as the booth's page would post them.
        for s, choice in ((s0, 1), (s1, 2)):
            crypto = urn_election(scrutin_uuid=s.uuid)
            assert crypto is not None
            secret = derive_secret(s.uuid, credential_of_code(codes[2]))
            vector = [[1 if k == choice else 0 for k in range(len(lists[s.uuid]) + 1)]]
            ballot = create_ballot(crypto, secret, vector).to_string()
            cast_submit(voter_id=world.voters[2].pk, scrutin_uuid=s.uuid, ballot=ballot)

        # The close (the president, with two delegates present) and the freeze, in the
        # bureau's control page (no grace period in this test).
        president.goto(f"/backoffice/bureau/{election.pk}/controle/")
        control = president.page
        control.get_by_label("Clore le vote maintenant").check()
        for m in (world.president, *world.delegates[:2]):
            control.locator(f"#m-{m.pk}").check()
        control.get_by_label("Motif").fill("Fin du vote")
        assert_accessible(control, "controle-cloture")
        control.get_by_role("button", name="Enregistrer la décision").click()
        expect(control.locator(".msg").first).to_contain_text("Le vote est clos")
        control.reload()
        control.get_by_role("button", name="Figer").click()
        expect(control.locator(".msg").first).to_contain_text(
            "Les urnes, les émargements et les compteurs sont figés."
        )
        assert_accessible(control, "controle-fige")

        # The count: opened in the page; the president and delegate 1 decrypt in their
        # browsers (delegate 1's files wrapped), delegate 2 with urne-trustee.
        count_url = f"/backoffice/depouillement/{election.pk}/"
        president.goto(count_url)
        assert_accessible(president.page, "depouillement-a-ouvrir")
        president.page.get_by_role("button", name="Ouvrir le dépouillement").click()
        expect(president.page.locator(".msg").first).to_have_text(
            "Dépouillement ouvert pour 2 scrutin(s)."
        )
        assert_accessible(president.page, "depouillement-ouvert")
        president.count_decrypt(election.pk, president.files["key"])
        expect(president.page.locator(".msg").first).to_contain_text(
            "Déchiffrements acceptés pour 2 scrutin(s) ; 0 résultat(s)"
        )
        d1.count_decrypt(
            election.pk, d1.files["cert"], dkey=d1.files["voutput"], passphrase=PASSPHRASE
        )
        expect(d1.page.locator(".msg").first).to_contain_text("Déchiffrements acceptés pour 2")
        assert_accessible(d1.page, "depouillement-delegue-1")
        archives = d2.downloads / "archives"
        archives.mkdir()
        for s in world.scrutins:
            got = d2.page.request.get(f"{live_server.url}/bulletins/{s.uuid}/archive.bel")
            assert got.status == 200
            (archives / f"{s.uuid}.bel").write_bytes(got.body())
        bundle = d2.downloads / "dechiffrements.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "urne.trustee_cli",
                "decrypt-bureau",
                str(archives),
                "--key",
                str(d2.files["cert"]),
                "--decryption-key",
                str(d2.files["voutput"]),
                "--out",
                str(bundle),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        d2.goto(count_url)
        d2.page.set_input_files("#id_file", str(bundle))
        d2.page.get_by_role("button", name="Vérifier et déposer").click()
        expect(d2.page.locator(".msg").first).to_have_text(
            "Déchiffrements acceptés pour 2 scrutin(s) ; 2 résultat(s) calculé(s)."
        )
        assert_accessible(d2.page, "resultats-calcules")

        # The proclamation of each scrutin.
        for _ in world.scrutins:
            president.goto(count_url)
            president.page.get_by_role("button", name="Proclamer").first.click()
            expect(president.page.locator(".msg").first).to_contain_text("Résultat proclamé")
        assert_accessible(president.page, "proclames")

        # The results, public: the election's page, each scrutin's chart and table, a PV.
        public = president.page
        public.goto(live_server.url + "/")
        public.get_by_role("link", name="Accéder aux résultats").click()
        expect(public.get_by_role("heading", level=1)).to_have_text("Résultats")
        expect(public.get_by_role("img", name="Représentativité nationale")).to_be_visible()
        assert_accessible(public, "resultats")
        expected = {s0.uuid: [0, 2, 1], s1.uuid: [1, 1, 1]}
        for s in world.scrutins:
            count = ScrutinCount.objects.get(scrutin=s)
            assert count.state == ScrutinCount.State.PROCLAIMED
            assert count.counts == expected[s.uuid]
            president.goto(f"/resultats/{s.uuid}/")
            chart = public.get_by_role("img", name=f"{s} : part des suffrages exprimés par liste")
            expect(chart).to_be_visible()
            table = public.get_by_role("table", name="Voix et sièges par liste")
            for label, votes in zip(lists[s.uuid], expected[s.uuid][1:], strict=True):
                expect(table.get_by_role("row", name=label)).to_contain_text(str(votes))
            assert_accessible(public, f"resultat-{s.uuid}")
        with public.expect_download() as info:
            public.get_by_role("link", name="Procès-verbal (PDF)").click()
        pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
        assert "Votants 3" in text and "Signatures des membres" in text
        assert str(s1) in text
    finally:
        for context in voter_contexts:
            context.close()
        for h in holders:
            h.close()

    # Every final archive (ballots, tally, partial decryptions, result) passes urne-verify
    # and belenios-tool 3.3, whose result is ours.
    tool = belenios_tool("3.3")
    for s in world.scrutins:
        folder = tmp_path / "final" / s.uuid
        folder.mkdir(parents=True)
        client = Client()
        got = client.get(f"/bulletins/{s.uuid}/archive.bel")
        assert got.status_code == 200
        archive = folder / f"{s.uuid}.bel"
        archive.write_bytes(b"".join(got.streaming_content))  # type: ignore[attr-defined]
        report = verify_archive(str(archive), jobs=1)
        assert report.valid, report.failures
        done = tool.run("election", "verify", "--dir", folder)
        assert "all checks passed" in done.stdout + done.stderr
    unlogged |= {*codes, *(c.replace("-", "") for c in codes), PASSPHRASE}
