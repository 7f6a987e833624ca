"""A merge moves the absorbed member's stored value to the survivor (both parts, every entry),
the survivor's export carries it, and an undo moves exactly those entries back."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, phone, upsert
from tests.loyalty.wallet.support import (
    adjust,
    ledger_totals,
    order,
    stored_value,
    top_up,
)


def test_a_merge_moves_stored_value_and_an_undo_moves_it_back(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    kept = order(client, admin, "T1", "100", phone="13800000001")
    absorbed = order(client, admin, "T2", "30", phone="13800000002")
    top_up(client, admin, kept, "100")
    top_up(client, admin, absorbed, "30")
    adjust(client, admin, absorbed, "5", "credit", "bonus")
    merged = upsert(client, admin, phone("+8613800000001"), phone("+8613800000002"))
    survivor = merged["id"]
    other = absorbed if survivor == kept else kept
    shown = stored_value(client, admin, survivor)
    assert (shown["principal"], shown["bonus"], len(shown["entries"])) == ("130.00", "5.00", 3)
    detail = client.get(f"{MEMBERS}/{survivor}", headers=admin).json()["stored_value"]
    assert detail == {"balance": "135.00", "principal": "130.00", "bonus": "5.00"}
    assert ledger_totals(session, tenant.tenant_id, int(other)) == (0, 0, 0, 0)
    exported = client.get(f"{MEMBERS}/{survivor}/export", headers=admin).json()["stored_value"]
    assert (exported["principal_cents"], exported["bonus_cents"]) == (13_000, 500)
    assert sorted(e["amount"] for e in exported["entries"]) == ["100.00", "30.00", "5.00"]
    undone = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    assert stored_value(client, admin, kept)["balance"] == "100.00"
    assert stored_value(client, admin, absorbed)["balance"] == "35.00"
    assert ledger_totals(session, tenant.tenant_id, int(absorbed)) == (3_000, 500, 3_000, 500)
