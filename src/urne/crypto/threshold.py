"""Threshold ("Pedersen") key generation in the belenios-tool 3.0 format (docs/protocol.md §6.2,
§12 "2.5.1", §14): members' PKI, signed and encrypted channels, steps 1–6, checks.

The channels' symmetric cipher is 3.0's AES-CCM or 3.1+'s AES-GCM (named by an ``algorithm``
field); both are read, and the key ceremony writes AES-GCM, the one belenios-tool 3.3 reads
(ADR 0720).

"threshold" is the number of members needed (polynomial degree threshold − 1), as in the
tool. Members are numbered from 1 in certificate order.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM

from .election import BASE58_ALPHABET
from .encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    loads,
    sha256_hex,
)
from .group import DESCRIPTION, GROUP, Element, GroupError, Q, scalar_of_string
from .primitives import Proof, ScalarSource, element_of_json, schnorr_commitment, secure_scalar
from .trustees import (
    SignedMessage,
    ThresholdParameters,
    TrusteePublicKey,
    check_single,
    prove_key,
    raw_coefexps,
)


class ThresholdError(ValueError):
    """A step of the key generation cannot go on (``PedersenFailure``, §6.2)."""


# -- PKI (trustees.ml MakePKI) ---------------------------------------------------------------


def generate_seed(choice: Callable[[str], str] = secrets.choice) -> str:
    """A member's private PKI seed: 22 base58 characters (the ``ID.key`` file, §6.2)."""
    return "".join(choice(BASE58_ALPHABET) for _ in range(22))


def derive_signing_key(seed: str) -> int:
    """``sk = SHA-256("sk|" ‖ seed) mod q`` (3.0 reduces it, §14)."""
    return int(sha256_hex("sk|" + seed), 16) % Q


def derive_decryption_key(seed: str) -> int:
    """``dk = SHA-256("dk|" ‖ seed) mod q`` (§14)."""
    return int(sha256_hex("dk|" + seed), 16) % Q


def sign(sk: int, message: str, random: ScalarSource = secure_scalar) -> SignedMessage:
    """Schnorr signature with prefix ``sigmsg|message|`` (§6.2)."""
    w = random()
    challenge = GROUP.hash_to_scalar(f"sigmsg|{message}|", [GROUP.mul_base(w)])
    return SignedMessage(message, Proof(challenge, (w - sk * challenge) % Q))


def verify_signature(vk: Element, signed: SignedMessage) -> bool:
    """Check a ``signed_msg`` against a verification key (§6.2)."""
    commitment = schnorr_commitment(vk, signed.signature)
    return signed.signature.challenge == GROUP.hash_to_scalar(
        f"sigmsg|{signed.message}|", [commitment]
    )


#: 3.0's cipher (no ``algorithm`` field) and 3.1+'s (``"algorithm":"AES-GCM"``), ADR 0720.
AES_CCM = "AES-CCM"
AES_GCM = "AES-GCM"
CIPHERS = (AES_CCM, AES_GCM)


@dataclass(frozen=True, slots=True)
class EncryptedMessage:
    """``encrypted_msg`` (§6.2): ElGamal-wrapped symmetric key, hex data; ``algorithm`` is
    ``AES-GCM`` (3.1+) or ``AES-CCM`` (3.0, written without the field)."""

    alpha: Element
    beta: Element
    data: str
    algorithm: str = AES_CCM

    def to_json(self) -> dict[str, JsonValue]:
        s = GROUP.element_to_string
        out: dict[str, JsonValue] = {}
        if self.algorithm != AES_CCM:
            out["algorithm"] = self.algorithm
        out.update({"alpha": s(self.alpha), "beta": s(self.beta), "data": self.data})
        return out

    def to_string(self) -> str:
        return dumps(self.to_json())

    @staticmethod
    def of_string(text: str, what: str = "encrypted message") -> EncryptedMessage:
        obj = expect_object(loads(text), what, ("algorithm", "alpha", "beta", "data"))
        algorithm = obj.get("algorithm")
        if algorithm is None:
            algorithm = AES_CCM
        elif algorithm != AES_GCM:
            raise FormatError(f"{what}: unknown algorithm {algorithm!r}")
        return EncryptedMessage(
            element_of_json(obj.get("alpha"), what),
            element_of_json(obj.get("beta"), what),
            expect_str(obj.get("data"), what),
            algorithm,
        )


def _symmetric_key(key_element: Element) -> bytes:
    return bytes.fromhex(sha256_hex("key|" + GROUP.element_to_string(key_element)))


def _ccm(key_element: Element, alpha: Element, length: int) -> tuple[AESCCM, bytes]:
    # SJCL's CCM (platform.ml): L = 2 unless the message needs more; nonce = first 15 − L
    # bytes of SHA-256("iv|" ‖ alpha); 64-bit tag; key = SHA-256("key|" ‖ g^s).
    size_len = 2
    while size_len < 4 and length >> (8 * size_len):
        size_len += 1
    nonce = bytes.fromhex(sha256_hex("iv|" + GROUP.element_to_string(alpha)))[: 15 - size_len]
    return AESCCM(_symmetric_key(key_element), tag_length=8), nonce


def _gcm(key_element: Element, alpha: Element) -> tuple[AESGCM, bytes]:
    # 3.1+ (core/pki.ml, platform.ml): Cryptokit's AES-GCM with the whole 32-byte
    # SHA-256("iv|" ‖ alpha) as IV and a 128-bit tag after the ciphertext.
    nonce = bytes.fromhex(sha256_hex("iv|" + GROUP.element_to_string(alpha)))
    return AESGCM(_symmetric_key(key_element)), nonce


def encrypt_message(
    recipient: Element,
    plaintext: str,
    random: ScalarSource = secure_scalar,
    algorithm: str = AES_CCM,
) -> EncryptedMessage:
    """``MakePKI.encrypt`` (§6.2) with 3.0's AES-CCM or 3.1+'s AES-GCM."""
    if algorithm not in CIPHERS:
        raise ThresholdError(f"unknown cipher {algorithm!r}")
    r, s = random(), random()
    key_element = GROUP.mul_base(s)
    alpha = GROUP.mul_base(r)
    beta = GROUP.op(GROUP.mul(recipient, r), key_element)
    data = plaintext.encode()
    if algorithm == AES_GCM:
        gcm, nonce = _gcm(key_element, alpha)
        return EncryptedMessage(alpha, beta, gcm.encrypt(nonce, data, None).hex(), AES_GCM)
    aes, nonce = _ccm(key_element, alpha, len(data))
    return EncryptedMessage(alpha, beta, aes.encrypt(nonce, data, None).hex())


def decrypt_message(dk: int, message: EncryptedMessage) -> str:
    """``MakePKI.decrypt`` (§6.2); raises ThresholdError if the data does not authenticate."""
    key_element = GROUP.div(message.beta, GROUP.mul(message.alpha, dk))
    try:
        data = bytes.fromhex(message.data)
    except ValueError as exc:
        raise ThresholdError("encrypted message data is not hex") from exc
    try:
        if message.algorithm == AES_GCM:
            gcm, nonce = _gcm(key_element, message.alpha)
            clear = gcm.decrypt(nonce, data, None)
        else:
            aes, nonce = _ccm(key_element, message.alpha, len(data) - 8)
            clear = aes.decrypt(nonce, data, None)
        return clear.decode()
    except (InvalidTag, UnicodeDecodeError, ValueError) as exc:
        raise ThresholdError("cannot decrypt: wrong key or altered message") from exc


def send(
    sk: int,
    recipient: Element,
    message: str,
    random: ScalarSource = secure_scalar,
    algorithm: str = AES_CCM,
) -> EncryptedMessage:
    """``MakeChannels.send``: sign ``{"recipient","message"}`` and encrypt it (§6.2)."""
    inner = dumps({"recipient": GROUP.element_to_string(recipient), "message": message})
    return encrypt_message(recipient, dumps(sign(sk, inner, random).to_json()), random, algorithm)


def receive(dk: int, sender_vk: Element, message: EncryptedMessage) -> str:
    """``MakeChannels.recv``: decrypt, check the sender's signature and that we are the
    recipient (§6.2)."""
    signed = SignedMessage.of_json(loads(decrypt_message(dk, message)))
    if not verify_signature(sender_vk, signed):
        raise ThresholdError("invalid signature on received message")
    obj = expect_object(loads(signed.message), "channel message", ("recipient", "message"))
    if element_of_json(obj.get("recipient"), "recipient") != GROUP.mul_base(dk):
        raise ThresholdError("invalid recipient on received message")
    return expect_str(obj.get("message"), "channel message")


# -- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """A member's place in its group, carried by the certificate (3.0, §14)."""

    index: int
    threshold: int
    size: int
    group: str = DESCRIPTION

    def __post_init__(self) -> None:
        if not (self.size > 0 and 1 <= self.index <= self.size and 0 < self.threshold < self.size):
            raise ThresholdError(
                "threshold context must satisfy 1 ≤ index ≤ size and 0 < threshold < size"
            )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "group": self.group,
            "size": self.size,
            "threshold": self.threshold,
            "index": self.index,
        }

    @staticmethod
    def parse(text: str) -> Context:
        """``i/k/n`` as on belenios-tool's command line."""
        try:
            index, threshold, size = (int(p) for p in text.split("/"))
        except ValueError as exc:
            raise ThresholdError("threshold context is invalid (expected i/k/n)") from exc
        return Context(index, threshold, size)


@dataclass(frozen=True, slots=True)
class CertKeys:
    """The keys and context a certificate's message holds (``cert_keys``, §6.2, §14)."""

    context: Context | None
    verification: Element
    encryption: Element


def cert_keys(cert: SignedMessage) -> CertKeys:
    """The keys a certificate's message holds (§6.2)."""
    obj = expect_object(
        loads(cert.message), "certificate", ("context", "verification", "encryption")
    )
    ctx = obj.get("context")
    context = None
    if ctx is not None:
        c = expect_object(ctx, "certificate context", ("group", "size", "threshold", "index"))
        try:
            context = Context(
                expect_int(c.get("index"), "index"),
                expect_int(c.get("threshold"), "threshold"),
                expect_int(c.get("size"), "size"),
                expect_str(c.get("group"), "group"),
            )
        except ThresholdError as exc:
            raise FormatError(f"certificate context: {exc}") from exc
    return CertKeys(
        context,
        element_of_json(obj.get("verification"), "certificate verification key"),
        element_of_json(obj.get("encryption"), "certificate encryption key"),
    )


def cert_id(cert: SignedMessage) -> str:
    """belenios-tool's member id: SHA-256 hex of the certificate's message (§6.2)."""
    return sha256_hex(cert.message)


def verify_cert(context: Context, cert: SignedMessage) -> bool:
    """The certificate carries this context and is signed by its own key (§6.2, §14)."""
    keys = cert_keys(cert)
    return keys.context == context and verify_signature(keys.verification, cert)


def _certs_signature_message(certs: Sequence[SignedMessage], coefexps: Sequence[Element]) -> str:
    body = {
        "certs": [c.to_json() for c in certs],
        "coefexps": [GROUP.element_to_string(e) for e in coefexps],
    }
    return "certs_sig|" + dumps(body)


# -- steps -----------------------------------------------------------------------------------


def step1(
    context: Context,
    choice: Callable[[str], str] = secrets.choice,
    random: ScalarSource = secure_scalar,
) -> tuple[str, SignedMessage]:
    """Make a member's PKI seed and certificate (step 1, §6.2, §14)."""
    seed = generate_seed(choice)
    sk, dk = derive_signing_key(seed), derive_decryption_key(seed)
    keys = {
        "context": context.to_json(),
        "verification": GROUP.element_to_string(GROUP.mul_base(sk)),
        "encryption": GROUP.element_to_string(GROUP.mul_base(dk)),
    }
    return seed, sign(sk, dumps(keys), random)


def step2(certs: Sequence[SignedMessage]) -> int:
    """Check every certificate against its place (step 2, §6.2); returns the threshold."""
    if not certs:
        raise ThresholdError("no certificate")
    first = cert_keys(certs[0]).context
    if first is None:
        raise ThresholdError("certificate 1 has no context")
    for i, cert in enumerate(certs):
        context = Context(i + 1, first.threshold, len(certs))
        if not verify_cert(context, cert):
            raise ThresholdError(f"certificate {i + 1} does not validate")
    return first.threshold


def _my_index(certs: Sequence[SignedMessage], seed: str) -> int:
    vk = GROUP.mul_base(derive_signing_key(seed))
    ek = GROUP.mul_base(derive_decryption_key(seed))
    for i, cert in enumerate(certs):
        keys = cert_keys(cert)
        if keys.verification == vk and keys.encryption == ek:
            return i + 1
    raise ThresholdError("could not find my certificate")


@dataclass(frozen=True, slots=True)
class Polynomial:
    """Step 3 output (``polynomial``, §6.2): own polynomial (encrypted to oneself), one
    secret per member (encrypted to them), signed coefexps and the 3.0 signature."""

    polynomial: str
    secrets: tuple[str, ...]
    coefexps: SignedMessage
    signature: Proof | None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "polynomial": self.polynomial,
            "secrets": list(self.secrets),
            "coefexps": self.coefexps.to_json(),
        }
        if self.signature is not None:
            out["signature"] = self.signature.to_json()
        return out

    @staticmethod
    def of_json(value: JsonValue) -> Polynomial:
        obj = expect_object(value, "polynomial", ("polynomial", "secrets", "coefexps", "signature"))
        sig = obj.get("signature")
        return Polynomial(
            expect_str(obj.get("polynomial"), "polynomial"),
            tuple(expect_str(s, "secret") for s in expect_list(obj.get("secrets"), "secrets")),
            SignedMessage.of_json(obj.get("coefexps"), "coefexps"),
            None if sig is None else Proof.of_json(sig, "polynomial signature"),
        )


def _eval_poly(coefficients: Sequence[int], x: int) -> int:
    acc = 0
    for a in reversed(coefficients):
        acc = (acc * x + a) % Q
    return acc


def step3(
    certs: Sequence[SignedMessage],
    seed: str,
    random: ScalarSource = secure_scalar,
    algorithm: str = AES_CCM,
) -> Polynomial:
    """A member draws its polynomial and shares it (step 3, §6.2, ``MakePedersen.step3``);
    ``algorithm`` is the channels' cipher (ADR 0720: the ceremony uses AES-GCM)."""
    threshold = step2(certs)
    _my_index(certs, seed)
    sk, dk = derive_signing_key(seed), derive_decryption_key(seed)
    ek = GROUP.mul_base(dk)
    coefficients = [random() for _ in range(threshold)]
    coefexps = [GROUP.mul_base(a) for a in coefficients]
    own = send(sk, ek, dumps({"polynomial": [str(a) for a in coefficients]}), random, algorithm)
    shares = tuple(
        send(
            sk,
            cert_keys(cert).encryption,
            dumps({"secret": str(_eval_poly(coefficients, j + 1))}),
            random,
            algorithm,
        ).to_string()
        for j, cert in enumerate(certs)
    )
    signed_coefexps = sign(
        sk, dumps({"coefexps": [GROUP.element_to_string(e) for e in coefexps]}), random
    )
    signature = sign(sk, _certs_signature_message(certs, coefexps), random).signature
    return Polynomial(own.to_string(), shares, signed_coefexps, signature)


@dataclass(frozen=True, slots=True)
class VInput:
    """Step 4 output for one member (``vinput``, §6.2)."""

    polynomial: str
    secrets: tuple[str, ...]
    coefexps: tuple[SignedMessage, ...]
    signatures: tuple[Proof, ...] | None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "polynomial": self.polynomial,
            "secrets": list(self.secrets),
            "coefexps": [c.to_json() for c in self.coefexps],
        }
        if self.signatures is not None:
            out["signatures"] = [s.to_json() for s in self.signatures]
        return out

    @staticmethod
    def of_json(value: JsonValue) -> VInput:
        obj = expect_object(value, "vinput", ("polynomial", "secrets", "coefexps", "signatures"))
        sigs = obj.get("signatures")
        return VInput(
            expect_str(obj.get("polynomial"), "vinput polynomial"),
            tuple(expect_str(s, "secret") for s in expect_list(obj.get("secrets"), "secrets")),
            tuple(SignedMessage.of_json(c) for c in expect_list(obj.get("coefexps"), "coefexps")),
            None if sigs is None else tuple(Proof.of_json(s) for s in expect_list(sigs, "sigs")),
        )


def _polynomial_signatures(polynomials: Sequence[Polynomial]) -> list[Proof]:
    # 3.0 requires every member's signature over the certificates and its coefexps.
    signatures = []
    for i, p in enumerate(polynomials):
        if p.signature is None:
            raise ThresholdError(f"missing signature in polynomial {i + 1}")
        signatures.append(p.signature)
    return signatures


def _checked_coefexps(
    certs: Sequence[SignedMessage], signed: Sequence[SignedMessage], threshold: int
) -> list[list[Element]]:
    out = []
    for i, (cert, c) in enumerate(zip(certs, signed, strict=True)):
        if not verify_signature(cert_keys(cert).verification, c):
            raise ThresholdError(f"coefexps {i + 1} does not validate")
        exps = raw_coefexps(c)
        if len(exps) != threshold or not all(GROUP.check(e) for e in exps):
            raise ThresholdError(f"coefexps {i + 1} has wrong length or elements")
        out.append(exps)
    return out


def step4(certs: Sequence[SignedMessage], polynomials: Sequence[Polynomial]) -> list[VInput]:
    """The coordinator routes the shares to each member (step 4, §6.2)."""
    threshold = step2(certs)
    if len(polynomials) != len(certs):
        raise ThresholdError("one polynomial per certificate is needed")
    signatures = _polynomial_signatures(polynomials)
    signed = [p.coefexps for p in polynomials]
    _checked_coefexps(certs, signed, threshold)
    return [
        VInput(
            p.polynomial, tuple(q.secrets[j] for q in polynomials), tuple(signed), tuple(signatures)
        )
        for j, p in enumerate(polynomials)
    ]


def _share_image(coefexps: Sequence[Element], j: int) -> Element:
    # g^{f(j)} = Π_k A_k^{j^k}
    acc, jk = GROUP.identity, 1
    for a in coefexps:
        acc = GROUP.op(acc, GROUP.mul(a, jk))
        jk = jk * j % Q
    return acc


def compute_verification_keys(coefexps: Sequence[Sequence[Element]]) -> list[Element]:
    """Each member's verification key ``Π_i g^{f_i(j)}`` (§6.2, ``compute_verification_keys``)."""
    n = len(coefexps)
    return [GROUP.product([_share_image(c, j) for c in coefexps]) for j in range(1, n + 1)]


@dataclass(frozen=True, slots=True)
class VOutput:
    """Step 5 output (``voutput``, §6.2): the encrypted decryption key and the public key."""

    private_key: str
    public_key: TrusteePublicKey

    def to_json(self) -> dict[str, JsonValue]:
        return {"private_key": self.private_key, "public_key": self.public_key.to_json()}

    @staticmethod
    def of_json(value: JsonValue) -> VOutput:
        obj = expect_object(value, "voutput", ("private_key", "public_key"))
        return VOutput(
            expect_str(obj.get("private_key"), "voutput private key"),
            TrusteePublicKey.of_json(obj.get("public_key"), "voutput public key"),
        )


def step5(
    certs: Sequence[SignedMessage], seed: str, vinput: VInput, random: ScalarSource = secure_scalar
) -> VOutput:
    """A member checks what it received and computes its key share (step 5, §6.2)."""
    threshold = step2(certs)
    n = len(certs)
    j = _my_index(certs, seed)
    sk, dk = derive_signing_key(seed), derive_decryption_key(seed)
    vk = GROUP.mul_base(sk)
    own_message = EncryptedMessage.of_string(vinput.polynomial)
    own = loads(receive(dk, vk, own_message))
    own_poly = expect_list(expect_object(own, "polynomial", ("polynomial",)).get("polynomial"), "p")
    if len(own_poly) != threshold or len(vinput.secrets) != n or len(vinput.coefexps) != n:
        raise ThresholdError("the vinput does not have the group's shape")
    secrets_received = []
    for i, (cert, text) in enumerate(zip(certs, vinput.secrets, strict=True)):
        msg = loads(receive(dk, cert_keys(cert).verification, EncryptedMessage.of_string(text)))
        value = expect_object(msg, "secret", ("secret",)).get("secret")
        try:
            secrets_received.append(scalar_of_string(expect_str(value, "secret")))
        except GroupError as exc:
            raise ThresholdError(f"secret {i + 1} is not a scalar") from exc
    coefexps = _checked_coefexps(certs, vinput.coefexps, threshold)
    for i, (s, c) in enumerate(zip(secrets_received, coefexps, strict=True)):
        if GROUP.mul_base(s) != _share_image(c, j):
            raise ThresholdError(f"secret {i + 1} does not validate")
    share = sum(secrets_received) % Q
    pdk = dumps({"decryption_key": str(share)})
    tpk = prove_key(share, random)
    signature = sign(sk, GROUP.element_to_string(tpk.public_key), random).signature
    # The share is encrypted to oneself with the cipher of one's own step-3 polynomial.
    return VOutput(
        send(sk, GROUP.mul_base(dk), pdk, random, own_message.algorithm).to_string(),
        TrusteePublicKey(tpk.public_key, tpk.pok, signature),
    )


def step6(
    certs: Sequence[SignedMessage],
    polynomials: Sequence[Polynomial],
    voutputs: Sequence[VOutput],
) -> tuple[ThresholdParameters, list[str]]:
    """The coordinator checks everything and publishes the group's parameters (step 6, §6.2);
    also returns each member's encrypted key share (the ``ID.dkey`` files)."""
    threshold = step2(certs)
    if not len(certs) == len(polynomials) == len(voutputs):
        raise ThresholdError("one polynomial and one voutput per certificate are needed")
    signatures = _polynomial_signatures(polynomials)
    coefexps = _checked_coefexps(certs, [p.coefexps for p in polynomials], threshold)
    computed = compute_verification_keys(coefexps)
    for j, (vo, vk) in enumerate(zip(voutputs, computed, strict=True)):
        if not check_single(vo.public_key):
            raise ThresholdError(f"pok {j + 1} does not validate")
        if vo.public_key.public_key != vk:
            raise ThresholdError(f"verification key {j + 1} is incorrect")
    params = ThresholdParameters(
        threshold=threshold,
        certs=tuple(certs),
        coefexps=tuple(p.coefexps for p in polynomials),
        signatures=tuple(signatures),
        verification_keys=tuple(vo.public_key for vo in voutputs),
    )
    return params, [vo.private_key for vo in voutputs]


def decrypt_key_share(seed: str, dkey: str) -> int:
    """Open a member's ``ID.dkey`` with its seed: the decryption-key share (§6.2)."""
    sk, dk = derive_signing_key(seed), derive_decryption_key(seed)
    text = receive(dk, GROUP.mul_base(sk), EncryptedMessage.of_string(dkey.strip()))
    value = expect_object(loads(text), "decryption key", ("decryption_key",)).get("decryption_key")
    try:
        return scalar_of_string(expect_str(value, "decryption key"))
    except GroupError as exc:
        raise ThresholdError("the decryption key is not a scalar") from exc


def check_pedersen(params: ThresholdParameters) -> list[str]:
    """Every check of a threshold group (§6.2 "Verification", 3.0 ``check_pedersen``).

    Returns the failed checks (empty when the group is valid).
    """
    failures: list[str] = []
    n = len(params.certs)
    if n == 0:
        return ["no certificate"]
    if not 0 < params.threshold < n:
        return [f"threshold {params.threshold} is impossible for {n} members (1 ≤ t < n)"]
    try:
        for i, cert in enumerate(params.certs):
            if not verify_cert(Context(i + 1, params.threshold, n), cert):
                failures.append(f"certificate {i + 1} signature or context")
        keys = [cert_keys(c) for c in params.certs]
        if len(params.coefexps) != n or len(params.verification_keys) != n:
            return [*failures, "coefexps or verification keys: one per member expected"]
        coefexps = []
        for i, (k, c) in enumerate(zip(keys, params.coefexps, strict=True)):
            if not verify_signature(k.verification, c):
                failures.append(f"coefexps {i + 1} signature")
            exps = raw_coefexps(c)
            if len(exps) != params.threshold:
                failures.append(
                    f"coefexps {i + 1}: threshold {params.threshold} coefficients expected"
                )
            if not all(GROUP.check(e) for e in exps):
                failures.append(f"coefexps {i + 1}: not group elements")
                return failures
            coefexps.append(exps)
        if params.signatures is None or len(params.signatures) != n:
            failures.append("polynomial signatures missing")
        else:
            for i, (k, sig, exps) in enumerate(zip(keys, params.signatures, coefexps, strict=True)):
                msg = SignedMessage(_certs_signature_message(params.certs, exps), sig)
                if not verify_signature(k.verification, msg):
                    failures.append(f"polynomial signature {i + 1}")
        if failures:
            return failures
        computed = compute_verification_keys(coefexps)
        for j, (k, vk, expected) in enumerate(
            zip(keys, params.verification_keys, computed, strict=True)
        ):
            if not check_single(vk):
                failures.append(f"verification key {j + 1}: proof of knowledge")
            elif vk.public_key != expected:
                failures.append(f"verification key {j + 1}: does not match the coefexps")
            elif vk.signature is None or not verify_signature(
                k.verification, SignedMessage(GROUP.element_to_string(expected), vk.signature)
            ):
                failures.append(f"verification key {j + 1}: signature")
    except (FormatError, ThresholdError) as exc:
        failures.append(f"format: {exc}")
    return failures
