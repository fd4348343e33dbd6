"""Self-testing from order to result: eligibility (the 15th birthday, registered in the region),
one open order per test and one kit per double click, shipping, each outcome's inbox text, the
40-day limit and its reminder, the follow-up list per role, and bad input."""

from __future__ import annotations

import io
import re
import threading
from datetime import date, timedelta

import pypdf
import requests

from chalicelib.bootstrap import ports
from chalicelib.domain import clock
from chalicelib.domain.people import Address, PersonUpdate
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.domain.self_tests import kit_number_mistyped
from chalicelib.services import self_tests
from chalicelib.services.integration import issue_key
from chalicelib.services.principals import CitizenPrincipal
from demo import region_demo

STI = "klamydia-gonorre"
HS = "SE2321000099-HS01"


def _logged_in(region, sub: str):
    browser = region.browser()
    browser.login(sub)
    return browser


def _order_form(browser, test_id: str = STI) -> dict[str, str]:
    page = browser.page(f"/self-tests/{test_id}")
    return {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrf_token", "submission_id")}


def _order(browser, test_id: str = STI, **fields):
    form = {**_order_form(browser, test_id), "delivery": "pickup", "pickup_point": "Apoteket Norrby, Norrbygatan 2"}
    form.update(fields)
    return browser.post_form(f"/self-tests/{test_id}", form), form


def _orders(region, sub: str) -> list:
    citizen_id = ports().identities.find(parse(region.people[sub].personnummer, region.today))
    return ports().kit_orders.of_citizen(citizen_id)


def _result(region, order_id: str, key: str, chlamydia: str = "negative", gonorrhoea: str = "negative", **extra):
    body = {"order_id": order_id, "analyses": [{"analysis": "chlamydia", "outcome": chlamydia},
                                               {"analysis": "gonorrhoea", "outcome": gonorrhoea}],
            "analysed_at": "2026-11-20T10:00:00+01:00", **extra}  # fmt: skip
    return region.integration("POST", "/integration/v1/lab-results", body, idempotency_key=key)


def _teenager(region, birth: date) -> str:
    """A person in the register born on `birth`, logged in through the test provider's claims."""
    pnr = with_check_digit(birth, "482")
    ports().register.upsert(PersonUpdate(personnummer=parse(pnr, region.today), given_name="Tove", family_name="Ung",
                                         protected_identity=False, address=Address("Skolgatan 1", "123 45", "Demostad"),
                                         guardians=()))  # fmt: skip
    return pnr


def test_the_15th_birthday_and_registration_in_the_region_decide(region):
    today = region.today
    offer = next(o for o in ports().test_catalogue.offers() if o.test_id == STI)
    covid = next(o for o in ports().test_catalogue.offers() if o.test_id == "covid-pcr")
    fifteen_today = date(today.year - 15, today.month, today.day) if not (today.month == 2 and today.day == 29) \
        else date(today.year - 15, 3, 1)  # fmt: skip
    for birth, refused in ((fifteen_today, None), (fifteen_today + timedelta(days=1), "too_young")):
        citizen_id = ports().identities.find_or_create(parse(_teenager(region, birth), today))
        principal = CitizenPrincipal(citizen_id, "Tove", None, None, "x")
        views = {v.offer.test_id: v for v in self_tests.catalogue(ports(), principal, clock.utc_now())}
        assert (views[offer.test_id].refusal is None) == (refused is None)
        assert views[covid.test_id].refusal is None  # covid has no age limit
    newcomer = CitizenPrincipal("not-in-register", "Ny", None, None, "x")
    newcomer_views = {v.offer.test_id: v for v in self_tests.catalogue(ports(), newcomer, clock.utc_now())}
    assert "folkbokförd i regionen" in newcomer_views[covid.test_id].refusal
    # A 14-year-old sees why in the browser and cannot order
    olle = _logged_in(region, "olle")
    assert "från 15 års ålder" in olle.page("/self-tests")
    refused = olle.post_form(f"/self-tests/{STI}", {
        "csrf_token": olle.csrf_token(), "submission_id": "sub-olle-0001", "delivery": "pickup",
        "pickup_point": "Apoteket Norrby, Norrbygatan 2"})  # fmt: skip
    assert refused.status_code == 422 and _orders(region, "olle") == []


def test_a_double_click_orders_one_kit_and_a_second_open_order_is_refused(region):
    anna = _logged_in(region, "anna")
    form = {**_order_form(anna), "delivery": "home"}
    statuses = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        barrier.wait()
        statuses.append(anna.post_form(f"/self-tests/{STI}", form).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(_orders(region, "anna")) == 1 and 303 in statuses
    assert "pågående beställning" in anna.page(f"/self-tests/{STI}")  # no order form while one is open
    again = anna.post_form(f"/self-tests/{STI}", {**form, "submission_id": "another-form-0001"})
    assert again.status_code == 409 and "redan en pågående beställning" in again.body.decode()
    assert len(_orders(region, "anna")) == 1
    (order,) = _orders(region, "anna")
    assert order.address_lines == ["Anna Andersson", region.people["anna"].address.street,
                                   f"{region.people['anna'].address.postal_code} {region.people['anna'].address.city}"]


def test_protected_identity_gets_no_home_delivery(region):
    maja = _logged_in(region, "maja")
    page = maja.page(f"/self-tests/{STI}")
    assert 'value="home"' not in page
    response, _ = _order(maja, delivery="home")
    assert response.status_code == 400 and _orders(region, "maja") == []
    assert _order(maja)[0].status_code == 303


def test_from_order_to_each_outcome_in_the_inbox(region):
    texts = {}
    for n, (sub, chlamydia, gonorrhoea) in enumerate((("anna", "negative", "negative"),
                                                      ("karin", "positive", "negative"),
                                                      ("ali", "technical_error", "negative"))):  # fmt: skip
        browser = _logged_in(region, sub)
        assert _order(browser)[0].status_code == 303
        (order,) = _orders(region, sub)
        shipped = region.integration("GET", "/integration/v1/kit-orders?status=ordered", None).json_body["orders"]
        assert order.order_id in [o["order_id"] for o in shipped]
        sent = region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": f"k-{n}"})
        assert sent.json_body["status"] == "sent"
        browser.post_form(f"/self-tests/orders/{order.order_id}/sample", {"csrf_token": browser.csrf_token()})
        received = region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/received", None)
        assert received.json_body["status"] == "received"
        assert "Mottaget av labbet" in browser.page("/self-tests")
        result = _result(region, order.order_id, f"lab-{n:04d}", chlamydia, gonorrhoea)
        assert result.status_code == 201, result.body
        message = browser.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]
        texts[sub] = (browser.get(f"/api/v1/inbox/messages/{message['message_id']}").json_body["messages"][0],
                      browser)  # fmt: skip
    negative, _ = texts["anna"]
    assert "ingen klamydia och ingen gonorré" in negative["body"] and negative["attachments"] == []
    positive, karin = texts["karin"]
    assert "sexuellt överförbar infektion" in positive["body"]
    (referral,) = positive["attachments"]
    link = karin.get(f"/api/v1/inbox/messages/{positive['message_id']}/attachments/{referral['attachment_id']}")
    pdf = pypdf.PdfReader(io.BytesIO(requests.get(link.json_body["url"], timeout=10).content))
    assert "Remiss för behandling" in pdf.pages[0].extract_text() and "klamydia" in pdf.pages[0].extract_text()
    error, _ = texts["ali"]
    assert "kunde inte analyseras" in error["body"]
    assert error["actions"] == [{"label": "Beställ ett nytt kit", "path": f"/self-tests/{STI}"}]
    # The order closed: Ali can order again at once, with last time's choice already made
    assert "Beställ test: Klamydia och gonorré" in texts["ali"][1].page("/self-tests")
    again = texts["ali"][1].page(f"/self-tests/{STI}")
    assert 'value="pickup" checked' in again and '<option value="Apoteket Norrby, Norrbygatan 2" selected>' in again


def test_a_result_again_a_result_for_an_unknown_or_resulted_order_and_bad_analyses(region):
    anna = _logged_in(region, "anna")
    _order(anna)
    (order,) = _orders(region, "anna")
    bad_shape = region.integration("POST", "/integration/v1/lab-results", {
        "order_id": order.order_id, "analyses": [{"analysis": "chlamydia", "outcome": "maybe"}]},
        idempotency_key="lab-bad-01")  # fmt: skip
    assert (bad_shape.status_code, bad_shape.json_body["code"]) == (400, "value_not_allowed")  # outside the enum
    missing = region.integration("POST", "/integration/v1/lab-results", {
        "order_id": order.order_id, "analyses": [{"analysis": "chlamydia", "outcome": "negative"}]},
        idempotency_key="lab-bad-02")  # fmt: skip
    assert missing.json_body["code"] == "analyses_invalid"
    unknown = _result(region, "no-such-order", "lab-bad-03")
    assert (unknown.status_code, unknown.json_body["code"]) == (422, "order_unknown")
    first, repeat = _result(region, order.order_id, "lab-ok-01"), _result(region, order.order_id, "lab-ok-01")
    assert first.status_code == repeat.status_code == 201 and first.json_body == repeat.json_body
    second = _result(region, order.order_id, "lab-ok-02", chlamydia="positive")
    assert (second.status_code, second.json_body["code"]) == (409, "already_resulted")
    assert len(anna.get("/api/v1/inbox").json_body["threads"][0]["messages"]) == 1
    no_scope = issue_key(ports(), system_name="X", allowed_units={HS}, scopes={"messages"}, now=clock.utc_now())
    assert region.integration("GET", "/integration/v1/kit-orders?status=ordered", None, key=no_scope).status_code == 403


def test_a_picked_up_kit_is_registered_once_by_its_number(region):
    kit, other_kit = region_demo.PICKUP_KITS[:2]
    anna = _logged_in(region, "anna")
    csrf = anna.csrf_token()
    unknown = anna.post_form("/self-test-kits", {"csrf_token": csrf, "kit_number": "KIT-9999"})
    assert unknown.status_code == 422 and "Vi hittar inget oregistrerat kit" in unknown.body.decode()
    # A typo in a region-made number is caught by its check digit, not matched to a neighbour's kit
    typo = kit[:-1] + str((int(kit[-1]) + 1) % 10)
    mistyped = anna.post_form("/self-test-kits", {"csrf_token": csrf, "kit_number": typo})
    assert mistyped.status_code == 422 and "Kontrollera att du har skrivit av det rätt" in mistyped.body.decode()
    assert _orders(region, "anna") == []
    as_typed = kit.lower().replace("-", " ")  # "kit 1234 5678 9012"
    assert anna.post_form("/self-test-kits", {"csrf_token": csrf, "kit_number": as_typed}).status_code == 303
    karin = _logged_in(region, "karin")
    taken = karin.post_form("/self-test-kits", {"csrf_token": karin.csrf_token(), "kit_number": kit})
    assert taken.status_code == 422 and _orders(region, "karin") == []
    result = region.integration("POST", "/integration/v1/lab-results", {
        "kit_number": kit, "personnummer": region.people["anna"].personnummer,
        "analyses": [{"analysis": "chlamydia", "outcome": "negative"}, {"analysis": "gonorrhoea", "outcome": "negative"}]},
        idempotency_key="lab-kit-01")  # fmt: skip
    assert result.status_code == 201 and _orders(region, "anna")[0].status == "resulted"
    # The lab cannot put a number from the pickup box on a kit it ships
    _order(karin)
    (order,) = _orders(region, "karin")
    box = region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": other_kit})
    assert (box.status_code, box.json_body["code"]) == (409, "kit_number_in_use")


def test_region_made_kit_numbers_are_not_sequential_or_guessable_from_each_other():
    # Given the numbers the region put in the pickup box
    numbers = region_demo.PICKUP_KITS
    # Then they are distinct, not consecutive, and each carries a valid check digit
    assert len(set(numbers)) == len(numbers)
    as_ints = sorted(int(n.replace("KIT-", "").replace("-", "")) for n in numbers)
    assert all(b - a > 1000 for a, b in zip(as_ints, as_ints[1:]))
    assert not any(kit_number_mistyped(n) for n in numbers)


def test_a_kit_number_is_used_once_and_its_result_reaches_only_the_person_who_ordered_it(region):
    # Given Anna's and Karin's orders, waiting to be shipped
    anna, karin = _logged_in(region, "anna"), _logged_in(region, "karin")
    _order(anna), _order(karin)
    (order_a,), (order_b,) = _orders(region, "anna"), _orders(region, "karin")
    sent_a = region.integration("POST", f"/integration/v1/kit-orders/{order_a.order_id}/sent", {"kit_number": "KG-5001"})
    assert (sent_a.status_code, sent_a.json_body["status"]) == (200, "sent")
    # When the lab puts the same number on Karin's kit
    reused = region.integration("POST", f"/integration/v1/kit-orders/{order_b.order_id}/sent", {"kit_number": "kg-5001"})
    # Then it is refused, and Karin's order still waits to be shipped, with no number
    assert (reused.status_code, reused.json_body["code"], reused.json_body["field"]) == (409, "kit_number_in_use",
                                                                                         "kit_number")
    (still_b,) = _orders(region, "karin")
    assert (still_b.status, still_b.kit_number, still_b.return_by) == ("ordered", None, None)
    waiting = region.integration("GET", "/integration/v1/kit-orders?status=ordered", None).json_body["orders"]
    assert [o["order_id"] for o in waiting] == [order_b.order_id]
    # And the same call again for Anna's kit is still fine, and changes nothing
    again = region.integration("POST", f"/integration/v1/kit-orders/{order_a.order_id}/sent", {"kit_number": "KG-5001"})
    assert (again.status_code, again.json_body["status"]) == (200, "sent")
    # Karin's kit gets its own number
    own = region.integration("POST", f"/integration/v1/kit-orders/{order_b.order_id}/sent", {"kit_number": "KG-5002"})
    assert own.status_code == 200
    # When the positive result for KG-5001 comes with Anna's personnummer
    result = region.integration("POST", "/integration/v1/lab-results", {
        "kit_number": "KG-5001", "personnummer": region.people["anna"].personnummer,
        "analyses": [{"analysis": "chlamydia", "outcome": "positive"}, {"analysis": "gonorrhoea", "outcome": "negative"}]},
        idempotency_key="lab-kg-5001")  # fmt: skip
    # Then it reaches Anna, not Karin, and only Anna is on the clinic's follow-up list
    assert (result.status_code, result.json_body["order_id"]) == (201, order_a.order_id)
    assert anna.get("/api/v1/inbox").json_body["threads"][0]["messages"][0]["subject"] == "Ditt provsvar: Klamydia och gonorré"
    assert karin.get("/api/v1/inbox").json_body["threads"] == []
    assert [e.order_id for e in ports().follow_ups.of_unit(HS)] == [order_a.order_id]
    assert _orders(region, "karin")[0].status == "sent"


def test_a_result_with_another_persons_personnummer_is_refused_and_sent_to_nobody(region):
    # Given Anna's kit KG-7001 on its way back to the lab
    anna, karin = _logged_in(region, "anna"), _logged_in(region, "karin")
    _order(anna)
    (order,) = _orders(region, "anna")
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": "KG-7001"})
    analyses = [{"analysis": "chlamydia", "outcome": "positive"}, {"analysis": "gonorrhoea", "outcome": "negative"}]
    # When the lab posts a positive result for KG-7001 with Karin's personnummer on the sample
    wrong = region.integration("POST", "/integration/v1/lab-results", {
        "kit_number": "KG-7001", "personnummer": region.people["karin"].personnummer, "analyses": analyses},
        idempotency_key="lab-mismatch-01")  # fmt: skip
    # Then it is refused, and nobody is told, and nothing is on the follow-up list
    assert (wrong.status_code, wrong.json_body["code"], wrong.json_body["field"]) == (422, "person_mismatch",
                                                                                      "personnummer")
    assert region.people["karin"].personnummer not in wrong.body.decode()
    assert anna.get("/api/v1/inbox").json_body["threads"] == []
    assert karin.get("/api/v1/inbox").json_body["threads"] == []
    assert ports().follow_ups.of_unit(HS) == []
    assert _orders(region, "anna")[0].status == "sent"
    # The same by order id, and a kit number without any personnummer, are refused too
    by_order = _result(region, order.order_id, "lab-mismatch-02", personnummer=region.people["karin"].personnummer)
    assert (by_order.status_code, by_order.json_body["code"]) == (422, "person_mismatch")
    bare = region.integration("POST", "/integration/v1/lab-results", {"kit_number": "KG-7001", "analyses": analyses},
                              idempotency_key="lab-mismatch-03")  # fmt: skip
    assert (bare.status_code, bare.json_body["code"]) == (400, "personnummer_required")
    assert anna.get("/api/v1/inbox").json_body["threads"] == []
    # When the lab corrects it, the result reaches Anna
    right = region.integration("POST", "/integration/v1/lab-results", {
        "kit_number": "KG-7001", "personnummer": region.people["anna"].personnummer, "analyses": analyses},
        idempotency_key="lab-mismatch-04")  # fmt: skip
    assert right.status_code == 201 and len(anna.get("/api/v1/inbox").json_body["threads"]) == 1


def test_the_40_day_limit_reminds_a_week_before_and_then_expires_once(region):
    anna = _logged_in(region, "anna")
    _order(anna)
    (order,) = _orders(region, "anna")
    region.integration("POST", f"/integration/v1/kit-orders/{order.order_id}/sent", {"kit_number": "k-40"})
    sent = clock.utc_now()
    assert self_tests.expire_and_remind(ports(), sent + timedelta(days=32, hours=23)) == {"reminded": 0, "expired": 0}
    assert self_tests.expire_and_remind(ports(), sent + timedelta(days=33, minutes=1)) == {"reminded": 1, "expired": 0}
    assert self_tests.expire_and_remind(ports(), sent + timedelta(days=34)) == {"reminded": 0, "expired": 0}
    assert self_tests.expire_and_remind(ports(), sent + timedelta(days=40, minutes=1)) == {"reminded": 0, "expired": 1}
    assert self_tests.expire_and_remind(ports(), sent + timedelta(days=41)) == {"reminded": 0, "expired": 0}
    subjects = [m["subject"] for m in anna.get("/api/v1/inbox").json_body["threads"][0]["messages"]]
    assert subjects == ["Din beställning har gått ut: Klamydia och gonorré",
                        "Påminnelse: skicka in ditt prov (Klamydia och gonorré)"]
    late = _result(region, order.order_id, "lab-late-01")
    assert late.json_body["code"] == "already_resulted"
    assert "Beställ test: Klamydia och gonorré" in anna.page("/self-tests")  # a new order is possible


def test_the_follow_up_list_shows_positive_results_to_the_clinic_only(region):
    karin = _logged_in(region, "karin")
    _order(karin)
    (order,) = _orders(region, "karin")
    _result(region, order.order_id, "lab-fu-01", gonorrhoea="positive")
    lisa = region.browser()
    lisa.login("lisa", "staff")  # case handler and reviewer at the STI clinic
    page = lisa.page("/staff/follow-up")
    assert "Karin Lind" in page and "gonorré" in page and "gonorrhoea" not in page  # named, not the lab's code
    log = ports().access_log.of_citizen(order.citizen_id)
    assert [(e.staff_name, e.what) for e in log] == [("Lisa Åberg", "lab_result")]
    eva = region.browser()
    eva.login("eva", "staff")  # no role at the STI clinic
    assert "Karin Lind" not in eva.page("/staff/follow-up")
    assert eva.get(f"/staff/follow-up?unit={HS}").status_code == 403
