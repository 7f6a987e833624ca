"""The webhook channel against a local receiver: signed JSON, the delivery id in the headers,
and each kind of answer sorted into delivered, retried (with Retry-After) or failed."""

import hashlib
import hmac
import json
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest

from memberops.kernel import clock
from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.webhook import WebhookChannel
from tests.messaging.servers import Answer, http_server
from tests.messaging.support import NOW

ENVELOPE = Envelope("mo-1-42", "welcome-42", 1, "42", "Hi", "你好，李雷", {"k": 1})


def test_a_message_goes_as_signed_json_with_its_delivery_id() -> None:
    with http_server(lambda r: Answer(202, {"id": "wh-1"})) as (url, seen), httpx.Client() as c:
        provider_id = WebhookChannel(c, url + "/hooks", "s3cret").send(ENVELOPE)
    request = seen.requests[0]
    assert (provider_id, request.method, request.path) == ("wh-1", "POST", "/hooks")
    assert request.json() == {
        "id": "mo-1-42",
        "idempotency_key": "welcome-42",
        "recipient": "42",
        "subject": "Hi",
        "body": "你好，李雷",
        "payload": {"k": 1},
    }
    digest = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Memberops-Signature"] == f"sha256={digest}"
    assert request.headers["X-Memberops-Delivery"] == "mo-1-42"
    assert request.headers["Idempotency-Key"] == "mo-1-42"


def test_an_answer_without_an_id_keeps_the_delivery_id() -> None:
    with http_server(lambda r: Answer(204)) as (url, _), httpx.Client() as client:
        assert WebhookChannel(client, url, "s").send(ENVELOPE) == "mo-1-42"


@pytest.mark.parametrize(
    ("answer", "permanent", "retry_after"),
    [
        (Answer(500, {"error": "boom"}), False, None),
        (Answer(429, None, {"Retry-After": "30"}), False, 30.0),
        (
            Answer(503, None, {"Retry-After": format_datetime(NOW + timedelta(minutes=2))}),
            False,
            120.0,
        ),
        (Answer(404, {"error": "no such hook"}), True, None),
    ],
)
def test_refusals_say_whether_to_try_again(
    answer: Answer, permanent: bool, retry_after: float | None
) -> None:
    with clock.frozen(NOW), http_server(lambda r: answer) as (url, _), httpx.Client() as client:
        with pytest.raises(SendFailed) as refused:
            WebhookChannel(client, url, "s").send(ENVELOPE)
    assert (refused.value.permanent, refused.value.retry_after) == (permanent, retry_after)
    assert refused.value.reason.startswith(f"HTTP {answer.status}")


def test_a_receiver_that_is_down_is_retried() -> None:
    with http_server(lambda r: Answer()) as (url, _):
        pass  # the server is gone: connection refused
    with httpx.Client() as client, pytest.raises(SendFailed) as refused:
        WebhookChannel(client, url, "s").send(ENVELOPE)
    assert refused.value.permanent is False
    assert refused.value.reason.startswith("ConnectError")


def test_the_signature_covers_the_exact_bytes() -> None:
    """Receivers verify over the raw body: re-serialised JSON would not match."""
    with http_server(lambda r: Answer()) as (url, seen), httpx.Client() as client:
        WebhookChannel(client, url, "s").send(ENVELOPE)
    body = seen.requests[0].body
    assert json.dumps(json.loads(body)).encode() != body  # ensure_ascii differs


def test_an_unsigned_webhook_is_never_sent() -> None:
    with http_server(lambda r: Answer()) as (url, seen), httpx.Client() as client:
        with pytest.raises(SendFailed) as refused:
            WebhookChannel(client, url, "").send(ENVELOPE)
    assert (refused.value.permanent, seen.requests) == (True, [])
