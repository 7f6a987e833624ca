"""Tracked links: ``link(url)`` in a template becomes ``<public base URL>/r/<token>``, and a
member following it is recorded (time, user agent) and sent on to the URL.

``unsubscribe_link()`` becomes ``<public base URL>/u/<token>``: a tracked link whose URL is its
own confirmation page (``unsubscribe.py``), so it is stored, moved on a merge and listed among
the message's links like any other, with no table of its own.

Tokens are 128 random bits, unique across tenants, so ``/r/{token}`` needs no credential: the
token's row names the tenant, the message and the member. Tokens are drawn while the message is
rendered and stored with it, in the same transaction.
"""

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.errors import NotFound
from memberops.messaging.models import LinkClick, Message, TrackedLink
from memberops.messaging.templates import TemplateInvalid

#: Longest URL a link may lead to, and longest user agent kept.
MAX_URL = 2000
MAX_USER_AGENT = 500


class LinkNotFound(NotFound):
    """No tracked link has this token (mistyped, or cut short by a mail client)."""

    code = "messaging.link_not_found"
    title = "Link not found"


def _checked(url: object) -> str:
    """An http(s) URL of at most :data:`MAX_URL` characters; anything else is refused."""
    parts = urlsplit(url) if isinstance(url, str) and len(url) <= MAX_URL else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise TemplateInvalid(
            f"link() takes an http or https URL of at most {MAX_URL} characters, not {url!r}.",
            errors=[{"loc": ["body", "body"], "msg": "link() needs an http(s) URL"}],
        )
    return parts.geturl()


def unsubscribe_page(base_url: str, token: str) -> str:
    """Where an unsubscribe link leads: its confirmation page."""
    return f"{base_url.rstrip('/')}/u/{token}"


@dataclass
class LinkMaker:
    """The ``link`` and ``unsubscribe_link`` of one message's templates: draws a token per call
    and remembers them. ``unsubscribable``: the message goes to a member on a channel they can
    unsubscribe from (one that asks for consent)."""

    base_url: str
    unsubscribable: bool = False
    made: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, url: str) -> str:
        token = secrets.token_urlsafe(16)
        self.made.append((token, _checked(url)))
        return f"{self.base_url.rstrip('/')}/r/{token}"

    def unsubscribe(self) -> str:
        """A link to the page where the member unsubscribes from this message's channel."""
        if not self.unsubscribable:
            raise _no_unsubscribe()
        token = secrets.token_urlsafe(16)
        page = unsubscribe_page(self.base_url, token)
        self.made.append((token, page))
        return page


def _no_unsubscribe() -> TemplateInvalid:
    return TemplateInvalid(
        "unsubscribe_link() needs a message to a member on a channel that asks for consent "
        "(sms, email, wechat).",
        errors=[{"loc": ["body", "body"], "msg": "unsubscribe_link() needs a member's channel"}],
    )


@dataclass
class PreviewLinks:
    """``link`` and ``unsubscribe_link`` in a preview: the URL itself (checked) and a sample
    unsubscribe page, with no token stored."""

    base_url: str

    def __call__(self, url: str) -> str:
        return _checked(url)

    def unsubscribe(self) -> str:
        return unsubscribe_page(self.base_url, "preview")


def store(session: Session, message: Message, made: list[tuple[str, str]]) -> None:
    """The message's tracked links, as its templates drew them."""
    session.add_all(
        TrackedLink(
            tenant_id=message.tenant_id,
            token=token,
            message_id=message.id,
            member_id=message.member_id,
            url=url,
        )
        for token, url in made
    )


def follow(session: Session, token: str, user_agent: str) -> str:
    """Record a click on the link and give its URL; the token alone identifies the tenant."""
    link = session.scalar(select(TrackedLink).where(TrackedLink.token == token))
    if link is None:
        raise LinkNotFound("No link has this token.", token=token[:64])
    session.add(
        LinkClick(
            tenant_id=link.tenant_id,
            link_id=link.id,
            message_id=link.message_id,
            member_id=link.member_id,
            user_agent=user_agent[:MAX_USER_AGENT],
            at=clock.now(),
        )
    )
    return link.url
