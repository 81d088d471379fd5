"""The steps that find or create the PowerCode customer: never two for one site.

Both run under the site lock (orders/locks.py), but a retry lets it go between
attempts. So a run that follows an attempt whose createCustomer answer was lost
looks for the customer before it sends createCustomer again, and an order for a
site whose other order is in that doubt waits for it rather than create a
second customer beside the one that may exist.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from orders.errors import StepFailure
from orders.journal import StepJournal, StepOutcome, succeeded_step
from orders.matching import find_matching_customer
from orders.models import (
    Order,
    OrderState,
    OrderStep,
    ProvisioningSettings,
    StepStatus,
)
from orders.powercode_fields import customer_fields
from orders.queue import QueueUnavailable, requeue_order
from orders.sent_calls import doubts, pending_doubts, sending, staff_checked
from orders.upstream import powercode_client
from orders.utopia_data import text
from powercode.client import GEOCODE_FAILED, PowerCodeError

CREATE_STEP = "create_customer"


def find_existing_customer(order: Order, journal: StepJournal) -> StepOutcome:
    """Stop the order if PowerCode already has this customer."""
    # The run that looked: create_customer need not look again in the same run.
    journal.result["run"] = order.runs
    found = existing_customer(order, journal)
    if found:
        customer, reason = found
        return duplicate_of(order, journal, customer, reason)
    return StepOutcome("No existing customer by site id, or by name and address")


def create_customer(order: Order, journal: StepJournal) -> StepOutcome:
    """Create the PowerCode customer, or adopt the one an earlier attempt made."""
    # Read only for now: staff hear of the doubt only if the look finds nothing.
    in_doubt = "customer" in pending_doubts(order, CREATE_STEP)
    if not looked_in_this_run(order):
        # The site lock was let go since the last look: another order for this
        # site may have created the customer, or an earlier attempt of ours did
        # and its answer was lost. Look before creating another.
        found = existing_customer(order, journal)
        if found:
            outcome = adopt_or_stop(order, journal, *found, ours=in_doubt)
            wake_orders_waiting_for(order)
            return outcome
    if in_doubt and not staff_checked(order):
        doubts(order, CREATE_STEP)  # a mark a dead run left: tell staff now
        # PowerCode may still be creating it: look again later, and in the end
        # leave it to staff, rather than risk a second customer.
        raise StepFailure(
            "PowerCode did not confirm creating the customer and shows none for"
            f" site {order.site_id} yet: looking again later (see the"
            " unconfirmed_call failure).",
            transient=True,
        )
    waited_for = other_order_in_doubt(order)
    if waited_for is not None:
        journal.result["waiting_for"] = waited_for.orderref
        raise StepFailure(
            f"Order {waited_for.orderref} for the same site may have created the"
            " customer already; this order waits until that is known (it then"
            " ends as a duplicate, or creates the customer).",
            transient=True,
        )

    fields = customer_fields(order, ProvisioningSettings.load())
    with sending(journal, "customer", "creating the customer"):
        customer_id = send_create_customer(journal, fields)
    journal.record_call("createCustomer", fields, {"customerID": customer_id})
    outcome = keep_customer_id(order, journal, customer_id, "Created customer")
    wake_orders_waiting_for(order)
    return outcome


def existing_customer(
    order: Order, journal: StepJournal
) -> tuple[dict[str, Any], str] | None:
    """The PowerCode customer who is this order's person, and why; None if none."""
    found = customer_of_site(order, journal)
    if found:
        return found, "same Utopia site id"

    candidates = powercode_client().search_customers(order.customer_name)
    journal.record_call(
        "searchCustomers",
        {"searchString": order.customer_name},
        {"CustomerIDs": [c.get("CustomerID") for c in candidates]},
    )
    with_ids = [c for c in candidates if customer_id_of(c)]
    match = find_matching_customer(order.utopia_data, with_ids)
    return (match, "same name and address") if match else None


def customer_of_site(order: Order, journal: StepJournal) -> dict[str, Any] | None:
    """The PowerCode customer whose extAccountID is this order's site id."""
    found = powercode_client().read_customer(ext_account_id=order.site_id)
    journal.record_call("readCustomer", {"extAccountID": order.site_id}, found)
    if not found:
        return None
    # Trust the answer only if it names this site (or names none at all).
    ext_id = text(found.get("ExtAccountID", found.get("extAccountID", order.site_id)))
    if ext_id != order.site_id:
        journal.record_call("ignored", {"reason": f"answer names site {ext_id!r}"})
        return None
    return found


def customer_id_of(customer: dict[str, Any]) -> str:
    return text(customer.get("CustomerID") or customer.get("customerID"))


def duplicate_of(
    order: Order, journal: StepJournal, customer: dict[str, Any], reason: str
) -> StepOutcome:
    customer_id = customer_id_of(customer)
    order.powercode_customer_id = customer_id
    order.save(update_fields=["powercode_customer_id", "updated_at"])
    journal.result.update(powercode_customer_id=customer_id, stop_state="duplicate")
    return StepOutcome(
        f"PowerCode customer {customer_id} exists ({reason}); nothing created",
        stop_state=OrderState.DUPLICATE,
    )


def send_create_customer(journal: StepJournal, fields: dict[str, object]) -> str:
    """Create the customer; without geocoding when PowerCode cannot place it."""
    client = powercode_client()
    try:
        return client.create_customer(fields)
    except PowerCodeError as err:
        if err.api_status != GEOCODE_FAILED:
            raise
    journal.record_call("createCustomer", fields, {"statusCode": GEOCODE_FAILED})
    fields["physicalAutomaticallyGeocode"] = 0
    return client.create_customer(fields)


def adopt_or_stop(
    order: Order,
    journal: StepJournal,
    customer: dict[str, Any],
    reason: str,
    *,
    ours: bool,
) -> StepOutcome:
    """Keep a customer an earlier attempt made; anyone else's makes a duplicate."""
    customer_id = customer_id_of(customer)
    if ours and not created_by_another_order(order, customer_id):
        return keep_customer_id(order, journal, customer_id, "Adopted customer")
    return duplicate_of(order, journal, customer, reason)


def keep_customer_id(
    order: Order, journal: StepJournal, customer_id: str, verb: str
) -> StepOutcome:
    order.powercode_customer_id = customer_id
    order.save(update_fields=["powercode_customer_id", "updated_at"])
    journal.result["powercode_customer_id"] = customer_id
    return StepOutcome(f"{verb} {customer_id}")


def looked_in_this_run(order: Order) -> bool:
    """find_existing_customer ran in this very run, under the site lock held now."""
    found = succeeded_step(order, "find_existing_customer")
    return found is not None and (found.result or {}).get("run") == order.runs


def wake_orders_waiting_for(order: Order) -> None:
    """Queue again the orders for this site that gave up waiting for this one."""
    waiting = Order.objects.filter(
        site_id=order.site_id,
        state=OrderState.FAILED,
        steps__name=CREATE_STEP,
        steps__result__waiting_for=order.orderref,
    ).distinct()
    for other in waiting:
        # If the queue is down it is recorded on that order for requeue_stalled.
        with suppress(QueueUnavailable):
            requeue_order(other)


def created_by_another_order(order: Order, customer_id: str) -> bool:
    """Another order created or adopted this customer (not merely found it)."""
    made = OrderStep.objects.filter(
        name=CREATE_STEP,
        status=StepStatus.SUCCEEDED,
        result__powercode_customer_id=customer_id,
    )
    # A step that stopped its order as a duplicate only found the customer.
    made = made.exclude(order=order).exclude(result__has_key="stop_state")
    return made.exists()


def other_order_in_doubt(order: Order) -> Order | None:
    """Another order for this site whose createCustomer outcome is unknown."""
    unfinished = [OrderState.RECEIVED, OrderState.PROCESSING, OrderState.FAILED]
    others = Order.objects.filter(site_id=order.site_id, state__in=unfinished)
    for other in others.exclude(pk=order.pk):
        created = other.steps.filter(name=CREATE_STEP, status=StepStatus.SUCCEEDED)
        in_doubt = "customer" in pending_doubts(other, CREATE_STEP)
        if in_doubt and not staff_checked(other) and not created.exists():
            return other
    return None
