"""Media of the simulated numbers (reference section 6): each number's files and what 360dialog says of
them, the short-lived links Cloud downloads them through, the block of Cloud's `GET /{media_id}` after
repeated failures, resumable upload sessions (Cloud's way in for the profile photo), and the rules
uploads are checked against.

`sha256` is the hex digest of the bytes: Meta's docs show no real value, and public clients' test
payloads (nyaruka/courier) carry 64 hex digits.
"""

import hashlib
import secrets
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from infra.local.simulator.models import ApiGeneration, SimulatedNumber
from infra.local.simulator.templates import iso_time, utc_now

MediaOrigin = Literal["inbound", "uploaded"]
FetchStep = Literal["info", "download"]

KIB = 1024
MIB = 1024 * KIB
# Meta's limits (reference section 6), read as MiB and KiB as the backend reads them. Other `text/*` and
# `application/*` types are documents ("any common type"); other images, videos and audio are refused.
MEDIA_LIMITS = {
    "image/jpeg": 5 * MIB,
    "image/png": 5 * MIB,
    "image/webp": 500 * KIB,
    "video/mp4": 16 * MIB,
    "video/3gpp": 16 * MIB,
    "audio/aac": 16 * MIB,
    "audio/amr": 16 * MIB,
    "audio/mpeg": 16 * MIB,
    "audio/mp4": 16 * MIB,
    "audio/ogg": 16 * MIB,
}
DOCUMENT_LIMIT = 100 * MIB
DOCUMENT_TOP_LEVEL_TYPES = ("application/", "text/")
ON_PREMISE_UPLOAD_LIMIT = 64 * MIB
# The file types Meta's resumable upload API takes; only the images can become a profile photo.
RESUMABLE_UPLOAD_TYPES = frozenset({"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"})
PROFILE_PHOTO_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png"})
PROFILE_PHOTO_LIMIT = 5 * MIB

CLOUD_MEDIA_ID_PATTERN = r"[0-9]+"
DEFAULT_LINK_TTL_SECONDS = 300
FAILURES_BEFORE_BLOCK = 5
# 360dialog counts failures within an hour and then blocks for an hour.
BLOCK_SECONDS = 3600.0
LOOKASIDE_URL = "https://lookaside.fbsbx.com/whatsapp_business/attachments/"

DEFAULT_SIMULATED_SIZE = 1024
# The start of a file of each type, so that made-up media passes a check of its magic bytes.
MAGIC_BYTES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    "video/3gpp": b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x003gp4",
    "audio/aac": b"\xff\xf1",
    "audio/amr": b"#!AMR\n",
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "audio/mp4": b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom",
    "audio/ogg": b"OggS\x00\x02",
    "application/pdf": b"%PDF-1.4\n",
}


class UnknownMedia(Exception):
    def __init__(self, media_id: str) -> None:
        super().__init__(f"no media {media_id}")


class UnknownMediaLink(Exception):
    """A download link never issued to this number, or expired."""


class MediaEndpointBlocked(Exception):
    pass


class InjectedMediaFault(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"simulated media fault {status}")
        self.status = status


class UploadRefused(ValueError):
    """An upload breaking a rule; the message says which."""


@dataclass(frozen=True)
class MediaFile:
    content: bytes
    mime_type: str


def new_media_id(generation: ApiGeneration) -> str:
    """Cloud ids are digits, On-Premise ids UUIDs."""
    return str(10**15 + secrets.randbelow(9 * 10**15)) if generation == "cloud" else str(uuid.uuid4())


def mime_essence(mime_type: str) -> str:
    """The type without its parameters: `audio/ogg; codecs=opus` is `audio/ogg`."""
    return mime_type.split(";", 1)[0].strip().lower()


def media_limit(mime_type: str) -> int | None:
    """The largest file of this type Cloud takes; None for a type it does not take."""
    essence = mime_essence(mime_type)
    if essence in MEDIA_LIMITS:
        return MEDIA_LIMITS[essence]
    return DOCUMENT_LIMIT if essence.startswith(DOCUMENT_TOP_LEVEL_TYPES) else None


def check_upload(mime_type: str, size: int, generation: ApiGeneration) -> None:
    """Cloud applies Meta's limit per type; On-Premise takes any supported type up to 64 MiB."""
    limit = media_limit(mime_type)
    if limit is None:
        raise UploadRefused(f"files of type {mime_type!r} are not supported")
    if size == 0:
        raise UploadRefused("the file is empty")
    if generation == "on_premise":
        limit = ON_PREMISE_UPLOAD_LIMIT
    if size > limit:
        essence = mime_essence(mime_type)
        raise UploadRefused(f"{essence} files may have at most {limit} bytes; this one has {size}")


def check_profile_photo(photo: MediaFile) -> None:
    if mime_essence(photo.mime_type) not in PROFILE_PHOTO_TYPES:
        raise UploadRefused(f"a profile photo must be a JPEG or PNG image, not {photo.mime_type!r}")
    if not photo.content:
        raise UploadRefused("the photo is empty")
    if len(photo.content) > PROFILE_PHOTO_LIMIT:
        raise UploadRefused(f"a profile photo may have at most {PROFILE_PHOTO_LIMIT} bytes")


def simulated_content(mime_type: str, size: int, seed: str) -> bytes:
    """Made-up bytes of a file of this type: its magic bytes, then text naming `seed`, so that media
    made up for different ids differ and the same id always gets the same bytes."""
    magic = MAGIC_BYTES.get(mime_essence(mime_type), b"")[:size]
    filler = f"simulated media {seed}\n".encode()
    repeats, rest = divmod(size - len(magic), len(filler))
    return b"".join((magic, filler * repeats, filler[:rest]))


@dataclass(frozen=True)
class StoredMedia:
    """A file as 360dialog knows it; `sha256` is what 360dialog claims, the bytes' digest unless a test
    chose another to simulate a corrupted file."""

    id: str
    content: bytes
    mime_type: str
    sha256: str
    filename: str | None
    origin: MediaOrigin
    created_at: datetime

    @property
    def file_size(self) -> int:
        return len(self.content)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mime_type": self.mime_type,
            "file_size": self.file_size,
            "sha256": self.sha256,
            "filename": self.filename,
            "origin": self.origin,
            "created_at": iso_time(self.created_at),
        }


@dataclass(frozen=True)
class MediaLink:
    """A download link as Meta issues it; `expires_at` is epoch seconds, `ext` in the URL."""

    media_id: str
    hash: str
    expires_at: float

    @property
    def ext(self) -> str:
        return str(int(self.expires_at))

    @property
    def url(self) -> str:
        return f"{LOOKASIDE_URL}?{urlencode({'mid': self.media_id, 'ext': self.ext, 'hash': self.hash})}"


class MediaFault(BaseModel):
    """The next `times` fetches at `step` fail with `status`: `info` is Cloud's `GET /{media_id}`,
    `download` the bytes (Cloud's attachment link); On-Premise's `GET /v1/media/{id}` is both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal[404, 500]
    times: int = Field(default=1, ge=1)
    step: FetchStep = "download"


class MediaSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    link_ttl_seconds: int = Field(default=DEFAULT_LINK_TTL_SECONDS, ge=0)
    download_fault: MediaFault | None = None


@dataclass(frozen=True)
class UploadSession:
    id: str
    file_length: int
    file_type: str


@dataclass
class NumberMedia:
    files: dict[str, StoredMedia] = field(default_factory=dict)
    links: dict[str, MediaLink] = field(default_factory=dict)
    settings: MediaSettings = field(default_factory=MediaSettings)
    info_failures: deque[float] = field(default_factory=deque)
    blocked_until: float | None = None
    upload_sessions: dict[str, UploadSession] = field(default_factory=dict)
    uploaded_files: dict[str, MediaFile] = field(default_factory=dict)


class MediaStore:
    """Each number's media, links, settings, failure count and upload sessions; every method is safe to
    call from any thread. `clock` (monotonic seconds) times the block; links expire by the wall clock,
    as their `ext` says."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._numbers: defaultdict[str, NumberMedia] = defaultdict(NumberMedia)

    def add(
        self,
        number: SimulatedNumber,
        content: bytes,
        mime_type: str,
        origin: MediaOrigin,
        *,
        media_id: str | None = None,
        filename: str | None = None,
        sha256: str | None = None,
    ) -> StoredMedia:
        """Keeps a file under `media_id` (replacing one of that id) or a new id of the number's generation."""
        stored = StoredMedia(
            id=media_id or new_media_id(number.api_generation),
            content=content,
            mime_type=mime_type,
            sha256=sha256 or hashlib.sha256(content).hexdigest(),
            filename=filename,
            origin=origin,
            created_at=utc_now(),
        )
        with self._lock:
            self._numbers[number.phone_number].files[stored.id] = stored
        return stored

    def get(self, phone_number: str, media_id: str) -> StoredMedia:
        with self._lock:
            return self._stored(self._numbers[phone_number], media_id)

    def has(self, phone_number: str, media_id: str) -> bool:
        with self._lock:
            return media_id in self._numbers[phone_number].files

    def files(self, phone_number: str) -> list[StoredMedia]:
        with self._lock:
            return list(self._numbers[phone_number].files.values())

    def delete(self, phone_number: str, media_id: str) -> None:
        """Forgets the file; links issued for it stop working."""
        with self._lock:
            if self._numbers[phone_number].files.pop(media_id, None) is None:
                raise UnknownMedia(media_id)

    def issue_link(self, phone_number: str, media_id: str) -> tuple[StoredMedia, MediaLink]:
        """Cloud's `GET /{media_id}`: the file and a new download link. A refusal of the request (4xx)
        counts towards the block, which then refuses every call for an hour."""
        with self._lock:
            media = self._numbers[phone_number]
            if media.blocked_until is not None and self._clock() < media.blocked_until:
                raise MediaEndpointBlocked
            try:
                self._take_fault(media, "info")
                stored = self._stored(media, media_id)
            except InjectedMediaFault as fault:
                if fault.status < 500:
                    self._note_info_failure(media)
                raise
            except UnknownMedia:
                self._note_info_failure(media)
                raise
            now = time.time()
            media.links = {key: link for key, link in media.links.items() if link.expires_at > now}
            link = MediaLink(stored.id, secrets.token_urlsafe(24), now + media.settings.link_ttl_seconds)
            media.links[link.hash] = link
            return stored, link

    def linked_media(self, phone_number: str, media_id: str, ext: str, link_hash: str) -> StoredMedia:
        """The file behind a download link this number was given, while the link lasts."""
        with self._lock:
            media = self._numbers[phone_number]
            link = media.links.get(link_hash)
            if link is None or (link.media_id, link.ext) != (media_id, ext) or link.expires_at <= time.time():
                raise UnknownMediaLink
            self._take_fault(media, "download")
            try:
                return self._stored(media, media_id)
            except UnknownMedia:
                raise UnknownMediaLink from None

    def download(self, phone_number: str, media_id: str) -> StoredMedia:
        """On-Premise's `GET /v1/media/{id}`, one call that takes faults of either step."""
        with self._lock:
            media = self._numbers[phone_number]
            self._take_fault(media, "info", "download")
            return self._stored(media, media_id)

    def settings(self, phone_number: str) -> MediaSettings:
        with self._lock:
            return self._numbers[phone_number].settings

    def set_settings(self, phone_number: str, settings: MediaSettings) -> None:
        with self._lock:
            self._numbers[phone_number].settings = settings

    def clear_block(self, phone_number: str) -> None:
        """Lifts the block and forgets the failures counted towards one."""
        with self._lock:
            media = self._numbers[phone_number]
            media.blocked_until = None
            media.info_failures.clear()

    def start_upload(self, phone_number: str, file_length: int, file_type: str) -> UploadSession:
        if mime_essence(file_type) not in RESUMABLE_UPLOAD_TYPES:
            raise UploadRefused(f"file_type must be one of {', '.join(sorted(RESUMABLE_UPLOAD_TYPES))}")
        session = UploadSession("upload:" + secrets.token_urlsafe(24), file_length, file_type)
        with self._lock:
            self._numbers[phone_number].upload_sessions[session.id] = session
        return session

    def finish_upload(self, phone_number: str, session_id: str, file_offset: int, content: bytes) -> str:
        """The handle of the whole file, sent at once from offset 0; the session ends with it."""
        with self._lock:
            media = self._numbers[phone_number]
            session = media.upload_sessions.get(session_id)
            if session is None:
                raise UploadRefused(f"{session_id} is not an open upload session of this number")
            if file_offset != 0:
                raise UploadRefused("the simulator takes a file in one piece, from file_offset 0")
            if len(content) != session.file_length:
                raise UploadRefused(
                    f"the session expects file_length {session.file_length} bytes; {len(content)} arrived"
                )
            del media.upload_sessions[session_id]
            handle = "2:" + secrets.token_urlsafe(32)
            media.uploaded_files[handle] = MediaFile(content, session.file_type)
            return handle

    def uploaded_file(self, phone_number: str, handle: str) -> MediaFile | None:
        with self._lock:
            return self._numbers[phone_number].uploaded_files.get(handle)

    def clear(self) -> None:
        with self._lock:
            self._numbers.clear()

    @staticmethod
    def _stored(media: NumberMedia, media_id: str) -> StoredMedia:
        try:
            return media.files[media_id]
        except KeyError:
            raise UnknownMedia(media_id) from None

    @staticmethod
    def _take_fault(media: NumberMedia, *steps: FetchStep) -> None:
        fault = media.settings.download_fault
        if fault is None or fault.step not in steps:
            return
        remaining = None if fault.times == 1 else fault.model_copy(update={"times": fault.times - 1})
        media.settings = media.settings.model_copy(update={"download_fault": remaining})
        raise InjectedMediaFault(fault.status)

    def _note_info_failure(self, media: NumberMedia) -> None:
        now = self._clock()
        failures = media.info_failures
        failures.append(now)
        while failures[0] <= now - BLOCK_SECONDS:
            failures.popleft()
        if len(failures) >= FAILURES_BEFORE_BLOCK:
            media.blocked_until = now + BLOCK_SECONDS
            failures.clear()
