"""Wires adapters into the services once per Lambda container, each adapter when first used.

A request or a scheduled job uses a few of the ports (the start page: sessions, accounts, the
inbox, bookings); building all of them imported every adapter and the domain behind it on every
cold start. So `ports()` is the whole set, as services and tests see it, but each port is made
(and its module imported) the first time it is read, then kept.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib.services.ports import Ports
from chalicelib.settings import Settings, get_settings


def _make(path: str, *settings_args: str) -> Callable[[_Wiring], Any]:
    """A port made by calling `module:Name` with these settings (attribute names) as arguments."""
    module, name = path.split(":")

    def make(wiring: _Wiring) -> Any:
        return getattr(importlib.import_module(f"chalicelib.adapters.{module}"), name)(
            *(getattr(wiring.settings, a) for a in settings_args))

    return make


def _client_key(wiring: _Wiring) -> Any:
    from chalicelib.adapters.client_key import ClientKey

    key = wiring.settings.oidc_client_key
    return ClientKey(key) if key else None


def _oidc(audience: str) -> Callable[[_Wiring], Any]:
    def make(wiring: _Wiring) -> Any:
        from chalicelib.adapters.oidc import OidcClient

        return OidcClient(getattr(wiring.settings, f"{audience}_oidc"), wiring.client_key)

    return make


def _register(wiring: _Wiring) -> Any:
    from chalicelib.adapters.register import DynamoPopulationRegister

    return DynamoPopulationRegister(wiring.identities)


def _cutoff_schedules(wiring: _Wiring) -> Any:
    from chalicelib.adapters.booking import CutoffSchedules

    s = wiring.settings
    return CutoffSchedules(s.booking_schedule_group, s.booking_cutoff_target_arn, s.scheduler_role_arn)


def _offer_schedules(wiring: _Wiring) -> Any:
    from chalicelib.adapters.earlier_times import OfferSchedules

    s = wiring.settings  # in the bookings' group too
    return OfferSchedules(s.booking_schedule_group, s.earlier_offer_target_arn, s.scheduler_role_arn)


def _package_schedules(wiring: _Wiring) -> Any:
    from chalicelib.adapters.one_time_schedules import OneTimeSchedules

    s = wiring.settings  # in the bookings' group: one group of the app's one-time schedules
    return OneTimeSchedules(s.booking_schedule_group, s.form_package_target_arn, s.scheduler_role_arn, "form-package")


def _messenger(wiring: _Wiring) -> Any:
    from chalicelib.adapters.messaging import Messenger

    return Messenger(wiring.settings.ses_sender, wiring.settings.sms_sender_id)


# Every port of services/ports.py and how it is made.
def _journal_sources(wiring: _Wiring) -> Any:
    from chalicelib.adapters.fhir_sources import FhirSources
    from chalicelib.settings import source_secret

    return FhirSources(source_secret)


def _certificate_receivers(wiring: _Wiring) -> Any:
    from chalicelib.adapters.certificate_receivers import CertificateReceivers
    from chalicelib.settings import receiver_secret

    return CertificateReceivers(receiver_secret)


_FACTORIES: dict[str, Callable[[_Wiring], Any]] = {
    "client_key": _client_key,
    "citizen_oidc": _oidc("citizen"),
    "staff_oidc": _oidc("staff"),
    "login_attempts": _make("stores:LoginAttemptStore"),
    "sessions": _make("stores:SessionStore"),
    "identities": _make("register:IdentityStore", "pnr_hmac_key"),
    "register": _register,
    "accounts": _make("stores:AccountStore"),
    "staff": _make("stores:StaffDirectory"),
    "units": _make("stores:UnitDirectory"),
    "integration_clients": _make("stores:IntegrationClientStore"),
    "inbox": _make("inbox:InboxStore"),
    "messenger": _messenger,
    "outbox": _make("outbox:Outbox"),
    "attachment_files": _make("attachments:AttachmentFiles", "attachments_bucket"),
    "attachment_uploads": _make("attachments:AttachmentUploads"),
    "staff_profiles": _make("stores:StaffProfiles"),
    "access_log": _make("access_log:AccessLog"),
    "slots": _make("booking:SlotStore"),
    "bookings": _make("booking:BookingStore"),
    "invitations": _make("booking:InvitationStore"),
    "cutoff_schedules": _cutoff_schedules,
    "wait_list": _make("earlier_times:WaitList"),
    "earlier_offers": _make("earlier_times:EarlierOffers"),
    "offer_schedules": _offer_schedules,
    "summons": _make("summons:SummonsStore"),
    "print_letters": _make("summons:PrintLetters"),
    "print_batches": _make("summons:PrintBatches"),
    "test_catalogue": _make("self_tests:Catalogue"),
    "kit_orders": _make("self_tests:KitOrders"),
    "kits": _make("self_tests:Kits"),
    "follow_ups": _make("self_tests:FollowUps"),
    "case_types": _make("cases:CaseTypes"),
    "cases": _make("cases:Cases"),
    "standard_replies": _make("cases:StandardReplies"),
    "unit_notices": _make("unit_notices:UnitNotices"),
    "limits": _make("limits:RateLimits"),
    "work_queues": _make("work_queues:WorkQueues", "work_queues"),
    "form_definitions": _make("forms:FormDefinitions"),
    "unit_forms": _make("forms:UnitForms"),
    "usage": _make("usage:UsageCounts"),
    "form_requests": _make("forms:FormRequests"),
    "form_validity": _make("forms:FormValidity"),
    "form_packages": _make("forms:FormPackages"),
    "package_schedules": _package_schedules,
    "journal_sources": _journal_sources,
    "restrictions": _make("restrictions:RestrictionStore"),
    "certificates": _make("certificates:CertificateStore"),
    "certificate_receivers": _certificate_receivers,
    "consumable_orders": _make("consumables:ConsumableOrders"),
    "listing_requests": _make("consumables:ListingRequests"),
}


class _Wiring(Ports):
    """The Ports, each made on first read (then an ordinary attribute: tests may replace it)."""

    _lock = threading.RLock()  # the local stack serves requests on threads; a port is made once

    def __init__(self, settings: Settings) -> None:  # noqa: D107 (the dataclass's __init__ takes every port)
        self.settings = settings

    def __getattr__(self, name: str) -> Any:  # only for a port not made yet
        make = _FACTORIES.get(name)
        if make is None:
            raise AttributeError(name)
        with self._lock:
            if name not in self.__dict__:
                self.__dict__[name] = make(self)
        return self.__dict__[name]


@lru_cache(maxsize=1)
def ports() -> Ports:
    return _Wiring(get_settings())


def reset() -> None:
    """Forget the wiring (tests change the environment between cases)."""
    from chalicelib.services import integration

    ports.cache_clear()
    get_settings.cache_clear()
    integration.reset_persistence()
