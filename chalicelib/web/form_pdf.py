"""An answered form as a PDF for the unit's records (the staff tool's export), set as the letters
are (web/letters.py: Noto Sans embedded, so every name prints as spelled). A health declaration
holds only the answers the form marks medically relevant, each marked red ("Observera") or green
("Utan anmärkning") — the word beside the colour, so it reads in black and white and for anyone
who does not see the colour. Any other form holds every question asked, its groups as headings.
The questions and answers are the form's Swedish (staff read the Swedish); the labels are in the
staff member's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from chalicelib.catalogs import translate
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.web.letters import FAMILY, headed_document

RED = (176, 0, 32)  # contrast 7:1 on white
GREEN = (0, 102, 51)  # contrast 7:1 on white
BLACK = (0, 0, 0)
WIDTH = 170.0  # A4 less 20 mm margins


def answer_pdf(*, lang: str, title: str, unit_name: str, unit_phone: str | None, header: Any,
               answered_at: datetime | None, reference: str, declaration: bool, lines: Sequence[Any],
               score: str | None, threshold: str | None, flagged: bool, day: date) -> bytes:  # fmt: skip
    pdf = headed_document(title, lang, unit_name, unit_phone, day, reference)
    pdf.set_xy(20, 40)
    pdf.set_font(FAMILY, style="B", size=16)
    pdf.multi_cell(WIDTH, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, size=10)
    name = translate(lang, "patient.protected") if header.protected_identity else (header.name or "–")
    facts = [translate(lang, "form_pdf.patient", name=name, personnummer=header.personnummer or "–")]
    if answered_at is not None:
        facts.append(translate(lang, "form_pdf.answered", when=answered_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")))
    if declaration:
        facts.append(translate(lang, "form_pdf.relevant_only"))
    for fact in facts:
        pdf.multi_cell(WIDTH, 5, fact, new_x="LMARGIN", new_y="NEXT")
    if score is not None:
        said = translate(lang, "form_pdf.score", score=score)
        if threshold is not None and flagged:
            said += " " + translate(lang, "form_pdf.threshold_reached", threshold=threshold)
        elif threshold is not None:
            said += " " + translate(lang, "form_pdf.threshold_not_reached", threshold=threshold)
        pdf.set_font(FAMILY, style="B", size=10)
        pdf.multi_cell(WIDTH, 5, said, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if not lines:
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(WIDTH, 6, translate(lang, "form_pdf.none"), new_x="LMARGIN", new_y="NEXT")
    for line in lines:
        _line(pdf, lang, line)
    return bytes(pdf.output())


def _line(pdf: Any, lang: str, line: Any) -> None:
    indent = 20 + 5 * min(line.depth, 4)
    width = WIDTH - (indent - 20)
    if line.heading:
        pdf.ln(2)
        pdf.set_x(indent)
        pdf.set_font(FAMILY, style="B", size=12)
        pdf.multi_cell(width, 6, line.question, new_x="LMARGIN", new_y="NEXT")
        return
    top = pdf.get_y()
    pdf.set_x(indent)
    pdf.set_font(FAMILY, style="B", size=10)
    pdf.multi_cell(width, 5, line.question, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(indent)
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(width, 5, line.answer, new_x="LMARGIN", new_y="NEXT")
    if line.attention is not None:
        colour = RED if line.attention else GREEN
        pdf.set_x(indent)
        pdf.set_text_color(*colour)
        pdf.set_font(FAMILY, style="B", size=10)
        word = translate(lang, "form_pdf.attention") if line.attention else translate(lang, "form_pdf.no_remark")
        pdf.multi_cell(width, 5, word, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*BLACK)
        bottom = pdf.get_y()
        if bottom > top:  # a bar in the colour beside the answer (on the same page)
            pdf.set_fill_color(*colour)
            pdf.rect(indent - 3, top, 1.5, bottom - top, style="F")
    pdf.ln(2.5)
