"""Synthetic demo data: a realistic electorate (French names, académies, corps and grades),
the scrutins of seed 002 §4, fictional unions with candidate lists and generated professions
de foi. Seeded, so the same seed gives the same election. Nothing here is real data."""

import csv
import io
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .candidate_lists import (
    CandidateInput,
    candidate_list_register,
    electorate_women_share,
    profession_de_foi_attach,
)
from .geography import ACADEMIES
from .models import Election, Scrutin, Union
from .services import election_calendar_set, election_create, rolls_publish, scrutins_create_all
from .voter_import import voters_import_file

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sanchez",
    "Dupuis",
    "Moulin",
    "Louis",
    "Deschamps",
    "Huet",
    "Vasseur",
    "Perez",
    "Boucher",
    "Fleury",
    "Royer",
    "Klein",
    "Jacquet",
    "Adam",
    "Paris",
    "Poirier",
    "Marty",
    "Aubry",
    "Guyot",
    "Carré",
    "Charles",
    "Renault",
    "Charpentier",
    "Ménard",
    "Maillard",
    "Baron",
    "Bertin",
    "Bailly",
    "Hervé",
    "Schneider",
    "Fernandez",
    "Le",
    "Gall",
    "Collet",
    "Léger",
    "Bouvier",
    "Julien",
    "Prévost",
    "Millet",
    "Perrot",
    "Daniel",
    "Le",
    "Roux",
    "Cousin",
    "Germain",
    "Breton",
    "Besson",
    "Langlois",
    "Rémy",
    "Le",
    "Goff",
    "Pelletier",
    "Lévêque",
    "Perrier",
    "Leblanc",
    "Barré",
    "Lebrun",
    "Marchal",
    "Weber",
    "Mallet",
    "Hamon",
    "Boulanger",
    "Jacob",
    "Monnier",
    "Michaud",
    "Rodriguez",
    "Guichard",
    "Gillet",
    "Étienne",
    "Grondin",
    "Poulain",
    "Tessier",
    "Chevallier",
    "Collin",
    "Chauvin",
    "Da",
    "Silva",
    "Bouchet",
    "Gay",
    "Lemaître",
    "Bénard",
    "Maréchal",
    "Humbert",
    "Reynaud",
    "Antoine",
    "Hoarau",
    "Perret",
    "Barthélemy",
    "Cordier",
]
WOMEN = [
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Christine",
    "Sandrine",
    "Valérie",
    "Véronique",
    "Stéphanie",
    "Céline",
    "Sophie",
    "Laurence",
    "Aurélie",
    "Julie",
    "Émilie",
    "Caroline",
    "Anne",
    "Hélène",
    "Camille",
    "Élodie",
    "Audrey",
    "Claire",
    "Virginie",
    "Mélanie",
    "Laëtitia",
    "Chloé",
    "Léa",
    "Manon",
    "Inès",
    "Sarah",
    "Pauline",
    "Amandine",
    "Delphine",
    "Karine",
    "Agnès",
    "Corinne",
    "Florence",
    "Béatrice",
    "Mathilde",
]
MEN = [
    "Jean",
    "Philippe",
    "Michel",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Pierre",
    "Christian",
    "Éric",
    "Frédéric",
    "Laurent",
    "Stéphane",
    "David",
    "Pascal",
    "Daniel",
    "Sébastien",
    "Julien",
    "Thierry",
    "Olivier",
    "Bernard",
    "Thomas",
    "Alexandre",
    "Guillaume",
    "Vincent",
    "François",
    "Mathieu",
    "Romain",
    "Antoine",
    "Maxime",
    "Hugo",
    "Lucas",
    "Théo",
    "Benoît",
    "Jérôme",
    "Yannick",
    "Cédric",
    "Arnaud",
    "Fabrice",
    "Hervé",
]

# Category -> (weight in the electorate, share of women, corps, grades).
CATEGORIES: dict[str, tuple[int, float, str, list[str]]] = {
    "PE et instituteur": (
        620,
        0.84,
        "Professeurs des écoles",
        ["Classe normale", "Hors classe", "Classe exceptionnelle"],
    ),
    "AESH-AED": (170, 0.90, "Agents non titulaires", ["AESH", "AED"]),
    "Enseignant contractuel": (60, 0.65, "Agents non titulaires", ["Contractuel"]),
    "PES": (60, 0.80, "Professeurs des écoles", ["Stagiaire"]),
    "Directeur adjoint de SEGPA": (15, 0.45, "Professeurs des écoles", ["Hors classe"]),
    "Directeur écoles d'application et spécialisé": (
        15,
        0.60,
        "Professeurs des écoles",
        ["Hors classe"],
    ),
    "PsyEN détaché": (20, 0.85, "Psychologues de l'éducation nationale", ["Classe normale"]),
    "PsyEN intégré": (
        40,
        0.88,
        "Psychologues de l'éducation nationale",
        ["Classe normale", "Hors classe"],
    ),
}
# Rough relative sizes of the académies' staff.
ACADEMIE_WEIGHTS = {
    a: len(d) + (6 if a in ("Créteil", "Versailles", "Lille") else 2) for a, d in ACADEMIES.items()
}
SCHOOLS = [
    "École élémentaire {}",
    "École maternelle {}",
    "École primaire {}",
    "Collège {}",
    "Lycée {}",
    "SEGPA du collège {}",
]
PATRONS = [
    "Jean Jaurès",
    "Jules Ferry",
    "Victor Hugo",
    "Louise Michel",
    "Pierre Curie",
    "Marie Curie",
    "Jean Moulin",
    "Simone Veil",
    "Paul Langevin",
    "Jacques Prévert",
    "Albert Camus",
    "George Sand",
    "Condorcet",
    "Jean de La Fontaine",
    "Olympe de Gouges",
]
UNIONS = [
    ("Syndicat autonome des personnels de l'éducation", "SAPE"),
    ("Fédération unitaire de l'enseignement", "FUE"),
    ("Union nationale des écoles", "UNE"),
    ("Confédération des travailleurs de l'éducation", "CTE"),
    ("Solidarité éducation", "SOLED"),
]
HEADER = [
    "NUMEN",
    "Civilité",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Courriel professionnel",
    "Catégorie",
    "Corps",
    "Grade",
    "Académie",
    "Département",
    "Établissement",
    "Téléphone mobile",
]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _mail_domain(academie: str) -> str:
    slug = (
        academie.lower()
        .replace("é", "e")
        .replace("è", "e")
        .replace("ç", "c")
        .replace(" ", "-")
        .replace("la-", "")
    )
    return f"ac-{slug}.fr"


def _ascii(text: str) -> str:
    import unicodedata

    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "")
        .replace("'", "")
    )


def voters_csv_write(*, path: Path, count: int, seed: int = 2018) -> None:
    """Write `count` synthetic voters as the import expects them (CSV, `;`, UTF-8)."""
    rng = random.Random(seed)
    cats = list(CATEGORIES)
    cat_weights = [CATEGORIES[c][0] for c in cats]
    academies = list(ACADEMIE_WEIGHTS)
    aca_weights = list(ACADEMIE_WEIGHTS.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        for i in range(count):
            cat = rng.choices(cats, cat_weights)[0]
            _weight, women, corps, grades = CATEGORIES[cat]
            woman = rng.random() < women
            first = rng.choice(WOMEN if woman else MEN)
            last = rng.choice(LAST_NAMES)
            academie = rng.choices(academies, aca_weights)[0]
            dep = rng.choice(list(ACADEMIES[academie]))
            numen = (
                f"{i % 97:02d}{LETTERS[(i // 97) % len(LETTERS)]}{i:07d}"
                f"{''.join(rng.choice(LETTERS) for _ in range(3))}"
            )
            birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
            mobile = f"0{rng.choice('67')}{rng.randrange(10**8):08d}" if rng.random() < 0.7 else ""
            w.writerow(
                [
                    numen,
                    "Mme" if woman else "M.",
                    last.upper(),
                    first,
                    f"{birth:%d/%m/%Y}",
                    # The row's number makes the e-mail (the login) one voter's.
                    f"{_ascii(first)}.{_ascii(last)}{i}@{_mail_domain(academie)}",
                    cat,
                    corps,
                    rng.choice(grades),
                    academie,
                    dep,
                    rng.choice(SCHOOLS).format(rng.choice(PATRONS))
                    + f" ({ACADEMIES[academie][dep]})",
                    mobile,
                ]
            )


def profession_de_foi_pdf(*, title: str, unions: list[str], candidates: list[str]) -> bytes:
    """A profession de foi (reportlab): paragraphs wrapped to the page's width and flowing
    onto further pages, so that a long joint list's name or a long candidate list stays on
    the paper."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus.flowables import Flowable

    def para(text: str, style: str) -> Paragraph:
        return Paragraph(escape(text), styles[style])

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        invariant=True,
        title=f"Profession de foi — {title}",
        lang="fr",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        para("Profession de foi", "Title"),
        para(title, "Heading2"),
        para("Liste présentée par : " + ", ".join(unions), "Normal"),
        Spacer(1, 6 * mm),
        para("Document fictif généré pour la démonstration d'Urne.", "Italic"),
        para(
            "Nos engagements : défendre les personnels, la transparence des opérations de "
            "gestion et l'égalité entre les femmes et les hommes.",
            "Normal",
        ),
        para("Nos candidats", "Heading3"),
        ListFlowable(
            [para(name, "Normal") for name in candidates], bulletType="1", bulletFontSize=10
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def _lists_for_scrutin(*, scrutin: Scrutin, unions: list[Union], rng: random.Random) -> int:
    share = electorate_women_share(scrutin)
    if share is None:
        return 0  # nobody votes here in this electorate: no list
    n = scrutin.total_seats
    women = round(share * n)
    created = 0
    picks = rng.sample(unions, rng.randint(2, min(4, len(unions))))
    joint = len(picks) >= 3 and rng.random() < 0.4
    groups = [[picks[0], picks[1]], *[[u] for u in picks[2:]]] if joint else [[u] for u in picks]
    for group in groups:
        genders = ["F"] * women + ["M"] * (n - women)
        rng.shuffle(genders)
        candidates = [
            CandidateInput(
                rng.choice(LAST_NAMES).upper(), rng.choice(WOMEN if g == "F" else MEN), g
            )
            for g in genders
        ]
        label = " – ".join(u.acronym for u in group)
        shares: list[tuple[Union, Decimal | None]] = (
            [(group[0], Decimal(60)), (group[1], Decimal(40))]
            if len(group) == 2
            else [(group[0], None)]
        )
        lst = candidate_list_register(
            actor="demo", scrutin=scrutin, label=label, unions=shares, candidates=candidates
        )
        pdf = profession_de_foi_pdf(
            title=f"{label} — {scrutin}",
            unions=[u.name for u in group],
            candidates=[f"{c.first_name} {c.last_name}" for c in candidates],
        )
        profession_de_foi_attach(
            actor="demo",
            candidate_list=lst,
            upload=SimpleUploadedFile("profession_de_foi.pdf", pdf, content_type="application/pdf"),
        )
        created += 1
    return created


@dataclass
class DemoResult:
    election: Election
    voters: int
    scrutins: int
    lists: int


def demo_election_create(
    *,
    voters: int = 20_000,
    seed: int = 2018,
    name: str = "Élections professionnelles (démonstration)",
    phase: str = "vote",
) -> DemoResult:
    """The whole demo election. ``phase`` places today in its calendar: "vote" (the vote is
    open, so a newcomer can vote at once) or "rolls" (rolls open, lists, complaints and vote
    to come)."""
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    shift = {"rolls": timedelta(0), "vote": timedelta(days=-17, hours=-1)}[phase]
    calendar = {
        "rolls_from": now - timedelta(days=7) + shift,
        "lists_from": now + timedelta(days=3) + shift,
        "complaints_until": now + timedelta(days=10) + shift,
        "vote_opens": now + timedelta(days=17) + shift,
        "vote_closes": now + timedelta(days=24) + shift,
    }
    # The calendar is set once the lists are filed: they are frozen from the vote's opening.
    election = election_create(actor="demo", name=name, style="2018")
    scrutins = scrutins_create_all(actor="demo", election=election)
    path = Path(settings.MEDIA_ROOT) / "demo" / f"voters-{seed}-{voters}.csv"
    voters_csv_write(path=path, count=voters, seed=seed)
    stats = voters_import_file(election=election, path=path)
    unions = [Union.objects.create(election=election, name=n, acronym=a) for n, a in UNIONS]
    lists = sum(
        _lists_for_scrutin(scrutin=s, unions=unions, rng=rng)
        for s in Scrutin.objects.filter(election=election).select_related("body")
    )
    election_calendar_set(actor="demo", election=election, **calendar)
    rolls_publish(actor="demo", election=election)
    return DemoResult(election, stats.created + stats.updated, scrutins, lists)


def demo_staff_reset(roles: list[str] | None = None) -> dict[str, str]:
    """One staff account per role, with a fresh random password (printed by `make demo`)."""
    roles = roles or ["manager", "helpdesk", "auditor", "bureau", "delegate", "administrator"]
    user_model: Any = get_user_model()
    passwords = {}
    for role in roles:
        user, _ = user_model.objects.get_or_create(username=role, defaults={"is_staff": True})
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        passwords[role] = password
    return passwords
