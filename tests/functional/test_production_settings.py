"""Production settings (issue 12, defect 8): a strict Content-Security-Policy on every page
(dev and test too, so that the browser tests prove the pages work under it), HTTPS only, the
WSGI entry that gunicorn loads refuses placeholder secrets and a missing trusted proxy, and
`manage.py check --deploy` is clean (docs/deployment.md)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.portal import portal_world_make

SRC = Path(__file__).resolve().parents[2] / "src"
REAL_SECRETS = {
    "URNE_SECRET_KEY": secrets.token_urlsafe(50),
    "URNE_AUTHORITY_KEY": secrets.token_urlsafe(40),
    "URNE_ALLOWED_HOSTS": "elections.example.org",
    "URNE_TRUSTED_PROXIES": "10.0.0.0/24",
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["portal:home", "backoffice:login", "accounts:login", "portal:faq", "admin:login"]
)
def test_every_page_is_served_under_a_strict_policy(client, name):
    policy = _policy(client.get(reverse(name)))
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_the_booth_runs_its_crypto_under_the_same_policy(client):
    from factories.authority import booth_election_make

    _, _, voters, _ = booth_election_make()
    voter_client_login(client, voters[0])
    response = client.get(reverse("booth:entry"))
    assert "booth/belenios.js" in response.text
    # No WebAssembly, no eval: the bundle is plain JavaScript (@noble, BigInt).
    assert _policy(response)["script-src"] == ["'self'"]
    assert _policy(response)["connect-src"] == ["'self'"]


@pytest.mark.django_db(databases=["default", "authority"])
def test_portal_pages_of_a_logged_in_voter_have_the_policy(client):
    w = portal_world_make()
    voter_client_login(client, w.voter)
    for url in (reverse("portal:home"), reverse("portal:scrutin", args=[w.scrutins[0].uuid])):
        assert _policy(client.get(url))["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
# An attribute inside a tag (not a template variable: `{% if style == "2018" %}`).
INLINE_HANDLER = re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=\s*[\"']", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^<>]*\sstyle\s*=\s*[\"']", re.I)


def test_no_page_template_has_an_inline_script_handler_or_style():
    """What the policy would block: e-mail templates excepted (a mail client is not under
    the site's policy, and e-mail needs inline styles)."""
    found = []
    for path in SRC.rglob("templates/**/*.html"):
        if "/email/" in path.as_posix():
            continue
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            found += [f"{path.relative_to(SRC)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "PYTHONPATH": str(SRC),
            "URNE_VAR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "urne.site.settings.prod",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


LOAD_WSGI = "from urne.site.wsgi import application; print('serving', callable(application))"


def test_wsgi_entry_refuses_the_placeholder_secrets(tmp_path):
    env = {
        k: v for k, v in REAL_SECRETS.items() if k not in ("URNE_SECRET_KEY", "URNE_AUTHORITY_KEY")
    }
    run = _run(LOAD_WSGI, env, tmp_path)
    assert run.returncode != 0 and "serving" not in run.stdout
    assert "urne.E001" in run.stderr and "URNE_SECRET_KEY" in run.stderr
    assert "urne.E300" in run.stderr and "URNE_AUTHORITY_KEY" in run.stderr


def test_wsgi_entry_serves_with_real_secrets(tmp_path):
    run = _run(LOAD_WSGI, REAL_SECRETS, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "serving True"


def test_wsgi_entry_refuses_a_proxy_it_would_not_believe(tmp_path):
    """Behind the TLS proxy every request comes from the proxy's address: without its
    address in URNE_TRUSTED_PROXIES, every per-address limit would count the whole country
    as one client."""
    env = {k: v for k, v in REAL_SECRETS.items() if k != "URNE_TRUSTED_PROXIES"}
    run = _run(LOAD_WSGI, env, tmp_path)
    assert run.returncode != 0 and "urne.E022" in run.stderr
    assert "URNE_TRUSTED_PROXIES" in run.stderr
    # A server facing the clients itself says so, and then believes no forwarded header.
    direct = _run(
        LOAD_WSGI + "; from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        {**env, "URNE_BEHIND_PROXY": "0"},
        tmp_path,
    )
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.split() == ["serving", "True", "None"]


def test_prod_settings_are_https_only(tmp_path):
    run = _run(
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        REAL_SECRETS,
        tmp_path,
    )
    assert run.stdout.split() == ["True", "31536000", "True", "True", "True", "True"], run.stderr


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    manage = SRC.parent / "manage.py"
    run = _run(
        f"import runpy, sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level',"
        f" 'WARNING']; runpy.run_path({str(manage)!r}, run_name='__main__')",
        REAL_SECRETS,
        tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout


def _example_environment() -> dict[str, str]:
    lines = (SRC.parent / "deploy" / "urne.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_gunicorn_refuses_to_start_on_the_example_environment(tmp_path):
    """The documented environment file as shipped: gunicorn, with the deployment's own
    configuration (the checks run in its master before it binds), exits with status 1 and
    names every value still to fill, the database and SMTP passwords as the secrets."""
    example = _example_environment()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(SRC.parent / "deploy" / "gunicorn.conf.py"),
        ],
        env={
            **clean,
            **example,
            "PYTHONPATH": str(SRC),
            "URNE_VAR": str(tmp_path),
            "URNE_WEB_BIND": "127.0.0.1:0",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert "Listening at" not in run.stderr
    assert "urne.E001" in run.stderr and "urne.E300" in run.stderr
    for name in ("URNE_DB_URN_PASSWORD", "URNE_SMTP_PASSWORD", "URNE_TRUSTED_PROXIES"):
        assert f"{name} is still a placeholder" in run.stderr
    assert "(urne.E002)" in run.stderr


def test_every_variable_the_settings_read_is_in_the_example_and_the_docs():
    """One documented list: every URNE_ variable of the settings is in the example file
    and in docs/deployment.md."""
    read = set(
        re.findall(
            r'"(URNE_[A-Z_]+)"',
            "".join(p.read_text() for p in (SRC / "urne" / "site" / "settings").glob("*.py")),
        )
    )
    example = set(_example_environment())
    docs = (SRC.parent / "docs" / "deployment.md").read_text()
    # Left to their defaults in the example: one server for every store, Debian's espeak-ng.
    defaults = {"URNE_DB_HOST", "URNE_DB_PORT", "URNE_DB_USER", "URNE_DB_PASSWORD", "URNE_ESPEAK"}
    assert read - example - defaults == set()
    assert [name for name in sorted(read) if name not in docs] == []


def test_wsgi_entry_refuses_an_empty_host_list(tmp_path):
    env = {k: v for k, v in REAL_SECRETS.items() if k != "URNE_ALLOWED_HOSTS"}
    run = _run(LOAD_WSGI, env, tmp_path)
    assert run.returncode != 0 and "urne.E003" in run.stderr
