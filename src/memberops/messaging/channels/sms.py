"""SMS through an HTTP provider, in the request format memberops defines (docs/messaging.md):

``POST {MEMBEROPS_SMS_BASE_URL}/v1/messages`` with ``Authorization: Bearer
{MEMBEROPS_SMS_API_KEY}``, ``Idempotency-Key: <delivery id>`` and the JSON ``{"to": "+86…",
"from": sender, "text": body, "client_ref": <delivery id>}``. Any 2xx accepts it (the ``id``
of its JSON, when given, is kept); ``400 {"error": {"code": "invalid_recipient", …}}`` and
other 4xx fail the message; 429 (with ``Retry-After``) and 5xx are retried.
"""

import httpx

from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.http import given_id, request


class SmsChannel:
    def __init__(self, client: httpx.Client, base_url: str, api_key: str, sender: str) -> None:
        self.client, self.base_url, self.api_key, self.sender = client, base_url, api_key, sender

    def send(self, envelope: Envelope) -> str:
        if not self.base_url:
            raise SendFailed("sms channel not configured (MEMBEROPS_SMS_BASE_URL)", permanent=True)
        document = {
            "to": envelope.recipient,
            "from": self.sender,
            "text": envelope.body,
            "client_ref": envelope.delivery_id,
        }
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Idempotency-Key": envelope.delivery_id,
        }
        url = self.base_url.rstrip("/") + "/v1/messages"
        response = request(self.client, "POST", url, json=document, headers=headers)
        return given_id(response, envelope.delivery_id)
