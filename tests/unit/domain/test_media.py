from __future__ import annotations

import base64
import hashlib

import pytest

from wachannel.domain.media import (
    FILENAME_MAX,
    MediaKind,
    media_kind,
    over_limit,
    s3_key,
    sha256_matches,
    size_limit,
    upload_problems,
)

MIB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("mime_type", "kind"),
    [
        ("image/jpeg", "image"),
        ("IMAGE/PNG", "image"),
        ("video/mp4", "video"),
        ("video/3gpp", "video"),
        ("audio/mpeg", "audio"),
        ("audio/ogg; codecs=opus", "audio"),
        ("Audio/OGG ;codecs=opus", "audio"),
        ("image/webp", "sticker"),
        ("application/pdf", "document"),
        (DOCX, "document"),
        ("application/vnd.ms-excel", "document"),
        ("text/plain; charset=utf-8", "document"),
        ("text/csv", "document"),
        ("application/zip", "document"),
        ("application/x-msdownload", None),
        ("image/gif", None),
        ("", None),
        ("  ", None),
    ],
)
def test_each_type_goes_in_the_kind_of_message_whatsapp_takes_it_in(mime_type, kind):
    assert media_kind(mime_type) == kind


@pytest.mark.parametrize(
    ("filename", "mime_type", "file_size"),
    [
        ("photo.jpg", "image/jpeg", 48213),
        ("voice.ogg", "audio/ogg; codecs=opus", 1),
        ("Rechnung März 2025.pdf", "application/pdf", 100 * MIB),
        ("n" * FILENAME_MAX, "text/csv", 10),
    ],
)
def test_a_supported_upload_has_no_problems(filename, mime_type, file_size):
    assert upload_problems(filename, mime_type, file_size) == []


def test_every_broken_rule_is_reported_with_its_field():
    problems = upload_problems("../etc/passwd", "application/x-msdownload", 0)

    assert [problem["field"] for problem in problems] == ["filename", "mime_type", "file_size"]
    assert "without folders" in problems[0]["message"]
    assert "application/x-msdownload" in problems[1]["message"]
    assert "JPEG or PNG" in problems[1]["message"]
    assert "empty file" in problems[2]["message"]


@pytest.mark.parametrize(
    ("filename", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("n" * (FILENAME_MAX + 1), f"{FILENAME_MAX + 1} characters"),
        ("folder/report.pdf", "without folders"),
        ("C:\\report.pdf", "without folders"),
        ("report\n.pdf", "control"),
        ("report\x00.pdf", "control"),
        # Shows as "invoiceexe.pdf" while it is an .exe.
        ("invoice\u202efdp.exe", "text-direction"),
    ],
)
def test_a_file_name_must_be_a_plain_visible_name(filename, says):
    problems = upload_problems(filename, "application/pdf", 10)

    assert len(problems) == 1
    assert problems[0]["field"] == "filename"
    assert says in problems[0]["message"]


@pytest.mark.parametrize("mime_type", ["", " ; charset=utf-8"])
def test_a_missing_type_says_so(mime_type):
    assert upload_problems("a.pdf", mime_type, 10) == [
        {
            "field": "mime_type",
            "message": "The file type is missing; give its MIME type, like application/pdf.",
        }
    ]


@pytest.mark.parametrize("file_size", [0, -1])
def test_a_file_must_have_content(file_size):
    problems = upload_problems("a.pdf", "application/pdf", file_size)

    assert [problem["field"] for problem in problems] == ["file_size"]


@pytest.mark.parametrize(
    ("mime_type", "kind"),
    [
        ("image/png", "image"),
        ("image/webp", "sticker"),
        ("audio/ogg; codecs=opus", "audio"),
        ("application/pdf", "document"),
        ("video/3gpp", "video"),
    ],
)
def test_a_file_fits_the_kind_of_message_it_is_for(mime_type, kind: MediaKind):
    assert upload_problems("file", mime_type, 10, kind=kind) == []


def test_a_file_of_another_kind_is_refused_with_the_kind_it_fits():
    problems = upload_problems("logo.png", "image/png", 10, kind="sticker")

    assert problems == [
        {
            "field": "mime_type",
            "message": 'Sticker messages take WEBP (image/webp); this file is image/png: send it with type "image", '
            "or convert it.",
        }
    ]


def test_a_file_for_no_kind_is_refused_once_whatever_kind_was_asked():
    problems = upload_problems("setup.exe", "application/x-msdownload", 10, kind="document")

    assert len(problems) == 1
    assert problems[0]["message"].startswith("WhatsApp sends no file of type application/x-msdownload.")


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        ("image", 5 * MIB),
        ("video", 16 * MIB),
        ("audio", 16 * MIB),
        ("document", 100 * MIB),
        # The animated sticker's limit: an upload cannot tell a static one from an animated one.
        ("sticker", 500 * 1024),
    ],
)
def test_each_kind_has_whatsapps_size_limit(kind: MediaKind, limit):
    assert size_limit(kind) == limit
    assert not over_limit(kind, limit)
    assert over_limit(kind, limit + 1)


def test_a_size_over_the_limit_is_not_a_validation_problem():
    # The contract answers it with 413 and the limit, not 422.
    assert upload_problems("photo.jpg", "image/jpeg", 50 * MIB) == []
    assert over_limit("image", 50 * MIB)


def test_a_media_key_starts_with_its_workspace_and_channel():
    key = s3_key("ws_01JWORKSPACE", "ch_01JCHANNEL", "inbound", "9f86d081884c7d65")

    assert key == "inbound/ws/ws_01JWORKSPACE/ch/ch_01JCHANNEL/9f86d081884c7d65"
    assert s3_key("ws_1", "ch_1", "outbound", "up_1") == "outbound/ws/ws_1/ch/ch_1/up_1"


@pytest.mark.parametrize(
    ("workspace_id", "channel_id", "object_id"),
    [
        ("ws_1/../ws_2", "ch_1", "up_1"),
        ("ws_1", "..", "up_1"),
        ("ws_1", "ch_1", "../../ws_2/ch_2/inbound/x"),
        ("ws_1", "ch_1", "a/b"),
        ("", "ch_1", "up_1"),
        ("ws_1", "ch_1", ""),
    ],
)
def test_a_media_key_refuses_ids_that_could_leave_the_tenant(workspace_id, channel_id, object_id):
    with pytest.raises(ValueError, match="cannot be part of a media key"):
        s3_key(workspace_id, channel_id, "inbound", object_id)


CONTENT = b"a customer's voice note"
DIGEST = hashlib.sha256(CONTENT).digest()


@pytest.mark.parametrize(
    "expected",
    [
        DIGEST.hex(),
        DIGEST.hex().upper(),
        base64.b64encode(DIGEST).decode(),
        base64.b64encode(DIGEST).decode().rstrip("="),
        base64.urlsafe_b64encode(DIGEST).decode(),
        f" {DIGEST.hex()}\n",
    ],
)
def test_whatsapps_checksum_matches_in_either_encoding(expected):
    assert sha256_matches(expected, DIGEST)


@pytest.mark.parametrize(
    "expected",
    [
        hashlib.sha256(b"another file").hexdigest(),
        base64.b64encode(hashlib.sha256(b"another file").digest()).decode(),
        DIGEST.hex()[:-2],
        "not a checksum",
        "ünïcödé",
        "",
    ],
)
def test_another_or_a_broken_checksum_does_not_match(expected):
    assert not sha256_matches(expected, DIGEST)
