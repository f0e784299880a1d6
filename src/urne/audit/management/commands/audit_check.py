from django.core.management.base import BaseCommand, CommandError

from urne.audit.services import audit_chain_check


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit 1 at the first event that does not check."

    def handle(self, *args: object, **options: object) -> None:
        report = audit_chain_check()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event #{report.first_bad_seq}: {report.reason}"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.events} events"))
