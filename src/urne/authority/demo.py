"""The demo election's codes and urns (called by ``manage.py demo_setup``): vote codes for
every voter, demo trustee keys (a president's single key, a 3-delegate group with threshold
2) whose PRIVATE files go under ``var/demo-trustees/`` so that a newcomer can count the demo
later with ``urne-trustee``, and each scrutin's setup written into the urn. Demo only: real
keys are made by their holders on their own machines."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from urne.ceremony import threshold_ceremony
from urne.crypto.encoding import dumps
from urne.crypto.primitives import secure_scalar
from urne.crypto.trustees import generate_single_key, single_key_id

from .models import CredentialSet, PublicCredential, ScrutinSetup
from .services import code_derive, credentials_generate
from .setup import scrutins_setup


class _SecureRandom:
    """The ceremony's randomness from the OS (``SeededRandom``'s interface)."""

    scalar = staticmethod(secure_scalar)
    choice = staticmethod(secrets.choice)


def _save(path: Path, text: str, mode: int) -> None:
    path.write_text(text + "\n")
    path.chmod(mode)


def authority_demo(*, election: Any, log: Callable[[str], Any]) -> list[str]:
    """Codes, demo trustees and urn setups for the demo election (idempotent); returns the
    lines ``make demo`` prints."""
    out = Path(settings.VAR_DIR) / "demo-trustees" / str(election.pk)
    cset = CredentialSet.objects.filter(election_id=election.pk, generated_at__isnull=False).first()
    if cset is None:
        log("Generating vote codes (1 + 3 per voter) and public credentials…")
        cset = credentials_generate(
            election=election,
            actor="demo",
            progress=lambda done, total: (
                log(f"  {done}/{total} voters") if done % 5000 == 0 else None
            ),
        )
    # A scrutin is set up once it has lists and voters (a demo of a few voters leaves many
    # perimeters empty).
    with_codes = set(
        PublicCredential.objects.filter(slot__election_id=election.pk)
        .values_list("scrutin_uuid", flat=True)
        .distinct()
    )
    scrutins = [
        s for s in election.scrutins.order_by("pk") if s.lists.exists() and s.uuid in with_codes
    ]
    if not ScrutinSetup.objects.filter(election_id=election.pk).exists() and scrutins:
        log("Demo key ceremony (president + 3 delegates, threshold 2) and urn setups…")
        out.mkdir(parents=True, exist_ok=True)
        rnd: Any = _SecureRandom()  # fresh keys at each new demo
        x, tpk = generate_single_key(secure_scalar)
        key_id = single_key_id(tpk)
        _save(out / f"{key_id}.pubkey", dumps(tpk.to_json()), 0o444)
        _save(out / f"{key_id}.privkey", json.dumps(str(x)), 0o400)
        group = threshold_ceremony(3, 2, rnd)
        _save(out / "threshold.json", dumps(group.params.to_json()), 0o444)
        for i in range(3):
            _save(out / f"delegate-{i + 1}.key", group.seeds[i], 0o400)
            _save(out / f"delegate-{i + 1}.dkey", group.dkeys[i], 0o400)
        scrutins_setup(
            election=election,
            scrutins=scrutins,
            president=(out / f"{key_id}.pubkey").read_bytes(),
            threshold=(out / "threshold.json").read_bytes(),
            actor="demo",
        )
    voter_id = _first_voter(election.pk)
    lines = [
        f"Urns: {ScrutinSetup.objects.filter(election_id=election.pk).count()} scrutins set up.",
        f"Demo trustee PRIVATE keys (demo only): {out}/",
        "  president: *.privkey (urne-trustee decrypt --trustee-id 1);",
        "  delegates: delegate-N.key + delegate-N.dkey (urne-trustee decrypt-threshold).",
        f"Notices (PDF): manage.py authority_notices {election.pk} var/notices",
    ]
    if voter_id is not None:
        code = code_derive(credential_set=cset, voter_id=voter_id, index=0)
        lines.append(f"  demo voter #{voter_id}'s vote code (demo only): {code}")
    return lines


def _first_voter(election_id: int) -> int | None:
    from .models import CodeSlot

    return (
        CodeSlot.objects.filter(election_id=election_id, index=0)
        .order_by("voter_id")
        .values_list("voter_id", flat=True)
        .first()
    )
