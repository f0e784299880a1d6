"""ADR 0500: no lockout any more; failures on the account's secrets are counted instead."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="voteraccount", name="locked_until"),
        migrations.RenameField(
            model_name="voteraccount", old_name="failed_logins", new_name="secret_failures"
        ),
        migrations.AlterField(
            model_name="voteraccount",
            name="secret_failures",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="voteraccount",
            name="secret_failures_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="voteraccount",
            name="secret_failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
