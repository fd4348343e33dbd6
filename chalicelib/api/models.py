"""The JSON API's bodies as declared models (api/contract.py): requests (Model: unknown fields refused)
and responses (Out). The OpenAPI document's schemas are made from these and nothing else.

Limits and patterns are the services' own (services/input.py and each service's checks), so that a
body the document calls valid is one the server accepts, as far as its shape goes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, field

from chalicelib.api.contract import ID_PATTERN as ID_PATTERN_
from chalicelib.api.contract import DateTime, Day, HsaId, Id, Model, Out, Personnummer, optional_text, text

Lang = Literal["sv", "en"]
Channel = Literal["email", "sms"]
ReachChannel = Literal["own_account", "guardian"]
Next = str | None  # the next page's cursor; null: the last page


# -- who is logged in --------------------------------------------------------------------------------
class ActFor(Model):
    child_id: Id


class ActingFor(Out):
    child_id: str
    given_name: str


class Child(Out):
    child_id: str
    given_name: str
    birth_date: Day


class CitizenMe(Out):
    kind: Literal["citizen"]
    name: str
    acting_for: ActingFor | None
    can_act_for: list[Child]
    csrf_token: str


class StaffUnit(Out):
    hsa_id: str
    name: str
    roles: list[str]


class StaffMe(Out):
    kind: Literal["staff"]
    name: str
    hsa_id: str
    units: list[StaffUnit]
    csrf_token: str


# -- the inbox ---------------------------------------------------------------------------------------
class AttachmentInfo(Out):
    attachment_id: str
    filename: str
    content_type: str
    size_bytes: int


class Action(Out):
    label: str
    path: str


class InboxMessage(Out):
    message_id: str
    subject: str
    sent_at: DateTime
    unread: bool
    attachments: list[AttachmentInfo]
    actions: list[Action]
    state_note: str | None = None  # what became of it since: a summons replaced or cancelled, an offer answered
    body: str | None = None  # in an opened thread only


class Thread(Out):
    topic: str
    sender_unit: str
    unread: int
    messages: list[InboxMessage]


class InboxPage(Out):
    owner: Literal["self", "child"]
    unread: int
    threads: list[Thread]
    next_cursor: Next


class ThreadPage(Thread):
    next_cursor: Next


class DownloadLink(Out):
    url: str
    expires_in_seconds: int


class Deleted(Out):
    deleted: str


# -- settings ---------------------------------------------------------------------------------------
class Contact(Out):
    address: str | None
    pending: str | None


class Notify(Out):
    email: Contact
    sms: Contact


class Settings(Out):
    digital_first: bool
    language: Lang | None  # null: not chosen (the site's Swedish)
    notify: Notify


class SettingsUpdate(Model):
    digital_first: bool
    language: Lang


class ContactStart(Model):
    channel: Channel
    address: text(320, "An e-mail address or a Swedish mobile number")


class ContactVerify(Model):
    channel: Channel
    code: text(20, "The code sent to the address")


class AccessEntry(Out):
    read_at: DateTime
    staff_name: str
    unit_name: str
    what: str


class AccessLogPage(Out):
    entries: list[AccessEntry]
    next_cursor: Next


# -- booking ----------------------------------------------------------------------------------------
class BookingOut(Out):
    booking_id: str
    status: str
    unit_hsa_id: str
    unit_name: str
    visit_type_id: str
    visit_type_name: str
    slot_id: str
    start: DateTime
    end: DateTime
    place: str
    can_cancel: bool
    can_rebook: bool
    changes_close_at: DateTime
    unit_phone: str | None


class BookingsPage(Out):
    bookings: list[BookingOut]
    next_cursor: Next


class InvitationOut(Out):
    invitation_id: str
    unit_hsa_id: str
    unit_name: str
    visit_type_id: str
    visit_type_name: str
    expires_at: DateTime
    state: Literal["open", "used", "expired"]
    booking_id: str | None


class InvitationsPage(Out):
    invitations: list[InvitationOut]
    next_cursor: Next


class VisitType(Out):
    visit_type_id: str
    name: str
    duration_minutes: int
    place: str
    practitioner_role: str


class BookingUnit(Out):
    hsa_id: str
    name: str
    municipality: str
    visit_types: list[VisitType]


class BookingUnits(Out):
    units: list[BookingUnit]


class SlotOut(Out):
    slot_id: str
    start: DateTime
    end: DateTime
    place: str
    practitioner_role: str


class SlotsPage(Out):
    slots: list[SlotOut]
    next_cursor: Next


class Book(Model):
    slot_id: Id
    invitation_id: Id | None = None


class Rebook(Model):
    slot_id: Id


class Cancel(Model):
    reason: Literal["feeling_better", "cannot_come", "booked_elsewhere", "other"] | None = None


class EarlierTimeWish(Model):
    wanted: Annotated[bool, Meta(description="true: offer me an earlier time of the same visit if one comes free")]


class EarlierTimeOut(Out):
    booking_id: str
    wanted: bool
    waiting_since: str | None  # ISO 8601 UTC; the wait order: the longest wait is offered first


# -- staff work ---------------------------------------------------------------------------------------
CaseStatus = Literal["new", "in_progress", "waiting_for_citizen", "closed"]


class Handler(Out):
    hsa_id: str
    name: str


class StaffCaseSummary(Out):
    case_id: str
    unit_hsa_id: str
    case_type: str
    status: CaseStatus
    staff_status: Literal["new", "in_progress", "waiting_for_citizen", "citizen_replied", "closed"]
    arrived_at: DateTime | None
    due_at: DateTime | None
    closed_at: DateTime | None
    last_activity_at: DateTime | None
    handler: Handler | None
    version: int


class QueuePatient(Out):
    name: str | None
    protected_identity: bool
    age: int | None


class QueueCase(StaffCaseSummary):
    patient: QueuePatient


class StaffQueuePage(Out):
    view: str
    cases: list[QueueCase]
    next_cursor: Next


class PatientHeader(Out):
    """Protected identity: name null, address empty."""

    name: str | None
    personnummer: str | None
    age: int | None
    protected_identity: bool
    child_under_13: bool
    guardians_acting: bool
    in_register: bool
    address: list[str]


class Answer(Out):
    label: str
    answer: str


class ConversationEntry(Out):
    author: Literal["citizen", "staff"]
    name: str
    template: str | None
    text: str
    at: DateTime | None


class CaseMedicine(Out):
    """A medicine asked to be renewed, chosen from the list (Förnya recept) as the care system named it."""

    name: str
    strength: str | None
    form: str | None
    dosage: str | None


class StaffCase(StaffCaseSummary):
    patient: PatientHeader
    answers: list[Answer]
    medicines: list[CaseMedicine]  # Förnya recept from the list: the medicines chosen; empty otherwise
    conversation: list[ConversationEntry]
    colleagues: list[Handler]


class Reassign(Model):
    to_hsa_id: HsaId
    version: int | None = None


class OptionalText(Model):
    text: optional_text(4000) | None = None


class StaffAnswer(Model):
    template: Literal["counter_question", "answer", "partial", "referral"]
    text: text(4000)


# -- the integration API --------------------------------------------------------------------------------
class Address(Model):
    street: text(100)
    postal_code: text(10)
    city: text(100)


class PersonUpdate(Model):
    personnummer: Personnummer
    given_name: text(100)
    family_name: text(100)
    protected_identity: bool = False
    address: Address | None = None
    guardians: list[Personnummer] = []


class RegisterStored(Out):
    status: str
    guardians: int | None = None


class UploadRequest(Model):
    sender_unit_hsa_id: HsaId
    filename: text(500, "Shown to the citizen; at most 120 characters are kept")
    content_type: Literal["application/pdf", "image/png", "image/jpeg"]
    size_bytes: int


class UploadForm(Out):
    method: Literal["POST"]
    url: str
    fields: dict[str, str]


class UploadSlot(Out):
    attachment_id: str
    upload: UploadForm
    upload_expires_at: DateTime
    max_bytes: int


class NewMessage(Model):
    sender_unit_hsa_id: HsaId
    personnummer: Personnummer
    topic: text(100, "The thread's topic")
    subject: text(200)
    body: text(20000, "Plain text; blank lines separate paragraphs; https links")
    attachments: list[text(64)] | None = None


class Delivered(Out):
    message_id: str
    reaches_digitally: bool
    digital_channel: ReachChannel | None


class MessageStatus(Out):
    message_id: str
    delivered_at: DateTime | None
    read_at: DateTime | None
    deleted_by_citizen_at: DateTime | None


class CitizenStatusQuery(Model):
    personnummer: Personnummer


class CitizenStatus(Out):
    has_inbox: bool
    reaches_digitally: bool
    digital_channel: ReachChannel | None
    has_account: bool
    digital_first: bool
    notify_email: bool
    notify_sms: bool


class PublishedSlot(Model):
    slot_id: text(80, "The care system's id, unique per unit")
    visit_type_id: text(80)
    start: DateTime
    end: DateTime
    place: str | None = None
    practitioner_role: str | None = None
    visibility: Literal["web", "invited", "hidden"] = "web"
    resource: optional_text(80) | None = None


class SlotsPublish(Model):
    from_: Day = field(name="from")  # `from` is a Python keyword
    to: Day
    slots: Annotated[list[PublishedSlot], Meta(max_length=500)]


class Published(Out):
    published: int
    withdrawn: int
    slots: int


class Link(Model):
    label: text(100)
    url: text(2000)


class NewAppointment(Model):
    unit_hsa_id: HsaId
    personnummer: Personnummer
    visit_type_id: text(80)
    start: DateTime
    end: DateTime
    place: optional_text(200) | None = None
    preparation: optional_text(4000) | None = None
    links: list[Link] | None = None
    attachments: list[text(64)] | None = None
    may_rebook: bool | None = None
    may_cancel: bool = True
    outside_opening_hours_intended: bool = False
    far_ahead_intended: bool = False
    # Forms the unit uses, sent with it to the person's inbox at once (a health declaration before an
    # operation), due the day before the visit; one still valid is not asked again.
    forms: list[text(80)] | None = None


class AppointmentChange(Model):
    start: DateTime | None = None
    end: DateTime | None = None
    place: optional_text(200) | None = None
    preparation: optional_text(4000) | None = None
    links: list[Link] | None = None
    may_rebook: bool | None = None
    may_cancel: bool | None = None
    outside_opening_hours_intended: bool = False
    far_ahead_intended: bool = False


class Booked(Out):
    appointment_id: str
    summons_release_on: Day


class SummonsState(Out):
    state: str
    version: int
    release_on: str | None
    released_at: DateTime | None
    released_version: int | None
    inbox: bool
    paper: bool
    read_at: DateTime | None


class AppointmentStatus(Out):
    appointment_id: str
    status: str
    start: DateTime
    end: DateTime
    place: str
    summons: SummonsState


class PrintFile(Out):
    unit_hsa_id: str
    part: int
    letters: int
    url: str
    expires_in: int


class PrintBatch(Out):
    batch_date: Day
    closed_at: DateTime | None
    complete: bool
    letters: int
    files: list[PrintFile]


class Analysis(Model):
    analysis: text(80)
    outcome: Literal["negative", "positive", "technical_error"]


class LabResult(Model):
    analyses: list[Analysis]
    order_id: Id | None = None
    kit_number: Id | None = None
    personnummer: Personnummer | None = None
    analysed_at: optional_text(40) | None = None


class LabResultStored(Out):
    order_id: str
    result: Literal["negative", "positive", "technical_error"]


class KitOrderOut(Out):
    order_id: str
    test_id: str
    status: str
    ordered_at: DateTime
    delivery: str
    address_lines: list[str]
    kit_number: str | None


class KitOrdersPage(Out):
    orders: list[KitOrderOut]
    next_cursor: Next


# -- forms (formulär), for care systems ----------------------------------------------------------------
class FormDispatch(Model):
    """A form the unit uses, to one person or many (at most 1,000), with the last day to answer."""

    unit_hsa_id: HsaId
    form_id: text(80)
    personnummer: Annotated[list[Personnummer], Meta(min_length=1, max_length=1000)]
    due_on: Day  # after today, within a year (Stockholm days)
    remind_days_before: Annotated[int, Meta(ge=1, le=60)] | None = None


class FormDispatched(Out):
    sent: int
    already_sent: int  # by this same dispatch before (a retry)
    still_valid: int  # a health declaration that still stands is not asked again
    request_ids: list[str | None]  # in the order of personnummer; null where a valid declaration stands


class FormRequestOut(Out):
    request_id: str
    form_id: str
    version: int
    unit_hsa_id: str
    status: Literal["sent", "answered", "withdrawn", "purged"]
    sent_at: DateTime
    due_on: Day
    overdue: bool
    answered_at: DateTime | None
    score: str | None  # the sum of the answers' weights, for a scored form
    flagged: bool  # the score reached the form's threshold


class FormRequestDetail(FormRequestOut):
    response: dict[str, Any] | None  # the FHIR R4 QuestionnaireResponse, once answered


class FormRequestsPage(Out):
    requests: list[FormRequestOut]
    next_cursor: Next


class KitSent(Model):
    kit_number: Id


class KitOrderState(Out):
    order_id: str
    status: str


# -- the citizen's start, cases and self-tests (api/citizen_api.py) -------------------------------------
class ChildUnread(Out):
    child_id: str
    given_name: str
    birth_date: Day
    unread: int | None


class UnreadMessage(Out):
    message_id: str
    subject: str
    sender_unit: str
    sent_at: DateTime


class CaseWaiting(Out):
    """A case that waits for the citizen: care asked (`answer`: only a reply ends it) or wrote
    something not yet read (`read`: opening the case, or its letter in the inbox, ends it)."""

    case_id: str
    case_type: str
    unit_hsa_id: str
    unit_name: str
    waits_for: Literal["answer", "read"]
    since: DateTime  # when care last wrote


class FormToFill(Out):
    """A form sent to the person and not yet answered (fill it in at /forms/{request_id})."""

    request_id: str
    title: str  # in the request's language where the form has it
    unit_name: str
    due_on: Day
    overdue: bool


class Start(Out):
    """The start page's overview (the acting subject's: a child's when a guardian acts for one): who,
    the e-services switched on, the next bookings and open invitations, the unread count and the newest
    unread, the cases that wait for the person, the forms to fill in, and the children one may act for. A list of an
    e-service the region has switched off is empty."""

    name: str
    acting_for: ActingFor | None
    services: list[str]
    unread: int | None  # null: the region has the inbox switched off
    next_booking: BookingOut | None  # the first of next_bookings
    next_bookings: list[BookingOut]  # at most 3, soonest first
    invitations: list[InvitationOut]  # open ones (not used, not expired), at most 3, soonest to expire first
    unread_newest: list[UnreadMessage]  # at most 3, newest first
    cases_waiting: list[CaseWaiting]  # at most 3, care's newest word first
    forms_to_fill: list[FormToFill]  # at most 3, soonest due first
    children: list[ChildUnread]


class CaseUnit(Out):
    hsa_id: str
    name: str
    municipality: str
    phone: str | None


class CaseUnits(Out):
    units: list[CaseUnit]


QuestionKind = Literal["text", "choice", "date", "number", "yes_no"]


# Region content (case types, questions, visit types, self-tests) is in the request's language (the
# `lang` cookie, else Accept-Language, else Swedish), each text falling back to Swedish where the
# region wrote no English.
class QuestionOut(Out):
    question_id: str
    label: str
    kind: QuestionKind
    required: bool
    options: Annotated[list[str], Meta(description="A choice's options as answered: send one of these (the "
                                                   "region's Swedish, whatever the language shown)")]
    option_labels: Annotated[list[str], Meta(description="The same options as shown, in the request's language")]
    help_text: str


class CaseTypeOut(Out):
    case_type_id: str
    name: str
    description: str
    terms: str
    version: int
    questions: list[QuestionOut]


class CaseTypes(Out):
    unit: CaseUnit
    case_types: list[CaseTypeOut]


# An answer typed by its question's kind: text, choice and date (YYYY-MM-DD) as text, number as a
# whole number, yes_no as true/false.
AnswerValue = Annotated[str, Meta(max_length=4000)] | int | bool


class NewCase(Model):
    submission_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200,
                                       description="Your id for this case: sending again with it sends once")]
    accept_terms: bool
    answers: dict[Annotated[str, Meta(max_length=100)], AnswerValue] = {}


class CaseSent(Out):
    case_id: str


class CitizenCaseSummary(Out):
    case_id: str
    unit_hsa_id: str
    case_type: str
    status: CaseStatus
    sent_at: DateTime
    closed_at: DateTime | None


class CasesPage(Out):
    cases: list[CitizenCaseSummary]
    next_cursor: Next


class CitizenCase(CitizenCaseSummary):
    answers: list[Answer]
    medicines: list[CaseMedicine]  # Förnya recept from the list: the medicines chosen; empty otherwise
    conversation: list[ConversationEntry]
    questions: list[QuestionOut]  # an invånarärende's questions (or a counter-question's) to answer in a reply
    may_reply: bool


class CaseReply(Model):
    text: optional_text(4000) | None = None
    answers: dict[Annotated[str, Meta(max_length=100)], AnswerValue] = {}


class TestOfferOut(Out):
    test_id: str
    name: str
    instructions: str
    min_age: int | None
    deliveries: list[Literal["home", "pickup", "other"]]
    pickup_points: list[str]
    may_order: bool
    refusal: str | None
    open_order: bool
    home_address: list[str] | None


class Catalogue(Out):
    tests: list[TestOfferOut]


class KitOrder(Model):
    submission_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200,
                                       description="Your id for this order: sending again with it orders once")]
    delivery: Literal["home", "pickup", "other"]
    pickup_point: optional_text(200) | None = None
    name: optional_text(100) | None = None
    street: optional_text(100) | None = None
    postal_code: optional_text(10) | None = None
    city: optional_text(60) | None = None


class Ordered(Out):
    order_id: str


class KitRegistration(Model):
    kit_number: text(40)


class CitizenKitOrder(Out):
    order_id: str
    test_id: str
    test_name: str | None
    status: str
    delivery: str | None
    ordered_at: DateTime | None
    kit_number: str | None
    return_by: str | None
    result: Literal["negative", "positive", "technical_error"] | None
    resulted_at: DateTime | None
    result_text: Annotated[str | None, Meta(description="The region's text for the result, in the request's "
                                                        "language")]


class KitOrdersOfCitizen(Out):
    orders: list[CitizenKitOrder]
    next_cursor: Next


# -- the citizen's forms (formulär), api/citizen_api.py ------------------------------------------------
FormRequestStatus = Literal["sent", "answered", "withdrawn", "purged"]


class CitizenFormRow(Out):
    """A form sent to the person (the child's when acting for one)."""

    request_id: str
    title: str  # in the request's language where the form has it
    unit_name: str
    status: FormRequestStatus  # sent: to fill in (a draft may be saved); answered: sent back, read-only
    due_on: Day
    overdue: bool
    sent_at: DateTime
    answered_at: DateTime | None


class CitizenFormsPage(Out):
    forms: list[CitizenFormRow]
    next_cursor: Next


class CitizenForm(CitizenFormRow):
    """A form to fill in (status sent) or as it was sent back (answered: read-only). The app renders
    `questionnaire`, a page at a time (`pages`: the linkIds of each page's questions), asking only the
    questions in `enabled` (FHIR enableWhen, worked out from the answers so far); `response` holds the
    answers so far as a FHIR R4 QuestionnaireResponse (the draft, status in-progress; or the one sent,
    completed; null when nothing is saved yet, or the answers were purged after the unit's retention)."""

    unit_hsa_id: str
    may_answer: bool  # status sent: answers may be posted
    questionnaire: dict[str, Any]  # the FHIR R4 Questionnaire, the version this request was sent with
    pages: list[list[str]]
    enabled: list[str]  # in the order of the pages
    response: dict[str, Any] | None


FormStep = Literal["save", "next", "back", "send"]
LinkId = Annotated[str, Meta(max_length=300)]  # FHIR allows a linkId 255 characters, and "<linkId>.other"


class FormAnswers(Model):
    """One page's answers as the page posts them: each linkId of the page with its values as text (a
    boolean "true"/"false", a choice its code, a date YYYY-MM-DD, a number as written; several for a
    question that repeats; "<linkId>.other" for an open choice's own words). A question of the page
    left out removes its answer. The page is kept as a draft whatever the step."""

    page: Annotated[int, Meta(ge=1, le=200, description="The page posted, from 1")]
    step: FormStep  # save: stay; back: the page before; next: the page after; send: send the form
    answers: Annotated[dict[LinkId, Annotated[list[Annotated[str, Meta(max_length=4000)]], Meta(max_length=100)]],
                       Meta(max_length=500)] = {}


class FormPosted(Out):
    """After a page was posted (without errors: those are a 400 form_invalid, each under errors with
    field = the linkId): the page to show now (from 1), whether the form was sent, and whether the
    answers asked new questions on the same page (`more_asked`: the page stays, answer those too)."""

    page: int
    sent: bool
    more_asked: bool


# -- 1177 Journalen ----------------------------------------------------------------------------------
JournalCategory = Literal["notes", "diagnoses", "lab", "vaccinations", "medicines"]
JournalDenied = Literal["sealed", "too_young", "coordination_number", "child_too_old", "protected_child",
                        "not_guardian", "not_in_register"]  # fmt: skip


class JournalAccess(Out):
    """Whether the journal can be read here; `only_units`: the units with extended access (aged 13–15),
    null when every unit is read."""

    allowed: bool
    denied: JournalDenied | None
    only_units: list[str] | None


class JournalEntry(Out):
    source: str  # the care system's id in the region's settings
    resource_type: str  # the FHIR R4 resource it was read from
    resource_id: str
    when: DateTime
    date_only: bool  # the source gave a date without a time
    unit_hsa_id: str | None
    unit_name: str | None
    title: str
    lines: list[str]
    abnormal: bool  # a lab value outside its reference range
    status: str | None


class JournalUnit(Out):
    hsa_id: str
    name: str


class JournalPageOut(Out):
    """A page of a category of the journal, newest first, read from the care systems now (nothing is
    stored); `failed_sources` names each system that did not answer: the entries are the others'."""

    category: JournalCategory
    access: JournalAccess
    entries: list[JournalEntry]
    failed_sources: list[str]
    units: list[JournalUnit]
    next_cursor: Next


class CareAccessOut(Out):
    when: DateTime
    who: str | None
    unit_hsa_id: str | None
    unit_name: str | None
    what: str | None


class CareLogOut(Out):
    """Who in care opened the journal in the last twelve months, from the care systems that log it."""

    access: JournalAccess
    since: DateTime
    accesses: list[CareAccessOut]
    failed_sources: list[str]
    next_cursor: Next


# -- medicines: Förnya recept from a list, Mina läkemedel ------------------------------------------------
class PrescriptionOut(Out):
    key: str  # what a renewal names it by: source/type/id
    resource_type: Literal["MedicationRequest", "MedicationStatement"]
    name: str
    strength: str | None
    form: str | None  # beredningsform
    dosage: str | None
    unit_hsa_id: str | None  # the prescribing unit
    unit_name: str | None
    authored: DateTime
    status: str | None
    valid_until: Day | None  # dispenseRequest.validityPeriod.end


class RenewalUnitOut(Out):
    """A prescribing unit and what may be renewed there; `takes_renewals` false: contact the unit
    (`phone`) instead, nothing can be sent to it here."""

    hsa_id: str | None
    name: str
    takes_renewals: bool
    terms: str | None
    phone: str | None
    prescriptions: list[PrescriptionOut]


class DispenseOut(Out):
    when: DateTime
    date_only: bool
    quantity: str | None


class CurrentOut(Out):
    prescription: PrescriptionOut
    withdrawals_left: int | None  # uttag kvar: the first and numberOfRepeatsAllowed more, less those made
    dispenses: list[DispenseOut]


class MedicinesOut(Out):
    """Read from the care systems now (nothing is stored); `failed_sources` names each that did not
    answer. `may_renew`: 16 or older, or a guardian for a child under 13; `may_list` (`current`): 18
    or older, or the guardian."""

    may_renew: bool
    may_list: bool
    in_register: bool
    failed_sources: list[str]
    renewal_units: list[RenewalUnitOut]
    current: list[CurrentOut]


class RenewalIn(Model):
    submission_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200,
                                       description="Your id for this renewal: sending again with it sends once")]
    unit_hsa_id: HsaId
    accept_terms: bool
    medicines: Annotated[list[Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200)]], Meta(max_length=100)] = []
    not_listed: optional_text(4000) | None = None  # a medicine that is not in the list
    other: optional_text(4000) | None = None


# -- certificates: Mina intyg ----------------------------------------------------------------------------
class CertificateSendOut(Out):
    """A send on to a receiver: `pending` until the receiver took it (then `delivered`)."""

    send_id: str
    receiver_id: str
    receiver_name: str
    sent_at: DateTime
    status: Literal["pending", "delivered"]
    delivered_at: DateTime | None


class CertificateOut(Out):
    source: str  # the care system's id in the region's settings; with `id` it names the certificate
    id: str
    title: str
    issued: DateTime
    unit_hsa_id: str | None  # the issuing unit
    unit_name: str | None
    hidden: bool  # the person hid it from their list
    sends: list[CertificateSendOut]


class CertificateReceiverOut(Out):
    id: str
    name: str


class CertificatesOut(Out):
    """Read from the care systems now (nothing is stored); `failed_sources` names each that did not answer."""

    failed_sources: list[str]
    certificates: list[CertificateOut]
    receivers: list[CertificateReceiverOut]


class CertificateSendIn(Model):
    send_id: Annotated[str, Meta(pattern="^[0-9a-fA-F-]{36}$",
                                 description="A UUID of yours for this send: sending again with it sends once")]
    receiver_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=64)]
# -- förbrukningsartiklar and listning (api/consumable_pages.py, integration_v1.py) ----------------------
class ConsumableItemOut(Out):
    key: str
    name: str
    per_period: int
    quantity_unit: str
    period_months: int
    period_start: Day
    period_end: Day
    left: int
    open_order: bool
    unit_hsa_id: str | None
    unit_name: str | None
    note: str | None


class ConsumableOrderOut(Out):
    order_id: str
    item: str
    quantity: int
    quantity_unit: str
    status: str
    delivery: str
    placed_at: DateTime


class ConsumablesOut(Out):
    """Read from the care systems now (DeviceRequest); `may_order`: 18 or older, or a guardian for a
    child under 13. `home_delivery`: false for a protected identity."""

    may_order: bool
    in_register: bool
    failed_sources: list[str]
    items: list[ConsumableItemOut]
    home_delivery: bool
    pickup_points: list[str]
    orders: list[ConsumableOrderOut]
    next_cursor: Next


class ConsumableOrderIn(Model):
    submission_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200,
                                       description="Your id for this order: sending again with it orders once")]
    item: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200)]
    quantity: Annotated[int, Meta(ge=1, le=100000)]
    delivery: Literal["pickup", "home", "other"]
    pickup_point: optional_text(200) | None = None
    street: optional_text(100) | None = None
    postal_code: optional_text(10) | None = None
    city: optional_text(60) | None = None


class ConsumableOrderPlaced(Out):
    order_id: str


class SupplierOrderOut(Out):
    order_id: str
    status: str
    item: str
    quantity: int
    quantity_unit: str
    unit_hsa_id: str | None
    placed_at: DateTime
    delivery: str
    address_lines: list[str]


class SupplierOrdersPage(Out):
    orders: list[SupplierOrderOut]
    next_cursor: Next


class SupplierStep(Model):
    tracking: optional_text(100) | None = None


class ConsumableOrderState(Out):
    order_id: str
    status: str


class ListingUnitOut(Out):
    hsa_id: str
    name: str


class ListingRequestOut(Out):
    request_id: str
    unit_hsa_id: str
    unit_name: str
    status: str
    requested_at: DateTime
    message: str | None


class ListingOut(Out):
    may_request: bool
    in_register: bool
    failed_sources: list[str]
    listed_hsa_id: str | None
    listed_name: str | None
    units: list[ListingUnitOut]
    requests: list[ListingRequestOut]


class ListingRequestIn(Model):
    submission_id: Annotated[str, Meta(pattern=ID_PATTERN_, max_length=200)]
    unit_hsa_id: HsaId


class ListingRequested(Out):
    request_id: str


class ListingRequestForSystem(Out):
    request_id: str
    status: str
    unit_hsa_id: str
    current_unit_hsa_id: str | None
    requested_at: DateTime
    personnummer: str | None


class ListingRequestsPage(Out):
    requests: list[ListingRequestForSystem]
    next_cursor: Next


class ListingDecision(Model):
    decision: Literal["accepted", "refused"]
    message: optional_text(2000) | None = None


class ListingDecided(Out):
    request_id: str
    status: str
