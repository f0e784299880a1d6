from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from urne.accounts.services import account_demo_open
from urne.authority.demo import authority_demo
from urne.backoffice.staff_auth import (
    second_factor_required,
    totp_device_replace,
    totp_secret,
)
from urne.bureau.demo import bureau_demo
from urne.elections.demo import demo_election_create, demo_staff_reset
from urne.elections.models import Election, Voter


def _second_factor_lines(usernames: list[str]) -> list[str]:
    """Enrol a fresh TOTP device for each demo account whose role needs one, and say how to
    get its codes: the secret for an authenticator app, or the DEBUG-only command."""
    lines = []
    for user in get_user_model().objects.filter(username__in=usernames).order_by("username"):
        if second_factor_required(user):
            secret = totp_secret(totp_device_replace(user=user))
            lines.append(f"  {user.get_username():<9} TOTP secret {secret}")
    if lines:
        lines = [
            "Second factor (new at each `make demo`): add the secret to an authenticator app,",
            "or print the current code: python manage.py staff_totp_code <login>",
            *lines,
        ]
    return lines


class Command(BaseCommand):
    help = (
        "Create the demo election (once) and staff accounts with fresh passwords; "
        "print how to log in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--voters", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument(
            "--phase",
            choices=["vote", "rolls"],
            default="vote",
            help="where today falls in the demo calendar (default: the vote is open)",
        )

    def handle(self, *args: object, **opts: object) -> None:
        election = Election.objects.order_by("pk").first()
        if election is None:
            self.stderr.write(f"Generating the demo election ({opts['voters']} voters)…")
            result = demo_election_create(
                voters=int(str(opts["voters"])),
                seed=int(str(opts["seed"])),
                phase=str(opts["phase"]),
            )
            election = result.election
            self.stderr.write(
                f"  {result.voters} voters, {result.scrutins} scrutins, "
                f"{result.lists} candidate lists"
            )
        passwords = demo_staff_reset()
        bureau_demo(election=election)  # the demo's bureau accounts are its members
        voter = (
            Voter.objects.filter(election=election, roll_entries__isnull=False)
            .order_by("pk")
            .first()
        )
        url = str(opts["url"]).rstrip("/")
        lines = [
            "",
            f"Urne demo: {url}/backoffice/  (admin: {url}/admin/)",
            f"Election: {election.name}",
            "Staff accounts (passwords are new at each `make demo`):",
            *(f"  {role:<9} login {role:<9} password {pw}" for role, pw in passwords.items()),
            *_second_factor_lines(list(passwords)),
        ]
        if voter is not None:
            _, password = account_demo_open(voter=voter)
            lines += [
                f"Voter #{voter.pk} ({voter.first_name} {voter.last_name}), "
                f"{election.style} style:",
                f"  portal {url}/  log in with {voter.email} and password {password}",
                "  (demo only; other voters open their account with the link of the opening",
                f"  e-mail: {url}/backoffice/messagerie/boite/ shows the mail sent in",
                "  development, to the manager account)",
            ]
        lines += authority_demo(election=election, log=self.stderr.write)
        self.stdout.write("\n".join(lines))
