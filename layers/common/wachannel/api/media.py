"""The Media section of the HTTP contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from wachannel.api.common import RequestModel, Timestamp
from wachannel.models import Model


class MediaLink(Model):
    url: str = Field(description="signed, short-lived: fetch it now, do not store it")
    mime_type: str | None
    file_size: int | None
    filename: str | None
    expires_at: Timestamp


class NewUploadRequest(RequestModel):
    filename: Annotated[str, StringConstraints(min_length=1, max_length=240)]
    mime_type: Annotated[str, StringConstraints(min_length=3, max_length=100)]
    file_size: int = Field(ge=1, description="bytes; checked against WhatsApp's limit for the kind of file")


class NewUpload(Model):
    upload_id: str
    upload_url: str = Field(description="PUT the file here with the same Content-Type, before expires_at")
    expires_at: Timestamp
