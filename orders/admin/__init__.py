"""Django Admin for orders, failures, deliveries and provisioning settings."""

from __future__ import annotations

from orders.admin import deliveries, failures, orders, provisioning

__all__ = ["deliveries", "failures", "orders", "provisioning"]
