"""Scrutin setup: the bureau's trustee public data checked, then each scrutin's Belenios
setup (election, trustees, every public credential) written as the urn's first events
(docs/architecture.md, "The keys and the count"; docs/protocol.md §3, §4, §6)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from urne.audit.services import audit_append
from urne.crypto.credentials import make_public_credentials
from urne.crypto.election import HomomorphicQuestion, make_election
from urne.crypto.encoding import FormatError, dumps, loads
from urne.crypto.group import GROUP, GroupError
from urne.crypto.threshold import check_pedersen
from urne.crypto.trustees import (
    ThresholdParameters,
    Trustee,
    TrusteePublicKey,
    check_single,
    election_public_key,
    trustees_to_json,
)

from .models import CredentialSet, ScrutinSetup
from .selectors import public_credentials_of
from .services import STORE

QUESTION = "Pour quelle liste votez-vous ?"


@dataclass(frozen=True)
class SetupOutcome:
    written: list[str]
    skipped: list[str]


def trustees_parse(*, president: bytes, threshold: bytes) -> list[Trustee]:
    """The president's ``ID.pubkey`` and the delegates' ``threshold.json`` (urne-trustee),
    each checked (``check_single``, ``check_pedersen``); a clear French error otherwise."""
    try:
        single = TrusteePublicKey.of_json(loads(president))
    except (FormatError, GroupError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("La clé du président n'est pas un fichier ID.pubkey lisible : %(e)s") % {"e": exc}
        ) from exc
    if not check_single(single):
        raise ValidationError(
            _("La clé du président ne se vérifie pas (preuve de connaissance invalide).")
        )
    try:
        group = ThresholdParameters.of_json(loads(threshold))
    except (FormatError, GroupError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("Le fichier threshold.json des délégués n'est pas lisible : %(e)s") % {"e": exc}
        ) from exc
    failures = check_pedersen(group)
    if failures:
        raise ValidationError(
            _("Le groupe de clés des délégués ne se vérifie pas : %(f)s")
            % {"f": "; ".join(failures)}
        )
    return [single, group]


def scrutin_election_json(*, scrutin: Any, trustees: list[Trustee]) -> str:
    """The Belenios election parameters of a scrutin: one homomorphic question, the lists as
    answers, blank allowed, exactly one choice (§3)."""
    answers = tuple(cl.label for cl in scrutin.lists.order_by("pk"))
    if not answers:
        raise ValidationError(
            _("Le scrutin « %(s)s » n'a aucune liste de candidats.") % {"s": scrutin}
        )
    election = make_election(
        uuid=scrutin.uuid,
        name=f"{scrutin.election.name} – {scrutin}",
        description=f"{scrutin.body.name} {scrutin.perimeter}".strip(),
        public_key=election_public_key(trustees),
        questions=[HomomorphicQuestion(QUESTION, answers, 1, 1, blank=True)],
    )
    return election.raw


def scrutins_setup(
    *, election: Any, scrutins: list[Any], president: bytes, threshold: bytes, actor: Any
) -> SetupOutcome:
    """Write the setup of each of ``scrutins`` into the urn (``urn_setup``) and freeze its
    credential list here. Scrutins already set up are skipped."""
    trustees = trustees_parse(president=president, threshold=threshold)
    return trustees_setup(election=election, scrutins=scrutins, trustees=trustees, actor=actor)


def trustees_setup(
    *, election: Any, scrutins: list[Any], trustees: list[Trustee], actor: Any
) -> SetupOutcome:
    """``scrutins_setup`` for trustees already checked: the manager's upload, or the bureau's
    key ceremony (``urne.bureau.ceremony``, whose outcome may be single keys only)."""
    from urne.urn.services import urn_setup

    trustees_text = dumps(trustees_to_json(trustees))
    if not CredentialSet.objects.filter(election_id=election.pk, generated_at__isnull=False):
        raise ValidationError(_("Générez d'abord les codes de vote de l'élection."))
    written, skipped = [], []
    for scrutin in scrutins:
        if ScrutinSetup.objects.filter(scrutin_uuid=scrutin.uuid).exists():
            skipped.append(scrutin.uuid)
            continue
        election_text = scrutin_election_json(scrutin=scrutin, trustees=trustees)
        creds = public_credentials_of(scrutin_uuid=scrutin.uuid)
        if not creds:
            raise ValidationError(
                _("Le scrutin « %(s)s » n'a aucun électeur muni d'un code.") % {"s": scrutin}
            )
        public = make_public_credentials(GROUP.element_of_string(c) for c in creds)
        # urn_setup is idempotent for the same texts, so a crash between the two stores is
        # repaired by running the setup again.
        urn_setup(
            scrutin_uuid=scrutin.uuid,
            election=election_text,
            trustees=trustees_text,
            public_credentials=dumps(public.to_json()),
        )
        with transaction.atomic(using=STORE), transaction.atomic():
            ScrutinSetup.objects.create(
                election_id=election.pk,
                scrutin_uuid=scrutin.uuid,
                credentials=len(creds),
                trustees_sha256=hashlib.sha256(trustees_text.encode()).hexdigest(),
            )
            audit_append(
                actor=actor,
                action="authority.scrutin_setup",
                obj=scrutin,
                data={"uuid": scrutin.uuid, "credentials": len(creds)},
            )
        written.append(scrutin.uuid)
    return SetupOutcome(written, skipped)


def setups_remove(*, election: Any, scrutins: list[Any], actor: Any) -> list[str]:
    """Undo ``trustees_setup`` for ``scrutins`` before the seal (ADR 0703: a key lost, the
    keys made again): each urn's log removed while it is empty, then the scrutin's setup
    record, so its credential list and a new setup may follow. Returns the uuids removed;
    an urn holding a ballot or a count raises ``urn.services.UrnError``."""
    from urne.urn.services import urn_setup_remove

    removed = []
    for scrutin in scrutins:
        had_urn = urn_setup_remove(scrutin_uuid=scrutin.uuid)
        with transaction.atomic(using=STORE), transaction.atomic():
            deleted, _rows = ScrutinSetup.objects.filter(scrutin_uuid=scrutin.uuid).delete()
            if had_urn or deleted:
                audit_append(
                    actor=actor,
                    action="authority.scrutin_setup_removed",
                    obj=scrutin,
                    data={"uuid": scrutin.uuid, "election": election.pk},
                )
                removed.append(scrutin.uuid)
    return removed
