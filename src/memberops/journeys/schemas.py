"""Request and response shapes of the journeys room (the definition's are in ``definition``)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.activity.money import MoneyOut
from memberops.campaigns.effect_schemas import UpliftRead
from memberops.journeys.definition import Steps, Trigger
from memberops.journeys.models import EntryRule, JourneyStatus
from memberops.kernel.schemas import Input


class _Rules(Input):
    """How members enter: the rule, its period (``once_per_period`` only) and the holdout."""

    model_config = ConfigDict(extra="forbid")

    entry_rule: EntryRule | None = None
    period_days: int | None = Field(default=None, ge=1, le=3650)
    holdout_percent: int | None = Field(default=None, ge=0, le=50)


class JourneyCreate(_Rules):
    """``POST /journeys``: a draft journey (entry rule ``once_ever`` and holdout 10 % unless
    given)."""

    name: str = Field(min_length=1, max_length=100)
    trigger: Trigger
    steps: Steps


class JourneyPatch(_Rules):
    """``PATCH /journeys/{id}``: fields left out stay. A new trigger or steps on a journey that
    members entered make a new version, which only new entrants take."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    trigger: Trigger | None = None
    steps: Steps | None = None

    @model_validator(mode="after")
    def _kept(self) -> "JourneyPatch":
        """A null for a field that always holds a value is refused here, not by the database."""
        cleared = sorted(n for n in self.model_fields_set & _REQUIRED if getattr(self, n) is None)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null: leave it out to keep it")
        return self


_REQUIRED = frozenset({"name", "trigger", "steps", "entry_rule", "holdout_percent"})


class JourneyRead(BaseModel):
    """A journey with its current version's trigger and steps."""

    id: str
    name: str
    status: JourneyStatus
    entry_rule: EntryRule
    period_days: int | None
    holdout_percent: int
    version: int
    trigger: dict[str, Any]
    steps: list[dict[str, Any]]
    created_by: str
    created_at: datetime
    updated_at: datetime


class JourneyPage(BaseModel):
    items: list[JourneyRead]
    next_cursor: str | None


class StepCount(BaseModel):
    """Members of one version now at one step (waiting in it or due to run it)."""

    version: int
    step: int
    type: str
    members: int


class EffectGroup(BaseModel):
    """The journey's treated entries, or its holdout's, over the attribution window."""

    entries: int
    converted: int = Field(description="Entries whose member paid an order kept in the window")
    conversion_rate: float
    revenue: MoneyOut = Field(description="Paid minus refunded, orders in the windows")


class JourneyEffect(BaseModel):
    """Treated entries against the holdout (``journeys/effect.py``); ``uplift`` is None until
    both groups have entries."""

    attribution_days: int
    treated: EffectGroup
    holdout: EffectGroup
    uplift: UpliftRead | None


class JourneyReport(BaseModel):
    """Entries of the journey by where they are: ``entered`` counts every entry, holdout
    included; ``at_steps`` the ones still moving, by version and step."""

    entered: int
    holdout: int
    done: int
    exited: int
    at_steps: list[StepCount]
    effect: JourneyEffect | None = Field(
        default=None, description="Conversions and revenue against the holdout (the API's report)"
    )


class TemplateRead(BaseModel):
    """A built-in journey template: ``parameters`` is the JSON Schema of what it takes."""

    key: str
    name: dict[str, str]
    description: dict[str, str]
    parameters: dict[str, Any]


class TemplateList(BaseModel):
    items: list[TemplateRead]


class TemplateStart(Input):
    """``POST /journey-templates/{key}:start``: the template's ``params``; the journeys are
    named ``name`` (the template's zh-CN name by default) and are drafts unless ``activate``."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] = Field(default_factory=dict)
    name: str | None = Field(default=None, min_length=1, max_length=90)
    activate: bool = False
    holdout_percent: int | None = Field(default=None, ge=0, le=50)


class TemplateStarted(BaseModel):
    """The journeys a template made (one, or several for a chain such as order care)."""

    key: str
    journeys: list[JourneyRead]
