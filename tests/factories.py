from __future__ import annotations

import factory

from orders.models import Order


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    orderref = factory.Sequence(lambda n: f"UIA202511-04{n:04d}")
