"""Usage statistics (issue 22): counted from the events by their follow-up, once per event however
often the stream delivers it, in the Stockholm month, for the unit and the region; shown on the staff
statistics page (table, SVG charts) and as CSV, to a unit's local admin and the regional admin only."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timezone

from chalicelib.api.staff_statistics_pages import CHARTS
from chalicelib.adapters import events
from chalicelib.adapters.tables import UsageCountRecord
from chalicelib.bootstrap import ports
from chalicelib.domain import usage
from chalicelib.domain.events import Kind, event
from chalicelib.services import usage as usage_service
from tests.integration.test_booking import VC, _at, _book_in_browser, _booking_id, _day, _logged_in, _publish, _staff

UTC = timezone.utc


def _figures(owner: str, month: str) -> dict[str, int]:
    return {k.split("#", 1)[1]: v for k, v in ports().usage.figures(owner, month, month).items()}


def _this_month() -> str:
    return usage.month_of(datetime.now(UTC))


def test_a_booking_a_rebooking_and_a_cancellation_through_the_pages_count_once_each(region):
    # Given two times to book and one to move to
    day = _day(6)
    _publish(region, [("u1", "sjukskoterska", _at(day, 9)), ("u2", "sjukskoterska", _at(day, 10)),
                      ("u3", "sjukskoterska", _at(day, 11))])  # fmt: skip
    month = _this_month()
    before_unit, before_region = _figures(f"unit#{VC}", month), _figures("region", month)
    anna = _logged_in(region, "anna")
    # When Anna books u1 and moves it to u2, and books u3 and cancels it, in the browser
    first = _booking_id(_book_in_browser(anna, f"{VC}/u1"))
    assert anna.post_form(f"/bookings/{first}/rebook", {"csrf_token": anna.csrf_token(),
                                                        "slot": f"{VC}/u2"}).status_code == 303  # fmt: skip
    second = _booking_id(_book_in_browser(anna, f"{VC}/u3"))
    assert anna.post_form(f"/bookings/{second}/cancel", {"csrf_token": anna.csrf_token()}).status_code == 303
    region.follow_up()
    region.follow_up()  # nothing new: counted once
    # Then the unit and the region each count two bookings, one rebooking, one cancellation this month
    for owner, before in ((f"unit#{VC}", before_unit), ("region", before_region)):
        after = _figures(owner, month)
        assert after.get(usage.BOOKED, 0) - before.get(usage.BOOKED, 0) == 2
        assert after.get(usage.REBOOKED, 0) - before.get(usage.REBOOKED, 0) == 1
        assert after.get(usage.CANCELLED, 0) - before.get(usage.CANCELLED, 0) == 1
    # and her login counted for the region (a citizen.logged_in event, ids only)
    assert _figures("region", month).get(usage.LOGINS, 0) >= 1
    assert f"unit#{VC}" not in {c for c in _figures(f"unit#{VC}", month) if c == usage.LOGINS}


def test_a_redelivered_batch_counts_nothing_twice(region):
    # Given a batch of events counted once
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    batch = [event(Kind.KIT_ORDERED, f"kit_order#{n}", at, order_id=str(n)) for n in range(150)]
    usage_service.count(ports(), batch)
    assert _figures("region", "2026-03")[usage.SELF_TESTS_ORDERED] == 150
    # When the stream delivers it again, and then a batch that mixes old and new events
    usage_service.count(ports(), batch)
    newer = [event(Kind.KIT_ORDERED, f"kit_order#n{n}", at, order_id=f"n{n}") for n in range(30)]
    usage_service.count(ports(), batch[100:140] + newer + batch[:10])
    # Then each event counted once
    assert _figures("region", "2026-03")[usage.SELF_TESTS_ORDERED] == 180


def _stream_record(sequence: int, happened) -> dict:  # noqa: ANN001
    """The event as the events table's stream hands it to the consumer (Lambda's raw shape)."""
    from boto3.dynamodb.types import TypeSerializer
    from pynamodb.attributes import UTCDateTimeAttribute

    image = {"stream_key": happened.stream_key, "event_id": happened.event_id, "kind": happened.kind.value,
             "occurred_at": UTCDateTimeAttribute().serialize(happened.occurred_at), "data": dict(happened.data)}
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(sequence),
                                                "NewImage": {k: TypeSerializer().serialize(v) for k, v in image.items()}}}


def test_a_stream_batch_delivered_again_through_the_consumer_counts_nothing_twice(region):
    from chalicelib.services import follow_ups

    # Given a stream batch of 120 self-test orders and lab results, followed up once
    at = datetime(2026, 4, 2, 12, tzinfo=UTC)
    happened = [event(Kind.KIT_ORDERED, f"kit_order#r{n}", at, order_id=f"r{n}") for n in range(100)]
    happened += [event(Kind.LAB_RESULT_POSTED, f"kit_order#s{n}", at, order_id=f"s{n}") for n in range(20)]
    batch = {"Records": [_stream_record(n, e) for n, e in enumerate(happened)]}
    assert follow_ups.consume(ports(), batch) == {"batchItemFailures": []}  # a result whose order is gone: no note
    # When the stream delivers the same batch again (a retry after a timeout)
    assert follow_ups.consume(ports(), batch) == {"batchItemFailures": []}
    # Then each event counted once
    figures = _figures("region", "2026-04")
    assert figures[usage.SELF_TESTS_ORDERED] == 100 and figures[usage.SELF_TEST_RESULTS] == 20


def test_the_last_second_of_october_counts_in_october_and_the_next_in_november(region):
    # Given two messages from the unit, at 23:59:59 on 31 October Stockholm time and a second later
    last_second = datetime(2025, 10, 31, 22, 59, 59, tzinfo=UTC)  # 23:59:59 CET
    next_second = datetime(2025, 10, 31, 23, 0, 0, tzinfo=UTC)  # 00:00:00 on 1 November
    for at in (last_second, next_second):
        events.commit(event(Kind.KIT_ORDERED, f"kit_order#{uuid.uuid4()}", at, order_id="x"))
        events.commit(event(Kind.MESSAGE_DELIVERED, f"inbox#boundary-{uuid.uuid4()}", at, message_id=str(uuid.uuid4()),
                            citizen_id="nobody", unit_hsa_id=VC))  # fmt: skip
    # When the event consumer follows them up
    region.follow_up()
    # Then each counts in its own Stockholm month
    assert _figures(f"unit#{VC}", "2025-10")[usage.MESSAGES] == 1
    assert _figures(f"unit#{VC}", "2025-11")[usage.MESSAGES] == 1
    assert _figures("region", "2025-10")[usage.SELF_TESTS_ORDERED] == 1
    assert _figures("region", "2025-11")[usage.SELF_TESTS_ORDERED] == 1


def _counted_messages(region, at: datetime, n: int) -> None:
    for _ in range(n):
        events.commit(event(Kind.MESSAGE_DELIVERED, f"inbox#page-{uuid.uuid4()}", at, message_id=str(uuid.uuid4()),
                            citizen_id="nobody", unit_hsa_id=VC))  # fmt: skip
    region.follow_up()


def test_the_page_shows_the_unit_s_figures_and_the_csv_has_the_same(region):
    # Given three messages from the unit in this month
    now = datetime.now(UTC)
    month = usage.month_of(now)
    before = _figures(f"unit#{VC}", month).get(usage.MESSAGES, 0)
    _counted_messages(region, now, 3)
    # When Johan (the unit's local admin) opens the statistics page
    johan = _staff(region, "johan")
    page = johan.get(f"/staff/statistics?unit={VC}")
    html = page.body.decode()
    # Then the table shows them in this month's column, with SVG charts that name their title
    assert page.status_code == 200
    assert "Användningsstatistik" in html and f"<th scope=\"col\">{month}</th>" in html
    row = re.search(r"<th scope=\"row\">Meddelanden till invånare</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td>(\d+)</td>", row)[-1] == str(before + 3)
    assert html.count('<svg viewBox="0 0 320 180" role="img"') == len(CHARTS) and "<title id=\"chart-messages-title\">" in html
    # and the CSV has the same number, with Swedish headers and a file name
    answer = johan.get(f"/staff/statistics.csv?unit={VC}")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(r'attachment; filename="statistik-SE2321000099-VC01-\d{4}-\d{2}-\d{4}-\d{2}\.csv"',
                    answer.headers["Content-Disposition"])  # fmt: skip
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Uppgift" and rows[0][-1] == month
    assert next(r for r in rows if r[0] == "Meddelanden till invånare")[-1] == str(before + 3)
    # and in English the headers are English
    english = johan.get("/language?lang=en&next=/staff")
    assert english.status_code in (302, 303)
    answer = johan.get(f"/staff/statistics.csv?unit={VC}")
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Figure" and any(r[0] == "Messages to citizens" for r in rows)


def test_the_region_s_admin_sees_the_region_a_nurse_and_another_unit_s_admin_do_not(region):
    _counted_messages(region, datetime.now(UTC), 1)
    rut = _staff(region, "rut")
    page = rut.get("/staff/statistics?unit=region")
    assert page.status_code == 200 and "Meddelanden till invånare" in page.body.decode()
    assert rut.get(f"/staff/statistics?unit={VC}").status_code == 200  # every unit too
    eva = _staff(region, "eva")  # a nurse: no local admin role
    assert eva.get("/staff/statistics").status_code == 403
    assert eva.get(f"/staff/statistics.csv?unit={VC}").status_code == 403
    lisa = _staff(region, "lisa")  # another unit's admin
    assert lisa.get(f"/staff/statistics?unit={VC}").status_code == 403
    assert lisa.get("/staff/statistics?unit=region").status_code == 403
    # a month typed wrong is said beside the field, nothing else happens
    bad = rut.get("/staff/statistics?unit=region&from=2026-13")
    assert bad.status_code == 400 and "Ange en månad som åååå-mm." in bad.body.decode()


def test_the_counter_table_holds_no_personal_data(region):
    day = _day(6)
    _publish(region, [("p1", "sjukskoterska", _at(day, 13))])
    anna = _logged_in(region, "anna")
    _book_in_browser(anna, f"{VC}/p1")
    region.follow_up()
    items = list(UsageCountRecord.scan())  # a test may read the whole table; no request path does
    assert items
    person = region.people["anna"]
    for item in items:
        text = f"{item.owner} {item.counter}"
        assert re.fullmatch(r"(unit#SE[0-9A-Z-]+|region|event#[0-9a-f-]{36})", item.owner), text
        assert re.fullmatch(r"(\d{4}-\d{2}#[a-z_]+(#[\w:-]+)?|counted)", item.counter), text
        assert person.personnummer not in text and "anna" not in text.lower()
        assert set(item.attribute_values) <= {"owner", "counter", "value", "expires_at"}


def test_released_summonses_count_on_the_channel_their_sending_chose(region):
    from chalicelib.services import summons
    from tests.integration.test_summons import KA, _book, _evening
    from tests.integration.test_summons import _logged_in as _citizen_in

    # Given Anna (account, digital first: inbox only), Karin (account: inbox and paper) and Gunnar (no
    # account: paper), each summoned by the care system
    anna = _citizen_in(region, "anna")
    anna.post_form("/settings", {"csrf_token": anna.csrf_token(), "digital_first": "yes", "language": "sv"})
    _citizen_in(region, "karin")
    for sub in ("anna", "karin", "gunnar"):
        _book(region, sub, f"usage-sum-{sub}")
    evening = _evening()
    month = usage.month_of(evening)
    before = _figures(f"unit#{KA}", month)
    # When the evening's release goes out and its follow-ups run, twice over
    assert summons.release_due(ports(), evening).released == 3
    region.follow_up()
    region.follow_up()
    # Then one counts as digital and two as paper, for the unit and the region
    after = _figures(f"unit#{KA}", month)
    assert after.get(usage.SUMMONS_DIGITAL, 0) - before.get(usage.SUMMONS_DIGITAL, 0) == 1
    assert after.get(usage.SUMMONS_PAPER, 0) - before.get(usage.SUMMONS_PAPER, 0) == 2
    assert _figures("region", month).get(usage.SUMMONS_PAPER, 0) >= 2


def test_cases_are_shown_per_case_type_by_name(region):
    # Given two cases of "Förnya recept" and one of another unit's in May 2026
    at = datetime(2026, 5, 12, 8, tzinfo=UTC)
    for unit in (VC, VC, "SE2321000099-HS01"):
        case_id = str(uuid.uuid4())
        events.commit(event(Kind.CASE_SENT, f"case#{case_id}", at, case_id=case_id, door="citizen",
                            unit_hsa_id=unit, case_type_id="fornya-recept"))  # fmt: skip
    region.follow_up()
    # When Johan looks at his unit's May, and Rut at the region's
    johan, rut = _staff(region, "johan"), _staff(region, "rut")
    unit_page = johan.get(f"/staff/statistics?unit={VC}&from=2026-05&to=2026-05").body.decode()
    region_page = rut.get("/staff/statistics?unit=region&from=2026-05&to=2026-05").body.decode()
    # Then the case type has its own row, by name, under all cases
    assert re.search(r"Ärendetyp: </span>Förnya recept</th><td>2</td>", unit_page)
    assert re.search(r"Ärendetyp: </span>Förnya recept</th><td>3</td>", region_page)
    # and a range the wrong way round is said beside the field
    wrong = johan.get(f"/staff/statistics?unit={VC}&from=2026-06&to=2026-05")
    assert wrong.status_code == 400 and "Första månaden får inte vara efter den sista." in wrong.body.decode()
