"""The staff tool's Tidbok as a time grid (issue 13): a day as times × practitioners and rooms, a
week as hours × days, moving a booking to another day, publishing the same times twice changing
nothing, past times never offered, and what a page costs in DynamoDB requests."""

from __future__ import annotations

import collections
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.booking import STAFF, Slot, Visibility
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.services import booking
from tests.integration.harness import on_working_day
from tests.integration.test_booking import VC, _book_in_browser, _booking_id, _citizen, _logged_in, _staff, _staff_post


def _publish(region, day, slots: list[tuple[str, str, datetime, int, str | None]]):
    """The care system's PUT for one day: (slot_id, visit type, start, minutes, resource)."""
    body = {"from": day.isoformat(), "to": day.isoformat(), "slots": [
        {"slot_id": sid, "visit_type_id": vt, "start": start.isoformat(),
         "end": (start + timedelta(minutes=minutes)).isoformat(), **({"resource": who} if who else {})}
        for sid, vt, start, minutes, who in slots]}  # fmt: skip
    return region.integration("PUT", f"/integration/v1/units/{VC}/slots", body, idempotency_key=None)


class _Grid(HTMLParser):
    """The first table of a page as a person reads it: column headings, then per row its heading and
    each cell's text and links."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[tuple[str, list[str], list[list[str]]]] = []
        self._depth = self._done = 0
        self._text: list[str] | None = None
        self._links: list[str] = []
        self._row: list | None = None
        self._in_head = False
        self._hidden = 0

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        if not self._depth:
            return
        if "visually-hidden" in (attrs.get("class") or "") or self._hidden:
            self._hidden += tag != "br"
        if tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = ["", [], []]
        elif tag in ("th", "td"):
            self._text, self._links = [], []
        elif tag == "a" and self._text is not None:
            self._links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):  # noqa: ANN001
        if self._done or not self._depth:
            return
        if self._hidden:
            self._hidden -= 1
            return
        if tag in ("th", "td") and self._text is not None:
            text = " ".join(" ".join(self._text).split())
            if self._in_head:
                self.columns.append(text)
            elif tag == "th" and not self._row[1]:
                self._row[0] = text
            else:
                self._row[1].append(text)
                self._row[2].append(self._links)
            self._text = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr" and self._row is not None and not self._in_head and self._row[0]:
            self.rows.append(tuple(self._row))
        elif tag == "table":
            self._done = 1

    def handle_data(self, data):  # noqa: ANN001
        if self._text is not None and not self._hidden:
            self._text.append(data)


def _grid(page: str) -> _Grid:
    parser = _Grid()
    parser.feed(page)
    return parser


def _cell(grid: _Grid, time: str, column: str) -> tuple[str, list[str]]:
    row = next(r for r in grid.rows if r[0] == time)
    n = grid.columns.index(column) - 1
    return row[1][n], row[2][n]


def test_the_day_is_a_grid_of_times_by_practitioner_and_room_with_who_booked(region):
    # Given a nurse's times, a sampling room's and one time the care system named no resource for
    day = on_working_day(3, 0).date()
    at = lambda h, m=0: datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=h, minute=m)  # noqa: E731
    published = _publish(region, day, [
        ("e1", "sjukskoterska", at(9), 30, "Eva Nilsson"), ("e2", "sjukskoterska", at(9, 30), 30, "Eva Nilsson"),
        ("p1", "provtagning", at(9), 15, "Provtagningsrum 2"), ("p2", "provtagning", at(9, 15), 15, "provtagningsrum  2"),
        ("x1", "sjukskoterska", at(10), 30, None)])  # fmt: skip
    assert published.json_body == {"published": 5, "withdrawn": 0, "slots": 5}
    # And Anna has booked the nurse at 09:00
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/e1"))
    # When Eva opens the day
    eva = _staff(region, "eva")
    page = eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")
    grid = _grid(page)
    # Then the columns are the resources (the room once, however it was written), "Ej angiven" last
    assert grid.columns == ["Tid", "Eva Nilsson", "Provtagningsrum 2", "Ej angiven"]
    # And the rows are the opening hours in quarter hours (the slots are 15 and 30 minutes long)
    closes = "15:45" if day.weekday() == 4 else "16:45"  # the health centre closes at 16 on Fridays, else 17
    assert [r[0] for r in grid.rows][:3] == ["08:00", "08:15", "08:30"] and grid.rows[-1][0] == closes
    text, links = _cell(grid, "09:00", "Eva Nilsson")
    assert "Bokad" in text and "Anna Andersson" in text and "Besök hos sjuksköterska" in text
    assert f"/staff/visits/{booking_id}" in links and f"/staff/bookings/{booking_id}/move" in links
    text, links = _cell(grid, "09:30", "Eva Nilsson")
    assert text.startswith("09:30–10:00 Ledig") and links == [f"/staff/bookings/book?slot={VC}/e2"]
    assert _cell(grid, "09:15", "Provtagningsrum 2")[0].startswith("09:15–09:30 Ledig Provtagning")
    assert _cell(grid, "10:00", "Ej angiven")[0].startswith("10:00–10:30 Ledig")
    assert _cell(grid, "08:00", "Eva Nilsson") == ("", [])
    # And the booked person's personnummer is nowhere on the page
    pnr = region.people["anna"].personnummer
    assert pnr not in page and f"{pnr[2:8]}-{pnr[8:]}" not in page and f"{pnr[:8]}-{pnr[8:]}" not in page
    # And a real table: a caption, column and row headings, in a scrollable region with a name
    assert '<th scope="col" class="grid-time">Tid</th>' in page and '<th scope="row" class="grid-time">09:00</th>' in page
    assert re.search(r'<div class="table-scroll grid-scroll" role="region" aria-labelledby="day-heading" tabindex="0">',
                     page)  # fmt: skip


def test_staff_book_a_free_cell_for_a_citizen_and_a_time_booked_twice_is_refused(region):
    day = on_working_day(4, 0).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=13)
    _publish(region, day, [("b1", "sjukskoterska", start, 30, "Eva Nilsson")])
    eva = _staff(region, "eva")
    # The free cell's page names the time; the personnummer is posted, never in a URL
    page = eva.page(f"/staff/bookings/book?slot={VC}/b1")
    assert "Boka tid åt en invånare" in page and "13:00</time>–13:30" in page and "Eva Nilsson" in page
    where = {"unit": VC, "day": day.isoformat(), "slot": f"{VC}/b1", "page": "slot"}
    bad = _staff_post(eva, "/staff/bookings/book", {**where, "personnummer": "19121212"})
    assert bad.status_code == 400 and 'id="personnummer-error"' in bad.body.decode()
    booked = _staff_post(eva, "/staff/bookings/book", {**where, "personnummer": region.people["anna"].personnummer})
    assert booked.status_code == 303 and booked.headers["Location"].endswith(f"day={day.isoformat()}&done=booked")
    # The same time again, for someone else: refused, the first booking stands
    again = _staff_post(eva, "/staff/bookings/book", {**where, "personnummer": region.people["karin"].personnummer})
    assert again.status_code == 409 and "Tiden är redan bokad." in again.body.decode()
    holder = ports().slots.get(f"{VC}/b1").citizen_id
    assert holder == _citizen(region, "anna").citizen_id
    assert "Tiden är redan bokad." in eva.page(f"/staff/bookings/book?slot={VC}/b1")  # the page says so, no form
    grid = _grid(eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}"))
    assert "Anna Andersson" in _cell(grid, "13:00", "Eva Nilsson")[0]
    assert sum("Bokad" in cell for row in grid.rows for cell in row[1]) == 1


def test_the_week_is_hours_by_days_with_free_and_booked_and_pages_week_by_week(region):
    monday = clock.stockholm_date(clock.utc_now()) + timedelta(weeks=2)
    monday -= timedelta(days=monday.weekday())
    tuesday, thursday = monday + timedelta(days=1), monday + timedelta(days=3)
    at = lambda d, h, m=0: datetime.combine(d, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=h, minute=m)  # noqa: E731
    body = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat(), "slots": [
        {"slot_id": sid, "visit_type_id": "sjukskoterska", "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat(), "resource": "Eva Nilsson"}
        for sid, start in (("w1", at(tuesday, 9)), ("w2", at(tuesday, 9, 30)), ("w3", at(thursday, 14)))]}  # fmt: skip
    assert region.integration("PUT", f"/integration/v1/units/{VC}/slots", body, idempotency_key=None).status_code == 200
    anna = _logged_in(region, "anna")
    _booking_id(_book_in_browser(anna, f"{VC}/w2"))
    eva = _staff(region, "eva")
    page = eva.page(f"/staff/bookings/week?unit={VC}&day={thursday.isoformat()}")
    grid = _grid(page)
    assert grid.columns[0] == "Tid" and len(grid.columns) == 8  # Monday to Sunday
    assert grid.columns[2] == f"tis {tuesday.isoformat()}"
    assert f'href="/staff/bookings?unit={VC}&amp;day={tuesday.isoformat()}"' in page  # each day links to its grid
    assert [r[0] for r in grid.rows][:2] == ["08:00", "09:00"] and grid.rows[-2][0] == "16:00"
    nine = next(r for r in grid.rows if r[0] == "09:00")
    assert nine[1][1] == "1 ledig 1 bokad" and nine[1][0] == "" and nine[1][3] == ""
    two = next(r for r in grid.rows if r[0] == "14:00")
    assert two[1][3] == "1 ledig"
    assert grid.rows[-1][0] == "Hela dagen" and grid.rows[-1][1][1] == "1 ledig 1 bokad"
    # Previous and next week
    assert f"/staff/bookings/week?unit={VC}&amp;day={(thursday - timedelta(weeks=1)).isoformat()}" in page
    following = eva.page(f"/staff/bookings/week?unit={VC}&day={(thursday + timedelta(weeks=1)).isoformat()}")
    assert "count-free" not in following and "Inga tider den veckan." not in following  # open hours, no times
    assert "vecka " + str(thursday.isocalendar().week) in page


def test_a_booking_moves_to_another_day_and_the_citizen_is_told(region):
    # Given Anna booked on one day and a free time of the same visit type a week later
    first, later = on_working_day(3, 9), on_working_day(8, 14)
    _publish(region, first.date(), [("m1", "sjukskoterska", first, 30, "Eva Nilsson")])
    _publish(region, later.date(), [("m2", "sjukskoterska", later, 30, "Eva Nilsson"),
                                    ("m3", "provtagning", later + timedelta(hours=1), 15, "Provtagningsrum 2")])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/m1"))
    eva = _staff(region, "eva")
    logged = len(ports().access_log.of_citizen(_citizen(region, "anna").citizen_id))
    # When Eva opens the booking's move page (from the grid, or the visit's page) and pages to the later week
    assert f'href="/staff/bookings/{booking_id}/move"' in eva.page(f"/staff/visits/{booking_id}")
    logged += 1  # the visit's page showed Anna too
    page = eva.page(f"/staff/bookings/{booking_id}/move")
    assert "Flytta eller avboka tiden" in page and 'class="patient-header"' in page
    assert len(ports().access_log.of_citizen(_citizen(region, "anna").citizen_id)) == logged + 1
    monday = later.date() - timedelta(days=later.weekday())
    week = eva.page(f"/staff/bookings/{booking_id}/move?week={monday.isoformat()}")
    # Then only free times of the same visit type are offered: the later day's 14:00, not the sampling
    assert f'value="{VC}/m2"' in week and f'value="{VC}/m3"' not in week and "14:00–14:30, Eva Nilsson" in week
    # And moving there takes the new time, frees the old and lands on the new day
    moved = _staff_post(eva, f"/staff/bookings/{booking_id}/move", {"unit": VC, "day": first.date().isoformat(),
                        "slot": f"{VC}/m2", "page": "move", "week": monday.isoformat()})  # fmt: skip
    assert moved.status_code == 303, moved.body[:500]
    assert moved.headers["Location"] == f"/staff/bookings?unit={VC}&day={later.date().isoformat()}&done=moved"
    assert ports().slots.get(f"{VC}/m2").booking_id == booking_id and ports().slots.get(f"{VC}/m1").free
    assert ports().slots.get(f"{VC}/m1").citizen_id is None
    assert ports().bookings.get(booking_id).start == later.astimezone(timezone.utc)
    # And the citizen is told by the move's event (booking.moved → the confirmation), not by the page
    subjects = [m.subject for m in ports().inbox.inbox_of(_citizen(region, "anna").citizen_id)]
    assert "Din tid är ombokad" in subjects
    grid = _grid(eva.page(f"/staff/bookings?unit={VC}&day={later.date().isoformat()}"))
    assert "Anna Andersson" in _cell(grid, "14:00", "Eva Nilsson")[0]
    # Moving without choosing a time says so beside the choice, and changes nothing
    none = _staff_post(eva, f"/staff/bookings/{booking_id}/move", {"unit": VC, "page": "move"})
    assert none.status_code == 400 and 'id="slot-error"' in none.body.decode()


def _past_slot(slot_id: str, minutes_ago: int = 30) -> str:
    """A free time that began a while ago (publishing refuses the past: it became past by waiting)."""
    start = clock.utc_now().replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)
    ports().slots.publish(Slot(f"{VC}/{slot_id}", VC, "sjukskoterska", start, start + timedelta(minutes=60),
                               "Mottagningen, plan 2", "Sjuksköterska", Visibility.WEB, source=STAFF,
                               resource="Eva Nilsson"))  # fmt: skip
    return f"{VC}/{slot_id}"


def test_a_past_time_is_shown_as_past_and_no_door_books_or_moves_onto_it(region):
    # Given a free time that began half an hour ago, and Anna's booking later on
    past = _past_slot("past1")
    later = on_working_day(3, 10)
    _publish(region, later.date(), [("f1", "sjukskoterska", later, 30, "Eva Nilsson")])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/f1"))
    eva = _staff(region, "eva")
    today = clock.stockholm_date(clock.utc_now())
    page = eva.page(f"/staff/bookings?unit={VC}&day={today.isoformat()}")
    # Then the grid shows it as past, with nothing to book it by
    assert "Passerad" in page and f"/staff/bookings/book?slot={past}" not in page
    assert "Tiden har redan varit." in eva.page(f"/staff/bookings/book?slot={past}")
    # And the staff door refuses booking it and moving onto it, with a clear message
    booked = _staff_post(eva, "/staff/bookings/book", {"unit": VC, "slot": past, "page": "slot",
                                                       "personnummer": region.people["karin"].personnummer})
    assert booked.status_code == 422 and "Tiden har redan varit." in booked.body.decode()
    moved = _staff_post(eva, f"/staff/bookings/{booking_id}/move", {"unit": VC, "slot": past, "page": "move"})
    assert moved.status_code == 422 and "Den nya tiden har redan varit. Välj en senare tid." in moved.body.decode()
    # And the citizen's doors too: the page, the JSON API's booking and rebooking
    assert _book_in_browser(anna, past).status_code == 422
    csrf = {"X-CSRF-Token": anna.csrf_token(), "Content-Type": "application/json"}
    api = anna.request("POST", "/api/v1/bookings", headers=csrf, body=f'{{"slot_id": "{past}"}}'.encode())
    assert (api.status_code, api.json_body["code"]) == (422, "slot_in_past")
    rebook = anna.request("POST", f"/api/v1/bookings/{booking_id}/rebook", headers=csrf,
                          body=f'{{"slot_id": "{past}"}}'.encode())  # fmt: skip
    assert (rebook.status_code, rebook.json_body["code"]) == (422, "slot_in_past")
    # Nothing changed: the past time is still free, Anna keeps her time, and no move page offers it
    assert ports().slots.get(past).free and ports().bookings.get(booking_id).slot_id == f"{VC}/f1"
    assert f'value="{past}"' not in eva.page(f"/staff/bookings/{booking_id}/move")


def test_publishing_the_same_times_twice_changes_nothing_and_a_booked_time_is_left_alone(region):
    day = on_working_day(5, 0).date()
    eva = _staff(region, "eva")
    form = {"unit": VC, "day": day.isoformat(), "visit_type": "sjukskoterska", "from": "13:00", "to": "14:00",
            "resource": "Eva Nilsson"}  # fmt: skip

    def times() -> list[tuple[str, str | None, bool]]:
        return [(s.start.astimezone(STOCKHOLM).strftime("%H:%M"), s.resource, s.free)
                for s in ports().slots.between(VC, *booking.day_bounds(day))]  # fmt: skip

    assert _staff_post(eva, "/staff/bookings/slots", form).status_code == 303
    assert times() == [("13:00", "Eva Nilsson", True), ("13:30", "Eva Nilsson", True)]
    # Anna books 13:00; the same form again (written differently) adds nothing and leaves her time booked
    anna = _logged_in(region, "anna")
    first = ports().slots.between(VC, *booking.day_bounds(day))[0]
    booking_id = _booking_id(_book_in_browser(anna, first.slot_id))
    assert _staff_post(eva, "/staff/bookings/slots", {**form, "resource": "  eva  nilsson "}).status_code == 303
    assert [(t, f) for t, _, f in times()] == [("13:00", False), ("13:30", True)]
    assert ports().slots.get(first.slot_id).booking_id == booking_id
    # Another practitioner at the same times is another column's times, not a duplicate
    assert _staff_post(eva, "/staff/bookings/slots", {**form, "resource": "Nora Ny"}).status_code == 303
    assert sorted(times()) == [("13:00", "Eva Nilsson", False), ("13:00", "Nora Ny", True),
                               ("13:30", "Eva Nilsson", True), ("13:30", "Nora Ny", True)]
    # Eva cannot be in two places at once: another visit type for her at 13:15 is refused beside the
    # field and writes nothing; the same with no one named is parallel capacity, and is added
    clash = _staff_post(eva, "/staff/bookings/slots", {**form, "visit_type": "provtagning", "from": "13:15",
                                                       "to": "13:30"})  # fmt: skip
    assert clash.status_code == 409 and 'id="resource-error"' in clash.body.decode()
    assert "Eva Nilsson har redan en tid 13:00–13:30 som krockar med 13:15." in clash.body.decode()
    assert len(times()) == 4
    unnamed = {**form, "visit_type": "provtagning", "from": "13:15", "to": "13:30", "resource": ""}
    assert _staff_post(eva, "/staff/bookings/slots", unnamed).status_code == 303 and len(times()) == 5
    # A name too long is refused beside the field, and writes nothing
    long = _staff_post(eva, "/staff/bookings/slots", {**form, "resource": "x" * 81})
    assert long.status_code == 400 and 'id="resource-error"' in long.body.decode() and len(times()) == 5
    # The care system's PUT: the same body twice changes nothing; its booked time keeps its resource
    start = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=9)
    slots = [("c1", "sjukskoterska", start, 30, "Omar Lund"), ("c2", "sjukskoterska", start + timedelta(minutes=30),
                                                                30, "Omar Lund")]  # fmt: skip
    assert _publish(region, day, slots).json_body == {"published": 2, "withdrawn": 0, "slots": 2}
    assert _publish(region, day, slots).json_body == {"published": 0, "withdrawn": 0, "slots": 2}
    _booking_id(_book_in_browser(anna, f"{VC}/c1"))
    renamed = _publish(region, day, [(sid, vt, at, n, "Nora Ny") for sid, vt, at, n, _ in slots])
    assert renamed.json_body == {"published": 1, "withdrawn": 0, "slots": 2}  # only the free one
    assert ports().slots.get(f"{VC}/c1").resource == "Omar Lund" and ports().slots.get(f"{VC}/c2").resource == "Nora Ny"
    assert len(times()) == 7
    bad = _publish(region, day, [("c3", "sjukskoterska", start + timedelta(hours=3), 30, "x" * 81)])
    assert (bad.status_code, bad.json_body["code"], bad.json_body.get("field")) == (400, "field_too_long",
                                                                                    "slots[0].resource")


@contextmanager
def _dynamodb_requests():
    """Every DynamoDB request a page makes, as (operation, table or index); not the test harness's event
    consumer, which runs around every request (in AWS the stream invokes it on its own)."""
    import botocore.client

    seen: list[tuple[str, str]] = []
    prefix = ports().settings.table_prefix
    original = botocore.client.BaseClient._make_api_call

    def counted(self, operation, params):  # noqa: ANN001
        if self.meta.service_model.service_name == "dynamodb" and operation != "DescribeTable":  # the test's consumer
            table = params.get("TableName") or ",".join(params.get("RequestItems", {}))
            seen.append((operation, params.get("IndexName") or table.removeprefix(f"{prefix}-")))
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield seen
    finally:
        botocore.client.BaseClient._make_api_call = original


def test_a_day_page_costs_one_query_for_its_slots_and_one_batch_for_its_names(region):
    # Given a day with 24 times and 12 of them booked by the staff tool for different people
    day = on_working_day(4, 0).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=8)
    _publish(region, day, [(f"r{n}", "sjukskoterska", start + timedelta(minutes=30 * (n % 12)), 30,
                            "Eva Nilsson" if n < 12 else "Nora Ny") for n in range(24)])  # fmt: skip
    people = ["anna", "karin", "elsa", "olle", "maja", "ali", "gunnar", "per", "anna", "karin", "ali", "olle"]
    for n, sub in enumerate(people):
        booking.book(ports(), _citizen(region, sub), f"{VC}/r{2 * n}", clock.utc_now())
    eva = _staff(region, "eva")
    eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")  # warm: the session is fresh either way
    with _dynamodb_requests() as seen:
        page = eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")
    counted = collections.Counter(seen)
    print(f"\nTidbok day page, 24 times, 12 booked: {len(seen)} DynamoDB requests: {dict(counted)}")
    assert page.count('href="/staff/visits/') == 12
    assert "Skyddad identitet" in page and "Maja Berg" not in page  # protected identity: no name in the grid
    # Then the slots are one Query on the by-unit index, the names one BatchGetItem, the reads logged in
    # one BatchWriteItem; no Scan, no look-up per booking
    assert counted[("Query", "by-unit")] == 1
    assert not any(op == "Scan" for op, _ in seen)
    assert counted[("Query", "by-booking")] == 0 and not any(op == "GetItem" and t == "bookings" for op, t in seen)
    assert sum(1 for op, _ in seen if op == "BatchGetItem") <= 2  # the register's names (and the unit)
    assert sum(1 for op, _ in seen if op == "BatchWriteItem") == 1
    assert len(seen) <= 8, seen
    with _dynamodb_requests() as seen:
        eva.page(f"/staff/bookings/week?unit={VC}&day={day.isoformat()}")
    print(f"Tidbok week page: {len(seen)} DynamoDB requests: {dict(collections.Counter(seen))}")
    assert collections.Counter(seen)[("Query", "by-unit")] == 1 and len(seen) <= 5, seen


def test_a_time_booked_before_slots_said_whose_they_are_still_shows_who(region):
    # Given Anna's booking on a slot written before slots kept their holder (as older data is)
    from chalicelib.adapters.tables import SlotRecord

    day = on_working_day(3, 0).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=11)
    _publish(region, day, [("old1", "sjukskoterska", start, 30, None)])
    anna = _logged_in(region, "anna")
    booking_id = _booking_id(_book_in_browser(anna, f"{VC}/old1"))
    SlotRecord(f"{VC}/old1").update(actions=[SlotRecord.citizen_id.remove()])
    assert ports().slots.get(f"{VC}/old1").citizen_id is None
    # When Eva opens the day, then Anna's booking is shown and logged as before (one look-up for it)
    eva = _staff(region, "eva")
    with _dynamodb_requests() as seen:
        page = eva.page(f"/staff/bookings?unit={VC}&day={day.isoformat()}")
    grid = _grid(page)
    assert "Anna Andersson" in _cell(grid, "11:00", "Ej angiven")[0]
    assert collections.Counter(seen)[("Query", "by-booking")] == 1
    log = ports().access_log.of_citizen(_citizen(region, "anna").citizen_id)
    assert [(e.what, e.item_id) for e in log] == [("booking", booking_id)]
    # And a move or cancel afterwards leaves the slots consistent: the freed slot holds no one
    cancelled = _staff_post(eva, f"/staff/bookings/{booking_id}/cancel", {"unit": VC, "day": day.isoformat()})
    assert cancelled.status_code == 303 and ports().slots.get(f"{VC}/old1").free
