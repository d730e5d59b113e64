"""Channel health: what is wrong with a channel, and what to do about it, from facts gathered
elsewhere. Pure: the service collects the facts, this decides what they mean."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from wachannel.domain.channels import CanSendMessage, Channel
from wachannel.domain.delivery import DeliveryStats
from wachannel.models import Model


class HealthProblem(Model):
    code: str
    message: str


class AccountState(Model):
    can_send_message: CanSendMessage | None = None
    additional_info: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)


class HealthFacts(Model):
    channel: Channel
    api_key_valid: bool | None
    provider_unreachable_reason: str | None = None
    webhook_registered: bool | None = None
    webhook_url_matches: bool | None = None
    webhook_secret_matches: bool | None = None
    registered_webhook_url: str | None = None
    account: AccountState = AccountState()
    delivery: DeliveryStats = DeliveryStats()


class ChannelHealth(Model):
    api_key_valid: bool | None
    webhook_registered: bool | None
    webhook_url_matches: bool | None
    templates_last_synced_at: datetime | None
    templates_sync_error: str | None
    profile_last_synced_at: datetime | None
    profile_sync_error: str | None
    account: AccountState
    delivery: DeliveryStats
    problems: list[HealthProblem]


def assess(facts: HealthFacts) -> ChannelHealth:
    channel = facts.channel
    return ChannelHealth(
        api_key_valid=facts.api_key_valid,
        webhook_registered=facts.webhook_registered,
        webhook_url_matches=(
            None
            if facts.webhook_url_matches is None
            else facts.webhook_url_matches and facts.webhook_secret_matches is not False
        ),
        templates_last_synced_at=channel.templates_last_synced_at,
        templates_sync_error=channel.templates_sync_error,
        profile_last_synced_at=channel.profile_last_synced_at,
        profile_sync_error=channel.profile_sync_error,
        account=facts.account,
        delivery=facts.delivery,
        problems=list(_problems(facts)),
    )


def _problems(facts: HealthFacts) -> list[HealthProblem]:
    channel = facts.channel
    key_route = f"PUT /channels/{channel.id}/api-key"
    if channel.status == "disconnected":
        return [
            HealthProblem(
                code="channel_disconnected",
                message="This channel is disconnected: nothing arrives or leaves through it. "
                "Connect the number again (POST /channels) to use it.",
            )
        ]
    found: list[HealthProblem] = []
    if facts.api_key_valid is False:
        found.append(
            HealthProblem(
                code="api_key_invalid",
                message="360dialog refuses this channel's API key (it was revoked or replaced). Replace it "
                f"with a current key ({key_route}) or refresh it through the Partner API.",
            )
        )
    if facts.provider_unreachable_reason is not None:
        found.append(
            HealthProblem(
                code="provider_unreachable",
                message=f"360dialog did not answer the health check ({facts.provider_unreachable_reason}). "
                "Try again in a minute; if it lasts, check 360dialog's status page.",
            )
        )
    if facts.webhook_registered is False:
        found.append(
            HealthProblem(
                code="webhook_not_registered",
                message="No webhook is registered at 360dialog for this number, so no message reaches this "
                f"workspace. Register it again by sending the current key to {key_route}.",
            )
        )
    elif facts.webhook_url_matches is False:
        found.append(
            HealthProblem(
                code="webhook_points_elsewhere",
                message="360dialog delivers this number's messages to "
                f"{facts.registered_webhook_url}, not to this channel ({channel.webhook_url}). "
                "Another tool may have taken the number over; send the current key to "
                f"{key_route} to point it here again.",
            )
        )
    elif facts.webhook_secret_matches is False:
        found.append(
            HealthProblem(
                code="webhook_secret_mismatch",
                message="The webhook points here but carries a token this channel does not accept, so "
                f"deliveries are refused. Send the current key to {key_route} to register it again.",
            )
        )
    found.extend(_account_problems(facts.account))
    if channel.templates_sync_error is not None:
        found.append(
            _sync_failed(
                "templates",
                "template sync",
                channel.templates_sync_error,
                channel.templates_sync_attempted_at,
                f"POST /channels/{channel.id}/templates/sync",
            )
        )
    elif channel.templates_last_synced_at is None:
        found.append(
            HealthProblem(
                code="templates_never_synced",
                message="Templates have never been synced, so none can be sent. "
                f"Run POST /channels/{channel.id}/templates/sync.",
            )
        )
    if channel.profile_sync_error is not None:
        found.append(
            _sync_failed(
                "profile",
                "business profile sync",
                channel.profile_sync_error,
                channel.profile_sync_attempted_at,
                f"POST /channels/{channel.id}/profile/sync",
            )
        )
    if facts.delivery.last_webhook_at is None:
        found.append(
            HealthProblem(
                code="no_webhook_received",
                message="No delivery from 360dialog has arrived since the channel was connected. If "
                "customers have written, check the webhook above; otherwise send a message to the "
                "number from WhatsApp to confirm that deliveries arrive.",
            )
        )
    return found


def _sync_failed(
    subject: str, what: str, error: str, attempted: datetime | None, route: str
) -> HealthProblem:
    return HealthProblem(
        code=f"{subject}_sync_failed",
        message=f"The last {what}"
        + (f" ({attempted:%Y-%m-%d %H:%M} UTC)" if attempted else "")
        + f" failed: {error} What is shown may be out of date; fix the cause and run {route}.",
    )


def _account_problems(account: AccountState) -> list[HealthProblem]:
    reasons = "; ".join(account.errors or account.additional_info)
    if account.can_send_message == "BLOCKED":
        return [
            HealthProblem(
                code="account_blocked",
                message="WhatsApp blocks this number from sending"
                + (f": {reasons}" if reasons else ".")
                + " Resolve it in the 360dialog hub or with Meta's support.",
            )
        ]
    if account.can_send_message == "LIMITED":
        return [
            HealthProblem(
                code="account_limited",
                message="WhatsApp limits what this number may send"
                + (f": {reasons}" if reasons else ".")
                + " Check the account's quality rating and messaging limit in the 360dialog hub.",
            )
        ]
    return []
