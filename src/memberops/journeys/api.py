"""HTTP routes of the journeys room: keep journeys, switch them on and off, and count where
their members are. Thin: the work is in ``service``. Reading takes ``campaigns:read``, changing
``campaigns:manage`` (journeys are campaigns that run by themselves)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from memberops.journeys import effect, service, templates
from memberops.journeys.schemas import (
    JourneyCreate,
    JourneyPage,
    JourneyPatch,
    JourneyRead,
    JourneyReport,
    TemplateList,
    TemplateRead,
    TemplateStart,
    TemplateStarted,
)
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.schemas import Text
from memberops.kernel.web import Cursor, Limit, SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["journeys"])

Reader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
Manager = Annotated[Principal, Depends(require(Permission.campaigns_manage))]
Days = Annotated[
    int, Query(ge=1, le=90, description="Days after entering that an order counts (default 7)")
]
JourneyId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A journey id")]
JOURNEY = "/journeys/{journey_id}"
TemplateKey = Annotated[Text, Path(min_length=1, max_length=48, description="A template's key")]


@router.post("/journeys", response_model=JourneyRead, status_code=201)
def create(body: JourneyCreate, session: SessionDep, principal: Manager) -> JourneyRead:
    """A draft journey: trigger, steps, entry rule and holdout. 422 ``journeys.invalid`` for
    a coupon template, tag or crowd not the tenant's, or a condition that does not compile."""
    return service.read(session, service.create_journey(session, principal, body))


@router.get("/journeys", response_model=JourneyPage)
def list_journeys(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> JourneyPage:
    """The tenant's journeys, newest first."""
    rows = service.list_journeys(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = [service.read(session, journey) for journey in page.items]
    return JourneyPage(items=items, next_cursor=page.next_cursor)


@router.get(JOURNEY, response_model=JourneyRead)
def get(journey_id: JourneyId, session: SessionDep, principal: Reader) -> JourneyRead:
    """One journey with its current version's trigger and steps."""
    return service.read(session, service.get_journey(session, principal, journey_id))


@router.patch(JOURNEY, response_model=JourneyRead)
def update(
    journey_id: JourneyId, body: JourneyPatch, session: SessionDep, principal: Manager
) -> JourneyRead:
    """Change the journey; a new trigger or steps once members entered make a new version
    (members mid-way finish on theirs). 409 ``journeys.state`` once archived."""
    journey = service.update_journey(session, principal, journey_id, body)
    return service.read(session, journey)


@router.post(JOURNEY + ":activate", response_model=JourneyRead)
def activate(journey_id: JourneyId, session: SessionDep, principal: Manager) -> JourneyRead:
    """Members start entering (a draft) or go on (a paused journey)."""
    return service.read(session, service.activate(session, principal, journey_id))


@router.post(JOURNEY + ":pause", response_model=JourneyRead)
def pause(journey_id: JourneyId, session: SessionDep, principal: Manager) -> JourneyRead:
    """Nobody enters or advances; positions are kept. 409 ``journeys.state`` unless active."""
    return service.read(session, service.pause(session, principal, journey_id))


@router.post(JOURNEY + ":resume", response_model=JourneyRead)
def resume(journey_id: JourneyId, session: SessionDep, principal: Manager) -> JourneyRead:
    """Advance again. 409 ``journeys.state`` unless paused."""
    return service.read(session, service.resume(session, principal, journey_id))


@router.post(JOURNEY + ":archive", response_model=JourneyRead)
def archive(journey_id: JourneyId, session: SessionDep, principal: Manager) -> JourneyRead:
    """End the journey for good (its report stays). 409 ``journeys.state`` once archived."""
    return service.read(session, service.archive(session, principal, journey_id))


@router.get(JOURNEY + "/report", response_model=JourneyReport)
def report(
    journey_id: JourneyId, session: SessionDep, principal: Reader, attribution_days: Days = 7
) -> JourneyReport:
    """Entries by where they are: entered, holdout, done, exited, and still at each step; and
    what the treated entries bought in ``attribution_days`` after entering against the
    holdout's (conversions, revenue, uplift with its 95 % interval)."""
    counts = service.report(session, principal, journey_id)
    journey = service.get_journey(session, principal, journey_id)
    return counts.model_copy(update={"effect": effect.measure(session, journey, attribution_days)})


@router.get("/journey-templates", response_model=TemplateList)
def list_templates(principal: Reader) -> TemplateList:
    """The built-in templates: key, names, description and the JSON Schema of their
    parameters."""
    return TemplateList(
        items=[
            TemplateRead(
                key=t.key,
                name=t.names,
                description=t.descriptions,
                parameters=t.params.model_json_schema(),
            )
            for t in templates.TEMPLATES.values()
        ]
    )


@router.post("/journey-templates/{key}:start", response_model=TemplateStarted, status_code=201)
def start_template(
    key: TemplateKey, body: TemplateStart, session: SessionDep, principal: Manager
) -> TemplateStarted:
    """Create the template's journeys (drafts, or active with ``activate``). 404
    ``journeys.template_not_found``; 422 ``journeys.invalid`` naming ``body.params.<name>``
    for a missing or bad parameter (a template that gives coupons needs its coupon template);
    409 ``journeys.name_taken`` when its name is taken (give ``name``)."""
    made = templates.start_template(
        session,
        principal,
        key,
        body.params,
        name=body.name,
        activate=body.activate,
        holdout_percent=body.holdout_percent,
    )
    return TemplateStarted(key=key, journeys=[service.read(session, j) for j in made])
