from django.db import migrations

from portal.db import append_only, refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]
    operations = [append_only("integrations_event"), refuse_truncate("integrations_event")]
