from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def claims_began_at_registration(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("accounts", "Organisation").objects.update(claimed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0015_review_decisions")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="claimed_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="claimed"),
        ),
        migrations.RunPython(claims_began_at_registration, migrations.RunPython.noop),
    ]
