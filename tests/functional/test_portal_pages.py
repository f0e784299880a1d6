"""Every portal page through the Django test client (seeds 003–004), in both styles."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.portal import portal_world_make
from urne.elections.models import Complaint
from urne.portal.models import AssistanceRequest

pytestmark = pytest.mark.django_db(databases=["default", "authority"])

STYLES = ["2018", "2022"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


def page(client, name, *args, **kw):
    response = client.get(reverse(name, args=args), kw)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("style", STYLES)
def test_landing_for_anonymous(client, style):
    w = portal_world_make(style=style)
    html = page(client, "portal:home")
    assert "Accéder au portail Élections" in html
    assert reverse("accounts:login") in html
    assert "Le calendrier" in html and w.election.name in html
    assert "MARTIN" not in html


def test_root_is_the_portal_and_backoffice_stays(client):
    portal_world_make()
    assert client.get("/").status_code == 200
    assert client.get("/backoffice/").status_code in (200, 302)


@pytest.mark.parametrize("style", STYLES)
def test_home_of_a_logged_in_voter(client, style):
    w = portal_world_make(style=style)
    voter_client_login(client, w.voter)
    html = page(client, "portal:home")
    assert "MARTIN Camille" in html and "Déconnexion" in html
    assert reverse("accounts:logout") in html
    for link in ("edito", "faq", "assistance", "rolls", "scrutins", "complaint", "profile"):
        assert reverse(f"portal:{link}") in html
    if style == "2018":
        assert "Mon espace électeur" in html and "Consulter mon profil électeur" in html
        assert "Demander un nouvel identifiant électeur" in html
    else:
        assert "Bienvenue sur votre portail Élections" in html
        assert "Mes informations pratiques" in html and "Mon compte" in html
        assert "Consulter les scrutins, les candidatures et voter" in html
    assert "Ouverture du vote dans" in html  # the countdown, before the vote


@pytest.mark.parametrize("name", ["portal:edito", "portal:faq", "portal:assistance"])
@pytest.mark.parametrize("style", STYLES)
def test_practical_pages_open_to_everyone(client, name, style):
    portal_world_make(style=style)
    page(client, name)


@pytest.mark.parametrize("slug", ["parcours-electeur", "parcours-de-vote", "reassorts"])
@pytest.mark.parametrize("style", STYLES)
def test_tutorials(client, slug, style):
    portal_world_make(style=style)
    html = page(client, "portal:tutorial", slug)
    if slug == "reassorts":
        assert "SMS uniquement" in html or "par SMS" in html
        assert ("Générer un code" in html) == (style == "2022")


def test_unknown_tutorial_is_404(client):
    portal_world_make()
    assert client.get(reverse("portal:tutorial", args=["nope"])).status_code == 404


@pytest.mark.parametrize("name", ["profile", "scrutins", "rolls", "complaint", "vote"])
def test_voter_pages_need_a_login(client, name):
    portal_world_make()
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("style", STYLES)
def test_profile(client, style):
    w = portal_world_make(style=style)
    voter_client_login(client, w.voter)
    html = page(client, "portal:profile")
    assert "Mon profil électeur" in html
    assert w.voter.numen not in html  # not needed on screen
    for value in ("MARTIN", "Camille", "PE et instituteur", "Lyon", "69", "01/01/1980"):
        assert value in html
    assert "CTA Lyon" in html and "CAPD PE 69" in html and "Grenoble" not in html
    assert "Contester mon profil électeur" in html


def test_my_scrutins_and_lists(client):
    w = portal_world_make()
    voter_client_login(client, w.voter)
    html = page(client, "portal:scrutins")
    assert "CTA Lyon" in html and "CAPD PE 69" in html and "CTA Grenoble" not in html
    detail = page(client, "portal:scrutin", w.scrutins[0].uuid)
    assert "Liste Alpha CTA" in detail and "CAND0 Prénom0" in detail
    assert 'aria-label="Fil d’Ariane"' in detail and '<span aria-current="page">CTA Lyon' in detail
    assert "Syndicat Alpha" in detail
    url = reverse("portal:profession_de_foi", args=[w.scrutins[0].uuid, w.lists[0].pk])
    assert url in detail
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]


def test_only_my_scrutins_rolls_and_pdfs(client):
    w = portal_world_make()
    voter_client_login(client, w.voter)
    other = w.other_scrutin
    assert client.get(reverse("portal:scrutin", args=[other.uuid])).status_code == 404
    assert client.get(reverse("portal:roll", args=[other.uuid])).status_code == 404
    other_list = other.lists.get()
    url = reverse("portal:profession_de_foi", args=[other.uuid, other_list.pk])
    assert client.get(url).status_code == 404
    # a list of another scrutin under one of mine
    url = reverse("portal:profession_de_foi", args=[w.scrutins[0].uuid, other_list.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("portal:scrutin", args=["x" * 300])).status_code == 404


def test_rolls_index_and_roll(client):
    w = portal_world_make()
    voter_client_login(client, w.voter)
    html = page(client, "portal:rolls")
    assert reverse("portal:roll", args=[w.scrutins[0].uuid]) in html
    roll = page(client, "portal:roll", w.scrutins[0].uuid)
    assert "MARTIN" in roll and "DURAND000" in roll and "GRENOBLOIS" not in roll
    assert "3 électeurs inscrits" in roll
    assert w.voter.email not in roll and w.voter.numen not in roll


def test_roll_pagination_and_search(client):
    w = portal_world_make(roll_size=120)
    voter_client_login(client, w.voter)
    url = reverse("portal:roll", args=[w.scrutins[0].uuid])
    first = client.get(url).content.decode()
    assert "120 électeurs inscrits" in first and "Page 1 sur 3" in first
    assert "DURAND000" in first and "DURAND060" not in first
    assert "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 sur 3" in second and "DURAND060" in second
    last = client.get(url, {"page": 3}).content.decode()
    assert "MARTIN" in last
    assert "Page 3 sur 3" in client.get(url, {"page": 999}).content.decode()
    assert "Page 1 sur 3" in client.get(url, {"page": "abc"}).content.decode()
    found = client.get(url, {"q": "mart"}).content.decode()
    assert "1 électeur dont le nom" in found and "MARTIN" in found and "DURAND" not in found
    by_first = client.get(url, {"q": "alex"}).content.decode()
    assert "119 électeurs dont le nom" in by_first and "q=alex&amp;page=2" in by_first
    none = client.get(url, {"q": "zzz"}).content.decode()
    assert "0 électeur" in none
    long = client.get(url, {"q": "x" * 500})
    assert long.status_code == 200  # too long: a form error, never a 500


def test_roll_not_yet_published(client):
    w = portal_world_make(publish=False)
    voter_client_login(client, w.voter)
    html = page(client, "portal:roll", w.scrutins[0].uuid)
    assert "pas encore publiée" in html


def test_complaint_filed(client):
    w = portal_world_make(phase="lists")
    voter_client_login(client, w.voter)
    html = page(client, "portal:complaint")
    assert "Mon profil électeur" in html and "CTA Lyon" in html and "Grenoble" not in html
    response = client.post(
        reverse("portal:complaint"),
        {"scrutin": w.scrutins[0].pk, "subject": "Absent", "text": "Mon collègue manque."},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.voter == w.voter and complaint.scrutin == w.scrutins[0]
    assert "enregistrée" in client.get(reverse("portal:home")).content.decode()
    profile = client.post(
        reverse("portal:complaint"), {"scrutin": "", "subject": "Grade", "text": "Faux grade."}
    )
    assert profile.status_code == 302
    assert Complaint.objects.filter(scrutin=None, voter=w.voter).count() == 1


def test_complaint_refuses_other_scrutins_and_bad_input(client):
    w = portal_world_make()
    voter_client_login(client, w.voter)
    url = reverse("portal:complaint")
    other = client.post(url, {"scrutin": w.other_scrutin.pk, "subject": "a", "text": "b"})
    assert other.status_code == 200 and 'aria-invalid="true"' in other.content.decode()
    assert not Complaint.objects.exists()
    empty = client.post(url, {"scrutin": "", "subject": "", "text": ""})
    assert empty.status_code == 200
    assert "Le formulaire contient des erreurs" in empty.content.decode()
    junk = client.post(url, {"scrutin": "not-a-number", "subject": "a", "text": "b"})
    assert junk.status_code == 200
    assert not Complaint.objects.exists()


def test_complaint_rate_limited(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "complaint": (2, 3600)}
    w = portal_world_make()
    voter_client_login(client, w.voter)
    url = reverse("portal:complaint")
    for _ in range(2):
        assert client.post(url, {"scrutin": "", "subject": "a", "text": "b"}).status_code == 302
    third = client.post(url, {"scrutin": "", "subject": "a", "text": "b"})
    assert third.status_code == 429 and "Trop de réclamations" in third.content.decode()
    assert Complaint.objects.count() == 2


def test_assistance_request_anonymous_and_logged_in(client):
    w = portal_world_make()
    url = reverse("portal:assistance")
    data = {
        "name": "Camille Martin",
        "email": "Camille.Martin@ac-lyon.fr",
        "topic": "account",
        "message": "Je n'ai pas reçu le courriel d'ouverture.",
    }
    assert client.post(url, data).status_code == 302
    stored = AssistanceRequest.objects.get()
    assert stored.voter is None and stored.email == "camille.martin@ac-lyon.fr"
    assert stored.election == w.election and stored.status == "open"
    voter_client_login(client, w.voter)
    form = page(client, "portal:assistance")
    assert w.voter.email in form  # prefilled
    assert client.post(url, {**data, "topic": "vote"}).status_code == 302
    assert AssistanceRequest.objects.filter(voter=w.voter).count() == 1


def test_assistance_bad_input_and_rate_limit(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "assistance": (3, 3600)}
    portal_world_make()
    url = reverse("portal:assistance")
    bad = client.post(url, {"name": "", "email": "pas-une-adresse", "topic": "zzz", "message": ""})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Le formulaire contient des erreurs" in html and 'aria-invalid="true"' in html
    ok = {"name": "A", "email": "a@ac-lyon.fr", "topic": "other", "message": "m"}
    assert client.post(url, ok).status_code == 302
    assert client.post(url, ok).status_code == 302
    limited = client.post(url, ok)
    assert limited.status_code == 429 and "Trop de demandes" in limited.content.decode()
    assert AssistanceRequest.objects.count() == 2


def test_assistance_requests_in_the_admin_for_the_administrator_only(client):
    """The admin is closed to the helpdesk and the manager (ADRs 0560, 0160): they answer and
    close requests on their own pages (test_staff_answers.py); the administrator reads the
    plain records."""
    from factories.elections import staff_login, staff_make

    w = portal_world_make()
    AssistanceRequest.objects.create(
        election=w.election, name="Camille", email="c@ac-lyon.fr", topic="vote", message="Aide"
    )
    url = reverse("admin:portal_assistancerequest_changelist")
    staff_login(client, staff_make("helpdesk"))
    refused = client.get(url)
    assert refused.status_code == 403 and "Camille" not in refused.content.decode()
    staff_login(client, staff_make("manager"))
    assert client.get(url).status_code == 403
    staff_login(client, staff_make("administrator"))
    listing = client.get(url)
    assert listing.status_code == 200 and "Camille" in listing.content.decode()


@pytest.mark.parametrize("style", STYLES)
def test_vote_entry_during_the_vote(client, style, settings):
    w = portal_world_make(style=style, phase="vote")
    voter_client_login(client, w.voter)
    html = page(client, "portal:vote")
    assert "Fermeture du vote dans" in html
    assert "(heure de Paris)" in html and "Ouvert du" in html
    assert 'data-unit="days">05<' in html or 'data-unit="days">04<' in html
    assert "Je vote" in html


def test_vote_entry_links_to_the_booth_or_setting(client, settings):
    from django.urls import NoReverseMatch

    w = portal_world_make(phase="vote")
    voter_client_login(client, w.voter)
    try:
        target = reverse("booth:entry")
    except NoReverseMatch:
        settings.URNE_BOOTH_URL = target = "/vote/entree/"
    html = page(client, "portal:vote")
    assert f'href="{target}"' in html


def test_paris_time_is_shown(client):
    from datetime import UTC, datetime

    w = portal_world_make(phase="vote")
    w.election.vote_closes = datetime(2030, 12, 8, 16, 0, tzinfo=UTC)  # 17h00 in Paris
    w.election.save()
    voter_client_login(client, w.voter)
    html = page(client, "portal:vote")
    assert "dimanche 8 décembre 2030 à 17h00" in html


def test_english(client):
    w = portal_world_make(phase="vote")
    voter_client_login(client, w.voter)
    response = client.get("/en/je-vote/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Voting closes in" in html and "Paris time" in html


def test_language_switch(client):
    portal_world_make()
    html = page(client, "portal:home")
    assert 'name="language" value="en"' in html and 'name="language" value="fr"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/en/"


def test_my_complaints_and_their_answers(client):
    from factories.elections import staff_make, voter_make
    from urne.elections.services import complaint_decide, complaint_file

    w = portal_world_make()
    mine = complaint_file(
        election=w.election, voter=w.voter, scrutin=None, subject="Mon grade", text="Faux."
    )
    complaint_decide(
        actor=staff_make("manager"), complaint=mine, status="accepted", response="Corrigé."
    )
    other = voter_make(w.election, last_name="AUTRE")
    complaint_file(
        election=w.election, voter=other, scrutin=None, subject="Secret d'autrui", text="x"
    )
    voter_client_login(client, w.voter)
    for name in ("portal:profile", "portal:complaint"):
        html = page(client, name)
        assert "Mes réclamations" in html and "Mon grade" in html and "Corrigé." in html
        assert "autrui" not in html
