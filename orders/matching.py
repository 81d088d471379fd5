"""The matching rules: when a PowerCode customer is the person who ordered.

Names and addresses are compared normalised: case, spacing, punctuation and
accents do not count, and street lines go through usaddress-scourgify so USPS
suffix and direction abbreviations compare equal ("123 North Main Street" is
"123 N MAIN ST"). Same name at another address is another customer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import us
from scourgify.exceptions import AddressNormalizationError
from scourgify.normalize import normalize_addr_str

# Periods and apostrophes vanish ("P.O." is "PO", "O'Connor" is "OConnor");
# other punctuation separates words ("García-López" is "garcia lopez").
DROPPED = re.compile("[.'\u2019]")
NON_WORD = re.compile(r"[^\w\s]")
SPACES = re.compile(r"\s+")
UNIT_DESIGNATOR = re.compile(
    r"^(apt|apartment|unit|ste|suite|#|lot|bldg|fl|rm|trlr|spc)\b\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class StreetAddress:
    line1: str
    unit: str


def normalize_text(value: str | None) -> str:
    """Fold case, accents, punctuation and spacing: "García-López" is "garcia lopez"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = NON_WORD.sub(" ", DROPPED.sub("", plain.casefold()))
    return SPACES.sub(" ", words).strip()


def normalize_street(street: str | None, unit: str | None = None) -> StreetAddress:
    """Return the street line and unit in USPS form, for comparison only."""
    text = " ".join(part for part in (street or "", unit or "") if part.strip())
    try:
        parsed = normalize_addr_str(text)
    except AddressNormalizationError:
        return StreetAddress(line1=normalize_text(text).upper(), unit="")
    line1 = normalize_text(parsed["address_line_1"]).upper()
    unit = UNIT_DESIGNATOR.sub("", normalize_text(parsed["address_line_2"]))
    return StreetAddress(line1=line1, unit=unit)


def same_street(first: StreetAddress, second: StreetAddress) -> bool:
    """Same building, and the same unit when both name one."""
    if first.line1 != second.line1:
        return False
    return not (first.unit and second.unit) or first.unit == second.unit


def state_code(state: str | None) -> str:
    """Return the two-letter code of a US state or territory, or "" if unknown."""
    found = us.states.lookup((state or "").strip())
    return found.abbr if found else ""


def street_line(street: str | None, apt: str | None) -> str:
    """The street line PowerCode gets: the unit kept so the installer finds the door."""
    street = SPACES.sub(" ", (street or "").strip())
    apt = SPACES.sub(" ", (apt or "").strip())
    if not apt:
        return street
    if UNIT_DESIGNATOR.match(apt) or apt.startswith("#"):
        return f"{street} {apt}"
    return f"{street} Apt {apt}"


@dataclass(frozen=True)
class CustomerIdentity:
    """What two customers must share to be the same person."""

    name: str
    city: str
    street: StreetAddress

    @classmethod
    def of_order(cls, utopia_order: Mapping[str, Any]) -> CustomerIdentity:
        customer = utopia_order.get("customer") or {}
        address = utopia_order.get("address") or {}
        full_name = (
            f"{customer.get('firstname') or ''} {customer.get('lastname') or ''}"
        )
        return cls(
            name=normalize_text(full_name),
            city=normalize_text(address.get("city")),
            street=normalize_street(address.get("address"), address.get("apt")),
        )

    @classmethod
    def of_powercode(cls, customer: Mapping[str, Any]) -> CustomerIdentity:
        name = customer.get("CompanyName") or " ".join(
            str(customer.get(key) or "") for key in ("FirstName", "LastName")
        )
        return cls(
            name=normalize_text(str(name)),
            city=normalize_text(str(customer.get("City") or "")),
            street=normalize_street(
                str(customer.get("Address1") or ""), str(customer.get("Address2") or "")
            ),
        )

    def matches(self, other: CustomerIdentity) -> bool:
        # Names compare without spaces too: "O Connor" is "OConnor".
        return (
            bool(self.name)
            and self.name.replace(" ", "") == other.name.replace(" ", "")
            and self.city == other.city
            and same_street(self.street, other.street)
        )


def find_matching_customer(
    utopia_order: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """Return the first PowerCode customer who is the person in the order."""
    wanted = CustomerIdentity.of_order(utopia_order)
    for candidate in candidates:
        if wanted.matches(CustomerIdentity.of_powercode(candidate)):
            return candidate
    return None
