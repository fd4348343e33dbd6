"""Domain events: one per state change, written in the same DynamoDB transaction as the change.

An event says what happened to which thing, with ids only (never a name, an address or a
personnummer): the follow-ups (services/follow_ups.py) read the current state by those ids.
Events of one thing (a booking, a summons, a kit order) share a stream key, so the stream
delivers them in the order they happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    BOOKING_BOOKED = "booking.booked"
    BOOKING_MOVED = "booking.moved"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_REMINDED = "booking.reminded"  # online changes close now: the one-time schedule fired
    SUMMONS_ISSUED = "summons.issued"  # care booked a visit; its summons waits for the evening
    SUMMONS_CHANGED = "summons.changed"  # the visit moved or changed, from any door
    SUMMONS_CANCELLED = "summons.cancelled"
    SUMMONS_RELEASED = "summons.released"  # the evening release: now it goes out
    MESSAGE_DELIVERED = "message.delivered"
    INVITATION_SENT = "invitation.sent"  # staff invited a person to book (öppen kallelse)
    # Earlier times (tidigare tid), on the booking's stream key: the holder starts or stops waiting for
    # one; a freed slot is offered to the longest waiting (held for them until the offer expires), who
    # accepts (with the booking's own `booking.moved`), declines, or lets it expire. Data: booking_id,
    # offer_id, slot_id.
    EARLIER_TIME_WANTED = "earlier_time.wanted"
    EARLIER_TIME_UNWANTED = "earlier_time.unwanted"
    EARLIER_TIME_OFFERED = "earlier_time.offered"
    EARLIER_TIME_ACCEPTED = "earlier_time.accepted"
    EARLIER_TIME_DECLINED = "earlier_time.declined"
    EARLIER_TIME_EXPIRED = "earlier_time.expired"
    # New web times published at a unit (a care system's PUT, the staff tool), stream key "slots#<unit>":
    # data names the unit and the new slots (space-separated ids), each offered to whoever waits.
    SLOTS_PUBLISHED = "slots.published"
    KIT_ORDERED = "kit_order.ordered"  # ordered, or a picked-up kit registered by its number
    KIT_SHIPPED = "kit_order.shipped"
    KIT_SAMPLE_TAKEN = "kit_order.sample_taken"  # the person says the sample is on its way
    KIT_RECEIVED = "kit_order.received"  # the lab has the sample
    KIT_REMINDED = "kit_order.reminded"
    KIT_EXPIRED = "kit_order.expired"
    CONSUMABLE_PLACED = "consumable_order.placed"  # förbrukningsartiklar: ordered for delivery
    CONSUMABLE_SHIPPED = "consumable_order.shipped"  # the supplier sent it
    CONSUMABLE_DELIVERED = "consumable_order.delivered"
    CONSUMABLE_CANCELLED = "consumable_order.cancelled"  # the citizen withdrew it before it was sent
    LISTING_REQUESTED = "listing.requested"  # asked to be listed at another vårdcentral
    LISTING_DECIDED = "listing.decided"  # the region's listing system accepted or refused
    LAB_RESULT_POSTED = "lab_result.posted"
    # A case (ärende), stream key "case#<id>": sent by a citizen or started by staff (invånarärende),
    # then worked on. Each staff entry the citizen should read (answer, counter-question, reminder,
    # closing words, the invånarärende itself) names it by `entry`, its index in the conversation.
    CASE_SENT = "case.sent"
    CASE_STARTED = "case.started"
    CASE_TAKEN = "case.taken"
    CASE_RELEASED = "case.released"
    CASE_REASSIGNED = "case.reassigned"
    CASE_ANSWERED = "case.answered"
    CASE_REPLIED = "case.replied"  # the citizen answered a counter-question
    CASE_REMINDED = "case.reminded"
    CASE_CLOSED = "case.closed"
    # Forms (formulär). A definition, stream key "form#<form_id>": published (imported or edited, a
    # new version) or retired; a unit's subscription, "unit_form#<unit>#<form_id>". A form sent to a
    # person, "form_request#<id>": sent, a draft saved, answered, reminded, overdue, withdrawn,
    # exported, purged.
    FORM_PUBLISHED = "form.published"
    FORM_RETIRED = "form.retired"
    FORM_SUBSCRIBED = "form.subscribed"
    FORM_SUBSCRIPTION_CHANGED = "form.subscription_changed"
    FORM_UNSUBSCRIBED = "form.unsubscribed"
    FORM_SENT = "form_request.sent"
    FORM_DRAFT_SAVED = "form_request.draft_saved"
    FORM_ANSWERED = "form_request.answered"
    FORM_REMINDED = "form_request.reminded"
    FORM_OVERDUE = "form_request.overdue"
    FORM_WITHDRAWN = "form_request.withdrawn"
    FORM_EXPORTED = "form_request.exported"
    FORM_PURGED = "form_request.purged"
    # A package dispatch, "form_package#<id>": scheduled (its parts' one-time schedules follow), a part sent.
    FORM_PACKAGE_SCHEDULED = "form_package.scheduled"
    FORM_PACKAGE_PART_SENT = "form_package.part_sent"
    # Protections care (or the person) puts around a person (domain/restrictions.py), stream key
    # "person#<citizen_id>" (the child's, for a blocked guardian or an extension): data names the
    # restriction's key, the unit it was decided at, and the guardian or unit it concerns (ids only).
    JOURNAL_SEALED = "journal.sealed"
    JOURNAL_UNSEALED = "journal.unsealed"
    JOURNAL_UNIT_HIDDEN = "journal.unit_hidden"  # decided again: renewed for two months
    JOURNAL_UNIT_SHOWN = "journal.unit_shown"
    JOURNAL_ACCESS_EXTENDED = "journal.access_extended"
    JOURNAL_EXTENSION_ENDED = "journal.extension_ended"
    GUARDIAN_BLOCKED = "guardian.blocked"
    GUARDIAN_UNBLOCKED = "guardian.unblocked"
    LOGIN_REMOVED = "login.removed"
    LOGIN_RESTORED = "login.restored"
    # Mina intyg, stream key "certificates#<citizen_id>" (the certificate's subject): data names the
    # certificate ("<source>/<id>"), and for a send its id and the receiver (ids only).
    CERTIFICATE_HIDDEN = "certificate.hidden"
    CERTIFICATE_SHOWN = "certificate.shown"
    CERTIFICATE_SENT = "certificate.sent"  # the follow-up POSTs it to the receiver, once per send id
    CERTIFICATE_DELIVERED = "certificate.delivered"  # the receiver took it
    # A citizen's session began (e-legitimering), stream key "login#<citizen_id>", no data: the
    # statistics count logins from it (domain/usage.py).
    CITIZEN_LOGGED_IN = "citizen.logged_in"


class Door(StrEnum):
    """Who made the change: the same change through any door has the same follow-ups; the door
    only changes the wording ("Mottagningen har flyttat din tid")."""

    CITIZEN = "citizen"
    STAFF = "staff"
    CARE_SYSTEM = "care_system"
    SCHEDULE = "schedule"


@dataclass(frozen=True)
class DomainEvent:
    kind: Kind
    stream_key: str  # "booking#<id>", "summons#<id>", "inbox#<citizen_id>", "kit_order#<id>", "case#<id>",
    # "invitation#<id>"
    occurred_at: datetime
    data: dict[str, str] = field(default_factory=dict)  # ids, ISO times, short codes
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __getitem__(self, name: str) -> str:
        return self.data[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.data.get(name, default)

    def follow_up_id(self, follow_up: str) -> str:
        """A stable id for what one follow-up of this event writes: a redelivered event writes the same."""
        return str(uuid.uuid5(uuid.UUID(self.event_id), follow_up))


def event(kind: Kind, stream_key: str, now: datetime, **data: str | None) -> DomainEvent:
    return DomainEvent(kind, stream_key, now, {k: str(v) for k, v in data.items() if v is not None})
