"""The text catalogues are complete: every language has every text Swedish has, translated, with the
same placeholders, and every text a page or service asks for by name exists. Adding a language is
adding a catalogue; this check says what it still lacks.

The errors catalogue likewise: every error text a service can give (the message of an error in
chalicelib/errors.py, an ErrorText's template, a text marked N_) is in it, by its Swedish text, and
every language translates each one with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from chalicelib import errors
from chalicelib.domain.error_text import ErrorText
from chalicelib import catalogs

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _read(lang: str, domain: str = catalogs.DOMAIN):
    with catalogs.source(lang, domain).open("rb") as po:
        return read_po(po, locale=lang, domain=domain)


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


# -- the errors catalogue ------------------------------------------------------------------------------
# The errors whose second argument is the message: every AppError in chalicelib/errors.py.
ERROR_CLASSES = tuple(sorted(name for name, value in vars(errors).items()
                             if isinstance(value, type) and issubclass(value, errors.AppError)))  # fmt: skip
ERROR_KEYWORDS = {**{name: (2,) for name in ERROR_CLASSES}, "ErrorText": (1,), "N_": (1,)}
_RUNTIME = sorted((ROOT / "chalicelib").rglob("*.py"))


def _said() -> dict[str, str]:
    """Every Swedish error text written out in the runtime code (Babel's extraction): where."""
    said: dict[str, str] = {}
    for path in _RUNTIME:
        for line, text, _, _ in extract_from_file("python", str(path), keywords=ERROR_KEYWORDS):
            if isinstance(text, str):
                said.setdefault(text, f"{path.relative_to(ROOT)}:{line}")
    return said


SAID = _said()
SWEDISH_ERRORS = {m.id: m for m in _read("sv", catalogs.ERRORS) if m.id}


def _po_entry(text: str) -> str:
    return 'msgid "{}"\nmsgstr ""'.format(text.replace("\\", "\\\\").replace('"', '\\"'))


def test_every_error_a_service_can_give_is_in_the_errors_catalogue():
    assert len(SAID) > 200  # the extraction found the services' errors, not nothing
    missing = [f"{where}:\n{_po_entry(text)}" for text, where in sorted(SAID.items(), key=lambda i: i[1])
               if text not in SWEDISH_ERRORS]  # fmt: skip
    assert not missing, "add to every errors.po (chalicelib/locale/*/LC_MESSAGES/):\n" + "\n".join(missing)


def test_the_errors_catalogue_has_no_text_a_service_no_longer_gives():
    stale = sorted(SWEDISH_ERRORS.keys() - SAID.keys())
    assert not stale, "no service gives these any more; remove them from every errors.po:\n" + "\n".join(stale)


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_every_language_says_every_error_with_the_same_placeholders(lang):
    assert catalogs.source(lang, catalogs.ERRORS).exists(), f"{lang} has no errors.po: copy en's, translate each"
    catalogue = {m.id: m for m in _read(lang, catalogs.ERRORS) if m.id}
    problems = [f"missing: {text!r}" for text in SWEDISH_ERRORS.keys() - catalogue.keys()]
    problems += [f"not in Swedish (the source): {text!r}" for text in catalogue.keys() - SWEDISH_ERRORS.keys()]
    for text, message in catalogue.items():
        if lang == catalogs.DEFAULT_LANGUAGE:
            if message.string:  # the source says itself: a Swedish msgstr would differ from what the code says
                problems.append(f"Swedish is the message id; leave msgstr empty: {text!r}")
            continue
        if message.fuzzy or not message.string.strip():
            problems.append(f"untranslated or fuzzy: {text!r}")
        elif set(PLACEHOLDER.findall(message.string)) != set(PLACEHOLDER.findall(text)):
            problems.append(f"placeholders differ from the Swedish: {text!r} -> {message.string!r}")
    assert not problems, "\n".join(sorted(problems))


def _built(node: ast.expr) -> bool:
    """A text put together where it is given (an f-string, +, %, .format, a choice between texts):
    the catalogue cannot have it."""
    return isinstance(node, (ast.JoinedStr, ast.BinOp, ast.IfExp, ast.BoolOp)) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"))


def test_no_error_text_is_put_together_where_it_is_given():
    """A text with values is its template and the values (BadInput(code, "… {limit} …", values=…));
    a text written down before it is raised is marked N_ where it is written. So every message the
    catalogue must have is a literal, and the extraction finds every literal Python sees."""
    problems, literals = [], set()
    for path in _RUNTIME:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            index = ERROR_KEYWORDS.get(name, (None,))[0]
            if index is None or len(node.args) < index:
                continue
            text = node.args[index - 1]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                literals.add((text.value, where))
            elif _built(text):
                problems.append(f"{where}: {name} with a text put together: {ast.unparse(text)[:80]}")
            elif name == "N_":
                problems.append(f"{where}: N_ marks a literal text, not {ast.unparse(text)[:80]}")
    problems += [f"{where}: the extraction missed {text!r}" for text, where in sorted(literals) if text not in SAID]
    assert len(literals) > 200
    assert not problems, "\n".join(problems)


def test_an_error_is_said_in_the_readers_language_with_its_values():
    too_long = errors.BadInput("field_too_long", "Fältet {field} får vara högst {limit} tecken.", field="text",
                               values={"field": "text", "limit": 4000})  # fmt: skip
    assert too_long.message == "Fältet text får vara högst 4000 tecken."  # logs and tests read the Swedish
    assert catalogs.error_text("en", too_long.message) == "The field text may be at most 4000 characters."
    assert catalogs.error_text("sv", too_long.message) == "Fältet text får vara högst 4000 tecken."
    taken = errors.Conflict("slot_taken", "Någon annan hann boka tiden. Välj en annan tid.")
    assert catalogs.error_text("en", taken.message) == "Someone else booked the time first. Choose another time."
    assert catalogs.error_text("fi", taken.message) == "Någon annan hann boka tiden. Välj en annan tid."
    # a text no catalogue has (a care system's own words) is said as written, in any language
    assert catalogs.error_text("en", ErrorText("Remissen saknar {what}.", {"what": "datum"})) == "Remissen saknar datum."
