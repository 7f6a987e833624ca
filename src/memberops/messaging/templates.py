"""Operator-written message templates: jinja2 in its sandbox, with the personal fields of SPEC §8,
``link(url)`` for tracked links and ``unsubscribe_link()`` for the member's unsubscribe page.

A template may name only :data:`FIELDS` and :data:`FUNCTIONS`; anything else — an unknown
field, a syntax error, something the sandbox refuses — is ``messaging.template_invalid`` (422)
naming what and where, raised before anything is stored. Fields are read by name only
(``{{ name }}``), so the check sees every field a template uses, in every branch, before it is
rendered. A field the caller left empty renders as nothing.

Messaging sits below loyalty and campaigns, so it does not look up tiers, points or coupons
itself: the caller fills :class:`MessageContext`; a member's own name and nickname are filled in
from the member record when the caller leaves them out.
"""

import functools
from collections.abc import Callable
from typing import Any, Protocol

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field

from memberops.kernel.errors import InvalidInput
from memberops.kernel.schemas import Input

#: The personal fields a template may use (SPEC §8).
FIELDS = ("name", "nickname", "tier", "points", "coupon", "recommended_products")
#: The functions a template may call: tracked links (``links.py``).
FUNCTIONS = ("link", "unsubscribe_link")
#: Longest text a template may render to.
MAX_RENDERED = 20_000


class Links(Protocol):
    """What renders a template's links: ``link(url)`` is a call, ``unsubscribe_link()`` is
    :meth:`unsubscribe` (``links.LinkMaker``, or a preview's)."""

    def __call__(self, url: str) -> str: ...

    def unsubscribe(self) -> str: ...


class TemplateInvalid(InvalidInput):
    """The template cannot be used: a syntax error, a field that does not exist, or something
    the sandbox refuses; ``errors`` locates it (the part and, for a syntax error, the line)."""

    code = "messaging.template_invalid"
    title = "Template invalid"


class MessageContext(Input):
    """What a template's fields say for one member; the caller fills what it knows."""

    name: str | None = Field(default=None, max_length=200)
    nickname: str | None = Field(default=None, max_length=200)
    tier: str | None = Field(default=None, max_length=100, description="The tier's name")
    points: int | None = Field(default=None, description="The points balance")
    coupon: str | None = Field(default=None, max_length=200, description="A coupon to mention")
    recommended_products: list[str] = Field(default_factory=list, max_length=20)


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing arithmetic that could take the worker's memory or time:
    powers, and repeating text or lists past the longest message."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not allowed in templates")
        sizes = [len(v) for v in (left, right) if isinstance(v, str | list)]
        counts = [v for v in (left, right) if isinstance(v, int)]
        if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_RENDERED:
            raise SecurityError(f"the result would be over {MAX_RENDERED} characters")
        return super().call_binop(context, operator, left, right)


_ENV = _Sandbox(undefined=StrictUndefined, finalize=_blank_none, autoescape=False)


def _invalid(part: str, message: str, **fields: Any) -> TemplateInvalid:
    error = {"loc": ["body", part], "msg": message}
    return TemplateInvalid(f"The {part} template: {message}", errors=[error], **fields)


def check(part: str, source: str) -> None:
    """Refuse a template that does not parse or names anything but the fields and functions."""
    try:
        parsed = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise _invalid(part, f"line {exc.lineno}: {exc.message}", line=exc.lineno) from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - {*FIELDS, *FUNCTIONS})
    if unknown:
        allowed = ", ".join(FIELDS)
        raise _invalid(part, f"unknown field {unknown[0]!r} (fields: {allowed})", field=unknown[0])


def used_names(source: str) -> set[str]:
    """The fields (and functions) a checked template names."""
    return set(meta.find_undeclared_variables(_ENV.parse(source)))


Renderer = Callable[[dict[str, Any], Links], str]


@functools.lru_cache(maxsize=256)
def renderer(part: str, source: str) -> Renderer:
    """The template checked and compiled once, to render with many members' fields (a bulk
    enqueue renders one template for each member of a campaign); the last few hundred
    templates are kept compiled, since a journey's step sends the same text member after
    member, one enqueue each."""
    check(part, source)
    template = _ENV.from_string(source)

    def render_fields(fields: dict[str, Any], links: Links) -> str:
        try:
            text = template.render(**fields, link=links, unsubscribe_link=links.unsubscribe)
        except (UndefinedError, SecurityError, TypeError, ValueError, ArithmeticError) as exc:
            raise _invalid(part, str(exc)) from exc
        if len(text) > MAX_RENDERED:
            raise _invalid(part, f"renders to more than {MAX_RENDERED} characters")
        return text

    if used_names(source):
        return render_fields
    fixed = render_fields({}, _NoLinks())  # names nothing (an empty subject): the same for all
    return lambda fields, links: fixed


class _NoLinks:
    """The links of a template that names no function: never called."""

    def __call__(self, url: str) -> str:
        raise AssertionError(url)

    def unsubscribe(self) -> str:
        raise AssertionError("unsubscribe_link")


def render(part: str, source: str, context: MessageContext, links: Links) -> str:
    """The template with the context's fields and links filled in."""
    return renderer(part, source)(context.model_dump(), links)
