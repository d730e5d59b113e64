"""What every use case on a channel starts with: the caller's channel (another workspace's is 404),
an active one for changes, and a 360dialog client with the channel's own key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wachannel.domain.channels import Channel
from wachannel.errors import NotFound, ValidationFailed
from wachannel.services.providers import Dialog360Connector
from wachannel.store.channels import ChannelRepository
from wachannel.vault import ApiKeyVault

if TYPE_CHECKING:
    from wachannel.dialog360 import Dialog360Client


_CACHED_API_KEYS = 256


def require_channel(channel: Channel | None) -> Channel:
    if channel is None:
        raise NotFound("No such channel in this workspace.")
    return channel


def require_active(channel: Channel) -> Channel:
    if channel.status != "active":
        raise ValidationFailed.single(
            "channel_id", "This channel is disconnected; connect the number again to change it."
        )
    return channel


class ChannelAccess:
    def __init__(
        self, repository: ChannelRepository, vault: ApiKeyVault, connector: Dialog360Connector
    ) -> None:
        self.repository = repository
        self._vault = vault
        self._connector = connector
        self._api_keys: dict[tuple[str, str, bytes], str] = {}

    def channel(self, workspace_id: str, channel_id: str) -> Channel:
        return require_channel(self.repository.get(workspace_id, channel_id))

    def active_channel(self, workspace_id: str, channel_id: str) -> Channel:
        return require_active(self.channel(workspace_id, channel_id))

    def api_key(self, channel: Channel) -> str:
        """Decrypted once per container and ciphertext: a send then costs no KMS call (~10-20 ms on
        AWS). A replaced key has a new ciphertext, so it is never served stale."""
        cache_key = (channel.workspace_id, channel.id, channel.api_key_ciphertext)
        api_key = self._api_keys.get(cache_key)
        if api_key is None:
            api_key = self._vault.decrypt(channel.api_key_ciphertext, channel.workspace_id, channel.id)
            if len(self._api_keys) >= _CACHED_API_KEYS:
                self._api_keys.pop(next(iter(self._api_keys)))
            self._api_keys[cache_key] = api_key
        return api_key

    def client(self, channel: Channel) -> Dialog360Client:
        return self._connector.messaging(self.api_key(channel), channel.api_generation, channel.base_url)
