"""Self-testing from order to result: citizens order (or register a picked-up kit), the lab or
logistics partner ships, the lab posts the result, which goes straight to the inbox with the
region's text; positive results come with a treatment referral and land in the clinic's
follow-up list. A daily schedule reminds a week before the 40-day return limit and expires
kits after it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.access_log import AccessEntry
from chalicelib.adapters.self_tests import KitNumberInUse, Taken
from chalicelib.adapters.tables import FollowUpRecord, KitOrderRecord
from chalicelib.domain import self_tests as rules
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.error_text import ErrorText, N_
from chalicelib.domain.events import DomainEvent, Kind, event
from chalicelib.domain.inbox import Action
from chalicelib.domain.people import Person
from chalicelib.domain.personnummer import Personnummer
from chalicelib.domain.roles import StaffRole
from chalicelib.domain.self_tests import Delivery, Outcome, Status, TestOffer
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.observability import logger, record_metric
from chalicelib.services import inbox, paging, persons
from chalicelib.services.input import (decode_cursor, encode_cursor, identifier, json_object, optional_text,
                                       personnummer, required_text)
from chalicelib.services.integration import run_idempotent
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal, IntegrationPrincipal, StaffPrincipal
from chalicelib.catalogs import translate

LAB_SCOPE = "lab-results"
FOLLOW_UP_ROLES = (StaffRole.CASE_RECEIVER, StaffRole.CASE_HANDLER, StaffRole.REVIEWER)
PAGE_MAX = 100
REFUSALS = {
    "not_registered_in_region": N_("Du behöver vara folkbokförd i regionen för att beställa testet."),
    "too_young": N_("Testet kan beställas från 15 års ålder. Kontakta en ungdomsmottagning."),
}


@dataclass(frozen=True)
class OfferView:
    offer: TestOffer
    refusal: str | None  # why the subject may not order it, in Swedish (an ErrorText); None: may order
    open_order: bool  # an order of the test is open (ordered, not yet resulted or expired)
    home_address: list[str] | None  # None: no home delivery (protected identity or no address)


def _offer(ports: Ports, test_id: str) -> TestOffer:
    offer = next((o for o in ports.test_catalogue.offers() if o.test_id == test_id), None)
    if offer is None:
        raise NotFound("test_not_offered", "Regionen erbjuder inte det testet.")
    return offer


def _refusal(person: Person | None, offer: TestOffer, now: datetime) -> str | None:
    """Why the person (as the register has them; None: not registered here) may not order the test."""
    if person is None:
        reason: str | None = "not_registered_in_region"
    else:
        reason = rules.ineligibility(offer, True, person.birth_date, stockholm_date(now))
    return ErrorText(REFUSALS[reason]) if reason else None


def _home(person: Person | None) -> list[str] | None:
    if person is None or person.protected_identity or person.address is None:
        return None  # a protected address is never printed on a parcel
    return [person.full_name, person.address.street, f"{person.address.postal_code} {person.address.city}"]


def catalogue(ports: Ports, principal: CitizenPrincipal, now: datetime) -> list[OfferView]:
    """Every test with whether the subject may order it: the register read once for all of them, and
    the open orders from their locks (one a test), not from the subject's order history."""
    open_tests = ports.kit_orders.open_tests(principal.subject_id)
    person = ports.register.get(principal.subject_id)
    return [OfferView(o, _refusal(person, o, now), o.test_id in open_tests, _home(person))
            for o in ports.test_catalogue.offers()]  # fmt: skip


ORDERS_PAGE = 20


def my_orders(ports: Ports, principal: CitizenPrincipal,
              cursor: str | None = None) -> paging.Page[tuple[KitOrderRecord, TestOffer | None]]:  # fmt: skip
    """A page of the subject's orders, newest first: one Query."""
    offers = {o.test_id: o for o in ports.test_catalogue.offers()}
    scope = f"kit-orders:{principal.subject_id}"
    orders, following = ports.kit_orders.citizen_page(principal.subject_id, ORDERS_PAGE,
                                                      paging.start(ports, scope, cursor))  # fmt: skip
    return paging.Page([(r, offers.get(r.test_id)) for r in orders], paging.following(ports, scope, following))


def order(ports: Ports, principal: CitizenPrincipal, test_id: str, fields: dict[str, str], now: datetime,
          lambda_context: Any = None) -> str:  # fmt: skip
    """Order a kit: eligibility first, one open order per test, one kit per form however often sent."""
    offer = _offer(ports, test_id)
    person = ports.register.get(principal.subject_id)
    if refusal := _refusal(person, offer, now):
        raise Unprocessable("not_eligible", refusal)
    try:
        delivery = Delivery(fields.get("delivery", ""))
    except ValueError:
        raise BadInput("delivery_invalid", "Välj hur du vill få kitet.", field="delivery") from None
    if delivery not in offer.deliveries:
        raise BadInput("delivery_invalid", "Det sättet att få kitet finns inte för testet.", field="delivery")
    if delivery is Delivery.HOME:
        address = _home(person)
        if address is None:
            raise BadInput("delivery_invalid", "Vi kan inte skicka till din folkbokföringsadress. Välj ett utlämningsställe.",
                           field="delivery")  # fmt: skip
    elif delivery is Delivery.PICKUP:
        point = fields.get("pickup_point", "")
        if point not in offer.pickup_points:
            raise BadInput("pickup_point_invalid", "Välj ett utlämningsställe.", field="pickup_point")
        address = [point]
    else:
        address = [required_text(fields, "name", 100), required_text(fields, "street", 100),
                   f"{required_text(fields, 'postal_code', 10)} {required_text(fields, 'city', 60)}"]  # fmt: skip

    def order_once() -> dict[str, Any]:
        order_id = str(uuid.uuid4())
        record = KitOrderRecord(
            principal.subject_id, f"order#{order_id}", order_id=order_id, test_id=offer.test_id,
            status=Status.ORDERED.value, ordered_key=f"{now.isoformat()}#{order_id}", delivery=delivery.value,
            address_lines=address, ordered_at=now,
        )  # fmt: skip
        try:
            ports.kit_orders.create(record, event(Kind.KIT_ORDERED, _stream_key(order_id), now, order_id=order_id))
        except Taken:
            raise Conflict("order_open", "Du har redan en pågående beställning av det testet.") from None
        logger.info("kit ordered", extra={"order_id": order_id, "test_id": offer.test_id})
        record_metric("KitOrdered")
        return {"order_id": order_id}

    payload = {"test_id": test_id, "delivery": delivery.value, "subject": principal.subject_id}
    return str(run_idempotent(operation="self_tests.order", caller=principal.citizen_id,
                              idempotency_key=fields.get("submission_id"), payload=payload, command=order_once,
                              lambda_context=lambda_context)["order_id"])  # fmt: skip


def register_kit(ports: Ports, principal: CitizenPrincipal, kit_number: str | None, now: datetime) -> str:
    """A kit picked up from a box outside a clinic, registered by its number once the sample is taken."""
    number = rules.normalise_kit_number(kit_number or "")
    if rules.kit_number_mistyped(number):  # a typo is caught before it can match someone else's kit
        raise Unprocessable("kit_unknown", "Kitnumret stämmer inte. Kontrollera att du har skrivit av det rätt.")
    kit = ports.kits.get(number) if number else None
    if kit is None or kit.registered_order_id:
        raise Unprocessable("kit_unknown", "Vi hittar inget oregistrerat kit med det numret. Kontrollera numret.")
    offer = _offer(ports, kit.test_id)
    if refusal := _refusal(ports.register.get(principal.subject_id), offer, now):
        raise Unprocessable("not_eligible", refusal)
    order_id = str(uuid.uuid4())
    record = KitOrderRecord(
        principal.subject_id, f"order#{order_id}", order_id=order_id, test_id=offer.test_id,
        status=Status.SAMPLE_REGISTERED.value, ordered_key=f"{now.isoformat()}#{order_id}",
        delivery=Delivery.PICKUP.value, kit_number=number, ordered_at=now, sent_at=now, sample_registered_at=now,
        awaiting_sample="yes", return_by=rules.return_deadline(now).isoformat(),
    )  # fmt: skip
    try:
        ports.kit_orders.create(record, event(Kind.KIT_ORDERED, _stream_key(order_id), now, order_id=order_id),
                                kit=number)  # fmt: skip
    except Taken:
        raise Conflict("order_open", "Du har redan en pågående beställning av det testet, eller kitet är redan "
                                     "registrerat.") from None  # fmt: skip
    return order_id


def _own_order(ports: Ports, principal: CitizenPrincipal, order_id: str) -> KitOrderRecord:
    record = ports.kit_orders.by_order(order_id)
    if record is None or record.citizen_id != principal.subject_id:
        raise NotFound("order_not_found", "Beställningen finns inte.")
    return record


def sample_taken(ports: Ports, principal: CitizenPrincipal, order_id: str, now: datetime) -> None:
    record = _own_order(ports, principal, order_id)
    taken = event(Kind.KIT_SAMPLE_TAKEN, _stream_key(order_id), now, order_id=order_id)
    if not ports.kit_orders.sample_taken(record, now, taken):
        raise Unprocessable("order_not_sent", "Provet kan registreras när kitet har kommit.")


# -- the lab and the logistics partner -------------------------------------------------------------


def _keys_tests(ports: Ports, principal: IntegrationPrincipal) -> frozenset[str]:
    """The tests a lab key works for: those followed up at one of the key's units. An order belongs
    to its test's follow-up unit, so a unit's key sees and answers only that unit's orders."""
    return frozenset(o.test_id for o in ports.test_catalogue.offers() if o.follow_up_unit in principal.allowed_units)


def _keys_order(ports: Ports, principal: IntegrationPrincipal, order_id: str) -> KitOrderRecord:
    """An order of the key's units; another unit's gets the same answer as one that does not exist."""
    record = ports.kit_orders.by_order(identifier(order_id, "order_id") or "")
    if record is None or record.test_id not in _keys_tests(ports, principal):
        raise NotFound("order_not_found", "Beställningen finns inte.")
    return record


def _cursor_key(ports: Ports) -> bytes:
    return hashlib.sha256(b"cursor:" + ports.settings.pnr_hmac_key).digest()


def waiting_orders(ports: Ports, principal: IntegrationPrincipal, status: str | None,
                   cursor: str | None) -> dict[str, Any]:  # fmt: skip
    """GET /integration/v1/kit-orders?status=ordered: a page of the key's units' orders to ship, oldest first."""
    principal.require_scope(LAB_SCOPE)
    if status not in ("ordered", "sent", "sample_registered"):
        raise BadInput("status_invalid", "status är ordered, sent eller sample_registered.", field="status")
    scope = f"kit-orders:{principal.key_id}:{status}"  # a cursor serves the key and query it came from
    start = decode_cursor(_cursor_key(ports), scope, cursor)
    tests = _keys_tests(ports, principal)
    if not tests:
        return {"orders": [], "next_cursor": None}
    page, following = ports.kit_orders.waiting(Status(status), PAGE_MAX, start, tests)
    return {
        "orders": [{"order_id": r.order_id, "test_id": r.test_id, "status": r.status,
                    "ordered_at": r.ordered_at.isoformat(), "delivery": r.delivery,
                    "address_lines": list(r.address_lines or []), "kit_number": r.kit_number} for r in page],
        "next_cursor": encode_cursor(_cursor_key(ports), scope, following) if following else None,
    }  # fmt: skip


def mark_sent(ports: Ports, principal: IntegrationPrincipal, order_id: str, body: Any,
              now: datetime) -> dict[str, Any]:  # fmt: skip
    principal.require_scope(LAB_SCOPE)
    body = json_object(body, {"kit_number"})
    kit_number = (identifier(required_text(body, "kit_number", 40), "kit_number") or "").upper()
    record = _keys_order(ports, principal, order_id)
    if record.kit_number == kit_number and record.status != Status.ORDERED.value:
        return {"order_id": order_id, "status": record.status}  # the same call again
    try:
        shipped = event(Kind.KIT_SHIPPED, _stream_key(record.order_id), now, order_id=record.order_id)
        sent = ports.kit_orders.mark_sent(record, kit_number, now, rules.return_deadline(now), shipped)
    except KitNumberInUse:
        raise Conflict("kit_number_in_use", "Kitnumret används redan i regionen, för en annan beställning eller ett "
                                            "kit att hämta. Ange numret på kitet som skickas.",
                       field="kit_number") from None  # fmt: skip
    if not sent:
        raise Conflict("order_not_waiting", "Beställningen väntar inte på att skickas.")
    return {"order_id": order_id, "status": Status.SENT.value}


def mark_received(ports: Ports, principal: IntegrationPrincipal, order_id: str, now: datetime) -> dict[str, Any]:
    principal.require_scope(LAB_SCOPE)
    record = _keys_order(ports, principal, order_id)
    if record.status == Status.RECEIVED.value:
        return {"order_id": order_id, "status": record.status}  # the same call again
    received = event(Kind.KIT_RECEIVED, _stream_key(order_id), now, order_id=order_id)
    if not ports.kit_orders.mark_received(record, now, received):
        raise Conflict("order_not_out", "Beställningen har inget kit ute.")
    return {"order_id": order_id, "status": Status.RECEIVED.value}


def last_delivery(ports: Ports, principal: CitizenPrincipal, test_id: str) -> dict[str, str]:
    """What the subject chose last time for this test, so ordering again is one click: one GetItem."""
    last = ports.kit_orders.last_choice(principal.subject_id, test_id)
    if last is None or not last.delivery:
        return {}
    chosen = {"delivery": last.delivery}
    if last.delivery == Delivery.PICKUP.value and last.address_lines:
        chosen["pickup_point"] = last.address_lines[0]
    elif last.delivery == Delivery.OTHER.value and last.address_lines and len(last.address_lines) == 3:
        postal_code, _, city = last.address_lines[2].partition(" ")
        chosen.update(name=last.address_lines[0], street=last.address_lines[1], postal_code=postal_code, city=city)
    return chosen


def post_result(ports: Ports, principal: IntegrationPrincipal, body: Any, idempotency_key: str | None,
                now: datetime, lambda_context: Any = None) -> dict[str, Any]:  # fmt: skip
    """POST /integration/v1/lab-results: the result to the inbox, once per Idempotency-Key."""
    principal.require_scope(LAB_SCOPE)
    body = json_object(body, {"order_id", "kit_number", "personnummer", "analyses", "analysed_at"})
    if bool(body.get("order_id")) == bool(body.get("kit_number")):
        raise BadInput("order_or_kit_required", "Ange order_id eller kit_number.", field="order_id")
    order_id = identifier(body.get("order_id"), "order_id", required=False)
    kit_number = identifier(body.get("kit_number"), "kit_number", required=False)
    sampled = _sampled_person(body, now)
    analyses = body.get("analyses")
    if not isinstance(analyses, list) or not analyses:
        raise BadInput("analyses_invalid", "Fältet analyses ska vara en lista med analys och utfall.", field="analyses")
    outcomes: dict[str, Outcome] = {}
    for item in analyses:
        try:
            if not isinstance(item["analysis"], str):
                raise TypeError("analysis")
            outcomes[item["analysis"]] = Outcome(item["outcome"])
        except (KeyError, TypeError, ValueError):
            raise BadInput("analyses_invalid", "Varje analys har analysis och outcome (negative, positive, "
                                               "technical_error).", field="analyses") from None  # fmt: skip
    analysed_at = optional_text(body, "analysed_at", 40)

    def result_once() -> dict[str, Any]:
        record = (ports.kit_orders.by_order(order_id) if order_id
                  else ports.kit_orders.by_kit(str(kit_number).upper()))  # fmt: skip
        # Another unit's order gets the same answer as one that does not exist.
        if record is None or record.test_id not in _keys_tests(ports, principal):
            raise Unprocessable("order_unknown", "Beställningen eller kitet finns inte.")
        _require_same_person(ports, record, sampled)
        if Status(record.status) not in rules.OPEN:
            raise Conflict("already_resulted", "Beställningen har redan ett svar eller har gått ut.")
        offer = _offer(ports, record.test_id)
        if set(outcomes) != set(offer.analyses):
            raise BadInput("analyses_invalid", "Testet har analyserna {analyses}.", field="analyses",
                           values={"analyses": ", ".join(offer.analyses)})
        result = rules.overall(outcomes)
        posted = event(Kind.LAB_RESULT_POSTED, _stream_key(record.order_id), now, order_id=record.order_id)
        try:
            ports.kit_orders.resulted(record, outcomes, result, now, posted)
        except Taken:
            raise Conflict("already_resulted", "Beställningen har redan ett svar.") from None
        logger.info("lab result", extra={"order_id": record.order_id, "analysed_at_given": bool(analysed_at)})
        record_metric("LabResultDelivered")
        return {"order_id": record.order_id, "result": result.value}

    return run_idempotent(operation="self_tests.result", caller=principal.key_id, idempotency_key=idempotency_key,
                          payload=body, command=result_once, lambda_context=lambda_context)  # fmt: skip


def _sampled_person(body: dict[str, Any], now: datetime) -> Personnummer | None:
    """The personnummer the lab read from the sample: required with a kit number (a number alone can be
    misread or reused), checked when given with an order id."""
    if body.get("personnummer") is None and not body.get("kit_number"):
        return None
    if body.get("personnummer") is None:
        raise BadInput("personnummer_required", "Ange personnumret på provet tillsammans med kit_number.",
                       field="personnummer")  # fmt: skip
    return personnummer(body["personnummer"], "personnummer", stockholm_date(now))


def _require_same_person(ports: Ports, record: KitOrderRecord, sampled: Personnummer | None) -> None:
    """A result reaches only the person who ordered the kit: another personnummer is refused, nothing sent."""
    if sampled is not None and ports.identities.find(sampled) != record.citizen_id:
        logger.warning("lab result for another person refused", extra={"order_id": record.order_id})
        raise Unprocessable("person_mismatch", "Personnumret på provet är inte personens som beställde kitet. "
                                               "Svaret har inte skickats; kontrollera kitnumret och personnumret.",
                            field="personnummer")  # fmt: skip


def _stream_key(order_id: str) -> str:
    return f"kit_order#{order_id}"


# -- follow-ups of a kit order's events (listed in services/follow_ups.py) ------------------------------


def tell_result(ports: Ports, posted: DomainEvent) -> None:
    """The result in the person's inbox with the region's text; a positive one with a treatment
    referral, and on the clinic's follow-up list. Ids fixed by the event: once, however often it comes."""
    record = ports.kit_orders.by_order(posted["order_id"])
    if record is None or record.result is None:
        return
    offer = _offer(ports, record.test_id)
    stored = record.outcomes.as_dict() if hasattr(record.outcomes, "as_dict") else dict(record.outcomes or {})
    outcomes = {k: Outcome(v) for k, v in stored.items()}
    result = Outcome(record.result)
    now = posted.occurred_at
    unit = ports.units.get(offer.follow_up_unit)
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(now)).language
    files: tuple[Attachment, ...] = ()
    actions: tuple[Action, ...] = ()
    if result is Outcome.POSITIVE:
        positive = [a for a, o in outcomes.items() if o is Outcome.POSITIVE]
        person = ports.register.get(record.citizen_id)
        from chalicelib.web.letters import referral_pdf  # fpdf2 only when a referral is made

        pdf = referral_pdf(lang, person.full_name if person else "", offer.name.in_(lang), positive, record.order_id,
                           stockholm_date(now), unit.name if unit else "", unit.phone if unit else None)  # fmt: skip
        attachment = Attachment(posted.follow_up_id("referral"), translate(lang, "referral.file"), "application/pdf",
                                len(pdf))  # fmt: skip
        ports.attachment_files.put(attachment.attachment_id, pdf, attachment.content_type)
        files = (attachment,)
        ports.follow_ups.add(FollowUpRecord(
            offer.follow_up_unit, f"{now.isoformat()}#{record.order_id}", citizen_id=record.citizen_id,
            order_id=record.order_id, test_name=offer.name.sv, positive=positive, resulted_at=now))  # fmt: skip
    elif result is Outcome.TECHNICAL_ERROR:
        actions = (Action(translate(lang, "selftest.mail.order_again"), f"/self-tests/{offer.test_id}"),)
    letter = inbox.Letter(topic=translate(lang, "selftest.mail.topic", test=offer.name.in_(lang)),
                          subject=translate(lang, "selftest.mail.result_subject", test=offer.name.in_(lang)),
                          body=offer.result_text(result).in_(lang), actions=actions)  # fmt: skip
    inbox.deliver(ports, record.citizen_id, unit, letter, "lab", now, files=files,
                  message_id=posted.follow_up_id("result"))


def expire_and_remind(ports: Ports, now: datetime) -> dict[str, int]:
    """Daily: remind a week before the return limit, expire after it; each once, with its event
    (the message to the citizen follows from it)."""
    reminded = expired = 0
    for record in ports.kit_orders.near_deadline(now + rules.REMINDER_BEFORE):
        key = _stream_key(record.order_id)
        if datetime.fromisoformat(record.return_by) <= now:
            try:
                ports.kit_orders.expire(record, now, event(Kind.KIT_EXPIRED, key, now, order_id=record.order_id))
            except Taken:
                continue
            expired += 1
        elif ports.kit_orders.remind(record, now, event(Kind.KIT_REMINDED, key, now, order_id=record.order_id)):
            reminded += 1
    return {"reminded": reminded, "expired": expired}


def tell_deadline(ports: Ports, happened: DomainEvent) -> None:
    """A reminder a week before the return limit, or that the order expired after it."""
    record = ports.kit_orders.by_order(happened["order_id"])
    if record is None:
        return
    offer = _offer(ports, record.test_id)
    unit = ports.units.get(offer.follow_up_unit)
    lang = persons.reach_of(ports, record.citizen_id, stockholm_date(happened.occurred_at)).language
    if happened.kind is Kind.KIT_EXPIRED:
        text = translate(lang, "selftest.mail.expired", days=rules.RETURN_DAYS)
        actions: tuple[Action, ...] = (Action(translate(lang, "selftest.mail.order_again"),
                                              f"/self-tests/{offer.test_id}"),)  # fmt: skip
        subject = translate(lang, "selftest.mail.expired_subject", test=offer.name.in_(lang))
    else:
        deadline = stockholm_date(datetime.fromisoformat(record.return_by))
        text = translate(lang, "selftest.mail.reminder", date=deadline.isoformat())
        actions = ()
        subject = translate(lang, "selftest.mail.reminder_subject", test=offer.name.in_(lang))
    topic = translate(lang, "selftest.mail.topic", test=offer.name.in_(lang))
    inbox.deliver(ports, record.citizen_id, unit, inbox.Letter(topic, subject, text, actions),
                  "lab", happened.occurred_at, message_id=happened.follow_up_id("message"))


# -- the clinic's follow-up list ---------------------------------------------------------------------


FOLLOW_UP_PAGE = 25  # the access-log rows of a page in one BatchWriteItem


def follow_up_list(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, now: datetime,
                   cursor: str | None = None) -> paging.Page[tuple[FollowUpRecord, str | None]]:  # fmt: skip
    """A page of positive results for the clinic to follow up, newest first, with each person's name:
    one Query, one BatchGetItem of the register, and the access-log rows of those shown in one
    BatchWriteItem (25 a request)."""
    if not principal.has_role(unit_hsa_id, *FOLLOW_UP_ROLES):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till enhetens uppföljningslista.")
    scope = f"follow-ups:{unit_hsa_id}"
    entries, following = ports.follow_ups.page(unit_hsa_id, FOLLOW_UP_PAGE, paging.start(ports, scope, cursor))
    if not entries:
        return paging.Page([], paging.following(ports, scope, following))
    unit = ports.units.get(unit_hsa_id)
    people = {p.citizen_id: p for p in ports.register.get_many(sorted({e.citizen_id for e in entries}))}
    ports.access_log.record_many([(entry.citizen_id, AccessEntry(
        staff_hsa_id=principal.hsa_id, staff_name=principal.display_name, unit_hsa_id=unit_hsa_id,
        unit_name=unit.name if unit else unit_hsa_id, what="lab_result", item_id=entry.order_id, read_at=now))
        for entry in entries])  # fmt: skip
    return paging.Page([(e, None if (p := people.get(e.citizen_id)) is None or p.protected_identity else p.full_name)
                        for e in entries], paging.following(ports, scope, following))  # fmt: skip
