"""A voter's whole journey on opening morning (2022 style, seed 004), as plain functions over
an HTTP session that keeps cookies (``requests.Session`` or Locust's ``HttpSession``), so that
the Locust scenarios, the calibration run and a fault test can all drive the same steps.

The client plays the TLS proxy on the loopback: every request says ``X-Forwarded-Proto:
https`` and the voter's address in ``X-Forwarded-For`` (the server trusts 127.0.0.1 as its
proxy, as production trusts nginx), so the production settings run unchanged (HTTPS only,
secure cookies, per-address limits). What the browser does, the client does: it reads the
CSRF token, draws nothing but fetches each CAPTCHA image (the answer comes from the
benchmark's hook, ADR 0581), derives the public credentials from the vote code
(``authority.codes`` + ``crypto.credentials``, the booth's own derivation), posts the ballots
it made beforehand and reads each receipt.

Request kinds (the names in the figures) and the part of the journey each belongs to:
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = {
    "login page": "pages",
    "captcha image": "code",
    "login identifier": "pages",
    "password page": "pages",
    "login password": "argon2",
    "home": "pages",
    "my scrutins": "pages",
    "scrutin page": "pages",
    "profession de foi": "pages",
    "je vote": "pages",
    "booth page": "pages",
    "vote code": "code",
    "cast": "casts",
    "receipt": "casts",
    "board": "background",
    "opening link": "background",
    "home (anonymous)": "background",
}
__doc__ = (__doc__ or "") + "".join(f"\n- {k}: {v}" for k, v in KINDS.items())

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CAPTCHA_IMAGE = re.compile(r'(/(?:en/)?compte/captcha/[^/"]+/image\.png)')


class Held(Exception):
    """The admission control's waiting page (503 + Retry-After) at the door."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"held, retry after {retry_after} s")
        self.retry_after = retry_after


class JourneyError(Exception):
    """A step answered something a browser would not have gone on from."""


@dataclass
class Http:
    """One voter's browser: ``client`` keeps the cookies; ``base`` prefixes paths (empty for
    Locust, whose session has its host); ``named`` passes each request's kind to Locust;
    ``meter(kind, fn)`` may wrap each request (the calibration's CPU probe)."""

    client: Any
    address: str
    base: str = ""
    host: str = "127.0.0.1"  # the Host the server sees (the POSTs' Origin)
    named: bool = False
    meter: Callable[[str, Callable[[], Any]], Any] | None = None
    csrf: str = ""
    sent: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address,
             "Accept-Language": "fr"}
        )  # fmt: skip

    def __call__(self, method: str, path: str, kind: str, **kw: Any) -> Any:
        kw.setdefault("allow_redirects", False)
        if method == "POST":
            kw.setdefault("headers", {})["Origin"] = f"https://{self.host}"
        if self.named:
            kw["name"] = kind
        self.sent.append(kind)

        def send() -> Any:
            return self.client.request(method, self.base + path, **kw)

        r = self.meter(kind, send) if self.meter else send()
        for cookie in self.client.cookies:
            # Secure cookies go back over the loopback's plain HTTP: the client is the proxy.
            # (requests merges the jar into a new one per request, whose policy would not.)
            cookie.secure = False
        return r


def _expect(r: Any, kind: str, *statuses: int) -> Any:
    if r.status_code not in statuses:
        raise JourneyError(f"{kind}: {r.status_code} {r.text[:200]!r}")
    return r


def _captcha(http: Http, page: str) -> str:
    found = CAPTCHA_IMAGE.search(page)
    if not found:
        raise JourneyError("no CAPTCHA on the page")
    r = _expect(http("GET", found.group(1), "captcha image"), "captcha image", 200)
    return str(r.headers["X-Urne-Bench-Captcha"])


def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if not found:
        raise JourneyError("no CSRF token on the page")
    return found.group(1)


def login(http: Http, email: str, password: str) -> None:
    """The door (identifier + CAPTCHA), then the password (Argon2id on the server)."""
    r = http("GET", "/compte/connexion/", "login page")
    if r.status_code == 503 and "Retry-After" in r.headers:
        raise Held(int(r.headers["Retry-After"]))
    page = _expect(r, "login page", 200).text
    form = {"csrfmiddlewaretoken": _csrf(page), "email": email, "captcha": _captcha(http, page)}
    r = _expect(http("POST", "/compte/connexion/", "login identifier", data=form),
                "login identifier", 302)  # fmt: skip
    if "mot-de-passe" not in r.headers.get("Location", ""):
        raise JourneyError(f"identifier: sent to {r.headers.get('Location')}")
    page = _expect(http("GET", "/compte/connexion/mot-de-passe/", "password page"),
                   "password page", 200).text  # fmt: skip
    form = {"csrfmiddlewaretoken": _csrf(page), "password": password}
    r = _expect(http("POST", "/compte/connexion/mot-de-passe/", "login password", data=form),
                "login password", 302)  # fmt: skip


def browse(http: Http, voter: dict[str, Any]) -> None:
    """Home, my scrutins, one scrutin and one profession de foi, Je vote."""
    _expect(http("GET", "/", "home"), "home", 200)
    _expect(http("GET", "/scrutins/", "my scrutins"), "my scrutins", 200)
    if voter.get("pdf"):
        uuid, list_id = voter["pdf"]
        _expect(http("GET", f"/scrutins/{uuid}/", "scrutin page"), "scrutin page", 200)
        path = f"/scrutins/{uuid}/listes/{list_id}/profession-de-foi.pdf"
        _expect(http("GET", path, "profession de foi"), "profession de foi", 200)
    _expect(http("GET", "/je-vote/", "je vote"), "je vote", 200)


def public_credentials(code: str, scrutins: list[str]) -> dict[str, str]:
    """What the booth's script sends: the public credential of the typed code in each
    scrutin (``frontend/src/votecode`` is the twin of this derivation)."""
    from urne.authority.codes import credential_of_code
    from urne.crypto.credentials import public_credential
    from urne.crypto.group import GROUP

    private = credential_of_code(code)
    return {u: GROUP.element_to_string(public_credential(u, private)) for u in scrutins}


def vote(http: Http, voter: dict[str, Any]) -> list[str]:
    """The booth: the vote code (+ CAPTCHA) confirmed, then every ballot and its receipt.
    Returns the trackers the server answered."""
    page = _expect(http("GET", "/vote/", "booth page"), "booth page", 200).text
    captcha = _captcha(http, page)
    token = http.client.cookies.get("csrftoken") or _csrf(page)
    headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
    body = {"credentials": public_credentials(voter["code"], voter["scrutins"]),
            "captcha": captcha}  # fmt: skip
    r = _expect(http("POST", "/vote/code/", "vote code", data=json.dumps(body),
                     headers=dict(headers)), "vote code", 200)  # fmt: skip
    confirmed = set(r.json().get("confirmed", []))
    if confirmed != set(voter["scrutins"]):
        raise JourneyError(f"vote code: {len(confirmed)} of {len(voter['scrutins'])} confirmed")
    trackers = []
    for uuid, ballot in zip(voter["scrutins"], voter["ballots"], strict=True):
        payload = json.dumps({"scrutin": uuid, "ballot": ballot})
        r = _expect(http("POST", "/vote/bulletin/", "cast", data=payload,
                         headers=dict(headers)), "cast", 200)  # fmt: skip
        answer = r.json()
        trackers.append(answer["tracker"])
        _expect(http("GET", answer["receipt_url"], "receipt"), "receipt", 200)
    return trackers


def journey(http: Http, voter: dict[str, Any], password: str) -> list[str]:
    """The whole journey; raises Held at the door when the platform is full."""
    login(http, voter["email"], password)
    browse(http, voter)
    return vote(http, voter)


def background(http: Http, boards: list[str], pick: Callable[[list[str]], str]) -> None:
    """Beside the journeys: an anonymous home page, a board lookup and, one round in five, an
    opening-link click (the page that reads the link's token from its fragment: at the
    accounts' door, so admission control counts it as a new journey)."""
    _expect(http("GET", "/", "home (anonymous)"), "home (anonymous)", 200)
    _expect(http("GET", f"/bulletins/{pick(boards)}/", "board"), "board", 200)
    if pick(["link", "", "", "", ""]):  # one round in five: the opening mails go out in waves
        r = http("GET", "/compte/ouverture/lien/", "opening link")
        _expect(r, "opening link", 200, 503)
