"""Names and addresses compare normalised; a second home is another customer."""

from __future__ import annotations

import pytest

from orders.matching import (
    find_matching_customer,
    normalize_street,
    normalize_text,
    same_street,
    state_code,
    street_line,
)


def utopia_order(first="Ana", last="García-López", street="123 North Main Street",
                 apt="", city="Layton") -> dict:  # fmt: skip
    return {
        "customer": {"firstname": first, "lastname": last},
        "address": {"address": street, "apt": apt, "city": city},
    }


def powercode(name="ANA GARCIA LOPEZ", street="123 N MAIN ST", city="LAYTON") -> dict:
    return {"CustomerID": "7", "CompanyName": name, "Address1": street, "City": city}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("García-López", "garcia lopez"),
        ("  O'Connor ", "OCONNOR"),
        ("JOSÉ  NÚÑEZ", "jose nunez"),
        ("Mary-Ann St. John", "mary ann st john"),
    ],
)
def test_names_compare_without_case_accents_punctuation_or_spacing(first, second):
    assert normalize_text(first) == normalize_text(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("123 North Main Street", "123 N MAIN ST"),
        ("250 North Washington Boulevard", "250 N WASHINGTON BLVD"),
        ("88 West Babcock Street", "88 W. Babcock St."),
        ("4500 South 2700 West", "4500 S 2700 W"),
        ("77 East Center Street", "77 E CENTER ST"),
        ("9 Canyon Road", "9 canyon rd"),
    ],
)
def test_usps_suffixes_and_directions_compare_equal(first, second):
    assert normalize_street(first) == normalize_street(second)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("123 N Main St", "4B"), ("123 N MAIN ST APT 4B", ""), True),
        (("123 N Main St", "Apt 4B"), ("123 N MAIN ST UNIT 4B", ""), True),
        (("123 N Main St", "4B"), ("123 N MAIN ST", ""), True),
        (("123 N Main St", "4B"), ("123 N MAIN ST APT 5C", ""), False),
        (("123 N Main St", ""), ("123 S MAIN ST", ""), False),
        (("123 N Main St", ""), ("125 N MAIN ST", ""), False),
    ],
)
def test_units_differ_only_when_both_name_one(first, second, same):
    assert same_street(normalize_street(*first), normalize_street(*second)) is same


def test_unparseable_street_still_compares_by_plain_text():
    assert normalize_street("PO Box 12") == normalize_street("p.o. box 12")


def test_same_name_city_and_street_is_the_same_customer():
    match = find_matching_customer(utopia_order(), [powercode()])

    assert match["CustomerID"] == "7"


@pytest.mark.parametrize(
    "candidate",
    [
        powercode(street="12 S 3RD AVE"),  # a second home of the same name
        powercode(city="Ogden"),
        powercode(name="Ana Garcia"),
    ],
)
def test_any_difference_in_name_city_or_street_is_another_customer(candidate):
    assert find_matching_customer(utopia_order(), [candidate]) is None


def test_an_order_without_a_name_matches_nobody():
    assert (
        find_matching_customer(utopia_order(first="", last=""), [powercode(name="")])
        is None
    )


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("Utah", "UT"),
        ("utah", "UT"),
        ("UT", "UT"),
        ("Montana", "MT"),
        (" New Mexico ", "NM"),
        ("District of Columbia", "DC"),
        ("Puerto Rico", "PR"),
        ("Guam", "GU"),
        ("Atlantis", ""),
        (None, ""),
    ],
)
def test_state_names_and_codes_become_two_letter_codes(state, code):
    assert state_code(state) == code


@pytest.mark.parametrize(
    ("apt", "line"),
    [
        ("4B", "123 N Main St Apt 4B"),
        ("Unit 12", "123 N Main St Unit 12"),
        ("#7", "123 N Main St #7"),
        ("Suite 300", "123 N Main St Suite 300"),
        ("", "123 N Main St"),
        (None, "123 N Main St"),
        ("  ", "123 N Main St"),
    ],
)
def test_unit_is_kept_in_the_street_line(apt, line):
    assert street_line("123 N Main St", apt) == line
