"""The surge benchmark's one hook (ADR 0581): the CAPTCHA image's answer in a header, for the
load generator. Production refuses to serve with it (urne.E004); the benchmark's settings are
production's plus that hook and the silence of that one refusal."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from urne.accounts.captcha import BENCH_ANSWER_HEADER, _fernet

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "URNE_SECRET_KEY": "k" * 20 + "Qz8" * 15,
    "URNE_AUTHORITY_KEY": "a" * 20 + "Wx7" * 10,
    "URNE_ALLOWED_HOSTS": "elections.example.org",
    "URNE_TRUSTED_PROXIES": "10.0.0.0/24",
}
SERVE = (
    "from urne.site.wsgi import application; from django.conf import settings as s; "
    "print('serving', s.URNE_BENCH_CAPTCHA_ANSWERS)"
)


def _run(module: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    path = os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench"), str(tmp_path)])
    return subprocess.run(
        [sys.executable, "-c", SERVE],
        env={
            **clean,
            **SECRETS,
            "PYTHONPATH": path,
            "URNE_VAR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": module,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_serve_with_the_hook(tmp_path):
    (tmp_path / "hooked_settings.py").write_text(
        "from urne.site.settings.prod import *  # noqa\nURNE_BENCH_CAPTCHA_ANSWERS = True\n"
    )
    run = _run("hooked_settings", tmp_path)
    assert run.returncode != 0 and "serving" not in run.stdout
    assert "urne.E004" in run.stderr and "URNE_BENCH_CAPTCHA_ANSWERS" in run.stderr
    assert _run("urne.site.settings.prod", tmp_path).stdout.split() == ["serving", "False"]


def test_the_bench_settings_are_production_plus_the_hook(tmp_path):
    run = _run("surge.settings", tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["serving", "True"]
    code = (
        "import importlib, json; p = importlib.import_module('urne.site.settings.prod'); "
        "b = importlib.import_module('surge.settings'); "
        "print(json.dumps(sorted(k for k in set(dir(p)) | set(dir(b)) if k.isupper() and "
        "getattr(p, k, None) is not getattr(b, k, None))))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    diff = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            **SECRETS,
            "URNE_VAR": str(tmp_path),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert diff.stdout.strip() == '["SILENCED_SYSTEM_CHECKS", "URNE_BENCH_CAPTCHA_ANSWERS"]', (
        diff.stderr
    )


@pytest.mark.django_db
def test_the_image_carries_its_answer_only_under_the_hook(client, settings):
    token = _fernet().encrypt(b"40213").decode()
    url = reverse("accounts:captcha_image", args=[token])
    plain = client.get(url)
    assert plain.status_code == 200 and BENCH_ANSWER_HEADER not in plain
    settings.URNE_BENCH_CAPTCHA_ANSWERS = True
    hooked = client.get(url)
    assert hooked.status_code == 200 and hooked[BENCH_ANSWER_HEADER] == "40213"
