"""Settings shared by every environment.

Databases: the three stores (docs/architecture.md, "The three stores") are three Django aliases,
``default`` (voter store), ``authority`` and ``urn``. By default they are three SQLite files
under ``URNE_VAR``; with ``URNE_DB=postgres`` they are three PostgreSQL databases named
``<URNE_DB_PREFIX>_voters``, ``_authority`` and ``_urn``.
"""

import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from urne.site.themes import content_security_policy, installed_apps

SRC_DIR = Path(__file__).resolve().parents[2]  # src/urne
VAR_DIR = Path(os.environ.get("URNE_VAR", Path.cwd() / "var"))

# Overridden by every concrete settings module; prod refuses this placeholder (urne.site.checks).
SECRET_KEY = os.environ.get("URNE_SECRET_KEY", "placeholder-not-a-secret")
DEBUG = False
ALLOWED_HOSTS: list[str] = [h for h in os.environ.get("URNE_ALLOWED_HOSTS", "").split(",") if h]

# The look (ADRs 0221, 0241): "default", Urne's neutral theme, or "dsfr", the French State's
# design system, for a State deployment only (its files: `make dsfr`).
URNE_THEME = os.environ.get("URNE_THEME", "default")
_APPS = [
    # The admin with its site closed to all but the manager (ADR 0560).
    "urne.backoffice.admin_site.UrneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "urne.site",
    "urne.audit",
    "urne.elections",
    "urne.backoffice",
    "urne.theme",
    "urne.urn",
    "urne.bureau",
    "urne.booth",
    "urne.accounts",
    "urne.messaging",
    "urne.authority",
    "urne.portal",
    "urne.count",
]
INSTALLED_APPS = installed_apps(_APPS, URNE_THEME)
# Form fields through the theme's template (theme/forms/field.html), so that a theme styles
# the staff's forms too.
FORM_RENDERER = "urne.theme.forms.ThemeFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads a form body in its process_view (ADR 0520).
    "urne.site.parsing.StrictInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "urne.backoffice.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "urne.site.urls"
WSGI_APPLICATION = "urne.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    if os.environ.get("URNE_DB", "sqlite") == "postgres":
        prefix = os.environ.get("URNE_DB_PREFIX", "urne")
        common = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("URNE_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("URNE_DB_PORT", "5432"),
            "USER": os.environ.get("URNE_DB_USER", "root"),
            "PASSWORD": os.environ.get("URNE_DB_PASSWORD", ""),
            "CONN_MAX_AGE": 60,
        }
        # In production each store is its own server reached with its own role
        # (docs/operations.md, "Least privilege"): URNE_DB_<STORE>_HOST, _PORT, _USER,
        # _PASSWORD and _NAME (STORE: VOTERS, AUTHORITY, URN) override the shared values.
        stores = {}
        for alias, suffix in (("default", "voters"), ("authority", "authority"), ("urn", "urn")):
            own = {
                key: os.environ[f"URNE_DB_{suffix.upper()}_{key}"]
                for key in ("HOST", "PORT", "USER", "PASSWORD", "NAME")
                if f"URNE_DB_{suffix.upper()}_{key}" in os.environ
            }
            stores[alias] = {**common, "NAME": f"{prefix}_{suffix}", **own}
        return stores
    return {
        alias: {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / f"{name}.sqlite3",
            # WAL lets the worker write while the web server reads. IMMEDIATE: a transaction
            # takes the write lock when it begins, waiting for it up to ``timeout`` seconds;
            # a deferred one that read first and writes later fails at once ("database is
            # locked") when another wrote in between, whatever the timeout (ADR 0530).
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
        for alias, name in (("default", "voters"), ("authority", "authority"), ("urn", "urn"))
    }


DATABASES = _databases()
DATABASE_ROUTERS = ["urne.site.router.StoreRouter"]
# Which store each app lives in; apps not listed live in the voter store ("default").
URNE_STORES = {"authority": "authority", "urn": "urn"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first, with Urne's parameters (ADR 0206): every new or re-hashed password uses it.
# Django's Argon2 hasher, same algorithm name, still verifies older hashes (either reads the
# parameters from the hash); a successful login re-hashes them with ours.
PASSWORD_HASHERS = [
    "urne.accounts.hashers.UrneArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
# Staff accounts (urne.backoffice.staff_auth, ADR 0510-0512): a session ends after 15 minutes
# without a request and 10 hours after the login; from 3 recent failures under a login name
# (forgotten a day after the last), every attempt under it needs the CAPTCHA.
URNE_STAFF_SESSION_IDLE_SECONDS = 15 * 60
URNE_STAFF_SESSION_MAX_SECONDS = 10 * 3600
URNE_STAFF_CAPTCHA_AFTER_FAILURES = 3
URNE_STAFF_FAILURES_FORGET_SECONDS = 24 * 3600
# TOTP devices (django-otp): the name authenticator apps show; the library's own growing
# delay after wrong codes is off (0): it would let anyone who has the password keep the
# staff member out for days; wrong codes bring the CAPTCHA instead (ADR 0511).
OTP_TOTP_ISSUER = "Urne"
OTP_TOTP_THROTTLE_FACTOR = 0
# Voter accounts (urne.accounts, ADR 0200-0203): sessions, rate limits, CAPTCHA.
URNE_VOTER_SESSION_IDLE_SECONDS = 30 * 60
URNE_VOTER_SESSION_MAX_SECONDS = 8 * 3600
# Failures on a voter's secret (password, vote code, challenge answer) since the last right
# one, after which every entry of the account's secrets asks the CAPTCHA too; nothing ever
# refuses the right secret (urne.accounts.secret_failures, ADR 0500).
URNE_SECRET_FAILURES_BEFORE_CAPTCHA = 3
URNE_VOTER_HOME = "portal:home"
_PW = "urne.accounts.validators."
# The two password policies of the seeds (ADR 0201), one validator per rule shown live.
URNE_PASSWORD_POLICIES = {
    "2018": [  # seed 002: 8 to 24 characters, lower, upper, digit, not the e-mail
        {"NAME": _PW + "LengthValidator", "OPTIONS": {"min_length": 8, "max_length": 24}},
        # 2018 does not ask for unaccented letters: "é" counts as a lower-case letter.
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "lower", "ascii_only": 0}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "upper", "ascii_only": 0}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "digit"}},
        {"NAME": _PW + "DifferentFromEmailValidator"},
    ],
    "2022": [  # seed 003: 12 to 256, unaccented lower and upper, digit, special
        {"NAME": _PW + "LengthValidator", "OPTIONS": {"min_length": 12, "max_length": 256}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "lower"}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "upper"}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "digit"}},
        {"NAME": _PW + "CharacterClassValidator", "OPTIONS": {"kind": "special"}},
        {"NAME": _PW + "ExclusiveCharactersValidator"},  # "exclusivement": no accent
        {"NAME": _PW + "DifferentFromEmailValidator"},
    ],
}
URNE_CAPTCHA_ENABLED = True
URNE_ESPEAK = os.environ.get("URNE_ESPEAK", "espeak-ng")
# Messaging (urne.messaging, ADR 0204): SMTP by default; dev writes files, tests use memory.
URNE_MAIL_CHANNEL = "urne.messaging.channels.SmtpChannel"
URNE_MAIL_FROM = (
    "Élections professionnelles",
    os.environ.get("URNE_MAIL_FROM", "elections@localhost"),
)
URNE_SMTP = {
    "host": os.environ.get("URNE_SMTP_HOST", "127.0.0.1"),
    "port": int(os.environ.get("URNE_SMTP_PORT", "25")),
    "user": os.environ.get("URNE_SMTP_USER", ""),
    "password": os.environ.get("URNE_SMTP_PASSWORD", ""),
    "starttls": os.environ.get("URNE_SMTP_STARTTLS", "") == "1",
    "timeout": 30,
}
URNE_MAIL_DIR = VAR_DIR / "mail"
URNE_MAIL_MAX_ATTEMPTS = 5
URNE_MAIL_SENDING_TIMEOUT = 15 * 60
URNE_MAIL_BATCH_SIZE = 500
URNE_MAIL_RATE_PER_SECOND = float(os.environ.get("URNE_MAIL_RATE", "50"))
URNE_MAIL_TASK_BUDGET_SECONDS = 50
URNE_PUBLIC_URL = os.environ.get("URNE_PUBLIC_URL", "http://localhost:8000")
# SMS (urne.messaging, ADRs 0600-0602): the operator's SMPP 3.4 gateway; dev writes sealed
# files, tests use memory. The rate is the gateway's contract (submits per second, shared by
# every worker); a message whose answer never came is "uncertain" after the timeout.
URNE_SMS_CHANNEL = "urne.messaging.sms_channels.SmppChannel"
URNE_SMPP = {
    "host": os.environ.get("URNE_SMPP_HOST", "127.0.0.1"),
    "port": int(os.environ.get("URNE_SMPP_PORT", "2775")),
    "system_id": os.environ.get("URNE_SMPP_SYSTEM_ID", "urne"),
    "password": os.environ.get("URNE_SMPP_PASSWORD", ""),
    "system_type": os.environ.get("URNE_SMPP_SYSTEM_TYPE", ""),
    "source_addr": os.environ.get("URNE_SMPP_SOURCE", "ELECTIONS"),
    "timeout": 10,
}
URNE_SMS_DIR = VAR_DIR / "sms"
URNE_SMS_RATE_PER_SECOND = float(os.environ.get("URNE_SMS_RATE", "50"))
URNE_SMS_SENDING_TIMEOUT = 5 * 60
URNE_SMS_TASK_BUDGET_SECONDS = 50
# How long a dispatch run stays bound for the receipts of what it sent, and the longest
# pause after the gateway failed (doubling from one second).
URNE_SMS_RECEIPT_WAIT_SECONDS = 30
URNE_SMS_FIRST_PAUSE_SECONDS = 1.0
URNE_SMS_MAX_PAUSE_SECONDS = 60
# FranceConnect (OpenID Connect), the 2022 réassort's second path (ADR 0650). Off unless an
# issuer is given; its endpoints are named one by one (no discovery at run time: a provider
# that changed its keys or endpoints is a change the operator makes, not one a response makes).
_FC = os.environ.get("URNE_FRANCECONNECT_ISSUER", "").rstrip("/")
URNE_FRANCECONNECT = {
    "issuer": _FC,
    "client_id": os.environ.get("URNE_FRANCECONNECT_CLIENT_ID", ""),
    "client_secret": os.environ.get("URNE_FRANCECONNECT_CLIENT_SECRET", ""),
    "authorize_url": os.environ.get("URNE_FRANCECONNECT_AUTHORIZE_URL")
    or _FC + "/api/v1/authorize",
    "token_url": os.environ.get("URNE_FRANCECONNECT_TOKEN_URL") or _FC + "/api/v1/token",
    "userinfo_url": os.environ.get("URNE_FRANCECONNECT_USERINFO_URL") or _FC + "/api/v1/userinfo",
    "jwks_url": os.environ.get("URNE_FRANCECONNECT_JWKS_URL") or _FC + "/api/v1/jwks",
    # The eIDAS level asked for; an identity given at a lower level is refused.
    "acr": os.environ.get("URNE_FRANCECONNECT_ACR") or "eidas1",
    "timeout": 10,
}
# The key of the social security numbers' hashes (elections.nir, ADR 0652): where an election
# lets the réassort ask the NIR's first 10 digits instead of the NUMEN, the import keeps only
# their HMAC under this key. Empty: no election may enable it. At least 32 characters, apart
# from the other secrets, in the environment only (a key in a store would make 10 digits
# findable from their hash).
URNE_NIR_KEY = os.environ.get("URNE_NIR_KEY", "")
# How long the page "Générer un code" stays open after the identity was checked (seconds).
URNE_REASSORT_GRANT_SECONDS = 30 * 60
# A new voter identifier by SMS (2018 style, urne.portal.replacement, ADR 0610): the voter's
# own requests (seed 002: "ne peut être faite que 3 fois") and the helpdesk's reserve on top;
# the setup gives every voter that many spare codes (R = requests + reserve).
URNE_REPLACEMENT_REQUESTS = 3
URNE_REPLACEMENT_RESERVE = int(os.environ.get("URNE_REPLACEMENT_RESERVE", "1"))
# The SMS's last line (one SMS part: 160 GSM characters with the identifier).
URNE_SMS_SIGNATURE = os.environ.get("URNE_SMS_SIGNATURE", "Les élections professionnelles")
# Every rate limit, by name: (requests, seconds), a fixed window (urne.site.ratelimit).
# The key each is counted by is the caller's: per client address, identifier, account, voter.
URNE_RATE_LIMITS = {
    # Per address, every limit is sized for the largest site behind one address (a rectorat,
    # a school: up to 1 000 voters, their peak within 5 minutes, about 3 requests each), so
    # it never stops a site; the accounts and their secrets are protected per account
    # (urne.accounts.secret_failures: CAPTCHA after failures) and per identifier (ADR 0500).
    # The cast (ADR 0322): per voter (a voter casts a handful of ballots), per address.
    "cast_voter": (30, 300),
    "cast_address": (6000, 60),
    # The booth's vote-code check, per address (per voter: the account's secret failures).
    "votecode_address": (3000, 300),
    # The accounts' forms (ADR 0203, 0500), per address, and per identifier where a request
    # sends an e-mail (over it: no more e-mails; identification still goes on).
    "identify_address": (3000, 300),
    "identify_identifier": (20, 300),
    "password_address": (3000, 300),
    "reset_address": (300, 3600),
    "reset_identifier": (5, 3600),
    "activate": (3000, 300),
    "captcha": (6000, 300),
    # Wrong passwords from one address (a spray: a few guesses on each of many accounts):
    # over it, every password typed from that address asks the CAPTCHA too.
    "password_failures_address": (300, 300),
    # The portal's forms, per voter when logged in, else per address.
    "assistance": (5, 3600),
    "complaint": (5, 3600),
    "roll_search": (120, 60),
    # The 2022 réassort (FranceConnect and "Générer un code"), per voter and per address:
    # a voter has a few spares only; an address may hold a whole site (ADR 0650).
    "reassort_voter": (10, 3600),
    "reassort_address": (600, 3600),
    # "Demander un nouvel identifiant électeur": per voter (wrong NUMEN or birth date typed,
    # on top of the 3 requests' own limit) and per address (a site of 1 000 voters).
    "replacement_voter": (10, 3600),
    "replacement_address": (3000, 3600),
    # The public board's tracker lookup during the vote, per address (ADR 0324).
    "board_lookup": (120, 60),
    # The back office's login: passwords and TOTP codes, per address (ADR 0510).
    "staff_login": (30, 300),
    "staff_otp": (30, 300),
}
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated
# in the environment); from any other client only REMOTE_ADDR counts (urne.site.ratelimit).
URNE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("URNE_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Whether the server is behind a reverse proxy (prod: yes, unless URNE_BEHIND_PROXY=0); then
# URNE_TRUSTED_PROXIES must name it (urne.E022), or every client would have its address.
URNE_BEHIND_PROXY = False
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
# Stored in UTC (USE_TZ), shown in Paris time: the calendar of the seeds is in Paris time.
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Upload limits: a voter file of 1.1 M rows is about 200 MB of CSV.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
URNE_PROFESSION_DE_FOI_MAX_BYTES = 5 * 1024 * 1024
# Credential authority (ADR 0300-0301): every vote code is derived from this key; prod
# refuses the placeholder (urne.E300). Keep it apart from URNE_SECRET_KEY.
URNE_AUTHORITY_KEY = os.environ.get("URNE_AUTHORITY_KEY", "placeholder-authority-not-a-secret")

# Content-Security-Policy on every page, in every settings module (the browser tests run the
# booth and the portal under it and fail on a violation; ADR 0550). Scripts and styles come
# only from our static files: no inline script or style, no eval, no other host; the booth's
# crypto is plain JavaScript (@noble, BigInt), so not even 'wasm-unsafe-eval' is needed. A
# theme may add to it (urne.site.themes: the DSFR's data: images).
SECURE_CSP = content_security_policy(
    {
        "default-src": [CSP.NONE],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF],  # the CAPTCHA's image
        "media-src": [CSP.SELF],  # and its audio
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],  # the booth's code check and cast, the campaign's progress
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "object-src": [CSP.NONE],
    },
    URNE_THEME,
)

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "urne.accounts.session_store"  # Django's db sessions, plain-SQL read (ADR 0330)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # smpplib's DEBUG lines dump every PDU in hex: the number and the text (ADR 0600).
    "loggers": {"smpplib": {"level": "WARNING"}},
}

# Voter import (ADR 0541): rows read per file (a bit over the largest electorate, 1.1 M),
# and row errors kept for the report (the total is always counted).
URNE_IMPORT_MAX_ROWS = 1_200_000
URNE_IMPORT_ERRORS_KEPT = 1_000
# The personal-data notice (portal:privacy): who answers for the processing and how to reach
# its data-protection officer. Empty: the notice names "the public employer that organises
# the election" and its DPO, in the page's language.
URNE_DATA_CONTROLLER = os.environ.get("URNE_DATA_CONTROLLER", "")
URNE_DPO_CONTACT = os.environ.get("URNE_DPO_CONTACT", "")
