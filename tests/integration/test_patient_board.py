"""Complaints (Lämna synpunkter och klagomål) addressed to the patient board reach the region's
patient board queue, not the clinic's; those addressed to the clinic stay with the clinic."""

from __future__ import annotations

import re

from chalicelib.bootstrap import ports

VC, PN = "SE2321000099-VC01", "SE2321000099-PN01"


def _login(region, sub: str, audience: str = "citizen"):
    browser = region.browser()
    browser.login(sub, audience)
    return browser


def _complain(browser, to: str) -> str:
    page = browser.page(f"/contact/{VC}/synpunkter")
    fields = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission_id")}
    response = browser.post_form(f"/contact/{VC}/synpunkter", {**fields, "q-till": to, "accept_terms": "yes",
                                                                "q-synpunkt": "Jag fick vänta i tre timmar."})
    assert response.status_code == 303, response.body[:600]
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def test_a_complaint_to_the_patient_board_reaches_its_queue_not_the_clinics(region):
    # Given a citizen on the health centre's complaint form
    anna = _login(region, "anna")
    # When she addresses one complaint to the patient board and one to the clinic
    to_board = _complain(anna, "patientnämnden")
    to_clinic = _complain(anna, "mottagningen")
    # Then the first is in the patient board's queue, saying which clinic it is about, and not the clinic's
    board_case = ports().cases.get(to_board)
    assert board_case.unit_hsa_id == PN and board_case.about_unit_hsa_id == VC
    assert [c.case_id for c in ports().cases.queue(PN)] == [to_board]
    assert to_board not in [c.case_id for c in ports().cases.queue(VC)]
    assert ports().cases.get(to_clinic).unit_hsa_id == VC and ports().cases.get(to_clinic).about_unit_hsa_id is None
    # And the board's handler works it; the clinic's staff cannot open it
    petra = _login(region, "petra", "staff")
    page = petra.page(f"/staff/cases/{to_board}")
    assert "Jag fick vänta i tre timmar." in page and "Gäller Vårdcentralen Norrby" in page
    eva = _login(region, "eva", "staff")
    assert eva.get(f"/staff/cases/{to_board}").status_code == 404
    assert "Gäller Vårdcentralen Norrby" in anna.page(f"/cases/{to_board}")
    # And the citizen is told where each went, the board's handler sees the clinic in the queue's row
    assert "skickat till patientnämnden" in anna.page(f"/cases/{to_board}?sent=1")
    assert "skickat till mottagningen" in anna.page(f"/cases/{to_clinic}?sent=1")
    queue = petra.page("/staff/cases")
    row = queue[queue.index(f"/staff/cases/{to_board}"):]
    assert "Gäller Vårdcentralen Norrby" in row[:row.index("</tr>")]
