"""Checks on the provisioning settings staff enter, and which secrets are set.

The pipeline reads these settings on every run (orders/steps.py), so what is
refused here is what would otherwise fail an order at PowerCode.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from orders.matching import normalize_text
from orders.models import ServicePlanMapping
from orders.models.provisioning import split_list

# Shown as set or not set in the admin; their values never leave the settings.
# (environment variable, setting): named as staff find them in the env file.
ENVIRONMENT_SECRETS = (
    ("PC_API_KEY", "PC_API_KEY"),
    ("UTOPIA_API_KEY", "UTOPIA_API_KEY"),
    ("CUSTOMER_PORTAL_PASSWORD", "CUSTOMER_PORTAL_PASSWORD"),
    ("WEBHOOK_SECRET", "WEBHOOK_SECRET"),
    ("MAIL_PASSWORD", "EMAIL_HOST_PASSWORD"),
)
POWERCODE_ID = re.compile(r"[0-9]+")


def is_powercode_id(value: str) -> bool:
    """PowerCode numbers its services, tags, categories and groups from 1."""
    value = value.strip()
    return POWERCODE_ID.fullmatch(value) is not None and int(value) > 0


def clean_powercode_id(value: str, what: str) -> str:
    """Return the id as PowerCode writes it ("007" is 7); refuse a non-id."""
    value = value.strip()
    if not is_powercode_id(value):
        raise ValidationError(f"{what} is a number from PowerCode, not “{value}”.")
    return str(int(value))


def clean_id_list(text: str) -> str:
    """Return the ids as "1, 2"; refuse anything in the list that is not a number."""
    ids = split_list(text)
    wrong = [item for item in ids if not is_powercode_id(item)]
    if wrong:
        raise ValidationError(
            "Tag ids are numbers separated by commas; these are not: "
            + ", ".join(f"“{item}”" for item in wrong)
        )
    return ", ".join(str(int(item)) for item in ids)


def clean_addresses(text: str) -> str:
    """Return the addresses one a line; refuse any that is not an email address."""
    addresses = split_list(text)
    wrong = [address for address in addresses if not is_email(address)]
    if wrong:
        raise ValidationError(
            "Not an email address: " + ", ".join(f"“{item}”" for item in wrong)
        )
    return "\n".join(addresses)


def is_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def clean_utopia_product(product: str, mapping_pk: int | None) -> str:
    """Refuse a product another mapping has, written with other case or spacing."""
    product = " ".join(product.split())
    key = normalize_text(product)
    if not key:
        raise ValidationError("Write the product as Utopia names it, e.g. “1 Gbps”.")

    others = ServicePlanMapping.objects.exclude(pk=mapping_pk)
    for other in others:
        # The pipeline matches products this way, so two such rows would clash.
        if normalize_text(other.utopia_product) == key:
            raise ValidationError(
                f"“{other.utopia_product}” is already mapped, and products are"
                " compared without regard to case or spacing. Edit that mapping"
                " instead."
            )
    return product


def secret_status() -> list[tuple[str, bool]]:
    """Each environment secret's name and whether it is set."""
    return [
        (variable, bool(getattr(settings, setting, "")))
        for variable, setting in ENVIRONMENT_SECRETS
    ]
