"""Who gets what at every URL (ADR 0560): the home of "who sees which URL".

``TABLE`` has one row per URL pattern of the project (the resolver walked to its leaves, the
admin's included; the patterns under ``i18n_patterns`` are also fetched under ``/en/``) and,
for each role (anonymous, a logged-in voter, each staff role, a superuser), what a GET gives
and, where the view takes a form, what an empty POST gives: a status, or a redirect to a
named page. ``test_every_pattern_has_a_row`` fails on a pattern without a row, so a new page
cannot be added without deciding who sees it. Other methods never give a 5xx.

One world (``workflow_world_make`` and a user per role) is made per module inside a
transaction on every store; each test runs in a savepoint of it, rolled back after.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from factories.accounts import account_make, voter_client_login
from factories.bureau import member_make
from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make
from urne.accounts.models import AccountPolicy
from urne.audit.models import AuditEvent
from urne.messaging.models import Campaign
from urne.portal.models import AssistanceRequest

STAFF = ["manager", "helpdesk", "auditor", "bureau", "delegate", "administrator"]
ROLES = ["anonymous", "voter", *STAFF, "superuser"]
# The Django admin: the administrator's only (ADR 0160), the manager's own pages replace it.
ADMINS = {"administrator", "superuser"}


@dataclass(frozen=True)
class To:
    """A 302 to the page named ``name`` (its path, any query string)."""

    name: str

    def __repr__(self) -> str:
        return f"302→{self.name}"


Outcome = int | To


def staff_page(allowed: set[str], ok: Outcome = 200) -> dict[str, Outcome]:
    """A staff page: ``ok`` for the roles in ``allowed`` (and superusers), a 403 for the
    other staff, the back office's login for everyone else (a voter is no staff member)."""
    out: dict[str, Outcome] = {"anonymous": To("backoffice:login"), "voter": To("backoffice:login")}
    for role in [*STAFF, "superuser"]:
        out[role] = ok if role in allowed | {"superuser"} else 403
    return out


def every(outcome: Outcome, **but: Outcome) -> dict[str, Outcome]:
    return {role: but.get(role, outcome) for role in ROLES}


def voter_page(ok: Outcome = 200, **but: Outcome) -> dict[str, Outcome]:
    """A page of the voter's own space: the voter gets ``ok``, everyone else the voter's
    login (a staff session is no voter session)."""
    return every(To("accounts:login"), voter=ok, **but)


@dataclass(frozen=True)
class Row:
    url: Callable[[Any], str]
    get: dict[str, Outcome]
    post: dict[str, Outcome] | None = None  # None: no form there (the methods test covers it)
    data: dict[str, str] = field(default_factory=dict)


READERS = {"manager", "auditor"}
FINDERS = {"manager", "helpdesk"}
BUREAU = {"bureau", "delegate"}
MANAGER = {"manager"}


def _r(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
    return lambda w: reverse(name, args=[a(w) for a in args])


def E(w: Any) -> int:
    return w.election.pk


TABLE: dict[str, Row] = {
    "set_language": Row(lambda w: reverse("set_language"), every(302), every(302)),
    # Monitoring: every caller alike, GET only (a POST is 405, no form).
    "healthz": Row(lambda w: reverse("healthz"), every(200), every(405)),
    "readyz": Row(lambda w: reverse("readyz"), every(200), every(405)),
    # --- back office (login pages, then the pages by permission)
    "backoffice:login": Row(_r("backoffice:login"), every(200), every(200)),
    "backoffice:otp": Row(_r("backoffice:otp"), every(302), every(302)),
    "backoffice:otp_enrol": Row(_r("backoffice:otp_enrol"), every(302), every(302)),
    "backoffice:logout": Row(_r("backoffice:logout"), every(405), every(302)),
    "backoffice:home": Row(_r("backoffice:home"), staff_page(set(STAFF))),
    "backoffice:election": Row(_r("backoffice:election", E), staff_page(READERS)),
    # The missing scrutins of every body created: POST only.
    "backoffice:scrutins_create": Row(
        _r("backoffice:scrutins_create", E), staff_page(MANAGER, 405), staff_page(MANAGER, 302)
    ),
    # An empty form: refused (the name is required), nothing changed.
    "backoffice:election_edit": Row(
        _r("backoffice:election_edit", E), staff_page(MANAGER), staff_page(MANAGER, 400)
    ),
    "backoffice:import": Row(
        _r("backoffice:import", E), staff_page(MANAGER), staff_page(MANAGER, 200)
    ),
    "backoffice:import_progress": Row(
        _r("backoffice:import_progress", lambda w: w.job.pk), staff_page(MANAGER)
    ),
    "backoffice:import_errors": Row(
        _r("backoffice:import_errors", lambda w: w.job.pk), staff_page(MANAGER)
    ),
    "backoffice:rules": Row(
        _r("backoffice:rules", E), staff_page(READERS), staff_page(MANAGER, 200)
    ),
    "backoffice:rolls": Row(
        _r("backoffice:rolls", E), staff_page(READERS), staff_page(MANAGER, 302)
    ),
    "backoffice:roll": Row(
        _r("backoffice:roll", lambda w: w.scrutin.pk),
        staff_page(READERS),
        staff_page(MANAGER, 200),
    ),
    "backoffice:list_checks": Row(_r("backoffice:list_checks", E), staff_page(READERS)),
    "backoffice:candidate_list": Row(
        _r("backoffice:candidate_list", lambda w: w.candidate_list.pk),
        staff_page(READERS),
        staff_page(MANAGER, 200),
    ),
    # The unions and the lists' registration, change and withdrawal: the manager changes,
    # the auditor reads the unions; an empty form is refused (400), nothing registered.
    "backoffice:unions": Row(
        _r("backoffice:unions", E), staff_page(READERS), staff_page(MANAGER, 400)
    ),
    "backoffice:list_add": Row(
        _r("backoffice:list_add", E), staff_page(MANAGER), staff_page(MANAGER, 400)
    ),
    "backoffice:list_edit": Row(
        _r("backoffice:list_edit", lambda w: w.candidate_list.pk),
        staff_page(MANAGER),
        staff_page(MANAGER, 400),
    ),
    "backoffice:profession_de_foi": Row(
        _r("backoffice:profession_de_foi", lambda w: w.candidate_list.pk), staff_page(READERS)
    ),
    "backoffice:complaints": Row(_r("backoffice:complaints", E), staff_page(READERS)),
    "backoffice:complaint": Row(
        _r("backoffice:complaint", lambda w: w.complaint.pk),
        staff_page(READERS),
        staff_page(MANAGER, 400),
    ),
    "backoffice:voter_find": Row(_r("backoffice:voter_find", E), staff_page(FINDERS)),
    "backoffice:voter": Row(_r("backoffice:voter", lambda w: w.voter.pk), staff_page(FINDERS)),
    "backoffice:audit": Row(_r("backoffice:audit"), staff_page(READERS)),
    # --- the authority's, messaging's, the helpdesk's and the bureau's staff pages
    "authority:codes": Row(_r("authority:codes", E), staff_page(READERS), staff_page(MANAGER, 200)),
    "authority:notices": Row(
        lambda w: reverse("authority:notices", args=[w.election.pk, 1]), staff_page(MANAGER, 404)
    ),
    "authority:replace": Row(
        _r("authority:replace", lambda w: w.voter.pk),
        staff_page(FINDERS),
        staff_page(FINDERS, 200),
    ),
    "messaging:campaigns": Row(
        _r("messaging:campaigns", E), staff_page(MANAGER), staff_page(MANAGER, 302)
    ),
    "messaging:campaign": Row(
        _r("messaging:campaign", lambda w: w.campaign.pk), staff_page(MANAGER)
    ),
    "messaging:campaign_control": Row(
        _r("messaging:campaign_control", lambda w: w.campaign.pk),
        staff_page(MANAGER, 405),
        staff_page(MANAGER, 302),
    ),
    # DEBUG-only: no mailbox in the test settings, for anyone.
    "messaging:mailbox": Row(_r("messaging:mailbox"), every(404)),
    "helpdesk:voter_account": Row(
        _r("helpdesk:voter_account", lambda w: w.voter.pk),
        staff_page(FINDERS, 405),
        staff_page(FINDERS, 302),
    ),
    # The helpdesk sends a voter's reserve code by SMS (ADR 0610): POST only.
    "helpdesk:voter_reserve": Row(
        _r("helpdesk:voter_reserve", lambda w: w.voter.pk),
        staff_page(FINDERS, 405),
        staff_page(FINDERS, 302),
    ),
    # The assistance requests (an election's list, one request): whoever finds voters; an
    # empty POST names no action (400), nothing is closed.
    "helpdesk:assistance_requests": Row(_r("helpdesk:assistance_requests", E), staff_page(FINDERS)),
    "helpdesk:assistance_request": Row(
        _r("helpdesk:assistance_request", lambda w: w.request.pk),
        staff_page(FINDERS),
        staff_page(FINDERS, 400),
    ),
    # --- the bureau's pages: its own members only (the world's bureau and delegate accounts
    # are members of its election's bureau; ``permissions.bureau_pages_allowed``)
    "bureau:home": Row(_r("bureau:home", E), staff_page(BUREAU)),
    "bureau:journal": Row(_r("bureau:journal", E), staff_page(BUREAU)),
    # An empty decision is refused (400); a superuser is no member, so records none (403).
    "bureau:key_loss": Row(
        _r("bureau:key_loss", E),
        staff_page(BUREAU),
        {**staff_page(BUREAU, 400), "superuser": 403},
    ),
    # --- the key ceremony (ADR 0722): the bureau's members only. This world's bureau has
    # members but no ceremony yet: its page shows the progress; an empty POST names no step
    # (400), and a superuser, who is no member, opens none (403). The holder's and files'
    # pages need a ceremony (404).
    "bureau:ceremony": Row(
        _r("bureau:ceremony", E),
        staff_page(BUREAU),
        {**staff_page(BUREAU, 400), "superuser": 403},
    ),
    "bureau:ceremony_holder": Row(
        _r("bureau:ceremony_holder", E), staff_page(BUREAU, 404), staff_page(BUREAU, 404)
    ),
    "bureau:ceremony_file": Row(
        lambda w: reverse("bureau:ceremony_file", args=[w.election.pk, "certs"]),
        staff_page(BUREAU, 404),
    ),
    "bureau:ceremony_pv": Row(_r("bureau:ceremony_pv", E), staff_page(BUREAU, 404)),
    # Cancelling the keys after a loss (ADR 0703): the bureau sees why not (no ceremony, no
    # key in the urns here); the president's empty POST is refused (400), anyone else's 403.
    "bureau:ceremony_cancel": Row(
        _r("bureau:ceremony_cancel", E),
        staff_page(BUREAU),
        {**staff_page(BUREAU, 400), "delegate": 403, "superuser": 403},
    ),
    "bureau:archive": Row(_r("bureau:archive", lambda w: w.scrutin.uuid), staff_page(BUREAU, 404)),
    # The manager names and invites the members (the auditor reads the list); never a secret.
    "bureau:members_manage": Row(
        _r("bureau:members_manage", E), staff_page(READERS), staff_page(MANAGER, 400)
    ),
    # The invitation's pages: public (the member has no account yet); without an opened
    # invitation in the session, the password form has expired (410).
    "bureau:invitation": Row(_r("bureau:invitation"), every(200), every(400)),
    "bureau:invitation_password": Row(_r("bureau:invitation_password"), every(410), every(410)),
    # --- the bureau's control of the vote and live participation (ADR 0770, 0771): the
    # bureau and the delegates only; an empty POST names no decision (400)
    "bureau:control": Row(_r("bureau:control", E), staff_page(BUREAU), staff_page(BUREAU, 400)),
    "bureau:participation": Row(_r("bureau:participation", E), staff_page(BUREAU)),
    "bureau:participation_scrutin": Row(
        _r("bureau:participation_scrutin", lambda w: w.scrutin.pk), staff_page(BUREAU)
    ),
    "bureau:emargements_csv": Row(
        _r("bureau:emargements_csv", lambda w: w.scrutin.pk), staff_page(BUREAU)
    ),
    # --- the count: the bureau's page; a scrutin's result only once proclaimed (none here)
    "count:page": Row(_r("count:page", E), staff_page(BUREAU)),
    "count:result_json": Row(_r("count:result_json", lambda w: w.scrutin.uuid), every(404)),
    "count:result_csv": Row(_r("count:result_csv", lambda w: w.scrutin.uuid), every(404)),
    # The public results (ADR 0803): the election's page says none is proclaimed yet; a
    # scrutin's page (the same message), its PV and the national downloads are 404 until then.
    "count:results": Row(_r("count:results"), every(200)),
    "count:result_page": Row(_r("count:result_page", lambda w: w.scrutin.uuid), every(404)),
    "count:result_pv": Row(_r("count:result_pv", lambda w: w.scrutin.uuid), every(404)),
    "count:national_pv": Row(_r("count:national_pv"), every(404)),
    "count:national_json": Row(_r("count:national_json"), every(404)),
    "count:national_csv": Row(_r("count:national_csv"), every(404)),
    # --- the bureau's seal page (ADR 0750): an empty POST names no action (400); no seal
    # exists in this world, so its PV, export and manifest are 404 for the bureau
    "bureau:seal": Row(_r("bureau:seal", E), staff_page(BUREAU), staff_page(BUREAU, 400)),
    "bureau:seal_pv": Row(
        lambda w: reverse("bureau:seal_pv", args=[w.election.pk, 1]), staff_page(BUREAU, 404)
    ),
    "bureau:seal_export": Row(
        lambda w: reverse("bureau:seal_export", args=[w.election.pk, 1]),
        staff_page(BUREAU, 404),
    ),
    "bureau:seal_manifest": Row(
        lambda w: reverse("bureau:seal_manifest", args=[w.election.pk, 1]),
        staff_page(BUREAU, 404),
    ),
    # --- the voter's account pages (public forms) and the voter's space
    "accounts:login": Row(_r("accounts:login"), every(200), every(200)),
    "accounts:login_password": Row(_r("accounts:login_password"), every(302), every(302)),
    "accounts:logout": Row(_r("accounts:logout"), every(405), every(302)),
    # Without the link's token in the session, the form has expired (410).
    "accounts:opening_form": Row(_r("accounts:opening_form"), every(410), every(410)),
    "accounts:opening": Row(_r("accounts:opening"), every(200), every(200)),
    "accounts:activation": Row(_r("accounts:activation"), every(302), every(302)),
    "accounts:reset_request": Row(_r("accounts:reset_request"), every(200), every(200)),
    "accounts:reset_form": Row(_r("accounts:reset_form"), every(410), every(410)),
    "accounts:reset": Row(_r("accounts:reset"), every(200), every(200)),
    "accounts:captcha_image": Row(_r("accounts:captcha_image", lambda w: "x"), every(404)),
    "accounts:captcha_audio": Row(_r("accounts:captcha_audio", lambda w: "x"), every(404)),
    # The booth's JSON endpoints: 401 without a voter session, the voter's empty form refused.
    "booth:cast": Row(_r("booth:cast"), every(405), every(401, voter=415)),
    "booth:receipt": Row(_r("booth:receipt", lambda w: w.scrutin.uuid), voter_page(404)),
    "booth:entry": Row(_r("booth:entry"), voter_page(200)),
    "booth:code_confirm": Row(_r("booth:code_confirm"), every(405), every(401, voter=403)),
    # The 2022 réassort: the voter's own pages, none in this world's 2018 election.
    "booth:reassort": Row(_r("booth:reassort"), voter_page(404)),
    "booth:reassort_franceconnect": Row(_r("booth:reassort_franceconnect"), voter_page(404)),
    "booth:reassort_franceconnect_return": Row(
        _r("booth:reassort_franceconnect_return"), voter_page(404)
    ),
    "booth:reassort_code": Row(_r("booth:reassort_code"), voter_page(404), voter_page(404)),
    "booth:reassort_challenge": Row(
        _r("booth:reassort_challenge"), voter_page(404), voter_page(404)
    ),
    # The activation link's page: anyone may open it (the token is the key); an empty post
    # is refused.
    "booth:reassort_link": Row(_r("booth:reassort_link"), every(200), every(400)),
    "urn:board_index": Row(_r("urn:board_index"), every(200)),
    "urn:board": Row(_r("urn:board", lambda w: w.scrutin.uuid), every(404)),
    "urn:archive": Row(_r("urn:archive", lambda w: w.scrutin.uuid), every(404)),
    "portal:home": Row(_r("portal:home"), every(200)),
    "portal:edito": Row(_r("portal:edito"), every(200)),
    "portal:faq": Row(_r("portal:faq"), every(200)),
    "portal:accessibility": Row(_r("portal:accessibility"), every(200)),
    "portal:privacy": Row(_r("portal:privacy"), every(200)),
    "portal:tutorial": Row(_r("portal:tutorial", lambda w: "nope"), every(404)),
    "portal:assistance": Row(_r("portal:assistance"), every(200), every(200)),
    "portal:profile": Row(_r("portal:profile"), voter_page(200), voter_page(200)),
    "portal:scrutins": Row(_r("portal:scrutins"), voter_page(200)),
    "portal:scrutin": Row(_r("portal:scrutin", lambda w: w.scrutin.uuid), voter_page(200)),
    "portal:profession_de_foi": Row(
        _r("portal:profession_de_foi", lambda w: w.scrutin.uuid, lambda w: w.candidate_list.pk),
        voter_page(404),
    ),
    "portal:rolls": Row(_r("portal:rolls"), voter_page(200)),
    "portal:roll": Row(_r("portal:roll", lambda w: w.scrutin.uuid), voter_page(200)),
    "portal:complaint": Row(_r("portal:complaint"), voter_page(200), voter_page(200)),
    "portal:vote": Row(_r("portal:vote"), voter_page(200)),
    # A new voter identifier (2018 style): the world's election has no date B, so the page
    # says when it opens, for a GET and a POST alike (nothing is done).
    "portal:replacement": Row(_r("portal:replacement"), voter_page(200), voter_page(200)),
    # --- the admin: its login goes to the back office's; the rest is the administrator's
    "admin_login": Row(_r("admin_login"), every(302), every(302)),
    "admin:login": Row(_r("admin:login"), every(302), every(302)),  # shadowed by admin_login
}


def admin(ok: Outcome, anonymous: Outcome = To("admin:login")) -> dict[str, Outcome]:
    """An admin page: ``ok`` for the administrator and superusers, 403 for the other staff,
    the manager included (ADRs 0560, 0160), the admin's login (then the back office's) for
    everyone else."""
    out: dict[str, Outcome] = {"anonymous": anonymous, "voter": anonymous}
    for role in [*STAFF, "superuser"]:
        out[role] = ok if role in ADMINS else 403
    return out


def admin2(administrator: Outcome, superuser: Outcome) -> dict[str, Outcome]:
    return admin(0) | {"administrator": administrator, "superuser": superuser}


TABLE |= {
    "admin:index": Row(_r("admin:index"), admin(200)),
    "admin:logout": Row(
        _r("admin:logout"),
        admin(405, anonymous=To("admin:index")),
        admin(To("backoffice:login"), anonymous=To("admin:index")),
    ),
    "admin:password_change": Row(_r("admin:password_change"), admin(200), admin(200)),
    "admin:password_change_done": Row(_r("admin:password_change_done"), admin(200)),
    "admin:autocomplete": Row(_r("admin:autocomplete"), admin(403)),
    "admin:jsi18n": Row(_r("admin:jsi18n"), admin(200)),
    "admin:view_on_site": Row(lambda w: reverse("admin:view_on_site", args=[1, 1]), admin(404)),
    "admin:app_list": Row(lambda w: reverse("admin:app_list", args=["elections"]), admin(200)),
    "admin/(?P<url>.*)$": Row(lambda w: reverse("admin:index") + "nothing/", admin(404)),
    "admin:auth_user_password_change": Row(
        lambda w: reverse("admin:auth_user_password_change", args=[w.users["auditor"].pk]),
        admin2(403, 200),
        admin2(403, 200),
    ),
    "admin:otp_totp_totpdevice_config": Row(
        lambda w: reverse("admin:otp_totp_totpdevice_config", args=[w.device.pk]),
        admin2(403, 200),
    ),
    "admin:otp_totp_totpdevice_qrcode": Row(
        lambda w: reverse("admin:otp_totp_totpdevice_qrcode", args=[w.device.pk]),
        admin2(403, 200),
    ),
}

# Each registered model: its object in the world, then what the administrator may do there
# (the role's model permissions: add, change, view; nobody deletes), the superuser all but
# writing the append-only audit log.
ADMIN_MODELS: dict[str, tuple[Callable[[Any], Any], str, str]] = {
    "auth_group": (lambda w: w.group.pk, "", "acdv"),
    "auth_user": (lambda w: w.users["auditor"].pk, "", "acdv"),
    "django_tasks_database_dbtaskresult": (lambda w: "0", "", "cdv"),
    "otp_totp_totpdevice": (lambda w: w.device.pk, "", "acdv"),
    "audit_auditevent": (lambda w: w.event.pk, "v", "v"),
    "elections_election": (lambda w: w.election.pk, "acv", "acdv"),
    "elections_body": (lambda w: w.scrutin.body.pk, "acv", "acdv"),
    "elections_scrutin": (lambda w: w.scrutin.pk, "acv", "acdv"),
    "elections_votercategory": (lambda w: w.voter.category.pk, "acv", "acdv"),
    "elections_voter": (lambda w: w.voter.pk, "acv", "acdv"),
    "elections_candidatelist": (lambda w: w.candidate_list.pk, "acv", "acdv"),
    "elections_union": (lambda w: w.union.pk, "acv", "acdv"),
    "elections_complaint": (lambda w: w.complaint.pk, "acv", "acdv"),
    "accounts_accountpolicy": (lambda w: w.policy.pk, "", "acdv"),
    "portal_assistancerequest": (lambda w: w.request.pk, "cv", "cdv"),
}


def _can(perms: str, what: str) -> int:
    return 200 if set(what) & set(perms) else 403


def _admin_rows(model: str, pk: Callable[[Any], Any], administrator: str, superuser: str) -> None:
    def url(kind: str, with_pk: bool) -> Callable[[Any], str]:
        name = f"admin:{model}_{kind}"
        return lambda w: reverse(name, args=[pk(w)] if with_pk else [])

    def both(what: str) -> dict[str, Outcome]:
        return admin2(_can(administrator, what), _can(superuser, what))

    app, _, name = model.rpartition("_")
    TABLE[f"admin:{model}_changelist"] = Row(url("changelist", False), both("cv"), both("cv"))
    TABLE[f"admin:{model}_add"] = Row(url("add", False), both("a"), both("a"))
    TABLE[f"admin:{model}_history"] = Row(url("history", True), both("cv"))
    TABLE[f"admin:{model}_delete"] = Row(url("delete", True), both("d"))
    TABLE[f"admin:{model}_change"] = Row(url("change", True), both("cv"), both("c"))
    # The admin's old address of an object sends anyone to its change page.
    TABLE[f"admin/{app.replace('_', '_')}/{name}/<path:object_id>/"] = Row(
        lambda w: url("change", True)(w).removesuffix("change/"), admin(302)
    )


for _model, (_pk, _administrator, _superuser) in ADMIN_MODELS.items():
    _admin_rows(_model, _pk, _administrator, _superuser)

# The world has no task result: the admin sends whoever may see one back to its index.
_TASKS = "admin:django_tasks_database_dbtaskresult"
TABLE[f"{_TASKS}_history"] = Row(
    TABLE[f"{_TASKS}_history"].url, admin2(To("admin:index"), To("admin:index"))
)
TABLE[f"{_TASKS}_change"] = Row(
    TABLE[f"{_TASKS}_change"].url,
    admin2(403, To("admin:index")),
    admin2(403, To("admin:index")),
)
TABLE[f"{_TASKS}_delete"] = Row(TABLE[f"{_TASKS}_delete"].url, admin2(403, 403))


# --- the URL patterns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the namespaced name, or the route of an unnamed pattern
    localized: bool  # under i18n_patterns: also served under /en/


def _walk(resolver: URLResolver, route: str, ns: str, localized: bool) -> Iterator[Pattern]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = localized or isinstance(p.pattern, LocalePrefixPattern)
            prefix = "" if isinstance(p.pattern, LocalePrefixPattern) else str(p.pattern)
            yield from _walk(
                p, route + prefix, ns + (f"{p.namespace}:" if p.namespace else ""), inner
            )
        elif isinstance(p, URLPattern):
            yield Pattern(f"{ns}{p.name}" if p.name else route + str(p.pattern), localized)


def patterns() -> list[Pattern]:
    with translation.override("fr"):
        return list(_walk(get_resolver(), "", "", False))


PATTERNS = patterns()
LOCALIZED = {p.key for p in PATTERNS if p.localized}


# --- the world -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media():
    """The module's world keeps its files for the module (``world``), not a test's folder."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Made once, inside a transaction on every store that is rolled back at the end; each
    test's own transaction (pytest-django's) is a savepoint in it."""
    with django_db_blocker.unblock(), ExitStack() as stack:
        stack.enter_context(override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")))
        for alias in connections:
            stack.enter_context(transaction.atomic(using=alias))
        w = workflow_world_make()
        w.union = w.candidate_list.unions.first()
        w.users = {role: staff_make(role) for role in STAFF}
        w.users["superuser"] = get_user_model().objects.create_superuser("root", password="x")  # noqa: S106 - test account
        for user in w.users.values():
            staff_login(Client(), user)  # its TOTP device, once
        member_make(w.election, "president", user=w.users["bureau"])
        member_make(w.election, "delegate", user=w.users["delegate"], union=w.union)
        w.device = w.users["manager"].totpdevice_set.get()
        w.group = w.users["auditor"].groups.get()
        w.account = account_make(w.voter)
        w.campaign = Campaign.objects.create(election=w.election, template="accounts.opening")
        w.policy = AccountPolicy.objects.create(election=w.election)
        w.request = AssistanceRequest.objects.create(
            election=w.election, name="Camille", email="c@ac-lyon.fr", topic="vote", message="m"
        )
        w.event = AuditEvent.objects.order_by("seq").first()
        yield w
        for alias in connections:
            transaction.set_rollback(True, using=alias)


def _client(world: Any, role: str) -> Client:
    client = Client()
    if role == "voter":
        voter_client_login(client, world.voter)
    elif role != "anonymous":
        staff_login(client, world.users[role])
    return client


def _check(response: Any, expected: Outcome, lang: str) -> None:
    if response.streaming:
        b"".join(response.streaming_content)  # read to its end (test_permissions_pages.py)
    got = response.status_code
    if isinstance(expected, To):
        assert got == 302, (got, expected)
        with translation.override(lang):
            target = reverse(expected.name)
        assert response["Location"].startswith(target), (response["Location"], target)
    else:
        assert got == expected, (got, expected)


def _cells(method: str) -> Iterator[Any]:
    for key, row in TABLE.items():
        table = row.get if method == "GET" else row.post
        if table is None:
            continue
        for lang in ("fr", "en") if method == "GET" and key in LOCALIZED else ("fr",):
            for role in ROLES:
                yield pytest.param(key, role, lang, id=f"{method} {lang} {key} {role}")


def _fetch(world: Any, key: str, role: str, lang: str, method: str) -> Any:
    row = TABLE[key]
    with translation.override(lang):
        url = row.url(world)
    client = _client(world, role)
    if method == "GET":
        return client.get(url)
    return client.post(url, row.data)


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(("key", "role", "lang"), list(_cells("GET")))
def test_get(world, key, role, lang):
    _check(_fetch(world, key, role, lang, "GET"), TABLE[key].get[role], lang)


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(("key", "role", "lang"), list(_cells("POST")))
def test_post(world, key, role, lang):
    post = TABLE[key].post
    assert post is not None
    _check(_fetch(world, key, role, lang, "POST"), post[role], lang)


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST"])
@pytest.mark.parametrize("key", sorted(TABLE))
def test_other_methods_never_fail(world, key, method):
    if method == "POST" and TABLE[key].post is not None:
        return  # tabled
    for role in ROLES:
        client = _client(world, role)
        response = client.generic(method, TABLE[key].url(world))
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code < 500, (role, response.status_code)


def test_every_pattern_has_a_row():
    missing = {p.key for p in PATTERNS} - set(TABLE)
    assert not missing, f"URL patterns without a TABLE row (who may see them?): {missing}"
    assert not set(TABLE) - {p.key for p in PATTERNS}, "rows of patterns that are gone"


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("role", ["manager", "auditor", "helpdesk", "bureau", "delegate"])
def test_the_admin_is_closed_to(world, role):
    """ADRs 0560, 0160: no admin page, no record, for every role but the administrator (a
    voter's record above all); the manager's own pages replace it."""
    client = _client(world, role)
    urls = [reverse("admin:index"), reverse("admin:elections_voter_changelist")]
    urls += [reverse("admin:elections_voter_change", args=[world.voter.pk])]
    urls += [reverse("admin:portal_assistancerequest_changelist")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert world.voter.numen not in response.content.decode(), url


@pytest.mark.django_db(databases="__all__")
def test_the_administrator_has_the_admin_and_no_staff_page(world):
    """ADR 0160: the administrator opens the admin's records; none of the staff's pages."""
    client = _client(world, "administrator")
    page = client.get(reverse("admin:elections_voter_change", args=[world.voter.pk]))
    assert page.status_code == 200 and world.voter.numen in page.content.decode()
    for url in (
        reverse("backoffice:election", args=[world.election.pk]),
        reverse("backoffice:voter", args=[world.voter.pk]),
        reverse("backoffice:audit"),
    ):
        assert client.get(url).status_code == 403, url
