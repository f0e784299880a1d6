"""The count's decryption in the key holders' browsers (ADR 0805): the president opens their
ID.privkey, a delegate their ID.key and ID.dkey wrapped under a passphrase (another delegate
uploads urne-trustee's file); each page checks
every scrutin's published archive (the encrypted tally recomputed from its ballots) and
uploads the partial decryptions of every scrutin in one go; the results follow. A server that
serves a tally that is not the product of the ballots is refused by the page: nothing is
decrypted, nothing sent. axe-core on the count page."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from staff_browsers import Holder, db_text

from factories.bureau import member_make
from factories.count import count_world_make, holder_bundle
from urne.count import views
from urne.count.models import DecryptionUpload, ScrutinCount
from urne.count.services import count_open, decryptions_upload
from urne.crypto.encoding import dumps
from urne.crypto.group import GROUP
from urne.crypto.keywrap import wrap
from urne.crypto.tally import tally_text
from urne.crypto.threshold import (
    AES_GCM,
    decrypt_key_share,
    derive_decryption_key,
    derive_signing_key,
    send,
)
from urne.urn.selectors import urn_count_state

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])

PASSPHRASE = "Phrase de passe du délégué ✓"  # noqa: S105 - a test passphrase


def _key_files(world, folder: Path) -> dict[str, Path]:
    """The president's ID.privkey (plain); delegate 1's ID.key and ID.dkey wrapped as the
    ceremony's page wraps them (a small scrypt cost, for speed), the share in the ID.dkey
    encrypted with 3.1+'s AES-GCM as the page writes it (the factory's group is 3.0's)."""
    folder.mkdir()
    group = world.keys.group
    seed = group.seeds[0]
    dkey = send(
        derive_signing_key(seed),
        GROUP.mul_base(derive_decryption_key(seed)),
        dumps({"decryption_key": str(group.share(1))}),
        algorithm=AES_GCM,
    ).to_string()
    assert decrypt_key_share(seed, dkey) == group.share(1)
    files = {
        "privkey": folder / "PRES.privkey",
        "key": folder / "d1.key.wrapped",
        "dkey": folder / "d1.dkey.wrapped",
    }
    files["privkey"].write_text(dumps(str(world.keys.president_key)) + "\n")
    files["key"].write_text(wrap(seed, PASSPHRASE, "d1.key", n=2**14) + "\n")
    files["dkey"].write_text(wrap(dkey, PASSPHRASE, "d1.dkey", n=2**14) + "\n")
    return files


def test_two_holders_decrypt_every_scrutin_in_their_browsers(
    chromium, live_server, page, assert_accessible, tmp_path, unlogged
):
    world = count_world_make(voters=4, lists=2, scrutins=2)
    president = member_make(world.election, "president").user
    delegate = member_make(world.election, "delegate").user
    count_open(election=world.election, actor=president)
    # Delegate 2's file, made with urne-trustee's code on its own machine.
    other = member_make(world.election, "delegate").user
    decryptions_upload(election=world.election, actor=other, content=holder_bundle(world, 2))
    files = _key_files(world, tmp_path / "keys")
    holders = [Holder(chromium, live_server, u, tmp_path) for u in (president, delegate)]
    try:
        holders[0].goto(f"/backoffice/depouillement/{world.election.pk}/")
        expect(holders[0].page.locator("#in-browser")).to_be_visible()
        assert_accessible(holders[0].page, "depouillement-dans-le-navigateur")
        holders[0].count_decrypt(world.election.pk, files["privkey"])
        expect(holders[0].page.locator(".msg").first).to_have_text(
            "Déchiffrements acceptés pour 2 scrutin(s) ; 0 résultat(s) calculé(s)."
        )
        holders[1].count_decrypt(
            world.election.pk, files["key"], dkey=files["dkey"], passphrase=PASSPHRASE
        )
        expect(holders[1].page.locator(".msg").first).to_have_text(
            "Déchiffrements acceptés pour 2 scrutin(s) ; 2 résultat(s) calculé(s)."
        )
        # Every scrutin decrypted: the section is gone, the proclamation offered.
        expect(holders[1].page.locator("#in-browser")).to_be_hidden()
        assert_accessible(holders[1].page, "depouillement-resultats-calcules")
    finally:
        for h in holders:
            h.close()
    assert DecryptionUpload.objects.count() == 6
    for i in range(2):
        count = ScrutinCount.objects.get(scrutin=world.scrutin(i))
        choices = world.choices[world.scrutin(i).uuid]
        assert count.state == ScrutinCount.State.RESULT
        assert count.counts == [choices.count(k) for k in range(3)]
    # The key never left the page: neither secret in a request body, nor in any store.
    secrets = {str(world.keys.president_key), str(world.keys.group.share(1))}
    secrets |= {world.keys.group.seeds[0], PASSPHRASE}
    bodies = "\n".join(b.decode("utf-8", "replace") for h in holders for b in h.bodies)
    stored = db_text()
    assert not [s for s in secrets if s in bodies or s in stored]
    unlogged |= secrets


def test_the_page_refuses_a_tally_that_is_not_the_product_of_the_ballots(
    chromium, live_server, page, assert_accessible, tmp_path, monkeypatch
):
    world = count_world_make(voters=3, lists=2, scrutins=2)
    president = member_make(world.election, "president").user
    count_open(election=world.election, actor=president)
    files = _key_files(world, tmp_path / "keys")
    # The server serves, for the second scrutin, the first scrutin's tally: the product of
    # other ballots, which the president would otherwise decrypt for it.
    real = views.browser_decryption_data
    second = world.scrutin(1)
    other = urn_count_state(scrutin_uuid=world.scrutin(0).uuid)
    assert other is not None

    def forged(*, election):
        data = real(election=election)
        for s in data["scrutins"]:
            if s["uuid"] == second.uuid:
                s["tally"] = tally_text(other.tally)
        return data

    monkeypatch.setattr(views, "browser_decryption_data", forged)
    holder = Holder(chromium, live_server, president, tmp_path)
    try:
        holder.count_decrypt(world.election.pk, files["privkey"])
        status = holder.page.locator("#count-status")
        expect(status).to_contain_text(
            f"Refus : le décompte chiffré que le serveur présente pour le scrutin {second} "
            "n'est pas le produit des bulletins publiés."
        )
        assert holder.page.locator(".msg").count() == 0
        assert_accessible(holder.page, "decompte-refuse")
    finally:
        holder.close()
    assert DecryptionUpload.objects.count() == 0
