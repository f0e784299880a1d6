"""The public board and the printable receipt in the site's frame (issue 18, item 2): the
portal's header, menu and footer, the print style sheet, a labelled tracker field with its
help. (In Chromium, with print media: tests/browser/test_board_and_receipt.py.)"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.booth import ballot_make, cast_setup_make

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

FRAME = (
    'class="site-header"',
    'aria-label="Menu principal"',
    'class="site-footer"',
    'href="/aide/"',
    'href="/accessibilite/"',
    'media="print"',
)


@pytest.fixture
def voted():
    world = cast_setup_make(voters=2, lists=3)
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    voter_client_login(client, voter)
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, 1)})
    r = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert r.status_code == 200
    return client, voter, cs, r.json()


def _framed(html: str) -> None:
    for piece in FRAME:
        assert piece in html, piece


def test_the_receipt_has_the_frame_and_prints_its_board_address(voted, settings):
    settings.URNE_PUBLIC_URL = "https://elections.example.gouv.fr"
    client, voter, cs, data = voted
    html = client.get(data["receipt_url"]).content.decode()
    _framed(html)
    assert voter.last_name.upper() in html  # the voter's own header, as on every voter page
    assert 'href="/scrutins/"' in html  # the voter's menu
    # The print button among the actions the print sheet hides; the board's address on paper.
    actions = html.split('<div class="actions">', 1)[1].split("</div>", 1)[0]
    assert "data-print" in actions
    assert (
        f'<p class="print-only">Tableau public des bulletins : '
        f"https://elections.example.gouv.fr/bulletins/{cs.scrutin.uuid}/</p>"
    ) in html


def test_the_board_has_the_frame_and_a_labelled_search(voted):
    _, voter, cs, _ = voted
    for url in (reverse("urn:board_index"), reverse("urn:board", args=[cs.scrutin.uuid])):
        html = Client().get(url).content.decode()
        _framed(html)
        assert voter.last_name.upper() not in html.upper()  # the board knows no voter
    html = Client().get(reverse("urn:board", args=[cs.scrutin.uuid])).content.decode()
    assert '<label for="q">Numéro de suivi de votre bulletin (43 caractères)</label>' in html
    assert 'class="tracker-input"' in html and 'aria-describedby="q-help"' in html
    bad = Client().get(reverse("urn:board", args=[cs.scrutin.uuid]), {"q": "x!"})
    assert 'aria-describedby="q-help q-error"' in bad.content.decode()


def test_the_print_sheet_hides_the_frame_and_every_button():
    from pathlib import Path

    import urne.theme

    sheet = (Path(urne.theme.__file__).parent / "static" / "theme" / "print.css").read_text()
    rule = sheet.split("{ display: none !important; }", 1)[0]
    for selector in (".site-header", ".site-nav", ".site-footer", "button", ".button", ".actions"):
        assert selector in rule, selector


def test_the_board_groups_its_counts():
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.utils import translation

    page = Paginator(["t"] * 20_000, 2).get_page(1)
    context = {"uuid": "u", "query": "t", "invalid": False, "page": page, "style": "2022"}
    with translation.override("fr"):
        html = render_to_string("urn/board.html", context)
    assert "20\xa0000 bulletins correspondent à votre recherche." in html
    assert "Page 1 sur 10\xa0000" in html
    with translation.override("en"):
        assert "20,000 ballot papers match" in render_to_string("urn/board.html", context)
