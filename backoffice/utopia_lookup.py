"""The Utopia lookup: what Utopia says about an orderref, and provisioning it now.

Provisioning goes the way a webhook's order does: the order is stored received
(by the intake's own function) and handed to the same Celery task, so a run
started here is journaled, retried and reported like any other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from orders.intake import ORDERREF_PATTERN, create_or_get_order
from orders.matching import normalize_text
from orders.models import Order, ServicePlanMapping
from orders.models.order import SETTLED_STATES
from orders.queue import QueueUnavailable, requeue_order
from orders.steps import PlannedService, services_added_before, services_for
from orders.upstream import utopia_client
from orders.utopia_data import (
    UnusableAnswer,
    clean_utopia_data,
    product_names,
    text,
)
from uac.masking import mask_secrets
from utopia.client import UtopiaError

logger = logging.getLogger(__name__)


@dataclass
class UtopiaLookup:
    """What Utopia says about one orderref, and what UAC has for it."""

    orderref: str
    data: dict[str, Any] | None = None
    error: str = ""
    not_found: bool = False
    order: Order | None = None
    products: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    planned: list[PlannedService] = field(default_factory=list)

    @property
    def raw_json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False, sort_keys=True)

    @property
    def items(self) -> list[dict[str, Any]]:
        """Utopia's order items, each marked mapped or not, for the page."""
        items = (self.data or {}).get("orderitems")
        unmapped = {normalize_text(p) for p in self.unmapped}
        return [
            {
                "description": text(item.get("description")),
                "qty": text(item.get("qty")),
                "totalcost": text(item.get("totalcost")),
                "mapped": normalize_text(text(item.get("description"))) not in unmapped,
            }
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict)
        ]

    @property
    def needs_plan(self) -> bool:
        """True when provisioning would bill no plan unless staff choose one."""
        return self.data is not None and (bool(self.unmapped) or not self.products)

    @property
    def can_provision(self) -> bool:
        # Only what Utopia knows now is provisioned, stored order or not.
        settled = self.order is not None and self.order.state in SETTLED_STATES
        return self.data is not None and not settled


def valid_orderref(orderref: str) -> bool:
    return bool(ORDERREF_PATTERN.fullmatch(orderref))


def look_up_order(orderref: str) -> UtopiaLookup:
    """Ask Utopia about the orderref; an upstream error becomes a message."""
    lookup = UtopiaLookup(
        orderref, order=Order.objects.filter(orderref=orderref).first()
    )
    try:
        lookup.data = clean_utopia_data(utopia_client().contract_lookup(orderref))
    except UtopiaError as err:
        lookup.not_found = err.routine
        lookup.error = describe_utopia_error(err)
        logger.info("utopia lookup of %s failed (HTTP %s)", orderref, err.status_code)
        return lookup
    except UnusableAnswer as err:
        lookup.error = str(err)
        return lookup

    lookup.products = product_names(lookup.data)
    # The pipeline's own rule decides what is mapped: an unsaved order with
    # Utopia's answer is billed on paper here exactly as it would be for real.
    lookup.planned, lookup.unmapped = services_for(Order(utopia_data=lookup.data))
    return lookup


def describe_utopia_error(err: UtopiaError) -> str:
    if err.routine:
        return "Utopia has no order with this orderref for this ISP."
    return f"Utopia did not answer usably: {mask_secrets(err.message)}"


def active_plans() -> QuerySet[ServicePlanMapping]:
    return ServicePlanMapping.objects.filter(active=True)


@dataclass
class ProvisionResult:
    """What "provision now" did, as staff read it."""

    order: Order | None
    message: str
    queued: bool
    queue_down: bool = False


def provision_now(
    orderref: str, plan: ServicePlanMapping | None = None
) -> ProvisionResult:
    """Store the order if Utopia knows it, and queue it as a webhook would."""
    order = Order.objects.filter(orderref=orderref).first()
    if order is not None and order.state in SETTLED_STATES:
        message = (
            f"{orderref} is {order.get_state_display().lower()}: it is not"
            " provisioned again."
        )
        return ProvisionResult(order, message, queued=False)
    if order is None or plan is not None:
        lookup = look_up_order(orderref)
        if lookup.data is None:
            done = "Not stored" if order is None else "Not provisioned"
            return ProvisionResult(order, f"{done}: {lookup.error}", queued=False)
        if plan is not None and not lookup.needs_plan:
            return ProvisionResult(order, plan_refused(orderref, lookup), False)
    if plan is not None and order is not None and plan_billed_otherwise(order, plan):
        message = (
            f"Not provisioned: {orderref} already has a plan billed in PowerCode,"
            " so another one would bill the customer twice. Change the plan in"
            " PowerCode instead."
        )
        return ProvisionResult(order, message, queued=False)
    if order is None:
        order, _ = create_or_get_order(orderref)
        logger.info("order %s stored from the utopia lookup", orderref)
    return queue_order(order, plan)


def plan_billed_otherwise(order: Order, plan: ServicePlanMapping) -> bool:
    """True when an earlier run billed a plan and staff now choose another."""
    billed = any(key.startswith("plan:") for key in services_added_before(order))
    return billed and order.chosen_plan_id != plan.pk


def plan_refused(orderref: str, lookup: UtopiaLookup) -> str:
    # A plan is chosen only where none is mapped: a mapped product (perhaps
    # mapped since the page was opened) is billed as its mapping says.
    mapped = ", ".join(service.label for service in lookup.planned)
    return (
        f"Not provisioned: {orderref}'s product is mapped ({mapped}), so no plan"
        " is chosen for it. Look the order up again and provision it as it is."
    )


def queue_order(order: Order, plan: ServicePlanMapping | None) -> ProvisionResult:
    # The plan is saved with the reopening, before the task is queued: the run
    # reads it from the database, and an order a worker holds keeps its own.
    changes = {"chosen_plan": plan} if plan is not None else None
    try:
        # Fetched again: staff decided on what Utopia says now.
        queued = requeue_order(order, refetch=True, changes=changes)
    except QueueUnavailable as err:
        message = f"{order.orderref}: {err}"
        return ProvisionResult(order, message, queued=False, queue_down=True)
    if not queued:
        message = (
            f"{order.orderref} is being provisioned now: it was not queued again"
            " and its plan was not changed."
        )
        return ProvisionResult(order, message, queued=False)

    message = f"Queued {order.orderref} for provisioning"
    if plan is not None:
        message += f" as {plan.utopia_product} (service {plan.powercode_service_id})"
    return ProvisionResult(order, message + ".", queued=True)
