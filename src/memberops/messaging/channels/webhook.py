"""The generic webhook: the message as JSON, POSTed to ``MEMBEROPS_WEBHOOK_URL`` and signed.

Headers: ``X-Memberops-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with
MEMBEROPS_WEBHOOK_SECRET>``, ``X-Memberops-Delivery`` and ``Idempotency-Key`` (both the delivery
id, the same on every attempt of the message). A 2xx accepts the message (its JSON ``id``, when
given, is kept as the provider's id); 5xx, 408, 425 and 429 are retried, any other status fails
the message.

A message of an outgoing-webhook subscription (``webhooks.py``) carries its own destination and
key: it goes to its recipient (the subscription's URL), signed with the ``webhook_secret`` of
its payload, and its body (the event document) is sent as it is. Other webhook messages (a
campaign's) go to the settings' URL, signed with the settings' secret.
"""

import hashlib
import hmac
import json

import httpx

from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.http import given_id, request

SIGNATURE_HEADER = "X-Memberops-Signature"
DELIVERY_HEADER = "X-Memberops-Delivery"
#: The payload key of an outgoing webhook's own signing key (refused in API-sent messages).
WEBHOOK_SECRET = "webhook_secret"


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: receivers compute it over the raw body and compare."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(envelope: Envelope) -> bytes:
    document = {
        "id": envelope.delivery_id,
        "idempotency_key": envelope.idempotency_key,
        "recipient": envelope.recipient,
        "subject": envelope.subject,
        "body": envelope.body,
        "payload": envelope.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookChannel:
    def __init__(self, client: httpx.Client, url: str, secret: str) -> None:
        self.client, self.url, self.secret = client, url, secret

    def send(self, envelope: Envelope) -> str:
        secret = envelope.payload.get(WEBHOOK_SECRET)
        if isinstance(secret, str):
            return self._post(envelope, envelope.recipient, secret, envelope.body.encode())
        if not self.url or not self.secret:
            raise SendFailed(
                "webhook channel not configured (MEMBEROPS_WEBHOOK_URL, _SECRET)", permanent=True
            )
        return self._post(envelope, self.url, self.secret, webhook_body(envelope))

    def _post(self, envelope: Envelope, url: str, secret: str, body: bytes) -> str:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, body),
            DELIVERY_HEADER: envelope.delivery_id,
            "Idempotency-Key": envelope.delivery_id,
        }
        response = request(self.client, "POST", url, content=body, headers=headers)
        return given_id(response, envelope.delivery_id)
