"""Region content in Swedish and optionally English: each text in the reader's language, falling back to
the Swedish; a choice answered, and checked, by its Swedish option; the editor's English checked like
its Swedish."""

from __future__ import annotations

from chalicelib.domain.booking import PRESETS, VisitType
from chalicelib.domain.cases import CaseType, Question, QuestionKind, QuestionRow, answer_errors, questions_from_rows
from chalicelib.domain.localized import Localized, as_shown
from chalicelib.domain import self_tests
from chalicelib.domain.self_tests import Outcome


def test_a_text_in_english_falls_back_to_swedish():
    renew = Localized("Förnya recept", "Renew a prescription")
    assert (renew.in_("en"), renew.in_("sv"), renew.in_(None), renew.in_("fi")) == (
        "Renew a prescription", "Förnya recept", "Förnya recept", "Förnya recept")
    swedish_only = Localized("Egenremiss")
    assert swedish_only.in_("en") == "Egenremiss" and swedish_only.language("en") == "sv"
    assert Localized("Egenremiss", "  ").en is None  # an English left blank is none
    assert str(renew) == "Förnya recept" and f"{renew}" == "Förnya recept"  # code that asks no language: Swedish
    assert not Localized("") and Localized("x")


def test_a_copy_of_the_swedish_reads_in_english_while_it_is_still_the_texts_swedish():
    place = Localized("Mottagningen, plan 2", "The clinic, floor 2")
    assert as_shown("Mottagningen, plan 2", place, "en") == "The clinic, floor 2"
    assert as_shown("Rum 12", place, "en") == "Rum 12"  # written by someone else, or renamed since
    assert as_shown("Mottagningen, plan 2", None, "en") == "Mottagningen, plan 2"


def test_plain_strings_are_swedish_only():
    question = Question("form", "Form", QuestionKind.CHOICE, True, ("tablett", Localized("kapsel", "capsule")))
    assert question.label == Localized("Form") and question.help_text == Localized("")
    case_type = CaseType("t", "Typ", "", "Villkor.", (question,))
    assert case_type.name.in_("en") == "Typ" and case_type.terms == Localized("Villkor.")
    visit = VisitType("v", Localized("Besök", "Visit"), 30, "Plan 2", "Sjuksköterska", PRESETS["same_day"])
    assert (visit.name.in_("en"), visit.place.in_("en")) == ("Visit", "Plan 2")
    offer = self_tests.TestOffer("t", "Test", None, (), "Gör så här.", (), (), "unit",
                      {"negative": Localized("Inget fynd.", "Nothing found.")})
    assert offer.result_text(Outcome.NEGATIVE).in_("en") == "Nothing found."
    assert offer.result_text("positive").in_("en") == ""  # no text for that outcome


def test_a_choice_is_answered_by_its_swedish_option_and_shown_in_the_readers_language():
    question = Question("form", Localized("Form"), QuestionKind.CHOICE, True,
                        (Localized("tablett", "tablet"), Localized("kapsel", "capsule"), Localized("kräm")))
    assert question.values == ("tablett", "kapsel", "kräm")
    assert question.choices("en") == (("tablett", "tablet"), ("kapsel", "capsule"), ("kräm", "kräm"))
    assert question.answer_in("kapsel", "en") == "capsule" and question.answer_in("kapsel", "sv") == "kapsel"
    assert question.answer_in("something else", "en") == "something else" and question.answer_in(None, "en") is None
    case_type = CaseType("t", "T", "", "", (question,))
    assert answer_errors(case_type, {"q-form": "kapsel"}) == ({"form": "kapsel"}, {})
    assert answer_errors(case_type, {"q-form": "capsule"})[1] == {"form": "Välj ett av alternativen."}


def _row(label: str, kind: str = "text", **more: str) -> QuestionRow:
    fields = {"question_id": "", "label": label, "kind": kind, "required": True, "options": "", "help_text": "",
              "order": "", **more}  # fmt: skip
    return QuestionRow(**fields)


def test_the_editors_english_sits_beside_the_swedish_and_is_checked_like_it():
    questions, errors = questions_from_rows([
        _row("Form", "choice", options="tablett, kapsel, kräm", options_en="Tablet, , Cream", label_en="Form",
             help_text="Se förpackningen.", help_en="See the package."),
        _row("Styrka", options_en="ignored for text"),
    ], iter(("a", "b")).__next__)  # fmt: skip
    assert errors == {}
    form, strength = questions
    assert [(o.sv, o.en) for o in form.options] == [("tablett", "Tablet"), ("kapsel", None), ("kräm", "Cream")]
    assert form.help_text == Localized("Se förpackningen.", "See the package.")
    assert strength.label == Localized("Styrka") and strength.options == ()
    # A trailing comma is no extra option
    trailing, _ = questions_from_rows([_row("F", "choice", options="a, b", options_en="A, B,")], lambda: "x")
    assert [o.en for o in trailing[0].options] == ["A", "B"]
    _, errors = questions_from_rows([
        _row("Form", "choice", options="tablett, kapsel", options_en="Tablet", label_en="x" * 201,
             help_en="Only in English"),
    ], lambda: "x")  # fmt: skip
    assert errors == {"q1-label_en": "Högst 200 tecken.", "q1-help_en": "Skriv hjälptexten på svenska också.",
                      "q1-options_en": "Skriv lika många alternativ på engelska som på svenska, i samma ordning."}
