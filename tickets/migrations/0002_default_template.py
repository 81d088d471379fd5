"""Seed the default, active ticket template."""

from django.db import migrations

BODY = """<p>New residential customer from a Utopia Fiber order.</p>
<ul>
  <li>Customer: {customer_name}</li>
  <li>Utopia order: {order_ref} (site {site_id})</li>
  <li>Plan: {service_plan}</li>
  <li>Address: {address} {apt}, {city}, {state} {zip}</li>
  <li>Email: {email}</li>
  <li>Phone: {phone}</li>
</ul>
<p>Next: schedule the install with Utopia and confirm the date with the customer.</p>
"""


def seed(apps, schema_editor):
    template = apps.get_model("tickets", "TicketTemplate")
    if not template.objects.exists():
        template.objects.create(
            name="Default new customer",
            subject="New Utopia customer: {customer_name}",
            summary="Utopia order {order_ref}: {service_plan}",
            body=BODY,
            is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
