"""The surge benchmark's server settings: production's (urne.site.settings.prod, every value
from the same environment) plus ONE benchmark-only hook, URNE_BENCH_CAPTCHA_ANSWERS: each
CAPTCHA image's answer in a response header, so that the load generator solves the CAPTCHA
(the image is still drawn and the answer still checked). Production refuses to serve with
that hook (urne.E004, urne.site.checks); these settings silence that one refusal by its id,
and nothing else differs (tests/functional/test_bench_hook.py checks both)."""

from urne.site.settings.prod import *  # noqa: F403

URNE_BENCH_CAPTCHA_ANSWERS = True
SILENCED_SYSTEM_CHECKS = ["urne.E004"]
