"""What the campaign tests share: a crowd of members written straight into the tables, each
kind of member a guard rail treats differently, and a campaign draft over them."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from memberops.campaigns import service
from memberops.campaigns.models import Campaign
from memberops.campaigns.schemas import CampaignCreate
from memberops.crowds.models import Crowd, CrowdKind, CrowdMember
from memberops.identity.models import Identity, IdentityType
from memberops.members.models import Consent, ConsentChannel, Member

#: 18:00 in Shanghai (the tenants' timezone): outside the quiet hours.
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
LINKS = "https://club.example"


def kind_of(n: int) -> str:
    """The n-th member's kind: one in ten has no phone, one in ten never consented to SMS, one
    in ten unsubscribed from it; the rest can be sent an SMS."""
    return {0: "no_address", 1: "no_consent", 2: "unsubscribed"}.get(n % 10, "reachable")


def phone_of(n: int) -> str:
    return f"+8613{n:09d}"


def seed(session: Session, tenant_id: int, count: int, start: int = 0) -> list[int]:
    """``count`` members of the kinds of :func:`kind_of` (numbered from ``start``), in a
    snapshot crowd of their own; their ids, in order."""
    ids = list(
        session.scalars(
            insert(Member).returning(Member.id, sort_by_parameter_order=True),
            [
                {
                    "tenant_id": tenant_id,
                    "custom": {},
                    "name": f"M{n}",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(start, start + count)
            ],
        )
    )
    numbered = list(zip(range(start, start + count), ids, strict=True))
    phones = [
        {
            "tenant_id": tenant_id,
            "member_id": m,
            "type": IdentityType.phone,
            "scope": "",
            "value": phone_of(n),
            "source": "test",
            "created_at": NOW,
        }
        for n, m in numbered
        if kind_of(n) != "no_address"
    ]
    consents = [
        {
            "tenant_id": tenant_id,
            "member_id": m,
            "channel": ConsentChannel.sms,
            "granted": kind_of(n) != "unsubscribed",
            "at": NOW,
            "source": "unsubscribe" if kind_of(n) == "unsubscribed" else "signup",
        }
        for n, m in numbered
        if kind_of(n) != "no_consent"
    ]
    session.execute(insert(Identity), phones)
    session.execute(insert(Consent), consents)
    return ids


def crowd(session: Session, tenant_id: int, member_ids: list[int], name: str = "all") -> int:
    """A snapshot crowd of exactly these members."""
    row = Crowd(
        tenant_id=tenant_id,
        name=name,
        kind=CrowdKind.snapshot,
        condition={},
        size=len(member_ids),
        counted_at=NOW,
        frozen_at=NOW,
        created_by="test",
    )
    session.add(row)
    session.flush()
    session.execute(
        insert(CrowdMember),
        [{"tenant_id": tenant_id, "crowd_id": row.id, "member_id": m} for m in member_ids],
    )
    return row.id


def draft(session: Session, principal: Any, crowd_id: int, **overrides: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": f"campaign of crowd {crowd_id}",
        "crowd_id": crowd_id,
        "channel": "sms",
        "variants": [
            {
                "name": "A",
                "split_percent": 50,
                "body": "Hello {{ name }}, 20% off: {{ link('https://shop.example/a') }}",
            },
            {"name": "B", "split_percent": 50, "body": "Winter sale {{ coupon }}"},
        ],
        **overrides,
    }
    return service.create_campaign(session, principal, CampaignCreate.model_validate(values))
