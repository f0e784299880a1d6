"""SMS channels (ADR 0600): the operator's gateway behind one interface, chosen by
`settings.URNE_SMS_CHANNEL`, beside e-mail's (`channels.py`).

A channel is opened once per dispatch run (`open`: connect and bind), then `submit(sms)`
answers the gateway's message id or raises one of the errors below, which tell the outbox
whether the gateway may have taken the message; `receipts(wait)` returns the delivery
receipts read meanwhile. `SmppChannel` speaks SMPP 3.4 (smpplib) to the operator,
`FileSmsChannel` (development) writes each SMS sealed under `var/sms`, `MemorySmsChannel`
keeps them in memory for unit tests. No channel logs a number, a text or a receipt's text.
"""

import base64
import contextlib
import hashlib
import itertools
import re
import select
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Sms:
    to: str  # international form, "+33612345678"
    text: str
    # Our reference on the gateway's side (the outbox row's id), for the operator's logs.
    reference: int = 0


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt (`deliver_sm`): the gateway's message id and its final state
    (DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN, ACCEPTD)."""

    gateway_id: str
    state: str


class GatewayUnavailable(Exception):
    """The gateway did not take the message and the session is gone (down, refused bind,
    connection lost before the message was written): retry the same message later."""


class Throttled(Exception):
    """The gateway refused the message for now (ESME_RTHROTTLED, a full queue): retry later."""


class PermanentRefusal(Exception):
    """The gateway refused this message for good (a bad number, a text too long)."""


class Uncertain(Exception):
    """The message was written to the gateway but its answer never came: it may have been
    taken. The outbox never sends it again (ADR 0600, at most once)."""


class SmsChannel(Protocol):
    def open(self) -> None: ...

    def submit(self, sms: Sms) -> str: ...

    def receipts(self, wait: float = 0.0) -> list[Receipt]: ...

    def close(self) -> None: ...


# SMPP 3.4 command statuses (§5.1.3) the outbox answers by waiting: the gateway is busy.
ESME_RTHROTTLED = 0x58
ESME_RMSGQFUL = 0x14
ESME_RSYSERR = 0x08
_BUSY = {ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR}
_RECEIPT_ID = re.compile(r"\bid:(\S+)")
_RECEIPT_STAT = re.compile(r"\bstat:(\w+)")
# message_state TLV (§5.2.28) → the receipt text's "stat".
_MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}


def sms_encode(text: str) -> tuple[bytes, int]:
    """The text as one SMS: GSM 03.38 (160 characters) when it can be, else UCS-2 (70);
    returns (bytes, data_coding). A text that needs two parts is refused: a split message
    is several submits, and one of them could be lost or sent twice."""
    from smpplib import consts, gsm

    try:
        encoded, coding = gsm.gsm_encode(text), consts.SMPP_ENCODING_DEFAULT
        limit = consts.SEVENBIT_LENGTH
    except UnicodeError:
        encoded, coding = text.encode("utf-16-be"), consts.SMPP_ENCODING_ISO10646
        limit = consts.UCS2_LENGTH
    if len(encoded) > limit:
        raise PermanentRefusal("text too long for one SMS")
    return encoded, coding


class SmppChannel:
    """SMPP 3.4 over one bound transceiver session (`URNE_SMPP`): submit_sm, its answer
    read on the spot, deliver_sm receipts answered and collected, enquire_link answered."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = settings.URNE_SMPP
        self._client: Any = None
        self._receipts: list[Receipt] = []

    def open(self) -> None:
        from smpplib import client, exceptions

        o = self.options
        # Our own logger name: settings keep it at WARNING (its DEBUG lines dump every PDU).
        smpp = client.Client(
            o["host"],
            o["port"],
            timeout=o.get("timeout", 10),
            logger_name="smpplib.client",
            allow_unknown_opt_params=True,
        )
        try:
            smpp.connect()
            smpp.bind_transceiver(
                system_id=o["system_id"],
                password=o["password"],
                system_type=o.get("system_type", ""),
            )
        except exceptions.PDUError as error:
            smpp.disconnect()
            raise GatewayUnavailable(f"bind refused ({_status(error)})") from error
        except (exceptions.ConnectionError, OSError) as error:
            with contextlib.suppress(Exception):
                smpp.disconnect()
            raise GatewayUnavailable(f"gateway unreachable ({type(error).__name__})") from error
        self._client = smpp

    def submit(self, sms: Sms) -> str:
        from smpplib import consts, exceptions, smpp

        if self._client is None:
            self.open()
        o = self.options
        payload, coding = sms_encode(sms.text)
        pdu = smpp.make_pdu(
            "submit_sm",
            client=self._client,
            source_addr_ton=o.get("source_ton", consts.SMPP_TON_ALNUM),
            source_addr_npi=o.get("source_npi", consts.SMPP_NPI_UNK),
            source_addr=o.get("source_addr", "URNE"),
            dest_addr_ton=consts.SMPP_TON_INTL,
            dest_addr_npi=consts.SMPP_NPI_ISDN,
            destination_addr=sms.to.removeprefix("+"),
            short_message=payload,
            data_coding=coding,
            esm_class=consts.SMPP_MSGTYPE_DEFAULT,
            registered_delivery=consts.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
        )
        try:
            self._client.send_pdu(pdu)
        except (exceptions.ConnectionError, OSError) as error:
            # sendall failed: the PDU was not wholly written, so the gateway cannot have it.
            self._drop()
            raise GatewayUnavailable("connection lost before the message") from error
        try:
            resp = self._answer_to(pdu.sequence)
        except (TimeoutError, exceptions.ConnectionError, OSError) as error:
            self._drop()
            raise Uncertain(f"no answer to the message ({type(error).__name__})") from error
        if resp.status == 0:
            return _text(resp.message_id)
        if resp.status in _BUSY:
            raise Throttled(f"SMPP status 0x{resp.status:02X}")
        raise PermanentRefusal(f"SMPP status 0x{resp.status:02X}")

    def _answer_to(self, sequence: int) -> Any:
        """Read PDUs until the answer to ``sequence``; receipts and keep-alives met on the
        way are handled."""
        deadline = time.monotonic() + self.options.get("timeout", 10)
        while True:
            pdu = self._client.read_pdu()
            if pdu.command in ("submit_sm_resp", "generic_nack") and pdu.sequence == sequence:
                return pdu
            self._handle(pdu)
            if time.monotonic() > deadline:
                raise TimeoutError

    def _handle(self, pdu: Any) -> None:
        from smpplib import smpp

        if pdu.command == "deliver_sm":
            receipt = _receipt(pdu)
            if receipt is not None:
                self._receipts.append(receipt)
            resp = smpp.make_pdu("deliver_sm_resp", client=self._client)
            resp.sequence = pdu.sequence
            self._client.send_pdu(resp)
        elif pdu.command == "enquire_link":
            resp = smpp.make_pdu("enquire_link_resp", client=self._client)
            resp.sequence = pdu.sequence
            self._client.send_pdu(resp)
        elif pdu.command == "unbind":
            resp = smpp.make_pdu("unbind_resp", client=self._client)
            resp.sequence = pdu.sequence
            self._client.send_pdu(resp)
            self._drop()

    def receipts(self, wait: float = 0.0) -> list[Receipt]:
        """The receipts read so far, after reading what arrives within ``wait`` seconds."""
        from smpplib import exceptions

        deadline = time.monotonic() + wait
        while self._client is not None:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._client._socket], [], [], max(0.0, left))
            if not ready:
                break
            try:
                self._handle(self._client.read_pdu())
            except (exceptions.ConnectionError, OSError):
                self._drop()
        out, self._receipts = self._receipts, []
        return out

    def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.disconnect()
            self._client = None

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.unbind()
            self._drop()


def _status(error: Exception) -> str:
    code = error.args[1] if len(error.args) > 1 else None
    return f"SMPP status 0x{code:02X}" if isinstance(code, int) else type(error).__name__


def _text(value: Any) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")


def _receipt(pdu: Any) -> Receipt | None:
    """A deliver_sm that is a delivery receipt (esm_class bit 2), read from its TLVs, else
    from the id and stat of its text; the rest of the text (the message's start) is dropped."""
    if not (getattr(pdu, "esm_class", 0) or 0) & 0x04:
        return None
    gateway_id = _text(getattr(pdu, "receipted_message_id", None))
    state = _MESSAGE_STATES.get(getattr(pdu, "message_state", None) or 0, "")
    body = _text(getattr(pdu, "short_message", b""))
    if not gateway_id and (found := _RECEIPT_ID.search(body)):
        gateway_id = found.group(1)
    if not state and (found := _RECEIPT_STAT.search(body)):
        state = found.group(1)
    if not gateway_id:
        return None
    return Receipt(gateway_id=gateway_id[:65], state=(state or "UNKNOWN")[:10])


def _seal() -> Fernet:
    key = hashlib.sha256(("urne.sms-files:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class _LocalSmsChannel:
    """A channel with no gateway behind it: nothing to open or close, and every message it
    accepts is delivered at once (its receipt is ready for the next ``receipts``)."""

    def __init__(self) -> None:
        self._receipts: list[Receipt] = []

    def open(self) -> None:
        pass

    def _delivered(self, gateway_id: str) -> str:
        self._receipts.append(Receipt(gateway_id=gateway_id, state="DELIVRD"))
        return gateway_id

    def receipts(self, wait: float = 0.0) -> list[Receipt]:
        out, self._receipts = self._receipts, []
        return out

    def close(self) -> None:
        pass


class FileSmsChannel(_LocalSmsChannel):
    """Development: each SMS as a file in `settings.URNE_SMS_DIR`, sealed as the mail files
    are (the text holds a vote code); `FileSmsChannel.messages()` opens them. Every message is
    accepted and delivered at once."""

    SUFFIX = ".sms.sealed"
    _ids = itertools.count(1)

    def submit(self, sms: Sms) -> str:
        sms_encode(sms.text)
        folder = Path(settings.URNE_SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        gateway_id = f"file-{time.time_ns()}-{next(self._ids)}"
        body = f"{sms.to}\n{sms.text}".encode()
        (folder / f"{gateway_id}{self.SUFFIX}").write_bytes(_seal().encrypt(body))
        return self._delivered(gateway_id)

    @classmethod
    def messages(cls) -> list[tuple[str, str]]:
        """Every SMS written, oldest first, as (number, text)."""
        folder = Path(settings.URNE_SMS_DIR)
        out = []
        for path in sorted(folder.glob("*" + cls.SUFFIX)) if folder.is_dir() else []:
            to, _, text = _seal().decrypt(path.read_bytes()).decode().partition("\n")
            out.append((to, text))
        return out


class MemorySmsChannel(_LocalSmsChannel):
    """Unit tests: accepted SMS kept in a class-level list, each delivered at once."""

    outbox: ClassVar[list[Sms]] = []
    _ids = itertools.count(1)

    def submit(self, sms: Sms) -> str:
        sms_encode(sms.text)
        MemorySmsChannel.outbox.append(sms)
        gateway_id = f"mem-{next(self._ids)}"
        return self._delivered(gateway_id)


def sms_channel_get() -> SmsChannel:
    return import_string(settings.URNE_SMS_CHANNEL)()
