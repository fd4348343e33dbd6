"""Usage statistics' rules (domain/usage.py): which event counts where, and in which Stockholm month."""

from datetime import date, datetime, timezone

from chalicelib.domain import usage
from chalicelib.domain.events import Kind, event
from chalicelib.services.follow_ups import FOLLOW_UPS, TAKE_MANY
from chalicelib.services import usage as usage_service

UTC = timezone.utc


def test_the_month_is_stockholm_s_across_midnight_in_winter_and_summer_time():
    # Given 31 October (winter time, UTC+1) and 31 July (summer time, UTC+2)
    # Then the last second of the Stockholm month is in it, and the next one is in the next month
    assert usage.month_of(datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC)) == "2026-10"
    assert usage.month_of(datetime(2026, 10, 31, 23, 0, 0, tzinfo=UTC)) == "2026-11"
    assert usage.month_of(datetime(2026, 7, 31, 21, 59, 59, tzinfo=UTC)) == "2026-07"
    assert usage.month_of(datetime(2026, 7, 31, 22, 0, 0, tzinfo=UTC)) == "2026-08"


def test_new_year_s_eve_is_december_until_stockholm_midnight():
    assert usage.month_of(datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)) == "2026-12"
    assert usage.month_of(datetime(2026, 12, 31, 23, 0, 0, tzinfo=UTC)) == "2027-01"


def test_the_day_daylight_saving_ends_keeps_its_month():
    # 25 October 2026 is the night clocks go back: 00:30 UTC is 02:30 Stockholm, still October
    assert usage.month_of(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10"
    # 1 April after the change to summer time: 22:30 UTC on 31 March is 00:30 on 1 April
    assert usage.month_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "2026-04"


def test_a_booking_counts_for_its_unit_and_the_region():
    at = datetime(2026, 5, 10, 10, tzinfo=UTC)
    for kind, counter in ((Kind.BOOKING_BOOKED, usage.BOOKED), (Kind.BOOKING_CANCELLED, usage.CANCELLED),
                          (Kind.BOOKING_MOVED, usage.REBOOKED)):  # fmt: skip
        counted = usage.counts(event(kind, "booking#b1", at, booking_id="b1", unit_hsa_id="SE-UNIT-1"))
        assert [c.keys() for c in counted] == [[("unit#SE-UNIT-1", f"2026-05#{counter}"), ("region", f"2026-05#{counter}")]]


def test_a_case_counts_in_all_cases_and_in_its_case_type():
    sent = event(Kind.CASE_SENT, "case#c1", datetime(2026, 5, 10, tzinfo=UTC), case_id="c1", unit_hsa_id="U",
                 case_type_id="ct-1")  # fmt: skip
    assert usage.added(usage.counts(sent)) == {("unit#U", "2026-05#cases"): 1, ("region", "2026-05#cases"): 1,
                                               ("unit#U", "2026-05#cases#ct-1"): 1, ("region", "2026-05#cases#ct-1"): 1}


def test_a_login_and_a_self_test_count_for_the_region_only():
    at = datetime(2026, 5, 10, tzinfo=UTC)
    assert [c.owners for c in usage.counts(event(Kind.CITIZEN_LOGGED_IN, "login#p", at))] == [("region",)]
    assert [c.counter for c in usage.counts(event(Kind.KIT_ORDERED, "kit_order#k", at, order_id="k"))] == [
        usage.SELF_TESTS_ORDERED]


def test_a_released_summons_counts_on_the_channel_it_went_by_and_not_at_all_if_not_sent():
    released = event(Kind.SUMMONS_RELEASED, "booking#a", datetime(2026, 5, 10, tzinfo=UTC), booking_id="a",
                     version="1", unit_hsa_id="U")  # fmt: skip
    assert [c.counter for c in usage.counts(released, summons_paper=True)] == [usage.SUMMONS_PAPER]
    assert [c.counter for c in usage.counts(released, summons_paper=False)] == [usage.SUMMONS_DIGITAL]
    assert usage.counts(released, summons_paper=None) == []


def test_kinds_not_counted_count_nothing():
    assert usage.counts(event(Kind.CASE_TAKEN, "case#c", datetime(2026, 5, 1, tzinfo=UTC), case_id="c")) == []


def test_many_events_add_up_per_counter_item():
    at = datetime(2026, 5, 10, tzinfo=UTC)
    many = [x for n in range(3) for x in usage.counts(event(Kind.MESSAGE_DELIVERED, f"inbox#{n}", at, unit_hsa_id="U"))]
    assert usage.added(many) == {("unit#U", "2026-05#messages"): 3, ("region", "2026-05#messages"): 3}


def test_every_counted_kind_is_counted_by_the_batch_follow_up():
    assert usage_service.count in TAKE_MANY
    assert {k for k, follow_ups in FOLLOW_UPS.items() if usage_service.count in follow_ups} == usage.COUNTED


def test_month_ranges_and_the_default_last_twelve_months():
    assert usage.months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert usage.months("2027-02", "2026-11") == []
    assert usage.default_range(date(2026, 11, 24)) == ("2025-12", "2026-11")
    assert usage.valid_month("2026-13") is None and usage.valid_month("26-1") is None
    assert usage.valid_month("2026-01") == "2026-01"


def test_the_table_has_a_zero_for_a_month_without_counts():
    table = usage.table(["2026-01", "2026-02"], {"2026-02#logins": 5, "2026-01#cases#ct": 2, "2025-12#logins": 9})
    assert table.row(usage.LOGINS) == [0, 5]
    assert table.case_types() == ["ct"]


def test_a_chart_fits_its_viewbox_and_its_axis_tops_at_a_round_number():
    from chalicelib.web import charts

    months = [f"{m:02d}" for m in range(1, 13)]
    chart = charts.bar_chart("bookings", "Bokningar", months, [("bokade", [0, 3, 17] + [1] * 9), ("avbokade", [2] * 12),
                                                               ("ombokade", [0] * 12)])  # fmt: skip
    assert [t.label for t in chart.ticks] == ["0", "10", "20"]  # 17 -> an axis to 20
    assert all(chart.left <= b.x and b.x + b.width <= chart.width and 0 <= b.y <= chart.base for b in chart.bars)
    assert max(b.height for b in chart.bars) < chart.base and len(chart.months) == 12
    assert len({s.colour for s in chart.series}) == 3
    # three years: every third month labelled, so the labels do not overlap at 320 wide
    assert len(charts.bar_chart("x", "X", ["01"] * 36, [("a", [0] * 36)]).months) == 12


def test_the_chart_colours_stand_out_from_the_white_page():
    from chalicelib.web import charts

    def luminance(colour: str) -> float:
        parts = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [p / 12.92 if p <= 0.03928 else ((p + 0.055) / 1.055) ** 2.4 for p in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert all(1.05 / (luminance(c) + 0.05) >= 4.5 for c in charts.COLOURS)  # 3:1 needed for graphics (1.4.11)
