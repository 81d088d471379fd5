"""A PowerCode customer record as support staff read it: each field once."""

from __future__ import annotations

import pytest

from backoffice.powercode_lookup import customer_view
from backoffice.powercode_record import (
    format_phones,
    readable_customer,
    spelled_out,
)
from uac.masking import MASK


def summary_of(record: dict) -> dict[str, str]:
    return {row.slug: row.text for row in readable_customer(record).summary}


def others_of(record: dict) -> dict[str, str]:
    return {row.name: row.text for row in readable_customer(record).other_fields}


def test_spellings_of_one_field_merge_ignoring_case() -> None:
    record = {
        "CustomerID": "2001",
        "ExtAccountID": "SITE-1",
        "extAccountID": "site-1",
        "FirstName": "Ana",
        "firstName": "Ana",
        "LastName": "Ruiz",
        "Address1": "",
        "physicalStreet": "1 Main St",
        "EmailAddress": "ana@example.test",
    }

    readable = readable_customer(record)

    assert summary_of(record) == {
        "customer-id": "2001",
        "name": "Ana Ruiz",
        "street": "1 Main St",
        "email": "ana@example.test",
        "site-id": "SITE-1",
    }
    assert readable.other_fields == []
    assert (readable.customer_id, readable.ext_account_id) == ("2001", "SITE-1")


def test_summary_follows_the_order_staff_read_it_in() -> None:
    record = {
        "Status": "Active",
        "Zip": "84041",
        "phone": "801-555-0142",
        "CompanyName": "Ana Ruiz",
        "CustomerID": "7",
    }

    assert list(summary_of(record)) == ["customer-id", "name", "zip", "phone", "status"]


@pytest.mark.parametrize(
    ("record", "name"),
    [
        (
            {"CompanyName": "Ana Ruiz", "FirstName": "ana", "LastName": "RUIZ"},
            "Ana Ruiz",
        ),
        (
            {"CompanyName": "Acme Fiber", "FirstName": "Ana", "LastName": "Ruiz"},
            "Ana Ruiz / Acme Fiber",
        ),
        ({"firstName": "Ana", "lastName": "Ruiz"}, "Ana Ruiz"),
        ({"CompanyName": "  "}, "(no name)"),
    ],
)
def test_one_name_or_company(record, name) -> None:
    readable = readable_customer(record)

    assert readable.name == name
    assert summary_of(record)["name"] == name
    assert readable.other_fields == []


def test_a_blank_field_reads_as_a_dash_and_a_blank_status_is_left_out() -> None:
    record = {"CustomerID": "7", "ExtAccountID": "", "Email": None, "Status": ""}

    summary = summary_of(record)

    assert (summary["site-id"], summary["email"]) == ("-", "-")
    assert "status" not in summary
    assert readable_customer(record).ext_account_id == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('[{"Type": "Home", "Number": "385.555.0107"}]', "Home 385.555.0107"),
        (
            [{"type": "Mobile", "number": "801-555-0142"}, {"Number": "801-555-0110"}],
            "Mobile 801-555-0142; 801-555-0110",
        ),
        ({"Type": "Work", "Number": "1"}, "Work 1"),
        ("801-555-0142", "801-555-0142"),
        ("[not json", "[not json"),
        (None, ""),
    ],
)
def test_phone_numbers_read_as_type_and_number(value, text) -> None:
    assert format_phones(value) == text


def test_other_fields_get_readable_labels_and_yes_or_no() -> None:
    record = {
        "CustomerID": "7",
        "physicalAutomaticallyGeocode": "0",
        "billingSameAsPhysical": 1,
        "taxZoneId": "3",
        "someNewField_x": "kept",
        "emptyOne": "",
    }

    rows = readable_customer(record).other_fields

    assert [(r.label, r.name, r.text) for r in rows] == [
        ("Billing address same as physical", "billingSameAsPhysical", "Yes"),
        ("Address geocoded automatically", "physicalAutomaticallyGeocode", "No"),
        ("Some new field x", "someNewField_x", "kept"),
        ("Tax zone id", "taxZoneId", "3"),
    ]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("physicalStreet2", "Physical street2"),
        ("ExtAccountID", "Ext account ID"),
        ("tax_zone", "Tax zone"),
    ],
)
def test_unknown_field_names_are_spelled_out(name, label) -> None:
    assert spelled_out(name) == label


def test_secrets_stay_masked_among_all_fields(settings) -> None:
    record = {
        "CustomerID": "7",
        "CompanyName": "Ana Ruiz",
        "customerPortalPassword": "hunter2-portal",
        "notes": f"key {settings.PC_API_KEY}",
    }

    view = customer_view(record)

    others = {row.name: row.text for row in view.other_fields}
    assert others["customerPortalPassword"] == MASK
    assert others["notes"] == f"key {MASK}"
    assert view.page_url.endswith("customerid=7")
