"""Channel use cases: connect a number, change it, view or change its key, check its health,
disconnect it. Each step that talks to 360dialog runs before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wachannel.clock import Clock
from wachannel.dialog360 import ApiKeyRejected, Dialog360Error
from wachannel.domain.audit import AuditAction, AuditEntry
from wachannel.domain.channels import (
    WEBHOOK_TOKEN_HEADER,
    ApiGeneration,
    Channel,
    last4,
    new_webhook_secret,
    secret_matches,
    validate_base_url,
    webhook_secret_digest,
    webhook_url,
)
from wachannel.domain.health import AccountState, ChannelHealth, HealthFacts, assess
from wachannel.domain.ids import new_id
from wachannel.domain.phone import to_e164, whatsapp_digits
from wachannel.errors import InvalidApiKey, RefreshNotAvailable
from wachannel.http import Caller
from wachannel.observability import logger
from wachannel.services.channel_access import ChannelAccess
from wachannel.services.providers import REFRESH_SETUP_HINT, Dialog360Connector
from wachannel.store.channels import ChannelRepository
from wachannel.vault import ApiKeyVault

if TYPE_CHECKING:
    from wachannel.dialog360 import AccountHealth, Dialog360Client

_UNSET: Any = object()


@dataclass(frozen=True)
class NewChannel:
    name: str
    phone_number: str
    api_key: str
    greeting_message: str | None
    api_generation: ApiGeneration
    base_url: str | None
    templates_enabled_by_default: bool = True


@dataclass(frozen=True)
class ChannelChanges:
    """Only the fields a PATCH named; `greeting_message=None` clears the greeting."""

    name: str | None = None
    greeting_message: str | None = _UNSET
    phone_number: str | None = None
    api_key: str | None = None
    templates_enabled_by_default: bool | None = None


class ChannelService:
    def __init__(
        self,
        *,
        repository: ChannelRepository,
        vault: ApiKeyVault,
        connector: Dialog360Connector,
        clock: Clock,
        api_base_url: str,
        allowed_provider_hosts: frozenset[str],
    ) -> None:
        self._repository = repository
        self._vault = vault
        self._connector = connector
        self._access = ChannelAccess(repository, vault, connector)
        self._clock = clock
        self._api_base_url = api_base_url
        self._allowed_hosts = allowed_provider_hosts

    # ------------------------------------------------------------------ reads
    def get(self, caller: Caller, channel_id: str) -> Channel:
        return self._access.channel(caller.workspace_id, channel_id)

    def page(self, caller: Caller, limit: int, start: dict[str, Any] | None) -> tuple[list[Channel], Any]:
        return self._repository.page(caller.workspace_id, limit, start)

    def page_audit(
        self, caller: Caller, channel_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[AuditEntry], Any]:
        self.get(caller, channel_id)
        return self._repository.page_audit(caller.workspace_id, channel_id, limit, start)

    # ------------------------------------------------------------------ connect
    def connect(self, caller: Caller, request: NewChannel) -> Channel:
        phone_number = to_e164(request.phone_number)
        base_url = validate_base_url(request.base_url, self._allowed_hosts)
        now = self._clock.now()
        channel_id = new_id("ch", now)
        self._repository.reserve_phone(caller.workspace_id, phone_number, channel_id, now)
        try:
            client = self._connector.messaging(request.api_key, request.api_generation, base_url)
            url = webhook_url(self._api_base_url, channel_id)
            secret = self._register_webhook(client, url, validate_key=True)
            channel = Channel(
                id=channel_id,
                workspace_id=caller.workspace_id,
                name=request.name,
                phone_number=phone_number,
                greeting_message=request.greeting_message,
                api_generation=request.api_generation,
                base_url=base_url,
                api_key_ciphertext=self._vault.encrypt(request.api_key, caller.workspace_id, channel_id),
                api_key_last4=last4(request.api_key),
                webhook_url=url,
                status="active",
                templates_enabled_by_default=request.templates_enabled_by_default,
                created_at=now,
                updated_at=now,
            )
            audit = [self._audit(caller, channel, "webhook_registered", {"webhook_url": url})]
            self._repository.create(channel, webhook_secret_digest(secret), audit)
        except BaseException:
            self._repository.release_phone(caller.workspace_id, phone_number, channel_id)
            raise
        logger.info(
            "Channel connected", extra={"channel_id": channel_id, "api_generation": request.api_generation}
        )
        return channel

    # ------------------------------------------------------------------ change
    def update(self, caller: Caller, channel_id: str, changes: ChannelChanges) -> Channel:
        before = self._active(caller, channel_id)
        phone_number = (
            to_e164(changes.phone_number) if changes.phone_number is not None else before.phone_number
        )
        moves_number = phone_number != before.phone_number
        fields: dict[str, Any] = {"updated_at": self._clock.now()}
        if changes.name is not None:
            fields["name"] = changes.name
        if changes.greeting_message is not _UNSET:
            fields["greeting_message"] = changes.greeting_message
        if moves_number:
            fields["phone_number"] = phone_number
        if changes.templates_enabled_by_default is not None:
            fields["templates_enabled_by_default"] = changes.templates_enabled_by_default
        audit_actions: list[tuple[AuditAction, dict[str, Any]]] = []
        named = [
            name
            for name in ("name", "greeting_message", "phone_number", "templates_enabled_by_default")
            if name in fields
        ]
        if named:
            audit_actions.append(("channel_updated", {"fields": named}))
        if changes.api_key is not None:
            audit_actions.append(
                ("api_key_replaced", {"api_key_masked_before": f"****{before.api_key_last4}"})
            )
        if not moves_number and changes.api_key is None:
            return self._save(caller, before, fields, audit_actions)

        if moves_number:
            self._repository.reserve_phone(caller.workspace_id, phone_number, before.id, self._clock.now())
        try:
            api_key = changes.api_key or self._decrypt(before)
            if changes.api_key is not None:
                fields["api_key_ciphertext"] = self._vault.encrypt(api_key, caller.workspace_id, before.id)
                fields["api_key_last4"] = last4(api_key)
            after = self._reregister(caller, before, api_key, fields, audit_actions)
        except BaseException:
            if moves_number:
                self._repository.release_phone(caller.workspace_id, phone_number, before.id)
            raise
        if moves_number and changes.api_key is not None:
            # The old key still belongs to the old number, whose deliveries we no longer accept.
            self._clear_webhook(before)
        return after

    def replace_api_key(self, caller: Caller, channel_id: str, api_key: str) -> Channel:
        return self.update(caller, channel_id, ChannelChanges(api_key=api_key))

    def refresh_api_key(self, caller: Caller, channel_id: str) -> Channel:
        """A new key from 360dialog's Partner API. The old key dies at once, so the new one is saved
        before the webhook is registered with it."""
        before = self._active(caller, channel_id)
        partner = self._connector.partner()
        partner_channel_id = partner.find_channel_id(whatsapp_digits(before.phone_number))
        if partner_channel_id is None:
            raise RefreshNotAvailable(
                f"360dialog's Partner API lists no channel for {before.phone_number} under this partner. "
                + REFRESH_SETUP_HINT.replace("{channel_id}", before.id)
            )
        created = partner.create_api_key(partner_channel_id)
        api_key = created.api_key.get_secret_value()
        fields: dict[str, Any] = {
            "updated_at": self._clock.now(),
            "api_key_ciphertext": self._vault.encrypt(api_key, caller.workspace_id, before.id),
            "api_key_last4": last4(api_key),
        }
        refreshed = self._save(
            caller,
            before,
            fields,
            [("api_key_refreshed", {"api_key_masked_before": f"****{before.api_key_last4}"})],
        )
        return self._reregister(caller, refreshed, api_key, {"updated_at": self._clock.now()}, [])

    def view_api_key(self, caller: Caller, channel_id: str) -> str:
        channel = self.get(caller, channel_id)
        api_key = self._decrypt(channel)
        self._repository.add_audit(self._audit(caller, channel, "api_key_viewed", {}))
        logger.info("API key viewed", extra={"channel_id": channel.id, "actor": caller.subject})
        return api_key

    def disconnect(self, caller: Caller, channel_id: str) -> None:
        channel = self.get(caller, channel_id)
        if channel.status == "disconnected":
            return
        cleared = self._clear_webhook(channel)
        self._save(
            caller,
            channel,
            {"status": "disconnected", "updated_at": self._clock.now()},
            [("channel_disconnected", {"webhook_cleared": cleared})],
        )

    # ------------------------------------------------------------------ health
    def health(self, caller: Caller, channel_id: str) -> ChannelHealth:
        channel = self.get(caller, channel_id)
        delivery = self._repository.delivery_stats(caller.workspace_id, channel.id)
        if channel.status == "disconnected":
            return assess(HealthFacts(channel=channel, api_key_valid=None, delivery=delivery))
        client = self._client_for(channel)
        facts = HealthFacts(channel=channel, api_key_valid=None, delivery=delivery)
        try:
            account = client.get_account_health()
        except ApiKeyRejected:
            return assess(facts.model_copy(update={"api_key_valid": False}))
        except Dialog360Error as error:
            return assess(facts.model_copy(update={"provider_unreachable_reason": error.message}))
        facts = facts.model_copy(update={"api_key_valid": True, "account": _account_state(account)})
        try:
            registered = client.get_webhook()
        except Dialog360Error as error:
            return assess(facts.model_copy(update={"provider_unreachable_reason": error.message}))
        if registered is None:
            return assess(facts.model_copy(update={"webhook_registered": False}))
        route = self._repository.route(channel.id)
        token = next(
            (v for k, v in registered.headers.items() if k.lower() == WEBHOOK_TOKEN_HEADER.lower()), ""
        )
        accepted = route.accepted_secret_digests if route else frozenset()
        return assess(
            facts.model_copy(
                update={
                    "webhook_registered": True,
                    "webhook_url_matches": registered.url == channel.webhook_url,
                    "webhook_secret_matches": secret_matches(token, accepted),
                    "registered_webhook_url": registered.url,
                }
            )
        )

    # ------------------------------------------------------------------ helpers
    def _active(self, caller: Caller, channel_id: str) -> Channel:
        return self._access.active_channel(caller.workspace_id, channel_id)

    def _reregister(
        self,
        caller: Caller,
        before: Channel,
        api_key: str,
        fields: dict[str, Any],
        audit_actions: list[tuple[AuditAction, dict[str, Any]]],
    ) -> Channel:
        """Validates the key and registers the webhook with a new secret. The new secret is accepted
        before 360dialog learns it, and the old one only dropped once everything is saved."""
        client = self._connector.messaging(api_key, before.api_generation, before.base_url)
        secret = new_webhook_secret()
        digest = webhook_secret_digest(secret)
        self._check_key(client)
        self._repository.accept_secret(before.id, digest)
        self._register_webhook(client, before.webhook_url, validate_key=False, secret=secret)
        audit = [
            *(self._audit(caller, before, action, details) for action, details in audit_actions),
            self._audit(caller, before, "webhook_registered", {"webhook_url": before.webhook_url}),
        ]
        after = before.model_copy(update=fields)
        self._repository.update(before, after, audit=audit, only_secret_digest=digest)
        return after

    def _save(
        self,
        caller: Caller,
        before: Channel,
        fields: dict[str, Any],
        audit_actions: list[tuple[AuditAction, dict[str, Any]]],
    ) -> Channel:
        after = before.model_copy(update=fields)
        audit = [self._audit(caller, before, action, details) for action, details in audit_actions]
        self._repository.update(before, after, audit=audit)
        return after

    def _register_webhook(
        self, client: Dialog360Client, url: str, *, validate_key: bool, secret: str | None = None
    ) -> str:
        if validate_key:
            self._check_key(client)
        secret = secret or new_webhook_secret()
        try:
            client.set_webhook(url, {WEBHOOK_TOKEN_HEADER: secret})
        except ApiKeyRejected as error:
            raise _invalid_key(error) from None
        return secret

    def _check_key(self, client: Dialog360Client) -> None:
        try:
            client.check_api_key()
        except ApiKeyRejected as error:
            raise _invalid_key(error) from None

    def _clear_webhook(self, channel: Channel) -> bool:
        """Best effort: the channel is let go even when 360dialog cannot be told."""
        try:
            self._client_for(channel).clear_webhook()
        except Dialog360Error as error:
            logger.warning(
                "Webhook not cleared at 360dialog", extra={"channel_id": channel.id, "code": error.code}
            )
            return False
        return True

    def _client_for(self, channel: Channel) -> Dialog360Client:
        return self._access.client(channel)

    def _decrypt(self, channel: Channel) -> str:
        return self._access.api_key(channel)

    def _audit(
        self, caller: Caller, channel: Channel, action: AuditAction, details: dict[str, Any]
    ) -> AuditEntry:
        now = self._clock.now()
        return AuditEntry(
            id=new_id("au", now),
            workspace_id=caller.workspace_id,
            channel_id=channel.id,
            at=now,
            action=action,
            actor=caller.subject,
            details=details,
        )


def _invalid_key(error: ApiKeyRejected) -> InvalidApiKey:
    return InvalidApiKey(
        "360dialog refused the API key. Check that it is the current key of this number.",
        details={"provider_status": error.provider_status, "provider_message": error.provider_message},
    )


def _account_state(account: AccountHealth) -> AccountState:
    additional_info = [info for entity in account.entities for info in entity.additional_info]
    errors = [
        " ".join(part for part in (issue.description, issue.possible_solution or "") if part)
        for entity in account.entities
        for issue in entity.errors
    ]
    return AccountState(
        can_send_message=account.can_send_message, additional_info=additional_info, errors=errors
    )
