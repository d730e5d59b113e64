"""API keys at rest: KMS-encrypted, each ciphertext bound to its workspace and channel through the
encryption context, so a ciphertext copied to another channel's item does not decrypt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


class ApiKeyVault:
    def __init__(self, kms_client: Callable[[], KMSClient], key_id: str) -> None:
        self._kms = kms_client
        self._key_id = key_id

    def encrypt(self, api_key: str, workspace_id: str, channel_id: str) -> bytes:
        answer = self._kms().encrypt(
            KeyId=self._key_id,
            Plaintext=api_key.encode(),
            EncryptionContext=_context(workspace_id, channel_id),
        )
        return answer["CiphertextBlob"]

    def decrypt(self, ciphertext: bytes, workspace_id: str, channel_id: str) -> str:
        answer = self._kms().decrypt(
            CiphertextBlob=ciphertext,
            KeyId=self._key_id,
            EncryptionContext=_context(workspace_id, channel_id),
        )
        return answer["Plaintext"].decode()


def _context(workspace_id: str, channel_id: str) -> dict[str, str]:
    return {"workspace_id": workspace_id, "channel_id": channel_id}
