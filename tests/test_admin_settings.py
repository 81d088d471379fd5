"""Administrators change what provisioning uses; operators are refused."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse

from orders.models import AlwaysAddedFee, ProvisioningSettings, ServicePlanMapping
from orders.settings_checks import ENVIRONMENT_SECRETS
from tests.test_pipeline import ANA, MEI, provision

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("admin:orders_provisioningsettings_changelist")


def settings_form(**changes: object) -> dict[str, object]:
    data = model_to_dict(ProvisioningSettings.load())
    data.pop("id")
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def test_the_settings_list_opens_the_one_settings_row(administrator_client):
    response = administrator_client.get(SETTINGS_URL)

    assert response.status_code == 200
    assert response.context["original"] == ProvisioningSettings.load()
    body = response.content.decode()
    assert "Sales ticket" in body and "New customer defaults" in body
    assert "Delete" not in body and "Save and add another" not in body
    assert ProvisioningSettings.objects.count() == 1


def test_settings_cannot_be_added_or_deleted(administrator_client):
    row = ProvisioningSettings.load()
    delete = reverse("admin:orders_provisioningsettings_delete", args=[row.pk])

    assert (
        administrator_client.get(
            reverse("admin:orders_provisioningsettings_add")
        ).status_code
        == 403
    )
    assert administrator_client.post(delete, {"post": "yes"}).status_code == 403
    assert ProvisioningSettings.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        SETTINGS_URL,
        reverse("admin:orders_provisioningsettings_change", args=[1]),
        reverse("admin:orders_serviceplanmapping_add"),
        reverse("admin:orders_alwaysaddedfee_add"),
    ],
)
def test_an_operator_gets_403_on_settings(operator_client, url):
    ProvisioningSettings.load()

    assert operator_client.get(url).status_code == 403


def test_an_operator_cannot_post_a_settings_change(operator_client):
    response = operator_client.post(SETTINGS_URL, settings_form(tag_ids="99"))

    assert response.status_code == 403
    assert ProvisioningSettings.load().tag_ids != "99"


def test_secrets_are_shown_as_set_or_not_set_never_their_values(administrator_client):
    with override_settings(EMAIL_HOST_PASSWORD=""):
        body = administrator_client.get(SETTINGS_URL).content.decode()

    assert 'id="environment-secrets"' in body
    assert '<code>PC_API_KEY</code>: <span class="secret-set">set</span>' in body
    assert (
        '<code>MAIL_PASSWORD</code>: <span class="secret-missing">not set</span>'
        in body
    )
    for _, setting in ENVIRONMENT_SECRETS:
        value = getattr(settings, setting)
        assert not value or value[:6] not in body, setting


def test_a_settings_change_is_saved_and_in_the_history(administrator_client):
    response = administrator_client.post(
        SETTINGS_URL,
        settings_form(
            tag_ids=" 12,40 ", email_recipients="a@example.com\nb@example.com"
        ),
    )

    assert response.status_code == 302
    row = ProvisioningSettings.load()
    assert row.tag_ids == "12, 40"
    assert row.recipient_list() == ["a@example.com", "b@example.com"]
    entry = LogEntry.objects.get(object_id=str(row.pk))
    assert entry.action_flag == CHANGE
    assert "Tag ids" in entry.get_change_message()
    history = reverse("admin:orders_provisioningsettings_history", args=[row.pk])
    assert "Tag ids" in administrator_client.get(history).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tag_ids", "12, x7, 40", "these are not: “x7”"),
        ("email_recipients", "ok@example.com, nope@", "Not an email address: “nope@”"),
        ("ticket_category", "Sales", "The ticket category is a number from PowerCode"),
        ("ticket_responsible_group", "four", "The group is a number"),
        ("tax_zone_id", "zone 3", "The tax zone is a number"),
    ],
)
def test_bad_settings_are_refused_naming_what_is_wrong(
    administrator_client, field, value, message
):
    response = administrator_client.post(SETTINGS_URL, settings_form(**{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not LogEntry.objects.exists()


def test_a_service_id_must_be_a_number(administrator_client):
    response = administrator_client.post(
        reverse("admin:orders_alwaysaddedfee_add"),
        {"name": "Bond", "powercode_service_id": "bond", "quantity": 1},
    )

    errors = response.context["adminform"].form.errors
    assert errors["powercode_service_id"] == [
        "The service id is a number from PowerCode, not “bond”."
    ]
    assert not AlwaysAddedFee.objects.filter(name="Bond").exists()


def test_a_product_mapped_with_other_case_or_spacing_is_refused(administrator_client):
    response = administrator_client.post(
        reverse("admin:orders_serviceplanmapping_add"),
        {"utopia_product": "1  GBPS", "powercode_service_id": "77", "quantity": 1},
    )

    [error] = response.context["adminform"].form.errors["utopia_product"]
    assert "“1 Gbps” is already mapped" in error
    assert (
        ServicePlanMapping.objects.filter(utopia_product__iexact="1 gbps").count() == 1
    )


def test_a_mapping_added_in_the_admin_bills_the_next_order(
    administrator_client, upstreams
):
    response = administrator_client.post(
        reverse("admin:orders_serviceplanmapping_add"),
        {
            "utopia_product": "10 Gbps",
            "powercode_service_id": "910",
            "quantity": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302

    provision(MEI)

    service_ids = [
        c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")
    ]
    assert "910" in service_ids


def test_tags_and_recipients_changed_in_the_admin_apply_to_the_next_order(
    administrator_client, upstreams
):
    administrator_client.post(
        SETTINGS_URL,
        settings_form(tag_ids="12, 40", email_recipients="sales@example.com"),
    )

    provision(ANA)

    [tags] = upstreams.powercode_calls("UAPI POST customer/tags/customer")
    assert tags["tags[]"] == ["12", "40"]
    assert [message.to for message in mail.outbox] == [["sales@example.com"]]


def test_a_ticket_owner_changed_in_the_admin_reaches_the_next_ticket(
    administrator_client, upstreams
):
    administrator_client.post(
        SETTINGS_URL,
        settings_form(ticket_responsible_user="Support", ticket_category="60"),
    )

    provision(ANA)

    [ticket] = upstreams.powercode_calls("createTicket")
    assert (ticket["responsibleUser"], ticket["category"]) == ("Support", "60")


def test_a_mapping_edited_in_the_admin_bills_the_next_order(
    administrator_client, upstreams
):
    mapping = ServicePlanMapping.objects.get(utopia_product="1 Gbps")
    url = reverse("admin:orders_serviceplanmapping_change", args=[mapping.pk])

    response = administrator_client.post(
        url,
        {
            "utopia_product": "1 Gbps",
            "powercode_service_id": "4242",
            "quantity": 2,
            "active": "on",
        },
    )
    assert response.status_code == 302

    provision(ANA)

    calls = upstreams.powercode_calls("addCustomerService")
    assert {"serviceID": "4242", "quantity": "2"}.items() <= calls[0].items()


@pytest.mark.parametrize(
    ("service_id", "quantity", "error"),
    [
        ("0", "1", "is a number from PowerCode"),
        ("12", "0", "greater than or equal to 1"),
    ],
)
def test_a_plan_that_would_bill_nothing_is_refused(
    administrator_client, service_id, quantity, error
):
    response = administrator_client.post(
        reverse("admin:orders_serviceplanmapping_add"),
        {
            "utopia_product": "5 Gbps",
            "powercode_service_id": service_id,
            "quantity": quantity,
            "active": "on",
        },
    )

    assert error in response.content.decode()
    assert not ServicePlanMapping.objects.filter(utopia_product="5 Gbps").exists()


def test_leading_zeros_are_dropped_from_a_service_id(administrator_client):
    administrator_client.post(
        reverse("admin:orders_serviceplanmapping_add"),
        {"utopia_product": "5 Gbps", "powercode_service_id": "007", "quantity": "1"},
    )

    assert (
        ServicePlanMapping.objects.get(utopia_product="5 Gbps").powercode_service_id
        == "7"
    )


def opened_version(response) -> str:
    return response.context["adminform"].form["opened_version"].value()


def test_a_save_from_a_page_opened_before_another_save_is_refused(administrator_client):
    page = administrator_client.get(SETTINGS_URL)
    ProvisioningSettings.objects.update(tag_ids="12, 40")  # someone else saved

    stale = settings_form(
        email_recipients="billing@example.com",
        tag_ids="5",
        opened_version=opened_version(page),
    )
    response = administrator_client.post(SETTINGS_URL, stale)

    assert "Someone saved a change here after you opened" in response.content.decode()
    assert ProvisioningSettings.load().tag_ids == "12, 40"


def test_a_save_from_a_current_page_goes_through(administrator_client):
    page = administrator_client.get(SETTINGS_URL)

    administrator_client.post(
        SETTINGS_URL, settings_form(tag_ids="7", opened_version=opened_version(page))
    )

    assert ProvisioningSettings.load().tag_ids == "7"


def test_a_refused_page_is_refused_again_until_reloaded(administrator_client):
    page = administrator_client.get(SETTINGS_URL)
    ProvisioningSettings.objects.update(tag_ids="77")
    stale = settings_form(
        tag_ids="5",
        email_recipients="billing@example.com",
        opened_version=opened_version(page),
    )

    first = administrator_client.post(SETTINGS_URL, stale)
    second = administrator_client.post(
        SETTINGS_URL, first.context["adminform"].form.data
    )

    assert "Someone saved a change here" in second.content.decode()
    assert ProvisioningSettings.load().tag_ids == "77"
