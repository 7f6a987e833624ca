"""The load side of ``bench/ingest.py``: a deterministic stream of realistic orders per client,
and the client process that posts them (or GETs ``/healthz``) and times every request.

Stdlib and httpx only, so a client process is cheap to start. Every request's answer is
checked against what the stream says it must be (201 for a new order, 200 for a replay sent on
purpose); a client that sees anything else reports it and the run fails.
"""

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PREFIXES = ["130", "135", "136", "138", "139", "150", "158", "177", "186", "188", "199"]
CHANNELS = ["pos", "pos", "taobao", "tmall", "mini_program", "jd"]
PAYMENTS = ["alipay", "wechat_pay", "card", "cash"]
CATEGORIES = ["tea", "teaware", "snacks", "gift", "apparel"]
#: (sku, name, category, list price in cents): a small shop's catalogue.
CATALOGUE = [
    (f"SKU{n:03d}", f"商品{n:03d}", CATEGORIES[n % 5], random.Random(n).randrange(990, 59900, 10))
    for n in range(60)
]
CONTENTION = "identity.contention"
RETRIES = 3
EITHER = 0  # the expected status of a re-sent order: 201 or 200
REPLAY_EVERY = 20  # item i with i % 20 == 19 repeats item i - 10 (expected answer: 200)
YEAR = datetime(2026, 1, 1, tzinfo=UTC)
CST = timedelta(hours=8)


@dataclass(frozen=True)
class Posted:
    """One item of a client's stream and the status the server must answer it with."""

    order: dict[str, Any]
    status: int


def money(cents: int) -> str:
    """Integer cents as the API's yuan string (``"199.00"``)."""
    return f"{cents // 100}.{cents % 100:02d}"


def phone(member: int) -> str:
    """Member ``member`` of the pool's mobile number (the same for every client)."""
    return PREFIXES[member % len(PREFIXES)] + f"{member * 7919 % 10**8:08d}"


def _lines(rng: random.Random) -> tuple[list[dict[str, Any]], int, int]:
    """1-4 lines; returns them with the paid and the list amount in cents."""
    lines, paid, listed = [], 0, 0
    for sku, name, category, list_price in rng.sample(CATALOGUE, rng.randint(1, 4)):
        unit = list_price * rng.choice([100, 100, 100, 90, 80]) // 100
        quantity = rng.choice([1, 1, 1, 2, 3])
        paid, listed = paid + unit * quantity, listed + list_price * quantity
        line = {"sku": sku, "name": name, "category": category, "unit_price": money(unit)}
        lines.append(line | {"list_price": money(list_price), "quantity": quantity})
    return lines, paid, listed


def order(rng: random.Random, external_id: str, pool: int) -> dict[str, Any]:
    """A paid order of a member drawn from a pool of ``pool`` phones, as a shop posts it."""
    lines, paid, listed = _lines(rng)
    coupon = rng.choice([0, 0, 0, 500, 1000]) if paid > 5000 else 0
    paid_at = YEAR + timedelta(seconds=rng.randrange(365 * 86400))
    number = phone(rng.randrange(pool))
    body: dict[str, Any] = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": number}]},
        "channel": rng.choice(CHANNELS),
        "store": f"s{rng.randint(1, 5)}",
        "paid_at": (paid_at + CST).replace(tzinfo=None).isoformat() + "+08:00",
        "amount": money(paid - coupon),
        "list_amount": money(listed),
        "is_promotion": coupon > 0 or paid < listed,
        "lines": lines,
        "payment_method": rng.choice(PAYMENTS),
    }
    if body["channel"] != "pos":
        city = rng.choice(["杭州", "上海", "北京", "广州", "成都"])
        body["shipping_address"] = {"name": "张三", "phone": number, "city": city, "detail": "1 号"}
    return body


def stream(seed: int, prefix: str, client: int, count: int, pool: int) -> list[Posted]:
    """Client ``client``'s ``count`` items: new orders with distinct external ids and, every
    ``REPLAY_EVERY``-th item, a replay of the order ten items back. The same arguments always
    give the same stream."""
    rng = random.Random(f"{seed}:{prefix}:{client}")
    items: list[Posted] = []
    for i in range(count):
        if i % REPLAY_EVERY == REPLAY_EVERY - 1:
            items.append(Posted(items[i - 10].order, 200))
        else:
            items.append(Posted(order(rng, f"{prefix}-{client}-{i:06d}", pool), 201))
    return items


@dataclass(frozen=True)
class Job:
    """What one client process does: ``count`` items of ``mode`` (``healthz``, ``single`` or
    ``batch``), for at most ``seconds`` after all clients start together."""

    base: str
    key: str
    mode: str
    client: int
    count: int
    pool: int
    seed: int
    prefix: str
    batch_size: int
    seconds: float


@dataclass
class Outcome:
    """What a client did: items answered, each request's latency (retries are requests too),
    its monotonic start and end (comparable across processes on Linux), what went wrong."""

    client: int
    items: int = 0
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    problems: list[str] = field(default_factory=list)
    retried: int = 0  # items sent again after identity.contention
    dropped: list[str] = field(default_factory=list)  # requests lost with their connection


_start_together: threading.Barrier | Any = None


def init_client(barrier: Any) -> None:
    """Pool initializer: the barrier every client waits at before its first timed request."""
    global _start_together
    _start_together = barrier


def _retry(answer: dict[str, Any] | None, status: int) -> bool:
    """Whether an answer is the documented "retry" refusal (``identity.contention``, 409)."""
    code = (answer or {}).get("code") or ((answer or {}).get("problem") or {}).get("code")
    return status == 409 and code == CONTENTION


def _fits(wanted: int, got: int) -> bool:
    return got == wanted or (wanted == EITHER and got in (200, 201))


def _check(job: Job, chunk: list[Posted], response: httpx.Response) -> tuple[str, list[Posted]]:
    """Why ``response`` is not the answer ``chunk`` must get ("" when it is), and the items
    refused with ``identity.contention``, which a client retries as the API says."""
    if job.mode == "healthz":
        ok = response.status_code == 200
        return ("" if ok else f"/healthz answered {response.status_code}"), []
    if job.mode == "single":
        if response.status_code == 409 and _retry(response.json(), 409):
            return "", chunk
        wanted = chunk[0].status
        ok = _fits(wanted, response.status_code)
        return ("" if ok else f"{response.status_code} (wanted {wanted}): {response.text}"), []
    if response.status_code != 200:
        return f"batch answered {response.status_code}: {response.text[:300]}", []
    answers = response.json()["items"]
    retry = [p for p, a in zip(chunk, answers, strict=True) if _retry(a, a["status"])]
    wrong = [
        f"{p.order['external_id']}: {a['status']} (wanted {p.status}) {a['problem']}"
        for p, a in zip(chunk, answers, strict=True)
        if not _fits(p.status, a["status"]) and not _retry(a, a["status"])
    ]
    return "; ".join(wrong[:3]), retry


def _send(client: httpx.Client, job: Job, chunk: list[Posted]) -> httpx.Response:
    if job.mode == "healthz":
        return client.get("/healthz")
    if job.mode == "single":
        return client.post("/api/v1/orders", json=chunk[0].order)
    return client.post("/api/v1/orders:batch", json={"items": [p.order for p in chunk]})


def run_client(job: Job) -> Outcome:
    """Post the job's stream in requests of one item (or ``batch_size`` in batch mode), timing
    each, until done or out of time."""
    items = stream(job.seed, job.prefix, job.client, job.count, job.pool)
    if job.mode == "healthz":
        items = [Posted({}, 200)] * job.count
    size = job.batch_size if job.mode == "batch" else 1
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    outcome = Outcome(job.client)
    headers = {"Authorization": f"Bearer {job.key}"}
    with httpx.Client(base_url=job.base, headers=headers, timeout=120, trust_env=False) as client:
        client.get("/healthz").raise_for_status()  # connected before the clock starts
        if _start_together is not None:
            _start_together.wait(timeout=120)
        outcome.started = time.monotonic()
        for chunk in chunks:
            if time.monotonic() - outcome.started > job.seconds:
                break
            _post(client, job, chunk, outcome)
            outcome.items += len(chunk)
        outcome.ended = time.monotonic()
    return outcome


def _post(client: httpx.Client, job: Job, chunk: list[Posted], outcome: Outcome) -> None:
    """Send ``chunk``, timing the request and checking the answer; items refused with
    ``identity.contention``, or lost with a dropped connection, are sent again (up to
    ``RETRIES`` times), each a timed request. Orders are idempotent, so a re-sent order may be
    answered 200 (stored before the connection dropped) as well as 201."""
    for _ in range(RETRIES + 1):
        sent = time.monotonic()
        try:
            response = _send(client, job, chunk)
        except httpx.TransportError as exc:
            outcome.dropped.append(f"{type(exc).__name__}: {exc}")
            chunk = [Posted(p.order, EITHER if p.status == 201 else p.status) for p in chunk]
            continue
        outcome.latencies.append(time.monotonic() - sent)
        problem, chunk = _check(job, chunk, response)
        if problem and len(outcome.problems) < 5:
            outcome.problems.append(f"client {job.client}: {problem}")
        if not chunk:
            return
        outcome.retried += len(chunk)
    outcome.problems.append(f"client {job.client}: not stored after {RETRIES} retries")
