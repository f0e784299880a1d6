"""The test FranceConnect: `tests/oidc/provider.mjs`, a real OpenID provider (npm
`oidc-provider`) on 127.0.0.1 in its own node process, configured like FranceConnect; and
`fc_login`, which plays the voter's browser at the provider (its login form) and returns
the URL FranceConnect sends the browser back to."""

import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

SCRIPT = Path(__file__).resolve().parents[1] / "oidc" / "provider.mjs"
CLIENT_ID = "urne-test"
CLIENT_SECRET = "test-only-client-secret-1234567890"  # noqa: S105 (the local provider's)
REDIRECT_PATH = "/vote/reassort/franceconnect/retour/"


class Provider:
    """One provider process; ``people`` maps a login to FranceConnect's identity claims."""

    def __init__(self, *, people: dict[str, dict[str, str]], public_url: str, jwk: Any = None):
        # Kept until stop(): the provider reads it at start.
        self._conf = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        port = _free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        json.dump(
            {
                "issuer": self.issuer,
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [public_url.rstrip("/") + REDIRECT_PATH],
                },
                "people": people,
                **({"jwk": jwk} if jwk else {}),
            },
            self._conf,
        )
        self._conf.close()
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), str(port), self._conf.name],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        # The one line the provider prints: it says nothing else on stdout (warnings go to
        # stderr, discarded), so the pipe is read once and closed at stop().
        line = self.proc.stdout.readline()
        assert '"ready"' in line, line

    def settings(self, acr: str = "eidas1", **override: str) -> dict[str, Any]:
        """The URNE_FRANCECONNECT setting for this provider (oidc-provider's endpoint paths)."""
        return {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "authorize_url": self.issuer + "/auth",
            "token_url": self.issuer + "/token",
            "userinfo_url": self.issuer + "/me",
            "jwks_url": self.issuer + "/jwks",
            "acr": acr,
            "timeout": 10,
            **override,
        }

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        Path(self._conf.name).unlink(missing_ok=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fc_login(authorize_url: str, login: str, acr: str = "eidas2") -> str:
    """Follow the authorisation request at the provider as a browser would, log in as
    ``login`` at level ``acr``; return the URL the provider redirects back to (ours)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in url:
            action = re.search(r'action="([^"]+)"', response.text)
            assert action, response.text
            response = browser.post(
                urljoin(url, action.group(1)),
                data={"login": login, "acr": acr},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if urlsplit(url).path == REDIRECT_PATH:
            return url
    raise AssertionError("the provider never sent the browser back")
