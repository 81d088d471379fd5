"""How the failure pages show a failure's fields: links, times, masked text."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backoffice.admin_pages import list_time
from orders.admin import display
from orders.admin.display import data_table, preformatted
from orders.models import Failure
from uac.masking import mask_text


class FailureColumns(admin.ModelAdmin):
    """The failure list's columns and the failure page's read-only fields."""

    @admin.display(description="Last seen", ordering="last_seen")
    def last_seen_at(self, failure: Failure) -> str:
        return list_time(failure.last_seen)

    @admin.display(description="Resolved by")
    def resolver(self, failure: Failure) -> str:
        # A name, not a link: operators may not open staff logins.
        return failure.resolved_by.get_username() if failure.resolved_by else "-"

    @admin.display(description="Order", ordering="orderref")
    def order_link(self, failure: Failure) -> str:
        return display.order_link(
            failure.order_id, failure.orderref, missing="(no usable orderref)"
        )

    @admin.display(description="Message")
    def short_message(self, failure: Failure) -> str:
        text = mask_text(failure.message)
        return text if len(text) <= 120 else f"{text[:119]}…"

    @admin.display(description="Message")
    def message_text(self, failure: Failure) -> SafeString:
        return preformatted(mask_text(failure.message))

    @admin.display(description="Customer data")
    def customer_table(self, failure: Failure) -> SafeString:
        return data_table(failure.customer_data)

    @admin.display(description="Webhook delivery")
    def delivery_link(self, failure: Failure) -> str:
        if failure.delivery_id is not None:
            url = reverse(
                "admin:orders_webhookdelivery_change", args=[failure.delivery_id]
            )
            return format_html('<a href="{}">{}</a>', url, failure.delivery)
        if failure.order_id is not None:
            # An order's failure: its deliveries are the order's.
            url = reverse("admin:orders_webhookdelivery_changelist")
            return format_html(
                '<a href="{}?order__id__exact={}">The order\'s deliveries</a>',
                url,
                failure.order_id,
            )
        return "-"
