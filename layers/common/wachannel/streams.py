"""A file-like view of a stream of chunks, for handing a download to an upload without holding the
whole file: S3's upload and httpx's multipart encoder both read it piece by piece."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


class ChunkStream:
    """Read-only and forward-only; counts and hashes what passes, so a checksum is free."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self.digest.update(chunk)
            self.size += len(chunk)
            self._pending += chunk
        if size < 0:
            taken, self._pending = self._pending, b""
        else:
            taken, self._pending = self._pending[:size], self._pending[size:]
        return taken
