"""Cursors: opaque, round-trip every 64-bit key, and anything the API did not give out is a
422 ``invalid_input`` naming the query parameter — never a 500."""

import base64

import pytest
from fastapi.testclient import TestClient

from memberops.kernel.errors import InvalidInput
from memberops.kernel.pagination import MAX_KEY, decode_cursor, encode_cursor


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("key", [0, 1, 9, 10, 49, 123_456_789, 2**31, MAX_KEY])
def test_round_trip(key: int) -> None:
    cursor = encode_cursor(key)
    assert "=" not in cursor
    assert decode_cursor(cursor) == key


def test_known_encodings() -> None:
    assert encode_cursor(1) == "MQ"
    assert encode_cursor(50) == "NTA"
    assert encode_cursor(MAX_KEY) == "OTIyMzM3MjAzNjg1NDc3NTgwNw"


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_is_the_first_page(cursor: str | None) -> None:
    assert decode_cursor(cursor) is None


FORGED = [
    "!!!!",  # not base64
    "M",  # a truncated base64 quantum
    _b64("abc"),  # not a number
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8
    _b64("-1"),  # negative
    _b64("1_0"),  # int() would read 10
    _b64(" 12"),  # int() would strip the blank
    _b64("+5"),
    _b64("007"),
    _b64(str(MAX_KEY + 1)),  # beyond a 64-bit id: SQLite could not even bind it
    _b64("9" * 5000),  # beyond int()'s digit limit
    "MQ==",  # padded: not the text encode_cursor gives
    "M!Q",  # base64 would skip the stray character
]


@pytest.mark.parametrize("cursor", FORGED)
def test_forged_cursor_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor)
    assert caught.value.code == "invalid_input"
    assert caught.value.status == 422
    assert caught.value.detail == "The cursor is not one this API gave out."
    assert caught.value.fields == {
        "errors": [{"loc": ["query", "cursor"], "msg": "invalid cursor"}]
    }


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/audit"])
@pytest.mark.parametrize("cursor", [_b64(str(2**64)), _b64("-1"), "!!!!"])
def test_forged_cursor_over_http_is_a_problem_document(
    client: TestClient, admin: dict[str, str], path: str, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/errors#invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "The cursor is not one this API gave out.",
        "instance": path,
        "code": "invalid_input",
        "errors": [{"loc": ["query", "cursor"], "msg": "invalid cursor"}],
    }
