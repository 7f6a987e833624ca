"""The member's side of ``unsubscribe_link()``: ``/u/{token}`` names a message (the token is an
unsubscribe link of it, see ``links.py``), and unsubscribing records a no for that member on
that message's channel, exactly as ``POST /members/{id}/unsubscribe`` does
(``members.service.unsubscribe``).

Fetching the page changes nothing: mail scanners and link previews fetch every link in a
message, so only the page's button (a POST) unsubscribes. Unsubscribing twice is the same as
once. No credential is asked: the 128-bit token names the tenant, the message and the member.
"""

from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.members import service as members
from memberops.members.models import ConsentChannel
from memberops.messaging.links import LinkNotFound
from memberops.messaging.models import Message, TrackedLink
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role

#: Who the audit log says changed the consent.
ACTOR = "member:unsubscribe-link"


@dataclass(frozen=True)
class Target:
    """Who unsubscribes from what: the member and the channel of the link's message."""

    tenant_id: int
    member_id: int
    channel: ConsentChannel


def target(session: Session, token: str) -> Target:
    """The member and channel ``token`` unsubscribes; ``messaging.link_not_found`` for a token
    that is no unsubscribe link (unknown, or a tracked link to somewhere else)."""
    found = session.execute(
        select(TrackedLink.tenant_id, TrackedLink.member_id, TrackedLink.url, Message.channel)
        .join(Message, Message.id == TrackedLink.message_id)
        .where(TrackedLink.token == token)
    ).first()
    if found is None or found.member_id is None or not found.url.endswith(f"/u/{token}"):
        raise LinkNotFound("No unsubscribe link has this token.", token=token[:64])
    return Target(found.tenant_id, found.member_id, ConsentChannel(found.channel))


def unsubscribe(session: Session, token: str) -> Target:
    """Record the unsubscribe of the token's member from its message's channel."""
    found = target(session, token)
    principal = Principal(tenant_id=found.tenant_id, role=Role.admin, actor=ACTOR)
    members.unsubscribe(session, principal, found.member_id, found.channel)
    return found


_NAMES = {
    ConsentChannel.sms: ("短信", "text messages"),
    ConsentChannel.email: ("邮件", "emails"),
    ConsentChannel.wechat: ("微信消息", "WeChat messages"),
    ConsentChannel.wecom: ("企业微信消息", "WeCom messages"),
}

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>退订 · Unsubscribe</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}</style>
</head><body>{content}</body></html>"""


def confirm_page(found: Target) -> str:
    """The page a member lands on: what the button does, in Chinese and English."""
    zh, en = _NAMES[found.channel]
    return _PAGE.format(
        content=f"<h1>退订{escape(zh)}</h1><p>确认后，您将不再收到我们的营销{escape(zh)}。</p>"
        f"<p lang='en'>Confirm, and you will get no more marketing {escape(en)} from us.</p>"
        "<form method='post'><button type='submit'>确认退订 · Unsubscribe</button></form>"
    )


def done_page(found: Target) -> str:
    """The page after the button: the unsubscribe is recorded."""
    zh, en = _NAMES[found.channel]
    return _PAGE.format(
        content=f"<h1>已退订</h1><p>您将不再收到我们的营销{escape(zh)}。</p>"
        f"<p lang='en'>You are unsubscribed: no more marketing {escape(en)} from us.</p>"
    )
