"""What the insights API answers with (the rules document is ``rules.LayeringRules``)."""

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from memberops.activity.money import MoneyOut
from memberops.insights.clv.models import ChurnRisk
from memberops.insights.lifecycle.models import Stage
from memberops.insights.rfm.models import RfmType, Segment


class StageRead(BaseModel):
    stage: Stage
    reactivated: bool
    since: datetime
    computed_at: datetime


class RfmRead(BaseModel):
    as_of: datetime
    window_days: int
    recency_days: int
    frequency: int
    monetary: MoneyOut
    r_score: int
    f_score: int
    m_score: int
    rfm_type: RfmType
    segment: Segment
    computed_at: datetime


class PredictionRead(BaseModel):
    as_of: date
    frequency: int = Field(description="x: repeat purchase days")
    recency_days: float = Field(description="t_x: days from first to last purchase day")
    age_days: float = Field(description="T: days from first purchase day to as_of")
    p_alive: float
    expected_30d: float
    expected_90d: float
    expected_365d: float
    spend_per_order: MoneyOut
    clv_12m: MoneyOut
    churn_risk: ChurnRisk
    next_order_on: date | None
    computed_at: datetime


class TagBrief(BaseModel):
    id: str
    code: str
    name: str
    kind: str


class MemberInsights(BaseModel):
    """``GET /members/{id}/insights``: null parts are not computed yet (or the member has no
    purchase in the RFM window / before the model fit)."""

    member_id: str
    stage: StageRead | None
    rfm: RfmRead | None
    prediction: PredictionRead | None
    tags: list[TagBrief]


class RecomputeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = Field(default=None, description="Defaults to now")


class RecomputeRead(BaseModel):
    stages_changed: int
    stages_moved: int
    rfm_members: int
    tags: dict[str, int]
    predictions: int


class StageCount(BaseModel):
    stage: Stage
    members: int
    reactivated: int


class TypeCell(BaseModel):
    """One cell of the 8-type matrix."""

    rfm_type: RfmType
    members: int
    revenue: MoneyOut = Field(description="M of its members: spend in the window")


class SegmentCount(BaseModel):
    segment: Segment
    members: int
    revenue: MoneyOut


class StageFlow(BaseModel):
    from_stage: Stage | None
    to_stage: Stage
    members: int


class ValueBand(BaseModel):
    """Members whose 12-month CLV lies in [low, high) (``high`` null: and above)."""

    low: MoneyOut
    high: MoneyOut | None
    members: int


class InsightsOverview(BaseModel):
    """``GET /insights/overview``: the funnel, the 8-type matrix, the segments, the stage
    flows of the last ``flow_days`` and the CLV distribution; ``computed_at`` of each part is
    null until it has been computed once."""

    stages: list[StageCount]
    stages_computed_at: datetime | None
    rfm_types: list[TypeCell]
    segments: list[SegmentCount]
    rfm_computed_at: datetime | None
    flow_days: int
    flows: list[StageFlow]
    value_bands: list[ValueBand]
    churn_risk: dict[ChurnRisk, int]
    predictions_computed_at: datetime | None
