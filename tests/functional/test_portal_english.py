"""The voter's pages in English are entirely English (issue 18, item 5): each page of the
portal, the booth's entry, the board and the legal pages, under /en/ in both styles, shows
no French word of the interface. The world's own data (names, bodies, lists) are left out."""

import html as html_lib
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.portal import portal_world_make
from urne.elections.models import Body, Candidate, Union, VoterCategory

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

FRENCH = [
    *[
        "Électeur",
        "électeur",
        "électeurs",
        "Rechercher",
        "Enregistrer",
        "Aucun",
        "Aucune",
        "Retour",
        "Télécharger",
        "Déconnexion",
        "Connexion",
        "Réponse",
        "Envoyer",
        "Valider",
        "Vérifier",
        "Réclamation",
        "réclamation",
        "Scrutin",
        "scrutin",
        "scrutins",
        "Accueil",
        "Aide",
        "Profil",
        "profil",
        "Mes",
        "Mon",
        "Ma",
        "mes",
        "mon",
        "ma",
        "Votre",
        "votre",
        "vos",
        "Fermeture",
        "Ouverture",
        "ouverture",
        "heure",
        "Paris.",
        "Jour",
        "Heure",
        "Minute",
        "Liste",
        "liste",
        "listes",
        "Candidats",
        "candidats",
        "Sujet",
        "Résumé",
        "Objet",
        "Tableau",
        "bulletin",
        "bulletins",
        "Accusé",
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
        "à",
    ],
    "Profession de foi",
    "profession de foi",
    "Mot de passe",
]


def _visible(page: str) -> str:
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page))
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<[^>]*\blang="fr"[^>]*>[^<]*<', "<", page)  # "Français" in the switch
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def _data(w) -> list[str]:
    v, e = w.voter, w.election
    words = [v.last_name, v.last_name.upper(), v.first_name, v.email, v.academie, e.name]
    words += [v.corps, v.grade, v.establishment, v.get_civility_display()]
    words += [b.name for b in Body.objects.filter(election=e)]
    words += [c.name for c in VoterCategory.objects.filter(election=e)]
    words += [u.name for u in Union.objects.filter(election=e)]
    words += [lst.label for lst in w.lists]
    words += [f"{c.last_name} {c.first_name}" for c in Candidate.objects.all()]
    words += [c.first_name for c in Candidate.objects.all()]
    words += [str(s) for s in w.scrutins] + [s.perimeter for s in w.scrutins]
    # Proper names an English page keeps in French.
    words += ["Défenseur des droits", "code général de la fonction publique", "Libre réponse"]
    return sorted({x for x in words if x}, key=len, reverse=True)


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_every_voter_page_is_english(style):
    cache.clear()
    w = portal_world_make(style=style, phase="lists", roll_size=3)
    client = Client()
    voter_client_login(client, w.voter)
    s = w.scrutins[0]
    paths = [
        reverse("portal:home"),
        reverse("portal:edito"),
        reverse("portal:faq"),
        *(
            reverse("portal:tutorial", args=[t])
            for t in ("parcours-electeur", "parcours-de-vote", "reassorts")
        ),
        reverse("portal:assistance"),
        reverse("portal:profile"),
        reverse("portal:scrutins"),
        reverse("portal:scrutin", args=[s.uuid]),
        reverse("portal:rolls"),
        reverse("portal:roll", args=[s.uuid]),
        reverse("portal:roll", args=[s.uuid]) + "?q=mar",
        reverse("portal:complaint"),
        reverse("portal:vote"),
        reverse("booth:entry"),
        reverse("urn:board_index"),
        reverse("portal:accessibility"),
        reverse("portal:privacy"),
    ]
    data = _data(w)
    found = {}
    for path in paths:
        response = client.get("/en" + path)
        assert response.status_code == 200, (path, response.status_code)
        text = _visible(response.content.decode())
        for word in data:
            text = text.replace(word, " ")
        hits = [re.search(rf"(?<!\w){re.escape(x)}(?!\w)", text) for x in FRENCH]
        if any(hits):
            found[path] = [
                " ".join(text[max(0, m.start() - 50) : m.end() + 50].split()) for m in hits if m
            ]
    cache.clear()
    assert not found, found
