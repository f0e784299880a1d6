"""The 2022 réassort by FranceConnect (seed 004; ADR 0650), against a real OpenID provider
run locally (tests/oidc/provider.mjs, npm `oidc-provider`): the voter logged in to the
portal goes to FranceConnect, comes back with an identity matched to exactly one voter (them),
then "Générer un code" shows a new code once: the old one is revoked, the new one works in
the booth. Every refusal: a tampered `state`, a replayed return, a missing PKCE verifier, an
`acr` below the one asked for, an ID token signed by another key, an identity matching no
voter, two, or another voter; a second use of the grant. No identity claim and no code is
left in any table or log."""

import html
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.authority import booth_election_make
from factories.oidc import Provider, fc_login
from factories.stores import stores_text
from urne.audit.models import AuditEvent
from urne.authority import services
from urne.authority.models import CodeSlot, ReassortGrant

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

PUBLIC = "http://testserver"
PEOPLE = {
    # The logged-in voter: birth name with an accent and a hyphen, two given names.
    "amandine": {
        "given_name": "Amandine Rose",
        "family_name": "LE ROUX-BÉNARD",
        "birthdate": "1980-04-02",
        "gender": "female",
        "birthplace": "2A004",
        "birthcountry": "99100",
    },
    "bruno": {
        "given_name": "Bruno",
        "family_name": "Martin",
        "birthdate": "1975-11-30",
        "gender": "male",
        "birthplace": "69123",
        "birthcountry": "99100",
    },
    "nobody": {
        "given_name": "Personne",
        "family_name": "Inconnue",
        "birthdate": "1990-01-01",
        "gender": "female",
        "birthplace": "13055",
        "birthcountry": "99100",
    },
    "twin": {
        "given_name": "Camille",
        "family_name": "Durand",
        "birthdate": "1985-06-15",
        "gender": "female",
        "birthplace": "33063",
        "birthcountry": "99100",
    },
}


@pytest.fixture(scope="module")
def provider():
    p = Provider(people=PEOPLE, public_url=PUBLIC)
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(provider, settings):
    settings.URNE_PUBLIC_URL = PUBLIC
    settings.URNE_FRANCECONNECT = provider.settings(acr="eidas1")
    election, scrutins, voters, cset = booth_election_make(voters=5)
    me, bruno, twin_a, twin_b, _ = voters
    for voter, (last, first, born) in {
        me: ("Le Roux Bénard", "Amandine", date(1980, 4, 2)),
        bruno: ("MARTIN", "Bruno", date(1975, 11, 30)),
        twin_a: ("Durand", "Camille", date(1985, 6, 15)),
        twin_b: ("DURAND", "Camille", date(1985, 6, 15)),
    }.items():
        voter.last_name, voter.first_name, voter.birth_date = last, first, born
        voter.save()
    client = Client()
    voter_client_login(client, me)
    return election, scrutins, me, cset, client


def _go(client, login, acr="eidas2"):
    """The voter's browser: our start → FranceConnect's login → back to us."""
    start = client.get(reverse("booth:reassort_franceconnect"))
    assert start.status_code == 302, start.content
    back = fc_login(start["Location"], login, acr)
    parts = urlsplit(back)
    return start["Location"], parts.path + "?" + parts.query


def _works(cset, voter, scrutins, index):
    code = services.code_derive(credential_set=cset, voter_id=voter.pk, index=index)
    publics = {
        s.uuid: services.public_credential_hex(scrutin_uuid=s.uuid, code=code) for s in scrutins
    }
    return all(services.credentials_confirm(voter=voter, public_credentials=publics).values())


def test_franceconnect_then_generer_un_code_gives_a_working_code_once(world):
    _election, scrutins, me, cset, client = world
    page = client.get(reverse("booth:reassort")).content.decode()
    assert "Choix du réassort de votre code de vote" in page and "FranceConnect" in page
    authorize, back = _go(client, "amandine")
    # What we asked FranceConnect for: the code flow, PKCE S256, state, nonce, the level.
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["code_challenge"][0] and asked["state"][0] and asked["nonce"][0]
    assert asked["acr_values"] == ["eidas1"]
    assert set(asked["scope"][0].split()) >= {"openid", "given_name", "family_name", "birthdate"}

    r = client.get(back)
    assert r.status_code == 302 and r["Location"] == reverse("booth:reassort_code")
    assert "Générer un code" in client.get(r["Location"]).content.decode()
    r = client.post(reverse("booth:reassort_code"))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    new = services.code_derive(credential_set=cset, voter_id=me.pk, index=1)
    assert new in r.content.decode()
    assert _works(cset, me, scrutins, 1) and not _works(cset, me, scrutins, 0)
    assert CodeSlot.objects.get(voter_id=me.pk, index=0).status == CodeSlot.Status.REVOKED
    # One code per grant: the page cannot be used again.
    again = client.post(reverse("booth:reassort_code"))
    assert again.status_code == 400
    assert CodeSlot.objects.get(voter_id=me.pk, index=2).status == CodeSlot.Status.SPARE
    assert ReassortGrant.objects.get(voter_id=me.pk).used_at is not None
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "reassort.granted" in actions and "authority.code_replaced" in actions


def _refused(client, path, status, text):
    r = client.get(path)
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert text in html.unescape(r.content.decode())
    return r


def _nothing_granted(me):
    assert not ReassortGrant.objects.filter(voter_id=me.pk).exists()
    assert CodeSlot.objects.get(voter_id=me.pk, index=0).status == CodeSlot.Status.ACTIVE


def test_a_tampered_state_is_refused(world):
    _e, _s, me, _c, client = world
    _a, back = _go(client, "amandine")
    tampered = back.replace("state=", "state=x")
    _refused(client, tampered, 400, "pas celle attendue")
    _nothing_granted(me)


def test_a_replayed_return_is_refused(world):
    _e, _s, me, _c, client = world
    _a, back = _go(client, "amandine")
    assert client.get(back).status_code == 302
    _refused(client, back, 400, "pas celle attendue")
    assert ReassortGrant.objects.filter(voter_id=me.pk).count() == 1


def test_a_replayed_nonce_is_refused(world, monkeypatch):
    """An ID token whose nonce was already spent (here a second flow that asked for the
    same nonce, each with its own state and verifier): the provider signs it, its state
    matches, yet it is refused; no second grant."""
    from types import SimpleNamespace

    from urne.accounts import franceconnect

    _e, _s, me, _c, client = world
    monkeypatch.setattr(franceconnect, "secrets", SimpleNamespace(token_urlsafe=lambda n: "N" * n))
    _a, back = _go(client, "amandine")
    assert client.get(back).status_code == 302
    _a, again = _go(client, "amandine")
    assert again != back
    _refused(client, again, 400, "déjà été utilisée")
    assert ReassortGrant.objects.filter(voter_id=me.pk).count() == 1


def test_a_missing_pkce_verifier_is_refused(world):
    _e, _s, me, _c, client = world
    _a, back = _go(client, "amandine")
    session = client.session
    # A session has keys() but no iteration of its own.
    key = next(k for k in session.keys() if k.startswith("_state_franceconnect_"))  # noqa: SIM118
    record = session[key]
    del record["data"]["code_verifier"]
    session[key] = record
    session.save()
    _refused(client, back, 400, "vérification de la connexion FranceConnect")
    _nothing_granted(me)


def test_the_provider_refuses_a_code_without_its_verifier(world):
    """The other side of PKCE: the provider itself gives no token for the code without the
    verifier (a stolen code is worthless)."""
    import requests

    from factories.oidc import CLIENT_ID, CLIENT_SECRET

    _e, _s, _me, _c, client = world
    _a, back = _go(client, "amandine")
    code = parse_qs(urlsplit(back).query)["code"][0]
    from django.conf import settings

    conf = settings.URNE_FRANCECONNECT
    r = requests.post(
        conf["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": PUBLIC + "/vote/reassort/franceconnect/retour/",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_an_acr_below_the_one_asked_for_is_refused(world, settings, provider):
    _e, _s, me, _c, client = world
    settings.URNE_FRANCECONNECT = provider.settings(acr="eidas2")
    _a, back = _go(client, "amandine", acr="eidas1")
    _refused(client, back, 403, "niveau de garantie")
    _nothing_granted(me)


def test_an_id_token_signed_by_another_key_is_refused(world, settings, provider):
    """A provider with the same client but its own key answers the flow; our keys are the
    genuine provider's: the ID token's signature does not verify."""
    _e, _s, me, _c, client = world
    impostor = Provider(people=PEOPLE, public_url=PUBLIC)
    try:
        settings.URNE_FRANCECONNECT = impostor.settings(jwks_url=provider.issuer + "/jwks")
        _a, back = _go(client, "amandine")
        _refused(client, back, 400, "n'a pas confirmé votre identité")
    finally:
        impostor.stop()
    _nothing_granted(me)


@pytest.mark.parametrize(
    "login,text",
    [
        ("nobody", "ne correspond à aucun électeur"),
        ("twin", "correspond à plusieurs électeurs"),
        ("bruno", "n'est pas celle de l'électeur connecté"),
    ],
)
def test_an_identity_matching_no_voter_two_or_another_is_refused(world, login, text):
    _e, _s, me, _c, client = world
    _a, back = _go(client, login)
    _refused(client, back, 403, text)
    _nothing_granted(me)
    assert AuditEvent.objects.filter(action="reassort.refused").exists()


def test_the_code_page_without_a_grant_is_refused(world):
    _e, _s, me, _c, client = world
    assert client.post(reverse("booth:reassort_code")).status_code == 400
    _nothing_granted(me)


def test_no_identity_claim_and_no_code_is_kept_anywhere(world, caplog):
    """After a whole réassort: FranceConnect's claims (names as given, birthplace, birth
    country, gender) and the new code are in no table of the three stores, nor the logs."""
    _e, _s, me, cset, client = world
    _a, back = _go(client, "amandine")
    client.get(back)
    client.post(reverse("booth:reassort_code"))
    new = services.code_derive(credential_set=cset, voter_id=me.pk, index=1)
    text = stores_text() + caplog.text
    for secret in ("Amandine Rose", "LE ROUX-BÉNARD", "2A004", new, new.replace("-", "")):
        assert secret not in text, secret
