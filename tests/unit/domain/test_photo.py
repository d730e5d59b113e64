from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from wachannel.domain.photo import image_format, profile_photo_problems


def image_bytes(image_format: str, width: int = 200, height: int = 200, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(buffer, image_format, **options)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header declaring this size over one tiny data chunk: Pillow reads the size from
    the header alone, so a huge image costs no memory here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def damaged_in_pixel_data(png: bytes) -> bytes:
    inside = png.index(b"IDAT") + 6
    return png[:inside] + bytes([png[inside] ^ 0xFF]) + png[inside + 1 :]


def messages(content: bytes) -> list[str]:
    problems = profile_photo_problems(content)
    assert {problem["field"] for problem in problems} <= {"upload_id"}
    return [problem["message"] for problem in problems]


@pytest.mark.parametrize("pillow_format", ["JPEG", "PNG"])
def test_a_square_jpeg_or_png_of_192_px_or_more_passes(pillow_format):
    assert profile_photo_problems(image_bytes(pillow_format)) == []
    assert profile_photo_problems(image_bytes(pillow_format, 192, 192)) == []


def test_a_phone_cameras_multi_picture_jpeg_is_a_jpeg():
    content = image_bytes("MPO", save_all=True, append_images=[Image.new("RGB", (200, 200))])

    assert image_format(content) == "JPEG"
    assert profile_photo_problems(content) == []


def test_a_photo_under_192_px_is_refused_with_its_size():
    assert profile_photo_problems(image_bytes("JPEG", 191, 191)) == [
        {
            "field": "upload_id",
            "message": "The photo is 191 x 191 px; it must be at least 192 x 192 px: upload a larger one.",
        }
    ]


def test_a_photo_that_is_not_square_must_be_cropped():
    assert messages(image_bytes("PNG", 400, 300)) == [
        "The photo is 400 x 300 px; WhatsApp wants a square: crop it to a square and upload it again."
    ]


def test_a_small_oblong_photo_is_told_both_rules():
    found = messages(image_bytes("JPEG", 300, 100))

    assert len(found) == 2
    assert "crop it to a square" in found[0]
    assert "at least 192 x 192 px" in found[1]


@pytest.mark.parametrize("pillow_format", ["GIF", "WEBP"])
def test_another_format_must_be_converted(pillow_format):
    assert messages(image_bytes(pillow_format)) == [
        f"The photo is in {pillow_format} format; WhatsApp takes JPEG or PNG: convert it and upload it again."
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7 not a photo at all",
        bytes(range(256)) * 4,
        image_bytes("PNG")[:60],
        # The header reads, but verify() finds the pixel data damaged.
        damaged_in_pixel_data(image_bytes("PNG")),
    ],
)
def test_bytes_that_are_no_readable_image_are_refused(content):
    assert messages(content) == [
        "The upload is not an image that can be read; upload the photo as a JPEG or PNG file."
    ]
    assert image_format(content) is None


def test_an_empty_upload_is_refused():
    assert messages(b"") == ["The upload is empty; upload the photo as a JPEG or PNG file."]
    assert image_format(b"") is None


@pytest.mark.parametrize(
    "side",
    [
        # Over Pillow's MAX_IMAGE_PIXELS, where it only warns...
        10_000,
        # ...and over twice that, where it raises.
        20_000,
    ],
)
def test_a_decompression_bomb_is_refused_not_opened(side):
    found = messages(png_declaring(side, side))

    assert len(found) == 1
    assert "too many to check safely" in found[0]
    assert image_format(png_declaring(side, side)) is None


@pytest.mark.parametrize("pillow_format", ["JPEG", "PNG", "GIF", "WEBP"])
def test_the_format_is_read_from_the_bytes(pillow_format):
    assert image_format(image_bytes(pillow_format)) == pillow_format
