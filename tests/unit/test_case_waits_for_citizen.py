"""When a case waits for the citizen (väntar på dig, the start page's list): care asked and they have
not answered, or care wrote and they have not read it (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.cases import CitizenWaits, Status, citizen_waits, unread_by_citizen

WROTE = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc)


def test_a_case_she_sent_waits_for_care_not_for_her():
    assert citizen_waits(Status.NEW, None, None) is None
    assert citizen_waits(Status.IN_PROGRESS, None, None) is None


@pytest.mark.parametrize("read", [None, WROTE - timedelta(minutes=1), WROTE, WROTE + timedelta(days=1)])
def test_a_question_from_care_waits_for_her_answer_whether_she_has_read_it_or_not(read):
    assert citizen_waits(Status.WAITING_FOR_CITIZEN, WROTE, read) is CitizenWaits.ANSWER


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.CLOSED])
def test_an_answer_she_has_not_read_waits_until_she_reads_it(status):
    assert citizen_waits(status, WROTE, None) is CitizenWaits.READ
    assert citizen_waits(status, WROTE, WROTE - timedelta(seconds=1)) is CitizenWaits.READ  # read the one before
    assert citizen_waits(status, WROTE, WROTE) is None
    assert citizen_waits(status, WROTE, WROTE + timedelta(minutes=5)) is None


def test_unread_means_care_wrote_after_she_last_opened_it():
    assert not unread_by_citizen(None, None)
    assert not unread_by_citizen(None, WROTE)
    assert unread_by_citizen(WROTE, None)
    assert unread_by_citizen(WROTE, WROTE - timedelta(microseconds=1))
    assert not unread_by_citizen(WROTE, WROTE)
