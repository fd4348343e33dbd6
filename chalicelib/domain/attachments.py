"""Attachments (bilagor) to inbox messages: PDF and images, at most 10 MB each."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_MESSAGE = 10
FILENAME_MAX = 120
# The first bytes each allowed type must start with: the declared type alone proves nothing.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
SNIFF_BYTES = max(len(s) for signatures in SIGNATURES.values() for s in signatures)


@dataclass(frozen=True, slots=True)
class Attachment:
    attachment_id: str
    filename: str
    content_type: str
    size_bytes: int

    @property
    def size_label(self) -> str:
        """For people: "340 kB", "2,4 MB"."""
        if self.size_bytes < 1024 * 1024:
            return f"{max(1, round(self.size_bytes / 1024))} kB"
        return f"{self.size_bytes / (1024 * 1024):.1f} MB".replace(".", ",")


def allowed_type(content_type: str) -> bool:
    return content_type in SIGNATURES


def content_matches(content_type: str, first_bytes: bytes) -> bool:
    """Whether the file really is what it says it is."""
    return any(first_bytes.startswith(s) for s in SIGNATURES.get(content_type, ()))


def clean_filename(raw: str) -> str | None:
    """The name the citizen's download gets: no folders, no control characters; None if nothing is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name or len(name) > FILENAME_MAX:
        return None
    return name
