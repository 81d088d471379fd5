"""The PowerCode client against the UAPI, and the staff page link."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from powercode.client import PowerCodeClient, PowerCodeError, customer_page_url
from tests.powercode.conftest import API_KEY, API_URL, UAPI_URL

TAGS_URL = f"{UAPI_URL}/customer/tags/customer"
ANY_TAGS_URL = re.compile(re.escape(TAGS_URL) + r"(\?.*)?$")


def sent_query(rsps: responses.RequestsMock, index: int = 0) -> dict[str, list[str]]:
    return parse_qs(urlsplit(rsps.calls[index].request.url).query)


def tags_answer(*tag_ids: int) -> dict[str, object]:
    tags = [{"TagID": tag, "TagName": f"T{tag}"} for tag in tag_ids]
    return {"Success": True, "Response": tags}


def test_uapi_sends_basic_header_of_key_alone(client, mocked) -> None:
    mocked.add(responses.GET, ANY_TAGS_URL, json=tags_answer(5))

    client.customer_tags("1001")

    request = mocked.calls[0].request
    assert request.headers["Authorization"] == "Basic czNjcmV0LWtleQ=="
    assert sent_query(mocked) == {"customerID": ["1001"]}
    assert request.req_kwargs["timeout"] == (2.0, 7.0)


def test_uapi_honours_verify_flag(mocked) -> None:
    client = PowerCodeClient(API_URL, UAPI_URL + "/", API_KEY, verify_ssl=False)
    mocked.add(responses.GET, ANY_TAGS_URL, json=tags_answer())

    client.customer_tags("1001")

    assert mocked.calls[0].request.url.startswith(TAGS_URL + "?")
    assert mocked.calls[0].request.req_kwargs["verify"] is False


def test_customer_tags_returns_response_list(client, mocked) -> None:
    mocked.add(responses.GET, ANY_TAGS_URL, json=tags_answer(5, 8))

    tags = client.customer_tags("1001")

    assert tags == [{"TagID": 5, "TagName": "T5"}, {"TagID": 8, "TagName": "T8"}]


def test_add_customer_tags_repeats_tags_in_query(client, mocked) -> None:
    mocked.add(responses.POST, ANY_TAGS_URL, json=tags_answer(5, 7))

    client.add_customer_tags("1001", [5, "7"])

    assert mocked.calls[0].request.method == "POST"
    assert sent_query(mocked) == {"customerID": ["1001"], "tags[]": ["5", "7"]}
    assert mocked.calls[0].request.body is None


def test_remove_customer_tags_sends_delete_with_tags(client, mocked) -> None:
    mocked.add(responses.DELETE, ANY_TAGS_URL, json=tags_answer())

    assert client.remove_customer_tags("1001", [5]) == []

    assert mocked.calls[0].request.method == "DELETE"
    assert sent_query(mocked) == {"customerID": ["1001"], "tags[]": ["5"]}


def test_success_false_is_permanent_error(client, mocked) -> None:
    payload = {"Success": False, "Message": "Customer not found"}
    mocked.add(responses.GET, ANY_TAGS_URL, json=payload)

    with pytest.raises(PowerCodeError) as caught:
        client.customer_tags("999")

    assert caught.value.transient is False
    assert caught.value.status_code == 200
    assert "Customer not found" in caught.value.message


def test_answer_without_success_is_permanent_error(client, mocked) -> None:
    mocked.add(responses.GET, ANY_TAGS_URL, json={"Response": []})

    with pytest.raises(PowerCodeError) as caught:
        client.customer_tags("1001")

    assert caught.value.transient is False


def test_unauthorized_uapi_is_permanent_without_header_in_message(
    client, mocked
) -> None:
    def echo(request):
        return 401, {}, f"bad credentials: {request.headers['Authorization']}"

    mocked.add_callback(responses.GET, ANY_TAGS_URL, callback=echo)

    with pytest.raises(PowerCodeError) as caught:
        client.customer_tags("1001")

    assert caught.value.transient is False
    assert caught.value.status_code == 401
    assert "czNjcmV0LWtleQ==" not in caught.value.message
    assert API_KEY not in caught.value.message


def test_uapi_server_error_is_transient(client, mocked) -> None:
    mocked.add(responses.POST, ANY_TAGS_URL, status=502)

    with pytest.raises(PowerCodeError) as caught:
        client.add_customer_tags("1001", [5])

    assert caught.value.transient is True


def test_find_customers_sends_query_and_tolerates_dict_of_dicts(client, mocked) -> None:
    found = {"1001": {"CustomerID": 1001, "CompanyName": "Robert Smith"}}
    url = re.compile(re.escape(f"{UAPI_URL}/customer/Find") + r"\?.*")
    mocked.add(responses.GET, url, json={"Success": True, "Response": found})

    customers = client.find_customers("801-555-0142")

    assert customers == [{"CustomerID": "1001", "CompanyName": "Robert Smith"}]
    assert sent_query(mocked) == {"query": ["801-555-0142"]}


@pytest.mark.parametrize(
    ("pc_url", "expected_base"),
    [
        ("https://management.example.com", "https://management.example.com:444"),
        ("https://management.example.com/", "https://management.example.com:444"),
        ("https://management.example.com:8443/", "https://management.example.com:8443"),
        ("http://127.0.0.1:8031", "http://127.0.0.1:8031"),
        ("management.example.com", "https://management.example.com:444"),
    ],
)
def test_customer_page_url_adds_port_444_only_when_none_given(
    pc_url, expected_base
) -> None:
    url = customer_page_url(pc_url, "1001")

    page = "/index.php?q&page=/customers/_view.php&customerid=1001"
    assert url == expected_base + page


def test_customer_page_url_is_importable_from_client_and_links() -> None:
    from powercode import client, links

    assert client.customer_page_url is links.customer_page_url
