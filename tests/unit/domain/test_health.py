from __future__ import annotations

from datetime import UTC, datetime

from wachannel.domain.channels import Channel
from wachannel.domain.delivery import DeliveryStats
from wachannel.domain.health import AccountState, HealthFacts, assess

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _channel(**changes: object) -> Channel:
    values: dict[str, object] = {
        "id": "ch_1",
        "workspace_id": "ws_a",
        "name": "Support",
        "phone_number": "+4915112345678",
        "greeting_message": None,
        "api_generation": "cloud",
        "base_url": None,
        "api_key_ciphertext": b"x",
        "api_key_last4": "abcd",
        "webhook_url": "https://api.example.com/webhooks/360dialog/ch_1",
        "status": "active",
        "created_at": NOW,
        "updated_at": NOW,
        "templates_last_synced_at": NOW,
    }
    values.update(changes)
    return Channel.model_validate(values)


def _codes(facts: HealthFacts) -> list[str]:
    return [problem.code for problem in assess(facts).problems]


def test_a_healthy_channel_has_no_problems():
    facts = HealthFacts(
        channel=_channel(),
        api_key_valid=True,
        webhook_registered=True,
        webhook_url_matches=True,
        webhook_secret_matches=True,
        account=AccountState(can_send_message="AVAILABLE"),
        delivery=DeliveryStats(last_webhook_at=NOW),
    )

    assert _codes(facts) == []
    assert assess(facts).webhook_url_matches is True


def test_a_secret_mismatch_means_the_webhook_does_not_match():
    facts = HealthFacts(
        channel=_channel(),
        api_key_valid=True,
        webhook_registered=True,
        webhook_url_matches=True,
        webhook_secret_matches=False,
        delivery=DeliveryStats(last_webhook_at=NOW),
    )

    assert _codes(facts) == ["webhook_secret_mismatch"]
    assert assess(facts).webhook_url_matches is False


def test_a_limited_account_says_why():
    facts = HealthFacts(
        channel=_channel(),
        api_key_valid=True,
        webhook_registered=True,
        webhook_url_matches=True,
        webhook_secret_matches=True,
        account=AccountState(can_send_message="LIMITED", additional_info=["Messaging limit reached"]),
        delivery=DeliveryStats(last_webhook_at=NOW),
    )

    health = assess(facts)

    assert [p.code for p in health.problems] == ["account_limited"]
    assert "Messaging limit reached" in health.problems[0].message


def test_a_disconnected_channel_reports_only_that():
    facts = HealthFacts(
        channel=_channel(status="disconnected", templates_last_synced_at=None), api_key_valid=None
    )

    assert _codes(facts) == ["channel_disconnected"]


def test_no_webhook_registered_and_never_synced():
    facts = HealthFacts(
        channel=_channel(templates_last_synced_at=None), api_key_valid=True, webhook_registered=False
    )

    assert _codes(facts) == ["webhook_not_registered", "templates_never_synced", "no_webhook_received"]
