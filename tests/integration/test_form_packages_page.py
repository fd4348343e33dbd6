"""Package dispatch from the staff tool (paketutskick, issue 19): a nurse plans forms to the same
people on several days from the page; each part gets its one-time schedule, the unit's list shows
the parts with their days and whether they went, and how many people (never who); a day that is no
day is refused beside the rows with nothing written; the same page posted twice plans once; a nurse
of another unit and a local admin who does not send are refused."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, time, timedelta

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import forms
from chalicelib.services.principals import StaffPrincipal

VC = "SE2321000099-VC01"
JOHAN = StaffPrincipal("SE2321000099-P002", "Johan Ström", (RoleAtUnit(VC, StaffRole.LOCAL_ADMIN),), "x")
SURVEY = {
    "resourceType": "Questionnaire", "status": "active", "title": "Uppföljning efter höftoperation",
    "item": [{"linkId": "smarta", "type": "integer", "text": "Hur ont har du, 0–10?"}],
}  # fmt: skip
SECOND = {**SURVEY, "title": "Livskvalitet efter operation"}


def _publish(resource: dict) -> str:
    parsed, form = forms.read_questionnaire(json.dumps(resource))
    form_id = forms.publish(ports(), parsed, form, "SE2321000099-P004", clock.utc_now()).form_id
    forms.subscribe(ports(), JOHAN, VC, form_id, clock.utc_now())
    return form_id


def _staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def test_a_nurse_plans_a_package_from_the_page_and_sees_it_in_the_units_list(region):
    """Given two forms the health centre uses, when Eva plans the first in a week and both in a month
    for Anna and Gunnar, then each part has its schedule, the list shows three parts planned for two
    people, and the first part marked sent once its morning came."""
    hip, life = _publish(SURVEY), _publish(SECOND)
    eva = _staff(region, "eva")
    assert f"/staff/forms/packages?unit={VC}" in eva.page(f"/staff/forms?unit={VC}")
    page = eva.page(f"/staff/forms/packages/new?unit={VC}")
    assert "Uppföljning efter höftoperation" in page and 'name="form_6"' in page and 'value="14"' in page
    fields = {"csrf_token": _hidden(page, "csrf_token"), "dispatch_id": _hidden(page, "dispatch_id"), "unit": VC}
    today = region.today
    week, month = (today + timedelta(days=7)).isoformat(), (today + timedelta(days=30)).isoformat()
    people = f"{region.people['anna'].personnummer}\n{region.people['gunnar'].personnummer}"
    wanted = {**fields, "form_1": hip, "day_1": week, "form_2": "", "day_2": "", "form_3": hip, "day_3": month,
              "form_4": life, "day_4": month, "personnummer": people, "answer_days": "10", "remind_days_before": "3"}

    # a day that is no day: beside the rows, what was typed kept, nothing written
    response = eva.post_form("/staff/forms/packages/new", {**wanted, "day_3": today.isoformat()})
    assert response.status_code == 400
    shown = response.body.decode()
    assert 'id="parts-error"' in shown and "Ett utskick kan planeras från i morgon och två år framåt." in shown
    assert region.people["anna"].personnummer in shown and f'value="{week}"' in shown
    package_id = fields["dispatch_id"]
    assert ports().form_packages.get(package_id) is None

    # nothing chosen, and time to answer out of range: each beside its field
    nothing = eva.post_form("/staff/forms/packages/new", {**fields, "personnummer": people})
    assert nothing.status_code == 400 and "Välj minst ett formulär och en dag." in nothing.body.decode()
    slow = eva.post_form("/staff/forms/packages/new", {**wanted, "answer_days": "400"})
    assert slow.status_code == 400 and 'id="answer_days-error"' in slow.body.decode()
    assert ports().form_packages.get(package_id) is None

    # planned; the same page posted twice plans once
    response = eva.post_form("/staff/forms/packages/new", wanted)
    assert response.status_code == 303, response.body[:500]
    assert eva.post_form("/staff/forms/packages/new", wanted).status_code == 303
    record = ports().form_packages.get(package_id)
    assert [(p.form_id, p.send_on) for p in record.parts] == [(hip, week), (hip, month), (life, month)]
    assert len(record.citizen_ids) == 2 and int(record.answer_days) == 10 and int(record.remind_days_before) == 3
    region.follow_up()
    for n, day in enumerate((week, month, month)):
        schedule = ports().package_schedules.get(f"{package_id}-{n}")
        assert schedule["ScheduleExpression"] == f"at({day}T08:00:00)"

    listed = eva.page(response.headers["Location"])
    assert "Paketutskicket är planerat." in listed
    row = listed[listed.index("<tbody>"):listed.index("</tbody>")]
    assert row.count("planerat") == 3 and "<td>2</td>" in row and "Eva Nilsson" in row
    assert "Anna" not in row and region.people["anna"].personnummer not in row  # how many, never who

    # the first morning: its part goes, and the list says so
    morning = datetime.combine(today + timedelta(days=7), time(8, 0), tzinfo=clock.STOCKHOLM)
    assert forms.send_package_part(ports(), {"package_id": package_id, "part": 0}, morning) == "sent"
    region.follow_up()
    listed = eva.page(f"/staff/forms/packages?unit={VC}")
    row = listed[listed.index("<tbody>"):listed.index("</tbody>")]
    assert row.count(": skickat") == 1 and row.count("planerat") == 2


def test_the_units_packages_come_a_page_at_a_time(region, monkeypatch):
    from chalicelib.services import form_admin

    hip = _publish(SURVEY)
    eva = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(VC, StaffRole.CASE_RECEIVER),), "x")
    day = (region.today + timedelta(days=3)).isoformat()
    for _ in range(3):
        forms.schedule_package(ports(), eva, VC, [(hip, day)], {
            "personnummer": region.people["anna"].personnummer, "dispatch_id": str(uuid.uuid4())}, clock.utc_now())
    monkeypatch.setattr(form_admin, "PACKAGES_PAGE", 2)
    first = form_admin.packages(ports(), eva, VC, None)
    assert len(first) == 2 and first.next_cursor
    second = form_admin.packages(ports(), eva, VC, first.next_cursor)
    assert len(second) == 1 and second.next_cursor is None
    assert {r.package_id for r in first}.isdisjoint({r.package_id for r in second})


def test_who_may_not_plan_a_package_is_refused(region):
    _publish(SURVEY)
    lisa = _staff(region, "lisa")  # another unit's nurse
    assert lisa.get(f"/staff/forms/packages/new?unit={VC}").status_code == 403
    assert lisa.get(f"/staff/forms/packages?unit={VC}").status_code == 403
    johan = _staff(region, "johan")  # the health centre's local admin: chooses forms, does not send them
    assert johan.get(f"/staff/forms/packages/new?unit={VC}").status_code == 403
    csrf = johan.csrf_token("/api/v1/staff/me")
    refused = johan.post_form("/staff/forms/packages/new", {"csrf_token": csrf, "unit": VC, "form_1": "x",
                                                            "day_1": "2030-01-01", "personnummer": "x"})  # fmt: skip
    assert refused.status_code == 403
