"""The pipeline's steps. Each takes an order and its journal and says what it did.

A step saves what it produced on the order before it returns, so a later run
resumes from the order alone. The order of the steps lives in pipeline.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from orders.errors import StepFailure
from orders.journal import StepJournal, StepOutcome, attempts
from orders.matching import normalize_text
from orders.models import (
    AlwaysAddedFee,
    FailureKind,
    Order,
    ProvisioningSettings,
    ServicePlanMapping,
)
from orders.powercode_fields import ticket_fields
from orders.sent_calls import (
    DOUBT_KIND,
    doubt_message,
    doubts,
    sending,
    staff_checked,
)
from orders.upstream import powercode_client, utopia_client
from orders.utopia_data import (
    UnusableAnswer,
    apply_utopia_data,
    clean_utopia_data,
    product_names,
    text,
)
from tickets.models import TicketTemplate

UNMAPPED = FailureKind.UNMAPPED_SERVICE_PLAN


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
    answered_for = text(data.get("orderref"))
    if answered_for and answered_for != order.orderref:
        # Another order's customer must never be created under this one.
        raise StepFailure(
            f"Utopia answered with order {answered_for}, not {order.orderref}."
            " Nothing was created; ask Utopia, then retry."
        )

    apply_utopia_data(order, data)
    journal.result["site_id"] = order.site_id
    return StepOutcome(
        f"Fetched {order.customer_name}, {order.service_plan or 'no plan'}"
    )


@dataclass(frozen=True)
class PlannedService:
    """A PowerCode service an order is billed for."""

    # Names the plan or fee across attempts, not its PowerCode id: a mapping
    # staff change after the plan was billed does not bill it a second time.
    key: str
    service_id: str
    quantity: int
    label: str


def add_services(order: Order, journal: StepJournal) -> StepOutcome:
    """Bill the plan bought and the fees always added; never a plan in its place."""
    prov = ProvisioningSettings.load()
    wanted, unmapped = services_for(order)
    added = services_added_before(order)
    in_doubt = doubts(order, "add_services") - added
    journal.result["added"] = []
    for service in wanted:
        if service.key in added or service.key in in_doubt:
            continue
        label = f"adding {service.label} (service {service.service_id})"
        with sending(journal, service.key, label):
            answer = powercode_client().add_customer_service(
                order.powercode_customer_id,
                service.service_id,
                quantity=service.quantity,
                prorate=prov.prorate_services,
            )
        journal.record_call(
            "addCustomerService", {"serviceID": service.service_id}, answer
        )
        journal.result["added"].append(service.key)
        journal.save_progress()

    summary = services_summary(wanted, journal.result["added"], in_doubt)
    # A plan billed by an earlier attempt stays billed, even if its mapping or
    # staff's choice has been made inactive since.
    unmapped = [product for product in unmapped if plan_key([product]) not in added]
    no_product = (
        not product_names(order.utopia_data)
        and not active_chosen_plan(order)
        and plan_key([]) not in added
    )
    if unmapped or (no_product and not resolved_by_staff(order, UNMAPPED)):
        return StepOutcome(summary, failure=(UNMAPPED, unmapped_message(unmapped)))
    if in_doubt and not staff_checked(order):
        return StepOutcome(summary, failure=(DOUBT_KIND, doubt_message(order)))
    return StepOutcome(summary)


def services_added_before(order: Order) -> set[str]:
    """The plans and fees (their keys) that earlier attempts added."""
    added: set[str] = set()
    for step in attempts(order, "add_services"):
        added.update((step.result or {}).get("added", []))
    return added


def resolved_by_staff(order: Order, kind: str) -> bool:
    return order.failures.filter(kind=kind, resolved=True).exists()


def services_summary(
    wanted: list[PlannedService], added_now: list[str], in_doubt: set[str]
) -> str:
    """What this attempt added, what earlier ones had, and what is in doubt."""
    groups: dict[str, list[str]] = {
        "Added": [],
        "Already added by an earlier attempt": [],
        "Not confirmed by PowerCode": [],
    }
    for service in wanted:
        if service.key in added_now:
            groups["Added"].append(service.label)
        elif service.key in in_doubt:
            groups["Not confirmed by PowerCode"].append(service.label)
        else:
            groups["Already added by an earlier attempt"].append(service.label)
    # No closing period: the pipeline may add the failure's message after it.
    parts = [
        f"{name}: {', '.join(labels)}" for name, labels in groups.items() if labels
    ]
    return ". ".join(parts) or "Added nothing"


def services_for(order: Order) -> tuple[list[PlannedService], list[str]]:
    """Return the services to bill, and the products that have no mapping."""
    plan = active_chosen_plan(order)
    if plan is not None:
        wanted, unmapped = [chosen_plan_service(order, plan)], []
    else:
        wanted, unmapped = mapped_plan_services(order)
    for fee in AlwaysAddedFee.objects.filter(active=True):
        wanted.append(
            PlannedService(
                f"fee:{fee.pk}", fee.powercode_service_id, fee.quantity, fee.name
            )
        )
    return wanted, unmapped


def active_chosen_plan(order: Order) -> ServicePlanMapping | None:
    """The plan staff chose for the order, unless it has been made inactive since."""
    # Unticking "active" stops a plan's billing, a chosen one's too: the order
    # is then billed by its products' mappings, or fails as unmapped.
    plan = order.chosen_plan if order.chosen_plan_id else None
    return plan if plan is not None and plan.active else None


def chosen_plan_service(order: Order, plan: ServicePlanMapping) -> PlannedService:
    """The plan staff chose, billed in place of whatever Utopia's products map to."""
    products = product_names(order.utopia_data)
    # Keyed by the products it stands for, as a mapped plan is: one bought
    # product is billed once, whether by its mapping or by staff's choice.
    label = f"{plan.utopia_product} (chosen by staff)"
    return PlannedService(
        plan_key(products), plan.powercode_service_id, plan.quantity, label
    )


def plan_key(products: list[str]) -> str:
    """How the journal names the plan billed for these products."""
    return "plan:" + ("+".join(normalize_text(p) for p in products) or "chosen")


def mapped_plan_services(order: Order) -> tuple[list[PlannedService], list[str]]:
    """The plans Utopia's products map to, and the products with no mapping."""
    mappings = {
        normalize_text(m.utopia_product): m
        for m in ServicePlanMapping.objects.filter(active=True)
    }
    wanted, unmapped = [], []
    for product in product_names(order.utopia_data):
        mapping = mappings.get(normalize_text(product))
        if mapping is None:
            unmapped.append(product)
            continue
        wanted.append(
            PlannedService(
                plan_key([product]),
                mapping.powercode_service_id,
                mapping.quantity,
                product,
            )
        )
    return wanted, unmapped


def unmapped_message(unmapped: list[str]) -> str:
    """What staff read when a plan could not be billed, and what each can do."""
    choose = "choose the plan for this order in the Utopia lookup (Provision now)"
    if not unmapped:
        return (
            "Utopia's order names no product, so no plan was billed. Find out what"
            f" the customer bought, then {choose}."
        )
    return (
        f"No PowerCode service is mapped to {', '.join(unmapped)}: the plan was not"
        " billed. An administrator can map it (Service plan mappings), then retry"
        f" the order; or {choose}."
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
    if "ticket" in doubts(order, "open_ticket"):
        if staff_checked(order):
            return StepOutcome("Ticket left to staff: an earlier answer was lost")
        return StepOutcome(
            "Ticket not confirmed", failure=(DOUBT_KIND, doubt_message(order))
        )

    fields = ticket_fields(order, template, ProvisioningSettings.load())
    with sending(journal, "ticket", "opening the ticket"):
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
