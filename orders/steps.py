"""The pipeline's steps. Each takes an order and its journal and says what it did.

A step saves what it produced on the order before it returns, so a later run
resumes from the order alone. The order of the steps lives in pipeline.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orders.errors import StepFailure
from orders.journal import StepJournal, attempts
from orders.matching import find_matching_customer, normalize_text
from orders.models import (
    AlwaysAddedFee,
    FailureKind,
    Order,
    OrderState,
    ProvisioningSettings,
    ServicePlanMapping,
)
from orders.powercode_fields import customer_fields, ticket_fields
from orders.sent_calls import (
    last_doubt,
    sending,
    services_sent_before,
    staff_checked,
    unconfirmed_before,
)
from orders.upstream import powercode_client, utopia_client
from orders.utopia_data import (
    UnusableAnswer,
    apply_utopia_data,
    clean_utopia_data,
    product_names,
    text,
)
from powercode.client import GEOCODE_FAILED, PowerCodeError
from tickets.models import TicketTemplate

UNMAPPED = FailureKind.UNMAPPED_SERVICE_PLAN


@dataclass
class StepOutcome:
    summary: str
    stop_state: OrderState | None = None
    failure: tuple[str, str] | None = None


def fetch_order(order: Order, journal: StepJournal) -> StepOutcome:
    """Fetch the order from Utopia and keep what it says on the order."""
    try:
        data = clean_utopia_data(utopia_client().contract_lookup(order.orderref))
    except UnusableAnswer as err:
        raise StepFailure(str(err)) from err
    journal.record_call("contractlookup", {"orderref": order.orderref}, data)
    customer = data.get("customer")
    if not isinstance(customer, dict) or not isinstance(data.get("address"), dict):
        raise StepFailure("Utopia's answer has no customer or address.")
    if not text(data["address"].get("siteid")):
        # The site id is what keeps a customer from being created twice.
        raise StepFailure("Utopia's answer has no site id (address.siteid).")

    apply_utopia_data(order, data)
    journal.result["site_id"] = order.site_id
    return StepOutcome(
        f"Fetched {order.customer_name}, {order.service_plan or 'no plan'}"
    )


def find_existing_customer(order: Order, journal: StepJournal) -> StepOutcome:
    """Stop the order if PowerCode already has this customer."""
    found = existing_customer(order, journal)
    if found:
        customer, reason = found
        return duplicate_of(order, journal, customer, reason)
    return StepOutcome("No existing customer by site id, or by name and address")


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
    match = find_matching_customer(order.utopia_data, candidates)
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


def duplicate_of(
    order: Order, journal: StepJournal, customer: dict[str, Any], reason: str
) -> StepOutcome:
    customer_id = text(customer.get("CustomerID") or customer.get("customerID"))
    order.powercode_customer_id = customer_id
    order.save(update_fields=["powercode_customer_id", "updated_at"])
    journal.result.update(powercode_customer_id=customer_id, stop_state="duplicate")
    return StepOutcome(
        f"PowerCode customer {customer_id} exists ({reason}); nothing created",
        stop_state=OrderState.DUPLICATE,
    )


def create_customer(order: Order, journal: StepJournal) -> StepOutcome:
    """Create the PowerCode customer, or adopt the one an earlier attempt made."""
    if len(attempts(order, journal.row.name)) > 1:
        # Since the first attempt the site lock was let go: another order for
        # this site may have created the customer, or an earlier attempt of
        # ours did and its answer was lost. Look before creating another.
        found = existing_customer(order, journal)
        if found:
            return adopt_or_stop(order, journal, *found)

    fields = customer_fields(order, ProvisioningSettings.load())
    with sending(journal, "customer"):
        customer_id = send_create_customer(journal, fields)
    journal.record_call("createCustomer", fields, {"customerID": customer_id})
    return keep_customer_id(order, journal, customer_id, "Created customer")


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
    order: Order, journal: StepJournal, customer: dict[str, Any], reason: str
) -> StepOutcome:
    """Keep a customer an earlier attempt made; anyone else's makes a duplicate."""
    customer_id = text(customer.get("CustomerID") or customer.get("customerID"))
    ours = "customer" in unconfirmed_before(order, "create_customer")
    taken = Order.objects.filter(powercode_customer_id=customer_id).exclude(pk=order.pk)
    if ours and not taken.exists():
        return keep_customer_id(order, journal, customer_id, "Adopted customer")
    return duplicate_of(order, journal, customer, reason)


def keep_customer_id(
    order: Order, journal: StepJournal, customer_id: str, verb: str
) -> StepOutcome:
    order.powercode_customer_id = customer_id
    order.save(update_fields=["powercode_customer_id", "updated_at"])
    journal.result["powercode_customer_id"] = customer_id
    return StepOutcome(f"{verb} {customer_id}")


def add_services(order: Order, journal: StepJournal) -> StepOutcome:
    """Bill the plan bought and the fees always added; never a plan in its place."""
    prov = ProvisioningSettings.load()
    wanted, unmapped = services_for(order)
    added, unconfirmed = services_sent_before(order)
    journal.result.update(added=[], unconfirmed=[])
    for service_id, quantity, _label in wanted:
        if service_id in added or service_id in unconfirmed:
            continue
        with sending(journal, service_id):
            answer = powercode_client().add_customer_service(
                order.powercode_customer_id,
                service_id,
                quantity=quantity,
                prorate=prov.prorate_services,
            )
        journal.record_call("addCustomerService", {"serviceID": service_id}, answer)
        journal.result["added"].append(service_id)
        journal.save_progress()

    summary = f"Added {', '.join(label for _, _, label in wanted) or 'nothing'}"
    no_product = not product_names(order.utopia_data)
    if unmapped or (no_product and not staff_checked(order, UNMAPPED)):
        return StepOutcome(
            summary,
            failure=(UNMAPPED, unmapped_message(unmapped)),
        )
    if unconfirmed and not staff_checked(
        order, FailureKind.SERVICES_FAILED, since=last_doubt(order, "add_services")
    ):
        services = ", ".join(sorted(unconfirmed))
        message = (
            f"PowerCode did not confirm adding service {services}:"
            " it may be billed already, so it is not sent again. Check the"
            " customer's services in PowerCode, add what is missing there, then"
            " resolve this failure and retry the order."
        )
        return StepOutcome(summary, failure=(FailureKind.SERVICES_FAILED, message))
    return StepOutcome(summary)


def services_for(order: Order) -> tuple[list[tuple[str, int, str]], list[str]]:
    """Return the (service id, quantity, label) to add, and unmapped products."""
    mappings = {
        normalize_text(m.utopia_product): m
        for m in ServicePlanMapping.objects.filter(active=True)
    }
    wanted, unmapped = [], []
    for product in product_names(order.utopia_data):
        mapping = mappings.get(normalize_text(product))
        if mapping is None:
            unmapped.append(product)
        else:
            wanted.append((mapping.powercode_service_id, mapping.quantity, product))
    for fee in AlwaysAddedFee.objects.filter(active=True):
        wanted.append((fee.powercode_service_id, fee.quantity, fee.name))
    return wanted, unmapped


def unmapped_message(unmapped: list[str]) -> str:
    """What staff read when a plan could not be billed."""
    if not unmapped:
        return (
            "Utopia's order names no product, so no plan was billed. Find out what"
            " the customer bought and add it in PowerCode; then resolve this failure"
            " and retry the order."
        )
    return (
        f"No PowerCode service is mapped to {', '.join(unmapped)}: the plan was not"
        " billed. Add the mapping, then retry the order."
    )


def open_ticket(order: Order, journal: StepJournal) -> StepOutcome:
    """Open the sales ticket from the active ticket template."""
    template = TicketTemplate.active()
    if template is None:
        raise StepFailure("No ticket template is active.")
    if order.ticket_id:
        # Opened by a run that stopped before it could journal its success.
        journal.result["ticket_id"] = order.ticket_id
        return StepOutcome(f"Ticket {order.ticket_id} was opened by an earlier run")
    if "ticket" in unconfirmed_before(order, "open_ticket"):
        since = last_doubt(order, "open_ticket")
        if staff_checked(order, FailureKind.TICKET_FAILED, since=since):
            return StepOutcome("Ticket left to staff: an earlier answer was lost")
        message = (
            "PowerCode did not confirm the ticket: it may exist already, so it is not"
            " opened again. Check the customer's tickets in PowerCode, open one"
            " there if missing, then resolve this failure and retry the order."
        )
        return StepOutcome(
            "Ticket not confirmed", failure=(FailureKind.TICKET_FAILED, message)
        )

    fields = ticket_fields(order, template, ProvisioningSettings.load())
    with sending(journal, "ticket"):
        ticket_id = powercode_client().create_ticket(fields)
    journal.record_call("createTicket", fields, {"ticketID": ticket_id})
    order.ticket_id = ticket_id
    order.save(update_fields=["ticket_id", "updated_at"])
    journal.result["ticket_id"] = ticket_id
    return StepOutcome(f"Opened ticket {ticket_id} from template {template.name!r}")


def tag_customer(order: Order, journal: StepJournal) -> StepOutcome:
    """Give the customer the tags every new customer gets."""
    tag_ids = ProvisioningSettings.load().tag_id_list()
    if not tag_ids:
        return StepOutcome("No tags configured")

    answer = powercode_client().add_customer_tags(order.powercode_customer_id, tag_ids)
    journal.record_call("tags", {"tags[]": tag_ids}, answer)
    journal.result["tags"] = tag_ids
    return StepOutcome(f"Tagged with {', '.join(tag_ids)}")
