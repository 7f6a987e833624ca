"""What the template gallery asks for, without a browser: each built-in template's parameters
as form fields (pickers for coupons and fixed values, defaults shown the way they are typed),
the first values (the newest coupon where one is required), the parameters the entries make,
and a label in both languages for every parameter of the built-in templates."""

from datetime import time

from pydantic import BaseModel

from memberops.console.i18n import LOCALES, catalogue
from memberops.console.journey_gallery import (
    CHOICE,
    COUPON,
    TEXT,
    ParamField,
    first_values,
    param_fields,
    params,
)
from memberops.journeys.templates import TEMPLATES
from memberops.members.models import Gender
from memberops.messaging.models import ChannelName


class Example(BaseModel):
    channel: ChannelName = ChannelName.sms
    coupon_template_id: int
    bonus_template_id: int | None = None
    gender: Gender | None = None
    days_before: int = 3
    at: time = time(9)


def test_each_parameter_becomes_a_field_with_its_default() -> None:
    channels = tuple(c.value for c in ChannelName)
    genders = tuple(g.value for g in Gender)
    assert param_fields(Example) == [
        ParamField("channel", CHOICE, False, "sms", channels),
        ParamField("coupon_template_id", COUPON, True, None),
        ParamField("bonus_template_id", COUPON, False, None),
        ParamField("gender", CHOICE, False, None, genders),
        ParamField("days_before", TEXT, False, 3),
        ParamField("at", TEXT, False, "09:00"),
    ]


def test_the_first_values_pick_the_newest_coupon_a_template_requires() -> None:
    fields = param_fields(Example)
    assert first_values(fields, {3: "旧券", 9: "生日券"}) == {
        "channel": "sms",
        "coupon_template_id": 9,
        "bonus_template_id": None,
        "gender": None,
        "days_before": 3,
        "at": "09:00",
    }
    assert first_values(fields, {})["coupon_template_id"] is None


def test_blank_entries_are_left_to_the_template() -> None:
    entered = {"channel": "log", "days_before": " 5 ", "at": "", "gender": None, "points": 0}
    assert params(entered) == {"channel": "log", "days_before": "5", "points": 0}


#: The templates the gallery was written with; a later one's parameters without a label are
#: shown by name (``journey_view.named``) until the catalogue names them.
KNOWN = (
    "welcome_pack",
    "order_care",
    "birthday_care",
    "win_back",
    "churned_sampling",
    "novelty_push",
    "points_expiry",
    "tier_upgrade",
    "member_day",
)


def test_every_template_parameter_has_a_label_in_both_languages() -> None:
    for key in KNOWN:
        template = TEMPLATES[key]
        assert set(template.names) >= set(LOCALES)
        for field in param_fields(template.params):
            for locale in LOCALES:
                words = catalogue(locale)
                assert f"journeys.param.{field.name}" in words, field.name
                for choice in field.choices:
                    assert f"journeys.choice.{field.name}.{choice}" in words, choice
