from django.core.management.base import BaseCommand, CommandParser

from urne.authority.demo import authority_demo
from urne.elections.demo import demo_election_create, demo_staff_reset
from urne.elections.models import Election, RollEntry


class Command(BaseCommand):
    help = (
        "Create the demo election (once) and staff accounts with fresh passwords; "
        "print how to log in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--voters", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: object, **opts: object) -> None:
        election = Election.objects.order_by("pk").first()
        if election is None:
            self.stderr.write(f"Generating the demo election ({opts['voters']} voters)…")
            result = demo_election_create(
                voters=int(str(opts["voters"])), seed=int(str(opts["seed"]))
            )
            election = result.election
            self.stderr.write(
                f"  {result.voters} voters, {result.scrutins} scrutins, "
                f"{result.lists} candidate lists"
            )
        passwords = demo_staff_reset()
        entry = (
            RollEntry.objects.filter(scrutin__election=election)
            .select_related("voter")
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
        ]
        if entry is not None:
            v = entry.voter
            lines += [
                "Voter: the voter portal comes with the accounts issue; meanwhile see a voter as",
                f"  helpdesk: search NUMEN {v.numen} ({v.first_name} {v.last_name}, {v.email}).",
            ]
        lines += authority_demo(election=election, log=self.stderr.write)
        self.stdout.write("\n".join(lines))
