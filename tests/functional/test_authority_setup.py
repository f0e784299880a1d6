"""Back-office pages of the authority: generation, notices PDF, scrutin setup with good and
bad trustee files (written into the urn, verified by urne.verify), code replacement."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factories.authority import listed_election_make, trustee_files_make
from factories.elections import staff_login, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.authority import services
from urne.authority.models import CodeSlot, ScrutinSetup
from urne.crypto.credentials import parse_public_credentials
from urne.crypto.encoding import loads

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture(scope="module")
def keys():
    return trustee_files_make()


def test_generation_from_the_page_runs_the_task(client, django_capture_on_commit_callbacks):
    election, _scrutins, voters = listed_election_make()
    manager = staff_make("manager")
    staff_login(client, manager)
    url = reverse("authority:codes", args=[election.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"action": "generate", "spares": "2"})
    assert r.status_code == 302
    # Tasks run in-process in the test settings, queued on commit.
    assert CodeSlot.objects.filter(election_id=election.pk).count() == len(voters) * 3
    page = client.get(url).content.decode()
    assert "électeurs munis d'un code" in page


def test_helpdesk_cannot_generate(client):
    election, _, _ = listed_election_make()
    staff_login(client, staff_make("helpdesk"))
    assert client.get(reverse("authority:codes", args=[election.pk])).status_code == 403


def test_notices_pdf_one_page_per_voter_and_progress(client):
    election, _, voters = listed_election_make()
    manager = staff_make("manager")
    cset = services.credentials_generate(election=election, actor=manager)
    staff_login(client, manager)
    r = client.get(reverse("authority:notices", args=[election.pk, 1]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "no-store"
    pdf = r.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= len(voters) or (
        pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == len(voters)
    )
    page = client.get(reverse("authority:codes", args=[election.pk])).content.decode()
    assert "1 lot(s) sur 1 téléchargé(s)" in page
    assert AuditEvent.objects.filter(action="authority.notices_downloaded").count() == 1
    assert client.get(reverse("authority:notices", args=[election.pk, 9])).status_code == 404

    # The mail-merge content (uncompressed for the test): each voter's name and active code.
    import io

    from urne.authority.notices import notice_voter_ids, notices_write

    services.credentials_replace(voter=voters[1], actor=manager, reason="perdu")
    buf = io.BytesIO()
    ids = notice_voter_ids(election_id=election.pk)
    pages = notices_write(election=election, voter_ids=ids, out=buf, compress=False)
    assert pages == len(voters)
    text = buf.getvalue().decode("latin-1")
    for v in voters:
        index = 1 if v == voters[1] else 0
        code = services.code_derive(credential_set=cset, voter_id=v.pk, index=index)
        assert f"({code})" in text
        assert v.last_name in text
    old = services.code_derive(credential_set=cset, voter_id=voters[1].pk, index=0)
    assert old not in text


def test_generation_progress_shown(client):
    from urne.authority.tasks import generation_progress_set

    election, _, _ = listed_election_make()
    staff_login(client, staff_make("manager"))
    generation_progress_set(election.pk, 1500, 20000)
    page = client.get(reverse("authority:codes", args=[election.pk])).content.decode()
    generation_progress_set(election.pk, None, None)
    assert "1500 électeurs sur 20000" in html.unescape(page)


def test_notices_command_writes_batches_with_progress(tmp_path, capsys):
    from django.core.management import call_command

    election, _, _voters = listed_election_make(voters=5)
    services.credentials_generate(election=election, actor="t")
    call_command("authority_notices", str(election.pk), str(tmp_path), "--batch-size", "2")
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == [f"avis-{election.pk}-lot-000{i}.pdf" for i in (1, 2, 3)]
    err = capsys.readouterr().err
    assert "lot 3/3" in err and "5/5 (100 %)" in err


def _setup_post(client, election, scrutins, president, threshold):
    return client.post(
        reverse("authority:codes", args=[election.pk]),
        {
            "action": "setup",
            "scrutins": [s.uuid for s in scrutins],
            "president": SimpleUploadedFile("ABCD1234.pubkey", president),
            "threshold": SimpleUploadedFile("threshold.json", threshold),
        },
    )


def test_setup_upload_good_files_writes_the_urn(client, keys, tmp_path):
    from urne.urn.selectors import urn_archive_bytes
    from urne.verify.checks import verify_archive

    election, scrutins, voters = listed_election_make()
    manager = staff_make("manager")
    services.credentials_generate(election=election, actor=manager)
    staff_login(client, manager)
    r = _setup_post(client, election, scrutins, keys.president, keys.threshold)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert ScrutinSetup.objects.count() == len(scrutins)
    for s in scrutins:
        archive = urn_archive_bytes(scrutin_uuid=s.uuid)
        path = tmp_path / f"{s.uuid}.bel"
        path.write_bytes(archive)
        report = verify_archive(str(path))
        assert report.valid, report.failures
        assert report.stage == "setup" or report.ballots == 0
        # The public credential list: every code of every voter of the scrutin.
        from urne.crypto.archive import read_records

        texts = [r.body.decode() for r in read_records(archive)[1:4]]
        election_json = json.loads(texts[0])
        assert election_json["uuid"] == s.uuid
        q = election_json["questions"][0]
        assert q["blank"] is True and q["min"] == 1 and q["max"] == 1
        assert q["answers"] == [cl.label for cl in s.lists.order_by("pk")]
        creds = parse_public_credentials(loads(texts[2]))
        assert len(creds.weights) == len(voters) * 5
    # Codes are frozen once a setup exists.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.credentials_generate(election=election, actor=manager)
    assert AuditEvent.objects.filter(action="authority.scrutin_setup").count() == len(scrutins)


@pytest.mark.parametrize(
    "which,mutate,message",
    [
        ("president", lambda b: b"not json", "La clé du président n'est pas un fichier"),
        ("president", "tamper_pok", "ne se vérifie pas"),
        ("threshold", lambda b: b"{}", "threshold.json des délégués n'est pas lisible"),
        ("threshold", "tamper_threshold", "Le groupe de clés des délégués ne se vérifie pas"),
    ],
)
def test_setup_upload_bad_files_shows_a_french_error(client, keys, which, mutate, message):
    election, scrutins, _ = listed_election_make()
    manager = staff_make("manager")
    services.credentials_generate(election=election, actor=manager)
    staff_login(client, manager)
    president, threshold = keys.president, keys.threshold
    if mutate == "tamper_pok":
        obj = json.loads(president)
        obj["pok"]["response"] = obj["pok"]["challenge"]
        president = json.dumps(obj).encode()
    elif mutate == "tamper_threshold":
        obj = json.loads(threshold)
        obj["threshold"] = 1
        threshold = json.dumps(obj).encode()
    elif which == "president":
        president = mutate(president)
    else:
        threshold = mutate(threshold)
    r = _setup_post(client, election, scrutins, president, threshold)
    assert r.status_code == 200
    assert message in html.unescape(r.content.decode())
    assert ScrutinSetup.objects.count() == 0


def test_replacement_page_for_helpdesk(client):
    election, _, voters = listed_election_make()
    services.credentials_generate(election=election, actor="t")
    helpdesk = staff_make("helpdesk")
    staff_login(client, helpdesk)
    url = reverse("authority:replace", args=[voters[0].pk])
    page = client.get(url).content.decode()
    assert "actif" in page and "en réserve" in page
    r = client.post(url, {"reason": "avis perdu"})
    assert r.status_code == 302
    statuses = list(
        CodeSlot.objects.filter(voter_id=voters[0].pk)
        .order_by("index")
        .values_list("status", flat=True)
    )
    assert statuses == ["revoked", "active", "spare", "spare", "spare"]
    event = AuditEvent.objects.get(action="authority.code_replaced")
    assert event.actor == helpdesk.username
    # Bad input: no reason → the form again, no 500.
    assert client.post(url, {"reason": ""}).status_code == 200
    staff_login(client, staff_make("auditor"))
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert voter_make  # factory used by helpers


def test_demo_codes_trustees_and_urns(settings, tmp_path):
    from urne.authority.demo import authority_demo

    settings.VAR_DIR = tmp_path
    election, scrutins, voters = listed_election_make()
    logged: list[str] = []
    lines = authority_demo(election=election, log=logged.append)
    folder = tmp_path / "demo-trustees" / str(election.pk)
    names = sorted(p.name for p in folder.iterdir())
    assert "threshold.json" in names and "delegate-1.dkey" in names and "delegate-3.key" in names
    assert any(n.endswith(".privkey") for n in names)
    assert ScrutinSetup.objects.filter(election_id=election.pk).count() == len(scrutins)
    assert any(str(folder) in line for line in lines)
    # Idempotent: a second run changes nothing.
    assert authority_demo(election=election, log=logged.append)[0] == lines[0]
    assert CodeSlot.objects.filter(voter_id=voters[0].pk).count() == 5


def test_setup_accepts_the_pubkey_urne_trustee_writes(client, keys, tmp_path, capsys):
    from urne.trustee_cli import main

    assert main(["generate-key", "--dir", str(tmp_path)]) == 0
    pubkey = next(tmp_path.glob("*.pubkey")).read_bytes()
    election, scrutins, _ = listed_election_make()
    manager = staff_make("manager")
    services.credentials_generate(election=election, actor=manager)
    staff_login(client, manager)
    r = _setup_post(client, election, scrutins[:1], pubkey, keys.threshold)
    assert r.status_code == 302
    assert ScrutinSetup.objects.filter(election_id=election.pk).count() == 1
    # The other scrutin can be set up later (e.g. by another bureau's keys).
    page = html.unescape(
        client.get(reverse("authority:codes", args=[election.pk])).content.decode()
    )
    assert "à initialiser" in page and "initialisée" in page


@pytest.mark.parametrize(
    "style,secret,absent",
    [("2018", "Votre identifiant électeur", "code de vote"), ("2022", "Votre code de vote", "")],
)
def test_the_notice_speaks_the_elections_style_and_gives_the_portals_address(
    settings, style, secret, absent
):
    """Seed 001: a 2018 notice carries the "identifiant électeur" (never a "code de vote");
    the address printed is the platform's public one, not an example; no replacement is
    promised that the style does not offer."""
    import io

    from pypdf import PdfReader

    from urne.authority.notices import notice_voter_ids, notices_write

    settings.URNE_PUBLIC_URL = "https://elections.example-ministere.gouv.fr"
    election, _, _ = listed_election_make()
    election.style = style
    election.save(update_fields=["style"])
    services.credentials_generate(election=election, actor="tests")
    buf = io.BytesIO()
    notices_write(election=election, voter_ids=notice_voter_ids(election_id=election.pk), out=buf)
    text = " ".join(PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text().split())
    assert secret in text
    assert "Adresse du vote : https://elections.example-ministere.gouv.fr/" in text
    assert "vote.example.fr" not in text
    if absent:
        assert absent not in text.lower()
    if style == "2022":
        # The 2022 self-service réassort is not offered yet: the notice sends to the helpdesk.
        assert "depuis votre espace électeur" not in text and "assistance" in text
    else:
        assert "Identifiant électeur oublié ?" in text and "SMS" in text
