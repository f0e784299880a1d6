"""The public results in Chromium (ADR 0803): before the proclamation the page says so and
shows no figure; after it, the election's results (representativeness, bodies, scrutins) and
a scrutin's page with its SVG chart (an image named by its title, the table beside), in
French then English; the PV downloaded from the page and its text read. axe-core and a
screenshot on every page."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from factories.count import count_world_make, holder_bundle
from factories.elections import staff_make
from urne.count.models import ScrutinCount
from urne.count.services import count_open, decryptions_upload, result_proclaim

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])


def test_the_results_pages_after_the_proclamation_in_french_and_english(
    page, live_server, assert_accessible
):
    world = count_world_make(voters=6, lists=3, scrutins=2)
    holders = [staff_make("bureau"), staff_make("delegate"), staff_make("delegate")]
    count_open(election=world.election, actor=holders[0])
    for n, holder in enumerate(holders):
        decryptions_upload(election=world.election, actor=holder, content=holder_bundle(world, n))

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Accéder aux résultats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats")
    expect(page.get_by_text("Les résultats ne sont pas encore proclamés.")).to_be_visible()
    assert page.locator("svg").count() == 0
    assert_accessible(page, "results before the proclamation")

    for i in range(2):
        result_proclaim(scrutin=world.scrutin(i), actor=holders[0], seed="graine")
    page.reload()
    expect(page.get_by_role("heading", name="Représentativité nationale")).to_be_visible()
    expect(page.get_by_role("img", name="Représentativité nationale")).to_be_visible()
    assert_accessible(page, "results fr")

    scrutin = world.scrutin(0)
    count = ScrutinCount.objects.get(scrutin=scrutin)
    page.get_by_role("link", name=str(scrutin), exact=True).click()
    chart = page.get_by_role("img", name=f"{scrutin} : part des suffrages exprimés par liste")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Voix et sièges par liste")
    for lst in count.figures["lists"]:
        row = table.get_by_role("row", name=lst["name"])
        expect(row).to_contain_text(str(lst["votes"]))
    assert_accessible(page, "scrutin fr")
    with page.expect_download() as info:
        page.get_by_role("link", name="Procès-verbal (PDF)").click()
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"Votants {sum(count.counts)}" in text and "Signatures des membres" in text

    page.get_by_role("button", name="English").click()
    chart = page.get_by_role("img", name=f"{scrutin}: share of the valid votes by list")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name="Votes and seats by list")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "scrutin en")
    page.get_by_role("link", name="All results").click()
    expect(page.get_by_role("img", name="National representativeness")).to_be_visible()
    assert_accessible(page, "results en")
