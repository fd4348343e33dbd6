"""Forms (formulär) as FHIR R4 Questionnaires, and the answers to them as QuestionnaireResponses.

A form's definition is a Questionnaire resource as the region imports it; it is checked once, when it
is imported or edited (structure by the fhirclient library's R4 models, meaning here), and stored as
written. Everything a person does with a form (fill a page, save a draft, send, read it back, print
it, score it) is these pure rules over the parsed `Form`; no code comes with a form.

What this platform reads of a Questionnaire:
- item types string, text, boolean, choice, open-choice, integer, decimal, date, display, group;
  `required`, `repeats`, `maxLength`, `answerOption` (valueCoding, valueString or valueInteger),
  `enableWhen` (exists, =, !=, >, <, >=, <=) with `enableBehavior` any/all;
- each top-level group is a page; questions outside a group are a page of their own;
- English beside the Swedish through FHIR's `translation` extension on `_title`, `_text` and `_display`
  (the way the standard carries a language);
- a score: each option's weight in FHIR's `ordinalValue` extension, summed over the answers chosen,
  and the form's threshold in ours (`score-threshold`): at or above it the answer is flagged to staff;
- ours for the health declaration (hälsodeklaration): the form's kind (`form-kind`), an item marked
  `medically-relevant` goes on the declaration's PDF, and an option marked `attention` shows there in red.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Union

from chalicelib.domain.error_text import N_, ErrorText
from chalicelib.domain.localized import ENGLISH, Localized

EXTENSIONS = "https://e-tjanster.github.io/fhir/StructureDefinition"
FORM_KIND = f"{EXTENSIONS}/form-kind"
SCORE_THRESHOLD = f"{EXTENSIONS}/score-threshold"
MEDICALLY_RELEVANT = f"{EXTENSIONS}/medically-relevant"
ATTENTION = f"{EXTENSIONS}/attention"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"

MAX_ITEMS = 300  # a form longer than this is not a form a person fills in
MAX_TEXT = 4000  # the longest free text a `text` answer may hold without its own maxLength
MAX_STRING = 250


class ItemType(StrEnum):
    STRING = "string"
    TEXT = "text"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    OPEN_CHOICE = "open-choice"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DISPLAY = "display"
    GROUP = "group"


QUESTION_TYPES = frozenset(ItemType) - {ItemType.DISPLAY, ItemType.GROUP}


class FormKind(StrEnum):
    SURVEY = "survey"  # sent to a person to answer (the default)
    HEALTH_DECLARATION = "health-declaration"  # hälsodeklaration before an operation: valid for a time
    OPEN = "open"  # erbjuden e-tjänst: the citizen starts it from the unit's contact card; it arrives as a case


Value = Union[bool, str, int, Decimal, date]  # noqa: UP007 — a value as the form's item type reads it
OTHER = "__other__"  # the open-choice radio that says "another answer", typed beside it


@dataclass(frozen=True)
class Option:
    code: str  # what is stored (valueCoding.code, or the valueString/valueInteger itself)
    display: Localized
    weight: Decimal | None = None  # ordinalValue: counts towards the score when chosen
    attention: bool = False  # a health declaration shows this answer in red
    system: str | None = None  # valueCoding.system, kept for the response
    value_type: str = "Coding"  # as the form gives it (Coding, String or Integer): the response's answer is the same


@dataclass(frozen=True)
class EnableWhen:
    question: str
    operator: str
    answer: Value | None  # None for `exists` (then `exists` says which)
    exists: bool = True


@dataclass(frozen=True)
class Item:
    link_id: str
    type: ItemType
    text: Localized
    required: bool = False
    repeats: bool = False
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    enable_when: tuple[EnableWhen, ...] = ()
    enable_any: bool = False  # enableBehavior "any"; all by default
    medically_relevant: bool = False
    items: tuple[Item, ...] = ()

    @property
    def is_question(self) -> bool:
        return self.type in QUESTION_TYPES

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.items:
            yield from child.walk()


@dataclass(frozen=True)
class Form:
    title: Localized
    kind: FormKind
    items: tuple[Item, ...]
    url: str | None = None
    version: str | None = None
    description: Localized = field(default_factory=lambda: Localized(""))
    threshold: Decimal | None = None

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    def item(self, link_id: str) -> Item | None:
        return next((i for i in self.walk() if i.link_id == link_id), None)

    @property
    def questions(self) -> tuple[Item, ...]:
        return tuple(i for i in self.walk() if i.is_question)

    @property
    def pages(self) -> tuple[tuple[Item, ...], ...]:
        """What the citizen fills one page at a time: each top-level group, and the top-level items
        between groups together."""
        pages: list[tuple[Item, ...]] = []
        loose: list[Item] = []
        for item in self.items:
            if item.type is ItemType.GROUP:
                if loose:
                    pages.append(tuple(loose))
                    loose = []
                pages.append((item,))
            else:
                loose.append(item)
        if loose:
            pages.append(tuple(loose))
        return tuple(pages)

    @property
    def scored(self) -> bool:
        return any(o.weight is not None for i in self.walk() for o in i.options)

    def in_english(self) -> bool:
        return bool(self.title.en)


class InvalidQuestionnaire(ValueError):
    """The resource is not a Questionnaire this platform can show: each problem says where."""

    def __init__(self, problems: list[ErrorText]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# -- reading a Questionnaire -------------------------------------------------------------------------


def check_structure(resource: Mapping[str, Any]) -> None:
    """The resource against FHIR R4's Questionnaire (fhirclient's generated models: required elements,
    element names, types). Imported here: only importing and editing a form pays for it."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Questionnaire":
        # fhirclient raises a bare Exception for another resourceType: said here as parse says it
        raise InvalidQuestionnaire([ErrorText(N_("Resursen är inte en Questionnaire."))])
    if resource.get("contained"):
        # fhirclient reads a contained resource with the model of its type, and the Lambda asset has only the
        # models infra/asset.py keeps: refused alike everywhere (nothing of it is read here: no answerValueSet)
        raise InvalidQuestionnaire([ErrorText(N_("Formuläret har inbäddade resurser (contained); de stöds inte."))])
    from fhirclient.models.fhirabstractbase import FHIRValidationError
    from fhirclient.models.questionnaire import Questionnaire

    try:
        Questionnaire(dict(resource), strict=True)
    except FHIRValidationError as error:
        raise InvalidQuestionnaire([ErrorText(N_("Inte en giltig FHIR R4 Questionnaire: {detail}"),
                                              {"detail": _one_line(error)})]) from None  # fmt: skip


def _one_line(error: Exception) -> str:
    """fhirclient's message on one line, without its objects' addresses and module paths: `{root}: item.0:
    text: Wrong type int for property "text" on QuestionnaireItem, expecting str`."""
    text = re.sub(r" ?(?:on|for) <fhirclient\.models\.[\w.]+ object at 0x[0-9a-f]+>", "", str(error))
    text = re.sub(r"<class '(?:[\w]+\.)*(\w+)'>", r"\1", text)
    return " ".join(text.split())[:300]


def parse(resource: Mapping[str, Any]) -> Form:
    """The form a Questionnaire describes, or InvalidQuestionnaire with what is wrong. Assumes the
    structure was checked (check_structure) when it was imported; checks the meaning here."""
    problems: list[ErrorText] = []
    if resource.get("resourceType") != "Questionnaire":
        raise InvalidQuestionnaire([ErrorText(N_("Resursen är inte en Questionnaire."))])
    title = _localized(resource, "title")
    if not title.sv.strip():
        problems.append(ErrorText(N_("Formuläret saknar titel (title).")))
    kind_code = _extension(resource, FORM_KIND, "valueCode") or FormKind.SURVEY.value
    try:
        kind = FormKind(kind_code)
    except ValueError:
        problems.append(ErrorText(N_("Okänd formulärtyp: {kind}"), {"kind": kind_code}))
        kind = FormKind.SURVEY
    threshold = _decimal(_extension(resource, SCORE_THRESHOLD, "valueDecimal"))
    seen: dict[str, Item] = {}
    items = tuple(_item(raw, seen, problems) for raw in resource.get("item") or [])
    if not any(i.is_question for i in _walk_all(items)):
        problems.append(ErrorText(N_("Formuläret har inga frågor.")))
    if len(seen) > MAX_ITEMS:
        problems.append(ErrorText(N_("Formuläret har fler än {limit} frågor."), {"limit": MAX_ITEMS}))
    for item in _walk_all(items):
        for condition in item.enable_when:
            _check_condition(item, condition, seen, problems)
    form = Form(title=title, kind=kind, items=items, url=resource.get("url"), version=resource.get("version"),
                description=_localized(resource, "description"), threshold=threshold)  # fmt: skip
    if threshold is not None and not form.scored:
        problems.append(ErrorText(N_("Formuläret har en gräns för poäng men inga svar med poäng (ordinalValue).")))
    if problems:
        raise InvalidQuestionnaire(problems)
    return form


def _walk_all(items: Iterable[Item]) -> Iterator[Item]:
    for item in items:
        yield from item.walk()


def _item(raw: Mapping[str, Any], seen: dict[str, Item], problems: list[ErrorText]) -> Item:
    link_id = str(raw.get("linkId") or "")
    where = {"link_id": link_id or "?"}
    try:
        item_type = ItemType(raw.get("type"))
    except ValueError:
        problems.append(ErrorText(N_("Fråga {link_id}: typen {type} stöds inte."),
                                  {**where, "type": raw.get("type")}))  # fmt: skip
        item_type = ItemType.DISPLAY
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", link_id):
        problems.append(ErrorText(N_("Fråga {link_id}: linkId får bara ha bokstäver a–z, siffror, punkt, "
                                     "bindestreck och understreck (högst 64)."), where))  # fmt: skip
    elif link_id in seen:
        problems.append(ErrorText(N_("Fråga {link_id}: linkId finns redan i formuläret."), where))
    text = _localized(raw, "text")
    if item_type is not ItemType.GROUP and not text.sv.strip():
        problems.append(ErrorText(N_("Fråga {link_id}: texten saknas."), where))
    options = tuple(_option(o, where, problems) for o in raw.get("answerOption") or [])
    if item_type in (ItemType.CHOICE, ItemType.OPEN_CHOICE) and not options:
        problems.append(ErrorText(N_("Fråga {link_id}: ett val behöver svarsalternativ (answerOption)."), where))
    if options and item_type not in (ItemType.CHOICE, ItemType.OPEN_CHOICE):
        problems.append(ErrorText(N_("Fråga {link_id}: bara val har svarsalternativ."), where))
    if len({o.code for o in options}) != len(options):
        problems.append(ErrorText(N_("Fråga {link_id}: två svarsalternativ har samma kod."), where))
    max_length = raw.get("maxLength")
    if max_length is not None and not (isinstance(max_length, int) and 0 < max_length <= MAX_TEXT):
        problems.append(ErrorText(N_("Fråga {link_id}: maxLength ska vara 1–{limit}."), {**where, "limit": MAX_TEXT}))
        max_length = None
    children_raw = raw.get("item") or []
    if item_type is ItemType.GROUP and not children_raw:
        problems.append(ErrorText(N_("Fråga {link_id}: en grupp behöver frågor."), where))
    if children_raw and item_type is not ItemType.GROUP:
        problems.append(ErrorText(N_("Fråga {link_id}: bara grupper kan ha underfrågor här."), where))
    behaviour = raw.get("enableBehavior")
    item = Item(
        link_id=link_id, type=item_type, text=text, required=bool(raw.get("required")),
        repeats=bool(raw.get("repeats")), max_length=max_length, options=options,
        enable_when=tuple(_condition(c, where, problems) for c in raw.get("enableWhen") or []),
        enable_any=behaviour == "any", medically_relevant=_extension(raw, MEDICALLY_RELEVANT, "valueBoolean") is True,
        items=(),
    )  # fmt: skip
    if item.repeats and item_type not in (ItemType.CHOICE, ItemType.OPEN_CHOICE):
        problems.append(ErrorText(N_("Fråga {link_id}: bara val kan ha flera svar (repeats) här."), where))
    if len(item.enable_when) > 1 and behaviour not in ("any", "all"):
        problems.append(ErrorText(N_("Fråga {link_id}: flera villkor behöver enableBehavior (any eller all)."),
                                  where))  # fmt: skip
    seen.setdefault(link_id, item)  # the children come after: an enableWhen may only look back
    children = tuple(_item(c, seen, problems) for c in children_raw)
    if children:
        item = Item(**{**item.__dict__, "items": children})
        seen[link_id] = item
    return item


def _option(raw: Mapping[str, Any], where: dict[str, str], problems: list[ErrorText]) -> Option:
    weight = _decimal(_extension(raw, ORDINAL_VALUE, "valueDecimal"))
    attention = _extension(raw, ATTENTION, "valueBoolean") is True
    if "valueCoding" in raw:
        coding = raw["valueCoding"] or {}
        code = str(coding.get("code") or "")
        display = _localized(coding, "display")
        weight = weight if weight is not None else _decimal(_extension(coding, ORDINAL_VALUE, "valueDecimal"))
        if not code:
            problems.append(ErrorText(N_("Fråga {link_id}: ett svarsalternativ saknar kod."), where))
        return Option(code, display if display.sv else Localized(code), weight, attention, coding.get("system"))
    for key in ("valueString", "valueInteger"):
        if key in raw:
            code = str(raw[key])
            display = _localized(raw, key) if key == "valueString" else Localized(code)
            return Option(code, display if display.sv else Localized(code), weight, attention,
                          value_type=key.removeprefix("value"))  # fmt: skip
    problems.append(ErrorText(N_("Fråga {link_id}: svarsalternativ stöds som valueCoding, valueString eller "
                                 "valueInteger."), where))  # fmt: skip
    return Option("", Localized("?"))


OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")
_ANSWER_KEYS = ("answerBoolean", "answerDecimal", "answerInteger", "answerDate", "answerString", "answerCoding")


def _condition(raw: Mapping[str, Any], where: dict[str, str], problems: list[ErrorText]) -> EnableWhen:
    operator = str(raw.get("operator") or "")
    question = str(raw.get("question") or "")
    if operator not in OPERATORS:
        problems.append(ErrorText(N_("Fråga {link_id}: villkoret har en okänd operator."), where))
    if "answerBoolean" in raw and operator == "exists":
        return EnableWhen(question, operator, None, exists=bool(raw["answerBoolean"]))
    present = [k for k in _ANSWER_KEYS if k in raw]
    if len(present) != 1:
        problems.append(ErrorText(N_("Fråga {link_id}: villkoret behöver ett svar att jämföra med."), where))
        return EnableWhen(question, operator, None)
    key = present[0]
    value: Value | None = raw[key]
    if key == "answerCoding":
        value = str((raw[key] or {}).get("code") or "")
    elif key == "answerDecimal":
        value = _decimal(raw[key])
    elif key == "answerDate":
        value = _date(raw[key])
    return EnableWhen(question, operator, value)


def _check_condition(item: Item, condition: EnableWhen, seen: Mapping[str, Item],
                     problems: list[ErrorText]) -> None:  # fmt: skip
    where = {"link_id": item.link_id, "question": condition.question}
    target = seen.get(condition.question)
    if target is None or not target.is_question:
        problems.append(ErrorText(N_("Fråga {link_id}: villkoret pekar på {question}, som inte är en fråga i "
                                     "formuläret."), where))  # fmt: skip
        return
    order = list(seen)
    if order.index(condition.question) >= order.index(item.link_id):
        problems.append(ErrorText(N_("Fråga {link_id}: villkoret måste bygga på en tidigare fråga ({question})."),
                                  where))  # fmt: skip
        return
    if condition.operator == "exists":
        return
    ordered = target.type in (ItemType.INTEGER, ItemType.DECIMAL, ItemType.DATE)
    if condition.operator in (">", "<", ">=", "<=") and not ordered:
        problems.append(ErrorText(N_("Fråga {link_id}: större/mindre än går bara på tal och datum."), where))
    if condition.answer is None:
        return
    expected = {ItemType.BOOLEAN: bool, ItemType.INTEGER: (int, Decimal), ItemType.DECIMAL: (int, Decimal),
                ItemType.DATE: date}.get(target.type, str)  # fmt: skip
    if any(o.value_type == "Integer" for o in target.options):
        expected = (str, int)  # answerInteger (or answerCoding/answerString with the code) for valueInteger options
    if not isinstance(condition.answer, expected) or (expected is not bool and isinstance(condition.answer, bool)):
        problems.append(ErrorText(N_("Fråga {link_id}: villkorets svar passar inte frågan {question}."), where))
    elif target.options and target.type is ItemType.CHOICE and target.option(str(condition.answer)) is None:
        problems.append(ErrorText(N_("Fråga {link_id}: villkorets svar finns inte bland svarsalternativen till "
                                     "{question}."), where))  # fmt: skip


def _extension(element: Mapping[str, Any], url: str, key: str) -> Any:
    for extension in element.get("extension") or []:
        if extension.get("url") == url:
            return extension.get(key)
    return None


def _localized(element: Mapping[str, Any], name: str) -> Localized:
    """`name`'s Swedish, and the English from the FHIR translation extension on `_name`."""
    english = None
    for extension in (element.get(f"_{name}") or {}).get("extension") or []:
        if extension.get("url") != TRANSLATION:
            continue
        parts = {p.get("url"): p for p in extension.get("extension") or []}
        if (parts.get("lang") or {}).get("valueCode") == ENGLISH:
            english = (parts.get("content") or {}).get("valueString")
    return Localized(str(element.get(name) or ""), english)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# -- answering ---------------------------------------------------------------------------------------

Answers = dict[str, tuple[Value, ...]]  # linkId → the answers given (one, or several where it repeats)
Raw = Mapping[str, list[str]]  # a page's fields as posted: linkId → the values (and "<linkId>.other")


def enabled(form: Form, answers: Answers) -> set[str]:
    """The linkIds a person is asked, given the answers so far (FHIR's enableWhen): an item whose
    conditions fail is not asked, nor is anything inside a group that is not asked; a condition on a
    question that is itself not asked sees no answer."""
    shown: set[str] = set()

    def visit(items: tuple[Item, ...]) -> None:
        for item in items:
            if _conditions_hold(item, answers, shown):
                shown.add(item.link_id)
                visit(item.items)

    visit(form.items)
    return shown


def _conditions_hold(item: Item, answers: Answers, shown: set[str]) -> bool:
    if not item.enable_when:
        return True
    results = [_holds(c, answers.get(c.question, ()) if c.question in shown else ()) for c in item.enable_when]
    return any(results) if item.enable_any else all(results)


def _holds(condition: EnableWhen, given: tuple[Value, ...]) -> bool:
    if condition.operator == "exists":
        return bool(given) == condition.exists
    if condition.operator == "!=":
        return not any(_equal(v, condition.answer) for v in given)  # no answer is "not equal" too
    if condition.operator == "=":
        return any(_equal(v, condition.answer) for v in given)
    compare = {">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
               "<=": lambda a, b: a <= b}[condition.operator]  # fmt: skip
    return any(_comparable(v, condition.answer) and compare(v, condition.answer) for v in given)


def _equal(value: Value, expected: Value | None) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    if isinstance(value, (int, Decimal)) and isinstance(expected, (int, Decimal)):
        return Decimal(value) == Decimal(expected)
    return str(value) == str(expected)


def _comparable(value: Value, expected: Value | None) -> bool:
    numbers = (int, Decimal)
    if isinstance(value, bool) or isinstance(expected, bool):
        return False
    return (isinstance(value, numbers) and isinstance(expected, numbers)) or (
        isinstance(value, date) and isinstance(expected, date))  # fmt: skip


def read_page(form: Form, page: int, raw: Raw, answers: Answers) -> tuple[Answers, dict[str, ErrorText]]:
    """A posted page read into the answers so far: what was given on the page replaces what was there
    (a field left empty removes its answer), with an error beside each field that cannot be read.
    Required answers are not asked for here — a draft may be half done; `missing` says before sending."""
    updated = {k: v for k, v in answers.items()}
    errors: dict[str, ErrorText] = {}
    for item in _page_questions(form, page):
        values, error = _read(item, raw.get(item.link_id) or [], (raw.get(f"{item.link_id}.other") or [""])[0])
        if error is not None:
            errors[item.link_id] = error
        elif values:
            updated[item.link_id] = values
        else:
            updated.pop(item.link_id, None)
    return updated, errors


def question_ids(form: Form, page: int) -> list[str]:
    """The linkIds of the questions on a page (asked or not), in order."""
    return [item.link_id for item in _page_questions(form, page)]


def _page_questions(form: Form, page: int) -> Iterator[Item]:
    for item in form.pages[page]:
        for one in item.walk():
            if one.is_question:
                yield one


def _read(item: Item, given: list[str], other: str) -> tuple[tuple[Value, ...], ErrorText | None]:
    texts = [g.strip() for g in given if g is not None and g.strip()]
    if not item.repeats and len(texts) > 1:
        return (), ErrorText(N_("Välj ett svar."))
    values: list[Value] = []
    for text in texts:
        value, error = _one(item, text, other)
        if error is not None:
            return (), error
        if value is not None:
            values.append(value)
    return tuple(dict.fromkeys(values)), None


def _one(item: Item, text: str, other: str) -> tuple[Value | None, ErrorText | None]:
    if item.type in (ItemType.STRING, ItemType.TEXT):
        limit = item.max_length or (MAX_STRING if item.type is ItemType.STRING else MAX_TEXT)
        if len(text) > limit:
            return None, ErrorText(N_("Högst {limit} tecken."), {"limit": limit})
        if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
            return None, ErrorText(N_("Texten innehåller otillåtna tecken."))
        return text, None
    if item.type is ItemType.BOOLEAN:
        if text not in ("true", "false"):
            return None, ErrorText(N_("Svara ja eller nej."))
        return text == "true", None
    if item.type is ItemType.INTEGER:
        if not re.fullmatch(r"[-−]?[0-9]{1,9}", text):
            return None, ErrorText(N_("Skriv ett heltal, till exempel 3."))
        return int(text.replace("−", "-")), None
    if item.type is ItemType.DECIMAL:
        normal = text.replace(",", ".").replace("−", "-")
        if not re.fullmatch(r"-?[0-9]{1,9}(\.[0-9]{1,6})?", normal):
            return None, ErrorText(N_("Skriv ett tal, till exempel 72,5."))
        return Decimal(normal), None
    if item.type is ItemType.DATE:
        day = _date(text) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
        if day is None:
            return None, ErrorText(N_("Skriv datumet som ÅÅÅÅ-MM-DD."))
        return day, None
    if item.type is ItemType.OPEN_CHOICE and text == OTHER:
        other = other.strip()
        if not other:
            return None, ErrorText(N_("Skriv ditt svar i fältet Annat."))
        if len(other) > MAX_STRING:
            return None, ErrorText(N_("Högst {limit} tecken."), {"limit": MAX_STRING})
        return other, None
    if item.option(text) is None:
        return None, ErrorText(N_("Välj ett av alternativen."))
    return text, None


def missing(form: Form, answers: Answers) -> list[str]:
    """The required questions a person is asked and has not answered, in the form's order."""
    shown = enabled(form, answers)
    return [i.link_id for i in form.walk() if i.is_question and i.required and i.link_id in shown
            and not answers.get(i.link_id)]  # fmt: skip


def page_of(form: Form, link_id: str) -> int:
    for number, page in enumerate(form.pages):
        if any(one.link_id == link_id for item in page for one in item.walk()):
            return number
    raise KeyError(link_id)


def asked(form: Form, answers: Answers) -> Answers:
    """Only the answers to questions still asked (an answer to a question its condition no longer
    asks is not sent)."""
    shown = enabled(form, answers)
    return {k: v for k, v in answers.items() if k in shown}


def score(form: Form, answers: Answers) -> Decimal | None:
    """The sum of the weights of the options chosen in questions asked; None for a form without weights."""
    if not form.scored:
        return None
    total = Decimal(0)
    for link_id, values in asked(form, answers).items():
        item = form.item(link_id)
        for value in values:
            option = item.option(str(value)) if item else None
            if option is not None and option.weight is not None:
                total += option.weight
    return total


def over_threshold(form: Form, total: Decimal | None) -> bool:
    return form.threshold is not None and total is not None and total >= form.threshold


# -- the answer as a person reads it, and as FHIR carries it -------------------------------------------


def shown(item: Item, value: Value, lang: str | None) -> str:
    """One answer as the reader reads it: the option's text, "Ja"/"Nej" in their language, a date."""
    if item.type is ItemType.BOOLEAN:
        return ("Yes" if value else "No") if lang == ENGLISH else ("Ja" if value else "Nej")
    option = item.option(str(value)) if item.options else None
    if option is not None:
        return option.display.in_(lang)
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if lang == ENGLISH else text.replace(".", ",")
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True)
class AnswerLine:
    """A question and its answer, for a page, a PDF or the nurse's view."""

    link_id: str
    question: str
    answer: str
    depth: int = 0
    heading: bool = False  # a group's title or a display text
    attention: bool | None = None  # a medically relevant answer: True red (an option marked attention chosen),
    # False green (only options not marked); None: not marked (not relevant, unanswered, or an answer no option is)


def lines(form: Form, answers: Answers, lang: str | None, *, medically_relevant_only: bool = False) -> list[AnswerLine]:
    """The answered form in its order: every question asked with its answer (or "–"), groups as headings."""
    shown_ids = enabled(form, answers)
    out: list[AnswerLine] = []

    def visit(items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            if item.link_id not in shown_ids:
                continue
            if item.type is ItemType.GROUP:
                if not medically_relevant_only and item.text.sv:
                    out.append(AnswerLine(item.link_id, item.text.in_(lang), "", depth, heading=True))
                visit(item.items, depth + 1)
                continue
            if not item.is_question or (medically_relevant_only and not item.medically_relevant):
                continue
            values = answers.get(item.link_id, ())
            attention = None
            if item.medically_relevant and values:
                chosen = [item.option(str(v)) for v in values]
                if any(o is not None and o.attention for o in chosen):
                    attention = True
                elif all(o is not None for o in chosen):  # only options: none to alert on
                    attention = False
                # a free text, number, date, yes/no or "Annat" answer the form cannot judge: not marked
            out.append(AnswerLine(item.link_id, item.text.in_(lang),
                                  ", ".join(shown(item, v, lang) for v in values) or "–", depth,
                                  attention=attention))  # fmt: skip

    visit(form.items, 0)
    return out


def response(form: Form, answers: Answers, *, questionnaire: str, status: str, subject: Mapping[str, Any] | None,
             authored: str | None, response_id: str | None = None, author: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answers as a FHIR R4 QuestionnaireResponse (nested as the form is; only questions asked)."""
    kept = asked(form, answers) if status == "completed" else answers

    def items(of: tuple[Item, ...]) -> list[dict[str, Any]]:
        out = []
        for item in of:
            if item.type is ItemType.GROUP:
                children = items(item.items)
                if children:
                    out.append({"linkId": item.link_id, "text": item.text.sv, "item": children})
            elif item.is_question and kept.get(item.link_id):
                out.append({"linkId": item.link_id, "text": item.text.sv,
                            "answer": [_fhir_answer(item, v) for v in kept[item.link_id]]})  # fmt: skip
        return out

    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if response_id:
        resource["id"] = response_id
    resource.update({"questionnaire": questionnaire, "status": status})
    if subject:
        resource["subject"] = dict(subject)
    if authored:
        resource["authored"] = authored
    if author:
        resource["author"] = dict(author)
    resource["item"] = items(form.items)
    return resource


def _fhir_answer(item: Item, value: Value) -> dict[str, Any]:
    if item.type is ItemType.BOOLEAN:
        return {"valueBoolean": value}
    if item.type is ItemType.INTEGER:
        return {"valueInteger": value}
    if item.type is ItemType.DECIMAL:
        return {"valueDecimal": float(value) if isinstance(value, Decimal) else value}
    if item.type is ItemType.DATE:
        return {"valueDate": value.isoformat() if isinstance(value, date) else str(value)}
    option = item.option(str(value)) if item.options else None
    if option is not None and option.value_type == "Integer":
        return {"valueInteger": int(option.code)}
    if option is not None and option.value_type == "String":
        return {"valueString": option.code}
    if option is not None:
        coding = {"code": option.code, "display": option.display.sv}
        if option.system:
            coding = {"system": option.system, **coding}
        return {"valueCoding": coding}
    return {"valueString": str(value)}


def answers_from(resource: Mapping[str, Any], form: Form) -> Answers:
    """The answers a QuestionnaireResponse holds (a saved draft read back), typed as the form reads them;
    answers to questions the form does not have are dropped."""
    out: Answers = {}

    def visit(entries: list[Mapping[str, Any]]) -> None:
        for entry in entries:
            item = form.item(str(entry.get("linkId")))
            if item is not None and item.is_question:
                values = tuple(v for v in (_value_of(item, a) for a in entry.get("answer") or []) if v is not None)
                if values:
                    out[item.link_id] = values
            visit(entry.get("item") or [])

    visit(list(resource.get("item") or []))
    return out


def _value_of(item: Item, answer: Mapping[str, Any]) -> Value | None:
    if item.type in (ItemType.CHOICE, ItemType.OPEN_CHOICE) and "valueInteger" in answer:
        return str(answer["valueInteger"])  # an option's code, as a posted page gives it
    if "valueCoding" in answer:
        return str((answer["valueCoding"] or {}).get("code") or "") or None
    if "valueBoolean" in answer:
        return bool(answer["valueBoolean"])
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    if "valueDecimal" in answer:
        return _decimal(answer["valueDecimal"])
    if "valueDate" in answer:
        return _date(answer["valueDate"])
    if "valueString" in answer:
        return str(answer["valueString"])
    return None


def raw_of(form: Form, answers: Answers) -> dict[str, list[str]]:
    """The answers as a page's fields hold them (to show a draft back in its form)."""
    out: dict[str, list[str]] = {}
    for link_id, values in answers.items():
        item = form.item(link_id)
        if item is None:
            continue
        texts: list[str] = []
        for value in values:
            if item.type is ItemType.OPEN_CHOICE and item.option(str(value)) is None:
                texts.append(OTHER)
                out[f"{link_id}.other"] = [str(value)]
            elif isinstance(value, bool):
                texts.append("true" if value else "false")
            elif isinstance(value, Decimal):
                texts.append(format(value.normalize(), "f").replace(".", ","))
            elif isinstance(value, date):
                texts.append(value.isoformat())
            else:
                texts.append(str(value))
        out[link_id] = texts
    return out
