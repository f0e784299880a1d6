"""``manage.py count_recount``: the proclaimed results and seats recomputed from the archives
alone; a proclamation or an archive that differs is named and the command fails."""

import io

import pytest
from django.core.management import call_command

from factories.count import count_world_make, holder_bundle
from factories.elections import staff_make
from urne.count.models import ScrutinCount
from urne.count.services import count_open, decryptions_upload, result_proclaim
from urne.crypto.archive import read_records, write_records
from urne.urn.selectors import urn_archive_bytes

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def proclaimed():
    world = count_world_make(voters=5, lists=3)
    holders = [staff_make("bureau"), staff_make("delegate"), staff_make("delegate")]
    count_open(election=world.election, actor=holders[0])
    for n, h in enumerate(holders):
        decryptions_upload(election=world.election, actor=h, content=holder_bundle(world, n))
    for cs in world.setup.scrutins:
        result_proclaim(scrutin=cs.scrutin, actor=holders[0], seed="tirage 17")
    return world


def _recount(world, *args):
    out = io.StringIO()
    code = 0
    try:
        call_command("count_recount", str(world.election.pk), *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_the_recount_agrees_with_the_proclamation(proclaimed, tmp_path):
    code, out = _recount(proclaimed)
    assert code == 0, out
    assert "2 scrutins recounted, 0 differ" in out
    for cs in proclaimed.setup.scrutins:
        (tmp_path / f"{cs.scrutin.uuid}.bel").write_bytes(
            urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid)
        )
    assert _recount(proclaimed, "--archives", str(tmp_path))[0] == 0


def test_a_proclamation_or_an_archive_that_differs_fails_the_recount(proclaimed, tmp_path):
    first, second = (cs.scrutin for cs in proclaimed.setup.scrutins)
    row = ScrutinCount.objects.get(scrutin=first)
    row.counts = [row.counts[1], row.counts[0], *row.counts[2:]]
    row.save()
    # The second scrutin's published copy lost its last records (partial decryption, Result).
    records = read_records(urn_archive_bytes(scrutin_uuid=second.uuid))
    (tmp_path / f"{first.uuid}.bel").write_bytes(urn_archive_bytes(scrutin_uuid=first.uuid))
    (tmp_path / f"{second.uuid}.bel").write_bytes(write_records(records[:-4], 1_790_000_000))
    code, out = _recount(proclaimed, "--archives", str(tmp_path))
    assert code == 1
    assert f"DIFFERS {first.uuid}" in out and "proclaimed" in out
    assert f"DIFFERS {second.uuid}" in out
    assert "2 scrutins recounted, 2 differ" in out
