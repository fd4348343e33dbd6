"""An iCalendar (RFC 5545) file for a booking, so the visit lands in the citizen's calendar."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.domain.booking import Booking, BookingStatus


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def booking_ics(booking: Booking, region_domain: str, now: datetime) -> bytes:
    cancelled = booking.status is BookingStatus.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//e-tjanster//booking//SV",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{booking.booking_id}@{region_domain}",
        # A later file for the same booking replaces the earlier one in the calendar.
        f"SEQUENCE:{int(now.timestamp())}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(booking.start)}",
        f"DTEND:{_utc(booking.end)}",
        f"SUMMARY:{_text(booking.visit_type_name)}, {_text(booking.unit_name)}",
        f"LOCATION:{_text(booking.place)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
