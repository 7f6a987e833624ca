"""Templates: the personal fields of SPEC §8 in jinja2's sandbox, clear refusals (unknown
field, syntax, sandbox, runaway arithmetic), and a member's own name filled in."""

import pytest
from sqlalchemy.orm import Session

from memberops.messaging import service
from memberops.messaging.links import PreviewLinks
from memberops.messaging.schemas import PreviewRequest
from memberops.messaging.templates import MessageContext, TemplateInvalid, render
from memberops.tenancy.access import Principal
from tests.conditions.support import make_member

BASE = "https://m.example"
CONTEXT = MessageContext(
    name="李雷",
    tier="金卡",
    points=1200,
    coupon="满100减20",
    recommended_products=["西湖龙井", "普洱"],
)


def _render(source: str, context: MessageContext = CONTEXT) -> str:
    return render("body", source, context, PreviewLinks(BASE))


def test_every_field_renders() -> None:
    source = (
        "{{ name }}（{{ tier }}）：积分 {{ points }}，{{ coupon }}。"
        "{% for p in recommended_products %}{{ loop.index }}.{{ p }} {% endfor %}"
        "{{ link('https://shop.example/tea') }} {{ unsubscribe_link() }}"
    )
    assert _render(source) == (
        "李雷（金卡）：积分 1200，满100减20。1.西湖龙井 2.普洱 https://shop.example/tea "
        "https://m.example/u/preview"
    )


def test_a_field_left_empty_renders_as_nothing() -> None:
    assert _render("[{{ nickname }}]{% if not nickname %}亲{% endif %}") == "[]亲"


@pytest.mark.parametrize(
    ("source", "message", "extra"),
    [
        ("{{ age }}", "unknown field 'age'", {"field": "age"}),
        (
            "{% if coupon %}{{ birthday }}{% endif %}",
            "unknown field 'birthday'",
            {"field": "birthday"},
        ),
        ("hi\n{% if name %}", "line 2: Unexpected end of template", {"line": 2}),
        ("{{ name.__class__ }}", "access to attribute '__class__' of 'str' object is unsafe", {}),
        ("{{ 9 ** 9 ** 9 }}", "powers are not allowed in templates", {}),
        ("{{ name * 100000 }}", "the result would be over 20000 characters", {}),
        ("{{ points / 0 }}", "division by zero", {}),
        ("{{ recommended_products[7] }}", "list object has no element 7", {}),
    ],
)
def test_refusals_say_what_and_where(source: str, message: str, extra: dict[str, object]) -> None:
    with pytest.raises(TemplateInvalid) as refused:
        _render(source)
    error = refused.value
    assert error.detail.startswith(f"The body template: {message}")
    assert error.fields["errors"][0]["loc"] == ["body", "body"]
    assert {k: error.fields[k] for k in extra} == extra
    assert (error.status, error.code) == (422, "messaging.template_invalid")


def test_a_preview_fills_in_the_members_own_name(session: Session, tenant: Principal) -> None:
    with session.begin():
        member = make_member(session, tenant, name="韩梅梅", nickname="梅子")
        request = PreviewRequest(
            member_id=member,
            subject="{{ nickname }}，会员日",
            body="{{ name }}，{{ tier }}会员 {{ link('https://shop.example') }}",
            context=MessageContext(tier="银卡"),
        )
        shown = service.preview(session, tenant, request, link_base=BASE)
    assert (shown.subject, shown.body) == ("梅子，会员日", "韩梅梅，银卡会员 https://shop.example")


def test_the_callers_name_wins_over_the_record(session: Session, tenant: Principal) -> None:
    with session.begin():
        member = make_member(session, tenant, name="韩梅梅")
        request = PreviewRequest(
            member_id=member, body="{{ name }}", context=MessageContext(name="梅梅")
        )
        assert service.preview(session, tenant, request, link_base=BASE).body == "梅梅"
