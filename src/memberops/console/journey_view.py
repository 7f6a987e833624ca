"""What the journey page shows of a journey, as plain data the tests read without a browser: the
steps as an ordered tree (a branch's steps indented under it), each step's kind and parameters
in words, and where the journey's entries are (``service.report``) per step of the current
version, besides the entries still on earlier versions.

Steps are one flat list whose branches jump forward (``journeys.definition``): the steps between
a branch and the farthest step it jumps to are the ones only some members run, so they are
indented one level under it (nested branches add a level each).
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memberops.console.formatting import number
from memberops.console.i18n import Translate
from memberops.journeys.schemas import JourneyReport, StepCount

#: Names of what steps and triggers point at, by (kind, id): ``("coupon", 12)``, ``("tag", 3)``,
#: ``("crowd", 5)``; an id without a name is shown as ``#12``.
Names = Mapping[tuple[str, int], str]
#: Longest condition shown in a branch's summary.
CONDITION_LENGTH = 120
#: Parts of a duration: a zero one is left unsaid (a stored wait keeps ``"hours": 0``).
_DURATION = frozenset({"days", "hours", "minutes"})
#: Fields that point at a row of another room, and the kind of its name.
_REFS = {"coupon_template_id": "coupon", "tag_id": "tag", "crowd_id": "crowd"}


@dataclass(frozen=True)
class StepNode:
    """One step as the tree shows it: its place (0-based), kind, parameters in words, depth
    (0 at the top), and the members now at it on the journey's current version."""

    index: int
    type: str
    summary: str
    depth: int
    members: int


def named(t: Translate, prefix: str, value: object) -> str:
    """The catalogue's word for a kind of step, trigger or field (``journeys.step.send``), or
    the value itself for one newer than the catalogue: a page never fails on a new kind."""
    try:
        return t(f"{prefix}.{value}")
    except KeyError:
        return str(value)


def depths(steps: Sequence[Mapping[str, Any]]) -> list[int]:
    """Each step's indentation: one level per branch whose jumps pass over it."""
    found = [0] * len(steps)
    for index, step in enumerate(steps):
        if step.get("type") != "branch":
            continue
        targets = [index + 1 if step.get(k) is None else int(step[k]) for k in ("yes", "no")]
        for inner in range(index + 1, min(max(targets), len(steps))):
            found[inner] += 1
    return found


def _target(target: Any, index: int, length: int, t: Translate) -> str:
    """Where a branch goes on: a step by its number (1-based), or the end."""
    to = index + 1 if target is None else int(target)
    return t("journeys.to_end") if to >= length else t("journeys.to_step", step=to + 1)


def _value(name: str, value: Any, names: Names, t: Translate) -> str:
    if name in _REFS:
        return names.get((_REFS[name], int(value)), f"#{value}")
    if name == "channel":
        return named(t, "campaigns.channel", value)
    if name == "to_stage":
        return named(t, "stage", value)
    if name == "condition" or isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= CONDITION_LENGTH else text[: CONDITION_LENGTH - 1] + "…"
    text = str(value)
    if re.fullmatch(r"\d{2}:\d{2}:00", text):  # a stored time of day, to the minute
        return text[:5]
    return text


def describe(
    document: Mapping[str, Any], t: Translate, names: Names, index: int = 0, length: int = 0
) -> str:
    """A step's or trigger's parameters in words: ``Days: 1 · At: 10:00``; a branch names
    where its two ways go (``index`` and ``length`` place it in its list)."""
    parts = []
    for name, value in document.items():
        if name in ("type", "yes", "no") or value is None or value == "":
            continue
        if name in _DURATION and value == 0:
            continue
        parts.append(f"{named(t, 'journeys.field', name)}: {_value(name, value, names, t)}")
    if document.get("type") == "branch":
        for way in ("yes", "no"):
            parts.append(
                f"{t(f'journeys.field.{way}')} → {_target(document.get(way), index, length, t)}"
            )
    return " · ".join(parts)


def at_version(report: JourneyReport, version: int) -> dict[int, int]:
    """Members now at each step of ``version``."""
    return {c.step: c.members for c in report.at_steps if c.version == version}


def earlier(report: JourneyReport, version: int) -> list[StepCount]:
    """Entries still moving on versions other than ``version`` (they finish on the one they
    entered)."""
    return [c for c in report.at_steps if c.version != version]


def step_tree(
    steps: Sequence[Mapping[str, Any]],
    report: JourneyReport,
    version: int,
    t: Translate,
    names: Names,
) -> list[StepNode]:
    """The current version's steps in order, indented under their branches, with the members
    now at each."""
    at = at_version(report, version)
    levels = depths(steps)
    return [
        StepNode(
            index=index,
            type=str(step["type"]),
            summary=describe(step, t, names, index, len(steps)),
            depth=levels[index],
            members=at.get(index, 0),
        )
        for index, step in enumerate(steps)
    ]


def figures(report: JourneyReport) -> dict[str, int]:
    """The journey's entries by where they are: every entry, still moving, done, exited and
    held out (the five add up: entered = moving + done + exited + holdout)."""
    return {
        "entered": report.entered,
        "moving": sum(c.members for c in report.at_steps),
        "done": report.done,
        "exited": report.exited,
        "holdout": report.holdout,
    }


def earlier_lines(report: JourneyReport, version: int, t: Translate) -> list[str]:
    """One line per step of an earlier version that members are still at."""
    return [
        t(
            "journeys.earlier_line",
            version=c.version,
            step=c.step + 1,
            kind=named(t, "journeys.step", c.type),
            members=number(c.members),
        )
        for c in earlier(report, version)
    ]
