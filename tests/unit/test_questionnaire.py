"""Forms as FHIR R4 Questionnaires (chalicelib/domain/questionnaire.py): what a person filling one in, and the
staff reading the answers, would notice."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from chalicelib.domain import questionnaire as q
from chalicelib.domain.questionnaire import OTHER, FormKind, InvalidQuestionnaire, ItemType

DEMO_FORMS = Path(__file__).resolve().parents[2] / "demo" / "forms"
EXT = q.EXTENSIONS


def questionnaire(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Questionnaire", "status": "active", "title": "Testformulär", **extra, "item": list(items)}


def item(link_id: str, type_: str, text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"linkId": link_id, "type": type_, "text": text or f"Fråga {link_id}", **extra}


def coding(code: str, display: str | None = None, *, weight: int | None = None, attention: bool = False,
           english: str | None = None) -> dict[str, Any]:  # fmt: skip
    option: dict[str, Any] = {"valueCoding": {"code": code, "display": display or code.capitalize()}}
    if english:
        option["valueCoding"]["_display"] = translation(english)
    extensions = []
    if weight is not None:
        extensions.append({"url": q.ORDINAL_VALUE, "valueDecimal": weight})
    if attention:
        extensions.append({"url": q.ATTENTION, "valueBoolean": True})
    if extensions:
        option["extension"] = extensions
    return option


def translation(english: str) -> dict[str, Any]:
    parts = [{"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": english}]
    return {"extension": [{"url": q.TRANSLATION, "extension": parts}]}


def when(question: str, operator: str, **answer: Any) -> dict[str, Any]:
    return {"question": question, "operator": operator, **answer}


YES_NO = [coding("ja"), coding("nej")]
ALL_TYPES = questionnaire(
    item("namn", "string", "Vad heter din katt?"),
    item("besvar", "text", "Beskriv dina besvär", maxLength=20),
    item("feber", "boolean", "Har du feber?"),
    item("smarta", "choice", "Var sitter smärtan?", answerOption=[coding("huvud"), coding("mage")]),
    item("kontakt", "open-choice", "Hur vill du bli kontaktad?", answerOption=[coding("telefon"), coding("brev")]),
    item("cigaretter", "integer", "Hur många cigaretter om dagen?"),
    item("vikt", "decimal", "Vikt i kilo"),
    item("sedan", "date", "Sedan när?"),
)


def read(form: q.Form, **fields: str | list[str]) -> tuple[q.Answers, dict[str, str]]:
    raw = {k.replace("_", "."): v if isinstance(v, list) else [v] for k, v in fields.items()}
    return q.read_page(form, 0, raw, {})


# -- filling in a page -----------------------------------------------------------------------------------


def test_each_kind_of_question_is_read_from_the_page_as_its_type():
    form = q.parse(ALL_TYPES)
    answers, errors = read(form, namn="  Måns ", besvar="Ont i\r\nmagen", feber="true", smarta="mage",
                           kontakt=OTHER, kontakt_other="Ring min dotter", cigaretter="−3", vikt="72,5",
                           sedan="2027-02-28")  # fmt: skip
    assert errors == {}
    assert answers == {
        "namn": ("Måns",), "besvar": ("Ont i\r\nmagen",), "feber": (True,), "smarta": ("mage",),
        "kontakt": ("Ring min dotter",), "cigaretter": (-3,), "vikt": (Decimal("72.5"),),
        "sedan": (date(2027, 2, 28),),
    }  # fmt: skip
    # the open-choice's own options are kept as their codes, beside "Annat"
    assert read(form, kontakt="brev")[0] == {"kontakt": ("brev",)}
    assert read(form, feber="false")[0] == {"feber": (False,)}


@pytest.mark.parametrize(
    ("field", "posted", "error"),
    [
        ("besvar", "x" * 21, "Högst 20 tecken."),  # the question's own maxLength
        ("namn", "x" * 251, "Högst 250 tecken."),  # a string's default
        ("namn", "Måns\x00", "Texten innehåller otillåtna tecken."),
        ("feber", "ja", "Svara ja eller nej."),
        ("smarta", "knä", "Välj ett av alternativen."),
        ("smarta", OTHER, "Välj ett av alternativen."),  # "Annat" is only an open-choice's
        ("kontakt", OTHER, "Skriv ditt svar i fältet Annat."),  # "Annat" chosen, nothing written beside it
        ("cigaretter", "3,5", "Skriv ett heltal, till exempel 3."),
        ("cigaretter", "tre", "Skriv ett heltal, till exempel 3."),
        ("vikt", "72.5.1", "Skriv ett tal, till exempel 72,5."),
        ("vikt", "1 000", "Skriv ett tal, till exempel 72,5."),
        ("sedan", "2027-02-30", "Skriv datumet som ÅÅÅÅ-MM-DD."),
        ("sedan", "28/2 2027", "Skriv datumet som ÅÅÅÅ-MM-DD."),
    ],
)
def test_an_answer_that_cannot_be_read_gets_an_error_beside_its_field_and_is_not_kept(field, posted, error):
    form = q.parse(ALL_TYPES)
    # Given an answer saved before, and another field on the page answered well
    other, good, read_as = ("feber", "true", True) if field == "namn" else ("namn", "Måns", "Måns")
    answers, errors = q.read_page(form, 0, {field: [posted], other: [good]}, {field: ("förra",)})
    assert errors == {field: error}
    assert answers == {field: ("förra",), other: (read_as,)}  # the saved answer stays until the field reads


def test_a_text_within_its_max_length_and_a_decimal_with_a_point_are_read():
    form = q.parse(ALL_TYPES)
    assert read(form, besvar="x" * 20, vikt="72.25")[0] == {"besvar": ("x" * 20,), "vikt": (Decimal("72.25"),)}


def test_a_field_left_empty_removes_its_answer_and_a_half_done_draft_has_no_errors():
    form = q.parse(questionnaire(item("a", "string", required=True), item("b", "integer", required=True)))
    answers, errors = q.read_page(form, 0, {"a": ["  "], "b": ["4"]}, {"a": ("förra",), "b": ("2",)})
    assert (answers, errors) == ({"b": (4,)}, {})
    assert q.missing(form, answers) == ["a"]


def test_two_answers_to_a_question_with_one_are_refused_and_a_repeating_choice_keeps_each_once():
    form = q.parse(questionnaire(
        item("en", "choice", answerOption=YES_NO),
        item("flera", "open-choice", repeats=True, answerOption=[coding("a"), coding("b")]),
    ))  # fmt: skip
    assert read(form, en=["ja", "nej"])[1] == {"en": "Välj ett svar."}
    answers, errors = read(form, flera=["b", "a", "b", OTHER], flera_other="c")
    assert (answers, errors) == ({"flera": ("b", "a", "c")}, {})


def test_answers_shown_back_in_the_page_read_back_the_same():
    form = q.parse(ALL_TYPES)
    answers, _ = read(form, namn="Måns", besvar="Ont", feber="false", smarta="huvud", kontakt=OTHER,
                      kontakt_other="Via 1177", cigaretter="12", vikt="80,25", sedan="2026-12-01")  # fmt: skip
    raw = q.raw_of(form, answers)
    assert raw["vikt"] == ["80,25"] and raw["kontakt"] == [OTHER] and raw["kontakt.other"] == ["Via 1177"]
    assert q.read_page(form, 0, raw, {}) == (answers, {})


# -- enableWhen -------------------------------------------------------------------------------------------

CONDITIONS = questionnaire(
    item("rokare", "choice", "Röker du?", answerOption=YES_NO),
    item("hur-mycket", "integer", "Hur många om dagen?",
         enableWhen=[when("rokare", "=", answerCoding={"code": "ja"})]),
    item("sluta", "boolean", "Vill du ha hjälp att sluta?", enableWhen=[when("hur-mycket", ">", answerInteger=10)]),
    item("varfor-inte", "string", "Varför inte?", enableWhen=[when("rokare", "!=", answerCoding={"code": "ja"})]),
    item("nagot", "string", "Något mer?", enableWhen=[when("varfor-inte", "exists", answerBoolean=True)]),
    item("inget", "display", "Tack!", enableWhen=[when("varfor-inte", "exists", answerBoolean=False)]),
    item("alla", "string", "Båda?", enableBehavior="all",
         enableWhen=[when("rokare", "=", answerCoding={"code": "ja"}), when("sluta", "=", answerBoolean=True)]),
    item("nagon", "string", "Någon?", enableBehavior="any",
         enableWhen=[when("hur-mycket", ">=", answerInteger=20), when("sluta", "=", answerBoolean=True)]),
)


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({}, {"rokare", "varfor-inte", "inget"}),  # no answer is "not equal" too
        ({"rokare": ("nej",)}, {"rokare", "varfor-inte", "inget"}),
        ({"rokare": ("nej",), "varfor-inte": ("Dyrt",)}, {"rokare", "varfor-inte", "nagot"}),
        # "varfor-inte" is not asked, so it has no answer: "inget" (it does not exist) shows
        ({"rokare": ("ja",), "varfor-inte": ("Dyrt",)}, {"rokare", "hur-mycket", "inget"}),
        ({"rokare": ("ja",), "hur-mycket": (10,)}, {"rokare", "hur-mycket", "inget"}),  # > 10, not >= 10
        ({"rokare": ("ja",), "hur-mycket": (11,)}, {"rokare", "hur-mycket", "sluta", "inget"}),
        ({"rokare": ("ja",), "hur-mycket": (11,), "sluta": (True,)},
         {"rokare", "hur-mycket", "sluta", "alla", "nagon", "inget"}),
        ({"rokare": ("ja",), "hur-mycket": (25,), "sluta": (False,)},
         {"rokare", "hur-mycket", "sluta", "nagon", "inget"}),
    ],
)
def test_a_question_is_asked_when_its_conditions_hold(answers, asked):
    form = q.parse(CONDITIONS)
    assert q.enabled(form, answers) == asked


def test_a_question_no_longer_asked_turns_off_the_questions_that_hang_on_it():
    form = q.parse(CONDITIONS)
    # Given a smoker who answered 25 a day and wants help
    answers = {"rokare": ("ja",), "hur-mycket": (25,), "sluta": (True,), "alla": ("Ja",), "nagon": ("Ja",)}
    assert q.enabled(form, answers) >= {"hur-mycket", "sluta", "alla", "nagon"}
    # When the person goes back and answers that they do not smoke
    answers["rokare"] = ("nej",)
    # Then the whole chain is off, though the old answers are still in the draft
    assert q.enabled(form, answers) == {"rokare", "varfor-inte", "inget"}
    assert q.asked(form, answers) == {"rokare": ("nej",)}
    assert q.missing(q.parse(CONDITIONS), answers) == []


GROUPED = questionnaire(
    item("opererad", "boolean", "Har du opererats förut?", required=True),
    item("operationer", "group", "Tidigare operationer", enableWhen=[when("opererad", "=", answerBoolean=True)], item=[
        item("nar", "date", "När?", required=True),
        item("narkos", "choice", "Fick du narkos?", required=True, answerOption=YES_NO),
        item("problem", "text", "Vilka problem?", required=True,
             enableWhen=[when("narkos", "=", answerCoding={"code": "ja"})]),
    ]),
    item("ovrigt", "group", "Övrigt", item=[item("annat", "text", "Annat du vill säga")]),
)


def test_a_group_not_asked_takes_its_questions_with_it_and_what_is_required_is_asked_for_only_when_asked():
    form = q.parse(GROUPED)
    assert q.missing(form, {}) == ["opererad"]
    assert q.missing(form, {"opererad": (False,)}) == []
    assert q.enabled(form, {"opererad": (False,)}) == {"opererad", "ovrigt", "annat"}
    assert q.missing(form, {"opererad": (True,)}) == ["nar", "narkos"]
    assert q.missing(form, {"opererad": (True,), "narkos": ("ja",)}) == ["nar", "problem"]
    # the answers inside the group go when the group does
    answers = {"opererad": (False,), "nar": (date(2020, 5, 1),), "narkos": ("ja",), "problem": ("Illamående",)}
    assert q.asked(form, answers) == {"opererad": (False,)}
    assert [line.link_id for line in q.lines(form, answers, "sv")] == ["opererad", "ovrigt", "annat"]


def test_each_top_level_group_is_a_page_and_questions_between_groups_make_one():
    form = q.parse(questionnaire(
        item("intro", "display", "Välkommen"), item("a", "string"),
        item("g1", "group", "Ett", item=[item("b", "string")]),
        item("c", "string"), item("d", "boolean"),
        item("g2", "group", "Två", item=[item("e", "string"), item("f", "string")]),
    ))  # fmt: skip
    assert [[i.link_id for i in page] for page in form.pages] == [["intro", "a"], ["g1"], ["c", "d"], ["g2"]]
    assert [q.page_of(form, link_id) for link_id in "abcdef"] == [0, 1, 2, 2, 3, 3]
    # a page reads only its own questions
    answers, _ = q.read_page(form, 3, {"e": ["E"], "a": ["ignored"], "c": ["ignored"]}, {"c": ("C",)})
    assert answers == {"c": ("C",), "e": ("E",)}


# -- score -----------------------------------------------------------------------------------------------

SCORED = questionnaire(
    *[item(f"f{n}", "choice", f"Fråga {n}", answerOption=[coding(c, weight=w) for w, c in enumerate("abcd")])
      for n in range(1, 4)],
    item("mer", "choice", "Fler besvär?", answerOption=[coding("ja", weight=3), coding("nej", weight=0)],
         enableWhen=[when("f1", "=", answerCoding={"code": "d"})]),
    extension=[{"url": q.SCORE_THRESHOLD, "valueDecimal": 8}],
)  # fmt: skip


def test_the_score_adds_the_chosen_options_weights_and_at_the_threshold_the_answer_is_flagged():
    form = q.parse(SCORED)
    assert form.scored and form.threshold == 8
    below = {"f1": ("c",), "f2": ("c",), "f3": ("b",)}  # 2 + 2 + 1
    at = {"f1": ("c",), "f2": ("c",), "f3": ("c",), "mer": ("ja",)}  # "mer" is not asked: 6
    assert (q.score(form, below), q.over_threshold(form, q.score(form, below))) == (5, False)
    assert q.score(form, at) == 6
    at = {"f1": ("d",), "f2": ("c",), "f3": ("a",), "mer": ("ja",)}  # 3 + 2 + 0 + 3
    assert (q.score(form, at), q.over_threshold(form, q.score(form, at))) == (8, True)
    one_below = {**at, "f2": ("b",)}
    assert (q.score(form, one_below), q.over_threshold(form, q.score(form, one_below))) == (7, False)


def test_a_form_without_weights_has_no_score_and_flags_nothing():
    form = q.parse(questionnaire(item("a", "choice", answerOption=YES_NO)))
    assert (form.scored, q.score(form, {"a": ("ja",)}), q.over_threshold(form, None)) == (False, None, False)


# -- the answers as staff read them ----------------------------------------------------------------------

DECLARATION = questionnaire(
    item("allergi", "choice", "Är du allergisk?", answerOption=[coding("ja", attention=True), coding("nej")],
         extension=[{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]),
    item("blodtryck", "choice", "Högt blodtryck?", answerOption=[coding("ja", attention=True), coding("nej")],
         extension=[{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]),
    item("skor", "string", "Skostorlek"),
    item("langd", "integer", "Längd", extension=[{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]),
    item("ovrigt", "text", "Övrigt", extension=[{"url": q.MEDICALLY_RELEVANT, "valueBoolean": True}]),
    extension=[{"url": q.FORM_KIND, "valueCode": "health-declaration"}],
)  # fmt: skip


def test_the_declarations_medically_relevant_lines_show_an_alerting_answer_red_and_another_option_green():
    form = q.parse(DECLARATION)
    assert form.kind is FormKind.HEALTH_DECLARATION
    answers = {"allergi": ("ja",), "blodtryck": ("nej",), "skor": ("42",), "langd": (181,), "ovrigt": ("Pacemaker",)}
    lines = q.lines(form, answers, "sv", medically_relevant_only=True)
    assert [(line.link_id, line.answer, line.attention) for line in lines] == [
        ("allergi", "Ja", True), ("blodtryck", "Nej", False),
        # a number or a free text is not judged: neither red nor green
        ("langd", "181", None), ("ovrigt", "Pacemaker", None),
    ]  # fmt: skip
    # the whole answer has every question, an unanswered one as "–", unmarked
    every = q.lines(form, {"allergi": ("ja",)}, "sv")
    assert [(line.link_id, line.answer, line.attention) for line in every] == [
        ("allergi", "Ja", True), ("blodtryck", "–", None), ("skor", "–", None), ("langd", "–", None),
        ("ovrigt", "–", None),
    ]  # fmt: skip


def test_the_answers_read_in_english_where_the_form_has_english():
    form = q.parse(questionnaire(
        item("feber", "boolean", "Har du feber?", _text=translation("Do you have a fever?")),
        item("farg", "choice", "Färg", answerOption=[coding("rod", "Röd", english="Red"), coding("bla", "Blå")]),
        item("vikt", "decimal", "Vikt"),
        _title=translation("Test form"),
    ))  # fmt: skip
    answers = {"feber": (True,), "farg": ("bla",), "vikt": (Decimal("72.50"),)}
    assert form.in_english()
    assert [(x.question, x.answer) for x in q.lines(form, answers, "en")] == [
        ("Do you have a fever?", "Yes"), ("Färg", "Blå"), ("Vikt", "72.5")]  # fmt: skip
    assert [x.answer for x in q.lines(form, {**answers, "farg": ("rod",)}, "sv")] == ["Ja", "Röd", "72,5"]
    assert q.lines(form, {"farg": ("rod",)}, "en")[1].answer == "Red"


# -- the QuestionnaireResponse ---------------------------------------------------------------------------

ROUND_TRIP = questionnaire(
    *ALL_TYPES["item"],
    item("siffror", "choice", "Välj ett tal", answerOption=[{"valueInteger": 1}, {"valueInteger": 2}]),
    item("ord", "open-choice", "Välj ett ord", answerOption=[{"valueString": "hej"}, {"valueString": "då"}]),
    item("grupp", "group", "En grupp", item=[item("inuti", "choice", "Inuti", repeats=True, answerOption=YES_NO)]),
)


def test_a_response_holds_every_type_of_answer_as_fhir_says_and_reads_back_the_same():
    form = q.parse(ROUND_TRIP)
    answers = {
        "namn": ("Måns",), "besvar": ("Ont i\nmagen",), "feber": (False,), "smarta": ("mage",),
        "kontakt": ("Ring mig",), "cigaretter": (-3,), "vikt": (Decimal("72.125"),), "sedan": (date(2027, 2, 28),),
        "siffror": ("2",), "ord": ("då",), "inuti": ("ja", "nej"),
    }  # fmt: skip
    resource = q.response(form, answers, questionnaire="https://e-tjanster.github.io/fhir/Questionnaire/test|1",
                          status="completed", subject={"reference": "Patient/p-1"},
                          authored="2026-06-01T10:00:00+02:00", response_id="r-1")  # fmt: skip
    QuestionnaireResponse(resource, strict=True)  # FHIR R4's structure
    by_link = {i["linkId"]: i for i in resource["item"]}
    assert by_link["feber"]["answer"] == [{"valueBoolean": False}]
    assert by_link["smarta"]["answer"] == [{"valueCoding": {"code": "mage", "display": "Mage"}}]
    assert by_link["kontakt"]["answer"] == [{"valueString": "Ring mig"}]
    assert by_link["cigaretter"]["answer"] == [{"valueInteger": -3}]
    assert by_link["vikt"]["answer"] == [{"valueDecimal": 72.125}]
    assert by_link["sedan"]["answer"] == [{"valueDate": "2027-02-28"}]
    # an answer to an option given as an integer or a string is that integer or string, as the form's option
    assert by_link["siffror"]["answer"] == [{"valueInteger": 2}]
    assert by_link["ord"]["answer"] == [{"valueString": "då"}]
    assert by_link["grupp"]["item"][0]["answer"] == [{"valueCoding": {"code": "ja", "display": "Ja"}},
                                                     {"valueCoding": {"code": "nej", "display": "Nej"}}]  # fmt: skip
    assert q.answers_from(json.loads(json.dumps(resource)), form) == answers


def test_a_sent_response_leaves_out_answers_to_questions_no_longer_asked_and_a_draft_keeps_them():
    form = q.parse(GROUPED)
    answers = {"opererad": (False,), "nar": (date(2020, 5, 1),), "annat": ("Inget",)}
    sent = q.response(form, answers, questionnaire="Questionnaire/q", status="completed", subject=None, authored=None)
    assert [i["linkId"] for i in sent["item"]] == ["opererad", "ovrigt"]  # a group without answers is left out
    assert q.answers_from(sent, form) == {"opererad": (False,), "annat": ("Inget",)}
    draft = q.response(form, answers, questionnaire="Questionnaire/q", status="in-progress", subject=None,
                       authored=None)  # fmt: skip
    QuestionnaireResponse(draft, strict=True)
    assert q.answers_from(draft, form) == answers


def test_a_response_read_back_drops_answers_to_questions_the_form_does_not_have():
    form = q.parse(GROUPED)
    resource = {"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": [
        {"linkId": "borta", "answer": [{"valueString": "x"}]},
        {"linkId": "opererad", "answer": [{"valueBoolean": True}]},
        {"linkId": "operationer", "item": [{"linkId": "narkos", "answer": [{"valueCoding": {"code": "nej"}}]}]},
    ]}  # fmt: skip
    assert q.answers_from(resource, form) == {"opererad": (True,), "narkos": ("nej",)}


# -- a form the region imports ---------------------------------------------------------------------------


def problems(resource: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidQuestionnaire) as refused:
        q.check_structure(resource)
        q.parse(resource)
    return refused.value.problems


def test_a_form_with_the_same_linkid_twice_is_refused():
    assert problems(questionnaire(item("a", "string"), item("g", "group", item=[item("a", "boolean")]))) == [
        "Fråga a: linkId finns redan i formuläret."]


def test_a_condition_on_a_later_question_or_on_no_question_is_refused():
    assert problems(questionnaire(
        item("a", "string", enableWhen=[when("b", "exists", answerBoolean=True)]), item("b", "string"),
        item("c", "string", enableWhen=[when("saknas", "exists", answerBoolean=True)]),
        item("g", "group", "Grupp", enableWhen=[when("d", "=", answerBoolean=True)], item=[item("d", "boolean")]),
    )) == [
        "Fråga a: villkoret måste bygga på en tidigare fråga (b).",
        "Fråga c: villkoret pekar på saknas, som inte är en fråga i formuläret.",
        "Fråga g: villkoret måste bygga på en tidigare fråga (d).",
    ]  # fmt: skip


def test_a_condition_that_does_not_fit_its_question_is_refused():
    assert problems(questionnaire(
        item("a", "choice", answerOption=YES_NO), item("n", "string"),
        item("b", "string", enableWhen=[when("a", "=", answerCoding={"code": "kanske"})]),
        item("c", "string", enableWhen=[when("a", "=", answerBoolean=True)]),
        item("d", "string", enableWhen=[when("n", ">", answerString="x")]),
        item("e", "string", enableWhen=[when("a", "=", answerCoding={"code": "ja"}),
                                        when("a", "=", answerCoding={"code": "nej"})]),
    )) == [
        "Fråga e: flera villkor behöver enableBehavior (any eller all).",
        "Fråga b: villkorets svar finns inte bland svarsalternativen till a.",
        "Fråga c: villkorets svar passar inte frågan a.",
        "Fråga d: större/mindre än går bara på tal och datum.",
    ]  # fmt: skip


def test_a_condition_on_an_integer_option_may_give_the_integer():
    form = q.parse(questionnaire(
        item("barn", "choice", "Antal barn", answerOption=[{"valueInteger": 0}, {"valueInteger": 1}]),
        item("vilka", "string", "Hur gamla?", enableWhen=[when("barn", "=", answerInteger=1)]),
    ))  # fmt: skip
    assert q.enabled(form, {"barn": ("1",)}) == {"barn", "vilka"}
    assert q.enabled(form, {"barn": ("0",)}) == {"barn"}


def test_a_choice_without_options_an_unknown_type_and_a_question_without_text_are_refused():
    assert problems(questionnaire(
        item("a", "choice"), item("b", "quantity"), item("c", "string", " "), item("d", "integer", answerOption=YES_NO),
        item("e", "string", repeats=True), item("f", "group", "Tom"),
    )) == [
        "Fråga a: ett val behöver svarsalternativ (answerOption).",
        "Fråga b: typen quantity stöds inte.",
        "Fråga c: texten saknas.",
        "Fråga d: bara val har svarsalternativ.",
        "Fråga e: bara val kan ha flera svar (repeats) här.",
        "Fråga f: en grupp behöver frågor.",
    ]  # fmt: skip


def test_a_form_without_a_title_or_questions_or_with_a_threshold_but_no_weights_is_refused():
    assert problems(questionnaire(item("intro", "display", "Hej"), title="",
                                  extension=[{"url": q.SCORE_THRESHOLD, "valueDecimal": 3},
                                             {"url": q.FORM_KIND, "valueCode": "quiz"}])) == [
        "Formuläret saknar titel (title).",
        "Okänd formulärtyp: quiz",
        "Formuläret har inga frågor.",
        "Formuläret har en gräns för poäng men inga svar med poäng (ordinalValue).",
    ]  # fmt: skip


def test_a_resource_that_is_not_a_fhir_r4_questionnaire_is_refused_with_what_fhirclient_found():
    good = questionnaire(item("a", "string"))
    q.check_structure(good)
    without_status = {k: v for k, v in good.items() if k != "status"}
    assert problems(without_status) == [
        "Inte en giltig FHIR R4 Questionnaire: {root}: 'Non-optional property \"status\" is missing'"]
    assert problems({**good, "colour": "red"}) == [
        "Inte en giltig FHIR R4 Questionnaire: {root}: Superfluous entry \"colour\" in data"]
    [problem] = problems(questionnaire(item("a", "string", text=5)))
    assert problem == ("Inte en giltig FHIR R4 Questionnaire: {root}: item.0: text: Wrong type int for property "
                       "\"text\" on QuestionnaireItem, expecting str")  # fmt: skip
    assert problems({**good, "date": "2027-02-30"}) == [
        "Inte en giltig FHIR R4 Questionnaire: {root}: date: day is out of range for month"]
    # another resource, and a contained one (the Lambda asset has only the FHIR models the platform uses)
    assert problems({**good, "resourceType": "Patient"}) == ["Resursen är inte en Questionnaire."]
    assert problems({**good, "contained": [{"resourceType": "ValueSet", "status": "active"}]}) == [
        "Formuläret har inbäddade resurser (contained); de stöds inte."]


# -- the demo region's forms -----------------------------------------------------------------------------


def demo(name: str) -> q.Form:
    resource = json.loads((DEMO_FORMS / f"{name}.json").read_text(encoding="utf-8"))
    q.check_structure(resource)
    return q.parse(resource)


@pytest.mark.parametrize("name", ["halsodeklaration", "halsosamtal-50", "mabra"])
def test_each_demo_form_is_a_valid_questionnaire_in_swedish_and_english(name):
    form = demo(name)
    assert form.url == f"https://e-tjanster.github.io/fhir/Questionnaire/{name}" and form.version == "1"
    assert form.in_english() and form.description.en
    for one in form.walk():
        assert one.text.en, one.link_id
        assert all(o.display.en for o in one.options), one.link_id


def test_the_health_declaration_alerts_on_blood_thinners_and_asks_about_pregnancy_unless_the_person_is_a_man():
    form = demo("halsodeklaration")
    assert form.kind is FormKind.HEALTH_DECLARATION
    assert all(page[0].type is ItemType.GROUP for page in form.pages) and len(form.pages) >= 6
    last = form.questions[-1]
    assert (last.link_id, last.type, last.text.sv) == ("ovrigt", ItemType.TEXT, "Övrigt du vill att vi ska veta")
    assert "gravid" in q.enabled(form, {"kon": ("kvinna",)}) and "gravid" not in q.enabled(form, {"kon": ("man",)})
    assert {form.item("langd").type, form.item("vikt").type} == {ItemType.INTEGER, ItemType.DECIMAL}
    answers = {"kon": ("man",), "langd": (180,), "vikt": (Decimal("82.5"),), "lakemedel": ("ja",),
               "blodforttunnande": ("noak",), "allergi": ("nej",)}  # fmt: skip
    marks = {x.link_id: x.attention for x in q.lines(form, answers, "sv", medically_relevant_only=True)}
    assert marks["blodforttunnande"] is True and marks["allergi"] is False and marks["vikt"] is None
    assert "gravid" not in marks
    assert "lakemedel-vilka" in q.missing(form, answers)


def test_the_health_talk_asks_about_support_only_a_smoker():
    form = demo("halsosamtal-50")
    types = {one.type for one in form.questions}
    assert {ItemType.BOOLEAN, ItemType.CHOICE, ItemType.OPEN_CHOICE, ItemType.DATE, ItemType.DECIMAL} <= types
    assert "roker-stod" in q.enabled(form, {"roker": (True,)})
    assert "roker-stod" not in q.enabled(form, {"roker": (False,)})


def test_the_wellbeing_screen_flags_8_points_and_not_7():
    form = demo("mabra")
    assert (form.threshold, len(form.questions)) == (8, 5)
    codes = [o.code for o in form.questions[0].options]
    seven = {one.link_id: (codes[w],) for one, w in zip(form.questions, (3, 2, 1, 1, 0), strict=True)}
    eight = {**seven, form.questions[-1].link_id: (codes[1],)}
    assert (q.score(form, seven), q.over_threshold(form, q.score(form, seven))) == (7, False)
    assert (q.score(form, eight), q.over_threshold(form, q.score(form, eight))) == (8, True)
    assert q.score(form, {one.link_id: (codes[3],) for one in form.questions}) == 15
