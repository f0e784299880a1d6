"""Rolls in French (issue 18, item 4): the French order (BÉNARD before BRUNET), a search by
the full name in either order, blind to accents and case, and counts with French grouping.
Runs on both databases: ICU collations on PostgreSQL, the same collations registered on
SQLite (ADR 0240)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from factories.accounts import voter_client_login
from factories.elections import staff_make, voter_make
from factories.portal import portal_world_make
from urne.elections.services import rolls_publish
from urne.portal.forms import RollSearchForm
from urne.portal.selectors import roll_page

pytestmark = pytest.mark.django_db(databases=["default", "authority"])

NAMES = [
    ("BRUNET", "Paul"),
    ("BÉNARD", "Amandine"),
    ("ZOLA", "Émile"),
    ("ÉCHARD", "Luc"),
    ("LEROUX", "Amandine"),
    ("ABEL", "Éric"),
    ("LE ROUX", "Bernard"),
    ("Œillet", "Jeanne"),
    ("OCTAVE", "Marc"),
    ("benard", "Zoé"),
]
# ICU's French order, last name first: accents and case matter only between names of the
# same letters (unaccented first: "benard" before "BÉNARD"), a space before a letter
# ("LE ROUX" before "LEROUX"), "Œ" filed as "OE".
FRENCH_ORDER = [
    "ABEL",
    "benard",
    "BÉNARD",
    "BRUNET",
    "ÉCHARD",
    "LE ROUX",
    "LEROUX",
    "MARTIN",
    "OCTAVE",
    "Œillet",
    "ZOLA",
]


@pytest.fixture
def roll():
    cache.clear()
    w = portal_world_make(style="2022", phase="lists", roll_size=1, publish=False)
    for last, first in NAMES:
        voter_make(w.election, last_name=last, first_name=first)
    rolls_publish(actor=staff_make("manager"), election=w.election)
    yield w, w.scrutins[0]
    cache.clear()


def _names(scrutin, query=""):
    return [e.voter.last_name for e in roll_page(scrutin=scrutin, query=query, page=1)]


def test_the_roll_is_in_french_order(roll):
    _, cta = roll
    assert _names(cta) == FRENCH_ORDER


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("leroux amandine", ["LEROUX"]),
        ("amandine leroux", ["LEROUX"]),
        ("LEROUX   Amandine", ["LEROUX"]),
        ("amandine", ["BÉNARD", "LEROUX"]),
        ("benard", ["benard", "BÉNARD"]),
        ("BÉNARD", ["benard", "BÉNARD"]),
        ("bénard amandine", ["BÉNARD"]),
        ("eric", ["ABEL"]),
        ("echard luc", ["ÉCHARD"]),
        ("le roux", ["LE ROUX"]),
        ("oeillet", ["Œillet"]),
        ("emile z", ["ZOLA"]),
        ("zoe", ["benard"]),
        ("b", ["benard", "BÉNARD", "BRUNET", "LE ROUX"]),  # LE ROUX Bernard
        ("%", []),
        ("_", []),
    ],
)
def test_search_by_full_name_in_either_order_blind_to_accents(roll, query, found):
    _, cta = roll
    assert _names(cta, query) == found


def test_the_roll_page_searches_and_says_so(roll):
    w, cta = roll
    client = Client()
    voter_client_login(client, w.voter)
    url = reverse("portal:roll", args=[cta.uuid])
    html = client.get(url, {"q": "leroux amandine"}).content.decode()
    assert "1 électeur dont le nom commence par « leroux amandine »." in html
    assert "LEROUX" in html and "BRUNET" not in html
    assert "dans l&#x27;ordre de votre choix" in html or "dans l'ordre de votre choix" in html


def test_counts_have_french_grouping():
    page = Paginator(list(range(20_000)), 2).get_page(1)
    context = {
        "published": True,
        "page": page,
        "form": RollSearchForm(),
        "query": "",
        "scrutin": SimpleNamespace(body=SimpleNamespace(name="CTM"), __str__=lambda s: "CTM"),
    }
    with translation.override("fr"):
        html = render_to_string("portal/roll.html", context)
    assert "20\xa0000 électeurs inscrits." in html
    assert "Page 1 sur 10\xa0000" in html
    with translation.override("en"):
        html = render_to_string("portal/roll.html", context)
    assert "20,000 registered voters." in html
    assert "Page 1 of 10,000" in html
