from django.db import migrations

from backoffice.roles import sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0003_queue_unavailable_and_open_intake_failures"),
        ("tickets", "0002_default_template"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
