"""The launcher's pure parts: settings, the shared environment, stack.json and the banner."""

import json
from pathlib import Path

import pytest

from infra.local.cfn import TemplateError
from infra.local.facts import ReadyNumber, StackFacts
from infra.local.stack import (
    LocalStackError,
    LocalStackSettings,
    banner,
    local_endpoint_environment,
    merge_environments,
)

FACTS = StackFacts(
    api_url="http://127.0.0.1:3000",
    webhook_base_url="http://127.0.0.1:3000/webhooks/360dialog",
    simulator_url="http://127.0.0.1:3001",
    moto_url="http://127.0.0.1:3002",
    jwt_issuer="http://127.0.0.1:3000/local-issuer",
    jwt_audience="wachannel-local",
    jwt_key_id="kid-1",
    jwt_private_key_path="/state/jwt-private-key.pem",
    partner_id="sim01PA",
    partner_api_key="partner-secret",
    pid=4242,
    tokens={"ws_local_dev": "token-dev", "ws_local_other": "token-other"},
    numbers=(
        ReadyNumber("4915110000001", "cloud-key-secret", "cloud"),
        ReadyNumber("4915110000002", "onprem-key-secret", "on_premise"),
    ),
    queues={"TemplateSyncQueue": "http://127.0.0.1:3002/123456789012/wachannel-local-TemplateSyncQueue"},
    schedules={"TemplateSyncTimer": "rate(6 hours)"},
)


def test_settings_default_to_the_developer_ports_and_state_dir() -> None:
    settings = LocalStackSettings.from_environment({})

    assert (settings.gateway_port, settings.simulator_port, settings.moto_port) == (3000, 3001, 3002)
    assert settings.state_dir == Path(".local")
    assert settings.gateway_url == "http://127.0.0.1:3000"
    assert settings.schedule_rate_seconds is None


def test_settings_follow_the_environment_so_two_stacks_can_run_side_by_side() -> None:
    settings = LocalStackSettings.from_environment(
        {
            "WACHANNEL_GATEWAY_PORT": "4000",
            "WACHANNEL_SIMULATOR_PORT": "4001",
            "WACHANNEL_MOTO_PORT": "4002",
            "WACHANNEL_STATE_DIR": "/tmp/other",
            "WACHANNEL_SCHEDULE_RATE_SECONDS": "30",
        }
    )

    assert settings.simulator_url == "http://127.0.0.1:4001"
    assert settings.stack_facts_path == Path("/tmp/other/stack.json")
    assert settings.moto_port == 4002
    assert settings.schedule_rate_seconds == 30


@pytest.mark.parametrize("value", ["0", "-5", "often"])
def test_a_schedule_rate_that_is_not_a_positive_number_of_seconds_is_refused(value: str) -> None:
    with pytest.raises(LocalStackError, match="WACHANNEL_SCHEDULE_RATE_SECONDS must be a number of seconds"):
        LocalStackSettings.from_environment({"WACHANNEL_SCHEDULE_RATE_SECONDS": value})


def test_functions_point_at_the_local_endpoints() -> None:
    environment = local_endpoint_environment("http://127.0.0.1:3002", "http://127.0.0.1:3001")

    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:3002"
    assert environment["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert environment["DIALOG360_CLOUD_BASE_URL"] == environment["DIALOG360_ON_PREMISE_BASE_URL"]
    assert environment["DIALOG360_PARTNER_BASE_URL"] == "http://127.0.0.1:3001/api/v2"
    assert environment["DIALOG360_ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_environments_merge_when_they_agree() -> None:
    merged = merge_environments({"A": {"TABLE": "t", "ONLY_A": "1"}, "B": {"TABLE": "t", "ONLY_B": "2"}})

    assert merged == {"TABLE": "t", "ONLY_A": "1", "ONLY_B": "2"}


def test_two_functions_wanting_different_values_fail_loudly() -> None:
    with pytest.raises(
        TemplateError, match=r"ChannelsFunction and DocsFunction want different values for LOG"
    ):
        merge_environments({"ChannelsFunction": {"LOG": "INFO"}, "DocsFunction": {"LOG": "DEBUG"}})


def test_stack_facts_are_written_atomically_with_the_documented_keys(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"

    FACTS.write_atomically(path)

    document = json.loads(path.read_text())
    assert {
        "api_url",
        "webhook_base_url",
        "simulator_url",
        "tokens",
        "numbers",
        "jwt_issuer",
        "jwt_audience",
    } <= set(document)
    assert document["tokens"] == [
        {"workspace_id": "ws_local_dev", "token": "token-dev"},
        {"workspace_id": "ws_local_other", "token": "token-other"},
    ]
    assert document["queues"] == dict(FACTS.queues)
    assert document["numbers"][1] == {
        "phone_number": "4915110000002",
        "api_key": "onprem-key-secret",
        "api_generation": "on_premise",
    }
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["stack.json"]
    assert StackFacts.read(path) == FACTS


def test_the_banner_shows_secrets_on_a_terminal() -> None:
    text = banner(FACTS, Path(".local/stack.json"), show_secrets=True)

    for expected in (
        "http://127.0.0.1:3000/webhooks/360dialog",
        "cloud-key-secret",
        "token-dev",
        "on_premise",
        "curl -X POST http://127.0.0.1:3000/_local/schedules/{logical_id}/run",
    ):
        assert expected in text
    assert "    TemplateSyncTimer      rate(6 hours)" in text.splitlines()


def test_the_banner_keeps_secrets_out_of_log_files() -> None:
    text = banner(FACTS, Path(".local/stack.json"), show_secrets=False)

    for secret in ("cloud-key-secret", "onprem-key-secret", "token-dev", "token-other", "partner-secret"):
        assert secret not in text
    assert "4915110000001" in text
    assert "<in .local/stack.json>" in text
