"""The ballot reads like the paper one it replaces (issue "Finish the voter's experience"):
each list's full name and the unions presenting it (a joint list names them all), its
candidates on demand, its profession de foi, the blank vote set apart; the choice plain to
see; the confirmation repeats the whole choice. Keyboard only, in French and English; axe and
screenshots (test-artifacts/) on each screen."""

import pytest
from playwright.sync_api import expect

from factories.authority import booth_election_make
from urne.authority import services
from urne.elections.models import Candidate, ListUnion, Union

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.usefixtures("fresh_cache"),
]


def _paper_lists(election, scrutin):
    """Give the scrutin's two lists their unions (the first a joint list) and candidates."""
    fsu = Union.objects.create(
        election=election, name="Fédération syndicale unitaire", acronym="FSU"
    )
    cgt = Union.objects.create(
        election=election, name="Confédération générale du travail", acronym="CGT"
    )
    unsa = Union.objects.create(election=election, name="UNSA Éducation", acronym="UNSA")
    joint, single = scrutin.lists.order_by("pk")
    ListUnion.objects.create(candidate_list=joint, union=fsu, share=60)
    ListUnion.objects.create(candidate_list=joint, union=cgt, share=40)
    ListUnion.objects.create(candidate_list=single, union=unsa)
    for n, (first, last, gender) in enumerate(
        [("Amandine", "Leroux", "F"), ("Bruno", "Bénard", "M"), ("Chloé", "Brunet", "F")]
    ):
        Candidate.objects.create(
            candidate_list=joint, position=n + 1, first_name=first, last_name=last, gender=gender
        )
    return joint, single


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_ballot_reads_like_the_paper_one(
    language, page, live_server, assert_accessible, voter_login
):
    election, scrutins, voters, cset = booth_election_make(voters=1)
    joint, _single = _paper_lists(election, scrutins[0])
    voter = voters[0]
    voter_login(voter)
    code = services.code_derive(credential_set=cset, voter_id=voter.pk, index=0)
    prefix = "" if language == "fr" else "/en"
    t = {
        "fr": {
            "code": "Code de vote",
            "connect": "Connexion",
            "vote": "Voter à ce scrutin",
            "by": "Liste présentée par :",
            "cands": "Voir les candidats de la liste (3)",
            "blank": "Vote blanc",
            "or": "ou",
            "validate": "Valider mon choix",
            "confirm": "Je confirme mon vote",
        },
        "en": {
            "code": "Vote code",
            "connect": "Log in",
            "vote": "Vote in this ballot",
            "by": "List presented by:",
            "cands": "See the list's candidates (3)",
            "blank": "Blank vote",
            "or": "or",
            "validate": "Confirm my choice",
            "confirm": "I confirm my vote",
        },
    }[language]
    page.goto(live_server.url + prefix + "/vote/")
    page.get_by_role("textbox", name=t["code"]).fill(code)
    page.get_by_role("button", name=t["connect"], exact=True).click()
    label = f"{scrutins[0].body.name} {scrutins[0].perimeter}".strip()
    page.get_by_role("button", name=f"{t['vote']} : {label}").click()

    # Each list: its full name and its unions, by name and acronym.
    option = page.locator(".ballot-option").first
    expect(option).to_contain_text(joint.label)
    expect(option).to_contain_text(
        f"{t['by']} Fédération syndicale unitaire (FSU), Confédération générale du travail (CGT)"
    )
    # The radio is named by the list alone and described by its unions.
    radio = page.get_by_role("radio", name=joint.label, exact=True)
    expect(radio).to_have_attribute("aria-describedby", "choice-1-unions")
    # The candidates on demand, in order, with their civility.
    candidates = option.locator("details")
    expect(candidates.locator("ol")).to_be_hidden()
    candidates.locator("summary").click()
    expect(candidates.locator("li")).to_have_text(
        ["Mme Amandine LEROUX", "M. Bruno BÉNARD", "Mme Chloé BRUNET"]
    )
    # The blank vote comes last, apart from the lists.
    expect(page.locator("#ballot-choices > *").last).to_have_class(
        "ballot-option ballot-option--blank"
    )
    expect(page.locator(".ballot-or")).to_have_text(t["or"])
    assert_accessible(page, f"bulletin-{language}")

    # Keyboard only: focus the first radio, choose it with the space bar.
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()
    # The checked card is marked beyond its colour (a heavier border).
    width = option.evaluate("e => getComputedStyle(e).borderTopWidth")
    assert width == "3px"
    page.screenshot(path=str(_artifact(page, f"bulletin-choisi-{language}")), full_page=True)
    page.get_by_role("button", name=t["validate"]).click()
    # The confirmation repeats the whole choice: the list and its unions.
    expect(page.locator("#confirm-choice")).to_contain_text(joint.label)
    expect(page.locator("#confirm-unions")).to_contain_text("Fédération syndicale unitaire (FSU)")
    assert_accessible(page, f"confirmation-{language}")
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.locator("#receipt-tracker")).not_to_be_empty(timeout=30_000)


def _artifact(page, name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "test_booth_ballot"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
