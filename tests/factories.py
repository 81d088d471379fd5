from __future__ import annotations

import factory

from orders.models import Order


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    orderref = factory.Sequence(lambda n: f"UIA202511-04{n:04d}")


class StaffUserFactory(factory.django.DjangoModelFactory):
    """A staff member in one of the role groups (see backoffice.roles)."""

    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password("correct horse")

    @factory.post_generation
    def role(self, create: bool, role_name: str | None, **kwargs: object) -> None:
        from django.contrib.auth.models import Group

        if create and role_name:
            self.groups.add(Group.objects.get(name=role_name))
