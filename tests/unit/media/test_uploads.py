from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from PIL import Image

from infra.local.cfn import load_template
from tests.unit.conftest import MEDIA_BUCKET_NAME, WORKSPACE, put_uploaded_file
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.send.conftest import customer_writes, only_contact
from tests.unit.support import Api, load_function
from wachannel import aws
from wachannel.domain.media import OUTBOUND_FILE_DAYS
from wachannel.errors import NotFound
from wachannel.services.media import MediaReader
from wachannel.store.media import MediaRepository

PDF = b"%PDF-1.7\n" + b"invoice 42 " * 500
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def send_api(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("send"), WORKSPACE)


@pytest.fixture
def profile_api(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("profile"), WORKSPACE)


@pytest.fixture
def inbox(aws: None) -> Api:
    return Api(load_function("inbox"), WORKSPACE)


def _new_upload(api: Api, channel: dict[str, Any], **fields: Any) -> tuple[int, Any]:
    body = {"filename": "invoice-42.pdf", "mime_type": "application/pdf", "file_size": len(PDF), **fields}
    return api.call(
        "POST",
        "/channels/{channel_id}/media/uploads",
        path_parameters={"channel_id": channel["id"]},
        body=body,
    )


def _send(api: Api, channel: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
    return api.call(
        "POST", "/channels/{channel_id}/messages", path_parameters={"channel_id": channel["id"]}, body=body
    )


def test_an_agent_uploads_a_document_and_sends_it(
    send_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    status, upload = _new_upload(send_api, channel)
    assert status == 201, upload
    assert "X-Amz-Signature=" in upload["upload_url"]
    put_uploaded_file(upload, PDF, "application/pdf")
    message = {
        "to": only_contact(inbox)["id"],
        "type": "document",
        "media": {"upload_id": upload["upload_id"], "filename": "invoice-42.pdf", "caption": "Invoice 42"},
    }

    first = _send(send_api, channel, message)
    again = _send(send_api, channel, message)

    assert first[0] == again[0] == 201, first[1]
    [uploaded_id] = [media_id for media_id, (content, _) in number.media.items() if content == PDF]
    assert number.sent[0]["document"] == {
        "id": uploaded_id,
        "filename": "invoice-42.pdf",
        "caption": "Invoice 42",
    }
    assert number.sent[1]["document"]["id"] == uploaded_id


def _sent_document(send_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog) -> Any:
    customer_writes(channel, number)
    _, upload = _new_upload(send_api, channel)
    put_uploaded_file(upload, PDF, "application/pdf")
    status, sent = _send(
        send_api,
        channel,
        {"to": only_contact(inbox)["id"], "type": "document", "media": {"upload_id": upload["upload_id"]}},
    )
    assert status == 201, sent
    return sent


def test_the_agents_file_is_linked_like_a_customers(
    send_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    sent = _sent_document(send_api, inbox, channel, number)

    status, link = inbox.call(
        "GET", "/messages/{message_id}/media", path_parameters={"message_id": sent["id"]}
    )

    assert status == 200, link
    assert (link["mime_type"], link["file_size"], link["filename"]) == (
        "application/pdf",
        len(PDF),
        "invoice-42.pdf",
    )
    url = httpx.URL(link["url"])
    key = url.path.removeprefix(f"/{MEDIA_BUCKET_NAME}").lstrip("/")
    assert key.startswith(f"outbound/ws/{WORKSPACE}/ch/{channel['id']}/")
    assert boto3.client("s3").get_object(Bucket=MEDIA_BUCKET_NAME, Key=key)["Body"].read() == PDF
    # The message shows the contract's media fields; the bucket key and the retention stay inside.
    assert sent["media"] == {
        "status": "stored",
        "mime_type": "application/pdf",
        "file_size": len(PDF),
        "filename": "invoice-42.pdf",
    }


def test_the_agents_file_is_gone_after_the_buckets_retention(
    send_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    sent = _sent_document(send_api, inbox, channel, number)
    uploaded_at = datetime.fromisoformat(sent["timestamp"])
    table = MediaRepository(os.environ["TABLE_NAME"], aws.dynamodb)

    def reader_at(moment: datetime) -> MediaReader:
        return MediaReader(table, MEDIA_BUCKET_NAME, aws.s3, FixedClock(moment))

    still_kept = reader_at(uploaded_at + timedelta(days=OUTBOUND_FILE_DAYS, minutes=-1))
    assert still_kept.signed_media(WORKSPACE, sent["id"]).filename == "invoice-42.pdf"
    with pytest.raises(NotFound, match="kept for 30 days"):
        reader_at(uploaded_at + timedelta(days=OUTBOUND_FILE_DAYS, minutes=1)).signed_media(
            WORKSPACE, sent["id"]
        )


def test_the_retention_is_the_buckets_lifecycle_rule() -> None:
    template = load_template(ROOT / "template.yaml")
    [rule] = [
        rule
        for rule in template["Resources"]["MediaBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if rule.get("Prefix") == "outbound/"
    ]

    assert rule["ExpirationInDays"] == OUTBOUND_FILE_DAYS


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"mime_type": "image/jpeg", "file_size": 5 * 1024 * 1024 + 1}, 413, "payload_too_large"),
        ({"mime_type": "image/webp", "file_size": 600 * 1024}, 413, "payload_too_large"),
        ({"mime_type": "application/x-msdownload", "filename": "setup.exe"}, 422, "validation_error"),
        ({"filename": "../../etc/passwd"}, 422, "validation_error"),
    ],
)
def test_size_and_type_are_checked_before_any_url_is_signed(
    send_api: Api, channel: dict[str, Any], fields: dict[str, Any], status: int, code: str
):
    answer, body = _new_upload(send_api, channel, **fields)

    assert (answer, body["error"]["code"]) == (status, code)
    if status == 413:
        assert body["error"]["details"]["limit_bytes"] > 0


def test_an_upload_never_completed_or_of_the_wrong_kind_is_422(
    send_api: Api, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    customer_writes(channel, number)
    contact = only_contact(inbox)
    _, upload = _new_upload(send_api, channel)

    never = _send(
        send_api,
        channel,
        {"to": contact["id"], "type": "document", "media": {"upload_id": upload["upload_id"]}},
    )
    put_uploaded_file(upload, PDF, "application/pdf")
    wrong_kind = _send(
        send_api, channel, {"to": contact["id"], "type": "image", "media": {"upload_id": upload["upload_id"]}}
    )

    for answer, body in (never, wrong_kind):
        assert answer == 422, body
        assert body["error"]["details"][0]["field"] == "media.upload_id"
    assert number.sent == []


def _image(size: tuple[int, int], image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_a_square_photo_becomes_the_profile_picture(
    send_api: Api, profile_api: Api, channel: dict[str, Any], number: NumberAt360dialog, image_format: str
):
    photo = _image((256, 256), image_format)
    mime_type = f"image/{image_format.lower()}"
    _, upload = _new_upload(
        send_api, channel, filename=f"logo.{image_format.lower()}", mime_type=mime_type, file_size=len(photo)
    )
    put_uploaded_file(upload, photo, mime_type)

    status, profile = profile_api.call(
        "PUT",
        "/channels/{channel_id}/profile/photo",
        path_parameters={"channel_id": channel["id"]},
        body={"upload_id": upload["upload_id"]},
    )

    assert status == 200, profile
    assert number.photo == photo
    assert profile["profile_picture_url"] == "https://pps.whatsapp.net/v/photo.jpg"
    assert profile["last_synced_at"] is not None


@pytest.mark.parametrize("size", [(100, 100), (300, 200)], ids=["too small", "not square"])
def test_a_photo_too_small_or_not_square_is_refused(
    send_api: Api, profile_api: Api, channel: dict[str, Any], number: NumberAt360dialog, size: tuple[int, int]
):
    photo = _image(size, "JPEG")
    _, upload = _new_upload(
        send_api, channel, filename="logo.jpg", mime_type="image/jpeg", file_size=len(photo)
    )
    put_uploaded_file(upload, photo, "image/jpeg")

    status, body = profile_api.call(
        "PUT",
        "/channels/{channel_id}/profile/photo",
        path_parameters={"channel_id": channel["id"]},
        body={"upload_id": upload["upload_id"]},
    )

    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert number.photo is None
