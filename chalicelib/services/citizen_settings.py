"""Settings (Inställningar): digital first, language, and the e-mail address and mobile number
that notifications may go to — each verified by a one-time code before anything is sent there.

Settings belong to the logged-in citizen, also while they act for a child.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.adapters.messaging import DeliveryUncertain
from chalicelib.domain.contact import CODE_LIFETIME, InvalidContact, PendingVerification, normalise
from chalicelib.domain.notifications import Channel
from chalicelib.errors import BadInput, Unavailable
from chalicelib.observability import logger, record_metric
from chalicelib.services import limits
from chalicelib.services.ports import Ports
from chalicelib.services.principals import CitizenPrincipal
from chalicelib.catalogs import LANGUAGES


@dataclass(frozen=True)
class CitizenSettings:
    digital_first: bool
    language: str | None
    email: str | None  # verified
    sms: str | None  # verified
    pending_email: str | None  # waiting for its code
    pending_sms: str | None


def current(ports: Ports, principal: CitizenPrincipal) -> CitizenSettings:
    account = ports.accounts.get(principal.citizen_id)
    pending = {c: ports.accounts.pending(account, c) for c in Channel}
    return CitizenSettings(
        digital_first=bool(account.digital_first),
        language=account.language,
        email=account.email,
        sms=account.sms,
        pending_email=pending[Channel.EMAIL].address if pending[Channel.EMAIL] else None,
        pending_sms=pending[Channel.SMS].address if pending[Channel.SMS] else None,
    )


def update_preferences(ports: Ports, principal: CitizenPrincipal, *, digital_first: Any, language: Any) -> None:
    if not isinstance(digital_first, bool):
        raise BadInput("field_invalid", "Välj om du vill ha information digitalt först.", field="digital_first")
    if language not in LANGUAGES:
        raise BadInput("field_invalid", "Välj svenska eller engelska.", field="language")
    ports.accounts.set_preferences(principal.citizen_id, digital_first=digital_first, language=language)
    logger.info("settings updated", extra={"citizen_id": principal.citizen_id})


def channel_of(value: Any) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise BadInput("field_invalid", "Välj e-post eller sms.", field="channel") from None


def _code_hash(ports: Ports, citizen_id: str, channel: Channel, address: str, code: str) -> str:
    message = f"{citizen_id}|{channel.value}|{address}|{code}".encode()
    return hmac.new(ports.settings.pnr_hmac_key, message, hashlib.sha256).hexdigest()


def start_verification(ports: Ports, principal: CitizenPrincipal, channel: Any, address: Any, now: datetime) -> str:
    """Send a one-time code to the new address; nothing else goes there until it is confirmed."""
    chosen = channel_of(channel)
    if not isinstance(address, str):
        raise BadInput("field_required", "Skriv en adress.", field="address")
    try:
        normalised = normalise(chosen, address)
    except InvalidContact as error:
        raise BadInput("address_invalid", str(error), field="address") from None
    # At most 5 codes to an address and 10 for a citizen a day, counted before anything is sent.
    limits.verification_code_sent(ports, principal.citizen_id, chosen.value, normalised, now)
    code = f"{secrets.randbelow(10**6):06d}"
    pending = PendingVerification(
        address=normalised,
        code_hash=_code_hash(ports, principal.citizen_id, chosen, normalised, code),
        expires_at=now + CODE_LIFETIME,
        attempts=0,
    )
    ports.accounts.set_pending(principal.citizen_id, chosen, pending)
    region = ports.settings.region_name
    try:
        if chosen is Channel.EMAIL:
            ports.messenger.send_email(
                normalised,
                f"Din kod för e-tjänsterna i {region}",
                f"Din kod är {code}. Den gäller i 10 minuter.\n\nHar du inte bett om en kod kan du bortse från det här.\n",
            )
        else:
            ports.messenger.send_sms(normalised, f"Din kod för e-tjänsterna i {region}: {code}. Gäller i 10 minuter.")
    except DeliveryUncertain:
        # The provider may have taken it: the code stands; if none arrives the person asks again.
        logger.warning("verification code delivery uncertain", extra={"channel": chosen.value})
        record_metric("NotificationUncertain")
    except Exception as error:  # noqa: BLE001 (as the outbox: any failure before sending means nothing went)
        # Nothing was sent (the provider refused or could not be reached): say so, beside the field.
        logger.warning("verification code not sent", extra={"channel": chosen.value, "error": type(error).__name__})
        record_metric("ContactVerificationNotSent")
        raise Unavailable("code_not_sent", "Vi kunde inte skicka koden just nu. Försök igen om en stund.",
                          field="address") from None
    record_metric("ContactVerificationSent")
    return normalised


def confirm(ports: Ports, principal: CitizenPrincipal, channel: Any, code: Any, now: datetime) -> str:
    chosen = channel_of(channel)
    pending = ports.accounts.pending(ports.accounts.get(principal.citizen_id), chosen)
    if pending is None or pending.expired(now) or pending.exhausted():
        raise BadInput("code_expired", "Koden gäller inte längre. Be om en ny kod.", field="code")
    # Each try is counted atomically before the code is compared, per citizen and channel and day,
    # whichever code it is for: concurrent guesses cannot get past five, and a new code gives none.
    limits.verification_code_tried(ports, principal.citizen_id, chosen.value, now)
    expected = _code_hash(ports, principal.citizen_id, chosen, pending.address, str(code or "").strip())
    if not hmac.compare_digest(expected, pending.code_hash):
        ports.accounts.count_failed_code(principal.citizen_id, chosen)
        raise BadInput("code_wrong", "Koden stämmer inte. Kontrollera och försök igen.", field="code")
    if not ports.accounts.confirm_pending(principal.citizen_id, chosen, pending):
        raise BadInput("code_expired", "Koden gäller inte längre. Be om en ny kod.", field="code")
    logger.info("contact verified", extra={"citizen_id": principal.citizen_id, "channel": chosen.value})
    record_metric("ContactVerified")
    return pending.address


def withdraw(ports: Ports, principal: CitizenPrincipal, channel: Any) -> None:
    chosen = channel_of(channel)
    ports.accounts.withdraw(principal.citizen_id, chosen)
    logger.info("contact withdrawn", extra={"citizen_id": principal.citizen_id, "channel": chosen.value})
