"""Media: customers' files the backend downloads (Cloud's info and lookaside link, On-Premise's bytes),
expiring links, the block after repeated failures, uploads of both generations with their limits, sends
by media id, the profile photo's ways in, the admin routes, the request log and reset."""

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from starlette.testclient import TestClient

from infra.local.simulator import SimulatedNumber, SimulatorState
from infra.local.simulator.media import (
    KIB,
    MIB,
    MediaEndpointBlocked,
    MediaStore,
    UnknownMedia,
    UploadRefused,
    check_upload,
)
from tests.unit.simulator.support import (
    ON_PREMISE_META,
    key_header,
    meta_error,
    on_premise_error,
    register_webhook,
)

CUSTOMER = "5511987654321"
PHOTO = b"\xff\xd8\xff\xe0 a customer's photo"
LOOKASIDE = "https://lookaside.fbsbx.com/whatsapp_business/attachments/"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BLOCKED_BODY = {
    "meta": {"success": False, "http_code": 403, "developer_message": "The endpoint is blocked for an hour"}
}
UNKNOWN_CLOUD_ID = "1234567890123456"


@pytest.fixture
def cloud(client: TestClient, cloud_number: SimulatedNumber, webhook: respx.MockRouter) -> SimulatedNumber:
    return register_webhook(client, cloud_number)


@pytest.fixture
def on_premise(
    client: TestClient, on_premise_number: SimulatedNumber, webhook: respx.MockRouter
) -> SimulatedNumber:
    return register_webhook(client, on_premise_number)


@pytest.fixture(params=["cloud", "on_premise"])
def number(request: pytest.FixtureRequest) -> SimulatedNumber:
    return request.getfixturevalue(request.param)


def admin_path(number: SimulatedNumber, tail: str) -> str:
    return f"/_admin/numbers/{number.phone_number}/{tail}"


def inbound_media(
    client: TestClient, number: SimulatedNumber, message_type: str = "image", **media: Any
) -> dict[str, Any]:
    """The media object of the inbound message the customer sends, as the webhook received it."""
    body = {"from": CUSTOMER, "type": message_type, "media": media}
    response = client.post(admin_path(number, "inbound"), json=body)
    assert response.status_code == 200, response.text
    payload = response.json()["payload"]
    value = payload["entry"][0]["changes"][0]["value"] if number.api_generation == "cloud" else payload
    [message] = value["messages"]
    return dict(message[message["type"]])


def media_info(client: TestClient, number: SimulatedNumber, media_id: str) -> httpx.Response:
    return client.get(f"/{media_id}", headers=key_header(number))


def at_simulator(url: str) -> str:
    """Meta's link with its scheme and host dropped, as the backend sends it to 360dialog's host."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def download(client: TestClient, number: SimulatedNumber, media_id: str) -> httpx.Response:
    """The bytes as the backend fetches them: Cloud's info, then its link; On-Premise's one call."""
    if number.api_generation == "on_premise":
        return client.get(f"/v1/media/{media_id}", headers=key_header(number))
    info = media_info(client, number, media_id)
    assert info.status_code == 200, info.text
    return client.get(at_simulator(info.json()["url"]), headers=key_header(number))


def upload(
    client: TestClient,
    number: SimulatedNumber,
    content: bytes,
    mime_type: str,
    filename: str = "file.bin",
) -> httpx.Response:
    if number.api_generation == "on_premise":
        return client.post(
            "/v1/media", headers=key_header(number) | {"Content-Type": mime_type}, content=content
        )
    return client.post(
        "/media",
        headers=key_header(number),
        data={"messaging_product": "whatsapp", "type": mime_type},
        files={"file": (filename, content, mime_type)},
    )


def uploaded_id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    media_id: str = body["id"] if "id" in body else body["media"][0]["id"]
    return media_id


def set_media_settings(client: TestClient, number: SimulatedNumber, **settings: Any) -> None:
    response = client.put(admin_path(number, "media-settings"), json=settings)
    assert response.status_code == 200, response.text


def error_code(number: SimulatedNumber, response: httpx.Response) -> int:
    body = response.json()
    error = meta_error(body) if number.api_generation == "cloud" else on_premise_error(body)
    return int(error["code"])


# Customers' media


def test_a_cloud_image_downloads_through_its_info_and_lookaside_link(
    client: TestClient, cloud: SimulatedNumber
) -> None:
    media = inbound_media(client, cloud, content_base64=base64.b64encode(PHOTO).decode(), caption="my order")

    info = media_info(client, cloud, media["id"])
    downloaded = client.get(at_simulator(info.json()["url"]), headers=key_header(cloud))

    sha256 = hashlib.sha256(PHOTO).hexdigest()
    assert media == {"id": media["id"], "mime_type": "image/jpeg", "sha256": sha256, "caption": "my order"}
    assert media["id"].isdigit()
    assert info.status_code == 200
    assert info.json() == {
        "messaging_product": "whatsapp",
        "url": info.json()["url"],
        "mime_type": "image/jpeg",
        "sha256": sha256,
        "file_size": len(PHOTO),
        "id": media["id"],
    }
    link = urlsplit(info.json()["url"])
    assert info.json()["url"].startswith(LOOKASIDE)
    query = parse_qs(link.query)
    assert query["mid"] == [media["id"]]
    assert query["ext"][0].isdigit()
    assert query["hash"][0]
    assert downloaded.status_code == 200
    assert downloaded.content == PHOTO
    assert downloaded.headers["Content-Type"] == "image/jpeg"


def test_an_on_premise_voice_note_is_served_by_id(client: TestClient, on_premise: SimulatedNumber) -> None:
    media = inbound_media(client, on_premise, "voice", size_bytes=5000)

    response = client.get(f"/v1/media/{media['id']}", headers=key_header(on_premise))

    assert UUID.match(media["id"])
    assert response.status_code == 200
    assert len(response.content) == 5000
    assert response.content.startswith(b"OggS")
    assert response.headers["Content-Type"] == "audio/ogg; codecs=opus"
    assert media["sha256"] == hashlib.sha256(response.content).hexdigest()


@pytest.mark.parametrize(
    ("message_type", "mime_type", "magic"),
    [
        ("image", "image/png", b"\x89PNG"),
        ("video", None, b"\x00\x00\x00\x18ftyp"),
        ("audio", None, b"ID3"),
        ("document", None, b"%PDF-"),
        ("sticker", None, b"RIFF"),
        ("document", "text/plain", b"simulated media "),
    ],
)
def test_made_up_media_has_its_type_magic_bytes_and_differs_per_message(
    client: TestClient, number: SimulatedNumber, message_type: str, mime_type: str | None, magic: bytes
) -> None:
    first = inbound_media(client, number, message_type, mime_type=mime_type)
    second = inbound_media(client, number, message_type, mime_type=mime_type)

    first_bytes, second_bytes = (download(client, number, media["id"]) for media in (first, second))

    assert first_bytes.status_code == second_bytes.status_code == 200
    assert first_bytes.content.startswith(magic)
    assert len(first_bytes.content) == 1024
    assert first_bytes.content != second_bytes.content
    assert SHA256_HEX.match(first["sha256"])
    assert first["sha256"] == hashlib.sha256(first_bytes.content).hexdigest()


def test_a_chosen_id_and_sha256_are_kept_to_simulate_a_corrupted_file(
    client: TestClient, number: SimulatedNumber
) -> None:
    media = inbound_media(client, number, "document", id="1480239", sha256="0" * 64, filename="a.pdf")

    downloaded = download(client, number, "1480239")

    assert (media["id"], media["sha256"]) == ("1480239", "0" * 64)
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() != "0" * 64


def test_media_without_id_is_not_stored(client: TestClient, number: SimulatedNumber) -> None:
    media = inbound_media(client, number, id=None)

    assert "id" not in media
    assert client.get(admin_path(number, "media")).json() == []


def test_each_media_message_of_a_batch_is_stored(client: TestClient, number: SimulatedNumber) -> None:
    events = [
        {"kind": "inbound", "from": CUSTOMER, "type": "image"},
        {"kind": "inbound", "from": CUSTOMER, "type": "text", "text": "see above"},
        {"kind": "inbound", "from": CUSTOMER, "type": "document", "media": {"size_bytes": 10}},
    ]

    response = client.post(admin_path(number, "batch"), json={"events": events})

    assert response.status_code == 200
    stored = client.get(admin_path(number, "media")).json()
    assert [(media["mime_type"], media["file_size"]) for media in stored] == [
        ("image/jpeg", 1024),
        ("application/pdf", 10),
    ]


@pytest.mark.parametrize(
    "media",
    [
        {"content_base64": "AAAA", "size_bytes": 3},
        {"size_bytes": 0},
        {"size_bytes": 100 * MIB + 1},
        {"content_base64": "not base64!"},
    ],
)
def test_media_content_given_wrongly_is_refused(
    client: TestClient, cloud: SimulatedNumber, media: dict[str, Any]
) -> None:
    body = {"from": CUSTOMER, "type": "image", "media": media}

    response = client.post(admin_path(cloud, "inbound"), json=body)

    assert response.status_code == 422


def test_a_cloud_media_id_must_be_digits(client: TestClient, cloud: SimulatedNumber) -> None:
    body = {"from": CUSTOMER, "type": "image", "media": {"id": "media-1"}}

    response = client.post(admin_path(cloud, "inbound"), json=body)

    assert response.status_code == 422
    assert "digits" in response.json()["error"]


# Links, failures and the block


def test_an_expired_link_is_not_found(client: TestClient, cloud: SimulatedNumber) -> None:
    set_media_settings(client, cloud, link_ttl_seconds=0)
    media = inbound_media(client, cloud)
    info = media_info(client, cloud, media["id"])

    response = client.get(at_simulator(info.json()["url"]), headers=key_header(cloud))

    assert response.status_code == 404
    assert meta_error(response.json())["code"] == 100


def test_a_link_works_only_as_issued_and_for_its_number(
    client: TestClient, cloud: SimulatedNumber, state: SimulatorState
) -> None:
    other = state.add_number("4915100000000", "cloud")
    media = inbound_media(client, cloud)
    link = at_simulator(media_info(client, cloud, media["id"]).json()["url"])
    tampered = re.sub(r"hash=[^&]+", "hash=forged", link)

    assert client.get(link, headers=key_header(other)).status_code == 404
    assert client.get(tampered, headers=key_header(cloud)).status_code == 404
    assert client.get(link, headers=key_header(cloud)).status_code == 200


def test_an_unknown_media_id_is_an_unsupported_get_request(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    response = media_info(client, cloud_number, UNKNOWN_CLOUD_ID)

    assert response.status_code == 400
    error = meta_error(response.json())
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"] == "(#100) Unsupported get request"
    assert UNKNOWN_CLOUD_ID in error["error_data"]["details"]


def test_five_failed_info_requests_block_the_endpoint_until_cleared(
    client: TestClient, cloud: SimulatedNumber
) -> None:
    media = inbound_media(client, cloud)
    failures = [media_info(client, cloud, UNKNOWN_CLOUD_ID).status_code for _ in range(5)]

    blocked = media_info(client, cloud, media["id"])
    cleared = client.post(admin_path(cloud, "media-block/clear"))
    unblocked = media_info(client, cloud, media["id"])

    assert failures == [400] * 5
    assert blocked.status_code == 403
    assert blocked.json() == BLOCKED_BODY
    assert cleared.status_code == 204
    assert unblocked.status_code == 200


def test_the_block_counts_failures_of_one_number_only(
    client: TestClient, cloud: SimulatedNumber, state: SimulatorState
) -> None:
    other = state.add_number("4915100000000", "cloud")
    for _ in range(5):
        media_info(client, other, UNKNOWN_CLOUD_ID)

    media = inbound_media(client, cloud)

    assert media_info(client, other, UNKNOWN_CLOUD_ID).status_code == 403
    assert media_info(client, cloud, media["id"]).status_code == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail_info(store: MediaStore, phone_number: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(UnknownMedia):
            store.issue_link(phone_number, UNKNOWN_CLOUD_ID)


def test_failures_older_than_an_hour_do_not_count_and_the_block_lasts_an_hour(
    cloud_number: SimulatedNumber,
) -> None:
    clock = FakeClock()
    store = MediaStore(clock)
    media = store.add(cloud_number, PHOTO, "image/jpeg", "uploaded")
    phone_number = cloud_number.phone_number

    fail_info(store, phone_number, 4)
    clock.now += 3600
    fail_info(store, phone_number, 4)
    store.issue_link(phone_number, media.id)
    fail_info(store, phone_number, 1)
    clock.now += 3599
    with pytest.raises(MediaEndpointBlocked):
        store.issue_link(phone_number, media.id)
    clock.now += 1
    store.issue_link(phone_number, media.id)


def test_a_download_fault_fails_the_download_as_often_as_asked(
    client: TestClient, cloud: SimulatedNumber
) -> None:
    media = inbound_media(client, cloud)
    set_media_settings(client, cloud, download_fault={"status": 500, "times": 2})
    link = at_simulator(media_info(client, cloud, media["id"]).json()["url"])

    answers = [client.get(link, headers=key_header(cloud)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [500, 500, 200]
    assert meta_error(answers[0].json())["code"] == 131000


def test_info_faults_of_404_count_towards_the_block(client: TestClient, cloud: SimulatedNumber) -> None:
    media = inbound_media(client, cloud)
    set_media_settings(client, cloud, download_fault={"status": 404, "times": 5, "step": "info"})

    statuses = [media_info(client, cloud, media["id"]).status_code for _ in range(6)]

    assert statuses == [404] * 5 + [403]


def test_server_error_faults_do_not_count_towards_the_block(
    client: TestClient, cloud: SimulatedNumber
) -> None:
    media = inbound_media(client, cloud)
    set_media_settings(client, cloud, download_fault={"status": 500, "times": 5, "step": "info"})

    statuses = [media_info(client, cloud, media["id"]).status_code for _ in range(6)]

    assert statuses == [500] * 5 + [200]


@pytest.mark.parametrize("step", ["info", "download"])
def test_on_premise_downloads_take_faults_of_either_step(
    client: TestClient, on_premise: SimulatedNumber, step: str
) -> None:
    media = inbound_media(client, on_premise)
    set_media_settings(client, on_premise, download_fault={"status": 404, "step": step})

    failed = download(client, on_premise, media["id"])
    retried = download(client, on_premise, media["id"])

    assert failed.status_code == 404
    assert on_premise_error(failed.json())["code"] == 1006
    assert retried.status_code == 200


def test_gateway_faults_apply_to_downloads(client: TestClient, cloud: SimulatedNumber) -> None:
    media = inbound_media(client, cloud)
    client.post("/_admin/faults", json={"path_prefix": "/whatsapp_business/attachments/", "status": 503})

    response = download(client, cloud, media["id"])

    assert response.status_code == 503


def test_named_cloud_paths_are_not_taken_for_media_ids(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    health = client.get("/health_status", headers=key_header(cloud_number))
    messages = client.get("/messages", headers=key_header(cloud_number))

    assert health.status_code == 200
    assert messages.status_code == 405
    assert meta_error(messages.json())["message"] == "(#100) Unsupported request"


# Uploads


def test_an_upload_is_downloadable_and_listed_as_uploaded(
    client: TestClient, number: SimulatedNumber
) -> None:
    media_id = uploaded_id(upload(client, number, b"%PDF-1.4 invoice", "application/pdf", "invoice.pdf"))

    downloaded = download(client, number, media_id)
    [listed] = client.get(admin_path(number, "media")).json()

    assert media_id.isdigit() if number.api_generation == "cloud" else UUID.match(media_id)
    assert downloaded.content == b"%PDF-1.4 invoice"
    assert listed == {
        "id": media_id,
        "mime_type": "application/pdf",
        "file_size": 16,
        "sha256": hashlib.sha256(b"%PDF-1.4 invoice").hexdigest(),
        "filename": "invoice.pdf" if number.api_generation == "cloud" else None,
        "origin": "uploaded",
        "created_at": listed["created_at"],
    }


def test_the_generations_answer_an_upload_their_way(client: TestClient, number: SimulatedNumber) -> None:
    response = upload(client, number, PHOTO, "image/jpeg")

    media_id = uploaded_id(response)
    if number.api_generation == "cloud":
        assert response.json() == {"id": media_id}
    else:
        assert response.json() == {"media": [{"id": media_id}], "meta": ON_PREMISE_META}


@pytest.mark.parametrize(
    ("mime_type", "size"),
    [("image/webp", 500 * KIB + 1), ("image/gif", 10), ("video/quicktime", 10), ("application/pdf", 0)],
)
def test_a_cloud_upload_breaking_meta_rules_is_a_media_upload_error(
    client: TestClient, cloud_number: SimulatedNumber, mime_type: str, size: int
) -> None:
    response = upload(client, cloud_number, b"x" * size, mime_type)

    assert response.status_code == 400
    error = meta_error(response.json())
    assert (error["code"], error["message"]) == (131053, "(#131053) Media upload error")
    assert client.get(admin_path(cloud_number, "media")).json() == []


def test_an_on_premise_upload_of_an_unsupported_type_is_refused(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    response = upload(client, on_premise_number, b"GIF89a", "image/gif")

    assert response.status_code == 400
    assert on_premise_error(response.json())["code"] == 1009


@pytest.mark.parametrize(
    ("mime_type", "limit"),
    [
        ("image/jpeg", 5 * MIB),
        ("image/png", 5 * MIB),
        ("image/webp", 500 * KIB),
        ("video/mp4", 16 * MIB),
        ("video/3gpp", 16 * MIB),
        ("audio/ogg; codecs=opus", 16 * MIB),
        ("audio/aac", 16 * MIB),
        ("audio/amr", 16 * MIB),
        ("audio/mpeg", 16 * MIB),
        ("audio/mp4", 16 * MIB),
        ("application/pdf", 100 * MIB),
        ("text/plain", 100 * MIB),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100 * MIB),
    ],
)
def test_cloud_takes_each_type_up_to_meta_limit(mime_type: str, limit: int) -> None:
    check_upload(mime_type, limit, "cloud")
    with pytest.raises(UploadRefused):
        check_upload(mime_type, limit + 1, "cloud")


def test_on_premise_takes_any_supported_type_up_to_64_mib() -> None:
    check_upload("image/jpeg", 64 * MIB, "on_premise")
    with pytest.raises(UploadRefused):
        check_upload("application/pdf", 64 * MIB + 1, "on_premise")


@pytest.mark.parametrize(
    ("data", "files", "details"),
    [
        ({"type": "image/jpeg"}, {"file": ("a.jpg", PHOTO, "image/jpeg")}, "messaging_product"),
        ({"messaging_product": "whatsapp"}, {"document": ("a.jpg", PHOTO, "image/jpeg")}, "file"),
    ],
)
def test_a_cloud_upload_missing_a_field_is_refused(
    client: TestClient,
    cloud_number: SimulatedNumber,
    data: dict[str, str],
    files: dict[str, Any],
    details: str,
) -> None:
    response = client.post("/media", headers=key_header(cloud_number), data=data, files=files)

    assert response.status_code == 400
    assert meta_error(response.json())["message"] == f"(#100) The parameter {details} is required."


def test_a_cloud_upload_that_is_no_form_is_refused(client: TestClient, cloud_number: SimulatedNumber) -> None:
    response = client.post(
        "/media", headers=key_header(cloud_number) | {"Content-Type": "image/jpeg"}, content=PHOTO
    )

    assert response.status_code == 400
    assert "multipart/form-data" in meta_error(response.json())["error_data"]["details"]


def test_deleted_media_is_gone(client: TestClient, number: SimulatedNumber) -> None:
    media_id = uploaded_id(upload(client, number, PHOTO, "image/jpeg"))
    path = f"/{media_id}" if number.api_generation == "cloud" else f"/v1/media/{media_id}"

    deleted = client.delete(path, headers=key_header(number))
    deleted_again = client.delete(path, headers=key_header(number))

    expected = {"success": True} if number.api_generation == "cloud" else {"meta": ON_PREMISE_META}
    assert (deleted.status_code, deleted.json()) == (200, expected)
    assert error_code(number, deleted_again) == (100 if number.api_generation == "cloud" else 1006)
    assert client.get(admin_path(number, "media")).json() == []


def test_media_paths_belong_to_their_generation(
    client: TestClient, cloud_number: SimulatedNumber, on_premise_number: SimulatedNumber
) -> None:
    cloud_on_premise_path = client.post(
        "/v1/media", headers=key_header(cloud_number) | {"Content-Type": "image/jpeg"}, content=PHOTO
    )
    on_premise_cloud_path = media_info(client, on_premise_number, UNKNOWN_CLOUD_ID)

    assert cloud_on_premise_path.status_code == on_premise_cloud_path.status_code == 404
    assert on_premise_error(on_premise_cloud_path.json())["code"] == 1006


# Sending by media id


def send_image(client: TestClient, number: SimulatedNumber, media_id: str) -> httpx.Response:
    body: dict[str, Any] = {"to": CUSTOMER, "type": "image", "image": {"id": media_id}}
    if number.api_generation == "cloud":
        return client.post(
            "/messages", headers=key_header(number), json={"messaging_product": "whatsapp"} | body
        )
    return client.post("/v1/messages", headers=key_header(number), json=body)


def test_a_send_by_an_unknown_media_id_is_refused(client: TestClient, number: SimulatedNumber) -> None:
    response = send_image(client, number, UNKNOWN_CLOUD_ID)

    assert response.status_code == 400
    assert error_code(number, response) == (100 if number.api_generation == "cloud" else 1009)
    body = response.json()
    details = (
        meta_error(body)["error_data"]["details"] if "error" in body else on_premise_error(body)["details"]
    )
    assert details == "Param image['id'] is not a valid whatsapp business account media attachment ID"


def test_a_send_by_an_uploaded_or_received_media_id_is_accepted(
    client: TestClient, number: SimulatedNumber
) -> None:
    uploaded = uploaded_id(upload(client, number, PHOTO, "image/jpeg"))
    received = inbound_media(client, number)["id"]

    assert send_image(client, number, uploaded).status_code == 200
    assert send_image(client, number, received).status_code == 200


def test_a_template_header_by_an_unknown_media_id_is_refused(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    components = [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Your receipt."}]
    client.put(
        admin_path(cloud_number, "templates/receipt/en"),
        json={"category": "UTILITY", "components": components},
    )
    header = {"type": "header", "parameters": [{"type": "image", "image": {"id": UNKNOWN_CLOUD_ID}}]}
    template = {"name": "receipt", "language": {"code": "en"}, "components": [header]}

    response = client.post(
        "/messages",
        headers=key_header(cloud_number),
        json={"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template", "template": template},
    )

    assert response.status_code == 400
    assert meta_error(response.json())["error_data"]["details"].startswith(
        "Param template['components'][0]['parameters'][0]['image']['id'] is not a valid"
    )


# The profile photo


def resumable_upload(client: TestClient, number: SimulatedNumber, content: bytes, file_type: str) -> str:
    session = client.post(
        "/uploads",
        headers=key_header(number),
        params={"file_length": str(len(content)), "file_type": file_type},
    )
    assert session.status_code == 200, session.text
    assert session.json()["id"].startswith("upload:")
    uploaded = client.post(
        f"/{session.json()['id']}", headers=key_header(number) | {"file_offset": "0"}, content=content
    )
    assert uploaded.status_code == 200, uploaded.text
    handle: str = uploaded.json()["h"]
    return handle


def set_picture(client: TestClient, number: SimulatedNumber, handle: str) -> httpx.Response:
    return client.post(
        "/whatsapp_business_profile",
        headers=key_header(number),
        json={"messaging_product": "whatsapp", "profile_picture_handle": handle},
    )


def test_a_cloud_photo_goes_through_a_resumable_upload(
    client: TestClient, cloud_number: SimulatedNumber
) -> None:
    handle = resumable_upload(client, cloud_number, PHOTO, "image/jpeg")

    response = set_picture(client, cloud_number, handle)

    assert handle.startswith("2:")
    assert response.json() == {"success": True}
    profile = client.get(admin_path(cloud_number, "profile")).json()
    assert profile["profile_picture_url"].startswith("https://pps.whatsapp.net/")
    photo = client.get(admin_path(cloud_number, "profile-photo"))
    assert (photo.content, photo.headers["Content-Type"]) == (PHOTO, "image/jpeg")


def test_a_picture_handle_not_issued_to_the_number_is_refused(
    client: TestClient, cloud_number: SimulatedNumber, state: SimulatorState
) -> None:
    other = state.add_number("4915100000000", "cloud")
    handle = resumable_upload(client, other, PHOTO, "image/jpeg")

    response = set_picture(client, cloud_number, handle)
    invented = set_picture(client, cloud_number, "2:c2FtcGxl")

    for refused in (response, invented):
        assert refused.status_code == 400
        assert meta_error(refused.json())["code"] == 100
    assert client.get(admin_path(cloud_number, "profile")).json()["profile_picture_url"] == ""


def test_a_picture_handle_of_a_pdf_is_refused(client: TestClient, cloud_number: SimulatedNumber) -> None:
    handle = resumable_upload(client, cloud_number, b"%PDF-1.4", "application/pdf")

    response = set_picture(client, cloud_number, handle)

    assert response.status_code == 400
    assert "JPEG or PNG" in meta_error(response.json())["error_data"]["details"]


@pytest.mark.parametrize(
    ("params", "headers", "content"),
    [
        ({"file_length": "5", "file_type": "image/jpeg"}, {"file_offset": "0"}, b"1234"),
        ({"file_length": "4", "file_type": "image/jpeg"}, {"file_offset": "2"}, b"1234"),
        ({"file_length": "4", "file_type": "image/jpeg"}, {}, b"1234"),
        ({"file_length": "0", "file_type": "image/jpeg"}, {"file_offset": "0"}, b""),
        ({"file_length": "4", "file_type": "image/gif"}, {"file_offset": "0"}, b"1234"),
    ],
)
def test_a_resumable_upload_breaking_a_rule_is_refused(
    client: TestClient,
    cloud_number: SimulatedNumber,
    params: dict[str, str],
    headers: dict[str, str],
    content: bytes,
) -> None:
    session = client.post("/uploads", headers=key_header(cloud_number), params=params)
    if session.status_code == 200:
        response = client.post(
            f"/{session.json()['id']}", headers=key_header(cloud_number) | headers, content=content
        )
    else:
        response = session

    assert response.status_code == 400
    assert meta_error(response.json())["code"] == 100


def test_an_upload_session_ends_with_its_file(client: TestClient, cloud_number: SimulatedNumber) -> None:
    session = client.post(
        "/uploads", headers=key_header(cloud_number), params={"file_length": "4", "file_type": "image/png"}
    ).json()["id"]
    path_headers = key_header(cloud_number) | {"file_offset": "0"}

    first = client.post(f"/{session}", headers=path_headers, content=b"1234")
    second = client.post(f"/{session}", headers=path_headers, content=b"1234")

    assert (first.status_code, second.status_code) == (200, 400)


def test_an_on_premise_photo_is_posted_as_bytes_and_read_as_bytes_or_link(
    client: TestClient, on_premise_number: SimulatedNumber
) -> None:
    posted = client.post(
        "/v1/settings/profile/photo",
        headers=key_header(on_premise_number) | {"Content-Type": "image/png"},
        content=b"\x89PNG photo",
    )

    photo = client.get("/v1/settings/profile/photo", headers=key_header(on_premise_number))
    link = client.get("/v1/settings/profile/photo?format=link", headers=key_header(on_premise_number))

    assert (posted.status_code, posted.json()) == (200, {"meta": ON_PREMISE_META})
    assert (photo.content, photo.headers["Content-Type"]) == (b"\x89PNG photo", "image/png")
    assert link.json()["settings"]["profile"]["photo"]["link"].startswith("https://pps.whatsapp.net/")


@pytest.mark.parametrize(("mime_type", "content"), [("image/gif", b"GIF89a"), ("image/jpeg", b"")])
def test_an_on_premise_photo_breaking_a_rule_is_refused(
    client: TestClient, on_premise_number: SimulatedNumber, mime_type: str, content: bytes
) -> None:
    response = client.post(
        "/v1/settings/profile/photo",
        headers=key_header(on_premise_number) | {"Content-Type": mime_type},
        content=content,
    )

    assert response.status_code == 400
    assert on_premise_error(response.json())["code"] == 1009
    assert client.get(admin_path(on_premise_number, "profile-photo")).status_code == 404


# Admin, request log, reset


def test_admin_serves_a_media_file_bytes(client: TestClient, number: SimulatedNumber) -> None:
    media_id = uploaded_id(upload(client, number, b"plain words", "text/plain"))

    response = client.get(admin_path(number, f"media/{media_id}"))
    unknown = client.get(admin_path(number, "media/404"))

    assert response.content == b"plain words"
    assert response.headers["Content-Type"] == "text/plain"
    assert unknown.status_code == 404


def test_media_settings_are_validated_and_answered(client: TestClient, cloud_number: SimulatedNumber) -> None:
    settings = {"link_ttl_seconds": 60, "download_fault": {"status": 404, "times": 2}}

    answered = client.put(admin_path(cloud_number, "media-settings"), json=settings)
    refused = client.put(admin_path(cloud_number, "media-settings"), json={"download_fault": {"status": 418}})
    unknown_number = client.put("/_admin/numbers/4915100000000/media-settings", json={})

    assert answered.json() == {
        "link_ttl_seconds": 60,
        "download_fault": {"status": 404, "times": 2, "step": "download"},
    }
    assert refused.status_code == 400
    assert unknown_number.status_code == 404


def test_the_request_log_notes_media_bodies_by_size(client: TestClient, number: SimulatedNumber) -> None:
    content = bytes(range(256)) * 8 * KIB
    upload(client, number, content, "image/jpeg")

    upload_path = "/media" if number.api_generation == "cloud" else "/v1/media"
    [logged] = client.get("/_admin/requests", params={"path_prefix": upload_path}).json()

    body = logged["body"]
    if number.api_generation == "cloud":
        assert re.fullmatch(r"<\d+ bytes of multipart/form-data; boundary=\S+>", body)
    else:
        assert body == f"<{len(content)} bytes of image/jpeg>"


def test_reset_forgets_media(client: TestClient, state: SimulatorState, number: SimulatedNumber) -> None:
    inbound_media(client, number)
    set_media_settings(client, number, link_ttl_seconds=0)

    client.post("/_admin/reset")

    assert state.media.files(number.phone_number) == []
    assert state.media.settings(number.phone_number).link_ttl_seconds == 300
