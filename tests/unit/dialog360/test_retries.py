"""Retries, backoff and the time budget, observed through the delays the client sleeps."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from tests.unit.dialog360.support import (
    API_KEY,
    CLOUD_BASE_URL,
    GATEWAY_RATE_LIMIT_BODY,
    INVALID_API_KEY_BODY,
    META_TEMPLATE_MISSING_BODY,
    META_THROUGHPUT_BODY,
    PARTNER_BASE_URL,
    PARTNER_ID,
    SERVICE_UNAVAILABLE_BODY,
    FakeClock,
)
from wachannel.dialog360 import (
    ApiKeyRejected,
    Dialog360Client,
    PartnerClient,
    ProviderRateLimited,
    ProviderRequestFailed,
    ProviderUnavailable,
    RetryPolicy,
)
from wachannel.errors import ProviderTimeout, RateLimited

HEALTH_URL = f"{CLOUD_BASE_URL}/health_status"
HEALTHY = {"health_status": {"can_send_message": "AVAILABLE", "entities": []}, "id": "1234"}
API_KEYS_URL = f"{PARTNER_BASE_URL}/partners/{PARTNER_ID}/channels/ch01/api_keys"
NEW_KEY = {"id": "ak_01", "api_key": "AbCdEf", "address": CLOUD_BASE_URL, "app_id": "1234"}
THROTTLED = {"meta": {"success": False, "http_code": 429, "developer_message": "Too many requests"}}


def _assert_backoff(sleeps: list[float]) -> None:
    """Default policy: the n-th wait lies between half and all of 0.5 s * 2^(n-1)."""
    for failed_attempts, slept in enumerate(sleeps, start=1):
        capped = 0.5 * 2 ** (failed_attempts - 1)
        assert capped / 2 <= slept <= capped


# Throttling


def test_429_waits_as_long_as_retry_after_says(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).mock(
        side_effect=[
            httpx.Response(429, json=THROTTLED, headers={"Retry-After": "2"}),
            httpx.Response(429, json=THROTTLED, headers={"Retry-After": "3"}),
            httpx.Response(200, json=HEALTHY),
        ]
    )

    assert cloud_client.get_account_health().can_send_message == "AVAILABLE"
    assert clock.sleeps == [2.0, 3.0]


def test_429_retry_after_as_an_http_date(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    in_a_while = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    provider.get(HEALTH_URL).mock(
        side_effect=[
            httpx.Response(429, json=THROTTLED, headers={"Retry-After": in_a_while}),
            httpx.Response(200, json=HEALTHY),
        ]
    )

    cloud_client.get_account_health()

    assert len(clock.sleeps) == 1
    assert 3.0 < clock.sleeps[0] <= 5.0


def test_429_without_retry_after_backs_off_then_gives_up_as_rate_limited(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    route = provider.get(HEALTH_URL).respond(429, json=THROTTLED)

    with pytest.raises(ProviderRateLimited) as raised:
        cloud_client.get_account_health()

    assert route.call_count == 3
    assert len(clock.sleeps) == 2
    _assert_backoff(clock.sleeps)
    error = raised.value
    assert isinstance(error, RateLimited)
    assert (error.code, error.status) == ("rate_limited", 429)
    assert error.headers == {"Retry-After": str(error.retry_after)}
    assert error.retry_after >= 1
    assert error.details == {
        "provider_status": 429,
        "provider_code": None,
        "provider_message": "Too many requests",
        "retry_after_seconds": error.retry_after,
    }


def test_a_retry_after_beyond_the_budget_is_not_waited_for(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    route = provider.get(HEALTH_URL).respond(429, json=THROTTLED, headers={"Retry-After": "30"})

    with pytest.raises(ProviderRateLimited) as raised:
        cloud_client.get_account_health()

    assert route.call_count == 1
    assert clock.sleeps == []
    assert raised.value.retry_after == 30
    assert raised.value.headers == {"Retry-After": "30"}


def test_360dialogs_rate_limit_on_http_400_is_retried(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).mock(
        side_effect=[httpx.Response(400, json=GATEWAY_RATE_LIMIT_BODY), httpx.Response(200, json=HEALTHY)]
    )

    cloud_client.get_account_health()

    assert len(clock.sleeps) == 1


def test_metas_throughput_limit_ends_as_rate_limited(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).respond(400, json=META_THROUGHPUT_BODY)

    with pytest.raises(ProviderRateLimited) as raised:
        cloud_client.get_account_health()

    assert (raised.value.provider_status, raised.value.provider_code) == (400, 130429)
    assert len(clock.sleeps) == 2


def test_metas_pair_rate_limit_is_not_retried_at_once(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    body = {
        "error": {
            "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            "type": "OAuthException",
            "code": 131056,
        }
    }
    provider.get(HEALTH_URL).respond(400, json=body)

    with pytest.raises(ProviderRequestFailed):
        cloud_client.get_account_health()

    assert clock.sleeps == []


# Server errors


def test_503_then_success(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).mock(
        side_effect=[httpx.Response(503, json=SERVICE_UNAVAILABLE_BODY), httpx.Response(200, json=HEALTHY)]
    )

    assert cloud_client.get_account_health().can_send_message == "AVAILABLE"
    _assert_backoff(clock.sleeps)
    assert len(clock.sleeps) == 1


def test_503_honours_retry_after(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).mock(
        side_effect=[
            httpx.Response(503, json=SERVICE_UNAVAILABLE_BODY, headers={"Retry-After": "1"}),
            httpx.Response(200, json=HEALTHY),
        ]
    )

    cloud_client.get_account_health()

    assert clock.sleeps == [1.0]


def test_lasting_5xx_ends_as_a_provider_error(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    route = provider.get(HEALTH_URL).respond(503, json=SERVICE_UNAVAILABLE_BODY)

    with pytest.raises(ProviderRequestFailed) as raised:
        cloud_client.get_account_health()

    assert route.call_count == 3
    assert (
        raised.value.message
        == "360dialog failed to handle the request (HTTP 503): Service temporarily unavailable"
    )
    assert (raised.value.code, raised.value.status) == ("provider_error", 502)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_5xx_that_may_have_acted_are_retried_only_when_idempotent(
    provider: respx.MockRouter, partner_client: PartnerClient, clock: FakeClock, status: int
) -> None:
    route = provider.post(API_KEYS_URL).respond(status, text="upstream trouble")

    with pytest.raises(ProviderRequestFailed):
        partner_client.create_api_key("ch01")

    assert route.call_count == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 504])
def test_5xx_are_retried_for_idempotent_calls(
    provider: respx.MockRouter, cloud_client: Dialog360Client, status: int
) -> None:
    provider.get(HEALTH_URL).mock(side_effect=[httpx.Response(status), httpx.Response(200, json=HEALTHY)])

    assert cloud_client.get_account_health().can_send_message == "AVAILABLE"


# Other client errors


@pytest.mark.parametrize(
    ("status", "body", "raised_type"),
    [
        (400, META_TEMPLATE_MISSING_BODY, ProviderRequestFailed),
        (401, INVALID_API_KEY_BODY, ApiKeyRejected),
        (
            404,
            {"meta": {"success": False, "http_code": 404, "developer_message": "Not found"}},
            ProviderRequestFailed,
        ),
    ],
)
def test_other_4xx_are_never_retried(
    provider: respx.MockRouter,
    cloud_client: Dialog360Client,
    status: int,
    body: dict[str, object],
    raised_type: type[Exception],
) -> None:
    route = provider.get(HEALTH_URL).respond(status, json=body)

    with pytest.raises(raised_type):
        cloud_client.get_account_health()

    assert route.call_count == 1


# No answer


def test_connect_errors_are_retried_even_for_calls_that_are_not_idempotent(
    provider: respx.MockRouter, partner_client: PartnerClient, clock: FakeClock
) -> None:
    provider.post(API_KEYS_URL).mock(side_effect=[httpx.ConnectError, httpx.Response(200, json=NEW_KEY)])

    assert partner_client.create_api_key("ch01").id == "ak_01"
    assert len(clock.sleeps) == 1


def test_lasting_connect_errors_end_as_unavailable(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    route = provider.get(HEALTH_URL).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(ProviderUnavailable) as raised:
        cloud_client.get_account_health()

    assert route.call_count == 3
    _assert_backoff(clock.sleeps)
    error = raised.value
    assert isinstance(error, ProviderTimeout)
    assert (error.code, error.status) == ("provider_timeout", 504)
    assert error.provider_status is None
    assert error.message == "360dialog did not answer in time (ConnectError after 3 attempts, budget 10 s)."


def test_read_timeouts_are_retried_for_idempotent_calls(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    provider.get(HEALTH_URL).mock(side_effect=[httpx.ReadTimeout, httpx.Response(200, json=HEALTHY)])

    assert cloud_client.get_account_health().can_send_message == "AVAILABLE"
    assert len(clock.sleeps) == 1


def test_read_timeouts_are_not_retried_for_calls_that_are_not_idempotent(
    provider: respx.MockRouter, partner_client: PartnerClient, clock: FakeClock
) -> None:
    route = provider.post(API_KEYS_URL).mock(side_effect=httpx.ReadTimeout)

    with pytest.raises(ProviderUnavailable):
        partner_client.create_api_key("ch01")

    assert route.call_count == 1
    assert clock.sleeps == []


def test_slow_failures_stop_when_the_budget_is_spent(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    def time_out_after_five_seconds(request: httpx.Request) -> httpx.Response:
        clock.advance(5.0)
        raise httpx.ReadTimeout("timed out", request=request)

    route = provider.get(HEALTH_URL).mock(side_effect=time_out_after_five_seconds)

    with pytest.raises(ProviderUnavailable):
        cloud_client.get_account_health()

    assert route.call_count == 2
    assert len(clock.sleeps) == 1


def test_each_attempt_waits_no_longer_than_the_budget_left(
    provider: respx.MockRouter, cloud_client: Dialog360Client, clock: FakeClock
) -> None:
    def unavailable_for_seven_seconds_then_fine(request: httpx.Request) -> httpx.Response:
        if not clock.sleeps:
            clock.advance(7.0)
            return httpx.Response(503, json=SERVICE_UNAVAILABLE_BODY)
        return httpx.Response(200, json=HEALTHY)

    route = provider.get(HEALTH_URL).mock(side_effect=unavailable_for_seven_seconds_then_fine)

    cloud_client.get_account_health()

    first, second = (call.request.extensions["timeout"] for call in route.calls)
    assert (first["connect"], first["read"]) == (3.0, 10.0)
    assert second["read"] == pytest.approx(10.0 - 7.0 - clock.sleeps[0])


def test_the_policy_is_configurable(provider: respx.MockRouter, clock: FakeClock) -> None:
    route = provider.get(HEALTH_URL).respond(503)
    policy = RetryPolicy(max_attempts=5, base_delay=0.1, max_delay=0.2, total_budget_seconds=30.0)

    with (
        Dialog360Client(
            API_KEY, "cloud", CLOUD_BASE_URL, retry=policy, sleep=clock.sleep, monotonic=clock.monotonic
        ) as client,
        pytest.raises(ProviderRequestFailed),
    ):
        client.get_account_health()

    assert route.call_count == 5
    assert all(0.05 <= slept <= 0.2 for slept in clock.sleeps)
