"""The production stack of `make serve` (tools/serve, deploy/): nginx with a self-signed
certificate in front of gunicorn with the production settings, the worker and the timers, on
127.0.0.1 in a temporary folder, its own SQLite stores. Chromium loads the portal over HTTPS
through it (the certificate accepted as the test's own); plain HTTP redirects; one HSTS header
on the app's pages and nginx's own; the address the app logs is the one nginx saw, whatever
the client writes in X-Forwarded-For; a body over the limit is refused by nginx; nothing
under /media/ is served.

Not a pytest-django live server: the stack is the one an operator runs, started once for the
module (its start, three migrations and collectstatic, is most of the module's time)."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "tools" / "serve"
HSTS = "max-age=31536000; includeSubDomains; preload"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def theme() -> str:
    """The stack's own processes serve their settings' theme, the default one: these tests
    run once (the themes' pages are checked by the live server's tests)."""
    return "default"


@pytest.fixture(scope="module")
def stack() -> Any:
    # Not under pytest's own temporary folder (mode 0700): run as root, nginx's workers are
    # "nobody", and they read the static files.
    prefix = Path(tempfile.mkdtemp(prefix="urne-serve-"))
    prefix.chmod(0o755)
    ports = {"https": _free_port(), "http": _free_port(), "app": _free_port()}
    # The stack's own stores and settings: nothing of the test run's environment leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    command = [sys.executable, str(SERVE)]
    run = subprocess.run(
        [
            *command,
            "start",
            "--prefix",
            str(prefix),
            "--https-port",
            str(ports["https"]),
            "--http-port",
            str(ports["http"]),
            "--app-port",
            str(ports["app"]),
            "--web-workers",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    yield {"prefix": prefix, "url": f"https://127.0.0.1:{ports['https']}", **ports}
    subprocess.run([*command, "stop", "--prefix", str(prefix)], env=env, check=False, timeout=120)
    shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture
def page(chromium: Any) -> Any:
    """A page of a context that accepts the stack's self-signed certificate; JavaScript
    errors and Content-Security-Policy violations fail the test, as in every browser test."""
    ctx = chromium.new_context(locale="fr-FR", ignore_https_errors=True)
    ctx.set_default_timeout(15_000)
    p = ctx.new_page()
    problems: list[str] = []
    p.on("pageerror", lambda exc: problems.append(str(exc)))
    p.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield p
    ctx.close()
    assert not problems, problems


def _request(url: str, **kwargs: Any) -> tuple[int, Any]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the stack's own self-signed certificate

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kw: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        request = urllib.request.Request(url, **kwargs)  # noqa: S310 - the test's own https URLs
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_the_portal_is_served_over_https_through_nginx(stack, page, assert_accessible):
    response = page.goto(stack["url"] + "/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès au portail Élections")
    headers = response.headers_array()
    assert [h["value"] for h in headers if h["name"].lower() == "strict-transport-security"] == [
        HSTS
    ]
    assert response.header_value("server") == "nginx"  # no version
    # The stylesheet came from nginx's static files (collected into the stack's folder).
    css = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert css and all(href.startswith(stack["url"] + "/static/") for href in css)
    assert_accessible(page, "portal home through nginx")


def test_plain_http_is_redirected_to_https(stack, page):
    status, headers = _request(f"http://127.0.0.1:{stack['http']}/faq/?x=1")
    assert status == 301
    assert headers["Location"] == f"{stack['url']}/faq/?x=1"
    page.goto(f"http://127.0.0.1:{stack['http']}/")
    assert page.url == stack["url"] + "/"


def test_the_app_sees_the_address_nginx_saw_not_the_header_a_client_wrote(stack):
    status, _ = _request(
        stack["url"] + "/?forwarded-probe", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 200
    # gunicorn writes its access line once the answer is sent: wait for it to be there.
    for _ in range(100):
        log = (stack["prefix"] / "log" / "web.log").read_text()
        lines = [line for line in log.splitlines() if "forwarded-probe" in line]
        if lines:
            break
        time.sleep(0.1)
    assert lines and all("client=127.0.0.1 " in line for line in lines), lines
    assert "203.0.113.9" not in log


def test_nginx_bounds_the_body_and_serves_no_private_file(stack):
    status, headers = _request(
        stack["url"] + "/compte/connexion/", data=b"x" * (11 * 1024 * 1024), method="POST"
    )
    assert status == 413
    assert headers["Strict-Transport-Security"] == HSTS
    status, _ = _request(stack["url"] + "/media/imports/voters.csv")
    assert status == 404
