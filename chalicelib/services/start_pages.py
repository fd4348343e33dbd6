"""What the start pages show: who you are, who you act for, and your units and roles.

The citizen's start page is an overview to scan before the e-services, as 1177's is: the next
bookings and open invitations to book, the newest unread messages with the unread count, and the
cases that wait for the person (care asked, or wrote something not yet read). All of it is the
acting subject's: a guardian acting for a child under 13 sees the child's. It costs the same however
long the person's history: each list is one Query of a few items on a sparse index that holds only
what is current (upcoming, open, unread, waiting), the counts are kept on write, and the units the
lists name are one BatchGetItem. Forms come with their own issue and are not here yet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.guardianship import Child
from chalicelib.domain.inbox import InboxMessage
from chalicelib.services import booking, cases, forms, inbox
from chalicelib.services.acting import children_to_act_for
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, StaffPrincipal

# The citizen's e-services menu, in the order 1177 shows them, with the region switch each
# depends on (None: always there). Each feature arrives with its own issue; until then the menu
# names it without a link; the inbox and settings work.
CITIZEN_SERVICES = (
    ("service.inbox", "inbox"),
    ("service.cases", "cases"),
    ("service.bookings", "booking"),
    ("service.self_tests", "self_tests"),
    ("service.forms", "forms"),
    ("service.journal", "journal"),
    ("service.medicines", "medicines"),
    ("service.certificates", "certificates"),
    ("service.consumables", "consumables"),
    ("service.listing", "listing"),
    ("service.complaints", "cases"),  # Synpunkter och klagomål: the complaint case type, to the unit or Patientnämnden
    ("service.settings", None),
)


# How many of each list the overview shows; each list links to its whole page.
NEXT_BOOKINGS = 3
OPEN_INVITATIONS = 3
NEWEST_UNREAD = inbox.UNREAD_SHOWN
CASES_WAITING = cases.WAITING_SHOWN
FORMS_TO_FILL = forms.OPEN_SHOWN


@dataclass(frozen=True)
class CitizenStart:
    children: list[Child]
    services: tuple[str, ...]
    unread: int | None  # None when the region has the inbox switched off
    bookings: list[booking.BookingView]  # the next few upcoming, soonest first
    children_unread: dict[str, int]  # unread in each child's inbox (a guardian is told only "something new")
    invitations: list[booking.InvitationView]  # open invitations to book, soonest to expire first
    unread_newest: list[InboxMessage]  # the newest unread messages, newest first
    cases_waiting: list[cases.WaitingCase]  # care's newest word first
    forms_to_fill: list[forms.FormRow]  # forms sent to the person not yet answered, soonest due first


@dataclass(frozen=True)
class UnitRoles:
    hsa_id: str
    name: str
    roles: list[str]


def citizen_start(ports: Ports, principal: CitizenPrincipal, now: datetime, *,
                  children_unread: bool = False, lang: str | None = None) -> CitizenStart:  # fmt: skip
    """`children_unread` (the start page): each child's unread count too, so a guardian told that
    something new waits sees whose inbox it is in. The counts are kept on write: one BatchGetItem for
    the subject's and every child's, however long their inboxes."""
    services = tuple(key for key, switch in CITIZEN_SERVICES if switch is None or ports.settings.eservice_on(switch))
    inbox_on = ports.settings.eservice_on("inbox")
    booking_on = ports.settings.eservice_on("booking")
    cases_on = ports.settings.eservice_on("cases")
    subject = principal.subject_id
    # One Query each, a few items: the sparse indexes hold only what stands, is open, unread or waiting.
    upcoming = ports.bookings.upcoming(subject, now, NEXT_BOOKINGS, None)[0] if booking_on else []
    invited = ports.invitations.open(subject, now, OPEN_INVITATIONS) if booking_on else []
    waiting = cases.waiting_for_me(ports, principal, lang, limit=CASES_WAITING) if cases_on else []
    newest = inbox.newest_unread(ports, principal, NEWEST_UNREAD) if inbox_on else []
    to_fill = forms.forms_to_fill(ports, principal, now, FORMS_TO_FILL) if ports.settings.eservice_on("forms") else []
    children = children_to_act_for(ports, principal, now)
    wanted = [subject, *(c.citizen_id for c in children if children_unread)] if inbox_on else []
    counted = ports.inbox.unread_counts(wanted)
    unread = counted.get(subject, 0) if inbox_on else None
    counts = {c.citizen_id: counted.get(c.citizen_id, 0) for c in children} if children_unread and inbox_on else {}
    # The units the lists name (a booking's rules and phone, an invitation's or a case's unit): one BatchGetItem.
    named = {b.unit_hsa_id for b in upcoming} | {i.unit_hsa_id for i in invited} | {c.unit_hsa_id for c in waiting}
    units = {u.hsa_id: u for u in ports.units.get_many(sorted(named))} if named else {}
    return CitizenStart(
        children=children, services=services, unread=unread, children_unread=counts,
        bookings=[booking.view(b, units[b.unit_hsa_id], now) for b in upcoming if b.unit_hsa_id in units],
        invitations=[booking.invitation_view(i, units.get(i.unit_hsa_id), now) for i in invited],
        unread_newest=newest,
        cases_waiting=[replace(c, unit_name=units[c.unit_hsa_id].name if c.unit_hsa_id in units else c.unit_hsa_id)
                       for c in waiting],
        forms_to_fill=to_fill,
    )  # fmt: skip


def staff_units(ports: Ports, principal: StaffPrincipal, region_label: str) -> list[UnitRoles]:
    """The staff member's units with their roles there; region-wide roles under the region."""
    names = {u.hsa_id: u.name for u in ports.units.get_many(principal.units())}
    names.setdefault(ports.settings.region_hsa_id, region_label)
    by_unit: dict[str, list[str]] = {}
    for role in principal.roles:
        by_unit.setdefault(role.unit_hsa_id, []).append(role.role.value)
    return sorted(
        (UnitRoles(hsa_id=h, name=names.get(h, h), roles=sorted(r)) for h, r in by_unit.items()),
        key=lambda u: (u.hsa_id != ports.settings.region_hsa_id, u.name),
    )
