"""A synthetic merchant's history, generated from a seed: who the members are and what they buy
and do, as the API's own request bodies in time order.

Purchases follow the Pareto/NBD story (Schmittlein, Morrison & Colombo 1987) that the insights
room fits: each buyer buys at a Poisson rate drawn from a gamma distribution and silently stops
after an exponential lifetime with a gamma-distributed rate, so most buyers of a year are
dormant by its end, as seed 003 reports. Seasons (双11, 618, gifting) thin the process; personas
from seed 004's behaviour table shape baskets, discounts and events; some members shop first
under a Taobao nick and are linked to their phone later, so loading merges them.

Registered members join the way seed 000's shops recruit them: the parcel card (包裹卡) in an
online shop's parcel, the QR code at a store's till, the official account's menu, or a friend's
invite code (老带新), from a handful of keen referrers; a few of those newcomers are the
referrer's second account and ship to the referrer's address, which the abuse rule refuses.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from memberops.demo.catalogue import (
    CHANNELS,
    GIVEN,
    REGIONS,
    SCENES,
    STORES,
    SURNAMES,
    Product,
    is_festival,
    products,
    season,
)

#: Persona → share of members (seed 004's behaviour types, plus the plain regular buyer).
PERSONAS = {
    "regular": 0.40,
    "discount": 0.18,
    "promotion": 0.08,
    "stock_up": 0.06,
    "novelty": 0.10,
    "gift": 0.08,
    "herd": 0.10,
}
#: Mainland mobile prefixes (China Mobile, Unicom, Telecom) that numbering plans accept.
MOBILE_PREFIXES = (
    "134", "135", "136", "138", "139", "150", "151", "158", "159", "186",
    "188", "133", "153", "189", "130", "131", "132", "155", "156", "185",
)  # fmt: skip
PEAK = 5.0  # the busiest day's multiple of an ordinary day (thinning bound)
SCANNED = 0.7  # of registered members not invited, the share who joined by a scene's QR code
INVITED = 0.12  # of registered members, the share who joined with a friend's invite code
REFERRERS = 0.05  # of registered members, the share who go on to invite friends
SECOND_ACCOUNTS = 0.1  # of invited newcomers, the share who are their referrer's other account
Body = dict[str, Any]


@dataclass(frozen=True)
class Action:
    """One thing that happened, in the API's words: ``kind`` is store, scene (a QR code), member
    (a customer record), join (a registration), order, refund or event. ``target`` names what
    exists only once loaded: a refund's order, a join's scene (``scene:NAME``) or the member
    whose invite code it used (``invite:PHONE``)."""

    at: datetime
    kind: str
    body: Body
    target: str | None = None


@dataclass
class Person:
    """A member as the generator sees them (what the shop never knows: persona, rates)."""

    ref: int
    persona: str
    channel: str
    joined: datetime
    identities: list[Body]
    attributes: Body
    consent: dict[str, bool]
    alias: Body | None = None
    addresses: list[Body] = field(default_factory=list)
    registered: bool = True
    scene: str | None = None  # the name of the scene the member joined by
    referrer: "Person | None" = None  # whose invite code the member joined with


class DemoMerchant:
    """Everything generated for ``members`` members up to ``as_of``, reproducible from ``seed``."""

    def __init__(self, members: int, seed: int, as_of: datetime, years: int = 3) -> None:
        self.rng = np.random.default_rng(seed)
        self.tz = ZoneInfo("Asia/Shanghai")
        self.as_of = as_of
        self.first = as_of - timedelta(days=365 * years)
        self.catalogue = products(self.rng, self.first.date(), as_of.date())
        self.people = [self._person(ref) for ref in range(1, members + 1)]
        self._choose_joins(np.random.default_rng([seed, 1]))

    def actions(self) -> list[Action]:
        """The stores and join scenes, then every member's registration, orders, refunds and
        events, oldest first (a registration before the order of the same moment)."""
        opened = self.first - timedelta(days=1)
        stores = [
            Action(opened, "store", {"code": code, "name": name, "channel": channel})
            for code, (name, channel) in STORES.items()
        ]
        scenes = [
            Action(opened, "scene", {"name": name, "source": source, "campaign": campaign,
                                     "store": store})
            for name, source, campaign, store, _ in SCENES
        ]  # fmt: skip
        found = [a for person in self.people for a in self._history(person)]
        found.sort(key=lambda action: (action.at, action.kind not in ("member", "join")))
        return stores + scenes + found

    def _choose_joins(self, rng: np.random.Generator) -> None:
        """How each registered member joined, from a stream of its own so the histories stay
        what the seed made them. Referrers are members who joined earlier, a few of them far
        keener than the rest (Pareto weights); nick shoppers neither invite nor are invited
        (their orders sit on a second record until linked)."""
        referrers: list[Person] = []
        keenness: list[float] = []
        for person in sorted(self.people, key=lambda p: p.joined):
            if not person.registered:
                continue
            plain = person.alias is None
            if plain and referrers and rng.random() < INVITED:
                weights = np.array(keenness) / sum(keenness)
                person.referrer = referrers[int(rng.choice(len(referrers), p=weights))]
                if rng.random() < SECOND_ACCOUNTS:
                    person.addresses[0] = person.referrer.addresses[0]
            elif rng.random() < SCANNED:
                names = [s[0] for s in SCENES if s[4] == person.channel]
                person.scene = names[int(rng.integers(len(names)))]
            if plain and rng.random() < REFERRERS:
                referrers.append(person)
                keenness.append(1.0 + float(rng.pareto(1.2)))

    # --- who --------------------------------------------------------------------------------
    def _person(self, ref: int) -> Person:
        rng = self.rng
        persona = str(rng.choice(list(PERSONAS), p=list(PERSONAS.values())))
        channel = str(rng.choice([c[0] for c in CHANNELS], p=[c[1] for c in CHANNELS]))
        span = (self.as_of - self.first).total_seconds()
        joined = self.first + timedelta(seconds=float(rng.beta(1.6, 1.0)) * span)
        prefix = MOBILE_PREFIXES[int(rng.integers(len(MOBILE_PREFIXES)))]
        phone = f"+86{prefix}{ref * 104_729 % 10**8:08d}"  # distinct per member
        identities: list[Body] = [{"type": "phone", "value": phone}]
        if channel == "mini_program" or rng.random() < 0.3:
            identities.append({"type": "wechat_unionid", "value": f"oU{seed_hex(rng)}{ref}"})
        if rng.random() < 0.2:
            identities.append({"type": "email", "value": f"m{ref}@example.cn"})
        alias = None
        if channel in ("taobao", "tmall") and rng.random() < 0.08:
            alias = {
                "type": "platform_nick",
                "value": f"tb_{seed_hex(rng)}{ref}",
                "channel": channel,
            }
        province, city = REGIONS[int(rng.integers(len(REGIONS)))]
        gender = "female" if rng.random() < 0.72 else "male"
        born = date(
            int(rng.integers(1965, 2005)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        )
        name = str(rng.choice(list(SURNAMES))) + "".join(
            rng.choice(list(GIVEN), size=rng.integers(1, 3))
        )
        addresses = [
            {"name": name, "phone": phone, "province": p, "city": c, "detail": f"{c}某路{n}号"}
            for n, (p, c) in enumerate(
                [(province, city)]
                + [
                    REGIONS[int(i)]
                    for i in rng.integers(len(REGIONS), size=2 if persona == "gift" else 0)
                ],
                start=int(rng.integers(1, 900)),
            )
        ]
        return Person(
            ref=ref,
            persona=persona,
            channel=channel,
            joined=joined,
            identities=identities,
            attributes={
                "name": name,
                "gender": gender,
                "birthday": born.isoformat(),
                "province": province,
                "city": city,
            },
            consent={
                "sms": bool(rng.random() < 0.7),
                "wechat": "wechat_unionid" in str(identities),
            },
            alias=alias,
            addresses=addresses,
            registered=bool(rng.random() < 0.6),  # the rest are buyers who never joined
        )

    # --- what they do -----------------------------------------------------------------------
    def _history(self, person: Person) -> Iterator[Action]:
        purchases = self._purchase_times(person)
        yield from self._registrations(person, purchases)
        for number, paid_at in enumerate(purchases, start=1):
            order = self._order(person, number, paid_at, self._buyer(person, purchases, paid_at))
            yield Action(paid_at, "order", order)
            refund = self._refund(order, paid_at)
            if refund is not None:
                yield refund
        yield from self._events(person, purchases)

    @staticmethod
    def _link_time(person: Person, purchases: list[datetime]) -> datetime | None:
        """When a nick shopper's order first names both nick and phone (None: never)."""
        return purchases[len(purchases) // 2] if person.alias and len(purchases) > 1 else None

    def _registrations(self, person: Person, purchases: list[datetime]) -> Iterator[Action]:
        """A nick shopper buys under the nick first and joins with a phone later, as a second
        customer record, until an order names both; everyone else joins when first seen."""
        link_at = self._link_time(person, purchases)
        joined = person.joined if link_at is None else person.joined + (link_at - person.joined) / 2
        if not person.registered:
            yield Action(joined, "member", self._registration(person))
            return
        body = {k: v for k, v in self._registration(person).items() if k != "registered"}
        target = None
        if person.scene is not None:
            target = f"scene:{person.scene}"
        elif person.referrer is not None:
            target = f"invite:{person.referrer.identities[0]['value']}"
        yield Action(joined, "join", body, target=target)

    def _buyer(self, person: Person, purchases: list[datetime], paid_at: datetime) -> list[Body]:
        link_at = self._link_time(person, purchases)
        if person.alias is None or link_at is None or paid_at > link_at:
            return person.identities
        return [person.alias] if paid_at < link_at else [person.alias, *person.identities]

    def _purchase_times(self, person: Person) -> list[datetime]:
        """Pareto/NBD purchase days, thinned by season; a fifth of members never buy."""
        rng = self.rng
        if rng.random() < 0.2:
            return []
        rate = float(rng.gamma(0.6, (2.0 / 365) / 0.6)) * (
            0.5 if person.persona == "stock_up" else 1
        )
        lifetime = float(rng.exponential(1 / rng.gamma(0.7, 1 / 200)))
        dies = person.joined + timedelta(days=min(lifetime, 36_500.0))
        end = min(dies, self.as_of)
        times, day = [person.joined], person.joined
        while rate > 0:
            day += timedelta(days=min(float(rng.exponential(1 / (rate * PEAK))), 36_500.0))
            if day >= end:
                break
            if rng.random() < season(day.astimezone(self.tz).date()) / PEAK:
                times.append(day)
        return times

    def _registration(self, person: Person) -> Body:
        identities = person.identities
        return {
            "identities": identities,
            "attributes": person.attributes,
            "consent": person.consent,
            "channel": person.channel,
            "registered": person.registered,
        }

    def _lines(self, person: Person, day: date) -> list[Body]:
        rng = self.rng
        count = 1 + int(rng.poisson(1.5 if person.persona == "stock_up" else 0.5))
        pool: list[Product] = self.catalogue
        if person.persona == "novelty":
            pool = [p for p in self.catalogue if p.is_new_on(day)] or pool
        elif person.persona == "gift" and is_festival(day):
            pool = [p for p in self.catalogue if p.category.startswith("礼盒")]
        discounted = {"discount": 0.9, "promotion": 0.6}.get(person.persona, 0.25)
        lines = []
        for index in rng.choice(len(pool), size=min(count, len(pool)), replace=False):
            product = pool[int(index)]
            off = int(rng.choice([10, 20, 30])) if rng.random() < discounted else 0
            lines.append(
                {
                    "sku": product.sku,
                    "name": product.name,
                    "category": product.category,
                    "unit_price": cents(product.list_price_cents * (100 - off) // 100),
                    "list_price": cents(product.list_price_cents),
                    "quantity": int(rng.integers(2, 5)) if person.persona == "stock_up" else 1,
                    "is_new_product": product.is_new_on(day),
                    "is_gift_wrap": person.persona == "gift" and bool(rng.random() < 0.6),
                }
            )
        return lines

    def _order(self, person: Person, number: int, paid_at: datetime, who: list[Body]) -> Body:
        rng = self.rng
        channel = (
            person.channel if rng.random() < 0.8 else str(rng.choice([c[0] for c in CHANNELS]))
        )
        stores = next(c[2] for c in CHANNELS if c[0] == channel)
        day = paid_at.astimezone(self.tz).date()
        lines = self._lines(person, day)
        amount = sum(to_cents(line["unit_price"]) * line["quantity"] for line in lines)
        listed = sum(to_cents(line["list_price"]) * line["quantity"] for line in lines)
        address = person.addresses[int(rng.integers(len(person.addresses)))]
        return {
            "external_id": f"D{person.ref:06d}-{number:03d}",
            "member": {"identities": who},
            "channel": channel,
            "store": str(rng.choice(stores)),
            "paid_at": paid_at.astimezone(self.tz).isoformat(timespec="seconds"),
            "amount": cents(amount),
            "list_amount": cents(listed),
            "is_promotion": season(day) > 1 and person.persona in ("promotion", "discount"),
            "lines": lines,
            "shipping_address": None if channel == "pos" else address,
            "payment_method": str(rng.choice(["alipay", "wechat_pay", "card"], p=[0.5, 0.4, 0.1])),
        }

    def _refund(self, order: Body, paid_at: datetime) -> Action | None:
        rng = self.rng
        if rng.random() >= 0.04:
            return None
        at = paid_at + timedelta(days=float(rng.uniform(2, 10)))
        if at >= self.as_of:
            return None
        full = rng.random() < 0.6 or len(order["lines"]) == 1
        body: Body = {
            "refund_id": f"{order['external_id']}-R1",
            "refunded_at": at.astimezone(self.tz).isoformat(timespec="seconds"),
        }
        if not full:
            body["amount"] = order["lines"][0]["unit_price"]
        return Action(at, "refund", body, target=order["external_id"])

    def _events(self, person: Person, purchases: list[datetime]) -> Iterator[Action]:
        """Favourites, carts, visits, follows and reviews around the member's life."""
        rng = self.rng
        last = purchases[-1] if purchases else person.joined + timedelta(days=60)
        end = min(self.as_of, last + timedelta(days=float(rng.exponential(45))))
        span = max((end - person.joined).total_seconds(), 1.0)
        means = {
            "favorite_item": 1.2,
            "cart_add": 5.0 if person.persona == "herd" else 1.5,
            "page_view": 3.0,
            "favorite_store": 0.3,
            "store_visit": 3.0 if person.channel == "pos" else 0.2,
        }
        if rng.random() < 0.4:
            means["follow_official_account"] = 1.0
        for kind, mean in means.items():
            for n in range(int(rng.poisson(mean))):
                at = person.joined + timedelta(seconds=float(rng.uniform(0, span)))
                yield self._event(person, kind, at, n, {"sku": self._any_sku()})
        for n, paid_at in enumerate(purchases):
            if rng.random() < 0.15:
                at = paid_at + timedelta(days=float(rng.uniform(3, 14)))
                if at < self.as_of:
                    yield self._event(person, "review", at, n, {"stars": int(rng.integers(3, 6))})

    def _event(self, person: Person, kind: str, at: datetime, n: int, props: Body) -> Action:
        who = [person.alias] if person.alias else person.identities[:1]
        return Action(
            at,
            "event",
            {
                "external_id": f"E{person.ref:06d}-{kind}-{n}",
                "member": {"identities": who},
                "type": kind,
                "occurred_at": at.astimezone(self.tz).isoformat(timespec="seconds"),
                "channel": person.channel,
                "properties": props,
            },
        )

    def _any_sku(self) -> str:
        return self.catalogue[int(self.rng.integers(len(self.catalogue)))].sku


def seed_hex(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(0, 16**6)):06x}"


def cents(value: int) -> str:
    """Integer cents as the API's yuan string."""
    return f"{value // 100}.{value % 100:02d}"


def to_cents(value: str) -> int:
    yuan, _, fen = value.partition(".")
    return int(yuan) * 100 + int(fen or 0)
