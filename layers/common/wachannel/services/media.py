"""Customers' files, copied from 360dialog into the private media bucket after the webhook answered,
and handed to clients through short-lived signed URLs. No file passes through API Gateway."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wachannel.clock import Clock
from wachannel.dialog360 import Dialog360Error, ProviderRequestFailed
from wachannel.domain.media import OUTBOUND_FILE_DAYS, s3_key, sha256_matches
from wachannel.domain.messages import parse_message_id
from wachannel.errors import MediaNotReady, NotFound, ProviderError
from wachannel.observability import logger
from wachannel.services.channel_access import ChannelAccess
from wachannel.store.media import MediaRepository
from wachannel.streams import ChunkStream

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# 360dialog blocks a number's media endpoint for an hour after 5 failed fetches: a copy is tried this
# often (transient failures only; a 4xx is final at once), so one message never uses up the budget.
COPY_ATTEMPTS = 3
DOWNLOAD_CHUNK_BYTES = 1024 * 1024
SIGNED_URL_SECONDS = 300


@dataclass(frozen=True)
class SignedMedia:
    url: str
    mime_type: str | None
    file_size: int | None
    filename: str | None
    expires_at: datetime


class MediaCopier:
    def __init__(
        self,
        *,
        access: ChannelAccess,
        media: MediaRepository,
        bucket: str,
        s3: Callable[[], S3Client],
        clock: Clock,
    ) -> None:
        self._access = access
        self._media = media
        self._bucket = bucket
        self._s3 = s3
        self._clock = clock

    # ------------------------------------------------------------------ inbound copies
    def copy_inbound(self, job: dict[str, str], attempt: int) -> str:
        """Copies one message's file; returns what happened. Raises only for a failure worth another
        attempt, while attempts remain; otherwise the message ends `failed` with the reason."""
        workspace_id, channel_id, wamid = job["workspace_id"], job["channel_id"], job["wamid"]
        message = self._media.message(workspace_id, channel_id, wamid)
        media = (message or {}).get("media") or {}
        if media.get("status") == "stored":
            return "already stored"
        channel = self._access.repository.get(workspace_id, channel_id)
        if message is None or channel is None or channel.status != "active":
            return "skipped: the message or its channel is gone"
        key = s3_key(workspace_id, channel_id, "inbound", hashlib.sha256(wamid.encode()).hexdigest())
        try:
            with self._access.client(channel).download_media(job["media_id"]) as download:
                mime_type = media.get("mime_type") or download.mime_type or "application/octet-stream"
                stream = ChunkStream(download.response.iter_bytes(DOWNLOAD_CHUNK_BYTES))
                self._s3().upload_fileobj(
                    stream,  # type: ignore[arg-type]  # any object with read() will do
                    self._bucket,
                    key,
                    ExtraArgs={"ContentType": mime_type},
                )
                expected = media.get("sha256") or download.sha256
        except ProviderRequestFailed as error:
            if error.provider_status is not None and error.provider_status < 500:
                return self._failed(workspace_id, channel_id, wamid, error.message)
            return self._retry_or_fail(workspace_id, channel_id, wamid, error, attempt)
        except Dialog360Error as error:
            return self._retry_or_fail(workspace_id, channel_id, wamid, error, attempt)
        if expected and not sha256_matches(expected, stream.digest.digest()):
            self._s3().delete_object(Bucket=self._bucket, Key=key)
            return self._failed(
                workspace_id, channel_id, wamid, "The file 360dialog sent does not match WhatsApp's checksum."
            )
        self._media.mark_stored(
            workspace_id,
            channel_id,
            wamid,
            s3_key=key,
            mime_type=mime_type,
            file_size=stream.size,
            now=self._clock.now(),
        )
        return "stored"

    def _retry_or_fail(
        self, workspace_id: str, channel_id: str, wamid: str, error: Dialog360Error, attempt: int
    ) -> str:
        if attempt < COPY_ATTEMPTS:
            raise error
        return self._failed(workspace_id, channel_id, wamid, f"{error.message} (after {attempt} attempts)")

    def _failed(self, workspace_id: str, channel_id: str, wamid: str, reason: str) -> str:
        self._media.mark_failed(workspace_id, channel_id, wamid, reason=reason, now=self._clock.now())
        logger.warning("Media copy failed", extra={"channel_id": channel_id, "reason": reason})
        return "failed"


class MediaReader:
    def __init__(self, media: MediaRepository, bucket: str, s3: Callable[[], S3Client], clock: Clock) -> None:
        self._media = media
        self._bucket = bucket
        self._s3 = s3
        self._clock = clock

    def signed_media(self, workspace_id: str, message_id: str) -> SignedMedia:
        parsed = parse_message_id(message_id)
        if parsed is None:
            raise NotFound("No such message in this workspace.")
        channel_id, wamid = parsed
        message = self._media.message(workspace_id, channel_id, wamid)
        media: dict[str, Any] = (message or {}).get("media") or {}
        if not media:
            raise NotFound("No such message with media in this workspace.")
        status = media.get("status")
        if status == "failed":
            reason = str(media.get("failure") or "The file could not be copied from 360dialog.")
            raise ProviderError(
                f"The file could not be copied from 360dialog: {reason}",
                details={"provider_status": None, "provider_code": None, "provider_message": reason},
            )
        if status != "stored" or not media.get("s3_key"):
            raise MediaNotReady(
                "The file is still being copied from 360dialog; try again in a few seconds.",
                details={"media_status": status or "pending"},
                headers={"Retry-After": "2"},
            )
        kept_until = media.get("kept_until")
        if kept_until and datetime.fromisoformat(kept_until) <= self._clock.now():
            raise NotFound(
                f"The file was kept for {OUTBOUND_FILE_DAYS} days after it was uploaded and has been deleted."
            )
        filename = media.get("filename")
        parameters: dict[str, Any] = {"Bucket": self._bucket, "Key": media["s3_key"]}
        if media.get("mime_type"):
            parameters["ResponseContentType"] = media["mime_type"]
        if filename:
            parameters["ResponseContentDisposition"] = f'inline; filename="{_header_safe(filename)}"'
        url = self._s3().generate_presigned_url("get_object", Params=parameters, ExpiresIn=SIGNED_URL_SECONDS)
        return SignedMedia(
            url=url,
            mime_type=media.get("mime_type"),
            file_size=media.get("file_size"),
            filename=filename,
            expires_at=self._clock.now() + timedelta(seconds=SIGNED_URL_SECONDS),
        )


def _header_safe(filename: str) -> str:
    return "".join(c for c in filename if c.isprintable() and c not in '"\\').strip() or "file"
