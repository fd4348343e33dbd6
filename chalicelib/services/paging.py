"""Pages, not histories: every list is read a page at a time, and the next page is named by an opaque
cursor, signed for the list and the person (or unit, or key) it came from (services/input.py), so a
forged or borrowed cursor is a 400 `cursor_invalid` before DynamoDB sees it.

Pages work without JavaScript: the page links to the next one with the cursor in the query string
("Visa fler"), and the JSON API returns `next_cursor` to pass back as `?cursor=`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypeVar

from chalicelib.services.input import decode_cursor, encode_cursor
from chalicelib.services.ports import Ports

T = TypeVar("T")
PAGE_SIZE = 20


class Page(list[T]):
    """A page of a list: the items (it is a list of them) and the cursor of the next page (None: the last)."""

    def __init__(self, items: Iterable[T] = (), next_cursor: str | None = None) -> None:
        super().__init__(items)
        self.next_cursor = next_cursor

    @property
    def items(self) -> list[T]:
        return list(self)


def _key(ports: Ports) -> bytes:
    return hashlib.sha256(b"cursor:" + ports.settings.pnr_hmac_key).digest()


def start(ports: Ports, scope: str, cursor: Any) -> dict[str, str] | None:
    """Where the page starts (None: the first page); a cursor of another list or person is refused."""
    return decode_cursor(_key(ports), scope, cursor)


def following(ports: Ports, scope: str, position: dict[str, str] | None) -> str | None:
    return encode_cursor(_key(ports), scope, position) if position else None
