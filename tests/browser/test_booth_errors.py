"""The errors a voter can meet in the booth, in Chromium: a code that is unknown
or another voter's, the connection cut after the ballot was sent (sending again gives the same
receipt and counts once), two tabs casting in the same scrutin (one ballot), the vote not yet
open. axe-core on each error screen."""

import pytest
from playwright.sync_api import expect

from factories.accounts import mail_clear, mail_outbox
from factories.authority import booth_election_make
from urne.authority import services
from urne.authority.codes import code_from_value
from urne.booth.models import Emargement
from urne.crypto.encoding import sha256_b64
from urne.urn.models import UrnBallot

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    mail_clear()
    yield
    cache.clear()


def _enter_code(page, live_server, code: str) -> None:
    page.goto(live_server.url + "/vote/")
    page.get_by_role("textbox", name="Code de vote").fill(code)
    page.get_by_role("button", name="Connexion", exact=True).click()


def _to_confirmation(page, scrutin) -> str:
    label = f"{scrutin.body.name} {scrutin.perimeter}".strip()
    page.get_by_role("button", name=f"Voter à ce scrutin : {label}").click()
    choice = scrutin.lists.order_by("pk").first().label
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Valider mon choix").click()
    expect(page.locator("#confirm-choice")).to_contain_text(choice)
    return label


def test_unknown_code_and_another_voters_code(page, live_server, assert_accessible, voter_login):
    _election, _scrutins, voters, cset = booth_election_make(voters=2)
    voter_login(voters[0])
    other = services.code_derive(credential_set=cset, voter_id=voters[1].pk, index=0)
    # Another voter's code reads like any unknown code: the booth is no oracle of codes.
    _enter_code(page, live_server, other)
    expect(page.locator("#vote-code-error")).to_contain_text("Ce code de vote est inconnu")
    assert_accessible(page, "code-d-un-autre-electeur")
    # A well-formed code (right check character) that nobody holds.
    _enter_code(page, live_server, code_from_value(12345))
    expect(page.locator("#vote-code-error")).to_contain_text("Ce code de vote est inconnu")
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_hidden()
    assert_accessible(page, "code-inconnu")


def test_connection_cut_after_sending_then_the_same_ballot_again(
    page, live_server, assert_accessible, voter_login
):
    _election, scrutins, voters, cset = booth_election_make(voters=2)
    voter = voters[0]
    voter_login(voter)
    _enter_code(
        page, live_server, services.code_derive(credential_set=cset, voter_id=voter.pk, index=0)
    )
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()
    scrutin = scrutins[0]
    _to_confirmation(page, scrutin)

    sent: list[str] = []

    def reach_server_then_cut(route):
        sent.append(route.request.post_data_json["ballot"])
        route.fetch()  # the server records the ballot…
        route.abort("connectionreset")  # …and the answer never arrives

    page.route("**/vote/bulletin/", reach_server_then_cut)
    page.get_by_role("button", name="Je confirme mon vote").click()
    expect(page.locator("#booth-alert")).to_contain_text("il ne sera compté qu'une fois")
    assert_accessible(page, "connexion-coupee")
    assert UrnBallot.objects.using("urn").filter(scrutin__uuid=scrutin.uuid).count() == 1

    page.unroute("**/vote/bulletin/")
    resent: list[str] = []
    page.on(
        "request",
        lambda r: (
            resent.append(r.post_data_json["ballot"]) if r.url.endswith("/vote/bulletin/") else None
        ),
    )
    page.get_by_role("button", name="Je confirme mon vote").click()
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible(timeout=30_000)
    assert resent == sent  # the same ballot, not a new one
    tracker = page.locator("#receipt-tracker").inner_text()
    assert tracker == sha256_b64(sent[0])
    assert UrnBallot.objects.using("urn").filter(scrutin__uuid=scrutin.uuid).count() == 1
    assert Emargement.objects.get(voter=voter, scrutin=scrutin).state == Emargement.State.VOTED
    assert len(mail_outbox()) == 1 and tracker in mail_outbox()[0].text  # one receipt e-mail


def test_two_tabs_cast_in_the_same_scrutin_one_ballot(
    context, live_server, assert_accessible, voter_login
):
    _election, scrutins, voters, cset = booth_election_make(voters=2)
    voter = voters[0]
    voter_login(voter)
    code = services.code_derive(credential_set=cset, voter_id=voter.pk, index=0)
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        _enter_code(tab, live_server, code)
        expect(tab.get_by_role("heading", name="Mes scrutins")).to_be_visible()
        _to_confirmation(tab, scrutins[0])
    first.get_by_role("button", name="Je confirme mon vote").click()
    expect(first.get_by_role("heading", name="Accusé de réception")).to_be_visible(timeout=30_000)
    second.get_by_role("button", name="Je confirme mon vote").click()
    expect(second.locator("#booth-alert")).to_contain_text("Vous avez déjà voté à ce scrutin")
    # Pressing again could only be refused again: the button stays disabled, and going back
    # leads to the list, where the scrutin shows as voted.
    expect(second.get_by_role("button", name="Je confirme mon vote")).to_be_disabled()
    assert_accessible(second, "deja-vote")
    second.locator("#confirm-back").click()
    expect(second.get_by_role("heading", name="Mes scrutins")).to_be_visible()
    assert UrnBallot.objects.using("urn").filter(scrutin__uuid=scrutins[0].uuid).count() == 1


def test_vote_not_open_yet(page, live_server, assert_accessible, voter_login):
    _election, _scrutins, voters, _cset = booth_election_make(voters=1, window="before")
    voter_login(voters[0])
    page.goto(live_server.url + "/vote/")
    expect(page.locator("main")).to_contain_text("pas encore ouvert")
    assert_accessible(page, "vote-pas-ouvert")
