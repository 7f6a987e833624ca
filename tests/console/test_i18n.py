"""The translation catalogue: both languages say the same things, and every label the pages
build from a domain value (a role, an identity type, a consent channel…) exists."""

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from memberops.community.models import GroupKind
from memberops.conditions.registry import get_field
from memberops.console.condition_tree import CHOICE_KEYS, OPS
from memberops.console.i18n import LOCALES, catalogue, supported, translate
from memberops.console.listing import COLUMNS
from memberops.console.pages.insights.watches import COLUMNS as WATCH_COLUMNS
from memberops.crowds import export
from memberops.crowds.models import CrowdKind
from memberops.identity.models import IdentityType
from memberops.members.models import ConsentChannel, Gender, MemberStatus
from memberops.tenancy.models import Role
from memberops.watches.models import Direction, Figure, Period
from memberops.watches.schemas import Channel
from memberops.wiring import register_handlers

CONSOLE = Path(__file__).resolve().parents[2] / "src" / "memberops" / "console"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_locale_has_the_same_keys_and_placeholders() -> None:
    reference = catalogue(LOCALES[0])
    for locale in LOCALES[1:]:
        other = catalogue(locale)
        assert other.keys() == reference.keys()
        assert {k: _placeholders(v) for k, v in other.items()} == {
            k: _placeholders(v) for k, v in reference.items()
        }


def test_every_literal_key_in_the_pages_exists() -> None:
    used = {
        key
        for source in CONSOLE.rglob("*.py")
        for key in re.findall(r"""\bt\(\s*"([a-z_.]+)\"""", source.read_text())
    }
    assert used, "the scan found no t(...) calls: the pattern is stale"
    assert used <= catalogue("zh-CN").keys()


@pytest.mark.parametrize(
    "key",
    [
        *(f"role.{r.value}" for r in Role),
        *(f"identity.{t.value}" for t in IdentityType),
        *(f"consent.{c.value}" for c in ConsentChannel),
        *(f"gender.{g.value}" for g in Gender),
        *(f"member.status.{s.value}" for s in MemberStatus),
        *(f"col.{name}" for name in COLUMNS),
        *(f"lang.{locale}" for locale in LOCALES),
        *(f"crowds.op.{key}" for key in OPS.values()),
        *(f"crowds.op.set.{key}" for key in ("eq", "ne", "in", "not_in")),
        *(f"crowds.kind.{k.value}" for k in CrowdKind),
        *(f"crowds.kind_hint.{k.value}" for k in CrowdKind),
        *(f"crowds.col.{name}" for name in export.COLUMNS),
        *(f"watches.{part}.{f.value}" for f in Figure for part in ("figure", "unit")),
        *(f"watches.direction.{d.value}" for d in Direction),
        *(f"watches.period.{p.value}" for p in Period),
        *(f"watches.channel.{c}" for c in get_args(Channel)),
        *(f"watches.col.{name}" for name in WATCH_COLUMNS),
        *(f"community.kind.{k.value}" for k in GroupKind),
        *(f"community.by.{actor}" for actor in ("operator", "journey", "review")),
    ],
)
def test_labels_built_from_domain_values_exist(key: str) -> None:
    for locale in LOCALES:
        assert catalogue(locale)[key]


def test_the_crowd_builder_names_every_fixed_value_it_translates() -> None:
    register_handlers()
    for name, prefix in CHOICE_KEYS.items():
        field = get_field(name)
        assert field is not None, name
        assert field.choices, name
        for locale in LOCALES:
            assert all(catalogue(locale)[f"{prefix}.{value}"] for value in field.choices)


def test_translate_fills_placeholders_and_falls_back_to_chinese() -> None:
    assert translate("en", "members.total", count=3) == "Total members: 3"
    assert translate("zh-CN", "members.total", count=3) == "共 3 位会员"
    assert translate("fr", "members.total", count=3) == "共 3 位会员"
    assert supported(None) == "zh-CN"
    assert supported("en") == "en"
