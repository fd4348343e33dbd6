"""Region content in Swedish and, optionally, English.

The region writes its content (case types and their questions, visit types, self-test offers) in
Swedish, and may add English beside it. A citizen reading in English sees the English where there is
one and the Swedish where there is not; staff read the Swedish. `Localized("Förnya recept",
"Renew a prescription").in_("en")` is "Renew a prescription"; `.in_("sv")`, or `.in_("en")` of a
text with no English, is the Swedish.

`str()` of a text is its Swedish, as the text read before it had an English side: code that has not
asked for a language (a staff page, a stored copy) keeps getting what it always got.
"""

from __future__ import annotations

from dataclasses import dataclass

SWEDISH, ENGLISH = "sv", "en"


@dataclass(frozen=True, slots=True)
class Localized:
    sv: str  # the text as the region wrote it: required wherever there is a text
    en: str | None = None  # the English beside it, if the region wrote one

    def __post_init__(self) -> None:
        if self.en is not None and not self.en.strip():
            object.__setattr__(self, "en", None)

    def in_(self, lang: str | None) -> str:
        """The text in `lang` ("sv", "en"), falling back to the Swedish."""
        return self.en if lang == ENGLISH and self.en else self.sv

    def language(self, lang: str | None) -> str:
        """The language `in_(lang)` is actually in: "sv" where the English is missing."""
        return ENGLISH if lang == ENGLISH and self.en else SWEDISH

    def __str__(self) -> str:
        return self.sv

    def __bool__(self) -> bool:
        return bool(self.sv)


NONE = Localized("")


def localized(value: Localized | str | None) -> Localized:
    """A text as given: a plain str is Swedish only."""
    if isinstance(value, Localized):
        return value
    return Localized(value or "")


def as_shown(copy: str, text: Localized | None, lang: str | None) -> str:
    """A copy of a text's Swedish taken when something was written (a booking's visit type name, a
    slot's place), in the reader's language: the text's English while the copy is still its Swedish;
    otherwise the copy as written (renamed since, or written by someone else)."""
    if text is not None and copy == text.sv:
        return text.in_(lang)
    return copy
