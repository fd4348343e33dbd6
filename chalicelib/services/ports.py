"""The ports the use cases depend on, wired in bootstrap.py, each when first used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # each adapter is imported by the wiring when first used (bootstrap.py), not here
    from chalicelib.adapters.access_log import AccessLog
    from chalicelib.adapters.attachments import AttachmentFiles, AttachmentUploads
    from chalicelib.adapters.booking import BookingStore, CutoffSchedules, InvitationStore, SlotStore
    from chalicelib.adapters.cases import Cases, CaseTypes, StandardReplies
    from chalicelib.adapters.earlier_times import EarlierOffers, OfferSchedules, WaitList
    from chalicelib.adapters.consumables import ConsumableOrders, ListingRequests
    from chalicelib.adapters.fhir_sources import FhirSources
    from chalicelib.adapters.forms import FormDefinitions, FormPackages, FormRequests, FormValidity, UnitForms
    from chalicelib.adapters.one_time_schedules import OneTimeSchedules
    from chalicelib.adapters.inbox import InboxStore
    from chalicelib.adapters.limits import RateLimits
    from chalicelib.adapters.self_tests import Catalogue, FollowUps, KitOrders, Kits
    from chalicelib.adapters.summons import PrintBatches, PrintLetters, SummonsStore
    from chalicelib.adapters.unit_notices import UnitNotices
    from chalicelib.adapters.usage import UsageCounts
    from chalicelib.adapters.work_queues import WorkQueues
    from chalicelib.adapters.messaging import Messenger
    from chalicelib.adapters.outbox import Outbox
    from chalicelib.adapters.client_key import ClientKey
    from chalicelib.adapters.oidc import OidcClient
    from chalicelib.adapters.register import ChangedBy, IdentityStore
    from chalicelib.adapters.restrictions import RestrictionStore
    from chalicelib.adapters.certificates import CertificateStore
    from chalicelib.adapters.certificate_receivers import CertificateReceivers
    from chalicelib.adapters.stores import (
        AccountStore,
        IntegrationClientStore,
        LoginAttemptStore,
        SessionStore,
        StaffDirectory,
        StaffProfiles,
        UnitDirectory,
    )
    from chalicelib.domain.people import Person, PersonUpdate
    from chalicelib.domain.personnummer import Personnummer
    from chalicelib.settings import Settings


class PopulationRegister(Protocol):
    """Name, address, guardians and protected identity (folkbokföring). The demo region keeps
    its copy in DynamoDB; a region can plug in its own register service here."""

    def get(self, citizen_id: str) -> Person | None: ...

    def get_many(self, citizen_ids: list[str]) -> list[Person]: ...

    def find_by_personnummer(self, pnr: Personnummer) -> Person | None: ...

    def upsert(self, update: PersonUpdate, changed_by: ChangedBy | None = None) -> Person:
        """`changed_by`: the system sending the change; a change of guardians or protected identity
        is then audited (who, what, when) with it."""
        ...


@dataclass
class Ports:
    settings: Settings
    client_key: ClientKey | None  # our private_key_jwt key (None: the providers use client_secret_basic)
    citizen_oidc: OidcClient
    staff_oidc: OidcClient
    login_attempts: LoginAttemptStore
    sessions: SessionStore
    identities: IdentityStore
    register: PopulationRegister
    accounts: AccountStore
    staff: StaffDirectory
    units: UnitDirectory
    integration_clients: IntegrationClientStore
    inbox: InboxStore
    messenger: Messenger
    outbox: Outbox
    attachment_files: AttachmentFiles
    attachment_uploads: AttachmentUploads
    staff_profiles: StaffProfiles
    access_log: AccessLog
    slots: SlotStore
    bookings: BookingStore
    invitations: InvitationStore
    cutoff_schedules: CutoffSchedules
    wait_list: WaitList  # bookings waiting for an earlier time (tidigare tid)
    earlier_offers: EarlierOffers
    offer_schedules: OfferSchedules  # one per open offer, at its expiry
    summons: SummonsStore
    print_letters: PrintLetters
    print_batches: PrintBatches
    test_catalogue: Catalogue
    kit_orders: KitOrders
    kits: Kits
    follow_ups: FollowUps
    case_types: CaseTypes
    cases: Cases
    standard_replies: StandardReplies
    unit_notices: UnitNotices
    limits: RateLimits
    work_queues: WorkQueues  # batch work fanned out over SQS (release, notifications, print)
    form_definitions: FormDefinitions  # the region's forms (FHIR Questionnaires), by version
    unit_forms: UnitForms  # the units' subscriptions to forms, with their follow-up figures
    form_requests: FormRequests  # forms sent to people, their drafts and answers
    form_validity: FormValidity  # how long an answered health declaration stands
    form_packages: FormPackages  # package dispatches (forms on one or more dates)
    package_schedules: OneTimeSchedules  # one per package part, on its day
    journal_sources: FhirSources  # the care systems' FHIR R4 endpoints, read at view time (1177 Journalen)
    consumable_orders: ConsumableOrders  # förbrukningsartiklar ordered for delivery (ours)
    listing_requests: ListingRequests  # requests to list at another vårdcentral (ours)
    restrictions: RestrictionStore  # protections: seal, hidden units, blocked guardians, login, extended access
    certificates: CertificateStore  # Mina intyg: the certificates a person hid, and each send on
    certificate_receivers: CertificateReceivers  # where certificates are sent on (Försäkringskassan-like)
    usage: UsageCounts  # usage statistics' counters, kept by the follow-up of the counted events
