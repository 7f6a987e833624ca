"""Join scenes: the QR codes a merchant prints on parcel cards (包裹卡), puts at a store's
till or behind the official account's menu. A scene's code maps to its source, campaign and
store; its link (``/s/{tenant}/{code}``) counts a scan and leads to the join page, which sends
the code back with the join. Callers own the transaction."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.growth.codes import insert_with_code, normal_code
from memberops.growth.errors import SceneNameTaken, SceneNotFound
from memberops.growth.models import SCENE_SOURCES, JoinScene
from memberops.growth.schemas import SceneCreate, SceneRead
from memberops.kernel import clock
from memberops.kernel.errors import InvalidInput
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.models import Store
from memberops.tenancy.service import audit


def scene_link(base_url: str, tenant_id: int, code: str) -> str:
    """What a scene's QR code holds (it names the tenant: codes are unique per tenant)."""
    return f"{base_url.rstrip('/')}/s/{tenant_id}/{code}"


def read_scene(scene: JoinScene, base_url: str) -> SceneRead:
    return SceneRead(
        id=str(scene.id),
        code=scene.code,
        name=scene.name,
        source=scene.source,
        campaign=scene.campaign,
        store=scene.store,
        link=scene_link(base_url, scene.tenant_id, scene.code),
        scans=scene.scans,
        created_by=scene.created_by,
        created_at=scene.created_at,
    )


def _check(session: Session, principal: Principal, body: SceneCreate) -> None:
    problems = []
    if body.source not in SCENE_SOURCES:
        allowed = ", ".join(SCENE_SOURCES)
        problems.append({"loc": ["body", "source"], "msg": f"a scene's source is one of {allowed}"})
    if body.store is not None and not session.scalar(
        tenant_scope(principal, Store).where(Store.code == body.store)
    ):
        problems.append({"loc": ["body", "store"], "msg": f"no store {body.store!r}"})
    if problems:
        raise InvalidInput("The scene names what cannot be a scene.", errors=problems)
    if session.scalar(tenant_scope(principal, JoinScene).where(JoinScene.name == body.name)):
        raise SceneNameTaken(f"A scene is already named {body.name!r}.", name=body.name)


def create_scene(session: Session, principal: Principal, body: SceneCreate) -> JoinScene:
    """A new scene with a fresh code (audited)."""
    _check(session, principal, body)
    scene = insert_with_code(
        session,
        lambda code: JoinScene(
            tenant_id=principal.tenant_id,
            code=code,
            name=body.name,
            source=body.source,
            campaign=body.campaign,
            store=body.store,
            scans=0,
            created_by=principal.actor,
            created_at=clock.now(),
        ),
    )
    after = body.model_dump(mode="json") | {"code": scene.code}
    audit(session, principal, "join_scene.create", ("join_scene", str(scene.id)), None, after)
    return scene


def find_scene(session: Session, principal: Principal, text: str) -> JoinScene:
    code = normal_code(text)
    scene = session.scalar(tenant_scope(principal, JoinScene).where(JoinScene.code == code))
    if scene is None:
        raise SceneNotFound("No join scene has this code.", scene=code[:16])
    return scene


def list_scenes(session: Session, principal: Principal) -> list[JoinScene]:
    return list(session.scalars(tenant_scope(principal, JoinScene).order_by(JoinScene.id)))


def count_scan(session: Session, tenant_id: int, code: str) -> bool:
    """Count a scan of the scene's QR code (by SQL expression); False when no scene matches."""
    counted = session.execute(
        update(JoinScene)
        .where(JoinScene.tenant_id == tenant_id, JoinScene.code == normal_code(code))
        .values(scans=JoinScene.scans + 1)
        .returning(JoinScene.id)
    )
    return counted.first() is not None
