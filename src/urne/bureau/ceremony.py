"""The key ceremony (ADR 0722): the holders make their keys on their own devices, the server
plays only the coordinator's steps, on public data.

The president makes a single key (``ID.pubkey``, with its proof of knowledge). With three
delegates or more, they run belenios-tool's threshold key generation, t of n: each sends its
certificate (step 1), then its polynomial (step 3); the coordinator checks the certificates
(step 2), routes the encrypted secrets (step 4, the vinputs); each sends its voutput (step 5),
and the coordinator checks everything and makes the group's parameters (step 6). With two
delegates a threshold is impossible (2 ≤ t < n), so each makes a single key like the
president. Every submission is checked here before it is kept, every step is audited, and the
outcome writes each covered scrutin's setup into its urn (``authority.setup.trustees_setup``).

A holder may make any file with the page, ``urne-trustee`` or belenios-tool (ADR 0720 says
which version for which step): the same texts are accepted from each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.audit.services import audit_append
from urne.crypto.encoding import FormatError, JsonValue, dumps, loads
from urne.crypto.group import GROUP, GroupError
from urne.crypto.threshold import (
    AES_GCM,
    Context,
    EncryptedMessage,
    Polynomial,
    ThresholdError,
    VOutput,
    cert_id,
    cert_keys,
    compute_verification_keys,
    step2,
    step4,
    step6,
    verify_cert,
    verify_signature,
)
from urne.crypto.trustees import (
    SignedMessage,
    ThresholdParameters,
    Trustee,
    TrusteePublicKey,
    check_single,
    raw_coefexps,
    single_key_id,
    trustees_to_json,
)

from .models import Bureau, Ceremony, CeremonyHolder, Member
from .selectors import bureau_scrutins, key_holders

#: A submitted public file's largest size (a polynomial of 20 delegates is about 30 KB).
MAX_TEXT = 200_000

MESSAGES = {
    "no_president": gettext_lazy("Le bureau n'a pas de président ayant rejoint le bureau."),
    "few_delegates": gettext_lazy(
        "Il faut au moins deux délégués ayant rejoint le bureau pour la cérémonie."
    ),
    "threshold": gettext_lazy(
        "Le seuil doit être d'au moins 2 et inférieur au nombre de délégués (%(n)d)."
    ),
    "exists": gettext_lazy("Une cérémonie des clés est déjà ouverte pour ce bureau."),
    "president_only": gettext_lazy("Seul le président ouvre la cérémonie des clés."),
    "not_holder": gettext_lazy("Vous ne détenez pas de clé dans cette cérémonie."),
    "nothing_due": gettext_lazy("Aucune étape ne vous est demandée pour l'instant."),
    "unreadable": gettext_lazy("Ce fichier n'est pas celui attendu à cette étape : %(e)s"),
    "invalid": gettext_lazy("Ce fichier ne se vérifie pas : %(e)s"),
    "duplicate": gettext_lazy("Cette clé publique est déjà celle d'un autre détenteur."),
    "voided": gettext_lazy(
        "Cette clé vient d'une cérémonie annulée après une perte de clé : elle n'est plus "
        "acceptée. Produisez une nouvelle clé (ADR 0703)."
    ),
    "cipher": gettext_lazy(
        "Ce polynôme est chiffré en AES-CCM (belenios-tool 3.0) : la cérémonie demande "
        "l'AES-GCM de belenios-tool 3.1 et suivants ou d'urne-trustee (ADR 0720)."
    ),
}


class CeremonyError(Exception):
    """A refused step: ``code`` (a key of ``MESSAGES``) and its French message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text


# -- what each holder must do ------------------------------------------------------------------

#: A holder's steps, in order: the key (president, single delegates) or certificate,
#: the polynomial, the voutput.
KEY, CERT, POLYNOMIAL, VOUTPUT = "key", "cert", "polynomial", "voutput"


def holder_due(holder: CeremonyHolder) -> str | None:
    """The step the holder has to do now (``KEY``, ``CERT``, ``POLYNOMIAL``, ``VOUTPUT``), or
    None (done, or waiting for the others)."""
    ceremony = holder.ceremony
    single = holder.position == 0 or ceremony.threshold is None
    if ceremony.phase in (Ceremony.Phase.DONE, Ceremony.Phase.CANCELLED):
        return None
    if single:
        return KEY if not holder.pubkey else None
    if ceremony.phase == Ceremony.Phase.KEYS:
        return CERT if not holder.cert else None
    if ceremony.phase == Ceremony.Phase.POLYNOMIALS:
        return POLYNOMIAL if not holder.polynomial else None
    return VOUTPUT if not holder.voutput else None


def fingerprint(text: str) -> str:
    """What the procès-verbal and the audit show of a public file: its SHA-256, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()


# -- reads of the public data ------------------------------------------------------------------


def _delegates(ceremony: Ceremony) -> list[CeremonyHolder]:
    return list(ceremony.holders.exclude(position=0).order_by("position"))


def ceremony_certs(ceremony: Ceremony) -> list[SignedMessage]:
    """The delegates' certificates, in their order (empty until all are in)."""
    delegates = _delegates(ceremony)
    if ceremony.threshold is None or not all(h.cert for h in delegates):
        return []
    return [SignedMessage.of_json(loads(h.cert)) for h in delegates]


def holder_file_name(holder: CeremonyHolder, kind: str) -> str:
    """The file name belenios-tool gives a holder's file: ``ID.pubkey`` for a single key,
    ``ID.cert`` / ``ID.vinput`` / ``ID.dkey`` with the certificate's id."""
    if kind == "pubkey":
        return f"{single_key_id(TrusteePublicKey.of_json(loads(holder.pubkey)))}.pubkey"
    return f"{cert_id(SignedMessage.of_json(loads(holder.cert)))}.{kind}"


# -- opening -----------------------------------------------------------------------------------


def ceremony_start(*, bureau: Bureau, threshold: int | None, actor: Any) -> Ceremony:
    """Open the bureau's ceremony (by its president): the holders are the president and every
    delegate who has joined, in the bureau's order; ``threshold`` is t (ignored, and None,
    with two delegates)."""
    holders = list(key_holders(bureau).filter(user__isnull=False))
    president = [m for m in holders if m.role == Member.Role.PRESIDENT]
    delegates = [m for m in holders if m.role == Member.Role.DELEGATE]
    if not president:
        raise CeremonyError("no_president")
    if getattr(actor, "pk", None) != president[0].user_id:
        raise CeremonyError("president_only")
    n = len(delegates)
    if n < 2:
        raise CeremonyError("few_delegates")
    if n == 2:
        threshold = None
    elif threshold is None or not 2 <= threshold < n:
        raise CeremonyError("threshold", n=n)
    with transaction.atomic():
        # One live ceremony per bureau: the bureau's row serialises two openings.
        Bureau.objects.select_for_update().get(pk=bureau.pk)
        if bureau.ceremonies.exclude(phase=Ceremony.Phase.CANCELLED).exists():
            raise CeremonyError("exists")
        ceremony = Ceremony.objects.create(bureau=bureau, threshold=threshold, started_by=actor)
        CeremonyHolder.objects.bulk_create(
            [CeremonyHolder(ceremony=ceremony, member=president[0], position=0)]
            + [
                CeremonyHolder(ceremony=ceremony, member=m, position=i)
                for i, m in enumerate(delegates, start=1)
            ]
        )
        audit_append(
            actor=actor,
            action="bureau.ceremony_start",
            obj=ceremony,
            data={
                "threshold": threshold,
                "delegates": n,
                "holders": [m.pk for m in president + delegates],
            },
        )
    return ceremony


# -- a holder's submission ---------------------------------------------------------------------


def voided_keys(bureau: Bureau) -> set[str]:
    """The public keys of the bureau's cancelled ceremonies (ADR 0703): the president's and
    single keys, the certificates' verification and encryption keys. A new ceremony refuses
    them, so no file made before the loss comes back."""
    out: set[str] = set()
    holders = CeremonyHolder.objects.filter(
        ceremony__bureau=bureau, ceremony__phase=Ceremony.Phase.CANCELLED
    ).values_list("pubkey", "cert")
    for pubkey, cert in holders:
        if pubkey:
            out.add(str(loads(pubkey).get("public_key")))
        if cert:
            keys = cert_keys(SignedMessage.of_json(loads(cert)))
            out |= {
                GROUP.element_to_string(keys.verification),
                GROUP.element_to_string(keys.encryption),
            }
    return out


def _unreadable(exc: Exception) -> CeremonyError:
    return CeremonyError("unreadable", e=str(exc)[:200])


def _check_key(ceremony: Ceremony, holder: CeremonyHolder, text: str) -> str:
    try:
        tpk = TrusteePublicKey.of_json(loads(text))
    except (FormatError, GroupError, ValueError) as exc:
        raise _unreadable(exc) from exc
    if tpk.signature is not None or not check_single(tpk):
        raise CeremonyError("invalid", e=_("preuve de connaissance invalide"))
    others = ceremony.holders.exclude(pk=holder.pk).exclude(pubkey="")
    mine = GROUP.element_to_string(tpk.public_key)
    if mine in voided_keys(ceremony.bureau):
        raise CeremonyError("voided")
    if any(loads(h.pubkey).get("public_key") == mine for h in others):
        raise CeremonyError("duplicate")
    return dumps(tpk.to_json())


def _check_cert(ceremony: Ceremony, holder: CeremonyHolder, text: str) -> str:
    if ceremony.threshold is None:
        raise CeremonyError("nothing_due")
    try:
        cert = SignedMessage.of_json(loads(text))
        cert_keys(cert)
    except (FormatError, GroupError, ValueError) as exc:
        raise _unreadable(exc) from exc
    context = Context(holder.position, ceremony.threshold, ceremony.size)
    if not verify_cert(context, cert):
        raise CeremonyError(
            "invalid",
            e=_("le certificat doit porter le contexte %(c)s et être signé par sa clé")
            % {"c": f"{context.index}/{context.threshold}/{context.size}"},
        )
    others = ceremony.holders.exclude(pk=holder.pk).exclude(cert="")
    keys = cert_keys(cert)
    void = voided_keys(ceremony.bureau)
    if {GROUP.element_to_string(k) for k in (keys.verification, keys.encryption)} & void:
        raise CeremonyError("voided")
    for other in others:
        theirs = cert_keys(SignedMessage.of_json(loads(other.cert)))
        if theirs.verification == keys.verification or theirs.encryption == keys.encryption:
            raise CeremonyError("duplicate")
    return dumps(cert.to_json())


def _check_polynomial(ceremony: Ceremony, holder: CeremonyHolder, text: str) -> str:
    certs = ceremony_certs(ceremony)
    if ceremony.threshold is None:
        raise CeremonyError("nothing_due")
    try:
        polynomial = Polynomial.of_json(loads(text))
        messages = [
            EncryptedMessage.of_string(s) for s in (polynomial.polynomial, *polynomial.secrets)
        ]
        exps = raw_coefexps(polynomial.coefexps)
    except (FormatError, GroupError, ValueError) as exc:
        raise _unreadable(exc) from exc
    if any(m.algorithm != AES_GCM for m in messages):
        raise CeremonyError("cipher")
    keys = cert_keys(certs[holder.position - 1])
    if (
        len(polynomial.secrets) != len(certs)
        or len(exps) != ceremony.threshold
        or not all(GROUP.check(e) for e in exps)
        or not verify_signature(keys.verification, polynomial.coefexps)
        or polynomial.signature is None
    ):
        raise CeremonyError("invalid", e=_("polynôme d'une autre forme, ou mal signé"))
    signed = SignedMessage(
        "certs_sig|"
        + dumps(
            {
                "certs": [c.to_json() for c in certs],
                "coefexps": [GROUP.element_to_string(e) for e in exps],
            }
        ),
        polynomial.signature,
    )
    if not verify_signature(keys.verification, signed):
        raise CeremonyError("invalid", e=_("signature des certificats invalide"))
    return dumps(polynomial.to_json())


def _check_voutput(ceremony: Ceremony, holder: CeremonyHolder, text: str) -> str:
    certs = ceremony_certs(ceremony)
    try:
        voutput = VOutput.of_json(loads(text))
        EncryptedMessage.of_string(voutput.private_key)
    except (FormatError, GroupError, ValueError) as exc:
        raise _unreadable(exc) from exc
    coefexps = [
        raw_coefexps(Polynomial.of_json(loads(h.polynomial)).coefexps) for h in _delegates(ceremony)
    ]
    expected = compute_verification_keys(coefexps)[holder.position - 1]
    tpk = voutput.public_key
    keys = cert_keys(certs[holder.position - 1])
    if (
        not check_single(tpk)
        or tpk.public_key != expected
        or tpk.signature is None
        or not verify_signature(
            keys.verification, SignedMessage(GROUP.element_to_string(expected), tpk.signature)
        )
    ):
        raise CeremonyError("invalid", e=_("part de clé fausse ou mal signée"))
    return dumps(voutput.to_json())


@dataclass(frozen=True)
class Submitted:
    step: str
    fingerprint: str
    finished: bool


def ceremony_submit(*, ceremony: Ceremony, member: Member, text: str, actor: Any) -> Submitted:
    """Keep a holder's public file for the step due (checked first), audit it, then play the
    coordinator's steps that it completes; the ceremony's end writes the urns' setups."""
    if len(text) > MAX_TEXT:
        raise CeremonyError("unreadable", e=_("fichier trop grand"))
    text = text.strip()
    with transaction.atomic():
        # The ceremony's row serialises the holders' submissions and the coordinator.
        ceremony = Ceremony.objects.select_for_update().get(pk=ceremony.pk)
        holder = ceremony.holders.filter(member=member).select_related("ceremony").first()
        if holder is None:
            raise CeremonyError("not_holder")
        holder.ceremony = ceremony
        step = holder_due(holder)
        now = timezone.now()
        if step is None:
            raise CeremonyError("nothing_due")
        if step == KEY:
            holder.pubkey, holder.key_at = _check_key(ceremony, holder, text), now
            kept = holder.pubkey
        elif step == CERT:
            holder.cert, holder.key_at = _check_cert(ceremony, holder, text), now
            kept = holder.cert
        elif step == POLYNOMIAL:
            holder.polynomial = _check_polynomial(ceremony, holder, text)
            holder.polynomial_at, kept = now, holder.polynomial
        else:
            holder.voutput = _check_voutput(ceremony, holder, text)
            holder.voutput_at, kept = now, holder.voutput
        holder.save()
        print_ = fingerprint(kept)
        audit_append(
            actor=actor,
            action=f"bureau.ceremony_{step}",
            obj=ceremony,
            data={"holder": holder.position, "member": member.pk, "sha256": print_},
        )
        _coordinate(ceremony, actor)
    finished = ceremony.phase == Ceremony.Phase.DONE
    if finished:
        ceremony_setups_write(ceremony=ceremony, actor=actor, quiet=True)
    return Submitted(step, print_, finished)


# -- the coordinator ---------------------------------------------------------------------------


def _coordinate(ceremony: Ceremony, actor: Any) -> None:
    """Play the coordinator's steps that the submissions so far allow (steps 2, 4, 6), and
    close the ceremony once every key is in."""
    holders = list(ceremony.holders.order_by("position"))
    delegates = holders[1:]
    try:
        if (
            ceremony.threshold is not None
            and ceremony.phase == Ceremony.Phase.KEYS
            and all(h.cert for h in delegates)
        ):
            step2(ceremony_certs(ceremony))
            ceremony.phase = Ceremony.Phase.POLYNOMIALS
            _coordinator_audit(ceremony, actor, "certs", len(delegates))
        if ceremony.phase == Ceremony.Phase.POLYNOMIALS and all(h.polynomial for h in delegates):
            polynomials = [Polynomial.of_json(loads(h.polynomial)) for h in delegates]
            vinputs = step4(ceremony_certs(ceremony), polynomials)
            for h, vi in zip(delegates, vinputs, strict=True):
                h.vinput = dumps(vi.to_json())
                h.save(update_fields=["vinput"])
            ceremony.phase = Ceremony.Phase.SHARES
            _coordinator_audit(ceremony, actor, "vinputs", len(delegates))
        if ceremony.phase == Ceremony.Phase.SHARES and all(h.voutput for h in delegates):
            params, _dkeys = step6(
                ceremony_certs(ceremony),
                [Polynomial.of_json(loads(h.polynomial)) for h in delegates],
                [VOutput.of_json(loads(h.voutput)) for h in delegates],
            )
            ceremony.group_json = dumps(params.to_json())
            _coordinator_audit(ceremony, actor, "group", len(delegates))
    except (ThresholdError, FormatError) as exc:
        # Every file was checked on its way in: a failure here is a holder's forged file.
        raise CeremonyError("invalid", e=str(exc)[:200]) from exc
    president = holders[0]
    keys_in = president.pubkey and (
        bool(ceremony.group_json)
        if ceremony.threshold is not None
        else all(h.pubkey for h in delegates)
    )
    if keys_in and ceremony.phase != Ceremony.Phase.DONE:
        trustees: list[Trustee] = [TrusteePublicKey.of_json(loads(president.pubkey))]
        if ceremony.threshold is None:
            trustees += [TrusteePublicKey.of_json(loads(h.pubkey)) for h in delegates]
        else:
            trustees.append(ThresholdParameters.of_json(loads(ceremony.group_json)))
        ceremony.trustees_json = dumps(trustees_to_json(trustees))
        ceremony.phase = Ceremony.Phase.DONE
        ceremony.finished_at = timezone.now()
        audit_append(
            actor=actor,
            action="bureau.ceremony_done",
            obj=ceremony,
            data={"trustees_sha256": fingerprint(ceremony.trustees_json)},
        )
    ceremony.save()


def _coordinator_audit(ceremony: Ceremony, actor: Any, step: str, n: int) -> None:
    audit_append(
        actor=actor,
        action=f"bureau.ceremony_coordinator_{step}",
        obj=ceremony,
        data={"phase": ceremony.phase, "delegates": n},
    )


def ceremony_trustees(ceremony: Ceremony) -> list[Trustee]:
    from urne.crypto.trustees import parse_trustees

    return parse_trustees(loads(ceremony.trustees_json))


@dataclass(frozen=True)
class SetupsWritten:
    written: list[str]
    error: str = ""


def ceremony_setups_write(*, ceremony: Ceremony, actor: Any, quiet: bool = False) -> SetupsWritten:
    """Write the ceremony's trustees into each covered scrutin's urn (scrutins already set up
    are left as they are). ``quiet``: a refusal (the vote codes not generated yet) is returned,
    not raised, so the ceremony's last step is kept and the setup can be written later."""
    from urne.authority.setup import trustees_setup
    from urne.urn.services import UrnError

    if ceremony.phase != Ceremony.Phase.DONE:
        raise CeremonyError("nothing_due")
    bureau = ceremony.bureau
    try:
        try:
            outcome = trustees_setup(
                election=bureau.election,
                scrutins=list(bureau_scrutins(bureau)),
                trustees=ceremony_trustees(ceremony),
                actor=actor,
            )
        except UrnError as exc:
            # A scrutin's urn set up otherwise meanwhile (the manager's upload).
            raise ValidationError(
                _("Une urne a déjà été initialisée avec d'autres clés : %(e)s") % {"e": exc}
            ) from exc
    except ValidationError as exc:
        if not quiet:
            raise
        return SetupsWritten([], "; ".join(exc.messages))
    Ceremony.objects.filter(pk=ceremony.pk).update(setups_written_at=timezone.now())
    audit_append(
        actor=actor,
        action="bureau.ceremony_setups",
        obj=ceremony,
        data={"written": outcome.written, "skipped": outcome.skipped},
    )
    return SetupsWritten(outcome.written)


def public_json(ceremony: Ceremony, holder: CeremonyHolder | None) -> dict[str, JsonValue]:
    """What a holder's page needs to do its step: its place, the certificates, its vinput
    (all public)."""
    certs = ceremony_certs(ceremony)
    out: dict[str, JsonValue] = {
        "phase": ceremony.phase,
        "threshold": ceremony.threshold,
        "size": ceremony.size,
        "certs": [c.to_json() for c in certs],
    }
    if holder is not None:
        out["position"] = holder.position
        out["due"] = holder_due(holder)
        out["vinput"] = loads(holder.vinput) if holder.vinput else None
    return out
