from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from urne.backoffice.staff_auth import second_factor_required, staff_device


class Command(BaseCommand):
    help = (
        "Development only (DEBUG): print the current TOTP code of a staff login, for the demo "
        "without an authenticator app. Refused otherwise: a real code comes from its device."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login")

    def handle(self, *args: object, **opts: object) -> None:
        if not settings.DEBUG:
            raise CommandError("staff_totp_code runs only with DEBUG (the demo's settings).")
        user = get_user_model().objects.filter(username=opts["login"]).first()
        device = staff_device(user) if user is not None else None
        if user is not None and not second_factor_required(user):
            raise CommandError(f"{opts['login']!r} logs in with the password alone.")
        if device is None:
            raise CommandError(f"No enrolled TOTP device for {opts['login']!r}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
