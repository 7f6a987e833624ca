"""Requests fired at the real app at the same moment, for the concurrency tests.

Each call runs in its own thread with its own client (so its own session and transaction, with
real commits), and all are released together by one barrier: the closest a test gets to many
clients hitting the same rows at once.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient


class Racer(NamedTuple):
    """The real app on a fresh tenant, its admin key's headers, and the tenant's id."""

    app: FastAPI
    headers: dict[str, str]
    tenant_id: int


@dataclass(frozen=True)
class Call:
    """One request of a race; ``headers`` add to (or override) the racer's own."""

    url: str
    json: Any = None
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)


def at_once(racer: Racer, calls: list[Call]) -> list[httpx.Response]:
    """Send every call from its own thread, all released at once; the answers in call order.
    Server errors come back as 500 responses rather than raising, so a test can assert none."""
    barrier = threading.Barrier(len(calls))

    def send(call: Call) -> httpx.Response:
        client = TestClient(racer.app, raise_server_exceptions=False)
        barrier.wait()
        headers = {**racer.headers, **call.headers}
        return client.request(call.method, call.url, json=call.json, headers=headers)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))
