"""The key ceremony in the holders' browsers (ADR 0722): a president and three delegates
(t = 2), each logged in as themselves in their own Chromium context, make their keys in the
page and save them to their device (plain, or wrapped under a passphrase that a wrong one
cannot open, which ``urne-trustee unwrap`` opens); the setups are written into every covered
urn. No request body, database row or log holds any encoding of any private key; an archive
made after a few votes passes urne-verify and belenios-tool 3.0 and 3.3 ``election verify``,
every ballot ``verify-ballot``, and belenios-tool 3.3 counts it with the files the page
saved. A second test mixes browser holders, a delegate who runs ``urne-trustee`` and one who
runs belenios-tool 3.3, each uploading its files through the page. A third runs the ceremony
again after a key lost before the seal (ADR 0703). axe-core on every ceremony page."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from django.conf import settings
from playwright.sync_api import expect
from staff_browsers import Holder, ceremony_in_browsers, ceremony_open_in_browser, db_text

from belenios_tools import belenios_tool
from factories.ceremony import ceremony_votes_cast, ceremony_world_make
from urne.bureau.models import Ceremony
from urne.crypto.encoding import loads
from urne.crypto.group import GROUP
from urne.crypto.threshold import decrypt_key_share, derive_decryption_key, derive_signing_key
from urne.crypto.trustees import parse_trustees
from urne.urn.selectors import urn_archive_bytes, urn_head, urn_trustees
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])

PASSPHRASE = "Phrase de passe du délégué 1 ✓"  # noqa: S105 - a test passphrase


def _scalar_encodings(n: int) -> set[str]:
    """Every way a private scalar could be written: decimal, hex (padded or not, either case),
    base64 and base64url of its 32 bytes in either order, with or without padding."""
    out = {str(n), format(n, "x"), format(n, "064x"), format(n, "X"), format(n, "064X")}
    for order in ("big", "little"):
        raw = n.to_bytes(32, order)  # type: ignore[arg-type]
        for enc in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            text = enc.decode()
            out |= {text, text.rstrip("=")}
        out.add(raw.hex())
    return out


def _trustee(args: list[str], cwd: Path, stdin: str | None) -> subprocess.CompletedProcess[str]:
    """``urne-trustee`` on the holder's machine."""
    return subprocess.run(
        [sys.executable, "-m", "urne.trustee_cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _unwrap(path: Path, passphrase: str, out: Path) -> subprocess.CompletedProcess[str]:
    out.mkdir(exist_ok=True)
    return _trustee(["unwrap", str(path), "--dir", str(out)], out, passphrase + "\n")


def test_the_ceremony_in_four_browsers(
    chromium, live_server, page, assert_accessible, tmp_path, unlogged, server_log
):
    world = ceremony_world_make(delegates=3, voters=3)
    election = world.election.pk
    base = f"/backoffice/bureau/{election}/ceremonie/"
    holders = [
        Holder(chromium, live_server, m.user, tmp_path / f"h{i}")
        for i, m in enumerate(world.holders)
    ]
    for h in holders:
        h.downloads.mkdir()
    president, d1, d2, d3 = holders
    delegates = [d1, d2, d3]
    try:
        president.goto(base)
        assert_accessible(president.page, "ceremonie-a-ouvrir")
        president.page.get_by_label("Nombre de délégués requis pour déchiffrer").fill("2")
        president.page.get_by_role("button", name="Ouvrir la cérémonie des clés").click()
        expect(president.page.locator("#ceremony-phase")).to_have_text("Clés et certificats")
        assert_accessible(president.page, "ceremonie-ouverte")

        # The president's single key, saved plain.
        president.goto(base + "ma-cle/")
        assert_accessible(president.page, "cle-du-president")
        privkey_name = president.make("key")
        assert privkey_name.endswith(".privkey")

        # Step 1: delegate 1 wraps its ID.key under a passphrase, the others save it plain.
        for i, d in enumerate(delegates):
            d.goto(base + "ma-cle/")
            if i == 0:
                assert_accessible(d.page, "etape-1-certificat")
            name = d.make("cert", wrap=PASSPHRASE if i == 0 else "")
            assert name.endswith(".key.wrapped" if i == 0 else ".key")
        # A wrong passphrase does not open the wrapped file, in the page or in urne-trustee.
        d1.goto(base + "ma-cle/")
        assert_accessible(d1.page, "etape-3-polynome")
        d1.page.set_input_files("#key-file", str(d1.files["cert"]))
        d1.page.fill("#key-passphrase", "pas la bonne")
        d1.page.click("#make")
        expect(d1.page.locator("#ceremony-status")).to_contain_text("Échec", timeout=60_000)
        assert d1.page.locator("#send").is_disabled()
        wrong = _unwrap(d1.files["cert"], "pas la bonne", tmp_path / "wrong")
        assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
        # Step 3 with the right one, then the others.
        d1.make("polynomial", key=d1.files["cert"], key_pass=PASSPHRASE)
        for d in (d2, d3):
            d.goto(base + "ma-cle/")
            d.make("polynomial", key=d.files["cert"])
        # Step 5: each saves its ID.dkey (delegate 1 wrapped again).
        for i, d in enumerate(delegates):
            d.goto(base + "ma-cle/")
            if i == 0:
                assert_accessible(d.page, "etape-5-part-de-cle")
            d.make(
                "voutput",
                key=d.files["cert"],
                key_pass=PASSPHRASE if i == 0 else "",
                wrap=PASSPHRASE if i == 0 else "",
            )

        president.goto(base)
        expect(president.page.locator("#ceremony-phase")).to_have_text("Terminée")
        assert_accessible(president.page, "ceremonie-terminee")
        d3.goto(base + "ma-cle/")
        assert_accessible(d3.page, "ma-cle-terminee")
        with president.page.expect_download() as info:
            president.page.get_by_role("link", name="Procès-verbal de la cérémonie (PDF)").click()
        pv = tmp_path / "pv.pdf"
        info.value.save_as(str(pv))
        assert pv.read_bytes().startswith(b"%PDF")
    finally:
        for h in holders:
            h.close()

    # The setups are written; every holder's saved files open to its public keys.
    ceremony = Ceremony.objects.get()
    assert ceremony.phase == Ceremony.Phase.DONE and ceremony.setups_written_at
    trustees = parse_trustees(loads(ceremony.trustees_json))
    x = loads(president.files["key"].read_text())
    assert isinstance(x, str) and GROUP.mul_base(int(x)) == trustees[0].public_key  # type: ignore[union-attr]
    secrets: set[str] = set()
    secrets |= _scalar_encodings(int(x))
    for i, d in enumerate(delegates, start=1):
        key_file, dkey_file = d.files["cert"], d.files["voutput"]
        if i == 1:
            opened = _unwrap(key_file, PASSPHRASE, tmp_path / "opened")
            assert opened.returncode == 0, opened.stderr
            key_file = tmp_path / "opened" / key_file.name.removesuffix(".wrapped")
            opened = _unwrap(dkey_file, PASSPHRASE, tmp_path / "opened")
            assert opened.returncode == 0, opened.stderr
            dkey_file = tmp_path / "opened" / dkey_file.name.removesuffix(".wrapped")
        seed = key_file.read_text().strip()
        share = decrypt_key_share(seed, dkey_file.read_text())
        group = trustees[1]
        assert GROUP.mul_base(share) == group.verification_keys[i - 1].public_key  # type: ignore[union-attr]
        secrets |= {seed, base64.b64encode(seed.encode()).decode()}
        for scalar in (share, derive_signing_key(seed), derive_decryption_key(seed)):
            secrets |= _scalar_encodings(scalar)

    # A few votes, then the archive of every covered scrutin passes urne-verify and both tools.
    setup_only = tmp_path / "setup-only"
    for scrutin in world.scrutins:
        (setup_only / scrutin.uuid).mkdir(parents=True)
        (setup_only / scrutin.uuid / f"{scrutin.uuid}.bel").write_bytes(
            urn_archive_bytes(scrutin_uuid=scrutin.uuid)
        )
    cast = ceremony_votes_cast(world)
    for scrutin in world.scrutins:
        ballots = cast[scrutin.uuid]
        folder = tmp_path / "archives" / scrutin.uuid
        folder.mkdir(parents=True)
        archive = folder / f"{scrutin.uuid}.bel"
        archive.write_bytes(urn_archive_bytes(scrutin_uuid=scrutin.uuid))
        assert verify_archive(str(archive), jobs=1).failures == []
        for version in ("3.0", "3.3"):
            tool = belenios_tool(version)
            done = tool.run("election", "verify", "--dir", folder)
            assert "all checks passed" in done.stdout + done.stderr, version
            for k, text in enumerate(ballots):
                path = tmp_path / f"ballot-{scrutin.uuid}-{k}.json"
                path.write_text(text + "\n")
                done = tool.run(
                    "election",
                    "verify-ballot",
                    "--dir",
                    setup_only / scrutin.uuid,
                    "--ballot",
                    path,
                )
                assert "ballot is valid" in done.stdout + done.stderr, version

    # The count of the first scrutin, offline with belenios-tool 3.3 and the files the page
    # saved (the president's ID.privkey, delegates 2 and 3's ID.key and ID.dkey): the result
    # is the votes cast, and the archive still passes both tools and urne-verify.
    bt33 = belenios_tool("3.3")
    box = tmp_path / "archives" / world.scrutins[0].uuid

    def tool(*args: str | Path, stdin: str | None = None) -> str:
        return bt33.run(*args, "--dir", box, stdin=stdin).stdout

    tool("archive", "add-event", "--type=EndBallots", stdin="")
    tally = tool("election", "compute-encrypted-tally")
    tool("archive", "add-event", "--type=EncryptedTally", stdin=tally)
    pds = [tool("election", "decrypt", "--privkey", president.files["key"], "--trustee-id", "1")]
    for i in (2, 3):
        d = delegates[i - 1]
        pds.append(
            tool(
                "election",
                "decrypt-threshold",
                "--key",
                d.files["cert"],
                "--decryption-key",
                d.files["voutput"],
                "--trustee-id",
                str(1 + i),
            )
        )
    for pd in pds:
        tool("archive", "add-event", "--type=PartialDecryption", stdin=pd)
    result = tool("election", "compute-result")
    votes = len(cast[world.scrutins[0].uuid])
    assert loads(result) == {
        "result": [[sum(1 for n in range(votes) if n % 3 == k) for k in range(3)]]
    }
    tool("archive", "add-event", "--type=Result", stdin=result)
    for version in ("3.0", "3.3"):
        done = belenios_tool(version).run("election", "verify", "--dir", box)
        assert "all checks passed" in done.stdout + done.stderr, version
    assert verify_archive(str(box / f"{world.scrutins[0].uuid}.bel"), jobs=1).valid

    # No encoding of any private key in a request body, a database row or a log.
    _no_private_key_anywhere(holders, secrets, server_log)
    unlogged |= {s for s in secrets if len(s) > 20}


def _no_private_key_anywhere(holders: list[Holder], secrets: set[str], server_log: Path) -> None:
    """None of ``secrets`` in any holder's request body, any database row or any log."""
    bodies = [b.decode("utf-8", "replace") for h in holders for b in h.bodies]
    bodies += [unquote_plus(b) for b in bodies]
    assert sum(len(b) for b in bodies) > 1000  # the public data did go through these bodies
    haystacks = {"request bodies": "\n".join(bodies), "database": db_text()}
    files = [server_log, *Path(settings.VAR_DIR).rglob("*.log")]
    haystacks["logs"] = "\n".join(
        f.read_text(encoding="utf-8", errors="replace") for f in files if f.exists()
    )
    for where, text in haystacks.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"a private key's encoding is in the {where}: {leaked[:3]}"


def _plain_secrets(files: dict[str, Path], president: bool) -> set[str]:
    """Every encoding of the private keys in a holder's plain files: the president's scalar,
    or a delegate's seed, its derived keys and its key share."""
    if president:
        return _scalar_encodings(int(str(loads(files["key"].read_text()))))
    seed = files["cert"].read_text().strip()
    out = {seed, base64.b64encode(seed.encode()).decode()}
    share = decrypt_key_share(seed, files["voutput"].read_text())
    for scalar in (share, derive_signing_key(seed), derive_decryption_key(seed)):
        out |= _scalar_encodings(scalar)
    return out


def _urne(args: list[str], cwd: Path, stdin: str | None = None) -> str:
    done = _trustee(args, cwd, stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_browser_holders_an_urne_trustee_holder_and_a_belenios_tool_holder(
    chromium, live_server, page, assert_accessible, tmp_path, server_log
):
    """Delegate 2 runs urne-trustee and delegate 3 belenios-tool 3.3 on their own machines,
    each uploading its public files through the page (taking certs.jsonl and its vinput
    from it, its dkey at the end); the president and delegate 1 make theirs in the page."""
    world = ceremony_world_make(delegates=3, voters=1)
    base = f"/backoffice/bureau/{world.election.pk}/ceremonie/"
    holders = [
        Holder(chromium, live_server, m.user, tmp_path / f"h{i}")
        for i, m in enumerate(world.holders)
    ]
    for h in holders:
        h.downloads.mkdir()
    president, d1, d2, d3 = holders
    bt33 = belenios_tool("3.3")

    def bt(*args: str | Path, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(bt33.path), "setup", "generate-trustee-key-threshold", "--group", "Ed25519"]
            + [str(a) for a in args],
            cwd=d3.downloads,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def upload(h: Holder, text: str, name: str) -> None:
        path = h.downloads / name
        path.write_text(text)
        h.goto(base + "ma-cle/")
        h.page.set_input_files("#id_file", str(path))
        h.page.get_by_role("button", name="Vérifier et déposer").click()
        expect(h.page.locator(".msg").first).to_contain_text("Étape enregistrée")

    def fetch(h: Holder, kind: str) -> Path:
        h.goto(base + "ma-cle/")
        with h.page.expect_download() as info:
            h.page.get_by_role("link", name=kind).first.click()
        path = h.downloads / info.value.suggested_filename
        info.value.save_as(str(path))
        return path

    work = d2.downloads
    try:
        president.goto(base)
        president.page.get_by_role("button", name="Ouvrir la cérémonie des clés").click()
        president.goto(base + "ma-cle/")
        president.make("key")
        d1.goto(base + "ma-cle/")
        d1.make("cert")
        cid = _urne(["threshold", "--step", "1", "--threshold-context", "2/2/3"], work).strip()
        upload(d2, (work / f"{cid}.cert").read_text(), "cert.json")
        assert_accessible(d2.page, "depot-par-l-outil")
        bid = bt("--step", "1", "--threshold-context", "3/2/3").strip()
        upload(d3, (d3.downloads / f"{bid}.cert").read_text(), "cert.json")
        d1.goto(base + "ma-cle/")
        d1.make("polynomial", key=d1.files["cert"])
        certs = fetch(d2, "certs.jsonl")
        args = ["threshold", "--certs", str(certs), "--key", f"{cid}.key"]
        upload(d2, _urne([*args, "--step", "3"], work), "polynomial.json")
        certs3 = fetch(d3, "certs.jsonl")
        upload(d3, bt("--step", "3", "--certs", certs3, "--key", f"{bid}.key"), "polynomial.json")
        d1.goto(base + "ma-cle/")
        d1.make("voutput", key=d1.files["cert"])
        vinput = fetch(d2, "ID.vinput")
        upload(d2, _urne([*args, "--step", "5"], work, stdin=vinput.read_text()), "voutput.json")
        vinput3 = fetch(d3, "ID.vinput").read_text()
        voutput3 = bt("--step", "5", "--certs", certs3, "--key", f"{bid}.key", stdin=vinput3)
        upload(d3, voutput3, "voutput.json")
        d2.goto(base + "ma-cle/")
        assert_accessible(d2.page, "ma-cle-dkey")
        dkey = fetch(d2, "Mon fichier ID.dkey (ma part de clé, chiffrée pour mon ID.key)")
        assert dkey.name == f"{cid}.dkey"
        dkey3 = fetch(d3, "Mon fichier ID.dkey (ma part de clé, chiffrée pour mon ID.key)")
    finally:
        for h in holders:
            h.close()
    ceremony = Ceremony.objects.get()
    assert ceremony.phase == Ceremony.Phase.DONE and ceremony.setups_written_at
    group = parse_trustees(loads(ceremony.trustees_json))[1]
    share = decrypt_key_share((work / f"{cid}.key").read_text().strip(), dkey.read_text())
    assert GROUP.mul_base(share) == group.verification_keys[1].public_key  # type: ignore[union-attr]
    seed3 = (d3.downloads / f"{bid}.key").read_text().strip()
    share3 = decrypt_key_share(seed3, dkey3.read_text())
    assert GROUP.mul_base(share3) == group.verification_keys[2].public_key  # type: ignore[union-attr]
    # No holder's private key, whichever made it, in a request body, a row or a log.
    secrets = _plain_secrets(president.files, president=True)
    secrets |= _plain_secrets(d1.files, president=False)
    secrets |= _plain_secrets({"cert": work / f"{cid}.key", "voutput": dkey}, president=False)
    secrets |= _plain_secrets(
        {"cert": d3.downloads / f"{bid}.key", "voutput": dkey3}, president=False
    )
    _no_private_key_anywhere(holders, secrets, server_log)


def test_a_key_lost_before_the_seal_the_ceremony_again(
    chromium, live_server, page, assert_accessible, tmp_path, server_log
):
    """The ceremony done, a delegate's key is lost: the president records the bureau's
    decision, cancels the ceremony (the urns' keys removed), the holders make new keys, and
    the urns are set up with them; the old key file is refused."""
    world = ceremony_world_make(delegates=3, voters=1)
    election = world.election.pk
    base = f"/backoffice/bureau/{election}/ceremonie/"
    holders = [
        Holder(chromium, live_server, m.user, tmp_path / f"h{i}")
        for i, m in enumerate(world.holders)
    ]
    for h in holders:
        h.downloads.mkdir()
    president, *delegates = holders
    try:
        ceremony_in_browsers(president, delegates, election)
        old_key = president.files["key"]
        old_trustees = Ceremony.objects.get().trustees_json
        secrets: set[str] = set()
        for i, h in enumerate(holders):
            secrets |= _plain_secrets(h.files, president=i == 0)

        # The bureau records the loss of delegate 2's key, then the president cancels.
        president.goto(f"/backoffice/bureau/{election}/cle-perdue/")
        president.page.get_by_label("Détenteur dont la clé est perdue").select_option(
            str(world.delegates[1].pk)
        )
        for member in (world.president, world.delegates[0]):
            president.page.locator(f'input[name="present"][value="{member.pk}"]').check()
        president.page.get_by_label("Ce que le bureau a constaté").fill("Clé USB perdue")
        president.page.get_by_role("button", name="Enregistrer la décision").click()
        expect(president.page.locator("#key-state")).to_contain_text("à refaire")
        president.page.get_by_role(
            "link", name="Annuler la cérémonie et retirer les clés des urnes"
        ).click()
        expect(president.page.locator("#cancel-plan")).to_contain_text("est annulée")
        assert_accessible(president.page, "annuler-la-ceremonie")
        president.page.get_by_role(
            "button", name="Annuler la cérémonie et retirer les clés"
        ).click()
        expect(president.page.locator(".msg").first).to_contain_text("Cérémonie annulée")
        assert all(urn_head(scrutin_uuid=s.uuid) is None for s in world.scrutins)
        d3 = delegates[2]
        d3.goto(f"/backoffice/bureau/{election}/journal/")
        expect(d3.page.locator("main")).to_contain_text("Cérémonie des clés annulée")
        assert_accessible(d3.page, "journal-apres-annulation")

        # The new ceremony: the old public key file is refused, then new keys everywhere.
        for h in holders:
            h.files.clear()
        ceremony_open_in_browser(president, election)
        president.goto(base + "ma-cle/")
        stale = tmp_path / "old.pubkey"
        stale.write_text(Ceremony.objects.get(phase="cancelled").holders.get(position=0).pubkey)
        president.page.set_input_files("#id_file", str(stale))
        president.page.get_by_role("button", name="Vérifier et déposer").click()
        expect(president.page.locator(".msg").first).to_contain_text("cérémonie annulée")
        ceremony_in_browsers(president, delegates, election, opened=True)
    finally:
        for h in holders:
            h.close()
    live = Ceremony.objects.exclude(phase=Ceremony.Phase.CANCELLED).get()
    assert live.setups_written_at and live.trustees_json != old_trustees
    x = int(str(loads(president.files["key"].read_text())))
    assert president.files["key"].read_text() != old_key.read_text()
    for scrutin in world.scrutins:
        in_urn = urn_trustees(scrutin_uuid=scrutin.uuid)
        assert in_urn is not None and in_urn[0].public_key == GROUP.mul_base(x)  # type: ignore[union-attr]
        archive = tmp_path / f"{scrutin.uuid}.bel"
        archive.write_bytes(urn_archive_bytes(scrutin_uuid=scrutin.uuid))
        assert verify_archive(str(archive), jobs=1).failures == []
    # Neither the cancelled keys nor the new ones went anywhere on the server.
    for i, h in enumerate(holders):
        secrets |= _plain_secrets(h.files, president=i == 0)
    _no_private_key_anywhere(holders, secrets, server_log)
