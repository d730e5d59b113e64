import json

import httpx
import pytest
import respx

from tests.unit.dialog360.support import CLOUD_BASE_URL, ON_PREMISE_BASE_URL
from wachannel.dialog360 import Dialog360Client, ProviderRequestFailed


def _template(index: int, status: str = "APPROVED") -> dict[str, object]:
    return {
        "name": f"template_{index}",
        "language": "en",
        "category": "UTILITY",
        "status": status,
        "rejected_reason": "NONE",
        "namespace": "a1b2c3d4_e5f6_7890_abcd_ef1234567890",
        "components": [{"type": "BODY", "text": f"Template {index}"}],
    }


def _page(templates: list[object], offset: int, limit: int, total: int | None) -> httpx.Response:
    body: dict[str, object] = {
        "count": len(templates),
        "limit": limit,
        "offset": offset,
        "sort": ["id"],
        "filters": {},
        "waba_templates": templates,
    }
    if total is not None:
        body["total"] = total
    return httpx.Response(200, json=body)


def test_listing_pages_with_limit_and_offset_until_the_total(
    provider: respx.MockRouter, cloud_client: Dialog360Client
):
    every: list[object] = [_template(index) for index in range(5)]

    def answer(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        # 360dialog may cap a page below the limit asked for: the total, not the page size, decides.
        served = min(limit, 2)
        return _page(every[offset : offset + served], offset, limit, len(every))

    route = provider.get(f"{CLOUD_BASE_URL}/v1/configs/templates").mock(side_effect=answer)

    listing = cloud_client.list_templates(page_size=10)

    assert [t.name for t in listing.templates] == [f"template_{i}" for i in range(5)]
    assert listing.requests == route.call_count == 3
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "2", "4"]
    assert route.calls[0].request.url.params["sort"] == "id"


def test_without_a_total_a_short_page_ends_the_listing(
    provider: respx.MockRouter, on_premise_client: Dialog360Client
):
    every: list[object] = [_template(index, status="approved") for index in range(3)]
    route = provider.get(f"{ON_PREMISE_BASE_URL}/v1/configs/templates").mock(
        side_effect=lambda request: _page(
            every[int(request.url.params["offset"]) :][:2], int(request.url.params["offset"]), 2, None
        )
    )

    listing = on_premise_client.list_templates(page_size=2)

    assert [t.status for t in listing.templates] == ["approved"] * 3
    assert route.call_count == 2


def test_entries_without_a_name_or_language_are_counted_not_fatal(
    provider: respx.MockRouter, cloud_client: Dialog360Client
):
    provider.get(f"{CLOUD_BASE_URL}/v1/configs/templates").mock(
        return_value=_page([_template(1), {"name": "orphan"}, "not an object"], 0, 1000, 3)
    )

    listing = cloud_client.list_templates()

    assert [t.name for t in listing.templates] == ["template_1"]
    assert listing.unreadable == 2


def test_submitting_posts_the_template_once(provider: respx.MockRouter, cloud_client: Dialog360Client):
    route = provider.post(f"{CLOUD_BASE_URL}/v1/configs/templates").mock(
        return_value=httpx.Response(
            200, json={"id": "594425479261596", "status": "PENDING", "category": "UTILITY"}
        )
    )

    submitted = cloud_client.submit_template(_template(1))

    assert (submitted.id, submitted.status) == ("594425479261596", "PENDING")
    assert json.loads(route.calls[0].request.content)["name"] == "template_1"


def test_a_submission_refused_by_meta_is_a_provider_error_with_its_code(
    provider: respx.MockRouter, cloud_client: Dialog360Client
):
    provider.post(f"{CLOUD_BASE_URL}/v1/configs/templates").mock(
        return_value=httpx.Response(
            400,
            json={
                "error": {
                    "message": "Invalid parameter",
                    "type": "OAuthException",
                    "code": 100,
                    "error_subcode": 2388024,
                    "error_user_title": "Content in this language already exists",
                    "fbtrace_id": "AbCdEf123",
                }
            },
        )
    )

    with pytest.raises(ProviderRequestFailed) as refused:
        cloud_client.submit_template(_template(1))

    assert (refused.value.provider_code, refused.value.provider_subcode) == (100, 2388024)
    assert refused.value.details["provider_subcode"] == 2388024
    assert len(provider.calls) == 1


def test_deleting_names_the_template_in_the_path_and_tells_a_missing_one(
    provider: respx.MockRouter, cloud_client: Dialog360Client
):
    provider.delete(f"{CLOUD_BASE_URL}/v1/configs/templates/order_update").mock(
        return_value=httpx.Response(200, json={"meta": {"success": True}})
    )
    provider.delete(f"{CLOUD_BASE_URL}/v1/configs/templates/gone").mock(
        return_value=httpx.Response(404, json={"error": {"message": "not found", "code": 100}})
    )

    assert cloud_client.delete_template("order_update") is True
    assert cloud_client.delete_template("gone") is False
