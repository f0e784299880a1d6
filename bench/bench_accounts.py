"""Accounts and messaging benchmark: the opening-mail campaign through a real local SMTP
server (aiosmtpd), CAPTCHA image and audio, Argon2id password checks with Django's default
parameters and with Urne's (ADR 0206).

    .venv/bin/python bench/bench_accounts.py [--voters N] [--argon2-only]

Runs on a throw-away SQLite database (test settings; the password figures call the Argon2
hashers directly, not the suite's fast hasher). `--argon2-only`: only the password figures,
to retune the parameters."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.site.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--argon2-only", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    if args.argon2_only:
        argon2_report()
        return
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment

    setup_test_environment()
    setup_databases(verbosity=0, interactive=False, aliases=set(connections))

    import logging

    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP line; the tasks framework every task: not what we measure.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("django.tasks").setLevel(logging.WARNING)

    from factories.accounts import SmtpRecorder, _free_port
    from factories.elections import election_make, voter_make
    from urne.elections.models import Voter
    from urne.messaging import services
    from urne.messaging.models import Campaign

    recorder = SmtpRecorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.URNE_MAIL_CHANNEL = "urne.messaging.channels.SmtpChannel"
    settings.URNE_SMTP = {"host": "127.0.0.1", "port": port, "timeout": 30}
    settings.URNE_MAIL_RATE_PER_SECOND = 1e9
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    election = election_make(name="Bench 2022", style="2022")
    template = voter_make(election)
    Voter.objects.bulk_create(
        [
            Voter(
                election=election,
                numen=f"{n:02d}B{n:08d}XY"[:13],
                civility="F",
                last_name=f"NOM{n}",
                first_name="Camille",
                birth_date=template.birth_date,
                email=f"v{n}@ac-bench.fr",
                category=template.category,
                academie="Lyon",
                departement="69",
            )
            for n in range(args.voters - 1)
        ],
        batch_size=2000,
    )
    campaign = services.campaign_start(
        actor="bench", election=election, template="accounts.opening"
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    while not services.campaign_run(campaign_id=campaign.pk, budget_seconds=3600):
        pass
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DONE
    sent = len(recorder.envelopes)
    controller.stop()
    print(
        f"campaign: {sent} opening e-mails over SMTP in {elapsed:.1f} s = "
        f"{sent / elapsed:,.0f} messages/s (account + token + render + SMTP, one process)"
    )
    print(f"  1,000,000 voters at this rate: {1e6 / (sent / elapsed) / 3600:.1f} h")
    print(
        f"  CPU time (this process, SMTP server thread included): {cpu / sent * 1000:.1f} ms a "
        f"message = {sent / cpu:,.0f} messages per CPU-second"
    )

    from urne.accounts.captcha import _speak, captcha_png, captcha_wav

    times = []
    for _ in range(200):
        t = time.perf_counter()
        captcha_png("48213")
        times.append(time.perf_counter() - t)
    print(f"captcha image: median {statistics.median(times) * 1000:.1f} ms")
    _speak.cache_clear()
    t = time.perf_counter()
    wav = captcha_wav("48213")
    cold = time.perf_counter() - t
    times = []
    for code in ("12345", "67890", "55555", "90817", "31416") * 10:
        t = time.perf_counter()
        captcha_wav(code)
        times.append(time.perf_counter() - t)
    print(
        f"captcha audio: first {cold * 1000:.0f} ms (espeak-ng, 11 phrases), then median "
        f"{statistics.median(times) * 1000:.2f} ms; {len(wav) / 1024:.0f} KiB WAV"
    )

    argon2_report()


PASSWORD = "Mon-Mot-de-passe-2022"  # noqa: S105 - the benchmark's own password


def argon2_report(checks: int = 30) -> None:
    """Median and p90 of `checks` password checks with Django's default Argon2id parameters
    and with Urne's (ADR 0206); the logins/s two cores would give: implied by the CPU time of
    one check, and measured with two processes checking at once (they share the L3 cache and
    the memory bus, which one process alone does not show)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from urne.accounts.hashers import UrneArgon2PasswordHasher

    urne = UrneArgon2PasswordHasher()
    ours = f"Urne: m={urne.memory_cost / 1024:g} MiB, t={urne.time_cost}, p={urne.parallelism}"
    for label, hasher in (("Django defaults", Argon2PasswordHasher()), (ours, urne)):
        encoded = hasher.encode(PASSWORD, hasher.salt())
        walls, cpus = [], []
        for _ in range(checks):
            t, c = time.perf_counter(), time.process_time()
            assert hasher.verify(PASSWORD, encoded)
            cpus.append(time.process_time() - c)
            walls.append(time.perf_counter() - t)
        walls.sort()
        cpu = statistics.median(cpus)
        pair = _checks_per_second_two_processes(encoded, statistics.median(walls))
        print(
            f"argon2id check ({label}): median {statistics.median(walls) * 1000:.1f} ms, "
            f"p90 {walls[int(0.9 * len(walls))] * 1000:.1f} ms over {checks} checks; "
            f"{cpu * 1000:.1f} CPU ms (median) = {2 / cpu:.0f} logins/s implied on 2 cores; "
            f"2 processes at once: {pair:.0f} checks/s"
        )


def _checks_per_second_two_processes(encoded: str, median: float) -> float:
    """Two processes verifying `encoded` for about three seconds each, started together."""
    import multiprocessing

    rounds = max(3, int(3 / median))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_verify_rounds, [(encoded, 1)] * 2)  # interpreter and library loaded
        started = time.perf_counter()
        pool.map(_verify_rounds, [(encoded, rounds)] * 2)
        return 2 * rounds / (time.perf_counter() - started)


def _verify_rounds(job: tuple[str, int]) -> None:
    """What Django's Argon2PasswordHasher.verify does, without Django in the child process."""
    import argon2

    encoded, rounds = job
    checker = argon2.PasswordHasher()
    for _ in range(rounds):
        checker.verify(encoded.removeprefix("argon2"), PASSWORD)


if __name__ == "__main__":
    main()
