"""The réassort's social security number option (ADR 0652): per election, off by default
(the NUMEN is asked); where enabled, the voter import keeps only the keyed hash of the NIR's
first 10 characters (``elections.nir``), and the challenge asks those 10 digits instead of
the NUMEN: the right ones accepted, wrong ones refused with their message. A file with a NIR
column is refused where the option is off or the key is missing. The number, whole or its
first digits, is in no table of the three stores, no log, and no page sent back."""

import html
import logging
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from factories.accounts import mail_clear, mail_outbox, voter_client_login
from factories.authority import booth_election_make
from factories.elections import staff_login, staff_make
from factories.spreadsheets import voter_row_make, voters_csv_make
from factories.stores import stores_text
from urne.accounts.services import answer_normalise
from urne.audit.models import AuditEvent
from urne.elections.demo import HEADER
from urne.elections.models import ImportJob, ImportRowError, Voter
from urne.elections.nir import nir_digest, nir_first_ten
from urne.elections.voter_import import ImportFileError, voter_import_run, voters_import_file

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

KEY = "k" * 40
NIR = "2 80 04 2A 004 123 45"  # as a Vitale card prints it (Corsica: 2A)
FIRST_TEN = "280042A004"
OTHER_NIR = "1 75 11 69 123 456 78"
ANSWER = "Olympique Lyonnais"
PERSONAL = "amandine.perso@exemple-perso.fr"
#: Every way the number could be written down.
FORMS = {
    NIR,
    NIR.replace(" ", ""),
    FIRST_TEN,
    FIRST_TEN.lower(),
    "2 80 04 2A 004",
    "2800420004",  # a Corsican number typed as digits
    OTHER_NIR,
    OTHER_NIR.replace(" ", ""),
    OTHER_NIR.replace(" ", "")[:10],
}


@pytest.fixture(autouse=True)
def _fresh():
    from django.core.cache import cache

    cache.clear()
    mail_clear()


@pytest.fixture
def world(settings, tmp_path):
    """A 2022 election whose vote is open, the option on and the key set; its first voter
    re-imported from a file with a NIR column, logged in, with a challenge answer."""
    settings.URNE_NIR_KEY = KEY
    election, _scrutins, voters, _cset = booth_election_make(voters=2)
    election.reassort_nir = True
    election.save()
    me = voters[0]
    _import(election, tmp_path, [_row(me, NIR), _row(voters[1], "")])
    me.refresh_from_db()
    client = Client()
    account = voter_client_login(client, me)
    account.challenge_question = "book"
    account.challenge_answer = make_password(answer_normalise(ANSWER))
    account.save()
    return election, me, client


def _row(voter, nir):
    cells = voter_row_make(
        **{
            "NUMEN": voter.numen,
            "Nom": voter.last_name,
            "Prénom": voter.first_name,
            "Date de naissance": voter.birth_date.strftime("%d/%m/%Y"),
        }
    )
    cells[HEADER.index("Courriel professionnel")] = voter.email
    return [*cells, nir]


def _import(election, tmp_path, rows, header=(*HEADER, "Numéro de sécurité sociale")):
    path = voters_csv_make(tmp_path / "electeurs.csv", rows, header=list(header))
    return voters_import_file(election=election, path=path)


def _send(client, **fields):
    data = {"answer": ANSWER, "via": "email", "email": PERSONAL, **fields}
    return client.post(reverse("booth:reassort_challenge"), data)


def _text(response):
    return html.unescape(response.content.decode())


def test_the_import_keeps_only_the_keyed_hash_of_the_first_ten(world):
    election, me, _client = world
    assert me.nir_digest == nir_digest(election_id=election.pk, first_ten=FIRST_TEN)
    assert re.fullmatch(r"[0-9a-f]{64}", me.nir_digest)
    # The voter re-imported without a number has none.
    assert Voter.objects.exclude(pk=me.pk).get(election=election).nir_digest == ""
    # Keyed and per election: another key, or another election, gives another hash.
    assert nir_digest(election_id=election.pk + 1, first_ten=FIRST_TEN) != me.nir_digest


def test_the_first_ten_as_typed_or_imported():
    assert nir_first_ten(NIR) == FIRST_TEN
    assert nir_first_ten("2800420004") == "2800420004"
    assert nir_first_ten("1751169123") == "1751169123"
    for bad in ("", "28004", "9800469123", "2801369123", "2800469123456789", "28004691234X5"):
        assert nir_first_ten(bad) is None, bad


def test_a_bad_number_is_refused_without_being_repeated(world, tmp_path):
    election, me, _client = world
    path = voters_csv_make(
        tmp_path / "mauvais.csv",
        [_row(me, "2 80 13 69 123 456")],
        header=[*HEADER, "NIR"],
    )
    job = ImportJob.objects.create(election=election, filename="mauvais.csv", path=str(path))
    job = voter_import_run(job_id=job.pk)
    (error,) = ImportRowError.objects.filter(job=job)
    assert "Numéro de sécurité sociale invalide" in error.message
    assert "2 80 13" not in error.message and "28013" not in error.message


def test_a_nir_column_is_refused_where_the_option_is_off_or_the_key_missing(settings, tmp_path):
    election, _s, voters, _c = booth_election_make(voters=1)
    assert election.reassort_nir is False  # off by default
    settings.URNE_NIR_KEY = KEY
    with pytest.raises(ImportFileError, match="ne l'utilise pas"):
        _import(election, tmp_path, [_row(voters[0], NIR)])
    election.reassort_nir = True
    election.save()
    settings.URNE_NIR_KEY = ""
    with pytest.raises(ImportFileError, match="URNE_NIR_KEY"):
        _import(election, tmp_path, [_row(voters[0], NIR)])
    voters[0].refresh_from_db()
    assert voters[0].nir_digest == ""


def test_off_by_default_the_numen_is_asked():
    _e, _s, voters, _c = booth_election_make(voters=1)
    client = Client()
    account = voter_client_login(client, voters[0])
    account.challenge_question = "book"
    account.challenge_answer = make_password(answer_normalise(ANSWER))
    account.save()
    page = _text(client.get(reverse("booth:reassort_challenge")))
    assert "Saisissez votre NUMEN" in page and "sécurité sociale" not in page
    r = _send(client, nir=FIRST_TEN, numen=voters[0].numen)
    assert r.status_code == 200 and len(mail_outbox()) == 1


def test_where_enabled_the_first_ten_digits_are_asked_instead_of_the_numen(world):
    _e, me, client = world
    page = _text(client.get(reverse("booth:reassort_challenge")))
    assert "Saisissez les 10 premiers chiffres de votre numéro de sécurité sociale" in page
    assert 'name="numen"' not in page
    # The NUMEN is not accepted in their place.
    r = _send(client, numen=me.numen)
    assert r.status_code == 400 and not mail_outbox()
    r = _send(client, nir="2 80 04 2a 004")
    assert r.status_code == 200 and "Lien d'activation envoyé" in _text(r)
    assert len(mail_outbox()) == 1


@pytest.mark.parametrize(
    "typed,message",
    [
        ("1751169123", "ne correspondent pas au numéro de sécurité sociale de votre dossier"),
        ("2800420005", "ne correspondent pas au numéro de sécurité sociale de votre dossier"),
        ("28004", "10 premiers caractères"),
        (NIR.replace(" ", ""), "10 premiers caractères"),
    ],
)
def test_wrong_digits_are_refused_and_not_shown_back(world, typed, message):
    _e, _me, client = world
    r = _send(client, nir=typed)
    assert r.status_code == 400
    page = _text(r)
    assert message in page
    assert typed not in page  # the field is empty again
    assert not mail_outbox()
    if "dossier" in message:
        refusal = AuditEvent.objects.filter(action="reassort.refused").latest("pk")
        assert refusal.data == {"why": "nir"}


def test_a_voter_without_an_imported_number_is_asked_the_numen(world):
    election, me, _client = world
    other = Voter.objects.exclude(pk=me.pk).get(election=election)
    client = Client()
    account = voter_client_login(client, other)
    account.challenge_question = "book"
    account.challenge_answer = make_password(answer_normalise(ANSWER))
    account.save()
    assert "Saisissez votre NUMEN" in _text(client.get(reverse("booth:reassort_challenge")))


def test_the_manager_enables_it_only_with_the_key(settings):
    election, _s, _v, _c = booth_election_make(voters=1)
    manager = staff_make("manager")
    client = Client()
    staff_login(client, manager)
    url = reverse("backoffice:election_edit", args=[election.pk])
    form = _text(client.get(url))
    assert "numéro de sécurité sociale" in form and "2019-341" in form
    import_page = reverse("backoffice:import", args=[election.pk])
    assert "colonne « NIR »" not in _text(client.get(import_page))
    data = {"name": election.name, "style": election.style, "reassort_nir": "on"}
    for field in ("rolls_from", "lists_from", "complaints_until", "vote_opens", "vote_closes"):
        value = getattr(election, field)
        data[field] = value.astimezone().strftime("%Y-%m-%dT%H:%M") if value else ""
    settings.URNE_NIR_KEY = ""
    r = client.post(url, data)
    assert r.status_code == 400 and "URNE_NIR_KEY" in _text(r)
    election.refresh_from_db()
    assert election.reassort_nir is False
    settings.URNE_NIR_KEY = KEY
    r = client.post(url, data)
    assert r.status_code == 302, _text(r)[:2000]
    election.refresh_from_db()
    assert election.reassort_nir is True
    assert "colonne « NIR »" in _text(client.get(import_page))
    change = AuditEvent.objects.filter(action="election.update").latest("pk")
    assert change.data["changes"]["reassort_nir"] == [False, True]


def test_the_number_is_in_no_table_no_log_and_no_page(world, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    election, me, client = world
    # A bad row kept in an import's report, a refused challenge, then the right one.
    path = voters_csv_make(
        tmp_path / "report.csv", [_row(me, OTHER_NIR + "X")], header=[*HEADER, "NIR"]
    )
    job = ImportJob.objects.create(election=election, filename="report.csv", path=str(path))
    voter_import_run(job_id=job.pk)
    pages = [_text(client.get(reverse("booth:reassort_challenge")))]
    pages.append(_text(_send(client, nir=OTHER_NIR.replace(" ", "")[:10])))
    pages.append(_text(_send(client, nir=FIRST_TEN)))
    assert len(mail_outbox()) == 1
    places = {"stores": stores_text(), "logs": caplog.text, "pages": "\n".join(pages)}
    for secret in FORMS:
        for place, text in places.items():
            assert secret not in text, (place, secret)
