"""The legal pages a French public service carries (issue 18, item 8): the accessibility
statement (RGAA model, its conformity level honest: "non conforme" without a full audit) and
the personal-data notice, in French and English, linked from the footer of every page — the
portal's, the back office's, the admin's and the error pages'."""

import pytest
from django.test import Client

from factories.elections import election_make, staff_login, staff_make

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

LEGAL_LINKS_FR = ('href="/accessibilite/"', 'href="/donnees-personnelles/"')
LEGAL_LINKS_EN = ('href="/en/accessibilite/"', 'href="/en/donnees-personnelles/"')


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_accessibility_statement_in_french_follows_the_rgaa_model(client):
    text = _text(client.get("/accessibilite/"))
    assert "<h1>Déclaration d'accessibilité</h1>" in text or "<h1>Déclaration d&#x27;" in text
    for heading in (
        "État de conformité",
        "Contenus non accessibles",
        "Établissement de cette déclaration d",
        "Technologies utilisées",
        "Environnement de test",
        "Retour d",
        "Voies de recours",
    ):
        assert f"<h2>{heading}" in text or f"<h3>{heading}" in text, heading
    assert "non conforme avec le RGAA 4.1" in text
    assert "axe-core" in text and "Playwright" in text and "clavier seul" in text
    assert "Cette déclaration a été établie le 3 décembre 2026." in text
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text
    assert 'href="/assistance/"' in text  # the feedback channel
    # The pages the browser tests check are listed.
    for page in ("Isoloir", "Tableau public des bulletins", "Listes électorales"):
        assert page in text


def test_accessibility_statement_in_english(client):
    text = _text(client.get("/en/accessibilite/"))
    assert '<html lang="en">' in text
    assert "<h1>Accessibility statement</h1>" in text
    assert "not compliant with RGAA 4.1" in text
    assert "This statement was made on 3 December 2026." in text
    assert "Remedies" in text and "Défenseur des droits" in text  # the institution's name
    for french in ("Déclaration", "conformité", "Voies de recours", "établie", "Isoloir"):
        assert french not in text, french


def test_privacy_notice_in_french_names_each_required_item(client):
    text = _text(client.get("/donnees-personnelles/"))
    for heading in (
        "Responsable du traitement",
        "Finalités",
        "Base légale",
        "Données traitées",
        "Destinataires",
        "Durées de conservation",
        "Vos droits",
        "Délégué à la protection des données",
        "Réclamation auprès de la CNIL",
    ):
        assert f"<h2>{heading}</h2>" in text, heading
    assert "code général de la fonction publique" in text and "obligation légale" in text
    for datum in (
        "NUMEN",
        "date de naissance",
        "adresse électronique professionnelle",
        "affectation",
        "Émargement",
    ):
        assert datum in text, datum
    assert "contenu de votre vote n&#x27;est jamais traité" in text or (
        "contenu de votre vote n'est jamais traité" in text
    )
    assert "deux ans" in text and "procès-verbaux et des candidatures" in text
    assert "www.cnil.fr/fr/plaintes" in text
    # Neutral defaults when the settings are empty.
    assert "L'employeur public qui organise les élections professionnelles" in text


def test_privacy_notice_names_the_configured_controller_and_dpo(client, settings):
    settings.URNE_DATA_CONTROLLER = "Ministère de l'Exemple, 1 rue de la Paix, Paris"
    settings.URNE_DPO_CONTACT = "dpo@exemple.gouv.fr"
    text = _text(client.get("/donnees-personnelles/"))
    assert "Ministère de l&#x27;Exemple, 1 rue de la Paix, Paris" in text
    assert "dpo@exemple.gouv.fr" in text
    assert "L'employeur public qui organise les élections professionnelles" not in text


def test_privacy_notice_in_english(client):
    text = _text(client.get("/en/donnees-personnelles/"))
    assert "<h1>Personal data</h1>" in text
    for heading in ("Data controller", "Purposes", "Legal basis", "Retention", "Your rights"):
        assert heading in text, heading
    for french in ("Finalités", "Destinataires", "conservation", "obligation légale", "scrutin"):
        assert french not in text, french


def _assert_legal_links(text: str, links: tuple[str, str]) -> None:
    for link in links:
        assert link in text, link


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_kind_of_page_links_to_both(client, lang):
    election_make()
    prefix = "/en" if lang == "en" else ""
    links = LEGAL_LINKS_EN if lang == "en" else LEGAL_LINKS_FR
    words = (
        ("Accessibility: not compliant", "Personal data")
        if lang == "en"
        else ("Accessibilité : non conforme", "Données personnelles")
    )
    pages = [
        f"{prefix}/",  # the portal (theme/base.html through portal/base.html)
        f"{prefix}/compte/connexion/",  # the accounts pages
        f"{prefix}/bulletins/",  # the public board
        f"{prefix}/backoffice/login/",  # the back office's login
    ]
    for url in pages:
        response = client.get(url, follow=True)
        text = _text(response)
        _assert_legal_links(text, links)
        for word in words:
            assert word in text, (url, word)
    # An error page, and the back office and the admin once logged in.
    response = client.get(f"{prefix}/page-qui-n-existe-pas/")
    assert response.status_code == 404
    _assert_legal_links(response.content.decode(), links)
    administrator = Client()
    staff_login(administrator, staff_make("administrator"))
    for url in (f"{prefix}/backoffice/", f"{prefix}/admin/"):
        _assert_legal_links(_text(administrator.get(url)), links)
