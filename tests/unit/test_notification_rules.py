"""SMS only 08:00–21:00 Stockholm time (DST included), 15-minute coalescing, and texts that say
nothing but that something new is waiting."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.notifications import (
    Channel,
    earliest_send_time,
    needs_new_notification,
)
from chalicelib.services.notifications import email_text, sms_text

UTC = timezone.utc


def stockholm(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM).astimezone(UTC)


@pytest.mark.parametrize(
    ("local", "expected_local"),
    [
        ((2026, 11, 22, 20, 59), (2026, 11, 22, 20, 59)),  # still open
        ((2026, 11, 22, 21, 0), (2026, 11, 23, 8, 0)),  # closed: next morning
        ((2026, 11, 23, 7, 59), (2026, 11, 23, 8, 0)),  # before opening: this morning
        ((2026, 11, 23, 8, 0), (2026, 11, 23, 8, 0)),
        ((2026, 11, 22, 23, 59), (2026, 11, 23, 8, 0)),
        ((2026, 11, 23, 0, 0), (2026, 11, 23, 8, 0)),  # midnight
        # The night DST starts (29 March 2026, 02:00 -> 03:00) and ends (25 October 2026, 03:00 -> 02:00)
        ((2026, 3, 28, 21, 30), (2026, 3, 29, 8, 0)),
        ((2026, 3, 29, 20, 59), (2026, 3, 29, 20, 59)),
        ((2026, 10, 24, 22, 0), (2026, 10, 25, 8, 0)),
        ((2026, 10, 25, 21, 0), (2026, 10, 26, 8, 0)),
    ],
)
def test_sms_wait_for_the_0800_to_2100_window_in_stockholm(local, expected_local):
    sent = earliest_send_time(Channel.SMS, stockholm(*local))
    assert sent == stockholm(*expected_local)


def test_0800_after_the_dst_changes_is_0800_local_not_utc():
    assert earliest_send_time(Channel.SMS, stockholm(2026, 3, 29, 1, 0)) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    assert earliest_send_time(Channel.SMS, stockholm(2026, 10, 25, 1, 0)) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)


def test_email_goes_at_once_day_or_night():
    night = stockholm(2026, 11, 22, 23, 30)
    assert earliest_send_time(Channel.EMAIL, night) == night


def test_items_within_15_minutes_give_one_notification():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert needs_new_notification(None, False, now)
    assert not needs_new_notification(now - timedelta(minutes=14, seconds=59), False, now)
    assert needs_new_notification(now - timedelta(minutes=15), False, now)
    assert not needs_new_notification(None, True, now)  # one is already waiting (e.g. an SMS until 08:00)


def test_the_texts_name_no_clinic_subject_or_person():
    subject, body = email_text("Region Demo", "https://e.regiondemo.se/", "sv")
    sms = sms_text("Region Demo", "https://e.regiondemo.se/", "sv")
    for text in (subject, body, sms):
        assert "inkorg" in text and "Region Demo" in text
        for forbidden in ("Vårdcentral", "provsvar", "Provsvar", "Anna", "klamydia", "diagnos"):
            assert forbidden not in text
    assert "https://e.regiondemo.se/" in body and "https://e.regiondemo.se/" in sms
    assert len(sms) <= 160  # one SMS segment
    english = email_text("Region Demo", "https://e.regiondemo.se/", "en")
    assert english[0] == "New in your inbox – Region Demo e-services" and "Log in to read it" in english[1]
    assert "inbox" in sms_text("Region Demo", "https://x/", "en")
    assert len(sms_text("Region Demo", "https://e.regiondemo.se/", "en")) <= 160


def test_each_worker_sends_its_share_of_the_regions_rate_in_chunks_of_about_twenty_seconds():
    from chalicelib.domain.notifications import chunk_size, per_worker_rate

    assert per_worker_rate(14, 2) == 7 and chunk_size(7) == 50  # 140 in twenty seconds: at most 50 a chunk
    assert chunk_size(per_worker_rate(4, 2)) == 40
    assert chunk_size(per_worker_rate(1, 2)) == 10
    assert chunk_size(0.01) == 1


def test_the_pacer_spaces_sends_and_the_first_goes_at_once():
    from chalicelib.domain.notifications import Pacer

    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(4.0, lambda: now[0], sleep)
    pacer.wait()
    now[0] += 0.1  # the send itself took a tenth of a second
    pacer.wait()
    now[0] += 0.5  # slower than the rate: no wait
    pacer.wait()
    assert slept == [pytest.approx(0.15)]
