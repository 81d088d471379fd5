from __future__ import annotations

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    # The section on the index: orders and what provisioning them uses.
    verbose_name = "Provisioning"
