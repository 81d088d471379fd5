"""The Flask app's failure API: staff only, CSRF for sessions, Basic for scripts."""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client

from orders.models import Failure, FailureKind, OrderState
from tests.factories import OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse"  # StaffUserFactory's


def failure_of(orderref: str = "UIA202511-040101", **fields: object) -> Failure:
    order = OrderFactory(orderref=orderref, state=OrderState.FAILED)
    defaults = {"kind": FailureKind.TICKET_FAILED, "message": "PowerCode said no"}
    return Failure.objects.create(
        order=order, orderref=orderref, **{**defaults, **fields}
    )


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def resolve(client: Client, orderref: str, note: object = "Fixed", **kwargs):
    return client.post(
        f"/api/failures/{orderref}/resolve",
        data=json.dumps({"note": note}),
        content_type="application/json",
        **kwargs,
    )


def test_list_answers_open_failures_with_their_fields(operator_client):
    failure = failure_of(customer_data={"name": "Ana"}, occurrences=2)
    failure_of("UIA202511-040102", resolved=True)

    answer = operator_client.get("/api/failures").json()

    assert answer["count"] == 1
    [item] = answer["failures"]
    assert item["orderref"] == failure.orderref
    assert item["kind"] == "ticket_failed"
    assert item["message"] == "PowerCode said no"
    assert item["customer_data"] == {"name": "Ana"}
    assert item["occurrences"] == 2
    assert item["first_seen"].endswith(("-07:00", "-06:00"))  # TIME_ZONE, Denver
    assert (item["resolved"], item["resolved_by"], item["resolved_at"]) == (
        False,
        None,
        None,
    )


def test_list_includes_resolved_when_asked(operator_client):
    failure_of()
    failure_of("UIA202511-040102", resolved=True)

    answer = operator_client.get("/api/failures?include_resolved=true").json()

    assert answer["count"] == 2
    assert [f["resolved"] for f in answer["failures"]] == [False, True]


def test_stats_count_by_kind(operator_client):
    failure_of(occurrences=3)
    failure_of("UIA202511-040102", kind=FailureKind.TAGGING_FAILED, resolved=True)

    stats = operator_client.get("/api/failures/stats").json()

    assert (stats["total"], stats["unresolved"], stats["recurrences"]) == (2, 1, 2)
    assert stats["by_kind"]["tagging_failed"]["total"] == 1


def test_resolve_acts_on_every_open_failure_of_the_orderref(operator_client, operator):
    ticket = failure_of()
    tags = Failure.objects.create(
        order=ticket.order, orderref=ticket.orderref, kind="tagging_failed", message="x"
    )

    response = resolve(operator_client, ticket.orderref, "Done by hand")

    assert response.json() == {"orderref": ticket.orderref, "resolved": 2}
    for failure in (ticket, tags):
        failure.refresh_from_db()
        assert (failure.resolved, failure.resolved_by, failure.note) == (
            True,
            operator,
            "Done by hand",
        )
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2


def test_resolve_of_an_unknown_orderref_is_404(operator_client):
    response = resolve(operator_client, "UIA202511-049999")

    assert response.status_code == 404
    assert response.json() == {"error": "No failure for UIA202511-049999."}


def test_resolve_refuses_a_body_that_is_not_json(operator_client):
    failure_of()

    response = operator_client.post(
        "/api/failures/UIA202511-040101/resolve",
        data="note=x",
        content_type="text/plain",
    )
    wrong_note = resolve(operator_client, "UIA202511-040101", note=["x"])
    blank_note = resolve(operator_client, "UIA202511-040101", note="  ")

    assert response.status_code == 400
    assert wrong_note.status_code == 400
    assert blank_note.status_code == 400
    assert "note" in blank_note.json()["error"]
    assert not Failure.objects.filter(resolved=True).exists()


def test_delete_removes_the_open_failures_and_says_how_many(operator_client):
    failure_of()
    kept = failure_of("UIA202511-040102", resolved=True)

    first = operator_client.delete("/api/failures/UIA202511-040101/delete")
    resolved_only = operator_client.delete("/api/failures/UIA202511-040102/delete")

    assert first.json() == {"orderref": "UIA202511-040101", "deleted": 1}
    assert resolved_only.json()["deleted"] == 0
    assert list(Failure.objects.all()) == [kept]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 1


def test_delete_with_include_resolved_removes_those_too(operator_client):
    failure_of(resolved=True)

    response = operator_client.delete(
        "/api/failures/UIA202511-040101/delete?include_resolved=true"
    )

    assert response.json()["deleted"] == 1
    assert not Failure.objects.exists()


def test_anonymous_requests_get_401_json_without_a_basic_challenge(client):
    failure_of()

    answers = [
        client.get("/api/failures"),
        client.get("/api/failures/stats"),
        resolve(client, "UIA202511-040101"),
        client.delete("/api/failures/UIA202511-040101/delete"),
    ]

    for response in answers:
        assert response.status_code == 401
        assert "error" in response.json()
        assert "WWW-Authenticate" not in response.headers
    assert not Failure.objects.filter(resolved=True).exists()


def test_staff_without_the_permission_get_403():
    failure_of()
    viewer = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_failure"))
    client = Client()
    client.force_login(viewer)

    assert client.get("/api/failures").status_code == 200
    assert resolve(client, "UIA202511-040101").status_code == 403
    assert client.delete("/api/failures/UIA202511-040101/delete").status_code == 403
    assert Failure.objects.filter(resolved=False).count() == 1


def test_a_user_who_is_not_staff_gets_403():
    client = Client()
    client.force_login(StaffUserFactory(is_staff=False, is_superuser=True))

    assert client.get("/api/failures").status_code == 403


def test_a_session_must_send_the_csrf_token(operator):
    failure_of()
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    refused = resolve(client, "UIA202511-040101")
    client.get("/admin/")  # sets the CSRF cookie, as the admin pages do
    token = client.cookies["csrftoken"].value
    accepted = resolve(client, "UIA202511-040101", headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert refused.json()["error"].startswith("CSRF check failed")
    assert accepted.json()["resolved"] == 1


def test_a_script_with_basic_credentials_needs_no_csrf_token(operator):
    failure_of()
    client = Client(enforce_csrf_checks=True)

    listed = client.get("/api/failures", headers=basic(operator.username))
    resolved = resolve(client, "UIA202511-040101", headers=basic(operator.username))

    assert listed.json()["count"] == 1
    assert resolved.json()["resolved"] == 1
    assert Failure.objects.get().resolved_by == operator
    assert "sessionid" not in client.cookies  # no session was opened


@pytest.mark.parametrize("malformed", [False, True])
def test_wrong_basic_credentials_get_401(operator, malformed):
    wrong = basic(operator.username, "wrong")
    if malformed:
        wrong = {"Authorization": "Basic not-base64!"}

    response = Client().get("/api/failures", headers=wrong)

    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers


def test_basic_credentials_of_a_user_who_is_not_staff_are_refused_as_wrong():
    StaffUserFactory(username="viewer", is_staff=False, is_superuser=True)

    right = Client().get("/api/failures", headers=basic("viewer"))
    wrong = Client().get("/api/failures", headers=basic("viewer", "not it"))

    # Answered alike: the API does not tell whether the password was right.
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json()


def test_other_methods_get_405(operator_client):
    response = operator_client.post("/api/failures")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
