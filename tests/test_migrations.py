"""Migrations apply to a database the earlier code already filled."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Target = list[tuple[str, str]]


def migrate(targets: Target) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrator() -> Iterator[Callable[[Target], Apps]]:
    yield migrate
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to now


def test_duplicate_open_intake_failures_are_merged_before_the_constraint(migrator):
    old = migrator([("orders", "0002_seed_provisioning")])
    Failure = old.get_model("orders", "Failure")
    for occurrences in (2, 5, 1):
        Failure.objects.create(
            kind="invalid_webhook", message="Wrong token.", occurrences=occurrences
        )
    Failure.objects.create(kind="invalid_webhook", message="Not JSON.")

    new = migrator([("orders", "0003_queue_unavailable_and_open_intake_failures")])

    failures = new.get_model("orders", "Failure").objects
    assert [f.occurrences for f in failures.filter(message="Wrong token.")] == [8]
    assert failures.count() == 2
