"""The print batch (one PDF, one page per paper summons, for the print vendor or the unit) and the
treatment referral of a positive self-test.

Every name prints as the register spells it: the text is set in Noto Sans (SIL Open Font License
1.1, from the `fontpkg-noto-sans` package), embedded as a subset, which covers Latin with all its
extensions (Vietnamese too), Greek and Cyrillic, and "€" — no Latin-1 replacement, no "?".
fpdf2 (with Pillow and fontTools) and the font are loaded only here, when a PDF is made.

A letter's page: the sender (the unit and its phone) and the letter's date and reference at the
top, the address inside a C5/DL window envelope's window (`WINDOW`, wrapped and cut to what the
window holds), then the subject and the text."""

from __future__ import annotations

import functools
import importlib.resources
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from chalicelib.catalogs import translate

FAMILY = "NotoSans"
_FONT_FILE = "NotoSans[wdth,wght].ttf"  # variable: its default instance is Regular (wght 400, wdth 100)
_BOLD_AXES = {"wght": 700.0, "wdth": 100.0}


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in millimetres from the top left corner."""

    x: float
    y: float
    w: float
    h: float


# The window of a C5 or DL window envelope (fönsterkuvert) where an A4 letter folded in three shows
# its address: 90 × 45 mm, 20 mm from the left edge and 45 mm from the top. The address is set
# inside it with a margin so that a letter sliding in the envelope still shows every line.
WINDOW = Box(20.0, 45.0, 90.0, 45.0)
ADDRESS = Box(WINDOW.x + 4.0, WINDOW.y + 4.0, WINDOW.w - 8.0, WINDOW.h - 8.0)
_ADDRESS_SIZES = (11.0, 10.0, 9.0)  # points: the first at which every wrapped line fits
_ELLIPSIS = "…"


def font_folder() -> Path:
    return Path(str(importlib.resources.files("fontpkg_noto_sans") / "files"))


@functools.cache
def font_files() -> tuple[str, str]:
    """(regular, bold) font files. The package ships Noto Sans as one variable font; the bold
    instance is made from it once (fontTools, a few seconds) and kept in the temporary directory,
    so a warm print worker, and every later one on the same machine, reuses it."""
    regular = font_folder() / _FONT_FILE
    stat = regular.stat()
    bold = Path(tempfile.gettempdir()) / f"eservices-NotoSans-Bold-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    if not bold.exists():
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer

        font = instancer.instantiateVariableFont(TTFont(str(regular)), _BOLD_AXES)
        partial = bold.with_name(f"{bold.name}.{os.getpid()}.partial")
        font.save(str(partial))
        os.replace(partial, bold)  # atomic: another process making it at once writes the same bytes
    return str(regular), str(bold)


def new_pdf(title: str) -> Any:
    from fpdf import FPDF  # heavy (Pillow, fontTools): only when a PDF is made

    regular, bold = font_files()
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font(FAMILY, "", regular)
    pdf.add_font(FAMILY, "B", bold)
    pdf.set_title(title)
    pdf.set_creator("E-tjänster")
    pdf.set_lang("sv")
    pdf.set_auto_page_break(auto=True, margin=20)
    return pdf


def _line_height(size: float) -> float:
    return round(size * 0.45, 2)  # 11 pt → 4.95 mm


def _cut(pdf: Any, text: str, width: float) -> str:
    """`text` ending in "…", short enough for `width`."""
    while text and pdf.get_string_width(text + _ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def address_layout(pdf: Any, lines: list[str]) -> tuple[float, list[str]]:
    """The font size and the lines to print in the window: each address line wrapped at the box's
    width, at the largest size where all fit; if none does, the longest wrapped line of the address
    gives up its last lines (ending in "…") until the rest fits: the name and the postal lines stay."""
    wrapped: list[list[str]] = []
    size = _ADDRESS_SIZES[0]
    for size in _ADDRESS_SIZES:
        pdf.set_font(FAMILY, size=size)
        wrapped = [pdf.multi_cell(ADDRESS.w, _line_height(size), line, dry_run=True, output="LINES") or [""]
                   for line in lines]  # fmt: skip
        if sum(map(len, wrapped)) * _line_height(size) <= ADDRESS.h:
            break
    room = int(ADDRESS.h // _line_height(size) + 1e-9)
    while sum(map(len, wrapped)) > room:
        longest = max(wrapped, key=len)
        if len(longest) == 1:  # more address lines than the window holds: the last ones go
            wrapped.pop()
            wrapped[-1][-1] = _cut(pdf, wrapped[-1][-1], ADDRESS.w)
            continue
        longest.pop()
        longest[-1] = _cut(pdf, longest[-1], ADDRESS.w)
    return size, [text for block in wrapped for text in block]


def _address(pdf: Any, lines: list[str]) -> None:
    size, printed = address_layout(pdf, lines)
    pdf.set_font(FAMILY, size=size)
    y = ADDRESS.y
    for text in printed:
        pdf.set_xy(ADDRESS.x, y)
        pdf.cell(ADDRESS.w, _line_height(size), text)
        y += _line_height(size)


def headed_document(title: str, lang: str, sender: str, phone: str | None, day: date, reference: str) -> Any:
    """A one-off document (a referral, a form's answers): its first page with the letter header."""
    pdf = new_pdf(title)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    letter_header(pdf, lang, sender, phone, day, reference)
    return pdf


def letter_header(pdf: Any, lang: str, sender: str, phone: str | None, day: date, reference: str) -> None:
    """The sender (the unit, its phone) at the top left; the letter's date and reference at the
    right: what a reader quotes when they call, without any personnummer."""
    pdf.set_xy(20, 15)
    pdf.set_font(FAMILY, style="B", size=11)
    pdf.multi_cell(90, 5, sender, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    if phone:
        pdf.set_x(20)
        pdf.multi_cell(90, 4.5, translate(lang, "letter.phone", phone=phone), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(125, 15)
    pdf.set_font(FAMILY, size=9)
    for text in (translate(lang, "letter.date", date=day.isoformat()),
                 translate(lang, "letter.reference", reference=reference)):  # fmt: skip
        pdf.set_x(125)
        pdf.multi_cell(65, 4.5, text, new_x="LMARGIN", new_y="NEXT")


def _text(pdf: Any, subject: str, body: str, top: float) -> None:
    pdf.set_xy(20, top)
    pdf.set_font(FAMILY, style="B", size=14)
    pdf.multi_cell(170, 7, subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, size=11)
    for paragraph in body.split("\n\n"):
        pdf.set_x(20)
        pdf.multi_cell(170, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def _reference(letter: Any) -> str:
    """The summons' appointment id: the letter's key is "<unit>#<appointment id>#<version>"."""
    parts = str(getattr(letter, "letter_key", "")).split("#")
    return parts[1] if len(parts) >= 2 else str(getattr(letter, "letter_key", ""))


def letters_pdf(letters: list[Any], batch_date: date) -> bytes:
    """The batch's letters, each in its own language (the recipient's; Swedish when none is stored).
    The file's title is for the print vendor and the unit: Swedish."""
    pdf = new_pdf(translate("sv", "letter.batch_title", date=batch_date.isoformat()))
    pdf.set_margins(20, 15, 20)
    for letter in letters:
        pdf.add_page()
        letter_header(pdf, getattr(letter, "language", None) or "sv", letter.unit_name, getattr(letter, "unit_phone", None), batch_date, _reference(letter))
        _address(pdf, list(letter.address_lines))
        _text(pdf, letter.subject, letter.body, WINDOW.y + WINDOW.h + 12)
    if not letters:
        pdf.add_page()
        pdf.set_font(FAMILY, size=11)
        pdf.cell(0, 10, translate("sv", "letter.no_letters", date=batch_date.isoformat()))
    return bytes(pdf.output())


def referral_pdf(lang: str, name: str, test_name: str, positive: list[str], order_id: str, day: date, clinic: str,
                 phone: str | None = None) -> bytes:  # fmt: skip
    """A treatment referral (remiss) for a positive self-test, to show at any treating unit, in the
    person's language."""
    title = translate(lang, "referral.title")
    pdf = headed_document(title, lang, clinic, phone, day, order_id)
    pdf.set_xy(20, 45)
    pdf.set_font(FAMILY, style="B", size=16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    lines = [
        translate(lang, "referral.patient", name=name),
        translate(lang, "referral.test", test=test_name, date=day.isoformat()),
        translate(lang, "referral.positive", analyses=", ".join(translate(lang, f"analysis.{p}") for p in positive)),
        translate(lang, "referral.reference", reference=order_id),
        "",
        translate(lang, "referral.where"),
        translate(lang, "referral.issued_by", clinic=clinic),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def certificate_pdf(lang: str, *, title: str, person: str, personnummer: str, unit: str, author: str | None,
                    day: date, lines: list[str]) -> bytes:  # fmt: skip
    """A certificate (Mina intyg) as the care system wrote it: the person and the issuing unit named."""
    pdf = new_pdf(title)
    pdf.add_page()
    pdf.set_xy(20, 20)
    pdf.set_font(FAMILY, style="B", size=16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    facts = [
        translate(lang, "certificate.pdf_person", name=person, personnummer=personnummer),
        translate(lang, "certificate.pdf_unit", unit=unit),
        *([translate(lang, "certificate.pdf_author", author=author)] if author else []),
        translate(lang, "certificate.pdf_date", date=day.isoformat()),
        "",
    ]
    for line in [*facts, *lines]:
        pdf.set_x(20)
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
