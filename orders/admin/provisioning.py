"""What provisioning uses, for administrators: plans, fees and defaults."""

from __future__ import annotations

from django.contrib import admin

from orders.models import AlwaysAddedFee, ProvisioningSettings, ServicePlanMapping

admin.site.register(ServicePlanMapping)
admin.site.register(AlwaysAddedFee)
admin.site.register(ProvisioningSettings)
