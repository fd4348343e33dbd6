"""Pages cost O(page), not O(history): every list page makes the same DynamoDB requests with 400
items of history (1,000 slots) as with 10, and reads no more than a page's worth of items more.
The scenario is bench/page_costs.py (`make bench` prints the same figures side by side)."""

from __future__ import annotations

import re

from bench import page_costs
from chalicelib.bootstrap import ports
from chalicelib.domain import clock

# A page shows at most this many items of one list (the lab's pages hold 100 orders); a week of free
# times is the one page that reads a span of time rather than a count (the unit's slots those 7 days).
PAGE_ITEMS = 60
MORE_AT_MOST = {"lab: kit orders to ship": 101,
                "free times, the week's days": page_costs.SLOTS_LARGE * 7 // (page_costs.SLOT_DAYS - 2) + 10}


def test_list_pages_make_the_same_requests_with_400_items_as_with_10(region):
    # Given Anna, the health centre and the STI clinic with a short history, then a long one
    small, large = page_costs.grow_and_measure(region.client, region.integration_key, ports(), clock.utc_now())
    # Then every page makes exactly the same requests
    assert {what: dict(cost.calls) for what, cost in large.items()} == \
           {what: dict(cost.calls) for what, cost in small.items()}  # fmt: skip
    # And reads at most a page more, not the history
    for what in small:
        bound = MORE_AT_MOST.get(what, PAGE_ITEMS)
        assert large[what].items - small[what].items <= bound, (what, small[what].items, large[what].items)
    # And no page reads a list whole: no Scan, and no Query without a page's limit
    assert not any("Scan" in cost.calls for cost in large.values())
    # And the start page's overview, at that cost, is whole: the next three times she keeps (every
    # fourth was cancelled), the newest three of the unread (400, less one thread the page costs read),
    # three open invitations, three cases waiting
    assert {"start page (the overview)", "start page, JSON API"} <= set(large)
    anna = region.browser()
    anna.login("anna")
    start = anna.get("/api/v1/start").json_body
    assert start["unread"] > page_costs.LARGE - 60 and len(start["unread_newest"]) == 3
    assert [b["booking_id"] for b in start["next_bookings"]] == ["bench-b00000", "bench-b00001", "bench-b00002"]
    assert [i["invitation_id"] for i in start["invitations"]] == ["bench-i00000", "bench-i00004", "bench-i00008"]
    assert len(start["cases_waiting"]) == 3 and {c["waits_for"] for c in start["cases_waiting"]} == {"answer"}


def test_a_bad_cursor_is_a_400_with_a_code_never_a_500(region):
    anna = region.browser()
    anna.login("anna")
    for path in ("/api/v1/inbox", "/api/v1/bookings", "/api/v1/access-log",
                 "/api/v1/booking-units/SE2321000099-VC01/visit-types/sjukskoterska/slots"):  # fmt: skip
        for cursor in ("x", "eyJhIjoiYiJ9.0000", "a.b.c", "a" * 3000):
            answer = anna.get(f"{path}?cursor={cursor}")
            assert answer.status_code == 400 and answer.json_body["code"] == "cursor_invalid", (path, cursor)
    for page in ("/inbox", "/bookings", "/cases", "/self-tests", "/access-log"):
        answer = anna.get(f"{page}?cursor=forged.0123")
        assert answer.status_code == 400, page


def test_a_cursor_continues_only_the_list_and_person_it_came_from(region):
    anna, karin = region.browser(), region.browser()
    anna.login("anna")
    karin.login("karin")
    page_costs.seed(ports(), clock.utc_now(), 0, 45)
    first = anna.get("/api/v1/inbox").json_body
    assert len(first["threads"]) >= 1 and first["next_cursor"]
    second = anna.get(f"/api/v1/inbox?cursor={first['next_cursor']}").json_body
    shown = [m["message_id"] for t in first["threads"] + second["threads"] for m in t["messages"]]
    assert len(shown) == len(set(shown)) == 40  # two pages of twenty, none twice
    # Another person's inbox, or another list, does not take it
    assert karin.get(f"/api/v1/inbox?cursor={first['next_cursor']}").status_code == 400
    assert anna.get(f"/api/v1/access-log?cursor={first['next_cursor']}").status_code == 400
    # Without JavaScript: the page links to the next one
    page = anna.page("/inbox")
    link = re.search(r'href="(/inbox\?cursor=[^"]+)" rel="next"', page)
    assert link and "Visa fler" in page
    assert anna.page(link[1].replace("&amp;", "&")).count('class="thread') >= 1


def test_a_page_that_ends_exactly_where_the_list_does(region):
    # Given two upcoming bookings: the start page asks for three (and reads two), the list for twenty
    page_costs.seed(ports(), clock.utc_now(), 0, 2)
    anna = region.browser()
    anna.login("anna")
    assert "Nästa:" in anna.page("/")
    listed = anna.get("/api/v1/bookings").json_body
    assert len(listed["bookings"]) == 2 and listed["next_cursor"] is None
