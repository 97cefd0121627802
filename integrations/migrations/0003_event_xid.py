from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_event_append_only")]

    operations = [
        # Nullable, no default: a plain ADD COLUMN, so SQLite keeps the append-only triggers.
        migrations.AddField(
            model_name="event",
            name="xid",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RemoveIndex(model_name="event", name="event_feed"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["organisation", "xid", "id"], name="event_feed_commit"),
        ),
    ]
