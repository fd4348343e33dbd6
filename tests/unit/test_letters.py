"""Letters and referrals print every name as the register spells it, and the address stays inside
the envelope's window however long its lines are (fpdf2 renders; pypdf reads back)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pypdf
import pytest

from chalicelib.domain.reach import PROTECTED_NOTE
from chalicelib.web import letters

HARDEST = ["Łukasz Žofie Nguyễn-Şahin", "Ødegård Ærø", "Zoë Ångström-Çelik", "€ 100"]
MM = 72 / 25.4  # PDF points per millimetre


@dataclass
class Letter:
    """What a print letter carries (as chalicelib.adapters.tables.PrintLetterRecord)."""

    address_lines: list[str]
    subject: str = "Kallelse: Årskontroll"
    body: str = "Välkommen.\n\nTa med dina mediciner."
    unit_name: str = "Vårdcentralen Åby"
    unit_phone: str | None = "08-123 45 67"
    letter_key: str = "SE2321000099-VC01#app-Ø-1#1"
    language: str | None = None


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _runs(pdf: bytes) -> list[tuple[float, float, str]]:
    """Every text run on the first page: (x, y from the top) in millimetres, and its text."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            runs.append((x / MM, (height - y) / MM, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def test_the_hardest_names_print_as_themselves_in_a_summons_letter_and_a_referral():
    # Given a summons letter and a referral with the register's hardest names and a euro sign
    name = HARDEST[0]
    summons = letters.letters_pdf([Letter([name, "Ødegård Ærø 3", "123 45 Zoë Ångström-Çelik"],
                                          subject=f"Kallelse för {name}", body=" ".join(HARDEST))],
                                  date(2026, 6, 1))  # fmt: skip
    referral = letters.referral_pdf("sv", name, HARDEST[2], ["chlamydia"], "order-€-1", date(2026, 6, 1),
                                    f"Mottagning {HARDEST[1]}", "08-1 00")  # fmt: skip
    # When they are read back, Then every character is there as itself (no "?", no look-alike)
    for pdf in (summons, referral):
        text = _text(pdf)
        assert "?" not in text
        for hard in HARDEST[:3]:
            assert hard in text, (hard, text)
    assert "€ 100" in _text(summons) and "order-€-1" in _text(referral)
    # And each carries its sender, phone, date and reference, never more of the person than the name
    for pdf, reference in ((summons, "app-Ø-1"), (referral, "order-€-1")):
        text = _text(pdf)
        assert "Telefon 0" in text and "Datum 2026-06-01" in text and f"Referens {reference}" in text


def test_each_letter_prints_its_labels_in_its_readers_language():
    batch = letters.letters_pdf([Letter(["Anna Andersson"]), Letter(["John Smith"], language="en")], date(2026, 6, 1))
    swedish, english = (page.extract_text() for page in pypdf.PdfReader(io.BytesIO(batch)).pages)
    assert "Datum 2026-06-01" in swedish and "Telefon 08-123 45 67" in swedish
    assert "Date 2026-06-01" in english and "Telephone 08-123 45 67" in english and "Reference app-Ø-1" in english
    assert "Datum" not in english
    referral = _text(letters.referral_pdf("en", "John Smith", "Chlamydia self-test", ["chlamydia", "gonorrhoea"],
                                          "o-1", date(2026, 6, 1), "STI clinic"))  # fmt: skip
    assert "Referral for treatment" in referral and "Positive for: chlamydia, gonorrhoea" in referral
    assert "Remiss" not in referral


def test_the_font_is_embedded_and_nothing_in_the_pdf_is_a_core_font():
    pdf = pypdf.PdfReader(io.BytesIO(letters.letters_pdf([Letter(["Åsa Öberg"])], date(2026, 6, 1))))
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    names = {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    assert names and all("NotoSans" in n for n in names), names
    assert all("/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
               for f in fonts.values())  # fmt: skip


@pytest.mark.parametrize("lines", [
    pytest.param(["Łukasz Žofie Nguyễn-Şahin", "Västra Storgatan Långgatans förlängning " + "Ö" * 26 + " 1234",  # 70 characters
                  "123 45 Demostad"], id="long street"),
    pytest.param(["Zoë Ångström-Çelik Nguyễn-Şahin Ødegård Ærø Wolfeschlegelsteinhausenbergerdorff",
                  PROTECTED_NOTE + " (Skatteverket, Box 2820, 403 20 Göteborg)"], id="protected identity"),
    pytest.param(["Till vårdnadshavare för Łukasz Žofie Nguyễn-Şahin Ødegård",
                  " och ".join(["Zoë Ångström-Çelik Nguyễn-Şahin"] * 6), "Storgatan 1", "123 45 Demostad"],
                 id="a child's guardians, more than the window holds"),
])  # fmt: skip
def test_the_address_wraps_inside_the_envelope_window(lines):
    assert max(map(len, lines)) >= 70
    # Given a letter whose address lines are longer than the window is wide
    pdf = letters.letters_pdf([Letter(lines)], date(2026, 6, 1))
    # When the page's text is read back with its positions
    from fpdf import FPDF

    measure = FPDF(unit="mm")
    measure.add_font(letters.FAMILY, "", letters.font_files()[0])
    measure.add_page()
    size, printed = letters.address_layout(measure, lines)
    window = letters.WINDOW
    inside = [(x, y, t) for x, y, t in _runs(pdf) if window.y <= y <= window.y + window.h + 1]
    # Then every address line starts in the window, and ends in it at the size it was set at
    assert [t for _, _, t in inside] == printed and len(printed) > len(lines) - 1
    measure.set_font(letters.FAMILY, size=size)
    for x, y, text in inside:
        assert window.x < x and x + measure.get_string_width(text) < window.x + window.w, (text, x)
        assert window.y < y - size / MM * 0.8 and y < window.y + window.h, (text, y)
    # And the name and the postal lines are all there: what wrapped is every word of the line, in order
    joined = " ".join(printed)
    assert lines[0].split()[0] in joined and lines[-1].split()[-1].rstrip(")") in joined.rstrip("…)")
