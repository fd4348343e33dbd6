"""An iCalendar (RFC 5545) file for a booking, so the visit lands in the citizen's calendar.

Every file for one booking has the same UID; SEQUENCE is the booking's change count (one more per
move, retime or cancellation), so a calendar replaces the earlier file with a later one and never
the other way round. DTSTAMP is when the file was made, at the change. A cancellation is
METHOD:CANCEL with STATUS:CANCELLED. A visit type the unit marks sensitive is only "Besök" in the
summary and the event is CLASS:PRIVATE, for calendars others can see.
"""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.domain.booking import Booking, BookingStatus

NEUTRAL_SUMMARY = "Besök"


def _text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma; every line break as \\n."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (CN=…): quoted, with no double quote or control character inside (RFC 5545 3.2)."""
    kept = "".join(" " if c < " " or c == "\x7f" else c for c in value if c != '"')
    return '"' + " ".join(kept.split()) + '"'


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw, parts = line.encode(), []
    while len(raw) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    parts.append(raw.decode())
    return "\r\n ".join(parts)


def booking_ics(booking: Booking, region_domain: str, changed_at: datetime, *, sensitive: bool = False) -> bytes:
    """The booking as it stands after its latest change, made at `changed_at`."""
    cancelled = booking.status is BookingStatus.CANCELLED
    summary = NEUTRAL_SUMMARY if sensitive else f"{booking.visit_type_name}, {booking.unit_name}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//e-tjanster//booking//SV",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{booking.booking_id}@{region_domain}",
        f"SEQUENCE:{int(booking.sequence)}",
        f"DTSTAMP:{_utc(changed_at)}",
        f"DTSTART:{_utc(booking.start)}",
        f"DTEND:{_utc(booking.end)}",
        # The unit: its name; the address is the region's, which does not take replies.
        f"ORGANIZER;CN={_param(booking.unit_name)}:mailto:no-reply@{region_domain.split(':')[0]}",
        f"SUMMARY:{_text(summary)}",
        f"LOCATION:{_text(booking.place)}",
        *(["CLASS:PRIVATE"] if sensitive else []),
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
