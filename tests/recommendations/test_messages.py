"""The ``recommended_products`` template field: filled by messaging through the provider the
wiring registers, with the names of the member's first recommendations, unless the caller gave
the field; on both backends."""

from fastapi.testclient import TestClient

from tests.recommendations.support import open_shop, rebuild

PREVIEW = "/api/v1/messages:preview"
TEMPLATE = "为您推荐：{{ recommended_products | join('、') }}"


def test_a_preview_names_the_members_recommendations(
    client: TestClient, admin: dict[str, str]
) -> None:
    members = open_shop(client, admin)
    rebuild(client, admin)
    body = {
        "member_id": members["m2"],
        "subject": "{{ recommended_products[0] }}",
        "body": TEMPLATE,
    }
    response = client.post(PREVIEW, json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"subject": "商品C", "body": "为您推荐：商品C、商品D、商品E"}


def test_a_queued_message_keeps_the_names_it_was_rendered_with(
    client: TestClient, admin: dict[str, str]
) -> None:
    members = open_shop(client, admin)
    rebuild(client, admin)
    body = {"channel": "log", "member_id": members["m5"], "body": TEMPLATE}
    headers = admin | {"Idempotency-Key": "recommend-m5"}
    response = client.post("/api/v1/messages", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["body"] == "为您推荐：商品A、商品B、商品C、商品D"


def test_the_callers_own_list_is_kept(client: TestClient, admin: dict[str, str]) -> None:
    members = open_shop(client, admin)
    rebuild(client, admin)
    context = {"recommended_products": ["西湖龙井"]}
    body = {"member_id": members["m2"], "body": TEMPLATE, "context": context}
    response = client.post(PREVIEW, json=body, headers=admin)
    assert response.json()["body"] == "为您推荐：西湖龙井"


def test_without_a_member_or_recommendations_the_field_is_empty(
    client: TestClient, admin: dict[str, str]
) -> None:
    members = open_shop(client, admin)  # never rebuilt: no figures, nothing to recommend
    for member_id in (None, members["m2"]):
        body = {"member_id": member_id, "body": TEMPLATE}
        response = client.post(PREVIEW, json=body, headers=admin)
        assert response.json()["body"] == "为您推荐："


def test_a_broken_template_for_a_member_is_refused_not_failed(
    client: TestClient, admin: dict[str, str]
) -> None:
    members = open_shop(client, admin)
    body = {"member_id": members["m2"], "body": "{{ recommended_products"}
    response = client.post(PREVIEW, json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["code"] == "messaging.template_invalid"
