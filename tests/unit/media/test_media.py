from __future__ import annotations

import json
import time
from types import ModuleType
from typing import Any

import boto3
import httpx
import pytest

from tests.unit.conftest import MEDIA_BUCKET_NAME, ON_PREMISE_DIGITS, ON_PREMISE_KEY, WORKSPACE
from tests.unit.dialog360_double import Dialog360Double, NumberAt360dialog
from tests.unit.support import Api, LambdaContext, load_function
from tests.unit.templates.conftest import sqs_event
from tests.unit.webhook.conftest import Webhook, cloud

CUSTOMER = "5511987654321"
PICTURE = b"\xff\xd8\xff\xe0" + b"JFIF-picture-bytes" * 100
VOICE = b"OggS" + b"voice" * 200
PDF = b"%PDF-1.7\n" + b"invoice" * 300


@pytest.fixture
def media_app(aws: None, dialog360: Dialog360Double) -> ModuleType:
    return load_function("media")


@pytest.fixture
def inbox(aws: None, dialog360: Dialog360Double) -> Api:
    return Api(load_function("inbox"), WORKSPACE)


def _deliver_media(
    channel: dict[str, Any], number: NumberAt360dialog, kind: str, media: dict[str, Any]
) -> str:
    wamid = f"wamid.media{time.time_ns()}"
    message = {"from": CUSTOMER, "id": wamid, "timestamp": str(int(time.time())), "type": kind, kind: media}
    assert number.webhook is not None
    webhook = Webhook(load_function("webhook"), channel["id"], number.webhook["headers"]["X-Webhook-Token"])
    payload = cloud(messages=[message], contacts=[{"profile": {"name": "Ana"}, "wa_id": CUSTOMER}])
    assert webhook.deliver(payload)[0] == 200
    return wamid


def _media_jobs() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="wachannel-test-media")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def _run_jobs(media_app: ModuleType, jobs: list[dict[str, Any]], attempt: int = 1) -> Any:
    event = sqs_event(jobs)
    for record in event["Records"]:
        record["attributes"]["ApproximateReceiveCount"] = str(attempt)
    return media_app.lambda_handler(event, LambdaContext())


def _thread(inbox: Api) -> list[dict[str, Any]]:
    [contact] = inbox.call("GET", "/contacts", expect=200)[1]["items"]
    return list(
        inbox.call("GET", "/contacts/{contact_id}/messages", path_parameters={"contact_id": contact["id"]})[
            1
        ]["items"]
    )


def _media_link(inbox: Api, message_id: str) -> tuple[int, Any]:
    return inbox.call("GET", "/messages/{message_id}/media", path_parameters={"message_id": message_id})


def _stored_bytes(url: str) -> bytes:
    key = httpx.URL(url).path.split(f"/{MEDIA_BUCKET_NAME}/", 1)[-1].lstrip("/")
    return boto3.client("s3").get_object(Bucket=MEDIA_BUCKET_NAME, Key=key)["Body"].read()


def test_an_image_is_copied_after_the_webhook_and_served_by_a_signed_url(
    media_app: ModuleType, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.media["1480239"] = (PICTURE, "image/jpeg")
    _deliver_media(
        channel, number, "image", {"id": "1480239", "mime_type": "image/jpeg", "caption": "My order"}
    )
    [message] = _thread(inbox)

    pending = _media_link(inbox, message["id"])
    jobs = _media_jobs()
    copied = _run_jobs(media_app, jobs)
    status, link = _media_link(inbox, message["id"])

    assert (pending[0], pending[1]["error"]["code"]) == (409, "media_not_ready")
    assert pending[1]["error"]["details"] == {"media_status": "pending"}
    assert jobs == [
        {
            "workspace_id": WORKSPACE,
            "channel_id": channel["id"],
            "wamid": message["whatsapp_message_id"],
            "media_id": "1480239",
        }
    ]
    assert copied == {"batchItemFailures": []}
    assert status == 200, link
    assert (link["mime_type"], link["file_size"]) == ("image/jpeg", len(PICTURE))
    assert "X-Amz-Signature=" in link["url"]
    assert _stored_bytes(link["url"]) == PICTURE
    assert _thread(inbox)[0]["media"] == {
        "status": "stored",
        "mime_type": "image/jpeg",
        "caption": "My order",
        "file_size": len(PICTURE),
        "voice": False,
    }


def test_on_premise_voice_notes_and_documents_are_copied_too(
    media_app: ModuleType, channels: Api, inbox: Api, dialog360: Dialog360Double
):
    number = dialog360.add(ON_PREMISE_DIGITS, ON_PREMISE_KEY, generation="on_premise")
    channel = channels.connect(f"+{ON_PREMISE_DIGITS}", ON_PREMISE_KEY, api_generation="on_premise")
    number.media["voice-1"] = (VOICE, "audio/ogg; codecs=opus")
    number.media["doc-1"] = (PDF, "application/pdf")
    assert number.webhook is not None
    webhook = Webhook(load_function("webhook"), channel["id"], number.webhook["headers"]["X-Webhook-Token"])
    at = str(int(time.time()))
    webhook.deliver(
        {
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": CUSTOMER}],
            "messages": [
                {
                    "from": CUSTOMER,
                    "id": "ABGGvoice1",
                    "timestamp": at,
                    "type": "voice",
                    "voice": {"id": "voice-1", "mime_type": "audio/ogg; codecs=opus"},
                },
                {
                    "from": CUSTOMER,
                    "id": "ABGGdoc1",
                    "timestamp": at,
                    "type": "document",
                    "document": {"id": "doc-1", "mime_type": "application/pdf", "filename": "invoice.pdf"},
                },
            ],
        }
    )

    _run_jobs(media_app, _media_jobs())

    links = {m["type"]: _media_link(inbox, m["id"])[1] for m in _thread(inbox)}
    assert _stored_bytes(links["audio"]["url"]) == VOICE
    assert _stored_bytes(links["document"]["url"]) == PDF
    assert links["document"]["filename"] == "invoice.pdf"


def test_a_refused_download_fails_at_once_and_the_message_stays(
    media_app: ModuleType, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    _deliver_media(channel, number, "image", {"id": "404404", "mime_type": "image/jpeg"})

    assert _run_jobs(media_app, _media_jobs()) == {"batchItemFailures": []}

    [message] = _thread(inbox)
    status, body = _media_link(inbox, message["id"])
    assert message["media"]["status"] == "failed"
    assert (status, body["error"]["code"]) == (502, "provider_error")
    assert "Unsupported get request" in body["error"]["details"]["provider_message"]


def test_an_outage_is_retried_and_fails_only_after_the_last_attempt(
    media_app: ModuleType, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.media["1480239"] = (PICTURE, "image/jpeg")
    number.media_failure = httpx.Response(500, text="Internal Server Error")
    _deliver_media(channel, number, "image", {"id": "1480239", "mime_type": "image/jpeg"})
    jobs = _media_jobs()

    with pytest.raises(Exception, match="All records failed"):
        _run_jobs(media_app, jobs, attempt=1)
    assert _thread(inbox)[0]["media"]["status"] == "pending"
    _run_jobs(media_app, jobs, attempt=3)
    assert _thread(inbox)[0]["media"]["status"] == "failed"


def test_a_file_that_does_not_match_its_checksum_is_refused(
    media_app: ModuleType, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.media["1480239"] = (PICTURE, "image/jpeg")
    _deliver_media(channel, number, "image", {"id": "1480239", "mime_type": "image/jpeg", "sha256": "0" * 64})

    _run_jobs(media_app, _media_jobs())

    assert _thread(inbox)[0]["media"]["status"] == "failed"


def test_another_workspace_cannot_read_the_media(
    media_app: ModuleType, inbox: Api, channel: dict[str, Any], number: NumberAt360dialog
):
    number.media["1480239"] = (PICTURE, "image/jpeg")
    _deliver_media(channel, number, "image", {"id": "1480239", "mime_type": "image/jpeg"})
    _run_jobs(media_app, _media_jobs())
    [message] = _thread(inbox)

    status, body = _media_link(Api(load_function("inbox"), "ws_other"), message["id"])

    assert (status, body["error"]["code"]) == (404, "not_found")
