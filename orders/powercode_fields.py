"""The requests the pipeline sends PowerCode, built from an order and settings."""

from __future__ import annotations

import json

from django.conf import settings

from orders.matching import state_code, street_line
from orders.models import Order, ProvisioningSettings
from tickets.models import TicketTemplate
from tickets.rendering import render_text


def customer_fields(order: Order, prov: ProvisioningSettings) -> dict[str, object]:
    """Return the createCustomer fields for an order."""
    data = order.utopia_data
    address = data.get("address") or {}
    fields: dict[str, object] = {
        "firstName": order.first_name,
        "lastName": order.last_name,
        "emailAddress": order.email,
        "physicalStreet": street_line(address.get("address"), address.get("apt")),
        "physicalCity": order.city,
        "physicalState": state_code(address.get("state")),
        "physicalZip": str(address.get("zip") or "").strip(),
        "physicalAutomaticallyGeocode": 1,
        "billingSameAsPhysical": 1,
        "invoicePreference": prov.invoice_preference,
        "billDay": prov.bill_day,
        "dueByDays": prov.due_by_days,
        "gracePeriodDays": prov.grace_period_days,
        "customerNotes": customer_notes(order),
        "customerPortalUsername": order.email,
        "customerPortalPassword": settings.CUSTOMER_PORTAL_PASSWORD,
        "extAccountID": order.site_id,
    }
    if prov.tax_zone_id:
        fields["taxZoneId"] = prov.tax_zone_id
    if order.phone:
        fields["phone"] = json.dumps([{"Type": "Home", "Number": order.phone}])
    return fields


def customer_notes(order: Order) -> str:
    terms = order.utopia_data.get("termsagreement") or {}
    lines = [f"Order# {order.orderref}", f"Utopia SiteID: {order.site_id}"]
    if terms.get("sp_terms_agree_date"):
        agreed = terms["sp_terms_agree_date"]
        lines.append(f"Agreed to Service Provider Terms: {agreed}")
    return "\n".join(lines)


def ticket_values(order: Order) -> dict[str, str]:
    """Return the placeholder values of a ticket template for an order."""
    contact = order.contact_details()
    return {
        **contact,
        "customer_name": contact["name"],
        "first_name": order.first_name,
        "last_name": order.last_name,
        "order_ref": order.orderref,
        "state": state_code(contact["state"]) or contact["state"],
    }


def rendered_ticket(order: Order, template: TicketTemplate) -> tuple[str, str]:
    """Return a template's (summary line, HTML description) for an order."""
    values = ticket_values(order)
    title = render_text(template.subject, values, html=False)
    description = render_text(template.body, values, html=True)
    if template.summary:
        summary = render_text(template.summary, values, html=True)
        description = f"<p><strong>{summary}</strong></p>\n{description}"
    return title, description


def ticket_fields(
    order: Order, template: TicketTemplate, prov: ProvisioningSettings
) -> dict[str, object]:
    """Return the createTicket fields for an order."""
    title, description = rendered_ticket(order, template)
    return {
        "type": prov.ticket_kind,
        "summary": title,
        "category": prov.ticket_category,
        "ticketType": prov.ticket_type,
        "description": description,
        "status": prov.ticket_status,
        "responsibleUser": prov.ticket_responsible_user,
        "responsibleGroupID": prov.ticket_responsible_group,
        "customerViewable": 1 if prov.ticket_customer_viewable else 0,
        "customerID": order.powercode_customer_id,
    }
