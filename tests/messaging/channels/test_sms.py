"""The SMS channel against a local provider speaking the format of docs/messaging.md: api key,
client reference, invalid recipients refused for good, rate limits retried."""

import httpx
import pytest

from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.sms import SmsChannel
from tests.messaging.servers import Answer, Request, http_server

ENVELOPE = Envelope("mo-1-7", "k7", 1, "+8613800000001", "", "【茶】您的券已到账", {})
KEY = "sms-key"


def provider(request: Request) -> Answer:
    """The provider: 401 without the key, 400 for a number it cannot reach, 429 for a number
    texted too often, else accepted."""
    if request.headers.get("Authorization") != f"Bearer {KEY}":
        return Answer(401, {"error": {"code": "unauthorized", "message": "bad api key"}})
    to = request.json()["to"]
    if to == "+8600000000000":
        return Answer(400, {"error": {"code": "invalid_recipient", "message": "not a mobile"}})
    if to == "+8613800000002":
        return Answer(429, {"error": {"code": "rate_limited"}}, {"Retry-After": "60"})
    return Answer(201, {"id": f"sms-{request.json()['client_ref']}", "status": "accepted"})


def _send(envelope: Envelope, key: str = KEY) -> tuple[str, list[Request]]:
    with http_server(provider) as (url, seen), httpx.Client() as client:
        return SmsChannel(client, url, key, "TEA").send(envelope), seen.requests


def test_a_text_is_accepted_with_its_client_reference() -> None:
    provider_id, requests = _send(ENVELOPE)
    assert provider_id == "sms-mo-1-7"
    assert (requests[0].path, requests[0].headers["Idempotency-Key"]) == ("/v1/messages", "mo-1-7")
    assert requests[0].json() == {
        "to": "+8613800000001",
        "from": "TEA",
        "text": "【茶】您的券已到账",
        "client_ref": "mo-1-7",
    }


@pytest.mark.parametrize(
    ("to", "key", "permanent", "retry_after", "reason"),
    [
        ("+8600000000000", KEY, True, None, "HTTP 400"),
        ("+8613800000002", KEY, False, 60.0, "HTTP 429"),
        ("+8613800000001", "wrong", True, None, "HTTP 401"),
    ],
)
def test_refusals(
    to: str, key: str, permanent: bool, retry_after: float | None, reason: str
) -> None:
    envelope = Envelope("mo-1-8", "k8", 1, to, "", "text", {})
    with pytest.raises(SendFailed) as refused:
        _send(envelope, key)
    assert (refused.value.permanent, refused.value.retry_after) == (permanent, retry_after)
    assert refused.value.reason.startswith(reason)


def test_an_unconfigured_sms_channel_fails_for_good() -> None:
    with httpx.Client() as client, pytest.raises(SendFailed) as refused:
        SmsChannel(client, "", KEY, "TEA").send(ENVELOPE)
    assert refused.value.permanent is True


@pytest.mark.parametrize("answer", [Answer(202), Answer(200, ["queued"]), Answer(200, {"id": ""})])
def test_any_acceptance_is_a_delivery(answer: Answer) -> None:
    """A 2xx whose body says no id still accepted the text: it must not be sent again."""
    with http_server(lambda r: answer) as (url, _), httpx.Client() as client:
        assert SmsChannel(client, url, KEY, "TEA").send(ENVELOPE) == "mo-1-7"
