"""DynamoDB tables (PynamoDB models) and their access patterns.

No table is keyed by a personnummer: citizens are known by an opaque `citizen_id`, and the
look-up from a personnummer goes through a keyed hash (HMAC-SHA256 with the region's
secret), so neither keys nor indexes reveal it.

Access patterns (every one a key look-up, a query or a transaction; never a full-table read):

| pattern                                         | call                                        |
| ----------------------------------------------- | ------------------------------------------- |
| start a login: remember state, nonce, verifier   | PutItem login-attempts                      |
| finish a login: take the attempt exactly once    | DeleteItem login-attempts, ReturnValues=ALL_OLD, condition exists |
| personnummer -> citizen_id                       | GetItem identities (pnr_key)                |
| first sight of a personnummer                    | PutItem identities, condition not exists    |
| a person in the population register             | GetItem register-persons (citizen_id)       |
| a guardian's children                            | BatchGetItem register-persons               |
| register update (person and guardian links)      | TransactWriteItems: UpdateItem register-persons, the feed's own attributes (+ register-audit) |
| who changed a person's guardians or protection   | Query register-audit (citizen_id), descending |
| account: login allowed, last login               | UpdateItem accounts (citizen_id)            |
| who reads a person's inbox: theirs and guardians' | BatchGetItem accounts (the person + a child's guardians) |
| session by cookie                                | GetItem sessions (sha256 of the token)      |
| session touched / acting-for changed / logout    | UpdateItem / DeleteItem sessions            |
| a staff member's roles                           | Query staff-roles (staff_hsa_id)            |
| the staff holding roles at a unit                | Query staff-roles index by-unit             |
| units                                            | GetItem / BatchGetItem units                |
| the region's unit directory, by name             | Query units index directory ("unit")        |
| integration key                                  | GetItem integration-clients (key_id)        |
| the region's integration keys (regional admin)   | Query integration-clients index directory ("client") |
| issue / rotate / revoke a key, note its last use | PutItem (condition new) / UpdateItem (condition on the secret, not revoked, last use older) |
| idempotent inbound calls (Powertools)           | Get/Put/Update idempotency                  |
| a page of a citizen's inbox, newest first        | Query inbox-messages (citizen_id), descending, Limit page+1 |
| a page of one thread of an inbox                 | Query inbox-messages index by-thread ("<citizen_id>#<thread>"), descending |
| unread counts (own, and each child's)            | BatchGetItem inbox-counts (citizen_id)      |
| an inbox's newest unread messages (start page)   | Query inbox-messages index unread (sparse, citizen_id), descending, Limit |
| one message by id (open, sender's status)        | Query inbox-messages index by-message       |
| a page of a unit's sent messages, newest first   | Query inbox-messages index by-sender-unit, descending, Limit page+1 |
| deliver / mark read / delete from inbox          | TransactWriteItems: Put (condition new) / Update (condition unread) + UpdateItem inbox-counts ADD ±n |
| deliver with attachments                         | the same, + UpdateItem each upload (condition unused) |
| an attachment upload slot                        | PutItem / BatchGetItem attachment-uploads   |
| a staff member's signature and title             | GetItem / UpdateItem staff-profiles         |
| the staff directory: family name starting so     | Query staff-profiles index by-name ("staff", prefix), limit 20 |
| remove a unit's permission admin, never the last | TransactWriteItems: DeleteItem staff-roles + ConditionCheck another admin's role exists |
| a staff read of a citizen's data (access log)    | PutItem access-log (citizen_id, time)       |
| the Tidbok's day: each booking shown, logged     | BatchWriteItem access-log, 25 a request     |
| several reads at once (a list page, an export)   | BatchWriteItem access-log, 25 a request     |
| who read a citizen's data (a page)               | Query access-log (citizen_id), descending, Limit page+1 |
| a unit's slots between two times (all types)     | Query slots index by-unit (unit, start range): a day's free times read that day |
| the Tidbok's day or week (the grid)              | one Query slots index by-unit; names: BatchGetItem register-persons (holders on the slots) |
| one slot                                         | GetItem slots (slot_id)                     |
| publish a slot / withdraw a free one             | PutItem / DeleteItem slots, condition not booked (and new or the same source) |
| publish / withdraw many (care system PUT, staff) | TransactWriteItems of 100 Put/Delete, each with its condition |
| book / rebook / cancel                           | TransactWriteItems: slots (condition free / ours; holder set / removed) + bookings (+ invitation) |
| a page of a citizen's upcoming bookings          | Query bookings index upcoming (sparse: booked and shown; citizen_id, start >= a day ago) |
| a person's latest bookings (staff overview)      | Query bookings index by-citizen-start, descending, Limit |
| one of a citizen's bookings                      | GetItem bookings (citizen_id, booking_id)   |
| one booking (staff, the cutoff schedule)         | Query bookings index by-booking             |
| the cutoff reminder, once                        | UpdateItem bookings, condition not reminded for this start |
| a citizen's invitations                          | Query / GetItem invitations (citizen_id, invitation_id) |
| a citizen's open invitations (start page)        | Query invitations index open-by-expiry (sparse: not used; expires > now), Limit |
| summonses due for the evening release (planner)  | Query summons index to-release (sparse), release_on <= date, ids and versions only, a page at a time |
| release summonses exactly once (a worker's chunk) | TransactWriteItems: 50 x (summons, condition state and version, + its event) |
| the released summonses' texts (follow-up)        | BatchGetItem summons, units, register-persons, accounts (100 keys a call) |
| their inbox messages, letters and where they went | TransactWriteItems: message + event, letter, summons; ConditionCheck print-batches "batch" not closed |
| a unit's summonses                               | Query summons index by-unit                 |
| one evening's letters, or one file's key range   | Query print-letters (batch_date[, letter_key between]) |
| close an evening's print batch                   | UpdateItem print-batches (batch_date, "batch") |
| an evening's print files                         | Query print-batches (batch_date)            |
| the region's self-test catalogue                 | Query test-offers (catalogue)               |
| a page of a citizen's kit orders, newest first   | Query kit-orders index by-citizen (citizen_id, ordered_key), descending |
| the tests a citizen has an open order of         | Query kit-orders (citizen_id, begins_with "open#") |
| the delivery chosen last time for a test         | GetItem kit-orders (citizen_id, "last#<test_id>") |
| order with one open order per test               | TransactWriteItems: PutItem order + PutItem open lock (condition new) + PutItem last choice |
| one order by id / by kit number                  | Query kit-orders index by-order / by-kit    |
| orders waiting to be shipped (paged)             | Query kit-orders index by-status            |
| kits near or past their return deadline          | Query kit-orders index deadline (sparse)    |
| a picked-up kit by number                        | GetItem kits (kit_number)                   |
| a kit sent: its number taken once in the region  | TransactWriteItems: UpdateItem kit-orders (condition ordered) + PutItem kits (condition new) |
| a citizen's consumable orders, newest first      | Query consumable-orders (owner=citizen_id, begins_with "order#"), descending, Limit page+1 |
| the items a citizen has an open order of         | Query consumable-orders (citizen_id, begins_with "open#") |
| what was ordered of an item in a period          | GetItem consumable-orders (citizen_id, "taken#<item>#<period start>") |
| place an order: one open per item, within what is left | TransactWriteItems: Put order (condition new) + Put open lock (condition new) + UpdateItem taken ADD (condition within the prescribed) + event |
| the region's pickup points for consumables       | GetItem consumable-orders ("region", "pickup-points") |
| one consumable order by id                       | Query consumable-orders index by-order      |
| consumable orders in a status, oldest first (supplier, paged) | Query consumable-orders index by-status (status, placed_key) |
| ship / deliver / cancel an order                 | TransactWriteItems: UpdateItem consumable-orders (condition status as before) (+ Delete open lock, + ADD -n taken) + event |
| a person's listing request(s), newest first      | Query listing-requests (citizen_id, begins_with "request#"), descending, Limit |
| ask to list at another vårdcentral: one open     | TransactWriteItems: Put request (condition new) + Put "open" lock (condition new) + event |
| one listing request by id                        | Query listing-requests index by-request     |
| listing requests in a status, oldest first (paged) | Query listing-requests index by-status (status, requested_key) |
| the listing system's decision                    | TransactWriteItems: UpdateItem listing-requests (condition open) + Delete "open" lock + event |
| a page of a clinic's follow-up list              | Query follow-ups (unit_hsa_id), descending, Limit page+1 |
| the central case types, or one unit's local ones | Query case-types (owner)                    |
| one case type; the version a case was sent with  | GetItem case-types (owner, id) / ("version#<id>", version) |
| new case type / edit (new version)               | TransactWriteItems: Put current (condition new / version as read) + Put version (condition new) |
| pause / resume / retire a case type or reply     | UpdateItem case-types / standard-replies, condition exists and not retired |
| assign a central case type to a unit             | UpdateItem units ADD / DELETE active_case_types |
| a unit's open cases, soonest due first           | Query cases index open-queue (sparse)       |
| a page of a citizen's cases                      | Query cases index by-citizen, descending, Limit page+1 |
| a unit's figures (open, overdue, in time)        | Query unit-figures ("unit#<hsa_id>", figure >= "due#<now>") |
| count a case in its unit's figures (follow-up)   | GetItem + TransactWriteItems unit-figures: the case's shares (condition version as read) + ADD ±1 each counter |
| a unit's standard replies                        | Query standard-replies (unit_hsa_id)        |
| take a case / answer / reply                     | UpdateItem cases with a condition on handler and status |
| queue views Nya, Väntar, Invånaren har svarat    | Query cases index queue-state (sparse), "<unit>#<state>", by due then arrival |
| queue views Mina, Otilldelade                    | Query cases index queue-handler (sparse), "<unit>#<HSA-id or ->" |
| queue view Avslutade (30 dagar)                  | Query cases index closed-recent (sparse), closed_key >= 30 days ago |
| a citizen's cases that wait for them (start page) | Query cases index waiting-for-citizen (sparse), descending, Limit |
| the citizen opens a case with news from care     | UpdateItem cases citizen_read_at, condition status and care_wrote_at as read |
| one person's cases at one unit (patient search)  | Query cases index by-citizen-unit ("<citizen_id>#<unit>") |
| release / reassign / remind / close a case       | UpdateItem cases, condition on version (exactly one wins) |
| a notification to send (coalesced)               | UpdateItem notifications, condition none waiting and none sent in 15 min |
| notifications due now, not yet queued (planner)  | Query notifications index due (sparse), due_at <= now, a page at a time |
| ask for / queue / claim many notifications       | TransactWriteItems of UpdateItem notifications, each with a condition |
| what became of many notifications                | TransactWriteItems of UpdateItem notifications |
| whether many holders may be notified now         | BatchGetItem notifications                  |
| claim / done / retry a notification              | UpdateItem notifications with a condition   |
| a change and its domain event, together          | TransactWriteItems: the change + PutItem events (condition new) |
| follow-ups of new events                         | the events table's stream (DynamoDB Streams), never a read |
| tell a unit of a citizen's change                | PutItem unit-notices (condition new), UpdateItem when mailed |
| the unit's recent notices (Tidbok)               | Query unit-notices (unit_hsa_id), descending, limit |
| count one hit against a rate limit (atomic)      | UpdateItem rate-limits ADD hits, condition below the limit (TransactWriteItems for two at once) |
| the region's forms, by title (current versions)  | Query form-definitions index catalogue ("region") |
| a form's version / its newest version            | GetItem form-definitions / Query (form_id) descending, limit 1 |
| import / edit a form: the new version current    | TransactWriteItems form-definitions (new, condition new; the old loses `listed`) + event |
| a unit's forms (subscriptions, figures)          | Query unit-forms (unit_hsa_id)              |
| send a form to many                              | TransactWriteItems of 50 form-requests + their events; BatchGetItem form-validity |
| a form sent to a person, by id                   | GetItem form-requests (request_id)          |
| a person's forms / the ones to fill              | Query form-requests index by-citizen / open-by-due (sparse) |
| a unit's dispatches of a form (follow-up)        | Query form-requests index by-unit-form      |
| draft / answer / remind / overdue / export / purge | TransactWriteItems: UpdateItem form-requests (condition on status) + event (+ form-validity, + unit-forms figures) |
| what the daily forms job does on a day           | Query form-requests indexes remind-on / due-on / purge-on (sparse, the day) |
| a package dispatch; a part sent (once)           | PutItem form-packages (+ event); UpdateItem ADD sent_parts, condition not yet (+ event) |
| a page of a unit's packages, newest first        | Query form-packages index by-unit (unit_hsa_id, created_key), descending, Limit page+1 |
| a unit's form settings; stop / resume using one  | UpdateItem unit-forms, condition exists (and in use / stopped) (+ event) |
| a person's valid health declaration of a form    | GetItem / BatchGetItem form-validity (citizen_id, form_id) |
| a person's protections (seal, hidden units, blocks, login, extensions) | Query restrictions (citizen_id) |
| decide / renew / lift a protection               | TransactWriteItems: Put / Delete restrictions (condition new / exists) + PutItem restriction-audit + event (+ UpdateItem register-persons ADD / DELETE blocked_guardian_ids, + UpdateItem accounts login_removed) |
| the protections decided at a unit, newest first  | Query restrictions index by-deciding-unit (sparse), descending, Limit page+1 |
| a person's protection decisions (history)        | Query restriction-audit (citizen_id), descending, Limit page+1 |
| a person's hidden certificates and sends (Mina intyg) | Query certificates (citizen_id) |
| hide / show a certificate; send one on           | TransactWriteItems: Put (condition new) / Delete (condition exists) certificates + event |
| a send delivered to its receiver (follow-up)     | GetItem certificates; TransactWriteItems UpdateItem (condition not delivered) + event |
| a person's live sessions (login removed)         | Query sessions index by-subject (keys only), then DeleteItem each |
"""

from __future__ import annotations

import os

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.adapters.aws import Model  # pynamodb's Model on one shared connection

# Table names are fixed when the models are defined, so the prefix is read from the
# environment here rather than from the settings model (which needs secrets to load).
TABLE_PREFIX = os.environ.get("TABLE_PREFIX", "eservices")


def _meta(name: str) -> type:
    class Meta:
        table_name = f"{TABLE_PREFIX}-{name}"
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1"
        billing_mode = "PAY_PER_REQUEST"

    return Meta


class LoginAttempt(Model):
    """An OpenID Connect authorization request awaiting its callback (single use)."""

    Meta = _meta("login-attempts")
    state_hash = UnicodeAttribute(hash_key=True)
    audience = UnicodeAttribute()  # "citizen" or "staff"
    nonce = UnicodeAttribute()
    code_verifier = UnicodeAttribute()
    browser_binding_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class SessionsBySubjectIndex(GlobalSecondaryIndex):
    """A person's live sessions (keys only): ended at once when their login is removed."""

    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject_id = UnicodeAttribute(hash_key=True)


class SessionRecord(Model):
    """A server-side session. The cookie holds a random token; only its hash is stored."""

    Meta = _meta("sessions")
    session_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "citizen" or "staff"
    subject_id = UnicodeAttribute()  # citizen_id, or the staff member's HSA-id
    by_subject = SessionsBySubjectIndex()
    display_name = UnicodeAttribute()
    acting_for_id = UnicodeAttribute(null=True)  # a child's citizen_id
    csrf_token = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()  # the absolute lifetime; DynamoDB removes it afterwards
    acr = UnicodeAttribute(null=True)  # the level of assurance of the login
    auth_time = UTCDateTimeAttribute(null=True)  # when the person authenticated at the provider
    id_token = UnicodeAttribute(null=True)  # id_token_hint for the provider's logout; never sent elsewhere


class Identity(Model):
    """personnummer (as a keyed hash) -> opaque citizen id."""

    Meta = _meta("identities")
    pnr_key = UnicodeAttribute(hash_key=True)
    citizen_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class PostalAddress(MapAttribute):
    street = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    city = UnicodeAttribute()


class RegisterPerson(Model):
    """A person in the region's copy of the population register (folkbokföring)."""

    Meta = _meta("register-persons")
    citizen_id = UnicodeAttribute(hash_key=True)
    personnummer = UnicodeAttribute()  # twelve digits; an attribute, never a key
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()  # ISO date
    protected_identity = BooleanAttribute(default=False)  # skyddad identitet
    address = PostalAddress(null=True)  # withheld for protected identity
    guardian_ids = UnicodeSetAttribute(null=True)
    child_ids = UnicodeSetAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    # Not the register's: kept by the protections (adapters/restrictions.py) in their own transaction,
    # so every path that reads the person knows them without another read. The feed never writes them.
    blocked_guardian_ids = UnicodeSetAttribute(null=True)  # guardians care blocked from this child
    login_removed = BooleanAttribute(null=True)  # care removed the person's login (a child: no guardian acts)


class RegisterAuditRecord(Model):
    """A change of a person's guardians or protected identity in the register: which key (system),
    what changed (citizen ids, never a personnummer), when. Written in the change's transaction."""

    Meta = _meta("register-audit")
    citizen_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "<changed_at ISO>#<random>"
    key_id = UnicodeAttribute()
    system_name = UnicodeAttribute()
    changes = UnicodeSetAttribute()  # "guardians", "protected_identity"
    guardians_before = UnicodeSetAttribute(null=True)
    guardians_after = UnicodeSetAttribute(null=True)
    protected_before = BooleanAttribute(null=True)  # null: the person was new
    protected_after = BooleanAttribute()
    changed_at = UTCDateTimeAttribute()


class PendingContact(MapAttribute):
    """An address waiting for its one-time code; only an HMAC of the code is stored."""

    address = UnicodeAttribute()
    code_hash = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)


class Account(Model):
    """A citizen's account with the e-services, and their settings (inställningar)."""

    Meta = _meta("accounts")
    citizen_id = UnicodeAttribute(hash_key=True)
    login_removed = BooleanAttribute(default=False)
    first_login_at = UTCDateTimeAttribute(null=True)
    last_login_at = UTCDateTimeAttribute(null=True)
    digital_first = BooleanAttribute(default=False)  # "information from care digitally first": no paper
    language = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)  # verified addresses only
    sms = UnicodeAttribute(null=True)
    pending_email = PendingContact(null=True)
    pending_sms = PendingContact(null=True)


class StaffByUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit"
        projection = AllProjection()

    unit_hsa_id = UnicodeAttribute(hash_key=True)
    assignment = UnicodeAttribute(range_key=True)


class StaffRoleAssignment(Model):
    """One role for one staff member at one unit."""

    Meta = _meta("staff-roles")
    staff_hsa_id = UnicodeAttribute(hash_key=True)
    assignment = UnicodeAttribute(range_key=True)  # "<unit_hsa_id>#<role>"
    unit_hsa_id = UnicodeAttribute()
    role = UnicodeAttribute()
    staff_name = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute()
    by_unit = StaffByUnitIndex()


class OpeningHours(MapAttribute):
    weekday = NumberAttribute()  # 0 = Monday
    opens = UnicodeAttribute()  # "08:00", Stockholm time
    closes = UnicodeAttribute()


class VisitTypeMap(MapAttribute):
    """A visit type a unit offers, with its booking rules (domain/booking.py)."""

    visit_type_id = UnicodeAttribute()
    name = UnicodeAttribute()  # Swedish; each text's English, if any, beside it in <attribute>_en
    name_en = UnicodeAttribute(null=True)
    duration_minutes = NumberAttribute()
    place = UnicodeAttribute()
    place_en = UnicodeAttribute(null=True)
    practitioner_role = UnicodeAttribute()
    practitioner_role_en = UnicodeAttribute(null=True)
    web_booking = BooleanAttribute(default=True)
    earliest = UnicodeAttribute(default="tomorrow")  # "today" or "tomorrow"
    cancel_cutoff_minutes = NumberAttribute(default=24 * 60)
    rebook_cutoff_minutes = NumberAttribute(default=24 * 60)
    cancel_online = BooleanAttribute(default=True)
    sensitive = BooleanAttribute(default=False)  # a calendar file names it only "Besök"


class UnitDirectoryIndex(GlobalSecondaryIndex):
    """Every unit under one key, sorted by name: the directory is small and read whole."""

    class Meta:
        index_name = "directory"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class SummonsTemplateMap(MapAttribute):
    heading = UnicodeAttribute()
    intro = UnicodeAttribute()
    footer = UnicodeAttribute()
    contact = UnicodeAttribute(default="")


class UnitRecord(Model):
    """A care unit (vårdenhet)."""

    Meta = _meta("units")
    hsa_id = UnicodeAttribute(hash_key=True)
    listed = UnicodeAttribute(default="unit")  # the directory index's one key
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # "primary_care", "specialist", "sti_dermatology", …
    municipality = UnicodeAttribute()
    street = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    city = UnicodeAttribute()
    phone = UnicodeAttribute()
    opening_hours = ListAttribute(of=OpeningHours, default=list)
    visit_types = ListAttribute(of=VisitTypeMap, default=list)
    summons_template = SummonsTemplateMap(null=True)
    active_case_types = UnicodeSetAttribute(null=True)  # central case types the unit has switched on
    paused_case_types = UnicodeSetAttribute(null=True)
    functional_mailbox = UnicodeAttribute(null=True)  # the unit's shared e-mail (funktionsbrevlåda), optional
    # How long an earlier-time offer holds a freed slot for one person (minutes; unset: 30, see
    # domain/earlier_times.py): the staff tool's booking rules page sets it.
    offer_hold_minutes = NumberAttribute(null=True)
    directory = UnitDirectoryIndex()


class IntegrationClientDirectoryIndex(GlobalSecondaryIndex):
    """Every key under one key, by system name: the regional admin's list (a region has a handful)."""

    class Meta:
        index_name = "directory"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)
    system_name = UnicodeAttribute(range_key=True)


class IntegrationClient(Model):
    """A care system's credentials for /integration/v1. Only the secret's hash is stored. After a
    rotation the previous secret's hash is kept until `previous_valid_until` (the overlap)."""

    Meta = _meta("integration-clients")
    key_id = UnicodeAttribute(hash_key=True)
    secret_hash = UnicodeAttribute()
    system_name = UnicodeAttribute()
    allowed_units = UnicodeSetAttribute(null=True)
    scopes = UnicodeSetAttribute(null=True)
    region_wide = BooleanAttribute(default=False)  # the region's own system (register feed), not a unit's
    created_at = UTCDateTimeAttribute()
    listed = UnicodeAttribute(default="client")  # the directory index's one key
    issued_by = UnicodeAttribute(null=True)  # HSA-id of the regional admin (None: the demo seed)
    previous_secret_hash = UnicodeAttribute(null=True)
    previous_valid_until = UTCDateTimeAttribute(null=True)
    rotated_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)  # noted at most once per few minutes
    directory = IntegrationClientDirectoryIndex()


class IdempotencyRecord(Model):
    """The table Powertools Idempotency writes to (its default attribute names)."""

    Meta = _meta("idempotency")
    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


class ByMessageIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-message"
        projection = AllProjection()

    message_id = UnicodeAttribute(hash_key=True)


class BySenderUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-sender-unit"
        projection = AllProjection()

    sender_unit_hsa_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class ByThreadIndex(GlobalSecondaryIndex):
    """One inbox's thread, newest first: the thread page reads its own messages, not the inbox."""

    class Meta:
        index_name = "by-thread"
        projection = AllProjection()

    thread_owner = UnicodeAttribute(hash_key=True)  # "<citizen_id>#<thread key>": opaque ids only
    sort_key = UnicodeAttribute(range_key=True)


class UnreadIndex(GlobalSecondaryIndex):
    """Sparse: an inbox's unread messages (not deleted), newest first: the start page's newest unread
    read a few items, however long the inbox."""

    class Meta:
        index_name = "unread"
        projection = AllProjection()

    unread_owner = UnicodeAttribute(hash_key=True)  # the inbox's citizen_id while unread and not deleted
    sort_key = UnicodeAttribute(range_key=True)


class AttachmentMap(MapAttribute):
    attachment_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()


class ActionMap(MapAttribute):
    """A button in a message that leads into the e-services (an in-app path only)."""

    label = UnicodeAttribute()
    path = UnicodeAttribute()


class InboxMessageRecord(Model):
    """One message in one citizen's inbox. Deleting from the inbox only marks it, so the
    sender's record of having sent it (and when it was read) remains."""

    Meta = _meta("inbox-messages")
    citizen_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "<sent_at ISO>#<message_id>": newest first by key order
    message_id = UnicodeAttribute()
    sender_unit_hsa_id = UnicodeAttribute()
    sender_unit_name = UnicodeAttribute()
    sender_client_id = UnicodeAttribute()  # the integration key (or staff HSA-id) that sent it
    sender_staff_name = UnicodeAttribute(null=True)  # set when a staff member wrote it in the staff tool
    topic = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)
    deleted_by_citizen_at = UTCDateTimeAttribute(null=True)
    attachments = ListAttribute(of=AttachmentMap, null=True)
    actions = ListAttribute(of=ActionMap, null=True)
    thread_id = UnicodeAttribute(null=True)  # "booking#<id>": one thread per booking or summons
    state_note = UnicodeAttribute(null=True)  # "Ersatt av en ändrad kallelse", "Avbokad": set later
    thread_owner = UnicodeAttribute(null=True)  # "<citizen_id>#<thread key>" (domain/inbox.py thread_key)
    unread_owner = UnicodeAttribute(null=True)  # = citizen_id until first read or deleted (the unread index)
    by_message = ByMessageIndex()
    by_sender_unit = BySenderUnitIndex()
    by_thread = ByThreadIndex()
    by_unread = UnreadIndex()


class InboxCountRecord(Model):
    """An inbox's unread count, kept in the same transaction as every delivery, first reading and
    deletion of one of its messages, so the start page reads one number instead of the inbox."""

    Meta = _meta("inbox-counts")
    citizen_id = UnicodeAttribute(hash_key=True)  # the inbox's owner (a child's own, read by a guardian)
    unread = NumberAttribute(default=0)


class AttachmentUpload(Model):
    """An upload slot a care system asked for. The file waits under `incoming/` until a message
    takes it (then `message_id` is set and the TTL removed); an unused slot expires."""

    Meta = _meta("attachment-uploads")
    attachment_id = UnicodeAttribute(hash_key=True)
    client_key_id = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    message_id = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class SlotsByUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit"
        projection = AllProjection()

    unit_hsa_id = UnicodeAttribute(hash_key=True)
    start_key = UnicodeAttribute(range_key=True)


class SlotRecord(Model):
    """A bookable time. `booking_id` set means taken: booking is a conditional write on it."""

    Meta = _meta("slots")
    slot_id = UnicodeAttribute(hash_key=True)  # "<unit_hsa_id>/<the care system's or our id>"
    unit_hsa_id = UnicodeAttribute()
    start_key = UnicodeAttribute()  # "<start ISO UTC>#<slot_id>"
    visit_type_id = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    place = UnicodeAttribute()
    practitioner_role = UnicodeAttribute()
    visibility = UnicodeAttribute()  # web, invited, hidden
    booking_id = UnicodeAttribute(null=True)
    # Who published it: the care system's key id, or "staff" (the staff tool). A care system's PUT
    # replaces only its own; null is an appointment's own slot, which no PUT touches.
    source = UnicodeAttribute(null=True)
    resource = UnicodeAttribute(null=True)  # the practitioner or room (resurs) it belongs to; null: not specified
    # Who holds it (the opaque citizen id), set and removed with booking_id: the Tidbok's day reads names
    # from the register in one BatchGetItem, with no look-up per booking.
    citizen_id = UnicodeAttribute(null=True)
    # Held for an earlier-time offer (services/earlier_times.py): the booking offered it, until the offer
    # is answered or expires. A held slot is not free for anyone else: booking it is conditioned on both.
    held_for = UnicodeAttribute(null=True)
    held_until = UTCDateTimeAttribute(null=True)
    by_unit = SlotsByUnitIndex()


class ByBookingIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-booking"
        projection = AllProjection()

    booking_id = UnicodeAttribute(hash_key=True)


class BookingsByStartIndex(GlobalSecondaryIndex):
    """A citizen's bookings by start: the upcoming ones from now on, a person's latest backwards."""

    class Meta:
        index_name = "by-citizen-start"
        projection = AllProjection()

    citizen_id = UnicodeAttribute(hash_key=True)
    start_key = UnicodeAttribute(range_key=True)  # "<start ISO UTC>#<booking_id>"


class UpcomingBookingsIndex(GlobalSecondaryIndex):
    """Sparse: a citizen's bookings that stand and that the unit shows them, by start (cancelled and
    hidden ones are not in it, so a page of upcoming times is never eaten up by them)."""

    class Meta:
        index_name = "upcoming"
        projection = AllProjection()

    upcoming_owner = UnicodeAttribute(hash_key=True)  # the citizen_id while booked and shown
    start_key = UnicodeAttribute(range_key=True)


class WaitingForEarlierIndex(GlobalSecondaryIndex):
    """Sparse: bookings whose holder asked for an earlier time, per unit and visit type, the longest
    wait first (only bookings that stand and wait are in it): a freed slot pages through it."""

    class Meta:
        index_name = "waiting-for-earlier"
        projection = AllProjection()

    waits_for = UnicodeAttribute(hash_key=True)  # "<unit_hsa_id>#<visit_type_id>" while waiting
    wait_key = UnicodeAttribute(range_key=True)  # "<opted in ISO UTC>#<booking_id>"


class BookingRecord(Model):
    Meta = _meta("bookings")
    citizen_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute(range_key=True)
    unit_hsa_id = UnicodeAttribute()
    unit_name = UnicodeAttribute()
    visit_type_id = UnicodeAttribute()
    visit_type_name = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    place = UnicodeAttribute()
    status = UnicodeAttribute()  # booked, cancelled
    booked_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    hidden_from_citizen = BooleanAttribute(default=False)
    cancel_reason = UnicodeAttribute(null=True)
    invitation_id = UnicodeAttribute(null=True)
    reminded_for = UnicodeAttribute(null=True)  # the start (ISO) the cutoff reminder went out for
    allow_rebook = BooleanAttribute(default=True)
    allow_cancel = BooleanAttribute(default=True)
    sequence = NumberAttribute(default=0)  # one more in every move, retime and cancel transaction
    start_key = UnicodeAttribute(null=True)
    upcoming_owner = UnicodeAttribute(null=True)  # = citizen_id while booked and not hidden (the upcoming index)
    # An earlier time wanted (tidigare tid): set while the holder waits for one, removed when they stop
    # waiting, take an offered time, or the booking is cancelled (the waiting index).
    waits_for = UnicodeAttribute(null=True)
    wait_key = UnicodeAttribute(null=True)
    open_offer = UnicodeAttribute(null=True)  # the offer it holds now: one at a time, the next slot goes to the next
    by_booking = ByBookingIndex()
    by_start = BookingsByStartIndex()
    upcoming = UpcomingBookingsIndex()
    waiting_for_earlier = WaitingForEarlierIndex()


class EarlierOfferRecord(Model):
    """An earlier time offered to one booking (erbjudande om tidigare tid). Its id is fixed by the slot
    and the booking, so a slot is offered to a booking once, and a redelivered trigger writes nothing."""

    Meta = _meta("earlier-offers")
    offer_id = UnicodeAttribute(hash_key=True)
    slot_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    citizen_id = UnicodeAttribute()  # whose booking (a child's, for a guardian acting for them)
    unit_hsa_id = UnicodeAttribute()
    visit_type_id = UnicodeAttribute()
    slot_start = UTCDateTimeAttribute()
    slot_end = UTCDateTimeAttribute()
    booking_start = UTCDateTimeAttribute()  # the booking's time when offered
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    state = UnicodeAttribute()  # open, accepted, declined, expired
    decided_at = UTCDateTimeAttribute(null=True)
    inbox_message_ids = UnicodeSetAttribute(null=True)  # the offer's messages: their state note follows


class OpenInvitationsIndex(GlobalSecondaryIndex):
    """Sparse: a citizen's invitations not yet used, soonest to expire first (expired ones fall below
    the key condition `expires_key > now`)."""

    class Meta:
        index_name = "open-by-expiry"
        projection = AllProjection()

    open_owner = UnicodeAttribute(hash_key=True)  # the citizen_id until a booking uses it
    expires_key = UnicodeAttribute(range_key=True)  # "<expires ISO UTC>#<invitation_id>"


class InvitationRecord(Model):
    """An open invitation (öppen kallelse): one citizen may book one of these slots until it expires."""

    Meta = _meta("invitations")
    citizen_id = UnicodeAttribute(hash_key=True)
    invitation_id = UnicodeAttribute(range_key=True)
    unit_hsa_id = UnicodeAttribute()
    visit_type_id = UnicodeAttribute()
    slot_ids = UnicodeSetAttribute()
    expires_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)  # the signature on the invitation in the inbox
    created_at = UTCDateTimeAttribute()
    booking_id = UnicodeAttribute(null=True)  # set when used
    open_owner = UnicodeAttribute(null=True)  # = citizen_id until used (the open index)
    expires_key = UnicodeAttribute(null=True)
    open_by_expiry = OpenInvitationsIndex()


class ToReleaseIndex(GlobalSecondaryIndex):
    """Sparse: only summonses waiting for an evening release carry `pending`."""

    class Meta:
        index_name = "to-release"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)  # always "yes" while waiting
    release_on = UnicodeAttribute(range_key=True)  # ISO date of the evening


class SummonsByUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit"
        projection = AllProjection()

    unit_hsa_id = UnicodeAttribute(hash_key=True)
    start_key = UnicodeAttribute(range_key=True)  # "<start ISO>#<appointment_id>"


class LinkMap(MapAttribute):
    label = UnicodeAttribute()
    url = UnicodeAttribute()


class SummonsRecord(Model):
    """A visit care booked for a citizen (the booking itself is in bookings, same id) and the
    summons about it: what it says, and how far its release has come."""

    Meta = _meta("summons")
    appointment_id = UnicodeAttribute(hash_key=True)
    citizen_id = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute()
    start_key = UnicodeAttribute()
    client_key_id = UnicodeAttribute()  # the care system (or staff HSA-id) that booked it
    visit_type_id = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    place = UnicodeAttribute()
    preparation = UnicodeAttribute(default="")
    links = ListAttribute(of=LinkMap, default=list)
    attachments = ListAttribute(of=AttachmentMap, default=list)
    allow_rebook = BooleanAttribute(default=True)
    allow_cancel = BooleanAttribute(default=True)
    version = NumberAttribute(default=1)  # every change before or after release adds one
    state = UnicodeAttribute()  # pending, released, cancelled
    pending = UnicodeAttribute(null=True)
    release_on = UnicodeAttribute(null=True)
    released_version = NumberAttribute(null=True)
    released_at = UTCDateTimeAttribute(null=True)
    first_released_at = UTCDateTimeAttribute(null=True)  # later releases are "Ändrad kallelse"
    inbox_message_ids = UnicodeSetAttribute(null=True)  # every summons message sent, for read status
    paper = BooleanAttribute(default=False)  # the last release went on paper too
    created_at = UTCDateTimeAttribute()
    form_ids = UnicodeSetAttribute(null=True)  # forms sent with it (a health declaration before an operation)
    to_release = ToReleaseIndex()
    by_unit = SummonsByUnitIndex()


class PrintLetterRecord(Model):
    """One letter in an evening's print batch, with the address as the register gave it then."""

    Meta = _meta("print-letters")
    batch_date = UnicodeAttribute(hash_key=True)
    letter_key = UnicodeAttribute(range_key=True)  # "<unit_hsa_id>#<appointment_id>#<version>"
    citizen_id = UnicodeAttribute(null=True)  # whose summons: a staff download is access-logged per person
    unit_hsa_id = UnicodeAttribute()
    unit_name = UnicodeAttribute()
    unit_phone = UnicodeAttribute(null=True)  # printed under the sender: who to call about the letter
    address_lines = ListAttribute(of=UnicodeAttribute)
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    language = UnicodeAttribute(null=True)  # the letter's ("sv", "en"): its printed labels too; none: Swedish


class PrintBatchRecord(Model):
    """An evening's print batch: one item ("batch") that says when it closed — a letter written after
    that goes in the next evening's batch — and how many files it was cut into, and one item per PDF
    file in S3 ("file#<unit>#<part>", at most 500 letters each, one unit's only)."""

    Meta = _meta("print-batches")
    batch_date = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "batch", or "file#<unit_hsa_id>#<part, 4 digits>"
    closed_at = UTCDateTimeAttribute(null=True)
    files = NumberAttribute(null=True)  # on "batch": how many files the batch was cut into
    unit_hsa_id = UnicodeAttribute(null=True)
    part = NumberAttribute(null=True)
    letters = NumberAttribute(null=True)
    first_key = UnicodeAttribute(null=True)  # the file's letters: letter_key from first_key to last_key
    last_key = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)  # in the attachments bucket, under print-batches/
    made_at = UTCDateTimeAttribute(null=True)


class TestOfferRecord(Model):
    """One home test the region offers (domain/self_tests.py TestOffer)."""

    Meta = _meta("test-offers")
    catalogue = UnicodeAttribute(hash_key=True)  # always "region": the catalogue is read whole
    test_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()  # Swedish; each text's English, if any, beside it in <attribute>_en
    name_en = UnicodeAttribute(null=True)
    min_age = NumberAttribute(null=True)
    analyses = ListAttribute(of=UnicodeAttribute)
    instructions = UnicodeAttribute()
    instructions_en = UnicodeAttribute(null=True)
    deliveries = ListAttribute(of=UnicodeAttribute)
    pickup_points = ListAttribute(of=UnicodeAttribute, default=list)
    follow_up_unit = UnicodeAttribute()
    texts = MapAttribute()  # outcome -> the region's text
    texts_en = MapAttribute(null=True)  # outcome -> its English, for those that have one


class ByKitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-kit"
        projection = AllProjection()

    kit_number = UnicodeAttribute(hash_key=True)


class ByOrderIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)


class ByStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    ordered_key = UnicodeAttribute(range_key=True)  # "<ordered_at ISO>#<order_id>"


class KitOrdersByCitizenIndex(GlobalSecondaryIndex):
    """A citizen's orders, newest first (the lock and last-choice items have no `ordered_key`)."""

    class Meta:
        index_name = "by-citizen"
        projection = AllProjection()

    citizen_id = UnicodeAttribute(hash_key=True)
    ordered_key = UnicodeAttribute(range_key=True)


class DeadlineIndex(GlobalSecondaryIndex):
    """Sparse: only kits out with the citizen carry `awaiting_sample`."""

    class Meta:
        index_name = "deadline"
        projection = AllProjection()

    awaiting_sample = UnicodeAttribute(hash_key=True)  # always "yes"
    return_by = UnicodeAttribute(range_key=True)  # ISO UTC


class KitOrderRecord(Model):
    """A home test kit ordered (or picked up and registered) by a citizen, and its result. The
    item `open#<test_id>` beside the orders holds one open order per test; `last#<test_id>` the
    delivery chosen last time (the order form starts from it)."""

    Meta = _meta("kit-orders")
    citizen_id = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)  # "order#<order_id>" or "open#<test_id>"
    order_id = UnicodeAttribute(null=True)
    test_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    ordered_key = UnicodeAttribute(null=True)
    delivery = UnicodeAttribute(null=True)
    address_lines = ListAttribute(of=UnicodeAttribute, null=True)
    kit_number = UnicodeAttribute(null=True)
    ordered_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    sample_registered_at = UTCDateTimeAttribute(null=True)
    received_at = UTCDateTimeAttribute(null=True)
    resulted_at = UTCDateTimeAttribute(null=True)
    expired_at = UTCDateTimeAttribute(null=True)
    awaiting_sample = UnicodeAttribute(null=True)
    return_by = UnicodeAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)
    outcomes = MapAttribute(null=True)  # analysis -> outcome
    result = UnicodeAttribute(null=True)  # the overall outcome
    by_kit = ByKitIndex()
    by_order = ByOrderIndex()
    by_status = ByStatusIndex()
    deadline = DeadlineIndex()
    by_citizen = KitOrdersByCitizenIndex()


class KitRecord(Model):
    """A kit number in use in the region: a kit put out for picking up (a box outside a clinic), known by
    its number until registered, or a kit the lab has sent (registered to its order at once). Its
    conditional write keeps every number on one order only."""

    Meta = _meta("kits")
    kit_number = UnicodeAttribute(hash_key=True)
    test_id = UnicodeAttribute()
    registered_order_id = UnicodeAttribute(null=True)


class FollowUpRecord(Model):
    """A positive result in the STI clinic's follow-up list."""

    Meta = _meta("follow-ups")
    unit_hsa_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "<resulted_at ISO>#<order_id>"
    citizen_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    test_name = UnicodeAttribute()
    positive = ListAttribute(of=UnicodeAttribute)  # the analyses that were positive
    resulted_at = UTCDateTimeAttribute()


class ConsumablesByOrderIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-order"
        projection = AllProjection()

    order_id = UnicodeAttribute(hash_key=True)


class ConsumablesByStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    placed_key = UnicodeAttribute(range_key=True)  # "<placed_at ISO>#<order_id>"


class ConsumableOrderRecord(Model):
    """An order of a prescribed consumable (förbrukningsartikel) for delivery, ours from the moment it
    is placed (the prescription is read from the care system at view time, never stored). Beside the
    orders (`order#<placed ISO>#<order_id>`) the citizen's partition holds `open#<item key>`, one
    open order per item, and `taken#<item key>#<period start>`, what the orders took of the item in
    that period; the partition "region" holds the region's pickup points (`pickup-points`)."""

    Meta = _meta("consumable-orders")
    owner = UnicodeAttribute(hash_key=True)  # the citizen_id (the person it is for), or "region"
    order_key = UnicodeAttribute(range_key=True)
    order_id = UnicodeAttribute(null=True)
    item_key = UnicodeAttribute(null=True)  # source/DeviceRequest/id
    item_name = UnicodeAttribute(null=True)  # as the care system named it when ordered
    quantity = NumberAttribute(null=True)  # on an order; on a taken# item the sum for the period
    quantity_unit = UnicodeAttribute(null=True)
    period_start = UnicodeAttribute(null=True)  # the Stockholm date the order's period began
    unit_hsa_id = UnicodeAttribute(null=True)  # the prescribing unit: a supplier key for it sees the order
    unit_name = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    placed_key = UnicodeAttribute(null=True)
    delivery = UnicodeAttribute(null=True)
    address_lines = ListAttribute(of=UnicodeAttribute, null=True)
    ordered_by = UnicodeAttribute(null=True)  # the citizen_id who ordered (a guardian for a child)
    placed_at = UTCDateTimeAttribute(null=True)
    shipped_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    tracking = UnicodeAttribute(null=True)  # the supplier's shipment reference
    pickup_points = ListAttribute(of=UnicodeAttribute, null=True)  # on the region's item
    by_order = ConsumablesByOrderIndex()
    by_status = ConsumablesByStatusIndex()


class ListingByRequestIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-request"
        projection = AllProjection()

    request_id = UnicodeAttribute(hash_key=True)


class ListingByStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    requested_key = UnicodeAttribute(range_key=True)  # "<requested_at ISO>#<request_id>"


class ListingRequestRecord(Model):
    """A request to be listed at another vårdcentral (listning), ours until the region's listing system
    decides it. `open` beside the requests holds one open request per person."""

    Meta = _meta("listing-requests")
    citizen_id = UnicodeAttribute(hash_key=True)
    request_key = UnicodeAttribute(range_key=True)  # "request#<requested ISO>#<request_id>" or "open"
    request_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)  # open, accepted, refused
    requested_key = UnicodeAttribute(null=True)
    unit_hsa_id = UnicodeAttribute(null=True)  # the vårdcentral asked for
    unit_name = UnicodeAttribute(null=True)
    current_unit_hsa_id = UnicodeAttribute(null=True)  # where the care system said the person is listed
    requested_by = UnicodeAttribute(null=True)  # a guardian's citizen_id when acting for a child
    requested_at = UTCDateTimeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    message = UnicodeAttribute(null=True)  # the listing system's words to the person
    by_request = ListingByRequestIndex()
    by_status = ListingByStatusIndex()


class QuestionMap(MapAttribute):
    """A question in Swedish, with its English (if any) beside each text in <attribute>_en."""

    question_id = UnicodeAttribute()
    label = UnicodeAttribute()
    label_en = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    required = BooleanAttribute(default=True)
    options = ListAttribute(of=UnicodeAttribute, default=list)  # the Swedish: what an answer stores
    options_en = ListAttribute(of=UnicodeAttribute, null=True)  # in the same order; "" for one without
    help_text = UnicodeAttribute(null=True)
    help_text_en = UnicodeAttribute(null=True)


class CaseTypeRecord(Model):
    """A case type as it is now, under its owner; and beside it every version it has had, under
    `version#<case_type_id>` with the version number (six digits) as range key, so a case sent with
    version 3 shows version 3's questions whatever was edited since."""

    Meta = _meta("case-types")
    owner = UnicodeAttribute(hash_key=True)  # "central", the unit's HSA-id for local types, or "version#<id>"
    case_type_id = UnicodeAttribute(range_key=True)  # or the version number, for a version
    name = UnicodeAttribute()  # Swedish; each text's English, if any, beside it in <attribute>_en
    name_en = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    description_en = UnicodeAttribute(null=True)
    terms = UnicodeAttribute()
    terms_en = UnicodeAttribute(null=True)
    questions = ListAttribute(of=QuestionMap, default=list)
    version = NumberAttribute(default=1)
    status = UnicodeAttribute(default="active")  # active, paused, retired (domain/cases.py CaseTypeStatus)
    scope = UnicodeAttribute(null=True)  # on a version: "central" or "local"
    updated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)  # HSA-id of the admin who made this version


class OpenQueueIndex(GlobalSecondaryIndex):
    """Sparse: only open cases carry `open_unit`."""

    class Meta:
        index_name = "open-queue"
        projection = AllProjection()

    open_unit = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)  # "<due_at ISO UTC>#<case_id>"


class CasesByCitizenIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-citizen"
        projection = AllProjection()

    citizen_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class AnswerMap(MapAttribute):
    label = UnicodeAttribute()
    answer = UnicodeAttribute()


class MedicineMap(MapAttribute):
    """A medicine the citizen asked to have renewed, as the care system named it when they chose it
    from the list (Förnya recept; domain/medicines.py): what the citizen sent, not a copy of the record."""

    name = UnicodeAttribute()
    strength = UnicodeAttribute(null=True)
    form = UnicodeAttribute(null=True)  # beredningsform
    dosage = UnicodeAttribute(null=True)


class CasesByUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-unit"
        projection = AllProjection()

    unit_hsa_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class QueueStateIndex(GlobalSecondaryIndex):
    """Sparse: open cases by unit and state (domain/queue.py)."""

    class Meta:
        index_name = "queue-state"
        projection = AllProjection()

    state_queue = UnicodeAttribute(hash_key=True)  # "<unit>#new|working|waiting|replied"
    queue_key = UnicodeAttribute(range_key=True)  # "<due ISO>#<created ISO>#<case_id>"


class QueueHandlerIndex(GlobalSecondaryIndex):
    """Sparse: open cases by unit and handler ("-" for none)."""

    class Meta:
        index_name = "queue-handler"
        projection = AllProjection()

    handler_queue = UnicodeAttribute(hash_key=True)  # "<unit>#<handler HSA-id or ->"
    queue_key = UnicodeAttribute(range_key=True)


class ClosedRecentIndex(GlobalSecondaryIndex):
    """Sparse: closed cases by unit and when they were closed."""

    class Meta:
        index_name = "closed-recent"
        projection = AllProjection()

    closed_unit = UnicodeAttribute(hash_key=True)
    closed_key = UnicodeAttribute(range_key=True)  # "<closed ISO>#<case_id>"


class CasesByCitizenUnitIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-citizen-unit"
        projection = AllProjection()

    citizen_unit = UnicodeAttribute(hash_key=True)  # "<citizen_id>#<unit>": opaque ids only
    created_key = UnicodeAttribute(range_key=True)


class WaitingForCitizenIndex(GlobalSecondaryIndex):
    """Sparse: a citizen's cases that wait for them (domain/cases.py citizen_waits), newest word from
    care first: the start page reads a few items, however many cases the person has had."""

    class Meta:
        index_name = "waiting-for-citizen"
        projection = AllProjection()

    waiting_citizen = UnicodeAttribute(hash_key=True)  # the case's citizen_id while it waits for them
    waiting_key = UnicodeAttribute(range_key=True)  # "<care wrote ISO>#<case_id>"


class StandardReplyRecord(Model):
    """A unit's standard reply (standardsvar), written by its local admin."""

    Meta = _meta("standard-replies")
    unit_hsa_id = UnicodeAttribute(hash_key=True)
    reply_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    status = UnicodeAttribute(null=True)  # None or "active", "paused", "retired": only active ones are offered


class EntryMap(MapAttribute):
    """One turn in a case's conversation."""

    author = UnicodeAttribute()  # "citizen" or "staff"
    name = UnicodeAttribute()
    text = UnicodeAttribute()
    template = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()


class CaseRecord(Model):
    Meta = _meta("cases")
    case_id = UnicodeAttribute(hash_key=True)
    unit_hsa_id = UnicodeAttribute()
    citizen_id = UnicodeAttribute()
    sent_by_id = UnicodeAttribute()  # the citizen who sent it (a guardian for a child)
    case_type_id = UnicodeAttribute()
    case_type_name = UnicodeAttribute()  # as it was when sent, in Swedish
    case_type_name_en = UnicodeAttribute(null=True)  # and in English, if it had one
    case_type_version = NumberAttribute(null=True)  # the version of the case type it was sent with
    about_unit_hsa_id = UnicodeAttribute(null=True)  # a complaint to the patient board: the clinic it is about
    about_unit_name = UnicodeAttribute(null=True)
    answers = ListAttribute(of=AnswerMap, default=list)  # in the question order, as the Swedish question and option
    medicines = ListAttribute(of=MedicineMap, null=True)  # Förnya recept from the list: the medicines chosen
    status = UnicodeAttribute()
    handler_hsa_id = UnicodeAttribute(null=True)
    handler_name = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_key = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    due_key = UnicodeAttribute()
    open_unit = UnicodeAttribute(null=True)
    first_answered_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    conversation = ListAttribute(of=EntryMap, default=list)
    version = NumberAttribute(default=1)
    # The staff tool's queue (domain/queue.py): who the case is about as the register said when it
    # arrived (no personnummer), its place in the views, and when anything last happened.
    patient_name = UnicodeAttribute(null=True)  # None for protected identity or a person not in the register
    patient_protected = BooleanAttribute(null=True)
    patient_born = UnicodeAttribute(null=True)  # ISO date, for the age
    citizen_replied_at = UTCDateTimeAttribute(null=True)  # set by the citizen's reply, removed by staff's next entry
    last_activity_at = UTCDateTimeAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)
    questions = ListAttribute(of=QuestionMap, null=True)  # an invånarärende's questions for the citizen
    state_queue = UnicodeAttribute(null=True)
    handler_queue = UnicodeAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)
    closed_unit = UnicodeAttribute(null=True)
    closed_key = UnicodeAttribute(null=True)
    citizen_unit = UnicodeAttribute(null=True)
    # What waits for the citizen (domain/cases.py citizen_waits): when care last wrote to them in the
    # case, when they last opened it, and the sparse index's keys while it waits for them.
    care_wrote_at = UTCDateTimeAttribute(null=True)
    citizen_read_at = UTCDateTimeAttribute(null=True)
    waiting_citizen = UnicodeAttribute(null=True)
    waiting_key = UnicodeAttribute(null=True)
    open_queue = OpenQueueIndex()
    by_citizen = CasesByCitizenIndex()
    by_unit = CasesByUnitIndex()
    queue_state = QueueStateIndex()
    queue_handler = QueueHandlerIndex()
    closed_recent = ClosedRecentIndex()
    by_citizen_unit = CasesByCitizenUnitIndex()
    waiting_for_citizen = WaitingForCitizenIndex()


class UnitFigureRecord(Model):
    """The staff start page's figures of a unit, kept up to date by the follow-up of every case.*
    event (domain/unit_figures.py), so the page reads one small partition, not the unit's cases.

    Under `unit#<hsa_id>`: the counters (`open`, `unanswered`, `due#<hour>` with its cases' due
    instants, `in_time#<day>`, `late#<day>`; those of an hour or a day expire after they are read).
    Under `case#<case_id>`, `applied`: the shares one case has in them and the case's version they
    are of, so a repeated or late event changes nothing."""

    Meta = _meta("unit-figures")
    owner = UnicodeAttribute(hash_key=True)  # "unit#<hsa_id>" or "case#<case_id>"
    figure = UnicodeAttribute(range_key=True)  # a counter's name, or "applied"
    value = NumberAttribute(default=0)
    due = UnicodeSetAttribute(null=True)  # an hour's due cases: "<due instant>#<case_id>"
    expires_at = TTLAttribute(null=True)
    version = NumberAttribute(null=True)  # "applied": the case's version counted
    unit_hsa_id = UnicodeAttribute(null=True)
    shares = UnicodeSetAttribute(null=True)  # "applied": the counters it counts in


class UsageCountRecord(Model):
    """Usage statistics (domain/usage.py), counted from the events by their follow-up: no personal
    data, only unit HSA-ids, months, counter names and numbers.

    Under `unit#<hsa_id>` and `region`: `<yyyy-mm>#<counter>` with its value, so a page reads one
    Query per unit (or the region) for a range of months. Under `event#<event_id>`, `counted`: the
    marker that the event has been counted, written in the same transaction as its counts, so a
    redelivered event counts nothing; it expires once the stream can no longer deliver the event."""

    Meta = _meta("usage-counts")
    owner = UnicodeAttribute(hash_key=True)  # "unit#<hsa_id>", "region", or "event#<event_id>"
    counter = UnicodeAttribute(range_key=True)  # "<yyyy-mm>#<counter>", or "counted"
    value = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)  # markers only


class StaffByNameIndex(GlobalSecondaryIndex):
    """Sparse: the staff directory by family name, then given names ("nilsson eva"), for choosing a
    person by the start of their name. (One index: a deployed table can gain one per update.)"""

    class Meta:
        index_name = "by-name"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)  # always "staff"
    name_key = UnicodeAttribute(range_key=True)


class StaffProfile(Model):
    """A staff member's name and title (from HSA, at login or from the region's staff directory) and
    their own signature text. Every profile is in the staff directory that admins choose people from."""

    Meta = _meta("staff-profiles")
    staff_hsa_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    signature = UnicodeAttribute(null=True)  # replaces the automatic name and title when set
    updated_at = UTCDateTimeAttribute()
    listed = UnicodeAttribute(null=True)  # "staff": in the directory index
    name_key = UnicodeAttribute(null=True)  # family name first, folded: "nilsson eva"
    by_name = StaffByNameIndex()


class AccessLogRecord(Model):
    """A staff read of a citizen's data (who, at which unit, what, when), kept for the citizen to see."""

    Meta = _meta("access-log")
    citizen_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "<read_at ISO>#<random>"
    staff_hsa_id = UnicodeAttribute()
    staff_name = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute()
    unit_name = UnicodeAttribute()
    what = UnicodeAttribute()  # e.g. "inbox_message"
    item_id = UnicodeAttribute()
    read_at = UTCDateTimeAttribute()


class DueIndex(GlobalSecondaryIndex):
    """Sparse: only notifications waiting to go out carry `waiting`."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    waiting = UnicodeAttribute(hash_key=True)  # always "yes" while waiting
    due_at = UnicodeAttribute(range_key=True)  # ISO UTC, sorts by time


class NotificationRecord(Model):
    """The outbox: one row per notified account holder and channel saying whether a notification
    waits, when it is due, and when the last one went out (for the 15-minute coalescing). The row is
    the holder's own, whoever's inbox got the item: a guardian told about two children and
    themselves has one row per channel, so at most one notification per 15 minutes."""

    Meta = _meta("notifications")
    citizen_id = UnicodeAttribute(hash_key=True)  # the account holder told, not the inbox's owner
    channel = UnicodeAttribute(range_key=True)  # "email" or "sms"
    waiting = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    queued_until = UTCDateTimeAttribute(null=True)  # in the work queue: the planner does not queue it again
    claimed_until = UTCDateTimeAttribute(null=True)  # a dispatcher is sending it
    last_sent_at = UTCDateTimeAttribute(null=True)
    failed_at = UTCDateTimeAttribute(null=True)
    uncertain_at = UTCDateTimeAttribute(null=True)  # the last send timed out after it went out: maybe sent
    due = DueIndex()


class UnitNoticeRecord(Model):
    """A change a citizen made that the unit should see (a booking made, moved or cancelled online),
    shown in the Tidbok; kept for 30 days."""

    Meta = _meta("unit-notices")
    unit_hsa_id = UnicodeAttribute(hash_key=True)
    notice_key = UnicodeAttribute(range_key=True)  # "<occurred_at ISO>#<event_id>": newest last
    kind = UnicodeAttribute()  # the event's kind
    booking_id = UnicodeAttribute()
    visit_type_name = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    occurred_at = UTCDateTimeAttribute()
    mailed_at = UTCDateTimeAttribute(null=True)  # told to the unit's functional mailbox
    expires_at = TTLAttribute()


class EventRecord(Model):
    """A domain event (domain/events.py), written in the transaction of the change it records. The
    table's stream feeds the follow-ups; the item itself expires (statistics read the stream)."""

    class Meta:
        table_name = f"{TABLE_PREFIX}-events"
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1"
        billing_mode = "PAY_PER_REQUEST"
        stream_view_type = "NEW_IMAGE"

    stream_key = UnicodeAttribute(hash_key=True)  # one thing's events share it: in order on the stream
    event_key = UnicodeAttribute(range_key=True)  # "<occurred_at ISO>#<event_id>"
    event_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    data = MapAttribute(default=dict)  # ids and codes only
    expires_at = TTLAttribute()


# -- forms (formulär) ---------------------------------------------------------------------------------


class FormCatalogueIndex(GlobalSecondaryIndex):
    """Sparse: only a form's current version carries `listed`, so the region's forms page by title."""

    class Meta:
        index_name = "catalogue"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)  # "region"
    title_key = UnicodeAttribute(range_key=True)  # "<title, lower case>#<form_id>"


class FormDefinitionRecord(Model):
    """One version of a region's form: the FHIR Questionnaire as imported or edited, never changed
    after; a new version is a new item. A sent form keeps the version it was sent with."""

    Meta = _meta("form-definitions")
    form_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    questionnaire = UnicodeAttribute()  # the resource as JSON
    title = UnicodeAttribute()
    title_en = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()  # domain.questionnaire.FormKind
    status = UnicodeAttribute(default="active")  # domain.forms.FormStatus, kept on the current version
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    listed = UnicodeAttribute(null=True)  # "region" on the current version only
    title_key = UnicodeAttribute(null=True)
    catalogue = FormCatalogueIndex()


class UnitFormRecord(Model):
    """A unit's subscription to a form (the dispatch module), with the follow-up figures kept by the
    form events: sent, answered, overdue. `offered`: the unit offers it as an e-service on its contact
    card (erbjuden e-tjänst); the answer then arrives as a case. A unit that stops using a form keeps
    the record with `stopped_at` set (nothing new is sent; what was sent stays answerable and followed
    up, its figures kept here)."""

    Meta = _meta("unit-forms")
    unit_hsa_id = UnicodeAttribute(hash_key=True)
    form_id = UnicodeAttribute(range_key=True)
    subscribed_at = UTCDateTimeAttribute()
    subscribed_by = UnicodeAttribute()
    offered = BooleanAttribute(default=False)
    retention_days = NumberAttribute(default=90)  # answers purged this long after export
    sent = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)
    overdue = NumberAttribute(default=0)
    stopped_at = UTCDateTimeAttribute(null=True)  # the unit stopped using the form (its local admin)
    stopped_by = UnicodeAttribute(null=True)


class FormsOfCitizenIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-citizen"
        projection = AllProjection()

    citizen_id = UnicodeAttribute(hash_key=True)
    sent_key = UnicodeAttribute(range_key=True)  # "<sent ISO UTC>#<request_id>"


class OpenFormsIndex(GlobalSecondaryIndex):
    """Sparse: a person's forms not yet answered, soonest due first (the start page's "Formulär att fylla i")."""

    class Meta:
        index_name = "open-by-due"
        projection = AllProjection()

    open_owner = UnicodeAttribute(hash_key=True)  # = citizen_id while sent and not answered
    due_key = UnicodeAttribute(range_key=True)  # "<due date>#<request_id>"


class FormsOfUnitIndex(GlobalSecondaryIndex):
    """A unit's dispatches of one form, newest first (the follow-up list)."""

    class Meta:
        index_name = "by-unit-form"
        projection = AllProjection()

    unit_form = UnicodeAttribute(hash_key=True)  # "<unit_hsa_id>#<form_id>"
    sent_key = UnicodeAttribute(range_key=True)


class RemindOnIndex(GlobalSecondaryIndex):
    """Sparse, per day: what the daily forms job has to do that day."""

    class Meta:
        index_name = "remind-on"
        projection = AllProjection()

    remind_day = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class DueOnIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "due-on"
        projection = AllProjection()

    due_day = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class PurgeOnIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "purge-on"
        projection = AllProjection()

    purge_day = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class FormRequestRecord(Model):
    """A form sent to one person (formulärutskick), its draft and its answer (a QuestionnaireResponse).

    The day attributes are set only while there is something to do on that day: `remind_day` until
    the reminder went, `due_day` until answered or marked overdue, `purge_day` once exported."""

    Meta = _meta("form-requests")
    request_id = UnicodeAttribute(hash_key=True)
    citizen_id = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute()
    form_id = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()  # domain.forms.RequestStatus
    sent_at = UTCDateTimeAttribute()
    sent_by = UnicodeAttribute()  # HSA-id, a care system's key id, or "schedule"
    sent_by_name = UnicodeAttribute(null=True)
    due_on = UnicodeAttribute()  # ISO date, Stockholm
    remind_on = UnicodeAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)
    overdue = BooleanAttribute(default=False)
    booking_id = UnicodeAttribute(null=True)  # a form that rides with a booking or summons
    summons_id = UnicodeAttribute(null=True)
    package_id = UnicodeAttribute(null=True)
    opens_case = BooleanAttribute(default=False)  # an offered form the citizen started: its answer is a case
    case_id = UnicodeAttribute(null=True)  # that case, fixed when the form is started
    draft = UnicodeAttribute(null=True)  # an in-progress QuestionnaireResponse as JSON
    draft_saved_at = UTCDateTimeAttribute(null=True)
    response = UnicodeAttribute(null=True)  # the completed QuestionnaireResponse as JSON
    answered_at = UTCDateTimeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)  # citizen_id of who sent it (a guardian for a child)
    score = UnicodeAttribute(null=True)  # Decimal as text
    flagged = BooleanAttribute(default=False)  # the score reached the form's threshold
    exported_at = UTCDateTimeAttribute(null=True)
    purged_at = UTCDateTimeAttribute(null=True)
    sent_key = UnicodeAttribute()
    unit_form = UnicodeAttribute()
    open_owner = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    remind_day = UnicodeAttribute(null=True)
    due_day = UnicodeAttribute(null=True)
    purge_day = UnicodeAttribute(null=True)
    by_citizen = FormsOfCitizenIndex()
    open_by_due = OpenFormsIndex()
    by_unit_form = FormsOfUnitIndex()
    remind_on_day = RemindOnIndex()
    due_on_day = DueOnIndex()
    purge_on_day = PurgeOnIndex()


class PackagePartMap(MapAttribute):
    form_id = UnicodeAttribute()
    send_on = UnicodeAttribute()  # ISO date: sent that morning (08:00 Stockholm) by a one-time schedule


class PackagesOfUnitIndex(GlobalSecondaryIndex):
    """A unit's package dispatches, newest first (the staff tool's list of them)."""

    class Meta:
        index_name = "by-unit"
        projection = AllProjection()

    unit_hsa_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)  # "<created ISO UTC>#<package_id>"


class FormPackageRecord(Model):
    """A package dispatch (paketutskick): forms to the same people on one or more dates, each part
    sent by its own one-time schedule, once (`sent_parts`)."""

    Meta = _meta("form-packages")
    package_id = UnicodeAttribute(hash_key=True)
    unit_hsa_id = UnicodeAttribute()
    citizen_ids = ListAttribute(of=UnicodeAttribute)
    parts = ListAttribute(of=PackagePartMap)
    answer_days = NumberAttribute()  # each part is due this many days after it is sent
    remind_days_before = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)
    sent_parts = UnicodeSetAttribute(null=True)  # the parts' indexes as text
    created_key = UnicodeAttribute(null=True)  # set when written (adapters/forms.py)
    by_unit = PackagesOfUnitIndex()


class FormValidityRecord(Model):
    """How long a person's answered health declaration of one form stands (within it, it is not asked
    again): written in the same transaction as the answer."""

    Meta = _meta("form-validity")
    citizen_id = UnicodeAttribute(hash_key=True)
    form_id = UnicodeAttribute(range_key=True)
    valid_until = UnicodeAttribute()  # ISO date, the last day it stands
    request_id = UnicodeAttribute()


# -- protections (skydd: försegling, blockering, utökad åtkomst, borttagen inloggning) ---------------------


class RestrictionsByUnitIndex(GlobalSecondaryIndex):
    """The restrictions decided at a unit, newest first (sparse: a citizen's own seal has no unit)."""

    class Meta:
        index_name = "by-deciding-unit"
        projection = AllProjection()

    decided_at_unit = UnicodeAttribute(hash_key=True)
    decided_at = UTCDateTimeAttribute(range_key=True)


class RestrictionRecord(Model):
    """One protection in force around a person (domain/restrictions.py Restriction): one item per kind
    and target, so deciding again renews it and lifting deletes it."""

    Meta = _meta("restrictions")
    citizen_id = UnicodeAttribute(hash_key=True)  # whom it protects (the child, for a block or an extension)
    key = UnicodeAttribute(range_key=True)  # Restriction.key: "seal", "hide_unit#<unit>", "block_guardian#<id>" …
    kind = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute(null=True)  # the unit hidden or extended
    guardian_id = UnicodeAttribute(null=True)  # the blocked guardian
    reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute()  # HSA-id, or "citizen"
    decided_by_name = UnicodeAttribute()
    decided_at_unit = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute()
    until = UTCDateTimeAttribute(null=True)
    by_unit = RestrictionsByUnitIndex()


class RestrictionAuditRecord(Model):
    """Each decision on a person's protections (decided, renewed, lifted): who, at which unit, why,
    when. Written in the decision's transaction; the protections page's history."""

    Meta = _meta("restriction-audit")
    citizen_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "<at ISO>#<random>"
    action = UnicodeAttribute()  # "decided", "renewed", "lifted"
    restriction_key = UnicodeAttribute()
    kind = UnicodeAttribute()
    unit_hsa_id = UnicodeAttribute(null=True)
    guardian_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    by = UnicodeAttribute()  # HSA-id, or "citizen"
    by_name = UnicodeAttribute()
    at_unit = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    until = UTCDateTimeAttribute(null=True)


class CertificateRecord(Model):
    """Mina intyg: what we keep of a person's certificates (never the certificate itself, which is
    read from the care system each time): a certificate the person hid ("hidden#<source>/<id>"), and
    each send on to a receiver ("send#<send_id>": the audit row the person sees, pending until the
    receiver took it). One Query per person reads them all (a handful)."""

    Meta = _meta("certificates")
    citizen_id = UnicodeAttribute(hash_key=True)  # whose certificate (the child's, when a guardian acts)
    key = UnicodeAttribute(range_key=True)  # "hidden#<source>/<id>" or "send#<send_id>"
    certificate_key = UnicodeAttribute()  # "<source>/<id>"
    at = UTCDateTimeAttribute()  # hidden at, or sent at
    by = UnicodeAttribute()  # the citizen id of who did it (a guardian for a child)
    receiver_id = UnicodeAttribute(null=True)
    receiver_name = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)  # the certificate's title when sent (shown in the audit row)
    delivered_at = UTCDateTimeAttribute(null=True)  # None: pending ("skickas")


class RateCounter(Model):
    """Hits in one fixed window of one rate limit for one subject (domain/limits.py). The key names
    the limit, the subject (an opaque id or a keyed hash, never an address or an IP) and the window;
    DynamoDB removes the counter after its window."""

    Meta = _meta("rate-limits")
    bucket = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()


ALL_MODELS: tuple[type[Model], ...] = (
    LoginAttempt,
    SessionRecord,
    Identity,
    RegisterPerson,
    RegisterAuditRecord,
    Account,
    StaffRoleAssignment,
    UnitRecord,
    IntegrationClient,
    IdempotencyRecord,
    InboxMessageRecord,
    InboxCountRecord,
    NotificationRecord,
    AttachmentUpload,
    StaffProfile,
    AccessLogRecord,
    SlotRecord,
    BookingRecord,
    EarlierOfferRecord,
    InvitationRecord,
    SummonsRecord,
    PrintLetterRecord,
    PrintBatchRecord,
    TestOfferRecord,
    KitOrderRecord,
    KitRecord,
    FollowUpRecord,
    ConsumableOrderRecord,
    ListingRequestRecord,
    CaseTypeRecord,
    CaseRecord,
    UnitFigureRecord,
    UsageCountRecord,
    StandardReplyRecord,
    EventRecord,
    UnitNoticeRecord,
    FormDefinitionRecord,
    UnitFormRecord,
    FormRequestRecord,
    FormValidityRecord,
    FormPackageRecord,
    RestrictionRecord,
    RestrictionAuditRecord,
    RateCounter,
    CertificateRecord,
)


def usable_key(value: object) -> bool:
    """Whether a caller's id can be a key at all (a non-empty text DynamoDB accepts): the look-ups that
    take ids from forms answer "not found" for anything else rather than sending it to DynamoDB."""
    if not isinstance(value, str) or not value or len(value) > 512:
        return False
    return value.isprintable() and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def condition_failed(error: Exception) -> bool:
    """True when a conditional write lost (someone else won, or the item was not as required)."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def create_all_tables() -> None:
    """Create every table the app uses (local stack and tests; infra/ creates them in AWS)."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)
