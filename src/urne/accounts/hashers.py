"""Urne's password hasher: Argon2id with parameters sized for the opening-day login peak
(ADR 0206).

Django's defaults (100 MiB, t=2, p=8) cost 200–670 ms of this machine's cores per check,
i.e. a few logins a second per machine. OWASP's Password Storage Cheat Sheet and RFC 9106 §4
let us trade that for m=19 MiB, t=2, p=1: about 20 ms of one core per check here. One lane
because a login runs on one web worker; the workers give the parallelism.

The algorithm name stays "argon2": a hash made with other parameters (Django's defaults, an
older Urne tuning) still verifies, and `must_update` sees its parameters differ, so
`check_password(..., setter)` re-hashes it with these ones at the next successful login.
To retune, change the three numbers below (and measure with `make bench-accounts`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class UrneArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP's first recommended configuration)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
