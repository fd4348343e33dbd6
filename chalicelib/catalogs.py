"""The text catalogues: every user-facing text in gettext catalogues, one per language, in
chalicelib/locale/<language>/LC_MESSAGES/messages.po. Message ids are keys grouped by page
("inbox.heading"); Swedish is the source language and what a catalogue lacks falls back to.

A second domain, errors.po, holds the errors the services give (chalicelib/errors.py,
domain/error_text.py). There, as gettext does it, the message id is the Swedish text as the service
writes it ("Fältet {field} krävs."): Swedish is the source, so sv/errors.po lists the texts with
empty translations, and every other language translates each one. The services stay in Swedish;
`error_text` says an error in the reader's language where a page or the JSON API shows it.

At run time the standard library's gettext reads the compiled .mo files (the Lambda asset ships them
compiled, so Babel is not loaded there); a .po newer than its .mo is compiled on first use, with
Babel, where Babel is installed (`make catalogs`, tests, the local stack). Adding a language is adding
a catalogue: copy sv's messages.po, translate every entry; tests/unit/test_catalogs.py fails on an
entry missing or a placeholder that differs.

`python -m chalicelib.catalogs` compiles every catalogue.
"""

from __future__ import annotations

import gettext
import os
import tempfile
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"  # the pages', letters' and notifications' texts, by key
ERRORS = "errors"  # the services' errors, by their Swedish text
DOMAINS = (DOMAIN, ERRORS)
DEFAULT_LANGUAGE = "sv"


def _catalogue_languages() -> tuple[str, ...]:
    found = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists())
    return tuple(sorted(found, key=lambda lang: lang != DEFAULT_LANGUAGE))  # Swedish first


LANGUAGES: tuple[str, ...] = _catalogue_languages()


def source(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def compiled(lang: str, domain: str = DOMAIN) -> Path:
    return source(lang, domain).with_suffix(".mo")


def compile_catalogue(lang: str, domain: str = DOMAIN) -> Path:
    """messages.po -> messages.mo (Babel; fuzzy entries are left out, as msgfmt does). Written to a
    temporary file and renamed, so a reader never sees half a catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source(lang, domain).open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=domain)
    target = compiled(lang, domain)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".messages-", suffix=".mo")
    with os.fdopen(handle, "wb") as out:
        write_mo(out, catalogue, use_fuzzy=False)
    os.replace(partial, target)
    return target


def _fresh(lang: str, domain: str) -> Path:
    mo = compiled(lang, domain)
    if mo.exists() and mo.stat().st_mtime >= source(lang, domain).stat().st_mtime:
        return mo
    try:
        compile_catalogue(lang, domain)
    except ImportError:
        # The Lambda asset carries catalogues compiled when it was built, and no Babel; unpacking
        # it may leave a .po looking newer than its .mo.
        if not mo.exists():
            raise
    return mo


@lru_cache(maxsize=None)
def catalogue(lang: str, domain: str = DOMAIN) -> gettext.GNUTranslations:
    """The language's compiled catalogue, falling back to Swedish for an entry it lacks."""
    with _fresh(lang, domain).open("rb") as mo:
        translations = gettext.GNUTranslations(mo)
    if lang != DEFAULT_LANGUAGE:
        translations.add_fallback(catalogue(DEFAULT_LANGUAGE, domain))
    return translations


def pick(lang: str | None) -> str:
    """A language we have a catalogue for; Swedish otherwise."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def known(key: str) -> bool:
    return catalogue(DEFAULT_LANGUAGE).gettext(key) != key


def translate(lang: str | None, key: str, **values: object) -> str:
    """The text `key` in `lang`, with its {placeholders} filled. A `count` value chooses the plural
    form where the entry has plural forms ("1 meddelande", "2 meddelanden"). An id no catalogue
    has is a programming error, not a text to show."""
    translations = catalogue(pick(lang))
    count = values.get("count")
    text = key
    if isinstance(count, int) and not isinstance(count, bool):
        text = translations.ngettext(key, key, count)
    if text == key:
        text = translations.gettext(key)
    if text == key:
        raise KeyError(f"no text {key!r} in the catalogues")
    return text.format(**values) if values else text


def translated_error(lang: str, text: str) -> str | None:
    """A service's Swedish error text in `lang` from the errors catalogue, its values filled in;
    None when the catalogue does not have it."""
    template = getattr(text, "template", text)  # an ErrorText keeps the template it was made from
    translation = catalogue(pick(lang), ERRORS).gettext(template)
    if translation == template:
        return None
    values = getattr(text, "values", None)
    try:
        return translation.format_map(values) if values else translation
    except (KeyError, IndexError, ValueError):  # a translation wanting a value the error does not carry
        return None


def error_text(lang: str | None, text: str) -> str:
    """What a service said (Swedish, an ErrorText or a plain text) in `lang`. Swedish is said as
    written, without reading a catalogue; so is a text the errors catalogue does not have (a care
    system's own words, a staff member's)."""
    if pick(lang) == DEFAULT_LANGUAGE or not text:
        return str(text)
    return translated_error(pick(lang), text) or str(text)


def main() -> int:
    for domain in DOMAINS:
        for lang in LANGUAGES:
            if source(lang, domain).exists():
                print(f"compiled {compile_catalogue(lang, domain)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
