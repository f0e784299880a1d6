"""Browser tests: pytest-django's live server, Playwright driving Debian's Chromium, axe-core.

Every test here is marked ``browser``. Chromium comes from Debian (`apt-get install -y
chromium`), never from `playwright install`; axe-core from npm (`make frontend`). Either one
missing is a clear failure, not a skip: CI must run these tests.

`assert_accessible(page, name)` runs axe-core on the page, saves a full-page screenshot to
``test-artifacts/<test>/<step>.png`` (git-ignored) and fails on any serious or critical
violation.

Every test that checks a page with it runs once in each theme (``theme``: the default one and
the DSFR's, ADR 0241): the same journeys, the same axe-core checks, the screenshots of each
in ``test-artifacts/<test>[<theme>]/``. The DSFR's files missing (`make dsfr`) is a failure.

Every page runs under the site's Content-Security-Policy (ADR 0550): a violation Chromium
reports on the console fails the test, as a JavaScript error does.

Every log of the live server goes to one file (``server_log``): its access log, one line a
request as ``runserver`` writes it (pytest-django's server is quiet), and every logger's
records. After each test with a page, no link token of an e-mail the test sent, and no
secret the test names (a vote code, a password), may be in it or in any ``*.log`` file under
``URNE_VAR`` (``unlogged``).
"""

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("URNE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
# WCAG 2.1 A and AA rules (RGAA 4 maps onto them), plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def chromium() -> Any:
    """Chromium for one test module. Playwright's sync API keeps an asyncio loop in the test
    thread while it runs, which Django's async-safety check would take for async code and
    refuse the tests' own ORM calls: allowed for that time only, and the loop ends with the
    module, so other tests on the same xdist worker keep the check."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(sudo apt-get install -y chromium) or set URNE_CHROMIUM.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright missing: make install (dev extra).", pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(chromium: Any) -> Any:
    ctx = chromium.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def _csp_violation(message: Any) -> bool:
    """Chromium's console message for a blocked script, style, handler, request or frame."""
    return "Content Security Policy" in message.text


@pytest.fixture(scope="session", autouse=True)
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The live server's log file: access log and every logger, from the first test on."""
    import logging

    from django.core.servers.basehttp import WSGIRequestHandler
    from django.test import testcases

    path = tmp_path_factory.mktemp("server-logs") / "server.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    quiet = testcases.QuietWSGIRequestHandler.log_message
    # The access log as runserver writes it ("GET /path?query HTTP/1.1" 200 …).
    testcases.QuietWSGIRequestHandler.log_message = WSGIRequestHandler.log_message  # type: ignore[method-assign]
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
    loggers[1].setLevel(logging.INFO)
    yield path
    testcases.QuietWSGIRequestHandler.log_message = quiet  # type: ignore[method-assign]
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
    handler.close()


# A link of an account e-mail: its single-use token, after "#" (or, before ADR 0532, as the
# path's last segment).
LINK_TOKEN = re.compile(r"/compte/[^\s#]*?(?:#|/)([A-Za-z0-9_-]{40,})")


@pytest.fixture
def unlogged(server_log: Path) -> Any:
    """After the test: no link token e-mailed during it, and none of the secrets the test adds
    to the set this yields, in any log (the server's, and every ``*.log`` under
    ``URNE_VAR``). Checked before the test's own clean-up, which empties the outbox."""
    secrets: set[str] = set()
    yield secrets
    from django.conf import settings

    from factories.accounts import mail_outbox

    tokens = {t for mail in mail_outbox() for t in LINK_TOKEN.findall(mail.text)} | secrets
    files = [server_log, *Path(settings.VAR_DIR).rglob("*.log")]
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace") if file.exists() else ""
        leaked = [t for t in tokens if t in text]
        assert not leaked, f"a secret is in {file.name}: " + "; ".join(
            line for line in text.splitlines() if any(t in line for t in leaked)
        )


@pytest.fixture
def page(context: Any, unlogged: None) -> Any:
    p = context.new_page()
    errors: list[str] = []
    violations: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.on("console", lambda m: violations.append(m.text) if _csp_violation(m) else None)
    yield p
    assert not errors, f"JavaScript errors: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / _slug(request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


THEMES = ["default", "dsfr"]


@pytest.fixture(params=THEMES)
def theme(request: pytest.FixtureRequest) -> Any:
    """The test's pages in one theme (URNE_THEME), installed for the test only."""
    from factories.themes import theme_use

    if request.param == "dsfr":
        from urne.theme_dsfr.checks import assets_missing

        if missing := assets_missing():
            pytest.fail(
                f"the DSFR's files are missing ({', '.join(missing)}): run `make dsfr`.",
                pytrace=False,
            )
    with theme_use(request.param) as name:
        yield name


@pytest.fixture
def assert_accessible(page: Any, artifacts: Path, theme: str) -> Any:
    """`assert_accessible(page, step)`: screenshot, then axe-core; fails on serious/critical.
    Asked for by a test, it runs the test in each theme (``theme``)."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing ({AXE}): run `make frontend`.", pytrace=False)
    counter = {"n": 0}

    def check(p: Any, name: str) -> list[dict[str, Any]]:
        counter["n"] += 1
        step = f"{counter['n']:02d}-{_slug(name)}"
        p.screenshot(path=str(artifacts / f"{step}.png"), full_page=True)
        # Evaluated through the DevTools protocol, which the page's policy does not govern:
        # a <script> tag with axe's source would be an inline script, refused by the policy.
        p.evaluate(AXE.read_text(encoding="utf-8"))
        result = p.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = result["violations"]
        (artifacts / f"{step}.axe.json").write_text(
            json.dumps(violations, indent=1, ensure_ascii=False)
        )
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        assert not blocking, f"{name}: axe-core violations " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(n["target"][0] for n in v["nodes"][:3])
            for v in blocking
        )
        return violations

    return check


@pytest.fixture
def voter_login(context: Any, live_server: Any) -> Any:
    """Log a voter into the browser: the session the accounts app would create, as a cookie
    (the login form itself, with its CAPTCHA, is the accounts tests' business)."""
    from django.conf import settings
    from django.test import Client

    from factories.accounts import voter_client_login

    def login(voter: Any) -> None:
        client = Client()
        voter_client_login(client, voter)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return login


@pytest.fixture
def stopwatch() -> Any:
    start = time.monotonic()
    yield lambda: time.monotonic() - start


@pytest.fixture
def fresh_cache() -> Any:
    """An empty cache (rate limits, CAPTCHA state) before and after the test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
