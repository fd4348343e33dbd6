"""The secure inbox (inkorg): messages from care, grouped into threads by sender unit and topic, or
by the booking or summons they are about (then the newest message's topic heads the thread, so
the thread shows the visit as it stands now)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.attachments import Attachment

SUBJECT_MAX = 200
TOPIC_MAX = 100
BODY_MAX = 20_000


@dataclass(frozen=True, slots=True)
class Action:
    """A button in a message that leads into the e-services (book a time, rebook, cancel)."""

    label: str
    path: str  # in-app: starts with one "/"

    def __post_init__(self) -> None:
        if not self.path.startswith("/") or self.path.startswith("//"):
            raise ValueError("an action leads to a path in the e-services")


@dataclass(frozen=True, slots=True)
class InboxMessage:
    message_id: str
    citizen_id: str
    sender_unit_hsa_id: str
    sender_unit_name: str
    topic: str
    subject: str
    body: str  # plain text: paragraphs separated by blank lines, bare https links
    sent_at: datetime
    read_at: datetime | None = None
    deleted_by_citizen_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    sender_staff_name: str | None = None  # a message written in the staff tool
    actions: tuple[Action, ...] = ()
    thread_id: str | None = None  # one thread per booking or summons, whatever its topic says now
    state_note: str | None = None  # what became of it since (a replaced or cancelled summons)

    @property
    def thread_key(self) -> str:
        return self.thread_id or thread_key(self.sender_unit_hsa_id, self.topic)

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True, slots=True)
class Thread:
    key: str
    topic: str
    sender_unit_name: str
    messages: tuple[InboxMessage, ...]  # newest first

    @property
    def latest(self) -> InboxMessage:
        return self.messages[0]

    @property
    def unread_count(self) -> int:
        return sum(1 for m in self.messages if m.unread)


def thread_key(sender_unit_hsa_id: str, topic: str) -> str:
    """Messages from one unit on one topic form a thread, whatever the case or spacing of the topic."""
    return f"{sender_unit_hsa_id}#{' '.join(topic.split()).casefold()}"


def threads(messages: list[InboxMessage]) -> list[Thread]:
    """Threads newest first, each with its messages newest first; deleted messages are not shown."""
    grouped: dict[str, list[InboxMessage]] = {}
    for message in sorted(messages, key=lambda m: m.sent_at, reverse=True):
        if message.deleted_by_citizen_at is None:
            grouped.setdefault(message.thread_key, []).append(message)
    return [
        Thread(key=key, topic=items[0].topic, sender_unit_name=items[0].sender_unit_name, messages=tuple(items))
        for key, items in grouped.items()
    ]


_URL = re.compile(r"https://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def paragraphs(body: str) -> list[list[tuple[str, str]]]:
    """The body as paragraphs of ('text', s) and ('link', url) pieces, for safe rendering."""
    result = []
    for block in re.split(r"\n\s*\n", body.strip()):
        pieces: list[tuple[str, str]] = []
        position = 0
        for match in _URL.finditer(block):
            if match.start() > position:
                pieces.append(("text", block[position : match.start()]))
            pieces.append(("link", match.group(0)))
            position = match.end()
        if position < len(block):
            pieces.append(("text", block[position:]))
        result.append(pieces)
    return result
