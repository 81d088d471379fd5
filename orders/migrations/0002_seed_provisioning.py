"""Seed the plan mapping, the bond fee and the defaults from the environment."""

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    mapping = apps.get_model("orders", "ServicePlanMapping")
    fee = apps.get_model("orders", "AlwaysAddedFee")
    provisioning = apps.get_model("orders", "ProvisioningSettings")
    plans = {
        "1 Gbps": settings.SERVICE_PLAN_1GBPS_ID,
        "250 Mbps": settings.SERVICE_PLAN_250MBPS_ID,
    }
    # An id left unset is not seeded: its plan stays unmapped, so an order for
    # it is recorded for staff instead of being billed as another service.
    for product, service_id in plans.items():
        if service_id:
            mapping.objects.get_or_create(
                utopia_product=product, defaults={"powercode_service_id": service_id}
            )
    if settings.SERVICE_PLAN_BOND_FEE_ID:
        fee.objects.get_or_create(
            name="Bond fee",
            defaults={"powercode_service_id": settings.SERVICE_PLAN_BOND_FEE_ID},
        )
    provisioning.objects.get_or_create(
        pk=1,
        defaults={
            "tag_ids": settings.PC_CUST_TAGS,
            "email_recipients": ", ".join(settings.EMAIL_RECIPIENTS),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
