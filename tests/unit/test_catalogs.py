"""The text catalogues are complete: every language has every text Swedish has, translated, with the
same placeholders, and every text a page or service asks for by name exists. Adding a language is
adding a catalogue; this check says what it still lacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from chalicelib.web import catalogs

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _read(lang: str):
    with catalogs.source(lang).open("rb") as po:
        return read_po(po, locale=lang)


def _forms(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


SWEDISH = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _read("sv") if m.id}


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_every_catalogue_has_every_text_translated_with_the_same_placeholders(lang):
    catalogue = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _read(lang) if m.id}
    problems = [f"missing: {key}" for key in SWEDISH.keys() - catalogue.keys()]
    problems += [f"not in Swedish (the source): {key}" for key in catalogue.keys() - SWEDISH.keys()]
    for key, message in catalogue.items():
        source = SWEDISH.get(key)
        if source is None:
            continue
        if message.fuzzy or not all(form.strip() for form in _forms(message)):
            problems.append(f"untranslated or fuzzy: {key}")
        if isinstance(message.id, tuple) != isinstance(source.id, tuple):
            problems.append(f"plural in one language and not the other: {key}")
        wanted = {p for form in _forms(source) for p in PLACEHOLDER.findall(form)}
        for form in _forms(message):
            if set(PLACEHOLDER.findall(form)) - wanted:
                problems.append(f"placeholder Swedish does not have: {key}: {form!r}")
    assert not problems, "\n".join(sorted(problems))


def _asked_for() -> dict[str, str]:
    """Every text id written out in a template (t("…")) or in Python (translate(lang, "…")): where."""
    asked: dict[str, str] = {}
    templates = ROOT / "chalicelib" / "web" / "templates"
    for path in sorted(templates.glob("*.html")):
        for line, key, _, _ in extract_from_file("jinja2.ext:babel_extract", str(path), keywords={"t": None},
                                                  options={"extensions": "jinja2.ext.i18n"}):  # fmt: skip
            if isinstance(key, str):
                asked.setdefault(key, f"{path.relative_to(ROOT)}:{line}")
    for path in sorted((ROOT / "chalicelib").rglob("*.py")):
        for line, key, _, _ in extract_from_file("python", str(path), keywords={"translate": (2,)}):
            if isinstance(key, str):
                asked.setdefault(key, f"{path.relative_to(ROOT)}:{line}")
    return asked


def test_every_text_a_page_or_service_asks_for_is_in_the_catalogues():
    asked = _asked_for()
    assert len(asked) > 400  # the extraction found the pages' texts, not nothing
    missing = [f"{where}: {key}" for key, where in sorted(asked.items()) if key not in SWEDISH]
    assert not missing, "\n".join(missing)


def test_a_count_chooses_the_plural_form_in_each_language():
    assert catalogs.translate("sv", "inbox.message_count", count=1) == "1 meddelande"
    assert catalogs.translate("sv", "inbox.message_count", count=2) == "2 meddelanden"
    assert catalogs.translate("sv", "inbox.unread_count", count=0) == "0 olästa"
    assert catalogs.translate("en", "inbox.message_count", count=1) == "1 message"
    assert catalogs.translate("en", "inbox.message_count", count=21) == "21 messages"


def test_an_unknown_language_reads_swedish_and_an_unknown_text_is_an_error():
    assert catalogs.translate("fi", "site.logout") == "Logga ut"
    assert catalogs.translate(None, "site.logout") == "Logga ut"
    with pytest.raises(KeyError):
        catalogs.translate("sv", "site.no_such_text")
