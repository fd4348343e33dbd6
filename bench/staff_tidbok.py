"""The staff tool's Tidbok: DynamoDB requests for a day's grid with 40 times, half of them booked by
different people, for the week's grid and for the move page (`python -m bench.staff_tidbok`, also run by
`make bench`). A page should cost the session (GetItem), the staff member's roles (Query), the units,
one Query for the slots and, for the day, one BatchGetItem for the names and one BatchWriteItem for
the access log — nothing per booking."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

UNIT = "SE2321000099-VC01"
TIMES, RESOURCES = 40, ("Eva Nilsson", "Nora Ny")


def seed_day(ports, today) -> tuple:  # noqa: ANN001
    """A working day ahead with 40 half-hour times for two nurses, every other one booked by the staff tool
    for a different person (register entries of their own)."""
    from chalicelib.domain.booking import STAFF, Slot, Visibility
    from chalicelib.domain.case_due import is_working_day
    from chalicelib.domain.clock import STOCKHOLM, utc_now
    from chalicelib.domain.people import PersonUpdate
    from chalicelib.domain.personnummer import parse, with_check_digit
    from chalicelib.domain.roles import RoleAtUnit, StaffRole
    from chalicelib.services import booking_staff
    from chalicelib.services.principals import StaffPrincipal

    day = today + timedelta(days=3)
    while not is_working_day(day):
        day += timedelta(days=1)
    for n in range(TIMES):
        start = datetime.combine(day, time(8, 0), tzinfo=STOCKHOLM) + timedelta(minutes=30 * (n // 2))
        ports.slots.publish(Slot(f"{UNIT}/bench-{n}", UNIT, "sjukskoterska", start.astimezone(timezone.utc),
                                 (start + timedelta(minutes=30)).astimezone(timezone.utc), "Mottagningen", "Sjuksköterska",
                                 Visibility.WEB, source=STAFF, resource=RESOURCES[n % 2]))  # fmt: skip
    nurse = StaffPrincipal("SE2321000099-P001", "Eva Nilsson", (RoleAtUnit(UNIT, StaffRole.CASE_RECEIVER),), "x")
    booked = []
    for n in range(0, TIMES, 2):
        pnr = with_check_digit(datetime(1970, 1, 1).date() + timedelta(days=n), f"{500 + n:03d}")
        ports.register.upsert(PersonUpdate(parse(pnr, today), "Bench", f"Person {n}", False, None))
        booked.append(booking_staff.book_for_citizen(ports, nurse, f"{UNIT}/bench-{n}", pnr, utc_now()).booking_id)
    return day, booked


def tidbok_calls(client) -> None:  # noqa: ANN001
    """Prints DynamoDB requests per Tidbok page (Region Demo loaded, `client` a chalice.test.Client)."""
    from bench.__main__ import _describe, counting_dynamodb_calls
    from chalicelib.bootstrap import ports
    from chalicelib.domain.clock import stockholm_date, utc_now
    from tests.integration.harness import Browser

    day, booked = seed_day(ports(), stockholm_date(utc_now()))
    staff = Browser(client)
    staff.login("eva", "staff")
    print(f"Tidbok, {TIMES} times on one day for {len(RESOURCES)} nurses, {len(booked)} booked (DynamoDB requests):")
    for label, path in (("day grid", f"/staff/bookings?unit={UNIT}&day={day.isoformat()}"),
                        ("week grid", f"/staff/bookings/week?unit={UNIT}&day={day.isoformat()}"),
                        ("move page, one week", f"/staff/bookings/{booked[0]}/move"),
                        ("a free time's page", f"/staff/bookings/book?slot={UNIT}/bench-1")):  # fmt: skip
        with counting_dynamodb_calls() as calls:
            staff.page(path)
        print(f"  {label:<34} {_describe(calls)}")


def main() -> None:
    from bench.region import demo_region

    with demo_region() as (client, key):
        tidbok_calls(client)


if __name__ == "__main__":
    main()
