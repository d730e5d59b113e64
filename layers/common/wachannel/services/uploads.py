"""Agents' files: uploaded by the client straight to the media bucket through a signed PUT URL (no
file passes through API Gateway), then handed to 360dialog when a send or the profile photo names
them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wachannel.clock import Clock
from wachannel.domain.channels import Channel
from wachannel.domain.ids import new_id
from wachannel.domain.media import (
    OUTBOUND_FILE_DAYS,
    MediaKind,
    media_kind,
    over_limit,
    s3_key,
    size_limit,
    upload_problems,
)
from wachannel.errors import PayloadTooLarge, ValidationFailed
from wachannel.store.channels import iso
from wachannel.store.media import MediaRepository

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from wachannel.dialog360 import Dialog360Client

UPLOAD_URL_SECONDS = 15 * 60
STREAM_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class NewUpload:
    upload_id: str
    upload_url: str
    expires_at: datetime


@dataclass(frozen=True)
class SentFile:
    """An upload as a send uses it: 360dialog's media id, and the bucket's copy that the message keeps so
    that GET /messages/{id}/media can sign a link to it, as for a customer's file."""

    provider_media_id: str
    stored_copy: dict[str, Any]


class Uploads:
    def __init__(
        self, *, media: MediaRepository, bucket: str, s3: Callable[[], S3Client], clock: Clock
    ) -> None:
        self._media = media
        self._bucket = bucket
        self._s3 = s3
        self._clock = clock

    def create(self, channel: Channel, *, filename: str, mime_type: str, file_size: int) -> NewUpload:
        """Checks the file against WhatsApp's limits for its kind, then signs a PUT for exactly that
        type and size."""
        problems = upload_problems(filename, mime_type, file_size)
        if problems:
            raise ValidationFailed(problems, message="WhatsApp does not take this file.")
        kind = media_kind(mime_type)
        if kind is not None and over_limit(kind, file_size):
            limit = size_limit(kind)
            raise PayloadTooLarge(
                f"WhatsApp takes {kind} files up to {limit} bytes; this one has {file_size}.",
                details={"limit_bytes": limit},
            )
        now = self._clock.now()
        upload_id = new_id("up", now)
        key = s3_key(channel.workspace_id, channel.id, "outbound", upload_id)
        expires_at = now + timedelta(seconds=UPLOAD_URL_SECONDS)
        url = self._s3().generate_presigned_url(
            "put_object",
            Params={"Bucket": self._bucket, "Key": key, "ContentType": mime_type, "ContentLength": file_size},
            ExpiresIn=UPLOAD_URL_SECONDS,
        )
        self._media.put_upload(
            channel.workspace_id,
            channel.id,
            {
                "id": upload_id,
                "s3_key": key,
                "filename": filename,
                "mime_type": mime_type,
                "file_size": file_size,
                "created_at": iso(now),
                "url_expires_at": iso(expires_at),
            },
        )
        return NewUpload(upload_id, url, expires_at)

    def for_sending(
        self, channel: Channel, client: Dialog360Client, upload_id: str, *, kind: MediaKind, field: str
    ) -> SentFile:
        """The upload as a send names it, uploading it to 360dialog the first time it is sent."""
        upload = self._completed(channel, upload_id, field)
        if media_kind(upload["mime_type"]) != kind:
            raise ValidationFailed.single(
                field, f"The upload is a {upload['mime_type']} file, which WhatsApp does not send as {kind}."
            )
        kept_until = datetime.fromisoformat(upload["created_at"]) + timedelta(days=OUTBOUND_FILE_DAYS)
        stored_copy = {
            "status": "stored",
            "s3_key": upload["s3_key"],
            "mime_type": upload["mime_type"],
            "file_size": int(upload["file_size"]),
            "filename": upload["filename"],
            "kept_until": iso(kept_until),
        }
        return SentFile(self._provider_media_id(channel, client, upload), stored_copy)

    def _provider_media_id(self, channel: Channel, client: Dialog360Client, upload: dict[str, Any]) -> str:
        if upload.get("provider_media_id"):
            return str(upload["provider_media_id"])
        body = self._s3().get_object(Bucket=self._bucket, Key=upload["s3_key"])["Body"]
        media_id = client.upload_media(
            body.iter_chunks(STREAM_CHUNK_BYTES),
            mime_type=upload["mime_type"],
            filename=upload["filename"],
            size=int(upload["file_size"]),
        )
        self._media.remember_provider_media(channel.workspace_id, channel.id, upload["id"], media_id)
        return media_id

    def content(self, channel: Channel, upload_id: str, *, field: str) -> tuple[bytes, str]:
        """A small upload's bytes and type (the profile photo), read whole."""
        upload = self._completed(channel, upload_id, field)
        body = self._s3().get_object(Bucket=self._bucket, Key=upload["s3_key"])["Body"]
        return body.read(), str(upload["mime_type"])

    def _completed(self, channel: Channel, upload_id: str, field: str) -> dict[str, Any]:
        """The upload, if its file arrived as announced: the type and size it was signed for."""
        upload = self._media.upload(channel.workspace_id, channel.id, upload_id)
        if upload is None:
            raise ValidationFailed.single(field, "No such upload on this channel.")
        client = self._s3()
        try:
            head = client.head_object(Bucket=self._bucket, Key=upload["s3_key"])
        except client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ValidationFailed.single(
                    field, "The upload was never completed: PUT the file to its upload_url first."
                ) from None
            raise
        if head.get("ContentLength") != int(upload["file_size"]):
            raise ValidationFailed.single(
                field,
                f"The uploaded file has {head.get('ContentLength')} bytes, not the "
                f"{upload['file_size']} announced.",
            )
        return upload
