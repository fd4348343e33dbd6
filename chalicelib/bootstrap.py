"""Wires adapters into the services once per Lambda container, on first use."""

from __future__ import annotations

from functools import lru_cache

from chalicelib.adapters.access_log import AccessLog
from chalicelib.adapters.attachments import AttachmentFiles, AttachmentUploads
from chalicelib.adapters.booking import BookingStore, CutoffSchedules, InvitationStore, SlotStore
from chalicelib.adapters.cases import Cases, CaseTypes, StandardReplies
from chalicelib.adapters.inbox import InboxStore
from chalicelib.adapters.limits import RateLimits
from chalicelib.adapters.self_tests import Catalogue, FollowUps, KitOrders, Kits
from chalicelib.adapters.summons import PrintBatches, PrintLetters, SummonsStore
from chalicelib.adapters.unit_notices import UnitNotices
from chalicelib.adapters.work_queues import WorkQueues
from chalicelib.adapters.messaging import Messenger
from chalicelib.adapters.outbox import Outbox
from chalicelib.adapters.client_key import ClientKey
from chalicelib.adapters.oidc import OidcClient
from chalicelib.adapters.register import DynamoPopulationRegister, IdentityStore
from chalicelib.adapters.stores import (
    AccountStore,
    IntegrationClientStore,
    LoginAttemptStore,
    SessionStore,
    StaffDirectory,
    StaffProfiles,
    UnitDirectory,
)
from chalicelib.services.ports import Ports
from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def ports() -> Ports:
    settings = get_settings()
    identities = IdentityStore(settings.pnr_hmac_key)
    client_key = ClientKey(settings.oidc_client_key) if settings.oidc_client_key else None
    return Ports(
        settings=settings,
        client_key=client_key,
        citizen_oidc=OidcClient(settings.citizen_oidc, client_key),
        staff_oidc=OidcClient(settings.staff_oidc, client_key),
        login_attempts=LoginAttemptStore(),
        sessions=SessionStore(),
        identities=identities,
        register=DynamoPopulationRegister(identities),
        accounts=AccountStore(),
        staff=StaffDirectory(),
        units=UnitDirectory(),
        integration_clients=IntegrationClientStore(),
        inbox=InboxStore(),
        messenger=Messenger(settings.ses_sender, settings.sms_sender_id),
        outbox=Outbox(),
        attachment_files=AttachmentFiles(settings.attachments_bucket),
        attachment_uploads=AttachmentUploads(),
        staff_profiles=StaffProfiles(),
        access_log=AccessLog(),
        slots=SlotStore(),
        bookings=BookingStore(),
        invitations=InvitationStore(),
        cutoff_schedules=CutoffSchedules(
            settings.booking_schedule_group, settings.booking_cutoff_target_arn, settings.scheduler_role_arn
        ),
        summons=SummonsStore(),
        print_letters=PrintLetters(),
        print_batches=PrintBatches(),
        test_catalogue=Catalogue(),
        kit_orders=KitOrders(),
        kits=Kits(),
        follow_ups=FollowUps(),
        case_types=CaseTypes(),
        cases=Cases(),
        standard_replies=StandardReplies(),
        unit_notices=UnitNotices(),
        limits=RateLimits(),
        work_queues=WorkQueues(settings.work_queues),
    )


def reset() -> None:
    """Forget the wiring (tests change the environment between cases)."""
    from chalicelib.services import integration

    ports.cache_clear()
    get_settings.cache_clear()
    integration.reset_persistence()
