"""The citizen's e-services in the JSON API under /api/v1, beside the pages that do the same (the start
page, cases, self-tests, forms): the same services with the same rules, so a phone app sees and may do what
the pages show. Thin handlers: parse into the model, call one service, shape the answer. A guardian
acting for a child under 13 acts for the child here as on the pages (the session says whom)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import models as m
from chalicelib.api.contract import CITIZEN, CURSOR, Param, operation, read_body, to_json
from chalicelib.api.booking_api import booking_json, invitation_out
from chalicelib.api.http import api_language, json_response, require_csrf
from chalicelib.api.session import require_citizen
from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain import questionnaire as q
from chalicelib.domain.cases import Question, Status
from chalicelib.domain.forms import RequestStatus, overdue
from chalicelib.services import case_admin, cases, forms, journal, self_tests, start_pages
from chalicelib.services.principals import CitizenPrincipal
from chalicelib.catalogs import error_text, translate

citizen_api = Blueprint(__name__)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _changing(model: type[Any], *, required: bool = True) -> tuple[CitizenPrincipal, Any]:
    request = citizen_api.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    return principal, read_body(request, model, required=required)


def _cursor() -> str | None:
    return (citizen_api.current_request.query_params or {}).get("cursor")


# -- the start page ------------------------------------------------------------------------------------
@operation(citizen_api, "/api/v1/start", "GET", security=CITIZEN, response=m.Start,
           summary="The start page's overview (of the child when acting for one): the e-services on, the next "
                   "bookings and open invitations, unread in the inbox with the newest unread, the cases waiting "
                   "for the person, the forms to fill in, and the children one may act for with their unread counts")  # fmt: skip
def start() -> Response:
    principal, lang = require_citizen(citizen_api.current_request), _lang()
    view = start_pages.citizen_start(ports(), principal, clock.utc_now(), children_unread=True, lang=lang)
    bookings = [m.BookingOut(**booking_json(v, lang)) for v in view.bookings]
    return json_response(to_json(m.Start(
        name=principal.display_name,
        acting_for=m.ActingFor(principal.acting_for_id, principal.acting_for_name or "") if principal.acting_for_id
        else None,
        services=list(view.services), unread=view.unread,
        next_booking=bookings[0] if bookings else None, next_bookings=bookings,
        invitations=[invitation_out(i, lang) for i in view.invitations],
        unread_newest=[m.UnreadMessage(u.message_id, u.subject, u.sender_unit_name, u.sent_at.isoformat())
                       for u in view.unread_newest],
        cases_waiting=[m.CaseWaiting(c.case_id, c.case_type_name, c.unit_hsa_id, c.unit_name, c.why.value,
                                     c.since.isoformat()) for c in view.cases_waiting],
        forms_to_fill=[m.FormToFill(f.request_id, f.title.in_(lang), f.unit_name, f.due_on.isoformat(), f.overdue)
                       for f in view.forms_to_fill],
        children=[m.ChildUnread(c.citizen_id, c.given_name, c.birth_date.isoformat(),
                                view.children_unread.get(c.citizen_id)) for c in view.children],
    )))  # fmt: skip


# -- cases (ärenden) -------------------------------------------------------------------------------------
def _unit(unit: Any) -> m.CaseUnit:
    return m.CaseUnit(unit.hsa_id, unit.name, unit.municipality, unit.phone or None)


def _lang() -> str:
    return api_language(citizen_api.current_request)


def _questions(questions: tuple[Question, ...], lang: str) -> list[m.QuestionOut]:
    return [m.QuestionOut(question_id=q.question_id, label=q.label.in_(lang), kind=q.kind.value, required=q.required,
                          options=list(q.values), option_labels=[o.in_(lang) for o in q.options],
                          help_text=q.help_text.in_(lang)) for q in questions]  # fmt: skip


def _answer_fields(answers: dict[str, Any]) -> dict[str, str]:
    """Typed answers as the case form's fields (q-<question id>), which the service checks per kind."""
    fields = {}
    for question_id, value in answers.items():
        if isinstance(value, bool):
            value = "ja" if value else "nej"
        fields[f"q-{question_id}"] = str(value)
    return fields


@operation(citizen_api, "/api/v1/case-units", "GET", security=CITIZEN, response=m.CaseUnits,
           query=(Param("q", "Words in the unit's name or municipality", schema={"type": "string", "maxLength": 200}),),
           summary="Find a unit to send a case to")  # fmt: skip
def case_units() -> Response:
    require_citizen(citizen_api.current_request)
    query = (citizen_api.current_request.query_params or {}).get("q", "")[:200]
    return json_response(to_json(m.CaseUnits([_unit(u) for u in cases.find_units(ports(), query)])))


@operation(citizen_api, "/api/v1/case-units/{unit_hsa_id}/case-types", "GET", security=CITIZEN, response=m.CaseTypes,
           summary="The case types the unit takes now, each with its questions and terms")  # fmt: skip
def case_types(unit_hsa_id: str) -> Response:
    require_citizen(citizen_api.current_request)
    unit, lang = cases._unit(ports(), unit_hsa_id), _lang()
    return json_response(to_json(m.CaseTypes(_unit(unit), [
        m.CaseTypeOut(t.case_type_id, t.name.in_(lang), t.description.in_(lang), t.terms.in_(lang), t.version,
                      _questions(t.questions, lang))
        for t in cases.case_types_at(ports(), unit)])))  # fmt: skip


@operation(citizen_api, "/api/v1/case-units/{unit_hsa_id}/case-types/{case_type_id}/cases", "POST", security=CITIZEN,
           body=m.NewCase, response=m.CaseSent, status=201,
           summary="Send a case: every answer checked against its question (a form_invalid error lists each wrong "
                   "answer under errors, field = the question id); the same submission_id again sends nothing new")  # fmt: skip
def send_case(unit_hsa_id: str, case_type_id: str) -> Response:
    principal, body = _changing(m.NewCase)
    fields = {**_answer_fields(body.answers), "submission_id": body.submission_id,
              "accept_terms": "yes" if body.accept_terms else ""}  # fmt: skip
    case_id = cases.submit(ports(), principal, unit_hsa_id, case_type_id, fields, clock.utc_now(),
                           citizen_api.current_request.lambda_context)  # fmt: skip
    return json_response(to_json(m.CaseSent(case_id)), status=201)


def _case_summary(record: Any, lang: str) -> dict[str, Any]:
    return {"case_id": record.case_id, "unit_hsa_id": record.unit_hsa_id,
            "case_type": cases.case_type_name(record, lang), "status": record.status,
            "sent_at": _iso(record.created_at), "closed_at": _iso(record.closed_at)}  # fmt: skip


@operation(citizen_api, "/api/v1/cases", "GET", security=CITIZEN, response=m.CasesPage, query=(CURSOR,),
           summary="The cases (of the child when acting for one), newest first, a page at a time")  # fmt: skip
def my_cases() -> Response:
    page, lang = cases.my_cases(ports(), require_citizen(citizen_api.current_request), _cursor()), _lang()
    return json_response(to_json(m.CasesPage([m.CitizenCaseSummary(**_case_summary(r, lang)) for r in page],
                                             page.next_cursor)))  # fmt: skip


def _answer(answer: cases.ShownAnswer, lang: str) -> str:
    """A yes/no answer is stored as "ja"/"nej" and said in the reader's language, as the pages say it."""
    return translate(lang, f"case.answer.{answer.answer}") if answer.yes_no and answer.answer in ("ja", "nej") \
        else str(answer.answer)  # fmt: skip


def _case(principal: CitizenPrincipal, case_id: str) -> m.CitizenCase:
    record, lang = cases.read_case(ports(), principal, case_id, clock.utc_now()), _lang()
    # The answers are stored in Swedish; in another language, the version the case was sent with says them.
    version = case_admin.version_of_case(ports(), record) if lang != "sv" else None
    return m.CitizenCase(
        **_case_summary(record, lang),
        answers=[m.Answer(a.label, _answer(a, lang)) for a in cases.shown_answers(record, version, lang)
                 if a.answer is not None],
        medicines=[m.CaseMedicine(x.name, x.strength, x.form, x.dosage) for x in record.medicines or ()],
        conversation=[m.ConversationEntry(e.author, e.name, e.template, e.text, _iso(e.at)) for e in record.conversation],
        questions=_questions(cases.questions_of(record), lang), may_reply=record.status == Status.WAITING_FOR_CITIZEN.value,
    )  # fmt: skip


@operation(citizen_api, "/api/v1/cases/{case_id}", "GET", security=CITIZEN, response=m.CitizenCase,
           summary="One case with its answers and conversation; another person's is 404 case_not_found")  # fmt: skip
def my_case(case_id: str) -> Response:
    return json_response(to_json(_case(require_citizen(citizen_api.current_request), case_id)))


@operation(citizen_api, "/api/v1/cases/{case_id}/reply", "POST", security=CITIZEN, body=m.CaseReply,
           response=m.CitizenCase, summary="Reply to a counter-question (text), or answer an invånarärende's questions "
                                           "(answers by question id, typed as when sending)")  # fmt: skip
def reply(case_id: str) -> Response:
    principal, body = _changing(m.CaseReply)
    cases.reply(ports(), principal, case_id, body.text, clock.utc_now(), _answer_fields(body.answers))
    return json_response(to_json(_case(principal, case_id)))


# -- self-tests (egenprovtagning) -------------------------------------------------------------------------
@operation(citizen_api, "/api/v1/self-tests", "GET", security=CITIZEN, response=m.Catalogue,
           summary="The region's self-tests and whether the person (or the child acted for) may order each")  # fmt: skip
def catalogue() -> Response:
    principal, lang = require_citizen(citizen_api.current_request), _lang()
    return json_response(to_json(m.Catalogue([
        m.TestOfferOut(v.offer.test_id, v.offer.name.in_(lang), v.offer.instructions.in_(lang), v.offer.min_age,
                       [d.value for d in v.offer.deliveries], list(v.offer.pickup_points),
                       v.refusal is None and not v.open_order, error_text(lang, v.refusal) if v.refusal else None,
                       v.open_order, v.home_address)
        for v in self_tests.catalogue(ports(), principal, clock.utc_now())])))  # fmt: skip


@operation(citizen_api, "/api/v1/self-tests/{test_id}/orders", "POST", security=CITIZEN, body=m.KitOrder,
           response=m.Ordered, status=201,
           summary="Order a kit: home (never for a protected identity), a pickup point, or another address (name, "
                   "street, postal_code, city); one open order per test; the same submission_id orders once")  # fmt: skip
def order(test_id: str) -> Response:
    principal, body = _changing(m.KitOrder)
    fields = {k: v for k, v in to_json(body).items() if isinstance(v, str)}
    order_id = self_tests.order(ports(), principal, test_id, fields, clock.utc_now(),
                                citizen_api.current_request.lambda_context)  # fmt: skip
    return json_response(to_json(m.Ordered(order_id)), status=201)


@operation(citizen_api, "/api/v1/self-test-kits", "POST", security=CITIZEN, body=m.KitRegistration,
           response=m.Ordered, status=201,
           summary="Register a kit picked up at a clinic, by its number, once the sample is taken")  # fmt: skip
def register_kit() -> Response:
    principal, body = _changing(m.KitRegistration)
    order_id = self_tests.register_kit(ports(), principal, body.kit_number, clock.utc_now())
    return json_response(to_json(m.Ordered(order_id)), status=201)


@operation(citizen_api, "/api/v1/self-tests/orders", "GET", security=CITIZEN, response=m.KitOrdersOfCitizen,
           query=(CURSOR,), summary="The kit orders and their results, newest first, a page at a time")  # fmt: skip
def orders() -> Response:
    page, lang = self_tests.my_orders(ports(), require_citizen(citizen_api.current_request), _cursor()), _lang()
    return json_response(to_json(m.KitOrdersOfCitizen([
        m.CitizenKitOrder(r.order_id, r.test_id, offer.name.in_(lang) if offer else None, r.status, r.delivery,
                          _iso(r.ordered_at), r.kit_number, r.return_by, r.result, _iso(r.resulted_at),
                          offer.result_text(r.result).in_(lang) or None if offer and r.result else None)
        for r, offer in page], page.next_cursor)))  # fmt: skip


@operation(citizen_api, "/api/v1/self-tests/orders/{order_id}/sample", "POST", security=CITIZEN, response=m.Ordered,
           summary="The sample is taken (a kit sent home has arrived): the order waits for the lab")  # fmt: skip
def sample_taken(order_id: str) -> Response:
    request = citizen_api.current_request
    principal = require_citizen(request)
    require_csrf(principal.csrf_token, request.headers.get("x-csrf-token"))
    self_tests.sample_taken(ports(), principal, order_id, clock.utc_now())
    return json_response(to_json(m.Ordered(order_id)))


# -- forms (formulär) ----------------------------------------------------------------------------------
def _form_row(row: forms.FormRow, lang: str) -> m.CitizenFormRow:
    return m.CitizenFormRow(row.request_id, row.title.in_(lang), row.unit_name, row.status.value,
                            row.due_on.isoformat(), row.overdue, row.sent_at.isoformat(),
                            _iso(row.answered_at))  # fmt: skip


@operation(citizen_api, "/api/v1/forms", "GET", security=CITIZEN, response=m.CitizenFormsPage, query=(CURSOR,),
           summary="The forms sent to the person (the child when acting for one), newest first, "
                   "a page at a time")  # fmt: skip
def my_forms() -> Response:
    principal, lang = require_citizen(citizen_api.current_request), _lang()
    page = forms.my_forms(ports(), principal, _cursor(), clock.utc_now())
    return json_response(to_json(m.CitizenFormsPage([_form_row(r, lang) for r in page], page.next_cursor)))


def _form(filling: forms.Filling) -> m.CitizenForm:
    record, form, lang = filling.record, filling.form, _lang()
    today = clock.stockholm_date(clock.utc_now())
    status = RequestStatus(record.status)
    pages = [q.question_ids(form, page) for page in range(len(form.pages))]
    shown = q.enabled(form, filling.answers)
    saved = record.response if filling.answered else record.draft if filling.open else None
    return m.CitizenForm(
        request_id=record.request_id, title=form.title.in_(lang), unit_name=filling.unit_name, status=status.value,
        due_on=record.due_on, overdue=overdue(status, date.fromisoformat(record.due_on), today),
        sent_at=record.sent_at.isoformat(), answered_at=_iso(record.answered_at), unit_hsa_id=record.unit_hsa_id,
        may_answer=filling.open, questionnaire=filling.definition.resource, pages=pages,
        enabled=[link_id for page in pages for link_id in page if link_id in shown],
        response=json.loads(saved) if saved else None,
    )  # fmt: skip


@operation(citizen_api, "/api/v1/forms/{request_id}", "GET", security=CITIZEN, response=m.CitizenForm,
           summary="One form: the Questionnaire to render, its pages, the questions asked now and the answers so far "
                   "(the draft, or the answers sent: read-only); another person's is 404 form_not_found")  # fmt: skip
def my_form(request_id: str) -> Response:
    principal = require_citizen(citizen_api.current_request)
    return json_response(to_json(_form(forms.filling(ports(), principal, request_id))))


@operation(citizen_api, "/api/v1/forms/{request_id}/answers", "POST", security=CITIZEN, body=m.FormAnswers,
           response=m.FormPosted,
           summary="Post a page's answers with a step (save, back, next, send), by the page's rules: the page is kept "
                   "as a draft whatever the step; an answer that cannot be read, or (next, send) a required answer "
                   "missing, is a 400 form_invalid listing each under errors (field = the linkId; the form's pages "
                   "say which page it is on); a form already sent is 409 form_already_sent")  # fmt: skip
def post_answers(request_id: str) -> Response:
    principal, body = _changing(m.FormAnswers)
    raw = {link_id: list(values) for link_id, values in body.answers.items()}
    result = forms.post_page(ports(), principal, request_id, body.page - 1, raw, body.step, clock.utc_now())
    if result.errors:
        raise cases.InvalidForm(dict(result.errors))
    return json_response(to_json(m.FormPosted(result.page + 1, result.sent, result.more_asked)))


def _journal_access(access: Any) -> m.JournalAccess:
    only = sorted(access.only_units) if access.only_units is not None else None
    return m.JournalAccess(access.allowed, access.denied.value if access.denied else None, only)


@operation(citizen_api, "/api/v1/journal", "GET", security=CITIZEN, response=m.JournalPageOut,
           query=(Param("category", "notes (default), diagnoses, lab, vaccinations or medicines",
                        schema={"enum": ["notes", "diagnoses", "lab", "vaccinations", "medicines"]}),
                  Param("unit", "Only this unit's entries (its HSA-id)", schema={"type": "string", "maxLength": 64}),
                  CURSOR),
           summary="A page of the journal (1177 Journalen), newest first, read from the region's care systems "
                   "now; the child's when acting for one")  # fmt: skip
def journal_page() -> Response:
    principal = require_citizen(citizen_api.current_request)
    params = citizen_api.current_request.query_params or {}
    found = journal.page(ports(), principal, journal.category_of(params.get("category")), clock.utc_now(),
                         unit=params.get("unit") or None, cursor=_cursor())  # fmt: skip
    return json_response(to_json(m.JournalPageOut(
        found.category.value, _journal_access(found.access),
        [m.JournalEntry(e.source_id, e.resource_type, e.resource_id, e.when.isoformat(), e.date_only, e.unit_hsa_id,
                        e.unit_name, e.title, list(e.lines), e.flag == "abnormal", e.status) for e in found.entries],
        found.failed_sources, [m.JournalUnit(h, n) for h, n in found.units], found.next_cursor)))  # fmt: skip


@operation(citizen_api, "/api/v1/journal/care-log", "GET", security=CITIZEN, response=m.CareLogOut, query=(CURSOR,),
           summary="Who in care opened the journal in the last twelve months, from the care systems' logs")  # fmt: skip
def journal_care_log() -> Response:
    principal = require_citizen(citizen_api.current_request)
    found = journal.care_log(ports(), principal, clock.utc_now(), cursor=_cursor())
    return json_response(to_json(m.CareLogOut(
        _journal_access(found.access), found.since.isoformat() if found.since else "",
        [m.CareAccessOut(a.when.isoformat(), a.who, a.unit_hsa_id, a.unit_name, a.what) for a in found.accesses],
        found.failed_sources, found.next_cursor)))  # fmt: skip
