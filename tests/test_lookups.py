"""The Utopia and PowerCode lookups: readable answers, provision now, no 500s."""

from __future__ import annotations

import re

import pytest
import requests
import responses
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from backoffice import powercode_lookup
from backoffice.roles import ADMINISTRATORS, OPERATORS
from orders.models import FailureKind, Order, OrderState, ServicePlanMapping
from orders.queue import QUEUE_DOWN_MESSAGE, requeue_order
from orders.tasks import provision_order
from orders.upstream import reset_clients
from powercode.client import customer_page_url
from tests.factories import OrderFactory, StaffUserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ANA = "UIA202511-040101"  # 1 Gbps, apt 4B
MEI = "UIA202511-040103"  # 10 Gbps, not mapped
DANA = "UIA202511-040105"  # no order items
UNKNOWN = "UIA202511-049999"
UTOPIA_URL = reverse("admin:utopia_lookup")
POWERCODE_URL = reverse("admin:powercode_lookup")
SECRETS = ("PC_API_KEY", "UTOPIA_API_KEY", "WEBHOOK_SECRET")


@pytest.fixture
def business_plan() -> ServicePlanMapping:
    return ServicePlanMapping.objects.create(
        utopia_product="Business 10G", powercode_service_id="77", quantity=1
    )


def look_up(client: Client, orderref: str):
    return client.get(UTOPIA_URL, {"orderref": orderref})


def provision_now(client: Client, capture, orderref: str, **fields: object):
    with capture(execute=True):
        return client.post(UTOPIA_URL, {"orderref": orderref, **fields}, follow=True)


def assert_no_secret(body: str) -> None:
    for name in SECRETS:
        assert getattr(settings, name) not in body, name


def test_utopia_lookup_shows_the_order_readably(operator_client, upstreams):
    response = look_up(operator_client, ANA)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ana García-López" in body
    assert "123 N Main St<br>Layton, Utah 84041" in body
    assert '<td id="utopia-apt">4B</td>' in body
    assert "?by=site&amp;q=SITE-104233" in body  # read it in PowerCode
    assert "<td>1 Gbps</td><td>1</td><td>65.00</td>" in body
    assert 'id="utopia-raw"' in body  # the masked JSON, folded away
    assert "UAC has no order with this orderref yet." in body
    assert 'id="provision-now-button"' in body
    assert 'id="id_plan"' not in body  # mapped: nothing to choose
    assert_no_secret(body)


def test_utopia_lookup_links_the_order_uac_has(operator_client, upstreams):
    order = OrderFactory(orderref=ANA, state=OrderState.FAILED)

    body = look_up(operator_client, ANA).content.decode()

    assert reverse("admin:orders_order_change", args=[order.pk]) in body
    assert 'data-state="failed"' in body


def test_unmapped_product_offers_the_active_plans(
    operator_client, upstreams, business_plan
):
    ServicePlanMapping.objects.create(
        utopia_product="Retired", powercode_service_id="9", active=False
    )

    body = look_up(operator_client, MEI).content.decode()

    assert 'class="unmapped">not mapped' in body
    assert "No plan is mapped for this order" in body
    assert "Business 10G (service 77" in body
    assert "Retired" not in body


def test_unknown_orderref_is_said_plainly(operator_client, upstreams):
    response = look_up(operator_client, UNKNOWN)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Utopia has no order with this orderref for this ISP." in body
    assert "Nothing to provision" in body


def test_a_malformed_orderref_is_refused_without_calling_utopia(
    operator_client, upstreams
):
    response = look_up(operator_client, "no spaces please")

    assert response.status_code == 200
    assert "This is not an orderref" in response.content.decode()
    assert upstreams.utopia.calls == []


def test_utopia_outage_is_a_readable_message(operator_client, upstreams):
    upstreams.utopia.fail_next(status=503)

    response = look_up(operator_client, ANA)

    assert response.status_code == 502
    assert "Utopia did not answer usably" in response.content.decode()
    assert "HTTP 503" in response.content.decode()


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ({"body": requests.ConnectionError("refused")}, "Could not connect to Utopia"),
        ({"body": requests.ReadTimeout("slow")}, "did not answer contractlookup in"),
        ({"body": "<html>oops</html>"}, "body that is not JSON"),
    ],
)
def test_utopia_transport_faults_are_readable(operator_client, answer, shown):
    reset_clients()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, re.compile(r".*/spquery/contractlookup"), **answer)
        response = look_up(operator_client, ANA)
    reset_clients()

    assert response.status_code == 502
    assert shown in response.content.decode()


def test_utopia_error_naming_the_key_is_masked(operator_client, upstreams):
    upstreams.utopia.answer_error_next(f"Bad key {settings.UTOPIA_API_KEY}")

    response = look_up(operator_client, ANA)

    assert response.status_code == 502
    assert_no_secret(response.content.decode())


def test_provision_now_stores_and_provisions_a_new_order(
    operator_client, upstreams, django_capture_on_commit_callbacks
):
    response = provision_now(operator_client, django_capture_on_commit_callbacks, ANA)

    order = Order.objects.get(orderref=ANA)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:orders_order_change", args=[order.pk]
    )
    assert f"Queued {ANA} for provisioning." in response.content.decode()
    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    entry = LogEntry.objects.get(object_id=str(order.pk))
    assert (
        entry.get_change_message() == f"Utopia lookup: Queued {ANA} for provisioning."
    )


def test_unmapped_order_provisioned_with_a_chosen_plan_completes(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=business_plan.pk
    )

    order = Order.objects.get(orderref=MEI)
    assert "as Business 10G (service 77)" in response.content.decode()
    assert order.state == OrderState.COMPLETED
    assert order.chosen_plan == business_plan
    services = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert "77" in services
    assert not order.failures.filter(kind=FailureKind.UNMAPPED_SERVICE_PLAN).exists()


def test_failed_unmapped_order_is_retried_with_the_chosen_plan(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=MEI)
    provision_order.delay(order.pk).get()
    order.refresh_from_db()
    assert order.state == OrderState.FAILED

    provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=business_plan.pk
    )

    order.refresh_from_db()
    services = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert order.state == OrderState.COMPLETED
    assert services.count("77") == 1
    assert services.count(settings.SERVICE_PLAN_BOND_FEE_ID) == 1  # not added twice
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert order.failures.get(kind=FailureKind.UNMAPPED_SERVICE_PLAN).resolved


def test_chosen_plan_bills_an_order_without_order_items(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    assert 'id="id_plan"' in look_up(operator_client, DANA).content.decode()

    provision_now(
        operator_client, django_capture_on_commit_callbacks, DANA, plan=business_plan.pk
    )

    order = Order.objects.get(orderref=DANA)
    assert order.state == OrderState.COMPLETED
    assert upstreams.powercode_calls("addCustomerService")[0]["serviceID"] == "77"


def test_a_completed_order_is_not_provisioned_again(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=ANA, state=OrderState.COMPLETED)
    assert 'id="provision-refused"' in look_up(operator_client, ANA).content.decode()

    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, ANA, plan=business_plan.pk
    )

    order.refresh_from_db()
    assert "is completed: it is not provisioned again" in response.content.decode()
    assert order.state == OrderState.COMPLETED
    assert order.chosen_plan is None
    assert upstreams.powercode.calls == []
    assert not LogEntry.objects.exists()


def test_an_inactive_plan_cannot_be_chosen(
    operator_client, upstreams, django_capture_on_commit_callbacks
):
    retired = ServicePlanMapping.objects.create(
        utopia_product="Retired", powercode_service_id="9", active=False
    )

    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=retired.pk
    )

    assert "Not provisioned: Select a valid choice." in response.content.decode()
    assert response.redirect_chain[-1][0] == f"{UTOPIA_URL}?orderref={MEI}"
    assert not Order.objects.exists()


def test_a_plan_is_refused_for_an_order_whose_product_is_mapped(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, ANA, plan=business_plan.pk
    )

    assert "product is mapped (" in response.content.decode()
    assert not Order.objects.exists()
    assert upstreams.powercode_calls("addCustomerService") == []


def test_an_order_a_worker_holds_keeps_its_plan(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=MEI, state=OrderState.PROCESSING)

    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=business_plan.pk
    )

    order.refresh_from_db()
    assert "its plan was not changed" in response.content.decode()
    assert order.chosen_plan is None
    assert order.state == OrderState.PROCESSING


def test_provision_now_stores_nothing_utopia_does_not_know(
    operator_client, upstreams, django_capture_on_commit_callbacks
):
    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, UNKNOWN
    )

    assert response.redirect_chain[-1][0] == f"{UTOPIA_URL}?orderref={UNKNOWN}"
    assert "Not stored: Utopia has no order" in response.content.decode()
    assert not Order.objects.exists()


# Committed for real: the broker is reached when the queueing commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_provision_now_says_when_the_queue_is_down(
    operator_client, upstreams, monkeypatch
):
    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(provision_order, "delay", broker_down)

    response = operator_client.post(UTOPIA_URL, {"orderref": ANA}, follow=True)

    order = Order.objects.get(orderref=ANA)
    assert response.status_code == 200
    assert QUEUE_DOWN_MESSAGE in response.content.decode()
    assert order.state == OrderState.RECEIVED
    assert order.failures.get().kind == FailureKind.QUEUE_UNAVAILABLE


def test_provision_now_needs_the_csrf_token(upstreams):
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffUserFactory(role=OPERATORS))

    response = client.post(UTOPIA_URL, {"orderref": ANA})

    assert response.status_code == 403
    assert not Order.objects.exists()


def test_lookups_need_the_lookup_permission(upstreams):
    client = logged_in(None)

    assert client.get(UTOPIA_URL).status_code == 403
    assert client.post(UTOPIA_URL, {"orderref": ANA}).status_code == 403
    assert client.get(POWERCODE_URL).status_code == 403
    assert not Order.objects.exists()


def search(client: Client, by: str, q: str):
    return client.get(POWERCODE_URL, {"by": by, "q": q})


def test_powercode_search_lists_customers_with_links(operator_client, upstreams):
    response = search(operator_client, "name", "smith")

    body = response.content.decode()
    assert response.status_code == 200
    assert "#1001 Robert Smith" in body
    assert customer_page_url(settings.PC_URL, "1001").replace("&", "&amp;") in body
    assert "?by=id&amp;q=1001" in body


def test_powercode_read_by_id_shows_fields_tags_and_orders(operator_client, upstreams):
    upstreams.powercode.tags["1001"] = {12}
    order = OrderFactory(powercode_customer_id="1001", state=OrderState.DUPLICATE)

    body = search(operator_client, "id", "1001").content.decode()

    assert '<th scope="row">Street</th><td>250 N WASHINGTON BLVD</td>' in body
    assert 'data-tag-id="12">Tag 12 (#12)' in body
    assert reverse("admin:orders_order_change", args=[order.pk]) in body
    assert_no_secret(body)


def test_powercode_read_by_site_id_finds_the_utopia_customer(
    operator_client, upstreams, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=ANA)
    provision_order.delay(order.pk).get()
    order.refresh_from_db()

    body = search(operator_client, "site", "SITE-104233").content.decode()

    assert f"#{order.powercode_customer_id} Ana" in body
    assert reverse("admin:orders_order_change", args=[order.pk]) in body


def summary_rows(body: str) -> dict[str, str]:
    """The customer summary as data-field: text."""
    start = body.index('class="powercode-summary')
    table = body[start : body.index("</table>", start)]
    rows = re.findall(
        r'data-field="([^"]+)"><th scope="row">[^<]*</th><td>([^<]*)<', table
    )
    return dict(rows)


def all_fields(body: str) -> str:
    return body[body.index('<details class="powercode-all-fields">') :].split(
        "</details>"
    )[0]


def test_powercode_customer_reads_as_a_summary_then_all_fields(
    operator_client, upstreams, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=ANA)
    provision_order.delay(order.pk).get()
    order.refresh_from_db()

    body = search(operator_client, "site", "SITE-104233").content.decode()

    assert summary_rows(body) == {
        "customer-id": order.powercode_customer_id,
        "name": "Ana García-López",
        "street": "123 N Main St Apt 4B",
        "city": "Layton",
        "state": "UT",
        "zip": "84041",
        "email": "ana.garcia@example.net",
        "phone": "Home 801-555-0142",
        "site-id": "SITE-104233",
    }
    rest = all_fields(body)
    assert "<summary>All fields from PowerCode (8 more)</summary>" in rest
    assert (
        '<th scope="row">Address geocoded automatically</th>'
        "<td><code>physicalAutomaticallyGeocode</code></td><td>Yes</td>"
    ) in rest
    assert "Order# UIA202511-040101<br>Utopia SiteID: SITE-104233" in rest
    # Each field once: no second spelling, no raw JSON phone list.
    for spelling in ("extAccountID", "firstName", "physicalStreet", "Address1"):
        assert f'data-field="{spelling}"' not in body, spelling
    assert "Number&quot;" not in body
    assert_no_secret(body)


def test_powercode_shows_a_second_spelling_that_disagrees(operator_client, upstreams):
    upstreams.powercode.customers["1001"]["physicalStreet"] = "250 N Washington Blvd"
    upstreams.powercode.customers["1001"]["physicalCity"] = "North Ogden"

    body = search(operator_client, "id", "1001").content.decode()

    assert summary_rows(body)["street"] == "250 N WASHINGTON BLVD"
    assert summary_rows(body)["city"] == "Ogden"
    assert 'data-field="physicalStreet"' not in body
    assert "<code>physicalCity</code></td><td>North Ogden</td>" in all_fields(body)


def test_powercode_search_results_have_nothing_left_to_unfold(
    operator_client, upstreams
):
    body = search(operator_client, "name", "smith").content.decode()

    assert summary_rows(body)["name"] == "Robert Smith"
    assert "powercode-all-fields" not in body


def test_powercode_page_says_its_search_matches_spelling_exactly(
    operator_client, upstreams
):
    upstreams.powercode.customers["1003"] = {
        "CustomerID": "1003",
        "CompanyName": "Lucía García",
        "ExtAccountID": "SITE-9",
    }

    found = search(operator_client, "name", "García").content.decode()
    missed = search(operator_client, "name", "Garcia").content.decode()

    assert 'data-customer-id="1003"' in found
    assert 'data-customer-id="1003"' not in missed
    assert 'id="powercode-none"' in missed
    assert "accents included: try the name as typed in PowerCode" in missed
    note = missed[missed.index('id="powercode-search-note"') :].split("</div>")[0]
    assert "matches the spelling exactly, accents included" in note
    assert "search by Utopia site id" in note


def test_powercode_miss_is_said_plainly(operator_client, upstreams):
    response = search(operator_client, "id", "424242")

    assert response.status_code == 200
    assert "PowerCode has no customer for" in response.content.decode()


@pytest.mark.parametrize(("by", "action"), [("id", "readCustomer"), ("name", "find")])
def test_powercode_outage_is_a_readable_message(operator_client, upstreams, by, action):
    upstreams.powercode.fail_next(action, status=500)

    response = search(operator_client, by, "1001")

    assert response.status_code == 502
    assert "PowerCode did not answer usably" in response.content.decode()
    assert "HTTP 500" in response.content.decode()


def test_unreadable_tags_leave_the_customer_shown(operator_client, upstreams):
    upstreams.powercode.fail_next("tags", status=503)

    response = search(operator_client, "id", "1001")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Robert Smith" in body
    assert "Tags not read" in body


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ({"body": requests.ConnectionError("refused")}, "ConnectionError"),
        ({"body": requests.ConnectTimeout("slow")}, "ConnectTimeout"),
        ({"body": "not json"}, "answered non-JSON"),
    ],
)
def test_powercode_transport_faults_are_readable(operator_client, answer, shown):
    reset_clients()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, re.compile(r".*"), **answer)
        response = search(operator_client, "id", "1001")
    reset_clients()

    assert response.status_code == 502
    assert shown in response.content.decode()


def test_administrators_use_the_lookups_too(upstreams):
    response = search(logged_in(ADMINISTRATORS), "name", "smith")

    assert response.status_code == 200
    assert "Robert Smith" in response.content.decode()


def test_a_customer_without_ids_claims_no_orders():
    OrderFactory(powercode_customer_id="", site_id="")
    OrderFactory(powercode_customer_id="2001", site_id="SITE-1")

    assert list(powercode_lookup.orders_of("", "")) == []
    assert powercode_lookup.orders_of("2001", "").count() == 1


def test_an_orderref_typed_in_lower_case_is_looked_up(operator_client, upstreams):
    body = look_up(operator_client, " uia202511-040101 ").content.decode()

    assert 'id="utopia-customer"' in body
    assert "Ana" in body


def test_another_plan_is_refused_once_a_plan_was_billed(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    other = ServicePlanMapping.objects.create(
        utopia_product="Residential 1G", powercode_service_id="88"
    )
    upstreams.powercode.fail_next("createTicket", api_status=5, message="No category")
    provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=business_plan.pk
    )
    order = Order.objects.get(orderref=MEI)
    assert order.state == OrderState.FAILED

    response = provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=other.pk
    )

    order.refresh_from_db()
    assert "already has a plan billed" in response.content.decode()
    assert order.chosen_plan == business_plan
    services = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert "88" not in services


def test_a_chosen_plan_made_inactive_is_not_billed(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    order = OrderFactory(orderref=MEI, chosen_plan=business_plan)
    business_plan.active = False
    business_plan.save()

    provision_order.delay(order.pk).get()

    order.refresh_from_db()
    services = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert "77" not in services
    assert order.failures.filter(kind=FailureKind.UNMAPPED_SERVICE_PLAN).exists()


def test_a_billed_chosen_plan_made_inactive_stays_billed_on_retry(
    operator_client, upstreams, business_plan, django_capture_on_commit_callbacks
):
    upstreams.powercode.fail_next("createTicket", api_status=5, message="No category")
    provision_now(
        operator_client, django_capture_on_commit_callbacks, MEI, plan=business_plan.pk
    )
    order = Order.objects.get(orderref=MEI)
    business_plan.active = False
    business_plan.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_order(order)

    order.refresh_from_db()
    services = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert services.count("77") == 1
    assert order.state == OrderState.COMPLETED
    assert not order.failures.filter(
        kind=FailureKind.UNMAPPED_SERVICE_PLAN, resolved=False
    ).exists()
