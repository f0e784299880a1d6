"""The back office in English is entirely English (issue 18, item 5): every staff page,
rendered under /en/ for a user who may see it, shows no French word of the interface and no
raw code (a calendar phase, a message template, an audit action): codes are shown by their
names (`urne.backoffice.labels`). The world's own data (names, complaint texts, the bodies'
names) are the manager's words and are left out of the check."""

import html as html_lib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from factories.accounts import account_make, mail_clear
from factories.elections import staff_login
from factories.workflows import workflow_world_make
from urne.backoffice.labels import AUDIT_ACTIONS, MESSAGES, PHASES
from urne.elections.models import Body, Candidate, Union, VoterCategory
from urne.messaging.models import Campaign, OutboxMessage
from urne.messaging.registry import template_names
from urne.portal.models import AssistanceRequest

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

# Words of the French interface (not of the data): none may be left on an English page.
FRENCH = [
    "Électeur",
    "électeur",
    "électeurs",
    "Électeurs",
    "Rechercher",
    "Enregistrer",
    "Publier",
    "Aucun",
    "Aucune",
    "Retour",
    "Télécharger",
    "Importer",
    "Journal",
    "Déconnecter",
    "Décision",
    "Réponse",
    "Envoi",
    "Envois",
    "Créé",
    "Envoyé",
    "Essais",
    "Valider",
    "Vérifier",
    "Ajouter",
    "Prévisualiser",
    "Correction",
    "Corrections",
    "Sièges",
    "sièges",
    "Contrôles",
    "conforme",
    "Candidats",
    "candidats",
    "candidat",
    "Réclamation",
    "Réclamations",
    "réclamation",
    "réclamations",
    "Scrutin",
    "scrutin",
    "scrutins",
    "Instances",
    "Niveau",
    "Catégorie",
    "Fichier",
    "Lignes",
    "Erreurs",
    "Motif",
    "Nature",
    "publiées",
    "Langue",
    "Navigation",
    "Préparation",
    "Accusé",
    "Ouverture",
    "Courriel",
    "Dépouillement",
    "Empreinte",
    "Auteur",
    "Objet",
    "Règles",
    "règles",
    "État",
    "Échecs",
    "Lancer",
    "modèle",
    "Modèle",
    "le",
    "la",
    "les",
    "des",
    "du",
    "et",
    "aux",
    "pour",
    "sur",
    "dans",
    "une",
    "un",
    "est",
    "sont",
    "Profession de foi",
    "Liste électorale",
    "Listes électorales",
    "Mot de passe",
]
AUDIT_CODE = re.compile(
    r"\b(?:" + "|".join(sorted({a.split(".")[0] for a in AUDIT_ACTIONS})) + r")\.[a-z_]+\b"
)
RAW = [*MESSAGES, "phase :", ">closed<", ">setup<", ">rolls<", ">lists<", ">vote<"]


def _visible(page: str) -> str:
    """The page's text and its labels for assistive technology, tags and scripts left out."""
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page))
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(f"{text} {labels}")


@pytest.fixture
def world():
    mail_clear()
    w = workflow_world_make()
    root = get_user_model().objects.create_superuser("root", password="x")  # noqa: S106 - test account
    w.client = Client()
    staff_login(w.client, root)
    account_make(w.voter)
    w.campaign = Campaign.objects.create(election=w.election, template="accounts.opening")
    for template in ("accounts.opening", "accounts.reset", "cast_receipt"):
        OutboxMessage.objects.create(template=template, voter=w.voter)
    # Some audit events of every kind the world's making wrote, and the publication.
    from urne.elections.services import rolls_publish

    rolls_publish(actor=root, election=w.election)
    w.assistance = AssistanceRequest.objects.create(
        election=w.election, name="Camille", email="c@ac-lyon.fr", topic="vote", message="m"
    )
    yield w
    mail_clear()


def _pages(w):
    e, s, v = w.election.pk, w.scrutin.pk, w.voter.pk
    return [
        reverse("backoffice:home"),
        reverse("backoffice:election", args=[e]),
        reverse("backoffice:election_edit", args=[e]),
        reverse("backoffice:import", args=[e]),
        reverse("backoffice:import_progress", args=[w.job.pk]),
        reverse("backoffice:rules", args=[e]),
        reverse("backoffice:rolls", args=[e]),
        reverse("backoffice:roll", args=[s]),
        reverse("backoffice:list_checks", args=[e]),
        reverse("backoffice:candidate_list", args=[w.candidate_list.pk]),
        reverse("backoffice:unions", args=[e]),
        reverse("backoffice:list_add", args=[e]),
        reverse("backoffice:list_edit", args=[w.candidate_list.pk]),
        reverse("backoffice:complaints", args=[e]),
        reverse("backoffice:complaint", args=[w.complaint.pk]),
        reverse("backoffice:voter_find", args=[e]) + "?q=" + w.voter.last_name,
        reverse("backoffice:voter", args=[v]),
        reverse("backoffice:audit"),
        reverse("backoffice:audit") + "?check=1",
        reverse("authority:codes", args=[e]),
        reverse("authority:replace", args=[v]),
        reverse("messaging:campaigns", args=[e]),
        reverse("messaging:campaign", args=[w.campaign.pk]),
        reverse("count:page", args=[e]),
        reverse("helpdesk:assistance_requests", args=[e]),
        reverse("helpdesk:assistance_requests", args=[e]) + "?etat=closed",
        reverse("helpdesk:assistance_request", args=[w.assistance.pk]),
    ]


def _data(w) -> list[str]:
    """The world's own words: left out of the check."""
    voter = w.voter
    words = [voter.last_name, voter.first_name, voter.email, voter.academie, voter.corps]
    words += [w.complaint.subject, w.complaint.text, w.candidate_list.label, w.election.name]
    words += [w.scrutin.body.name, str(w.scrutin), w.scrutin.perimeter]
    words += [b.name for b in Body.objects.filter(election=w.election)]
    words += [c.name for c in VoterCategory.objects.filter(election=w.election)]
    words += [u.name for u in Union.objects.filter(election=w.election)]
    words += [c.first_name for c in Candidate.objects.filter(candidate_list=w.candidate_list)]
    return sorted({x for x in words if x}, key=len, reverse=True)


def test_every_back_office_page_is_english(world):
    data = _data(world)
    found = {}
    for path in _pages(world):
        url = "/en" + path
        response = world.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert '<html lang="en">' in response.content.decode()
        text = _visible(response.content.decode())
        for word in data:
            text = text.replace(word, " ")
        bad = [w for w in FRENCH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        bad += [r for r in RAW if r in text]
        bad += AUDIT_CODE.findall(text)
        if bad:
            found[url] = [
                (b, text[max(0, text.find(b.strip()) - 60) : text.find(b.strip()) + 60])
                for b in bad
            ]
    assert not found, found


def test_every_code_has_a_name_in_both_languages():
    from urne.elections.calendar import Phase

    assert set(PHASES) == set(Phase)
    assert set(template_names()) | {"cast_receipt"} <= set(MESSAGES)
    for mapping in (PHASES, MESSAGES, AUDIT_ACTIONS):
        for code, name in mapping.items():
            with translation.override("en"):
                english = str(name)
            with translation.override("fr"):
                french = str(name)
            assert english != french, (code, english)
