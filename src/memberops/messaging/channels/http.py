"""What the HTTP adapters share: one request, with transport errors, 5xx answers and rate
limits turned into retryable :class:`SendFailed` and any other refusal into a permanent one."""

from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from memberops.kernel import clock
from memberops.messaging.channels import SendFailed

#: Statuses worth another attempt besides 5xx: a timeout and a rate limit.
RETRYABLE = frozenset({408, 425, 429})


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (given as seconds or as an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def request(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """The response of a request that went through (2xx); :class:`SendFailed` otherwise."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:  # refused, reset, timed out: the provider may be back soon
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.is_success:
        return response
    reason = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code >= 500 or response.status_code in RETRYABLE:
        raise SendFailed(reason, retry_after=retry_after(response))
    raise SendFailed(reason, permanent=True)


def json_of(response: httpx.Response) -> dict[str, Any]:
    """A provider's JSON answer; one that is not a JSON object is retried (a proxy's page)."""
    try:
        document = response.json()
    except ValueError as exc:
        raise SendFailed(f"not JSON: {response.text[:200]}") from exc
    if not isinstance(document, dict):
        raise SendFailed(f"not a JSON object: {response.text[:200]}")
    return document


def given_id(response: httpx.Response, default: str) -> str:
    """The ``id`` of an accepting answer's JSON, or ``default``: any 2xx accepted the message,
    so an answer without a readable id must not make it look failed (and be sent again)."""
    try:
        document = response.json() if response.content else None
    except ValueError:
        document = None
    found = document.get("id") if isinstance(document, dict) else None
    return str(found) if found else default
