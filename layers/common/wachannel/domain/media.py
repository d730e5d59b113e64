"""WhatsApp's media rules (reference section 6): which file types each kind of media message takes,
how large a file of each kind may be, and where a channel's files live in the media bucket.

Sizes: Meta writes "5 MB", "16 MB", "100 MB" and "500 KB" without saying whether it counts in powers
of ten or of two. The limits here read them as MiB and KiB (1 MB = 1024 * 1024 bytes), which is also
what most file managers call "MB", so a file shown as "5 MB" is not refused for a few thousand bytes.
Should Meta count in powers of ten, a file in the 5 % between the two readings passes this check and
360dialog refuses it on send.

An oversized file is not one of the upload's problems: the contract answers it with 413
`payload_too_large` and the limit in bytes, so the size limit is asked separately (`over_limit`)."""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterator
from typing import Final, Literal

Problem = dict[str, str]

MediaKind = Literal["image", "video", "audio", "document", "sticker"]

KIB: Final = 1024
MIB: Final = 1024 * KIB
# A static sticker may have 100 KB and an animated one 500 KB. An upload declares only its type and
# size, which do not tell the two apart, so the larger limit applies here and WhatsApp refuses an
# oversized static sticker when it is sent.
_SIZE_LIMITS: Final[dict[MediaKind, int]] = {
    "image": 5 * MIB,
    "video": 16 * MIB,
    "audio": 16 * MIB,
    "document": 100 * MIB,
    "sticker": 500 * KIB,
}

# Meta's own list of document types first, then other common ones ("any common type", reference 6).
DOCUMENT_MIME_TYPES: Final = frozenset(
    {
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "text/csv",
        "text/tab-separated-values",
        "text/markdown",
        "text/calendar",
        "text/vcard",
        "text/rtf",
        "application/rtf",
        "application/json",
        "application/xml",
        "text/xml",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/epub+zip",
        "application/zip",
        # What Windows browsers declare for a .zip file.
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-7z-compressed",
        "application/vnd.rar",
    }
)
_MIME_TYPES: Final[dict[MediaKind, frozenset[str]]] = {
    "image": frozenset({"image/jpeg", "image/png"}),
    # video/3gpp is the registered name; Meta's table writes video/3gp.
    "video": frozenset({"video/mp4", "video/3gpp", "video/3gp"}),
    # Meta takes OGG with the Opus codec only; a declared type does not always name the codec.
    "audio": frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
    "sticker": frozenset({"image/webp"}),
    "document": DOCUMENT_MIME_TYPES,
}
_ACCEPTED_TYPES: Final[dict[MediaKind, str]] = {
    "image": "JPEG or PNG (image/jpeg, image/png)",
    "video": "MP4 or 3GPP (video/mp4, video/3gpp)",
    "audio": "AAC, AMR, MP3, M4A or OGG with Opus (audio/aac, audio/amr, audio/mpeg, audio/mp4, audio/ogg)",
    "sticker": "WEBP (image/webp)",
    "document": "common document types such as PDF, Word, Excel, PowerPoint, text, CSV or ZIP",
}

FILENAME_MAX = 240
# Direction overrides and isolates can show "invoice\u202efdp.exe" as "invoiceexe.pdf": a file name
# must not hide its real extension from the customer who opens it.
_DIRECTION_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_PATH_SEPARATORS: Final = frozenset("/\\")

S3Prefix = Literal["inbound", "outbound"]
# Agents' files are kept this long after their upload (the bucket's ExpireOutboundUploads rule; 360dialog
# keeps a Cloud API media id 30 days after its last use).
OUTBOUND_FILE_DAYS = 30

_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def media_kind(mime_type: str) -> MediaKind | None:
    """The kind of media message that can carry a file of this type; None when WhatsApp takes it in
    none. Case and parameters (`audio/ogg; codecs=opus`) do not matter."""
    essence = _essence(mime_type)
    return next((kind for kind, types in _MIME_TYPES.items() if essence in types), None)


def upload_problems(
    filename: str, mime_type: str, file_size: int, *, kind: MediaKind | None = None
) -> list[Problem]:
    """Every rule a planned upload breaks, as {"field", "message"}; [] when it may go ahead. With
    `kind`, the file must fit that kind of message; without, any kind will do. The size limit is not
    checked here (see `over_limit`)."""
    return [
        *_filename_problems(filename),
        *_mime_type_problems(mime_type, kind),
        *_file_size_problems(file_size),
    ]


def size_limit(kind: MediaKind) -> int:
    """The largest file, in bytes, WhatsApp takes for this kind of message."""
    return _SIZE_LIMITS[kind]


def over_limit(kind: MediaKind, file_size: int) -> bool:
    return file_size > size_limit(kind)


def s3_key(workspace_id: str, channel_id: str, prefix: S3Prefix, object_id: str) -> str:
    """Where a channel's file lives in the media bucket. Every key starts with its workspace and
    channel, so one tenant's key can never name another's file."""
    for name, value in (("workspace_id", workspace_id), ("channel_id", channel_id), ("object_id", object_id)):
        if not value or "/" in value or ".." in value:
            raise ValueError(f"{name} {value!r} cannot be part of a media key.")
    # The direction comes first so that IAM policies and lifecycle rules can name it as a prefix.
    return f"{prefix}/ws/{workspace_id}/ch/{channel_id}/{object_id}"


def sha256_matches(expected: str, digest: bytes) -> bool:
    """Whether WhatsApp's `sha256` names this SHA-256 digest. Payloads carry it hex-encoded (in either
    case) or base64-encoded (standard or URL-safe alphabet, padded or not); all of them are accepted."""
    return digest in _digest_readings(expected.strip())


def _essence(mime_type: str) -> str:
    return mime_type.split(";", 1)[0].strip().lower()


def _problem(field: str, message: str) -> Problem:
    return {"field": field, "message": message}


def _filename_problems(filename: str) -> Iterator[Problem]:
    if not filename.strip():
        yield _problem(
            "filename", "The file name is empty; give the name the customer will see, like invoice.pdf."
        )
        return
    if len(filename) > FILENAME_MAX:
        yield _problem(
            "filename",
            f"The file name has {len(filename)} characters; at most {FILENAME_MAX} are allowed. Shorten it.",
        )
    if any(char in _PATH_SEPARATORS for char in filename):
        yield _problem(
            "filename",
            "The file name contains / or \\; give the name alone, like invoice.pdf, without folders.",
        )
    if any(unicodedata.category(char) == "Cc" or char in _DIRECTION_CONTROLS for char in filename):
        yield _problem(
            "filename", "The file name contains invisible control or text-direction characters; remove them."
        )


def _mime_type_problems(mime_type: str, kind: MediaKind | None) -> Iterator[Problem]:
    essence = _essence(mime_type)
    if not essence:
        yield _problem("mime_type", "The file type is missing; give its MIME type, like application/pdf.")
        return
    actual = media_kind(essence)
    if actual is None:
        accepted = "; ".join(f"{each}: {types}" for each, types in _ACCEPTED_TYPES.items())
        yield _problem(
            "mime_type",
            f"WhatsApp sends no file of type {essence}. It takes, by kind of message: {accepted}.",
        )
    elif kind is not None and actual != kind:
        yield _problem(
            "mime_type",
            f"{kind.capitalize()} messages take {_ACCEPTED_TYPES[kind]}; this file is {essence}: "
            f'send it with type "{actual}", or convert it.',
        )


def _file_size_problems(file_size: int) -> Iterator[Problem]:
    if file_size < 1:
        yield _problem(
            "file_size",
            f"The file size is {file_size} bytes; give its size in bytes (an empty file cannot be sent).",
        )


def _digest_readings(expected: str) -> list[bytes]:
    """The digests `expected` may encode. A 64-character hex string is also valid base64, but of 48
    bytes, so the readings never confuse one digest with another."""
    readings = [bytes.fromhex(expected)] if _HEX_SHA256.fullmatch(expected) else []
    padded = expected + "=" * (-len(expected) % 4)
    for alphabet in (b"+/", b"-_"):
        try:
            readings.append(base64.b64decode(padded, altchars=alphabet, validate=True))
        except ValueError:  # binascii.Error is one, and so is a non-ASCII string
            continue
    return readings
