"""Self-testing (egen provhantering): who may order which home test, the order's way from
ordered to result, and the 40-day limit for sending the sample back."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from chalicelib.domain.localized import NONE, Localized, localized
from chalicelib.domain.personnummer import age_on, luhn_check_digit

RETURN_DAYS = 40  # from the kit reaching the citizen to the sample reaching the lab
REMINDER_BEFORE = timedelta(days=7)


class Outcome(str, Enum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    TECHNICAL_ERROR = "technical_error"


class Status(str, Enum):
    ORDERED = "ordered"  # waiting for the lab or logistics partner to send a kit
    SENT = "sent"  # the kit is on its way or in the citizen's hands
    SAMPLE_REGISTERED = "sample_registered"  # the citizen has taken the sample (or registered a picked-up kit)
    RECEIVED = "received"  # the lab has the sample
    RESULTED = "resulted"
    EXPIRED = "expired"  # no sample within the limit


OPEN = (Status.ORDERED, Status.SENT, Status.SAMPLE_REGISTERED, Status.RECEIVED)


class Delivery(str, Enum):
    HOME = "home"  # the address in the population register
    PICKUP = "pickup"  # a pickup point
    OTHER = "other"  # an address the citizen gives


@dataclass(frozen=True, slots=True)
class TestOffer:
    """Name, instructions and result texts in Swedish and optionally English (a plain str is Swedish only)."""

    test_id: str
    name: Localized
    min_age: int | None
    analyses: tuple[str, ...]  # "chlamydia", "gonorrhoea", "sars_cov_2"
    instructions: Localized
    deliveries: tuple[Delivery, ...]
    pickup_points: tuple[str, ...]
    follow_up_unit: str  # the clinic whose staff follow up positive results
    texts: dict[str, Localized]  # the region's result text per outcome (an Outcome's value)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", localized(self.name))
        object.__setattr__(self, "instructions", localized(self.instructions))
        object.__setattr__(self, "texts", {outcome: localized(text) for outcome, text in self.texts.items()})

    def result_text(self, outcome: Outcome | str) -> Localized:
        """The region's text for a result: `offer.result_text(outcome).in_(lang)`."""
        return self.texts.get(outcome.value if isinstance(outcome, Outcome) else outcome, NONE)


def ineligibility(offer: TestOffer, registered_in_region: bool, birth: date, today: date) -> str | None:
    """Why this person may not order this test today, or None."""
    if not registered_in_region:
        return "not_registered_in_region"
    if offer.min_age is not None and age_on(birth, today) < offer.min_age:
        return "too_young"
    return None


def overall(outcomes: dict[str, Outcome]) -> Outcome:
    """One positive analysis makes the result positive; otherwise any technical error asks for a new sample."""
    if Outcome.POSITIVE in outcomes.values():
        return Outcome.POSITIVE
    if Outcome.TECHNICAL_ERROR in outcomes.values():
        return Outcome.TECHNICAL_ERROR
    return Outcome.NEGATIVE


def return_deadline(kit_in_hand_at: datetime) -> datetime:
    return kit_in_hand_at + timedelta(days=RETURN_DAYS)


# -- kit numbers the region makes (kits put out in a box for picking up) ------------------------------
# "KIT-1234-5678-9012": eleven random digits and a Luhn check digit. Random, so a number on one kit
# says nothing about the next (a neighbour's kit cannot be registered by guessing); the check digit
# catches a mistyped number before any look-up. Numbers the lab prints on the kits it ships are its own.

KIT_PREFIX = "KIT"
_OURS = re.compile(r"^KIT-?(\d{4})-?(\d{4})-?(\d{4})$")


def new_kit_number(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    digits = "".join(str(randbelow(10)) for _ in range(11))
    digits += str(luhn_check_digit(digits))
    return f"{KIT_PREFIX}-{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def normalise_kit_number(text: str) -> str:
    """As printed, whatever the case and spacing: "kit 1234 5678 9012" is "KIT-1234-5678-9012"."""
    compact = re.sub(r"\s+", "", text or "").upper()
    ours = _OURS.match(compact)
    return f"{KIT_PREFIX}-{'-'.join(ours.groups())}" if ours else compact


def kit_number_mistyped(number: str) -> bool:
    """True for a number in the region's own form whose check digit does not add up."""
    ours = _OURS.match(number)
    if not ours:
        return False
    digits = "".join(ours.groups())
    return luhn_check_digit(digits[:-1]) != int(digits[-1])
