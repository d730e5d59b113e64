"""The business profile photo (reference section 5): WhatsApp takes a square JPEG or PNG, at least
192 x 192 pixels (Meta's recommendation; the contract makes it a rule). The photo is checked here,
before it goes to 360dialog, so the client learns what to fix rather than meeting 360dialog's refusal.

Pillow is imported inside the functions: it costs import time, and only the photo route uses it."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

Problem = dict[str, str]

PHOTO_FORMATS: Final = frozenset({"JPEG", "PNG"})
PHOTO_MIN_SIDE: Final = 192

_FIELD = "upload_id"


@dataclass(frozen=True)
class _ImageHeader:
    format: str | None
    width: int
    height: int


class _UnreadableImage(Exception):
    """The bytes are no image that can be checked; the message tells the client what to do."""


def profile_photo_problems(content: bytes) -> list[Problem]:
    """Every rule the photo breaks, as {"field": "upload_id", "message"}; [] when WhatsApp takes it."""
    try:
        header = _read_header(content)
    except _UnreadableImage as error:
        return [_problem(str(error))]
    size = f"{header.width} x {header.height} px"
    problems = []
    if header.format not in PHOTO_FORMATS:
        problems.append(
            _problem(
                f"The photo is in {header.format or 'an unknown'} format; WhatsApp takes JPEG or PNG: "
                "convert it and upload it again."
            )
        )
    if header.width != header.height:
        problems.append(
            _problem(
                f"The photo is {size}; WhatsApp wants a square: crop it to a square and upload it again."
            )
        )
    if min(header.width, header.height) < PHOTO_MIN_SIDE:
        problems.append(
            _problem(
                f"The photo is {size}; it must be at least {PHOTO_MIN_SIDE} x {PHOTO_MIN_SIDE} px: "
                "upload a larger one."
            )
        )
    return problems


def image_format(content: bytes) -> str | None:
    """Pillow's name for the image's format ("JPEG", "PNG", "GIF", "WEBP", ...); None when the bytes
    are no image that can be read."""
    try:
        return _read_header(content).format
    except _UnreadableImage:
        return None


def _problem(message: str) -> Problem:
    return {"field": _FIELD, "message": message}


def _read_header(content: bytes) -> _ImageHeader:
    """Format and size from the image's header, after Pillow verified the file's structure without
    decoding its pixels."""
    from PIL import Image

    if not content:
        raise _UnreadableImage("The upload is empty; upload the photo as a JPEG or PNG file.")
    # Pillow only warns about an image with more pixels than MAX_IMAGE_PIXELS (it raises at twice
    # that); both are refused. The warning filter is process-wide, which is safe in a Lambda
    # container: it serves one request at a time.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                header = _ImageHeader(_format_name(image.format), width, height)
                image.verify()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _UnreadableImage(
                f"The photo has more than {Image.MAX_IMAGE_PIXELS:,} pixels, too many to check safely: "
                "scale it down, to 1024 x 1024 px for example, and upload it again."
            ) from error
        # Pillow documents no exception types for a broken file; whatever it raises on these bytes
        # means they cannot be read.
        except Exception as error:
            raise _UnreadableImage(
                "The upload is not an image that can be read; upload the photo as a JPEG or PNG file."
            ) from error
    return header


def _format_name(pillow_format: str | None) -> str | None:
    # Pillow calls a JPEG with several pictures inside (as many phone cameras save them) MPO; it is
    # still a JPEG file, and any JPEG reader shows its first picture.
    return "JPEG" if pillow_format == "MPO" else pillow_format
