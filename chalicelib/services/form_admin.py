"""Forms in the staff tool, beside the core (services/forms.py): the region's catalogue a page at a
time, the regional admin's work on the region's forms (import, a new version, a text editor,
retiring), what the unit's send page needs, and an answer exported as a PDF.

Authorisation is here, per call: the regional admin (at the region's HSA-id) owns the region's
forms; a unit's local admin reads the catalogue to choose the unit's forms; a unit's case receivers
and handlers send; its followers (receivers, handlers, reviewers) open and export answers.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.adapters.events import ConditionLost
from chalicelib.adapters.tables import FormDefinitionRecord, UnitFormRecord, UnitRecord
from chalicelib.domain import questionnaire as q
from chalicelib.domain.clock import stockholm_date
from chalicelib.domain.error_text import N_, ErrorText
from chalicelib.domain.events import Kind, event
from chalicelib.domain.forms import FormStatus, RequestStatus
from chalicelib.domain.localized import Localized
from chalicelib.domain.roles import StaffRole
from chalicelib.errors import BadInput, Conflict, Forbidden, NotFound
from chalicelib.services import forms, paging
from chalicelib.services.ports import Ports
from chalicelib.services.principals import StaffPrincipal

CATALOGUE_PAGE = 25
EXPORTS = "form-exports"  # the bucket keeps a PDF made for a download a day (infra/stack.py), then removes it
MAX_EDITED_TEXT = 1000


# -- who ---------------------------------------------------------------------------------------------


def is_regional_admin(ports: Ports, principal: StaffPrincipal) -> bool:
    return principal.has_role(ports.settings.region_hsa_id, StaffRole.REGIONAL_ADMIN)


def require_regional_admin(ports: Ports, principal: StaffPrincipal) -> None:
    if not is_regional_admin(ports, principal):
        raise Forbidden("region_admin_only", "Bara regionens administratör kan ändra regionens formulär.")


def form_units(ports: Ports, principal: StaffPrincipal) -> list[UnitRecord]:
    """The units whose forms the staff member follows up or chooses (the forms page's unit picker)."""
    return ports.units.get_many([u for u in principal.units()
                                 if principal.has_role(u, *forms.FOLLOWERS, *forms.SUBSCRIBERS)])  # fmt: skip


def may_send(principal: StaffPrincipal, unit_hsa_id: str) -> bool:
    return principal.has_role(unit_hsa_id, *forms.SENDERS)


def may_follow(principal: StaffPrincipal, unit_hsa_id: str) -> bool:
    return principal.has_role(unit_hsa_id, *forms.FOLLOWERS)


def may_subscribe(principal: StaffPrincipal, unit_hsa_id: str) -> bool:
    return principal.has_role(unit_hsa_id, *forms.SUBSCRIBERS)


# -- the region's catalogue --------------------------------------------------------------------------


def catalogue(ports: Ports, principal: StaffPrincipal, cursor: str | None) -> paging.Page[FormDefinitionRecord]:
    """A page of the region's forms by title (their current versions, retired ones too): for the
    regional admin, and for local admins choosing their units' forms. One Query a page."""
    if not (is_regional_admin(ports, principal)
            or any(principal.has_role(u, *forms.SUBSCRIBERS) for u in principal.units())):  # fmt: skip
        raise Forbidden("forms_not_allowed", "Du har ingen behörighet till regionens formulär.")
    scope = "form-catalogue"
    found, following = ports.form_definitions.page(CATALOGUE_PAGE, paging.start(ports, scope, cursor))
    return paging.Page(found, paging.following(ports, scope, following))


# -- the regional admin: import, new version, edit, retire -------------------------------------------


def import_form(ports: Ports, principal: StaffPrincipal, text: str | None, now: datetime,
                form_id: str | None = None) -> forms.Definition:  # fmt: skip
    """A Questionnaire pasted as JSON: a new form, or (`form_id`) a new version of one. Every problem
    is listed (forms.QuestionnaireRefused.problems); nothing is written unless the form is usable."""
    require_regional_admin(ports, principal)
    if form_id:
        forms.current(ports, form_id)  # a form that does not exist is a 404, not a problem with the text
    if not (text or "").strip():
        raise BadInput("questionnaire_missing", "Klistra in formuläret (en FHIR Questionnaire som JSON).",
                       field="questionnaire")  # fmt: skip
    resource, form = forms.read_questionnaire(text or "")
    return forms.publish(ports, resource, form, principal.hsa_id, now, form_id=form_id)


def retire(ports: Ports, principal: StaffPrincipal, form_id: str, now: datetime) -> None:
    """The form is no longer sent nor chosen by units; what was sent can still be answered and followed up."""
    require_regional_admin(ports, principal)
    record = forms.current(ports, form_id).record
    if record.status == FormStatus.RETIRED.value:
        return
    try:
        ports.form_definitions.set_status(record, FormStatus.RETIRED.value, event(
            Kind.FORM_RETIRED, f"form#{form_id}", now, form_id=form_id, version=str(int(record.version)),
            by=principal.hsa_id))  # fmt: skip
    except ConditionLost:
        raise Conflict("form_changed", "Någon annan sparade en ny version av formuläret samtidigt. Öppna det igen.") \
            from None  # fmt: skip


def to_edit(ports: Ports, principal: StaffPrincipal, form_id: str) -> forms.Definition:
    require_regional_admin(ports, principal)
    return forms.current(ports, form_id)


@dataclass(frozen=True)
class EditedItem:
    """A row of the editor: one item of the form, with its texts and required flag (and a choice's
    options, a line each), and whether it can move up or down among its page's items."""

    link_id: str
    type: str
    depth: int
    text: str
    text_en: str
    required: bool
    question: bool
    options: str = ""
    options_en: str = ""
    first: bool = True
    last: bool = True


def editor_rows(definition: forms.Definition) -> list[EditedItem]:
    rows: list[EditedItem] = []

    def visit(items: tuple[q.Item, ...], depth: int) -> None:
        for n, item in enumerate(items):
            rows.append(EditedItem(item.link_id, item.type.value, depth, item.text.sv, item.text.en or "",
                                   item.required, item.is_question,
                                   "\n".join(o.display.sv for o in item.options),
                                   "\n".join(o.display.en or "" for o in item.options)
                                   if any(o.display.en for o in item.options) else "",
                                   n == 0, n == len(items) - 1))  # fmt: skip
            visit(item.items, depth + 1)

    visit(definition.form.items, 0)
    return rows


ADDABLE_TYPES = ("string", "text", "boolean", "choice", "integer", "decimal", "date")
NEW_PAGE = "new"  # the add form's page: a new page (a top-level group) at the end


def editor_pages(definition: forms.Definition) -> list[tuple[str, str]]:
    """The pages a question can be added to (the top-level groups): linkId and text."""
    return [(i.link_id, i.text.sv or i.link_id) for i in definition.form.items if i.type is q.ItemType.GROUP]


class EditRefused(BadInput):
    """The editor's post refused: each problem beside its field (`errors`: field name → text)."""

    def __init__(self, errors: dict[str, ErrorText]) -> None:
        field, first = next(iter(errors.items()))
        super().__init__("form_edit_invalid", first, field=field)
        self.errors = errors


def _editing(ports: Ports, principal: StaffPrincipal, form_id: str,
             fields: dict[str, str]) -> tuple[forms.Definition, dict[str, Any]]:  # fmt: skip
    """The current version to edit, as a copy of its resource; someone else's newer version is not overwritten."""
    definition = to_edit(ports, principal, form_id)
    if str(fields.get("version") or "") != str(definition.version):
        raise Conflict("form_changed", "Någon annan sparade en ny version av formuläret samtidigt. Öppna det igen.")
    resource = copy.deepcopy(definition.resource)
    for name in ("id", "version"):  # publish writes them (and the status) for the new version
        resource.pop(name, None)
    return definition, resource


def _publish_edited(ports: Ports, principal: StaffPrincipal, form_id: str, resource: dict[str, Any],
                    now: datetime) -> forms.Definition:  # fmt: skip
    """Checked as an import is (FHIR structure, then what this platform can show), then current."""
    try:
        q.check_structure(resource)
        form = q.parse(resource)
    except q.InvalidQuestionnaire as error:
        raise forms.QuestionnaireRefused(error.problems) from None
    return forms.publish(ports, resource, form, principal.hsa_id, now, form_id=form_id)


def edit_texts(ports: Ports, principal: StaffPrincipal, form_id: str, fields: dict[str, str],
               now: datetime) -> forms.Definition:  # fmt: skip
    """The editor's post: the title and each item's text in Swedish and English, each question's
    required flag and each choice's options, as a new version of the form (published as an import is:
    checked, then current). Fields: `title`, `title_en`, `text.<linkId>`, `text_en.<linkId>`,
    `required.<linkId>` ("yes"), `options.<linkId>` and `options_en.<linkId>` (a line an option);
    `version`: the version the editor showed (someone else's newer version is not overwritten)."""
    _definition, resource = _editing(ports, principal, form_id, fields)
    errors: dict[str, ErrorText] = {}
    _set_text(resource, "title", fields.get("title"), fields.get("title_en"), "title")

    def visit(items: list[dict[str, Any]]) -> None:
        for item in items:
            link_id = str(item.get("linkId") or "")
            if f"text.{link_id}" in fields:
                _set_text(item, "text", fields.get(f"text.{link_id}"), fields.get(f"text_en.{link_id}"),
                          f"text.{link_id}")  # fmt: skip
            if item.get("type") in q.QUESTION_TYPES:
                required = fields.get(f"required.{link_id}") == "yes"
                if required:
                    item["required"] = True
                else:
                    item.pop("required", None)
            if item.get("type") in ("choice", "open-choice") and f"options.{link_id}" in fields:
                _set_options(item, fields.get(f"options.{link_id}"), fields.get(f"options_en.{link_id}"),
                             f"options.{link_id}", errors)  # fmt: skip
            visit(item.get("item") or [])

    visit(resource.get("item") or [])
    if errors:
        raise EditRefused(errors)
    return _publish_edited(ports, principal, form_id, resource, now)


def change_items(ports: Ports, principal: StaffPrincipal, form_id: str, fields: dict[str, str],
                 now: datetime) -> forms.Definition | None:  # fmt: skip
    """One of the editor's small posts, as a new version: `action` "add" (a question of a common type
    at the end of a page, or as a new page), "remove", "up" or "down" (`item`: the linkId). None when
    nothing changed (a move past the end of its page)."""
    _definition, resource = _editing(ports, principal, form_id, fields)
    action = fields.get("action")
    if action == "add":
        _add_question(resource, fields)
    elif action in ("remove", "up", "down"):
        link_id = str(fields.get("item") or "")
        siblings = _siblings_of(resource.get("item") or [], link_id)
        if siblings is None:
            raise NotFound("form_item_not_found", "Frågan finns inte i formuläret.")
        if action == "remove":
            _remove(resource, siblings, link_id)
        else:
            at = next(n for n, i in enumerate(siblings) if i.get("linkId") == link_id)
            to = at - 1 if action == "up" else at + 1
            if not 0 <= to < len(siblings):
                return None
            siblings[at], siblings[to] = siblings[to], siblings[at]
    else:
        raise BadInput("form_edit_action", "Okänd ändring av formuläret.")
    return _publish_edited(ports, principal, form_id, resource, now)


def _siblings_of(items: list[dict[str, Any]], link_id: str) -> list[dict[str, Any]] | None:
    """The list (the form's items, or a group's) that holds the item."""
    for item in items:
        if item.get("linkId") == link_id:
            return items
        found = _siblings_of(item.get("item") or [], link_id)
        if found is not None:
            return found
    return None


def _walk_raw(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _walk_raw(item.get("item") or [])


def _remove(resource: dict[str, Any], siblings: list[dict[str, Any]], link_id: str) -> None:
    """The item (and what it holds) out of the form, unless another question is shown depending on it;
    a page left without questions goes with it."""
    removed = next(i for i in siblings if i.get("linkId") == link_id)
    gone = {str(i.get("linkId")) for i in _walk_raw([removed])}
    dependants = sorted({str(i.get("linkId")) for i in _walk_raw(resource.get("item") or [])
                         if str(i.get("linkId")) not in gone
                         and any(c.get("question") in gone for c in i.get("enableWhen") or [])})  # fmt: skip
    if dependants:
        raise EditRefused({f"remove.{link_id}": ErrorText(N_(
            "Frågan kan inte tas bort: {questions} visas beroende på svaret på den. Ändra dem först."),
            {"questions": ", ".join(dependants)})})  # fmt: skip
    siblings.remove(removed)

    def prune(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for item in items:
            if item.get("type") == "group" and "item" in item:
                item["item"] = prune(item["item"])
                if not item["item"]:
                    continue
            kept.append(item)
        return kept

    resource["item"] = prune(resource.get("item") or [])


def _add_question(resource: dict[str, Any], fields: dict[str, str]) -> None:
    """A question from the add form (`add_type`, `add_text`, `add_text_en`, `add_required`, `add_options`,
    `add_options_en`, `add_page`: a page's linkId or "new", then `add_page_text`) at the end of its page."""
    errors: dict[str, ErrorText] = {}
    kind = str(fields.get("add_type") or "")
    if kind not in ADDABLE_TYPES:
        errors["add_type"] = ErrorText(N_("Välj frågans typ."))
    item: dict[str, Any] = {"linkId": "", "type": kind or "string"}
    if not (fields.get("add_text") or "").strip():
        errors["add_text"] = ErrorText(N_("Skriv frågans text."))
    else:
        _text_into(item, "text", fields.get("add_text"), fields.get("add_text_en"), "add_text", errors)
    if fields.get("add_required") == "yes":
        item["required"] = True
    if kind == "choice":
        _set_options(item, fields.get("add_options"), fields.get("add_options_en"), "add_options", errors)
    pages = {str(i.get("linkId")): i for i in resource.get("item") or [] if i.get("type") == "group"}
    page = str(fields.get("add_page") or "")
    if page != NEW_PAGE and page not in pages:
        errors["add_page"] = ErrorText(N_("Välj en sida, eller en ny sida."))
    if errors:
        raise EditRefused(errors)
    taken = {str(i.get("linkId")) for i in _walk_raw(resource.get("item") or [])}
    item["linkId"] = _unique(_slug(str(item.get("text") or "")) or "fraga", taken)
    if page == NEW_PAGE:
        group: dict[str, Any] = {"linkId": _unique("sida", taken | {item["linkId"]}), "type": "group"}
        _text_into(group, "text", fields.get("add_page_text"), None, "add_page_text", errors)
        if errors:
            raise EditRefused(errors)
        group["item"] = [item]
        resource.setdefault("item", []).append(group)
    else:
        pages[page].setdefault("item", []).append(item)


def _text_into(element: dict[str, Any], name: str, sv: str | None, en: str | None, field: str,
               errors: dict[str, ErrorText]) -> None:  # fmt: skip
    try:
        _set_text(element, name, sv, en, field)
    except BadInput as error:
        errors[field] = error.message


def _set_options(item: dict[str, Any], sv_lines: str | None, en_lines: str | None, field: str,
                 errors: dict[str, ErrorText]) -> None:  # fmt: skip
    """A choice's options from the editor: a line each in Swedish, and optionally English in the same
    order. An option whose Swedish text stays keeps its code (and its score and marks); a new one gets
    a code made from its text, unique within the question."""
    sv = [line.strip() for line in (sv_lines or "").splitlines() if line.strip()]
    en = [line.strip() for line in (en_lines or "").splitlines()]
    while en and not en[-1]:
        en.pop()
    if not sv:
        errors[field] = ErrorText(N_("Ett val behöver svarsalternativ, ett på varje rad."))
        return
    if len(set(sv)) != len(sv):
        errors[field] = ErrorText(N_("Två svarsalternativ har samma text."))
        return
    if en and len(en) != len(sv):
        errors[field.replace("options", "options_en", 1)] = ErrorText(N_(
            "Skriv lika många alternativ på engelska som på svenska, i samma ordning (eller inga)."))  # fmt: skip
        return
    if any(len(t) > MAX_EDITED_TEXT for t in sv + en):
        errors[field] = ErrorText(N_("Högst {limit} tecken."), {"limit": MAX_EDITED_TEXT})
        return
    existing: dict[str, dict[str, Any]] = {}
    for option in item.get("answerOption") or []:
        existing.setdefault(_option_text(option), option)
    codes = {_option_code(o) for o in existing.values()}
    options = []
    for n, text in enumerate(sv):
        english = en[n] if n < len(en) else ""
        option = existing.get(text)
        if option is None:
            code = _unique(_slug(text) or "alt", codes)
            codes.add(code)
            option = {"valueCoding": {"code": code, "display": text}}
        if "valueCoding" in option:
            _set_text(option["valueCoding"], "display", text, english, field)
        elif "valueString" in option:
            _set_text(option, "valueString", text, english, field)
        options.append(option)
    item["answerOption"] = options


def _option_text(option: dict[str, Any]) -> str:
    if "valueCoding" in option:
        coding = option["valueCoding"] or {}
        return str(coding.get("display") or coding.get("code") or "").strip()
    return str(option.get("valueString", option.get("valueInteger", ""))).strip()


def _option_code(option: dict[str, Any]) -> str:
    if "valueCoding" in option:
        return str((option["valueCoding"] or {}).get("code") or "")
    return str(option.get("valueString", option.get("valueInteger", "")))


_FOLDED = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def _slug(text: str) -> str:
    """A code from a text: lower case a–z, digits and hyphens, at most 40 characters."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLDED)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40].strip("-")


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _set_text(element: dict[str, Any], name: str, sv: str | None, en: str | None, field: str) -> None:
    """`name` in Swedish, and its English in FHIR's translation extension on `_name` (removed when empty)."""
    sv, en = (sv or "").strip(), (en or "").strip()
    if len(sv) > MAX_EDITED_TEXT or len(en) > MAX_EDITED_TEXT:
        raise BadInput("text_too_long", "Högst {limit} tecken.", field=field, values={"limit": MAX_EDITED_TEXT})
    if sv:
        element[name] = sv
    else:
        element.pop(name, None)
    extensions = [e for e in (element.get(f"_{name}") or {}).get("extension") or []
                  if not (e.get("url") == q.TRANSLATION and _lang_of(e) == "en")]  # fmt: skip
    if en:
        extensions.append({"url": q.TRANSLATION, "extension": [{"url": "lang", "valueCode": "en"},
                                                               {"url": "content", "valueString": en}]})  # fmt: skip
    rest = {k: v for k, v in (element.get(f"_{name}") or {}).items() if k != "extension"}
    if extensions or rest:
        element[f"_{name}"] = {**rest, **({"extension": extensions} if extensions else {})}
    else:
        element.pop(f"_{name}", None)


def _lang_of(extension: dict[str, Any]) -> str | None:
    for part in extension.get("extension") or []:
        if part.get("url") == "lang":
            return part.get("valueCode")
    return None


# -- the unit: sending ---------------------------------------------------------------------------------


def to_send(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str) -> forms.UnitForm:
    """The form on the send page: one the unit uses, for its receivers and handlers."""
    if not may_send(principal, unit_hsa_id):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens formulär.")
    subscription = ports.unit_forms.get(unit_hsa_id, form_id)
    head = ports.form_definitions.current(form_id)
    if subscription is None or subscription.stopped_at is not None or head is None:
        raise NotFound("form_not_subscribed", "Enheten använder inte det formuläret.")
    return forms.UnitForm(subscription, head)


# -- the unit: package dispatch (paketutskick) -------------------------------------------------------------

PACKAGES_PAGE = 20


def package_choices(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str) -> list[forms.UnitForm]:
    """The forms a package can hold: the unit's, in use and not retired (for those who may send)."""
    if not may_send(principal, unit_hsa_id):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens formulär.")
    return [f for f in forms.unit_forms(ports, principal, unit_hsa_id)
            if f.active and f.subscription.stopped_at is None]  # fmt: skip


@dataclass(frozen=True)
class PackagePart:
    title: Localized
    send_on: date
    sent: bool


@dataclass(frozen=True)
class PackageRow:
    """A package in the unit's list: its parts and how many it goes to (never who)."""

    package_id: str
    created_at: datetime
    created_by_name: str | None
    recipients: int
    answer_days: int
    remind_days_before: int | None
    parts: list[PackagePart]


def packages(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, cursor: str | None) -> paging.Page[PackageRow]:
    """A page of the unit's packages, newest first: one Query, and the current head of each form on it."""
    if not (may_send(principal, unit_hsa_id) or may_follow(principal, unit_hsa_id)):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens formulär.")
    scope = f"form-packages:{unit_hsa_id}"
    found, following = ports.form_packages.page_of_unit(unit_hsa_id, PACKAGES_PAGE, paging.start(ports, scope, cursor))
    titles: dict[str, Localized] = {}
    for form_id in sorted({part.form_id for record in found for part in record.parts}):
        head = ports.form_definitions.current(form_id)
        titles[form_id] = Localized(head.title, head.title_en) if head else Localized(form_id)
    rows = [PackageRow(
        record.package_id, record.created_at, record.created_by_name, len(record.citizen_ids), int(record.answer_days),
        int(record.remind_days_before) if record.remind_days_before is not None else None,
        [PackagePart(titles[part.form_id], date.fromisoformat(part.send_on), str(n) in (record.sent_parts or set()))
         for n, part in enumerate(record.parts)]) for record in found]  # fmt: skip
    return paging.Page(rows, paging.following(ports, scope, following))


# -- the unit's local admin: the unit's forms and their settings ------------------------------------------

MAX_RETENTION_DAYS = 3650


def _subscriber(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str) -> UnitFormRecord:
    if not may_subscribe(principal, unit_hsa_id):
        raise Forbidden("unit_not_allowed", "Du har ingen behörighet till den enhetens formulär.")
    subscription = ports.unit_forms.get(unit_hsa_id, form_id)
    if subscription is None:
        raise NotFound("form_not_subscribed", "Enheten använder inte det formuläret.")
    return subscription


def subscribe(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str, now: datetime) -> None:
    """The unit uses the form (again, if it had stopped: its figures and settings as they were)."""
    subscription = ports.unit_forms.get(unit_hsa_id, form_id) if may_subscribe(principal, unit_hsa_id) else None
    if subscription is None or subscription.stopped_at is None:
        forms.subscribe(ports, principal, unit_hsa_id, form_id, now)
        return
    if forms.current(ports, form_id).record.status != FormStatus.ACTIVE.value:
        raise Conflict("form_retired", "Formuläret är inte längre i bruk.")
    try:
        ports.unit_forms.update(subscription, [UnitFormRecord.stopped_at.remove(), UnitFormRecord.stopped_by.remove()],
                                event(Kind.FORM_SUBSCRIBED, f"unit_form#{unit_hsa_id}#{form_id}", now,
                                      unit_hsa_id=unit_hsa_id, form_id=form_id, by=principal.hsa_id),
                                in_use=False)  # fmt: skip
    except ConditionLost:
        return  # in use again meanwhile, from another tab


def change_settings(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str,
                    fields: dict[str, str], now: datetime) -> bool:  # fmt: skip
    """The unit's settings of a form it uses: how many days after export its answers are kept
    (`retention_days`, 1–3650), and whether it is offered as an e-service on the unit's contact card
    (`offered` "yes"; not a health declaration, which goes with a visit). True when something changed."""
    subscription = _subscriber(ports, principal, unit_hsa_id, form_id)
    if subscription.stopped_at is not None:
        raise Conflict("form_stopped", "Enheten använder inte längre formuläret.")
    text = str(fields.get("retention_days") or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_RETENTION_DAYS:
        raise BadInput("retention_invalid", "Svaren kan sparas 1–{limit} dagar efter export.", field="retention_days",
                       values={"limit": MAX_RETENTION_DAYS})  # fmt: skip
    retention = int(text)
    offered = fields.get("offered") == "yes"
    head = forms.current(ports, form_id).record
    if offered and not bool(subscription.offered):
        if head.kind == q.FormKind.HEALTH_DECLARATION.value:
            raise BadInput("offer_not_allowed", "En hälsodeklaration skickas inför ett besök och kan inte erbjudas som "
                           "e-tjänst.", field="offered")  # fmt: skip
        if head.status != FormStatus.ACTIVE.value:
            raise BadInput("offer_not_allowed", "Formuläret är inte längre i bruk och kan inte erbjudas som e-tjänst.",
                           field="offered")  # fmt: skip
    if retention == int(subscription.retention_days) and offered == bool(subscription.offered):
        return False
    try:
        ports.unit_forms.update(subscription, [UnitFormRecord.retention_days.set(retention),
                                               UnitFormRecord.offered.set(offered)],
                                event(Kind.FORM_SUBSCRIPTION_CHANGED, f"unit_form#{unit_hsa_id}#{form_id}", now,
                                      unit_hsa_id=unit_hsa_id, form_id=form_id, retention_days=str(retention),
                                      offered="yes" if offered else "no", by=principal.hsa_id),
                                in_use=True)  # fmt: skip
    except ConditionLost:
        raise Conflict("form_stopped", "Enheten använder inte längre formuläret.") from None
    return True


def stop_using(ports: Ports, principal: StaffPrincipal, unit_hsa_id: str, form_id: str, now: datetime) -> None:
    """The unit stops using the form: nothing new is sent (nor offered), and what was sent can still be
    answered, followed up and exported (the subscription stays, marked stopped, with its figures).
    Packages planned before go out as planned."""
    subscription = _subscriber(ports, principal, unit_hsa_id, form_id)
    if subscription.stopped_at is not None:
        return
    try:
        ports.unit_forms.update(subscription, [UnitFormRecord.stopped_at.set(now),
                                               UnitFormRecord.stopped_by.set(principal.hsa_id),
                                               UnitFormRecord.offered.set(False)],
                                event(Kind.FORM_UNSUBSCRIBED, f"unit_form#{unit_hsa_id}#{form_id}", now,
                                      unit_hsa_id=unit_hsa_id, form_id=form_id, by=principal.hsa_id),
                                in_use=True)  # fmt: skip
    except ConditionLost:
        return  # stopped meanwhile, from another tab


# -- an answer as a PDF ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfLine:
    question: str
    answer: str
    heading: bool
    depth: int
    attention: bool | None  # True: "Observera" (red), False: "Utan anmärkning" (green), None: not marked


def answer_pdf_lines(view: forms.AnswerView) -> tuple[bool, list[PdfLine]]:
    """What the PDF holds: for a health declaration only the medically relevant answers, each marked;
    for any other form every line. Returns (is a health declaration, the lines)."""
    declaration = view.definition.form.kind is q.FormKind.HEALTH_DECLARATION
    lines = q.lines(view.definition.form, view.answers, "sv", medically_relevant_only=declaration)
    return declaration, [PdfLine(x.question, x.answer, x.heading, x.depth, x.attention) for x in lines]


def export_pdf(ports: Ports, principal: StaffPrincipal, request_id: str, now: datetime, lang: str = "sv") -> str:
    """The answer as a PDF (access-logged as the open is; the first export starts the unit's retention):
    made, kept under form-exports/ for a day, and given as a one-minute link."""
    view = forms.open_answer(ports, principal, request_id, now)
    record = view.record
    if record.status != RequestStatus.ANSWERED.value or not record.response:
        raise Conflict("form_not_answered", "Formuläret är inte besvarat.")
    from chalicelib.web.form_pdf import answer_pdf  # fpdf2 only when a PDF is made

    unit = ports.units.get(record.unit_hsa_id)
    declaration, lines = answer_pdf_lines(view)
    content = answer_pdf(
        lang=lang, title=view.definition.form.title.sv, unit_name=unit.name if unit else record.unit_hsa_id,
        unit_phone=getattr(unit, "phone", None) if unit else None, header=view.header, answered_at=record.answered_at,
        reference=request_id, declaration=declaration, lines=lines, score=forms.score_text(record.score),
        threshold=_number(view.definition.form.threshold), flagged=bool(record.flagged), day=stockholm_date(now),
    )  # fmt: skip
    forms.mark_exported(ports, record, principal.hsa_id, now)
    key = f"{EXPORTS}/{request_id}/{uuid.uuid4()}.pdf"
    ports.attachment_files.put_generated(key, content, "application/pdf")
    return ports.attachment_files.generated_url(key, f"formular-{request_id[:8]}.pdf", "application/pdf")


def export_json(ports: Ports, principal: StaffPrincipal, request_id: str, now: datetime) -> tuple[str, str]:
    """The answer as its FHIR QuestionnaireResponse (services/forms.export_json): the text and a file name."""
    resource = forms.export_json(ports, principal, request_id, now)
    return json.dumps(resource, ensure_ascii=False, indent=2), f"formular-{request_id[:8]}.json"


def _number(value: Any) -> str | None:
    return None if value is None else forms.score_text(str(value))


def problems_of(error: Exception) -> list[ErrorText]:
    """Every problem an import or edit was refused for (one, when it was not the Questionnaire's content)."""
    listed = getattr(error, "problems", None)
    if listed:
        return list(listed)
    message = getattr(error, "message", None)
    return [message] if message is not None else [ErrorText(N_("Formuläret kunde inte sparas."))]
