"""Settings from the environment: names in any case, numbers parsed, and a bad value fails the cold start
naming its variable."""

from __future__ import annotations

import pytest

from wachannel.config import ConfigurationError, SendSettings, WebhookSettings, load_settings

read_settings = load_settings.__wrapped__  # load_settings caches per container; each test reads afresh


@pytest.fixture
def send_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in {
        "TABLE_NAME": "wachannel-table",
        "API_KEY_KMS_KEY_ID": "alias/wachannel",
        "MEDIA_BUCKET_NAME": "wachannel-media",
        "IDEMPOTENCY_TABLE_NAME": "wachannel-idempotency",
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_variables_name_the_fields_in_any_case(send_environment: pytest.MonkeyPatch) -> None:
    send_environment.setenv("dialog360_partner_id", "PA123")

    settings = read_settings(SendSettings)

    assert (settings.table_name, settings.media_bucket_name) == ("wachannel-table", "wachannel-media")
    assert settings.dialog360_partner_id == "PA123"
    assert settings.dialog360_cloud_base_url == "https://waba-v2.360dialog.io"


def test_numbers_are_parsed_and_only_those_set_override_the_retry_policy(
    send_environment: pytest.MonkeyPatch,
) -> None:
    send_environment.setenv("DIALOG360_RETRY_READ_TIMEOUT", "2.5")
    send_environment.setenv("DIALOG360_RETRY_BASE_DELAY", "0")

    assert read_settings(SendSettings).retry_overrides == {"read_timeout": 2.5, "base_delay": 0.0}


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("TABLE_NAME", "", "TABLE_NAME"),
        ("DIALOG360_RETRY_READ_TIMEOUT", "0", "DIALOG360_RETRY_READ_TIMEOUT"),
        ("DIALOG360_RETRY_MAX_DELAY", "soon", "DIALOG360_RETRY_MAX_DELAY"),
    ],
)
def test_a_bad_value_fails_naming_its_variable(
    send_environment: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    send_environment.setenv(variable, value)

    with pytest.raises(ConfigurationError, match=f"SendSettings: {named}:"):
        read_settings(SendSettings)


def test_a_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "wachannel-table")
    monkeypatch.delenv("MEDIA_QUEUE_URL", raising=False)
    monkeypatch.setenv("SEND_QUEUE_URL", "https://sqs.eu-central-1.amazonaws.com/1/send")
    monkeypatch.setenv("TEMPLATE_SYNC_QUEUE_URL", "https://sqs.eu-central-1.amazonaws.com/1/sync")

    with pytest.raises(ConfigurationError, match="MEDIA_QUEUE_URL: Field required"):
        read_settings(WebhookSettings)


def test_settings_cannot_change_once_read(send_environment: pytest.MonkeyPatch) -> None:
    settings = read_settings(SendSettings)

    with pytest.raises(ValueError, match="frozen"):
        settings.table_name = "another"
