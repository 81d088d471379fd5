from __future__ import annotations

from orders.models.delivery import WebhookDelivery
from orders.models.failure import Failure, FailureKind
from orders.models.order import Order, OrderState
from orders.models.provisioning import (
    AlwaysAddedFee,
    ProvisioningSettings,
    ServicePlanMapping,
)
from orders.models.step import OrderStep, StepStatus

__all__ = [
    "AlwaysAddedFee",
    "Failure",
    "FailureKind",
    "Order",
    "OrderState",
    "OrderStep",
    "ProvisioningSettings",
    "ServicePlanMapping",
    "StepStatus",
    "WebhookDelivery",
]
