"""The print batch: one PDF, one page per paper summons, for the print vendor or the unit.
fpdf2's core Helvetica covers Swedish; characters it cannot print are replaced, never dropped."""

from __future__ import annotations

from datetime import date
from typing import Any

_REPLACEMENTS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "}


def _printable(text: str) -> str:
    text = "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def letters_pdf(letters: list[Any], batch_date: date) -> bytes:
    from fpdf import FPDF  # heavy (Pillow, fontTools): only when a batch is made

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(_printable(f"Kallelser {batch_date.isoformat()}"))
    pdf.set_creator("E-tjänster")
    pdf.set_auto_page_break(auto=True, margin=20)
    for letter in letters:
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, _printable(letter.unit_name), new_x="LMARGIN", new_y="NEXT")
        # The address block where a C5 window envelope shows it.
        pdf.set_xy(110, 45)
        pdf.set_font("Helvetica", size=11)
        for line in letter.address_lines:
            pdf.set_x(110)
            # Wrapped inside the window: "Till vårdnadshavare för <a long name>" must not run off the page.
            pdf.multi_cell(0, 5.5, _printable(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(20, 90)
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.multi_cell(0, 7, _printable(letter.subject), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", size=11)
        for paragraph in letter.body.split("\n\n"):
            pdf.multi_cell(0, 5.5, _printable(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    if not letters:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.cell(0, 10, _printable(f"Inga brev {batch_date.isoformat()}."))
    return bytes(pdf.output())


def referral_pdf(name: str, test_name: str, positive: list[str], order_id: str, day: date, clinic: str) -> bytes:
    """A treatment referral (remiss) for a positive self-test, to show at any treating unit."""
    from fpdf import FPDF

    names = {"chlamydia": "klamydia", "gonorrhoea": "gonorré", "sars_cov_2": "covid-19"}
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title("Remiss för behandling")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, _printable("Remiss för behandling"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    lines = [
        f"Patient: {name}",
        f"Test: {test_name}, analyserat {day.isoformat()}",
        "Positivt för: " + ", ".join(names.get(p, p) for p in positive),
        f"Referens: {order_id}",
        "",
        "Visa remissen på en ungdomsmottagning, STI-mottagning eller vårdcentral. Behandlingen är kostnadsfri.",
        f"Utfärdad av {clinic}.",
    ]
    for line in lines:
        pdf.multi_cell(0, 6, _printable(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
